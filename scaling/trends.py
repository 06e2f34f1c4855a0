"""Hardware trends fitted from the accelerator catalog, and the typical accelerator of a year.

Fits
----
:func:`fit_trend` regresses the base-10 logarithm of one quantity on the release year
(ordinary least squares, statsmodels) over the chips of ``data/accelerators.csv``:

.. math:: \\log_{10} q_i = a + b\\,y_i + \\varepsilon_i, \\qquad
    T_2 = \\log_{10} 2 / b

Quantities (:data:`QUANTITIES`): dense peak FLOP/s of a precision, peak FLOP/s per dollar,
peak FLOP/s per watt of TDP, HBM capacity and HBM bandwidth. :func:`hardware_trends` fits all
five for one precision and the correlation of their residuals; :func:`compare_doubling_times`
sets the fitted doubling times beside published ones.

Choices (the brief left them open):

* **Server-inclusive prices.** The catalog mixes chip prices and per-accelerator shares of
  complete servers or racks (``price_includes_server``: H100 DGX, B200 DGX, GB200 NVL72).
  Default ``server_adjustment="overhead"``: such prices are divided by Epoch's server cost
  overhead 1.64 (:data:`scaling.cost.EPOCH_SERVER_COST_OVERHEAD`) to put every price on a
  chip basis, the basis the cost chain expects when ``price_includes_server`` is False.
  ``"indicator"`` instead fits an intercept shift for server-inclusive prices and reports the
  chip-basis line (a sensitivity check; with three server-inclusive chips, all NVIDIA
  flagships, the shift is confounded with vendor).
* **Estimated TDPs** (most TPUs, Trainium2) are left out of the per-watt fit by default: two
  of them are derived in the catalog *from an assumed efficiency*, which would feed the trend
  its own assumption. Pass ``include_estimated_tdp=True`` to keep them.
* **Prices are at their catalog dates**, not at release; the per-dollar fit mixes dates
  (2020-2025). TPU prices are Epoch's "TPU-equivalent" estimates.
* **Variants count separately** (A100 40/80 GB, H100/H800/H200): residuals of variants are
  correlated, so the intervals are somewhat optimistic.

The typical frontier accelerator of a year
------------------------------------------
:func:`typical_accelerator` builds an :class:`~scaling.catalog.Accelerator` for mid-year Y
from the five fits. The *slope* of each trend comes from all ML accelerators (enough points
for a stable rate); the *level* is anchored on the frontier: the chips that held the
record peak FLOP/s of their precision when released (:func:`frontier_accelerators`: V100,
A100, MI250X, H100, MI300X, Gaudi 3, B200, GB200, MI355X for bf16). Their mean residual is
added to the line (``basis="frontier"``); ``basis="average"`` uses the line itself. Fitting
the upper envelope alone (quantile regression on ~10 points) was rejected as unstable.
Price and TDP follow from the peak and the efficiency trends,
:math:`p = P/(P/\\$)` and :math:`W = P/(P/W)`, so they stay consistent with the fitted
price-performance and energy-efficiency rates. The other precision's peak is the catalog's
median fp8/bf16 ratio (2.0) times the fitted one.

Uncertainty: :func:`typical_accelerator_draws` draws the five log-quantities jointly at year
Y: each marginal is the fit's prediction distribution (Student t, line uncertainty plus the
scatter of chips around it), joined by a Gaussian copula with the correlation of the fits'
residuals over the chips they share (peak/$ and peak/W residuals correlate ~0.7: both carry
the chip's peak). Draws are for one year; they are not trajectories.

References
----------
Hobbhahn & Besiroglu (2022), "Trends in GPU price-performance", Epoch AI,
https://epoch.ai/blog/trends-in-gpu-price-performance: FLOP/s per $ doubles every 2.46 years
[2.24, 2.72] for all GPUs (n=470), 2.07 [1.54, 3.13] for ML GPUs (n=26), 2.95 [2.54, 3.52]
for top GPUs (95% CIs).
Hobbhahn, Heim & Aydos (2023), "Trends in Machine Learning Hardware", Epoch AI,
https://epoch.ai/blog/trends-in-machine-learning-hardware: FP32 performance doubles every
~2.3 years, price-performance (ML GPUs) every ~2.1 years (0.14 orders of magnitude per year),
energy efficiency every ~3 years, memory capacity every ~4 years, memory bandwidth every
~4.1 years.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date

import numpy as np

from scaling._validation import (
    as_numeric_array, as_rng, check_choice, check_fraction, like, require_columns,
    whole_number,
)
from scaling.cost import EPOCH_SERVER_COST_OVERHEAD
from scaling.data import cached
from scaling.errors import ExtrapolationWarning
from scaling.catalog import PRECISIONS, PROJECTION_BASES, Accelerator, list_accelerators
from scaling.dates import HORIZON_YEAR, as_year, check_in_range
from scaling.results import Result

__all__ = [
    "PRECISION_QUANTITIES",
    "as_trends",
    "trend_points",
    "BASES",
    "DEFAULT_CONFIDENCE_LEVEL",
    "DEFAULT_PREDICTION_LEVEL",
    "HardwareTrends",
    "MAX_TREND_YEAR",
    "MIN_TREND_POINTS",
    "MIN_TREND_SPAN_YEARS",
    "QUANTITIES",
    "SERVER_ADJUSTMENTS",
    "TrendFit",
    "doubling_interval",
    "fit_trend",
    "fp8_to_bf16_peak_ratio",
    "frontier_accelerators",
    "hardware_trends",
    "typical_accelerator",
    "typical_accelerator_draws",
]

#: Quantities a trend is fitted for, with their units.
QUANTITIES = ("peak_flop_per_s", "peak_flop_per_s_per_usd", "peak_flop_per_s_per_w",
              "memory_bytes", "memory_bandwidth_byte_per_s")
_UNITS = {
    "peak_flop_per_s": "FLOP/s",
    "peak_flop_per_s_per_usd": "FLOP/s per USD",
    "peak_flop_per_s_per_w": "FLOP/s per W",
    "memory_bytes": "bytes",
    "memory_bandwidth_byte_per_s": "byte/s",
}
PRECISION_QUANTITIES = ("peak_flop_per_s", "peak_flop_per_s_per_usd", "peak_flop_per_s_per_w")
#: How server-inclusive prices are handled (see module docs).
SERVER_ADJUSTMENTS = ("overhead", "indicator")
#: Level of a trend: the frontier (record chips) or the average chip.
BASES = PROJECTION_BASES
#: Fewest chips a trend is fitted on.
MIN_TREND_POINTS = 5
#: Shortest span of release years a trend is fitted on [years].
MIN_TREND_SPAN_YEARS = 2.0
#: Confidence level of slope and doubling-time intervals (Hobbhahn & Besiroglu 2022 report 95%).
DEFAULT_CONFIDENCE_LEVEL = 0.95
#: Level of prediction intervals and typical-accelerator bands (P5-P95).
DEFAULT_PREDICTION_LEVEL = 0.90
#: Last year :func:`typical_accelerator` extrapolates to: the horizon (dates.HORIZON_YEAR).
MAX_TREND_YEAR = HORIZON_YEAR
#: Columns of the catalog the fits read.
_CATALOG_COLUMNS = ("name", "release_date", "tdp_w", "tdp_estimated", "price_usd",
                    "price_includes_server", "memory_bytes", "memory_bandwidth_byte_per_s")
_LOG10_2 = math.log10(2.0)
_SOURCE = ("scaling.trends: OLS of log10(quantity) on release year over data/accelerators.csv "
           "(Epoch AI Data on Machine Learning Hardware, vendor datasheets; prices from the "
           "Epoch cost repo)")


def _catalog_frame(catalog):
    """The catalog (default: ``scaling.list_accelerators()``) with ``release_year`` added."""
    if catalog is None:
        catalog = list_accelerators()
    require_columns(catalog, _CATALOG_COLUMNS, "scaling.trends", name="catalog",
                    like="scaling.list_accelerators()")
    frame = catalog.copy()
    frame["release_year"] = [as_year(d, name=f"release_date of {n}")
                             for n, d in zip(frame["name"], frame["release_date"])]
    for column in ("tdp_estimated", "price_includes_server"):
        frame[column] = frame[column].astype(bool)
    return frame


def frontier_accelerators(precision: str = "bf16", *, catalog=None) -> tuple:
    """Chips that held the record dense peak FLOP/s of ``precision`` when released.

    A chip is on the frontier if its peak is at least that of every chip released strictly
    earlier (chips released the same day are compared with the earlier ones only).

    Returns
    -------
    tuple of str
        Names in release order.
    """
    check_choice("precision", precision, PRECISIONS)
    frame = _catalog_frame(catalog)
    column = f"peak_{precision}_flop_per_s"
    frame = frame[frame[column].notna()].sort_values(["release_year", "name"])
    names = []
    for _, row in frame.iterrows():
        earlier = frame.loc[frame["release_year"] < row["release_year"], column]
        if earlier.empty or row[column] >= earlier.max():
            names.append(row["name"])
    return tuple(names)


def fp8_to_bf16_peak_ratio(*, catalog=None) -> float:
    """Median dense fp8 / bf16 peak ratio over catalog chips with both (2.0 today)."""
    frame = _catalog_frame(catalog)
    both = frame["peak_fp8_flop_per_s"].notna() & frame["peak_bf16_flop_per_s"].notna()
    if not both.any():
        raise ValueError("no catalog chip has both an fp8 and a bf16 peak")
    ratio = frame.loc[both, "peak_fp8_flop_per_s"] / frame.loc[both, "peak_bf16_flop_per_s"]
    return float(np.median(ratio))


def trend_points(quantity: str, precision: str = "bf16", *, catalog=None,
                 server_adjustment: str = "overhead", include_estimated_tdp: bool = False):
    """The points one trend is fitted to.

    Parameters
    ----------
    quantity : str
        One of :data:`QUANTITIES`.
    precision, catalog, server_adjustment, include_estimated_tdp
        As in :func:`fit_trend`.

    Returns
    -------
    pandas.DataFrame
        ``name``, ``release_year``, ``log10_value``, ``includes_server``, ``frontier``.
    """
    check_choice("quantity", quantity, QUANTITIES)
    return _trend_points(quantity, precision, _catalog_frame(catalog), server_adjustment,
                         include_estimated_tdp)


def _trend_points(quantity, precision, frame, server_adjustment, include_estimated_tdp):
    """Points of one trend: name, release_year, log10_value, includes_server, frontier."""
    peak_column = f"peak_{precision}_flop_per_s"
    if peak_column not in frame.columns:
        raise ValueError(f"catalog has no column {peak_column!r}")
    peak = frame[peak_column].astype(float)
    includes_server = frame["price_includes_server"].to_numpy(dtype=bool)
    if quantity == "peak_flop_per_s":
        value = peak
    elif quantity == "peak_flop_per_s_per_usd":
        price = frame["price_usd"].astype(float)
        if server_adjustment == "overhead":
            price = price.where(~frame["price_includes_server"],
                                price / EPOCH_SERVER_COST_OVERHEAD)
        value = peak / price
    elif quantity == "peak_flop_per_s_per_w":
        value = peak / frame["tdp_w"].astype(float)
        if not include_estimated_tdp:
            value = value.where(~frame["tdp_estimated"])
    else:
        value = frame[quantity].astype(float)
    frontier = set(frontier_accelerators(precision, catalog=frame))
    out = frame[["name", "release_year"]].copy()
    out["log10_value"] = np.log10(value.to_numpy(dtype=float))
    out["includes_server"] = includes_server
    out["frontier"] = out["name"].isin(frontier)
    keep = np.isfinite(out["log10_value"].to_numpy())
    return out[keep].sort_values(["release_year", "name"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# one fit
# --------------------------------------------------------------------------------------------

def doubling_interval(slope, low, high) -> tuple:
    """Doubling-time interval [years] of a log10 slope with interval ``(low, high)``.

    Parameters
    ----------
    slope, low, high : float
        Slope :math:`b` and its interval [log10 per year], ``low <= slope <= high``.

    Returns
    -------
    tuple of float
        ``(lower, upper)`` with ``lower <= log10(2) / slope <= upper`` (negative: halving).

    Notes
    -----
    :math:`T_2 = \\log_{10}2 / b`: an interval of one sign maps to
    :math:`(\\log_{10}2/h, \\log_{10}2/l)`; one holding 0 to two rays,
    :math:`(-\\infty, \\log_{10}2/l] \\cup [\\log_{10}2/h, \\infty)`, of which the estimate's is
    returned (both infinite for a flat estimate), so the interval always holds the estimate.
    """
    if low > 0 or high < 0:
        return (_LOG10_2 / high, _LOG10_2 / low)
    if slope < 0:
        return (-math.inf, _LOG10_2 / low)
    return (_LOG10_2 / high if slope > 0 else -math.inf, math.inf)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendFit(Result):
    """A fitted log-linear trend of one hardware quantity versus release year.

    Attributes
    ----------
    quantity, unit, precision : str
        What was fitted (``precision`` is "" for memory and bandwidth).
    intercept_log10, slope_log10_per_year : float
        :math:`a` and :math:`b` of :math:`\\log_{10} q = a + b\\,y` (chip-price basis).
    slope_ci_log10_per_year : tuple of float
        Confidence interval of :math:`b` at ``level``.
    level : float
        Confidence level of the slope interval.
    cov_log10 : tuple of float
        ``(var a, cov ab, var b)`` of the OLS estimates.
    residual_std_log10, df_resid, n, r_squared : float, int, int, float
        Residual standard deviation [dex], residual degrees of freedom, number of chips, R^2.
    year_min, year_max : float
        Release-year range of the chips.
    frontier_offset_log10, frontier_residual_std_log10 : float
        Mean and standard deviation of the residuals of the frontier chips [dex].
    n_frontier : int
        Number of frontier chips among the points.
    server_adjustment : str
        "overhead" or "indicator" (per-dollar fits; "" otherwise).
    server_effect_log10 : float
        Fitted shift of server-inclusive prices with "indicator" [dex]; NaN otherwise.
    names, release_years, log10_values, frontier, includes_server : tuple
        The points.
    source : str
    """

    quantity: str
    unit: str
    precision: str
    intercept_log10: float
    slope_log10_per_year: float
    slope_ci_log10_per_year: tuple
    level: float
    cov_log10: tuple
    residual_std_log10: float
    df_resid: int
    n: int
    r_squared: float
    year_min: float
    year_max: float
    frontier_offset_log10: float
    frontier_residual_std_log10: float
    n_frontier: int
    server_adjustment: str
    server_effect_log10: float
    names: tuple
    release_years: tuple
    log10_values: tuple
    frontier: tuple
    includes_server: tuple
    source: str

    # -- rates ---------------------------------------------------------------------------
    @property
    def growth_per_year(self) -> float:
        """Multiplicative growth per year, :math:`10^b`."""
        return 10.0 ** self.slope_log10_per_year

    @property
    def doubling_time_years(self) -> float:
        """:math:`\\log_{10}2 / b` [years]; negative for a falling quantity (halving time)."""
        if self.slope_log10_per_year == 0:
            return math.inf
        return _LOG10_2 / self.slope_log10_per_year

    @property
    def doubling_time_ci_years(self) -> tuple:
        """Doubling-time interval from the slope interval [years] (:func:`doubling_interval`)."""
        return doubling_interval(self.slope_log10_per_year, *self.slope_ci_log10_per_year)

    # -- prediction ----------------------------------------------------------------------
    def _level_and_spread(self, basis: str):
        check_choice("basis", basis, BASES)
        if basis == "average":
            return 0.0, self.residual_std_log10, math.inf
        if self.n_frontier >= 2:
            spread = self.frontier_residual_std_log10
            return self.frontier_offset_log10, spread, self.n_frontier
        return self.frontier_offset_log10, self.residual_std_log10, max(self.n_frontier, 1)

    def _years(self, year):
        """``year`` as numbers, in the trend's range (:func:`scaling.dates.check_in_range`)."""
        return check_in_range(as_numeric_array("year", year), name="year",
                              earliest=math.floor(self.year_min), what=f"the {self.quantity} "
                              f"trend (chips of {self.year_min // 1:.0f}-{self.year_max // 1:.0f})")

    def estimate_log10(self, year, *, basis: str = "average"):
        """Central :math:`\\log_{10} q` at decimal ``year`` (same kind as ``year``; refused before
        the first chip's year, an ExtrapolationWarning beyond :data:`MAX_TREND_YEAR`)."""
        years = self._years(year)
        offset, _, _ = self._level_and_spread(basis)
        return like(self.intercept_log10 + self.slope_log10_per_year * years + offset, year)

    def estimate(self, year, *, basis: str = "average"):
        """Central value of the quantity at decimal ``year`` [unit] (same kind as ``year``)."""
        return like(10.0 ** np.asarray(self.estimate_log10(year, basis=basis), dtype=float),
                    year)

    def predictive_std_log10(self, year, *, basis: str = "average"):
        """Standard deviation of a new chip's :math:`\\log_{10} q` at ``year`` [dex].

        Notes
        -----
        .. math:: s_{pred}^2 = x^\\top \\Sigma x + s^2 (1 + 1/k)

        :math:`\\Sigma` the covariance of (a, b), :math:`x = (1, y)`; for ``"average"``
        :math:`s` is the residual standard deviation and :math:`1/k = 0`; for
        ``"frontier"`` :math:`s` is the spread of the frontier chips' residuals and
        :math:`k` their number (the offset's own uncertainty). The correlation between the
        line and the offset is neglected.
        """
        years = self._years(year)
        var_a, cov_ab, var_b = self.cov_log10
        line = var_a + 2.0 * cov_ab * years + var_b * years ** 2
        _, spread, k = self._level_and_spread(basis)
        return like(np.sqrt(line + spread ** 2 * (1.0 + 1.0 / k)), year)

    def predict(self, year, *, basis: str = "average", level: float = DEFAULT_PREDICTION_LEVEL):
        """Prediction with an interval for a new chip released at ``year``.

        Parameters
        ----------
        year : float or array_like
            Decimal release year(s).
        basis : {"average", "frontier"}
            Level of the line (see module docs).
        level : float
            Central interval probability, default 0.90 (P5-P95).

        Returns
        -------
        pandas.DataFrame
            ``year``, ``estimate``, ``lower``, ``upper`` [unit], ``log10_estimate``,
            ``log10_std`` [dex]. Student-t interval with ``df_resid`` degrees of freedom
            (``lower <= estimate <= upper``).

        Raises
        ------
        ValueError
            A year before the first chip's calendar year (the trend's first data).

        Warns
        -----
        ExtrapolationWarning
            A year after :data:`MAX_TREND_YEAR`, the trends' horizon.
        """
        import pandas as pd
        from scipy import stats

        check_fraction("level", level, include_one=False)
        years = np.atleast_1d(np.asarray(self._years(year), dtype=float))
        with warnings.catch_warnings():  # warned once above
            warnings.simplefilter("ignore", ExtrapolationWarning)
            center = np.asarray(self.estimate_log10(years, basis=basis), dtype=float)
            spread = np.asarray(self.predictive_std_log10(years, basis=basis), dtype=float)
        t = stats.t.ppf(0.5 + level / 2.0, self.df_resid)
        return pd.DataFrame({
            "year": years, "estimate": 10.0 ** center,
            "lower": 10.0 ** (center - t * spread), "upper": 10.0 ** (center + t * spread),
            "log10_estimate": center, "log10_std": spread,
        })

    # -- reporting -----------------------------------------------------------------------
    def summary(self):
        """One-row DataFrame: rate, doubling time with interval, n, spread, frontier offset."""
        import pandas as pd

        low, high = self.doubling_time_ci_years
        return pd.DataFrame([{
            "quantity": self.quantity, "precision": self.precision, "unit": self.unit,
            "n": self.n, "years": f"{self.year_min:.1f}-{self.year_max:.1f}",
            "slope_log10_per_year": self.slope_log10_per_year,
            "growth_per_year": self.growth_per_year,
            "doubling_time_years": self.doubling_time_years,
            "doubling_ci_lower": low, "doubling_ci_upper": high, "level": self.level,
            "residual_std_log10": self.residual_std_log10, "r_squared": self.r_squared,
            "frontier_offset_log10": self.frontier_offset_log10,
            "n_frontier": self.n_frontier, "server_adjustment": self.server_adjustment,
        }])

    def to_frame(self):
        """The fitted points: name, release year, value, fitted line, residual, flags."""
        import pandas as pd

        years = np.asarray(self.release_years, dtype=float)
        logs = np.asarray(self.log10_values, dtype=float)
        server = np.asarray(self.includes_server, dtype=bool)
        fitted = self.intercept_log10 + self.slope_log10_per_year * years
        if self.server_adjustment == "indicator":
            fitted = fitted + server * self.server_effect_log10
        return pd.DataFrame({
            "quantity": self.quantity, "precision": self.precision, "name": self.names,
            "release_year": years, "value": 10.0 ** logs, "log10_value": logs,
            "log10_fitted": fitted, "residual_log10": logs - fitted,
            "frontier": self.frontier, "price_includes_server": server,
        })

    def _repr_html_(self) -> str:
        low, high = self.doubling_time_ci_years
        head = (f"<p><b>{self.quantity}</b> ({self.precision or 'all'}, {self.unit}): doubles "
                f"every {self.doubling_time_years:.2f} years "
                f"[{low:.2f}, {high:.2f}] ({self.level:.0%}), n={self.n}</p>")
        return head + self.summary().to_html(index=False)


def _fit_points(points, quantity, precision, server_adjustment, level, source) -> TrendFit:
    """OLS of the prepared points."""
    import statsmodels.api as sm

    n = len(points)
    years = points["release_year"].to_numpy(dtype=float)
    label = f"{quantity}" + (f" ({precision})" if precision else "")
    if n < MIN_TREND_POINTS:
        raise ValueError(f"{label}: only {n} catalog chips have this quantity; a trend needs at "
                         f"least {MIN_TREND_POINTS}")
    span = years.max() - years.min()
    if span < MIN_TREND_SPAN_YEARS:
        raise ValueError(f"{label}: the chips span {span:.1f} years of releases; a trend needs "
                         f"at least {MIN_TREND_SPAN_YEARS:g}")
    logs = points["log10_value"].to_numpy(dtype=float)
    server = points["includes_server"].to_numpy(dtype=float)
    use_indicator = (server_adjustment == "indicator"
                     and quantity == "peak_flop_per_s_per_usd" and 0 < server.sum() < n)
    columns = [np.ones(n), years] + ([server] if use_indicator else [])
    design = np.column_stack(columns)
    result = sm.OLS(logs, design).fit()
    params = np.asarray(result.params, dtype=float)
    cov = np.asarray(result.cov_params(), dtype=float)
    ci = np.asarray(result.conf_int(alpha=1.0 - level), dtype=float)
    residuals = logs - design @ params
    frontier = points["frontier"].to_numpy(dtype=bool)
    front = residuals[frontier]
    return TrendFit(
        quantity=quantity, unit=_UNITS[quantity], precision=precision,
        intercept_log10=float(params[0]), slope_log10_per_year=float(params[1]),
        slope_ci_log10_per_year=(float(ci[1, 0]), float(ci[1, 1])), level=float(level),
        cov_log10=(float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1])),
        residual_std_log10=float(np.sqrt(result.scale)), df_resid=int(result.df_resid),
        n=n, r_squared=float(result.rsquared),
        year_min=float(years.min()), year_max=float(years.max()),
        frontier_offset_log10=float(front.mean()) if front.size else 0.0,
        frontier_residual_std_log10=float(front.std(ddof=1)) if front.size >= 2 else math.nan,
        n_frontier=int(front.size),
        server_adjustment=server_adjustment if quantity == "peak_flop_per_s_per_usd" else "",
        server_effect_log10=float(params[2]) if use_indicator else math.nan,
        names=tuple(points["name"]), release_years=tuple(float(y) for y in years),
        log10_values=tuple(float(v) for v in logs), frontier=tuple(bool(f) for f in frontier),
        includes_server=tuple(bool(s) for s in server), source=source,
    )


def fit_trend(quantity: str, *, precision: str = "bf16", catalog=None,
              server_adjustment: str = "overhead", include_estimated_tdp: bool = False,
              level: float = DEFAULT_CONFIDENCE_LEVEL) -> TrendFit:
    """Fit :math:`\\log_{10}` of one hardware quantity against release year (OLS).

    Parameters
    ----------
    quantity : str
        One of :data:`QUANTITIES`.
    precision : {"bf16", "fp8"}
        Peak used by the FLOP/s quantities and to pick the frontier chips.
    catalog : pandas.DataFrame or None
        Accelerator table with the columns of ``scaling.list_accelerators()``; default that.
    server_adjustment : {"overhead", "indicator"}
        Handling of server-inclusive prices in the per-dollar fit (module docs).
    include_estimated_tdp : bool
        Keep chips whose TDP is an estimate in the per-watt fit (default False).
    level : float
        Confidence level of the slope interval, default 0.95.

    Returns
    -------
    TrendFit

    Raises
    ------
    ValueError
        Unknown quantity/precision/adjustment; fewer than :data:`MIN_TREND_POINTS` chips or a
        span shorter than :data:`MIN_TREND_SPAN_YEARS`.
    """
    check_choice("quantity", quantity, QUANTITIES)
    check_choice("precision", precision, PRECISIONS)
    check_choice("server_adjustment", server_adjustment, SERVER_ADJUSTMENTS)
    check_fraction("level", level, include_one=False)
    frame = _catalog_frame(catalog)
    points = _trend_points(quantity, precision, frame, server_adjustment,
                           include_estimated_tdp)
    label = precision if quantity in PRECISION_QUANTITIES else ""
    return _fit_points(points, quantity, label, server_adjustment, level, _SOURCE)


# --------------------------------------------------------------------------------------------
# all five fits
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class HardwareTrends(Result):
    """The five fits of one precision and the correlation of their residuals.

    Attributes
    ----------
    precision : str
    fits : tuple of TrendFit
        In :data:`QUANTITIES` order.
    residual_correlation : tuple of tuple of float
        Correlation of the fits' residuals over the chips each pair shares (pairs with fewer
        than 3 shared chips: 0), repaired to be positive semi-definite.
    fp8_to_bf16 : float
        Median catalog fp8/bf16 peak ratio.
    """

    precision: str
    fits: tuple
    residual_correlation: tuple
    fp8_to_bf16: float

    def fit(self, quantity: str) -> TrendFit:
        """The fit of ``quantity``."""
        check_choice("quantity", quantity, QUANTITIES)
        return self.fits[QUANTITIES.index(quantity)]

    def summary(self):
        """One row per quantity (see :meth:`TrendFit.summary`)."""
        import pandas as pd

        return pd.concat([f.summary() for f in self.fits], ignore_index=True)

    def to_frame(self):
        """All fitted points, long format (see :meth:`TrendFit.to_frame`)."""
        import pandas as pd

        return pd.concat([f.to_frame() for f in self.fits], ignore_index=True)

    def correlation_frame(self):
        """The residual correlation matrix as a DataFrame labelled by quantity."""
        import pandas as pd

        return pd.DataFrame(np.asarray(self.residual_correlation), index=QUANTITIES,
                            columns=QUANTITIES)

    def _repr_html_(self) -> str:
        return (f"<p><b>Hardware trends ({self.precision})</b></p>"
                + self.summary().to_html(index=False))


def _residual_correlation(fits) -> np.ndarray:
    """Pairwise residual correlation over shared chips, repaired to a correlation matrix."""
    residuals = []
    for f in fits:
        frame = f.to_frame()
        residuals.append(dict(zip(frame["name"], frame["residual_log10"])))
    size = len(fits)
    corr = np.eye(size)
    for i in range(size):
        for j in range(i + 1, size):
            shared = sorted(set(residuals[i]) & set(residuals[j]))
            if len(shared) >= 3:
                x = np.array([residuals[i][s] for s in shared])
                y = np.array([residuals[j][s] for s in shared])
                if x.std() > 0 and y.std() > 0:
                    corr[i, j] = corr[j, i] = float(np.corrcoef(x, y)[0, 1])
    values, vectors = np.linalg.eigh(corr)
    if values.min() < 1e-9:
        corr = vectors @ np.diag(np.clip(values, 1e-9, None)) @ vectors.T
        scale = np.sqrt(np.diag(corr))
        corr = corr / np.outer(scale, scale)
    return corr


@cached
def _default_trends(precision, server_adjustment, include_estimated_tdp, level):
    return _build_trends(precision, None, server_adjustment, include_estimated_tdp, level)


def _build_trends(precision, catalog, server_adjustment, include_estimated_tdp, level):
    frame = _catalog_frame(catalog)
    fits = tuple(fit_trend(q, precision=precision, catalog=frame,
                           server_adjustment=server_adjustment,
                           include_estimated_tdp=include_estimated_tdp, level=level)
                 for q in QUANTITIES)
    corr = _residual_correlation(fits)
    return HardwareTrends(precision=precision, fits=fits,
                          residual_correlation=tuple(tuple(float(v) for v in row)
                                                     for row in corr),
                          fp8_to_bf16=fp8_to_bf16_peak_ratio(catalog=frame))


def hardware_trends(precision: str = "bf16", *, catalog=None,
                    server_adjustment: str = "overhead", include_estimated_tdp: bool = False,
                    level: float = DEFAULT_CONFIDENCE_LEVEL) -> HardwareTrends:
    """Fit every quantity of :data:`QUANTITIES` for one precision.

    Parameters are those of :func:`fit_trend`. The default catalog's fits are cached.

    Returns
    -------
    HardwareTrends
    """
    check_choice("precision", precision, PRECISIONS)
    check_choice("server_adjustment", server_adjustment, SERVER_ADJUSTMENTS)
    if catalog is None:
        return _default_trends(precision, server_adjustment, bool(include_estimated_tdp),
                               float(level))
    return _build_trends(precision, catalog, server_adjustment, include_estimated_tdp, level)


# --------------------------------------------------------------------------------------------
# the typical accelerator of a year
# --------------------------------------------------------------------------------------------

def _check_year(year, trends: HardwareTrends, name: str = "year") -> int:
    real = isinstance(year, (int, float, np.integer, np.floating))
    if isinstance(year, (bool, np.bool_)) or not real:
        raise ValueError(f"{name} must be a calendar year such as 2030, got {year!r}")
    if not float(year).is_integer():
        raise ValueError(f"{name} must be a whole calendar year (the chip is released "
                         f"mid-year), got {year!r}; use int(scaling.dates.as_year(...))")
    first = int(math.floor(max(f.year_min for f in trends.fits)))
    if not (first <= int(year) <= MAX_TREND_YEAR):
        raise ValueError(f"{name} must be between {first} (from then on every trend has data) "
                         f"and {MAX_TREND_YEAR} (the trends' horizon), got {year!r}")
    return int(year)


def _mid_year(year: int) -> float:
    return as_year(date(year, 7, 1))


def as_trends(trends, precision: str = "bf16") -> HardwareTrends:
    """``trends`` checked against ``precision``, or the default catalog's fits when None."""
    if trends is None:
        return hardware_trends(precision)
    if not isinstance(trends, HardwareTrends):
        raise ValueError(f"trends must be a HardwareTrends (scaling.trends.hardware_trends), "
                         f"got {type(trends).__name__}")
    if trends.precision != precision:
        raise ValueError(f"trends were fitted for {trends.precision!r}, not {precision!r}")
    return trends


def _peaks(peak, precision, ratio):
    """(bf16 peak, fp8 peak) from the fitted precision's peak."""
    if precision == "bf16":
        return peak, peak * ratio
    return peak / ratio, peak


def typical_accelerator(year, *, precision: str = "bf16", basis: str = "frontier",
                        trends: HardwareTrends | None = None):
    """The typical frontier accelerator released in mid-``year``, from the trend fits.

    Parameters
    ----------
    year : int
        Calendar year, from the first year every trend has data (2020 for bf16: the first
        priced chip) to :data:`MAX_TREND_YEAR`; the chip is released on 1 July of it.
    precision : {"bf16", "fp8"}
        Whose trends drive the chip. bf16 (default) has 2018-2025 data; fp8 only 2022-2025,
        so its rates are loosely constrained. The other precision's peak is the catalog's
        median fp8/bf16 ratio (2.0) times the fitted one.
    basis : {"frontier", "average"}
        Level of the trends: the record chips (default) or the average chip (module docs).
    trends : HardwareTrends or None
        Fits to use; default :func:`hardware_trends` of ``precision``.

    Returns
    -------
    Accelerator
        ``name`` "typical-<year>" ("typical-average-<year>" for the average basis), central
        peak, TDP, memory, bandwidth and chip price (``price_includes_server`` False: the cost
        chain adds the server overhead). Interconnect bandwidth is NaN; MFU, chip-to-server
        power and average power fraction are the Accelerator defaults (Epoch's 0.375, 1.8,
        0.75). For uncertainty see :func:`typical_accelerator_draws`.

    Notes
    -----
    .. math:: P = 10^{\\hat{\\ell}_P(y)},\\quad p = P / 10^{\\hat{\\ell}_{P/\\$}(y)},\\quad
        W = P / 10^{\\hat{\\ell}_{P/W}(y)}

    with :math:`\\hat{\\ell}_q(y) = a_q + b_q y + o_q` and :math:`o_q` the frontier offset.

    Examples
    --------
    >>> chip = typical_accelerator(2025)
    >>> round(chip.peak_bf16_flop_per_s / 1e15, 1), round(chip.tdp_w, -2)
    (2.3, 1100.0)
    """
    check_choice("precision", precision, PRECISIONS)
    check_choice("basis", basis, BASES)
    if trends is None:
        year = _check_year(year, as_trends(None, precision))
        return _default_typical(year, precision, basis)
    trends = as_trends(trends, precision)
    return _build_typical(_check_year(year, trends), precision, basis, trends)


@cached
def _default_typical(year, precision, basis):
    return _build_typical(year, precision, basis, as_trends(None, precision))


def _build_typical(year, precision, basis, trends):
    when = _mid_year(year)
    value = {q: float(trends.fit(q).estimate(when, basis=basis)) for q in QUANTITIES}
    peak = value["peak_flop_per_s"]
    bf16, fp8 = _peaks(peak, precision, trends.fp8_to_bf16)
    peak_fit = trends.fit("peak_flop_per_s")
    usd_fit = trends.fit("peak_flop_per_s_per_usd")
    w_fit = trends.fit("peak_flop_per_s_per_w")
    name = f"typical-{year}" if basis == "frontier" else f"typical-average-{year}"
    source = (
        f"Trend extrapolation to {year}-07-01 ({basis} level; {precision} fits of "
        f"data/accelerators.csv, scaling.trends): peak doubles every "
        f"{peak_fit.doubling_time_years:.2f} y (n={peak_fit.n}), peak per USD every "
        f"{usd_fit.doubling_time_years:.2f} y (n={usd_fit.n}, chip-price basis), peak per W "
        f"every {w_fit.doubling_time_years:.2f} y (n={w_fit.n}); frontier = record chips "
        f"{', '.join(n for n, f in zip(peak_fit.names, peak_fit.frontier) if f)}. Slopes from "
        f"all ML accelerators, level from the frontier chips (Hobbhahn & Besiroglu 2022; "
        f"Epoch AI 'Trends in Machine Learning Hardware' 2023)"
    )
    link = _frontier_interconnect(precision)
    source += ("; interconnect held at the best of today's frontier chips (largest scale-up "
               "domain, highest scale-up and scale-out bandwidth; no trend is fitted for it)")
    return Accelerator(
        name=name, vendor="trend", generation="typical",
        scale_up_domain_size=int(link["scale_up_domain_size"]),
        scale_up_bandwidth_byte_per_s=float(link["scale_up_bandwidth_byte_per_s"]),
        scale_out_bandwidth_byte_per_s=float(link["scale_out_bandwidth_byte_per_s"]),
        peak_bf16_flop_per_s=bf16, peak_fp8_flop_per_s=fp8,
        memory_bytes=value["memory_bytes"],
        memory_bandwidth_byte_per_s=value["memory_bandwidth_byte_per_s"],
        tdp_w=peak / value["peak_flop_per_s_per_w"], tdp_estimated=True,
        release_date=f"{year}-07-01", price_usd=peak / value["peak_flop_per_s_per_usd"],
        price_date=f"{year}-07-01", price_includes_server=False, source=source,
        projection_year=year, projection_precision=precision, projection_basis=basis,
    )


@cached
def _frontier_interconnect(precision):
    """What a projected accelerator is assumed to keep: the best published interconnect among
    today's frontier chips (largest scale-up domain, highest scale-up and scale-out bandwidth,
    each the maximum over the frontier chips that publish it). No trend is fitted for
    interconnect, so the projection holds it at today's best while compute grows."""
    catalog = list_accelerators().set_index("name")
    rows = catalog.loc[list(frontier_accelerators(precision))]
    columns = ["scale_up_domain_size", "scale_up_bandwidth_byte_per_s",
               "scale_out_bandwidth_byte_per_s"]
    best = {column: rows[column].max() for column in columns}
    if any(math.isnan(float(value)) for value in best.values()):
        raise ValueError("no frontier accelerator in the catalog has a published interconnect")
    return best


def typical_accelerator_draws(year, n: int = 1000, seed: int = 0, *, precision: str = "bf16",
                              basis: str = "frontier", trends: HardwareTrends | None = None):
    """Random draws of the typical accelerator of ``year`` from the trend fits.

    Parameters
    ----------
    year : int
        As in :func:`typical_accelerator`.
    n : int
        Number of draws, >= 1.
    seed : int
        Seed of ``numpy.random.default_rng``.
    precision, basis, trends
        As in :func:`typical_accelerator`.

    Returns
    -------
    pandas.DataFrame
        ``n`` rows: ``peak_bf16_flop_per_s``, ``peak_fp8_flop_per_s`` [FLOP/s], ``price_usd``
        [USD, chip], ``tdp_w`` [W], ``memory_bytes``, ``memory_bandwidth_byte_per_s``,
        ``peak_flop_per_s_per_usd``, ``peak_flop_per_s_per_w`` (of ``precision``).

    Notes
    -----
    For each quantity :math:`q` the draw is
    :math:`\\ell_q = \\hat{\\ell}_q(y) + s_q\\,F^{-1}_{t,\\nu_q}(\\Phi(z_q))` with
    :math:`z \\sim N(0, R)`, :math:`R` the residual correlation of the fits
    (:attr:`HardwareTrends.residual_correlation`), :math:`s_q` the predictive standard
    deviation (:meth:`TrendFit.predictive_std_log10`) and :math:`\\nu_q` the residual degrees
    of freedom: each marginal matches :meth:`TrendFit.predict`, and a chip with a high peak per
    dollar tends to have a high peak per watt, as in the catalog. Price and TDP are derived per
    draw, :math:`p = P/(P/\\$)`, :math:`W = P/(P/W)`.
    """
    import pandas as pd
    from scipy import stats

    check_choice("precision", precision, PRECISIONS)
    check_choice("basis", basis, BASES)
    n = whole_number("n", n)
    rng = as_rng(seed)
    trends = as_trends(trends, precision)
    year = _check_year(year, trends)
    when = _mid_year(year)
    corr = np.asarray(trends.residual_correlation, dtype=float)
    z = rng.multivariate_normal(np.zeros(len(QUANTITIES)), corr, size=int(n),
                                method="eigh")
    u = np.clip(stats.norm.cdf(z), 1e-12, 1 - 1e-12)
    logs = {}
    for i, quantity in enumerate(QUANTITIES):
        fit = trends.fit(quantity)
        center = float(fit.estimate_log10(when, basis=basis))
        spread = float(fit.predictive_std_log10(when, basis=basis))
        logs[quantity] = center + spread * stats.t.ppf(u[:, i], fit.df_resid)
    peak = 10.0 ** logs["peak_flop_per_s"]
    per_usd = 10.0 ** logs["peak_flop_per_s_per_usd"]
    per_w = 10.0 ** logs["peak_flop_per_s_per_w"]
    bf16, fp8 = _peaks(peak, precision, trends.fp8_to_bf16)
    return pd.DataFrame({
        "peak_bf16_flop_per_s": bf16, "peak_fp8_flop_per_s": fp8,
        "price_usd": peak / per_usd, "tdp_w": peak / per_w,
        "memory_bytes": 10.0 ** logs["memory_bytes"],
        "memory_bandwidth_byte_per_s": 10.0 ** logs["memory_bandwidth_byte_per_s"],
        "peak_flop_per_s_per_usd": per_usd, "peak_flop_per_s_per_w": per_w,
    })


