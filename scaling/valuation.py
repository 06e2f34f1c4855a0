"""Hardware valued at a date, dates as decimal years, and constant dollars.

Pieces of the time axis (issue 10), pure and vectorised (dates are read as decimal years by
:mod:`scaling.dates`):

* :func:`hardware_value_usd` values hardware bought at ``price_usd`` (observed at
  ``anchor``) at a later date ``as_of``; :func:`accelerator_value_usd` does it for a catalog
  :class:`~scaling.catalog.Accelerator`, choosing the anchor the way Cottier et al. do.
* :func:`to_constant_usd` converts nominal dollars of one year into dollars of a base year
  with a price index table passed in (CPI, or the producer price index Epoch uses).
* For the forecast chain (``scaling.Assumptions(as_of=...)``): :func:`price_history` (Epoch's
  dated purchase prices, ``data/accelerator_prices.csv``), :func:`acquisition_price` and
  :func:`value_at` (Cottier et al.'s rule on them), :func:`dollar_factor` (constant dollars
  from ``data/ppi_data_processing.csv`` or ``data/cpi_us.csv``), the electricity price of a
  date (the rental price of a date is :mod:`scaling.rental`'s), and :func:`chain_prices`,
  which :func:`scaling.chain.chain_inputs` calls.

The sourced method (default)
----------------------------
Cottier et al. (2024), "The rising costs of training frontier AI models" (arXiv:2405.21015;
code ``cost_analysis_standalone.py`` in github.com/epoch-research/training-cost-trends), value
the hardware of a training run at the run's start as follows (read in the code,
``find_hardware_acquisition_price``, ``depreciate_by_hardware_progress`` and
``get_hardware_value_at_training_start``):

1. take a purchase price of the chip (GPUs: the earliest price on record, preferring a DGX
   server price; TPUs: an estimated "TPU-equivalent" release price);
2. the acquisition date is the price's date, but no earlier than release + 90 days (GPUs);
   TPUs are taken as acquired at their release date;
3. depreciate from the acquisition date to the training start at the rate ML-GPU
   price-performance improves, 0.14 orders of magnitude per year:
   :math:`V = p\\,10^{-0.14\\,(t - t_{acq})}`;
4. a GPU run starting before the acquisition date is treated as starting at it, so the
   value never exceeds the purchase price.

:func:`accelerator_value_usd` reproduces 2-4 with the catalog's price and price date
(``anchor="acquisition"``, ``before_anchor="hold"``). Alternatives are arguments:
``anchor="release"`` treats the catalog price as the release price (what the issue text
describes); ``before_anchor="extrapolate"`` follows the trend backwards (the value before the
price was observed is higher); ``method="straight_line"`` (book value falling linearly to 0
over a lifetime, Epoch's helper: 5 years for hardware from 2023 on) and ``method="none"``
(the price, whatever the date).

Nominal or constant dollars
---------------------------
Values are in the dollars of the price (nominal). Epoch reports 2023 USD, converting with
the FRED producer price index for data processing, hosting and related services
(``PCU518210518210``), monthly, from the publication month; pass that index, or a CPI table,
to :func:`to_constant_usd`.

How ``as_of`` uses the electricity price
----------------------------------------
A chain given ``as_of`` pays the US industrial price of ``calendar_year(as_of)``
(``data/electricity_prices.csv``, 2015-2025; Epoch uses the publication year); a year outside
the table holds the nearest one (:func:`electricity_usd_per_kwh_at`).
"""

from __future__ import annotations

import math

import numpy as np

from scaling._validation import (
    as_float_array, as_numeric_array, check_choice, elementwise, like, require_columns,
)
from scaling.cost import (
    DEFAULT_ELECTRICITY_USD_PER_KWH, EPOCH_DEPRECIATION_OOM_PER_YEAR,
    EPOCH_SERVER_LIFETIME_YEARS, depreciated_value_usd, electricity_prices_usd_per_kwh,
)
from scaling.data import cached, load_table
from scaling.dates import as_year, calendar_year, nearest_year
from scaling.catalog import catalog_accelerator
from scaling.hardware import as_accelerator
from scaling.rental import rental_usd_per_hour_at
from scaling.units import DAYS_PER_YEAR

__all__ = [
    "ANCHORS",
    "BEFORE_ANCHOR",
    "DEFLATORS",
    "EPOCH_BASE_YEAR",
    "NOMINAL",
    "RELEASE_ESTIMATE_BASIS",
    "acquisition_price",
    "chain_prices",
    "check_dollars",
    "dollar_factor",
    "electricity_usd_per_kwh_at",
    "price_history",
    "price_index",
    "value_at",
    "EPOCH_ACQUISITION_LAG_YEARS",
    "EPOCH_PRICE_PERFORMANCE_OOM_PER_YEAR",
    "EPOCH_SERVER_LIFETIME_YEARS",
    "VALUATION_METHODS",
    "accelerator_value_usd",
    "hardware_value_usd",
    "to_constant_usd",
]

#: ML-GPU price-performance improves 0.14 orders of magnitude per year; Cottier et al. (2024)
#: depreciate hardware value at this rate (training-cost-trends ``cost_analysis_standalone.py``,
#: ``ML_GPU_PRICE_PERFORMANCE_OOMS_PER_YEAR``, citing Epoch's "Trends in machine learning
#: hardware"). The constant lives in :mod:`scaling.cost`
#: (:data:`~scaling.cost.EPOCH_DEPRECIATION_OOM_PER_YEAR`); this is its name on the time axis.
EPOCH_PRICE_PERFORMANCE_OOM_PER_YEAR = EPOCH_DEPRECIATION_OOM_PER_YEAR
#: A GPU is taken as acquired no earlier than 90 days after release (Cottier et al. 2024,
#: ``find_hardware_acquisition_price``: ``buffer_time = pd.Timedelta(days=90)``) [years].
EPOCH_ACQUISITION_LAG_YEARS = 90.0 / DAYS_PER_YEAR
# EPOCH_SERVER_LIFETIME_YEARS (5 years, Epoch's ``get_server_lifetime`` for hardware bought
# from 2023 on) is :data:`scaling.cost.EPOCH_SERVER_LIFETIME_YEARS`, re-exported here.
#: Valuation methods of :func:`hardware_value_usd`.
VALUATION_METHODS = ("price_performance", "straight_line", "none")
#: What the value is before the anchor date: Epoch's "hold" (the price) or "extrapolate".
BEFORE_ANCHOR = ("hold", "extrapolate")
#: Anchor dates of :func:`accelerator_value_usd`.
ANCHORS = ("acquisition", "release", "price_date")


# --------------------------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# valuation
# --------------------------------------------------------------------------------------------

@elementwise
def hardware_value_usd(price_usd, as_of, anchor, *, method="price_performance",
                       oom_per_year=EPOCH_PRICE_PERFORMANCE_OOM_PER_YEAR,
                       lifetime_years=EPOCH_SERVER_LIFETIME_YEARS, before_anchor="hold"):
    """Value at ``as_of`` of hardware whose price was ``price_usd`` at ``anchor`` [USD].

    Parameters
    ----------
    price_usd : float or array_like or Series
        Price at the anchor date [USD], > 0.
    as_of : date-like or array_like or Series
        When the hardware is valued (anything :func:`as_year` reads), e.g. a training start.
    anchor : date-like or array_like or Series
        When ``price_usd`` applied (acquisition date; see :func:`accelerator_value_usd`).
    method : {"price_performance", "straight_line", "none"}
        ``"price_performance"`` (default, Cottier et al. 2024): value falls at the rate
        hardware price-performance improves. ``"straight_line"``: book value falls linearly
        to zero over ``lifetime_years``. ``"none"``: the price whatever the date.
    oom_per_year : float or array_like
        Price-performance improvement [orders of magnitude per year], >= 0; default 0.14
        (Epoch, ML GPUs).
    lifetime_years : float or array_like
        Straight-line lifetime [years], > 0; default 5 (Epoch, hardware from 2023 on).
    before_anchor : {"hold", "extrapolate"}
        Value before the anchor date: ``"hold"`` (default, Epoch) keeps the price;
        ``"extrapolate"`` applies the same formula to the negative age (a higher value).

    Returns
    -------
    float or ndarray or Series
        Value [USD], in the dollars of ``price_usd`` (nominal; see :func:`to_constant_usd`).

    Notes
    -----
    With age :math:`a = t - t_0` (``as_of`` minus ``anchor``, years; clipped at 0 with
    ``"hold"``):

    .. math::
        V_{pp} = p\\,10^{-k a}, \\qquad V_{sl} = p\\,\\max(0,\\, 1 - a/L), \\qquad V_{none} = p

    Both depreciating forms are non-increasing in :math:`t`: a later ``as_of`` never makes
    the same hardware dearer. Cottier et al.'s amortised cost charges
    :math:`V(t_{start})\\,k\\ln 10` per year of use (:func:`scaling.cost.amortized_hardware_cost_usd`);
    under straight-line amortisation the yearly charge is the purchase price over the
    lifetime, not the book value.

    References
    ----------
    Cottier, Rahman, Fattorini, Maslej, Besiroglu & Owen (2024), "The rising costs of training
    frontier AI models", arXiv:2405.21015; ``depreciate_by_hardware_progress`` in
    github.com/epoch-research/training-cost-trends ``cost_analysis_standalone.py``.

    Examples
    --------
    >>> round(hardware_value_usd(33750.0, "2024-03-26", "2023-05-01"))
    25217
    """
    check_choice("method", method, VALUATION_METHODS)
    check_choice("before_anchor", before_anchor, BEFORE_ANCHOR)
    price = as_float_array("price_usd", price_usd)
    when = np.asarray(as_year(as_of, name="as_of"), dtype=float)
    start = np.asarray(as_year(anchor, name="anchor"), dtype=float)
    age = when - start
    if before_anchor == "hold":
        age = np.maximum(age, 0.0)
    if method == "price_performance":
        value = np.asarray(depreciated_value_usd(price, age, oom_per_year), dtype=float)
    elif method == "straight_line":
        life = as_float_array("lifetime_years", lifetime_years)
        value = price * np.maximum(1.0 - age / life, 0.0)
    else:
        value = np.broadcast_to(price, np.broadcast(price, age).shape).astype(float)
    return like(value, price_usd, as_of, anchor)


def _anchor_year(chip, anchor: str) -> float:
    """Anchor date of a catalog accelerator's price, as a decimal year."""
    release = chip.release_year
    if anchor == "release":
        return release
    if not chip.price_date:
        # No dated price (the TPU-equivalent estimates): Epoch takes TPUs as acquired at release.
        if anchor == "price_date":
            raise ValueError(f"{chip.name} has no price_date in the catalog; use "
                             f"anchor='acquisition' or 'release'")
        return release
    priced = float(as_year(chip.price_date, name=f"{chip.name} price_date"))
    if anchor == "price_date":
        return priced
    return max(priced, release + EPOCH_ACQUISITION_LAG_YEARS)


def accelerator_value_usd(accelerator, as_of, *, anchor="acquisition",
                          method="price_performance",
                          oom_per_year=EPOCH_PRICE_PERFORMANCE_OOM_PER_YEAR,
                          lifetime_years=EPOCH_SERVER_LIFETIME_YEARS, before_anchor="hold",
                          price_usd=None):
    """Value of one catalog accelerator at ``as_of`` [USD per accelerator].

    Parameters
    ----------
    accelerator : Accelerator or str
        Chip or catalog name.
    as_of : date-like or array_like or Series
        When it is valued (e.g. the training start).
    anchor : {"acquisition", "release", "price_date"}
        Date the price applies at. ``"acquisition"`` (default, Cottier et al. 2024): the
        catalog ``price_date``, but no earlier than release + 90 days; the release date when
        the price has no date (Epoch's TPU-equivalent prices). ``"release"``: the price is
        taken as the release price. ``"price_date"``: the price's own date.
    method, oom_per_year, lifetime_years, before_anchor
        As in :func:`hardware_value_usd`.
    price_usd : float or None
        Override of the catalog price [USD].

    Returns
    -------
    float or ndarray or Series
        Value per accelerator [USD], on the catalog price's basis: a chip price when
        ``price_includes_server`` is False (the chain adds the server overhead), a
        per-accelerator server share otherwise.

    Raises
    ------
    ValueError
        No catalog price and no ``price_usd``; unknown ``anchor``/``method``.

    Examples
    --------
    >>> round(accelerator_value_usd("H100-SXM", "2024-03-26"))  # Llama 3.1 405B start, Epoch rule
    25217
    """
    check_choice("anchor", anchor, ANCHORS)
    chip = as_accelerator(accelerator)
    price = chip.price_usd if price_usd is None else price_usd
    if price is None or (isinstance(price, float) and math.isnan(price)):
        raise ValueError(f"{chip.name} has no purchase price in the catalog; pass price_usd=")
    return hardware_value_usd(price, as_of, _anchor_year(chip, anchor), method=method,
                              oom_per_year=oom_per_year, lifetime_years=lifetime_years,
                              before_anchor=before_anchor)


# --------------------------------------------------------------------------------------------
# constant dollars
# --------------------------------------------------------------------------------------------

def _index_series(price_index, index_column: str):
    """A price index as a float Series indexed by integer calendar year."""
    import pandas as pd

    if isinstance(price_index, pd.Series):
        series = price_index
    elif isinstance(price_index, pd.DataFrame):
        require_columns(price_index, ["year"], "to_constant_usd")
        check_choice("index_column", index_column,
                     [str(c) for c in price_index.columns if c != "year"])
        series = price_index.set_index("year")[index_column]
    else:
        raise ValueError("price_index must be a DataFrame with columns 'year' and "
                         f"{index_column!r}, or a Series indexed by year; got "
                         f"{type(price_index).__name__}")
    years = np.asarray(series.index, dtype=float)
    if np.any(years != np.floor(years)):
        raise ValueError("price_index years must be whole calendar years (annual averages)")
    values = as_float_array(f"price_index {index_column}", series.to_numpy())
    out = pd.Series(values, index=years.astype(int))
    if out.index.has_duplicates:
        dupes = sorted(set(out.index[out.index.duplicated()]))
        raise ValueError(f"price_index has more than one value for year(s) {dupes}")
    return out


@elementwise
def to_constant_usd(value_usd, year, base_year, price_index, *, index_column="cpi"):
    """Nominal dollars of ``year`` in dollars of ``base_year`` [USD of base_year].

    Parameters
    ----------
    value_usd : float or array_like or Series
        Amount in dollars of ``year`` (may be 0 or negative, e.g. a difference).
    year : date-like or array_like or Series
        When the amount was paid; its calendar year's index value is used.
    base_year : int or date-like
        Year whose dollars to express the amount in (Epoch: 2023).
    price_index : pandas.DataFrame or pandas.Series
        Annual price index: a DataFrame with columns ``year`` (int) and ``index_column``, or
        a Series indexed by year. The data helper's ``data/cpi_us.csv`` (CPI-U annual
        averages) fits; Epoch's deflator is the PPI for data processing and hosting
        (FRED ``PCU518210518210``).
    index_column : str
        Name of the index column of a DataFrame; default ``"cpi"``.

    Returns
    -------
    float or ndarray or Series
        Amount in ``base_year`` dollars.

    Raises
    ------
    ValueError
        A year (or the base year) the table lacks (the message gives the available range),
        missing columns, or non-positive index values.

    Notes
    -----
    .. math:: v_{base} = v \\cdot I(Y_{base}) / I(Y)

    with :math:`I` the annual index and :math:`Y` the calendar year of ``year``. No
    extrapolation: a forecast year beyond the table is refused; pass ``base_year`` equal to
    the latest year in the table to stay in real dollars of that year.
    """
    series = _index_series(price_index, index_column)
    amount = as_numeric_array("value_usd", value_usd)
    years = np.asarray(calendar_year(year, name="year"), dtype=int)
    base = int(np.asarray(calendar_year(base_year, name="base_year")))
    available = set(int(y) for y in series.index)
    missing = sorted((set(int(y) for y in years.ravel()) | {base}) - available)
    if missing:
        raise ValueError(f"price_index has no value for year(s) {missing}; "
                         f"available: {min(available)}-{max(available)}")
    index_at = series.reindex(years.ravel()).to_numpy().reshape(years.shape)
    factor = float(series.loc[base]) / index_at
    return like(amount * factor, value_usd, year)


# --------------------------------------------------------------------------------------------
# the chain's prices at a date (Assumptions.as_of)
# --------------------------------------------------------------------------------------------

#: Basis of a row of ``data/accelerator_prices.csv`` whose date is the chip's release and whose
#: acquisition is the release itself (Epoch's "TPU-equivalent" release prices).
RELEASE_ESTIMATE_BASIS = "release_estimate"
#: ``Assumptions.dollars`` for nominal dollars (the default).
NOMINAL = "nominal"
#: Price indices for constant dollars: ``"ppi"`` (FRED PCU518210518210, producer price index
#: for data processing and hosting, the deflator Epoch uses: ``data/ppi_data_processing.csv``)
#: or ``"cpi"`` (BLS CPI-U: ``data/cpi_us.csv``).
DEFLATORS = ("ppi", "cpi")
#: Epoch AI reports training costs in 2023 USD (Cottier et al. 2024, arXiv:2405.21015).
EPOCH_BASE_YEAR = 2023
_INDEX_TABLES = {"ppi": ("ppi_data_processing", "ppi_index"), "cpi": ("cpi_us", "cpi_u_index")}


@cached
def price_history():
    """Dated purchase prices of catalog accelerators (``data/accelerator_prices.csv``).

    Returns
    -------
    pandas.DataFrame
        ``accelerator``, ``family`` (Epoch's alias: prices of one family apply to all its
        variants), ``date``, ``year`` (decimal), ``price_usd`` [USD per accelerator],
        ``includes_server`` (a per-accelerator share of a complete server, e.g. DGX),
        ``basis`` (``server_share``, ``single_unit``, ``release_estimate``), ``source``,
        ``notes``; in table order within each date.
    """
    frame = load_table("accelerator_prices")
    flags = frame["includes_server"].astype(str).str.strip().str.lower()
    if not flags.isin(["true", "false"]).all():
        raise ValueError("accelerator_prices.csv column includes_server must hold True/False")
    frame["includes_server"] = flags == "true"
    frame["price_usd"] = as_float_array("accelerator_prices.csv price_usd",
                                        frame["price_usd"].to_numpy())
    frame["year"] = [float(as_year(day, name=f"accelerator_prices.csv date of {name}"))
                     for name, day in zip(frame["accelerator"], frame["date"])]
    return frame.sort_values("year", kind="stable").reset_index(drop=True)


def acquisition_price(accelerator) -> dict:
    """The purchase price Cottier et al. value an accelerator from, and when it was acquired.

    Parameters
    ----------
    accelerator : Accelerator or str

    Returns
    -------
    dict
        ``price_usd`` [USD per accelerator], ``includes_server`` (bool), ``acquisition_year``
        (decimal), ``price_date`` (str), ``basis`` and ``source``.

    Notes
    -----
    Cottier et al.'s rule (``find_hardware_acquisition_price`` in Epoch's
    training-cost-trends): among the dated prices of the chip's family
    (:func:`price_history`), the **earliest price of a complete server** (a DGX share), else
    the earliest price; acquired at that price's date but no earlier than release + 90 days.
    A ``release_estimate`` price (Epoch's TPU-equivalent prices) is acquired at release. A
    catalog chip whose ``price_usd`` was changed (``dataclasses.replace``, a sensitivity)
    scales the dated price by the same ratio. A chip without dated prices (or with a price
    where the catalog has none) falls back to its own price and ``price_date``
    (:func:`accelerator_value_usd`'s ``"acquisition"`` anchor), e.g. a typical accelerator of
    a future year (:func:`scaling.trends.typical_accelerator`).

    Raises
    ------
    ValueError
        No dated price and no catalog price.

    Examples
    --------
    >>> row = acquisition_price("A100-SXM4-80GB")  # the A100 family's 2020 DGX A100 price
    >>> row["price_usd"], row["includes_server"], round(row["acquisition_year"], 2)
    (24875.0, True, 2021.12)
    """
    return dict(_acquisition(as_accelerator(accelerator)))


@cached
def _acquisition(chip) -> dict:
    table = price_history()
    own = table[table["accelerator"] == chip.name]
    scale = _price_scale(chip) if not own.empty else None
    if scale is None:
        price = chip.price_usd
        if price is None or math.isnan(price):
            raise ValueError(f"{chip.name} has no purchase price in the catalog or in "
                             "data/accelerator_prices.csv; set price_usd on the Accelerator")
        return {"price_usd": float(price), "includes_server": bool(chip.price_includes_server),
                "acquisition_year": _anchor_year(chip, "acquisition"),
                "price_date": chip.price_date, "basis": "catalog",
                "source": "data/accelerators.csv price_usd and price_date"}
    if (own["basis"] == RELEASE_ESTIMATE_BASIS).any():
        row = own[own["basis"] == RELEASE_ESTIMATE_BASIS].iloc[0]
        acquired = chip.release_year
    else:
        family = table[table["family"] == own["family"].iloc[0]]
        servers = family[family["includes_server"]]
        row = (servers if not servers.empty else family).iloc[0]
        acquired = max(float(row["year"]), chip.release_year + EPOCH_ACQUISITION_LAG_YEARS)
    return {"price_usd": float(row["price_usd"]) * scale,
            "includes_server": bool(row["includes_server"]),
            "acquisition_year": float(acquired), "price_date": str(row["date"]),
            "basis": str(row["basis"]), "source": str(row["source"])}


def _price_scale(chip):
    """Factor on the dated prices for a chip whose price was changed from its catalog entry
    (1 for the catalog chip; None when the chip's own price should be used instead)."""
    try:
        catalog = catalog_accelerator(chip.name)
    except ValueError:
        return None
    mine, theirs = chip.price_usd, catalog.price_usd
    if math.isnan(mine) and math.isnan(theirs):
        return 1.0
    if math.isnan(mine) or math.isnan(theirs):
        return None
    return mine / theirs


def value_at(accelerator, as_of, *, method="price_performance",
             oom_per_year=EPOCH_PRICE_PERFORMANCE_OOM_PER_YEAR,
             lifetime_years=EPOCH_SERVER_LIFETIME_YEARS):
    """Value of one accelerator at ``as_of`` by Cottier et al.'s rule [USD per accelerator].

    Parameters
    ----------
    accelerator : Accelerator or str
    as_of : date-like
        When it is valued (a training start).
    method, oom_per_year, lifetime_years
        As in :func:`hardware_value_usd` (value held at the price before acquisition).

    Returns
    -------
    tuple of (float, bool)
        The value and whether it includes the server (then no server overhead is added).

    Notes
    -----
    :math:`V = p\\,10^{-k\\,\\max(0,\\,t - t_{acq})}` with :math:`(p, t_{acq})` from
    :func:`acquisition_price`.

    Examples
    --------
    >>> value, server = value_at("H100-SXM", "2024-03-05")  # Llama 3.1 405B's start
    >>> round(value), server
    (30106, True)
    """
    bought = acquisition_price(accelerator)
    value = hardware_value_usd(bought["price_usd"], as_of, bought["acquisition_year"],
                               method=method, oom_per_year=oom_per_year,
                               lifetime_years=lifetime_years)
    return float(value), bought["includes_server"]


@cached
def _index_table(deflator):
    name, column = _INDEX_TABLES[deflator]
    table = load_table(name)
    return {int(y): float(v) for y, v in zip(table["year"], table[column])}


def price_index(deflator: str = "ppi"):
    """Annual price index of a deflator (:data:`DEFLATORS`) as ``{year: value}``."""
    check_choice("deflator", deflator, DEFLATORS)
    return dict(_index_table(deflator))


def check_dollars(dollars, deflator: str = "ppi"):
    """``"nominal"`` or a base year the deflator's table holds (an int), else a ValueError."""
    check_choice("deflator", deflator, DEFLATORS)
    if isinstance(dollars, str) and dollars == NOMINAL:
        return dollars
    years = _index_table(deflator)
    if (isinstance(dollars, (bool, np.bool_)) or not isinstance(dollars, (int, np.integer))
            or int(dollars) not in years):
        raise ValueError(
            f"dollars must be 'nominal' or a base year for constant dollars between "
            f"{min(years)} and {max(years)} (the {deflator} table; Epoch reports 2023 USD), "
            f"got {dollars!r}")
    return int(dollars)


def dollar_factor(as_of, dollars=NOMINAL, deflator: str = "ppi") -> float:
    """Multiplier from nominal dollars of ``as_of``'s year to the requested dollars.

    Parameters
    ----------
    as_of : date-like or None
        The year whose dollars the chain's prices are in (the run's date).
    dollars : "nominal" or int
        ``"nominal"`` (factor 1) or a base year for constant dollars.
    deflator : {"ppi", "cpi"}
        Price index (:data:`DEFLATORS`).

    Returns
    -------
    float

    Notes
    -----
    .. math:: f = I(Y_{base}) / I(Y_{as\\_of})

    A year outside the index table holds the nearest year the table has (no inflation is
    assumed beyond its last year, 2025). Epoch converts from the publication month with the
    monthly PPI; annual averages are used here.

    Raises
    ------
    ValueError
        Constant dollars without ``as_of``; an unknown deflator or base year.
    """
    dollars = check_dollars(dollars, deflator)
    if dollars == NOMINAL:
        return 1.0
    if as_of is None:
        raise ValueError(f"dollars={dollars} (constant dollars) needs as_of: the date whose "
                         "dollars the prices are in; set Assumptions(as_of=...)")
    table = _index_table(deflator)
    year = nearest_year(table, int(calendar_year(as_of)))
    return table[dollars] / table[year]


def electricity_usd_per_kwh_at(as_of) -> float:
    """US average industrial electricity price of ``as_of``'s calendar year [USD/kWh].

    ``data/electricity_prices.csv`` (EIA via Epoch) covers 2015-2025; a year outside it holds
    the nearest year the table has (a 2030 forecast pays 2025's price).
    """
    prices = electricity_prices_usd_per_kwh()
    return prices[nearest_year(prices, int(calendar_year(as_of)))]


def chain_prices(accelerator, assumptions) -> dict:
    """The price inputs of the forecast chain at ``assumptions.as_of`` (used by
    :func:`scaling.chain.chain_inputs`).

    Parameters
    ----------
    accelerator : Accelerator
    assumptions : Assumptions
        Reads ``as_of``, ``valuation``, ``dollars``, ``deflator`` and ``prices``.

    Returns
    -------
    dict
        ``price_usd``, ``price_includes_server``, ``electricity_usd_per_kwh``,
        ``facility_capex_usd_per_w``, ``on_demand_usd_per_hour`` (before any committed-use
        discount; NaN without a price) and ``rental_usd_per_hour`` (the price paid, after the
        discount of ``prices.rental_discount``).

    Notes
    -----
    A value the user gave (``prices.accelerator_price_usd``, ``electricity_usd_per_kwh``,
    ``rental_usd_per_hour``) is returned as given, whatever the date and the dollars. Otherwise
    ``as_of=None`` gives the catalog price, 2025's electricity price, the catalog's reference
    rental price, nominal dollars. With ``as_of``:

    * hardware is valued at that date from its acquisition price by ``valuation``
      (:func:`value_at`; ``"price_performance"``, Cottier et al.'s default, at the
      assumptions' depreciation rate :math:`r/\\ln 10` orders of magnitude per year;
      ``"straight_line"`` over ``lifetime_years``; ``"none"``: the acquisition price);
    * electricity is the US industrial price of the year (:func:`electricity_usd_per_kwh_at`);
    * rental is the reference provider's on-demand price at the date, moved by the fitted
      decline beyond its last quote (:func:`scaling.rental.rental_usd_per_hour_at`);
    * every dollar input is multiplied by :func:`dollar_factor` (1 for nominal dollars).
    """
    dated = _dated_prices(accelerator, assumptions)
    prices = assumptions.prices
    given = {"price_usd": prices.accelerator_price_usd,
             "electricity_usd_per_kwh": prices.electricity_usd_per_kwh,
             "rental_usd_per_hour": prices.rental_usd_per_hour}
    on_demand = dated["on_demand_usd_per_hour"]
    dated["rental_usd_per_hour"] = (math.nan if math.isnan(on_demand)
                                    else float(prices.discounted_usd_per_hour(on_demand)))
    dated.update({name: float(value) for name, value in given.items() if value is not None})
    return dated


def _dated_prices(accelerator, a) -> dict:
    """The catalog's prices at ``a.as_of`` in the assumptions' dollars (no explicit value)."""
    prices = a.prices
    if a.as_of is None:
        dollar_factor(None, a.dollars, a.deflator)  # refuses constant dollars without a date
        return {"price_usd": accelerator.price_usd,
                "price_includes_server": accelerator.price_includes_server,
                "electricity_usd_per_kwh": DEFAULT_ELECTRICITY_USD_PER_KWH,
                "facility_capex_usd_per_w": prices.facility_capex_usd_per_w,
                "on_demand_usd_per_hour": accelerator.rental_usd_per_hour}
    factor = dollar_factor(a.as_of, a.dollars, a.deflator)
    try:
        value, server = value_at(accelerator, a.as_of, method=a.valuation,
                                 oom_per_year=prices.depreciation_rate_per_year / math.log(10.0),
                                 lifetime_years=prices.lifetime_years)
    except ValueError:
        if not math.isnan(accelerator.price_usd):
            raise
        value, server = math.nan, accelerator.price_includes_server  # no price anywhere
    rental = accelerator.rental_usd_per_hour
    if not math.isnan(rental):
        dated = rental_usd_per_hour_at(accelerator, a.as_of)
        rental = rental if math.isnan(dated) else dated
    return {"price_usd": value * factor, "price_includes_server": server,
            "electricity_usd_per_kwh": electricity_usd_per_kwh_at(a.as_of) * factor,
            "facility_capex_usd_per_w": prices.facility_capex_usd_per_w * factor,
            "on_demand_usd_per_hour": rental * factor}
