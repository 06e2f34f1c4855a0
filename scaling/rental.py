"""Rental prices of accelerators at a date: the quoted history and its fitted decline.

``data/cloud_prices.csv`` holds dated on-demand and committed-use (1-year, 3-year) quotes per
accelerator-hour, each with its source: Epoch AI's archived price pages (training-cost-trends
``data/Hardware prices.csv``, 2018-2025: AWS, Azure, Google Cloud, Oracle and specialist
clouds), Google's TPU price lists, DeepSeek-V3's assumed H800 price, and 2026 market medians
(Mercatus GPU Index). One on-demand row per accelerator is its catalog reference
(``Accelerator.rental_usd_per_hour``, the price of a forecast without a date).

A forecast with a date (``Assumptions(as_of=...)``) rents at :func:`rental_usd_per_hour_at`:

* within the reference provider's quotes, the latest quote on or before the date (the
  earliest one before its first quote);
* beyond its last quote, that quote moved by the fitted decline,
  :math:`p(t) = p_{last}\\,e^{\\delta\\,(t - t_{last})}`.

The fitted decline
------------------
:func:`fit_rental_decline` regresses the log of every on-demand quote on the date, with one
level per accelerator and one per market segment (the hyperscalers AWS, Azure, Google Cloud
and Oracle list higher than specialist clouds),

.. math:: \\ln p_{q} = \\alpha_{chip(q)} + \\beta_{segment(q)} + \\delta\\,t_q + \\varepsilon_q,

by ordinary least squares (statsmodels) with standard errors clustered by provider (quotes of
one provider move together); assumed prices (:data:`ASSUMED_PROVIDERS`) are left out. :math:`\\delta` is the yearly change of the rent of one chip in one
segment; its P5-P95 interval (:data:`DECLINE_LEVEL`) gives the band of a dated rent beyond the
data (:func:`rental_band_usd_per_hour`). The quotes cannot tell a price cut from a change in
which providers were archived; list prices of the hyperscalers barely move (AWS's A100 held
$4.10 from 2021 to 2022, Azure's V100 $3.06 from 2018 to 2025), while specialist clouds cut
theirs, so the pooled rate is a slow decline with a wide interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from scaling._validation import check_choice
from scaling.data import cached, load_table
from scaling.dates import as_year
from scaling.hardware import as_accelerator
from scaling.results import NOT_A_COLUMN, Result

__all__ = [
    "DECLINE_LEVEL",
    "ASSUMED_PROVIDERS",
    "HYPERSCALERS",
    "RentalDecline",
    "fit_rental_decline",
    "reference_quotes",
    "rental_band_usd_per_hour",
    "rental_quotes",
    "rental_usd_per_hour_at",
]

#: Providers counted as hyperscalers in the decline's market segment (list prices above the
#: specialist clouds'; the providers of ``data/cloud_prices.csv``).
HYPERSCALERS = ("aws", "azure", "google", "oracle")
#: Providers whose rows are assumptions, not quotes (DeepSeek-V3's assumed $2 per H800-hour),
#: left out of the fit.
ASSUMED_PROVIDERS = ("deepseek-assumed",)
#: Two-sided level of the decline's interval: P5-P95, the band of the forecasts.
DECLINE_LEVEL = 0.90


def rental_quotes(accelerator=None, *, price_type: str = "on_demand"):
    """Dated rental quotes [USD per accelerator-hour] of ``data/cloud_prices.csv`` (a copy).

    Parameters
    ----------
    accelerator : Accelerator or str, optional
        One accelerator's quotes; None: every accelerator's.
    price_type : {"on_demand", "1yr", "3yr"}

    Returns
    -------
    DataFrame
        The table's rows with a decimal ``year`` column, sorted by accelerator and date.
    """
    check_choice("price_type", price_type, ("on_demand", "1yr", "3yr"))
    table = _quotes()
    rows = table[table["price_type"] == price_type]
    if accelerator is not None:
        rows = rows[rows["accelerator"] == as_accelerator(accelerator).name]
    return rows.reset_index(drop=True).copy()


@cached
def _quotes():
    table = load_table("cloud_prices")
    table["year"] = [float(as_year(d, name=f"cloud_prices.csv date of {a}"))
                     for a, d in zip(table["accelerator"], table["date"])]
    table["usd_per_hour"] = table["usd_per_hour"].astype(float)
    return table.sort_values(["accelerator", "year"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class RentalDecline(Result):
    """The fitted yearly change of on-demand rents (:func:`fit_rental_decline`).

    Attributes
    ----------
    rate_per_year, rate_low_per_year, rate_high_per_year : float
        :math:`\\delta` and its P5-P95 interval [1/year, log change; negative: a decline].
    decline_fraction_per_year : float
        :math:`1 - e^{\\delta}`, the share the rent falls in a year [dimensionless].
    n_quotes, n_accelerators, n_providers : int
        The quotes fitted, the accelerators and providers they come from.
    first_year, last_year : float
        The span of the quotes [decimal year].
    coefficients : DataFrame
        Every coefficient with its standard error and P5-P95 interval.
    """

    rate_per_year: float
    rate_low_per_year: float
    rate_high_per_year: float
    decline_fraction_per_year: float
    n_quotes: int
    n_accelerators: int
    n_providers: int
    first_year: float
    last_year: float
    coefficients: object = field(metadata=NOT_A_COLUMN, repr=False)

    def factor(self, years, which: str = "central"):
        """Rent multiplier after ``years`` beyond the last quote, :math:`e^{\\delta\\,\\Delta t}`
        at the central rate or an end of its interval (``"low"``: the fastest decline)."""
        rate = {"central": self.rate_per_year, "low": self.rate_low_per_year,
                "high": self.rate_high_per_year}[which]
        return np.exp(rate * np.maximum(np.asarray(years, dtype=float), 0.0))


def fit_rental_decline() -> RentalDecline:
    """Fit the yearly change of on-demand rents on every dated quote (see the module notes).

    Returns
    -------
    RentalDecline

    Examples
    --------
    >>> fit = fit_rental_decline()
    >>> fit.rate_low_per_year < fit.rate_per_year < 0 < fit.rate_high_per_year + 1
    True
    """
    fit = _fit()   # cached: the caller gets their own copy of its table
    return replace(fit, coefficients=fit.coefficients.copy())


@cached
def _fit() -> RentalDecline:
    import statsmodels.formula.api as smf

    quotes = rental_quotes()
    quotes = quotes[~quotes["provider"].isin(ASSUMED_PROVIDERS)].copy()
    quotes["log_usd_per_hour"] = np.log(quotes["usd_per_hour"])
    quotes["segment"] = np.where(quotes["provider"].isin(HYPERSCALERS), "hyperscaler",
                                 "specialist")
    groups = quotes["provider"].astype("category").cat.codes.to_numpy()
    fit = smf.ols("log_usd_per_hour ~ C(accelerator) + C(segment) + year", quotes).fit(
        cov_type="cluster", cov_kwds={"groups": groups})
    low, high = fit.conf_int(alpha=1.0 - DECLINE_LEVEL).loc["year"]
    table = fit.conf_int(alpha=1.0 - DECLINE_LEVEL).set_axis(["p5", "p95"], axis=1)
    table.insert(0, "standard_error", fit.bse)
    table.insert(0, "estimate", fit.params)
    rate = float(fit.params["year"])
    return RentalDecline(
        rate_per_year=rate, rate_low_per_year=float(low), rate_high_per_year=float(high),
        decline_fraction_per_year=1.0 - math.exp(rate), n_quotes=int(len(quotes)),
        n_accelerators=int(quotes["accelerator"].nunique()),
        n_providers=int(quotes["provider"].nunique()),
        first_year=float(quotes["year"].min()), last_year=float(quotes["year"].max()),
        coefficients=table)


def reference_quotes(accelerator):
    """The dated on-demand quotes of the provider of an accelerator's catalog reference price
    (the series :func:`rental_usd_per_hour_at` follows; empty without one), a copy."""
    rows = rental_quotes(accelerator)
    reference = rows[rows["catalog_reference"].astype(str).str.strip().str.lower() == "true"]
    if reference.empty:
        return rows.iloc[:0].copy()
    return rows[rows["provider"] == reference["provider"].iloc[0]].reset_index(drop=True)


@cached
def _reference_series(name):
    """:func:`reference_quotes` as (years, USD/h) arrays."""
    rows = reference_quotes(name)
    return rows["year"].to_numpy(), rows["usd_per_hour"].to_numpy()


def _dated(accelerator, as_of, which):
    years, prices = _reference_series(as_accelerator(accelerator).name)
    if not len(years):
        return math.nan
    when = float(as_year(as_of))
    before = years <= when
    pick = (np.flatnonzero(before)[np.argmax(years[before])] if before.any()
            else int(np.argmin(years)))
    beyond = when - years.max()
    return float(prices[pick] * _fit().factor(beyond, which)) if beyond > 0 else float(
        prices[pick])


def rental_usd_per_hour_at(accelerator, as_of) -> float:
    """On-demand rental price of an accelerator at a date [USD/h], NaN without one.

    Parameters
    ----------
    accelerator : Accelerator or str
    as_of : date-like
        Decimal year, ``date`` or ``"YYYY-MM[-DD]"``.

    Returns
    -------
    float
        The reference provider's latest quote on or before ``as_of`` (its earliest before its
        first); beyond its last quote, that quote times :math:`e^{\\delta\\,(t - t_{last})}`
        with the fitted :math:`\\delta` (:func:`fit_rental_decline`).

    Examples
    --------
    >>> rental_usd_per_hour_at("H100-SXM", "2024-06")   # Lambda's list price then
    3.49
    >>> rental_usd_per_hour_at("H100-SXM", 2027.5) < rental_usd_per_hour_at("H100-SXM", 2025.5)
    True
    """
    return _dated(accelerator, as_of, "central")


def rental_band_usd_per_hour(accelerator, as_of) -> tuple[float, float, float]:
    """P5, central and P95 on-demand rent at a date [USD/h] (the decline's interval beyond the
    last quote; the quote itself, three times, within the quotes)."""
    low, mid, high = (_dated(accelerator, as_of, w) for w in ("low", "central", "high"))
    return min(low, high), mid, max(low, high)
