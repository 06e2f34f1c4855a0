"""Unit conversion constants shared by every module of :mod:`scaling`.

These are definitions, not assumptions: each constant states how it is defined. The year is
the mean Julian year (365.25 days = 8,766 hours), the convention of Epoch AI's cost code
(``training-cost-trends``, ``cost_analysis_standalone.py``), and a month is one twelfth of it.

It also holds the one table of units by name (:data:`UNIT_SUFFIXES`, :data:`NAMED_UNITS`,
:func:`unit_of`): the unit of a quantity is read from the suffix of its name (the glossary of
the README), by results' summaries, the command line's column headers and the charts' axes.

Import the names you need, e.g. ``from scaling.units import SECONDS_PER_DAY``. This module
imports nothing from :mod:`scaling`, so every module can depend on it.
"""

from __future__ import annotations

__all__ = [
    "SECONDS_PER_MINUTE",
    "SECONDS_PER_HOUR",
    "HOURS_PER_DAY",
    "SECONDS_PER_DAY",
    "DAYS_PER_YEAR",
    "HOURS_PER_YEAR",
    "SECONDS_PER_YEAR",
    "SECONDS_PER_MONTH",
    "W_PER_KW",
    "J_PER_KWH",
    "J_PER_MWH",
    "M2_PER_SQUARE_FOOT",
    "BITS_PER_BYTE",
    "BYTES_PER_GB",
    "BYTES_PER_TB",
    "GRAMS_PER_TONNE",
    "FLOP_PER_PARAM_PER_TOKEN",
]

#: Seconds per minute: 60 s.
SECONDS_PER_MINUTE = 60.0
#: Seconds per hour: 60 s x 60 min = 3,600 s.
SECONDS_PER_HOUR = 60.0 * SECONDS_PER_MINUTE
#: Hours per day: 24 h.
HOURS_PER_DAY = 24.0
#: Seconds per day: 24 h x 3,600 s = 86,400 s.
SECONDS_PER_DAY = HOURS_PER_DAY * SECONDS_PER_HOUR
#: Days per mean Julian year: 365.25 d.
DAYS_PER_YEAR = 365.25
#: Hours per mean Julian year: 365.25 d x 24 h = 8,766 h (the year Epoch AI's cost code uses).
HOURS_PER_YEAR = DAYS_PER_YEAR * HOURS_PER_DAY
#: Seconds per mean Julian year: 8,766 h x 3,600 s = 31,557,600 s.
SECONDS_PER_YEAR = HOURS_PER_YEAR * SECONDS_PER_HOUR
#: Seconds per month: one twelfth of the Julian year, 31,557,600 s / 12 = 2,629,800 s.
SECONDS_PER_MONTH = SECONDS_PER_YEAR / 12.0
#: Watts per kilowatt: 1 kW = 1,000 W.
W_PER_KW = 1e3
#: Joules per kilowatt-hour: 1,000 W x 3,600 s = 3.6e6 J.
J_PER_KWH = W_PER_KW * SECONDS_PER_HOUR
#: Joules per megawatt-hour: 1e6 W x 3,600 s = 3.6e9 J.
J_PER_MWH = 1e3 * J_PER_KWH
#: Square metres per international square foot: (0.3048 m)^2 = 0.09290304 m^2 (exact).
M2_PER_SQUARE_FOOT = 0.09290304
#: Bits per byte: 8 (network links are quoted in bit/s, e.g. 400 Gb/s = 5e10 byte/s).
BITS_PER_BYTE = 8.0
#: Bytes per (decimal, SI) gigabyte: 1e9, the unit of vendors' memory and bandwidth figures.
BYTES_PER_GB = 1e9
#: Bytes per (decimal, SI) terabyte: 1e12 (storage bandwidth "2 TB/s" = 2e12 byte/s).
BYTES_PER_TB = 1e12
#: Grams per metric tonne: 1 t = 1e6 g (emissions in tCO2e from intensities in gCO2e/kWh).
GRAMS_PER_TONNE = 1e6
#: Training FLOP per parameter per token: 2 for the forward pass (one multiply-accumulate per
#: parameter) plus 4 for the backward pass, the convention C = 6 N D. Kaplan et al. (2020)
#: Sec. 2.1 and Table 1; Hoffmann et al. (2022) App. F. Re-exported by :mod:`scaling.laws`.
FLOP_PER_PARAM_PER_TOKEN = 6.0


#: Unit of a quantity from the suffix of its name, longest suffixes first:
#: ``(suffix, unit, display)``. ``display`` tells the command line how to print a column:
#: ``"si"`` and ``"money"`` take the prefix that keeps its largest value under 10,000
#: (2,250 TFLOP/s, 116 M USD), ``"scientific"`` prints 3.8e+25, ``"number"`` three figures.
UNIT_SUFFIXES = (
    ("_flop_per_s_per_usd", "FLOP/s/USD", "scientific"),
    ("_flop_per_s_per_w", "FLOP/s/W", "scientific"),
    ("_usd_per_kw_month", "USD/(kW month)", "number"),
    ("_per_accelerator_hour", "1/(accelerator h)", "scientific"),
    ("_byte_per_s", "byte/s", "si"),
    ("_flop_per_s", "FLOP/s", "si"),
    ("_usd_per_hour", "USD/h", "number"),
    ("_usd_per_kwh", "USD/kWh", "number"),
    ("_usd_per_w", "USD/W", "number"),
    ("_tco2e", "tCO2e", "number"),
    ("_g_per_kwh", "gCO2e/kWh", "number"),
    ("_flop", "FLOP", "scientific"),
    ("_bytes", "bytes", "si"),
    ("_usd", "USD", "money"),
    ("_mwh", "MWh", "number"),
    ("_kwh", "kWh", "number"),
    ("_days", "days", "number"),
    ("_hours", "accelerator-hours", "number"),
    ("_years", "years", "number"),
    ("_m2", "m^2", "number"),
    ("_w", "W", "si"),
    ("_j", "J", "scientific"),
    ("_s", "s", "number"),
)

#: Units of names without a unit suffix.
NAMED_UNITS = {
    "n_params": "parameters", "n_tokens": "tokens", "loss": "nats/token",
    "tokens_per_param": "tokens/parameter", "mfu": "fraction", "step_mfu": "fraction",
    "goodput": "fraction", "pue": "ratio", "accelerator_hours": "accelerator-hours",
}


def display_of(name: str) -> tuple:
    """``(unit, display)`` of a quantity from its name (:data:`UNIT_SUFFIXES`); ``("count",
    "number")`` for ``n_...`` names and ``("", "")`` for names without a unit convention."""
    if name in NAMED_UNITS:
        return NAMED_UNITS[name], "number"
    for suffix, unit, display in UNIT_SUFFIXES:
        if name.endswith(suffix):
            return unit, display
    if name.startswith("n_"):
        return "count", "number"
    return "", ""


def unit_of(name: str) -> str:
    """Unit of a quantity from its name (``"time_s"`` -> ``"s"``; ``"n_racks"`` -> ``"count"``).

    Returns ``""`` for names without a unit convention (labels, ratios without a suffix).

    Examples
    --------
    >>> unit_of("memory_bandwidth_byte_per_s"), unit_of("amortized_cost_usd")
    ('byte/s', 'USD')
    """
    return display_of(name)[0]
