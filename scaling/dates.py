"""Dates as decimal years: the one time coordinate of :mod:`scaling`.

:func:`as_year` turns what a user means by "when" (a decimal year such as 2024.5, a
``datetime.date``, an ISO string ``"2024-06-15"``, ``"2024-06"`` or ``"2024"``, a
``numpy.datetime64`` or ``pandas.Timestamp``, or an array/Series of those) into a decimal year;
:func:`calendar_year` gives the calendar year that annual tables (electricity prices, CPI, grid
carbon intensity) are keyed by, :func:`nearest_year_index` the row of such a table to use, and
:func:`year_to_date` turns a decimal year back into a date. A base module (it imports only
:mod:`scaling.units` and :mod:`scaling._validation`), so the hardware trends and the dated
prices can both read dates.

Dates in range (issue 16): :func:`dated_year` reads the date a run happens
(``Assumptions.as_of``) and refuses one before :data:`FIRST_DATA_YEAR`, the first year of the
dated data; :func:`check_in_range` refuses years before a trend's first data and, like
:func:`dated_year`, issues an :class:`~scaling.errors.ExtrapolationWarning` for a year after
:data:`HORIZON_YEAR`, the trends' horizon (:data:`LAST_DATA_YEAR` plus
:data:`EXTRAPOLATION_SPAN_YEARS`). A year after :data:`YEAR_RANGE`'s end is refused as no date.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import sys
import warnings
from datetime import date, datetime

import numpy as np

from scaling._validation import like
from scaling.errors import ExtrapolationWarning
from scaling.units import DAYS_PER_YEAR

__all__ = [
    "EXTRAPOLATION_SPAN_YEARS", "FIRST_DATA_YEAR", "HORIZON_YEAR", "LAST_DATA_YEAR",
    "YEAR_RANGE", "as_year", "calendar_year", "check_in_range", "dated_year", "nearest_year",
    "nearest_year_index", "year_to_date",
]

#: Decimal years :func:`as_year` accepts (a guard against e.g. a price passed as a date); the
#: end, 2200, is also where a date beyond the horizon stops being warned about and is refused.
YEAR_RANGE = (1950.0, 2200.0)
#: First calendar year of the data a dated run reads: the US industrial electricity prices
#: (``data/electricity_prices.csv``), the PPI and CPI deflators
#: (``data/ppi_data_processing.csv``, ``data/cpi_us.csv``) all start in 2015, and the
#: catalog's first accelerator (V100, 2018) and dated price (2017) come later. An earlier
#: ``as_of`` is refused (``tests/test_dates_in_range.py`` keeps this equal to the tables).
FIRST_DATA_YEAR = 2015
#: Last calendar year of that data: the three tables end in 2025, as do the catalog's releases
#: and dated prices (``tests/test_dates_in_range.py`` keeps this equal to the tables).
LAST_DATA_YEAR = 2025
#: How far past :data:`LAST_DATA_YEAR` the trends are carried before a date warns [years]: no
#: further ahead than the records behind the extrapolated trends reach back
#: (``data/published_trends.csv``: the ML-GPU price-performance rate the hardware value falls
#: at, ``ml_hardware_value_depreciation``, is fitted on 2008-2023, 15 years; the frontier
#: training compute trend on 2010-2024; GPU price-performance on 2006-2021).
EXTRAPOLATION_SPAN_YEARS = 15
#: The trends' horizon: a date after the end of this calendar year (2040) warns
#: (:class:`~scaling.errors.ExtrapolationWarning`); also the last year of the typical
#: accelerator (:data:`scaling.trends.MAX_TREND_YEAR`).
HORIZON_YEAR = LAST_DATA_YEAR + EXTRAPOLATION_SPAN_YEARS
#: What :data:`FIRST_DATA_YEAR` is the first year of, for messages.
_DATED_DATA = "the electricity price, PPI and CPI tables start then"
#: Frames skipped when a warning looks for the user's line: the package's own, the generated
#: ``__init__`` of a dataclass and :mod:`dataclasses` (``dataclasses.replace``).
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_INTERNAL_FILES = ("<string>", os.path.abspath(dataclasses.__file__))
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR_ONLY = re.compile(r"^\d{4}$")
_FORMS = ("a decimal year such as 2024.5, a datetime.date, or an ISO date string "
          "'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'")


def _date_to_year(day: date) -> float:
    """Decimal year of a date or datetime (same convention as ``Accelerator.release_year``)."""
    fraction = 0.0
    if isinstance(day, datetime):
        fraction = (day.hour * 3600 + day.minute * 60 + day.second
                    + day.microsecond / 1e6) / 86400.0
    return day.year + (day.timetuple().tm_yday - 1 + fraction) / DAYS_PER_YEAR


def _one_year(name: str, value, *, low: float = YEAR_RANGE[0], why: str = "") -> float:
    """Decimal year of one scalar input, or a ValueError naming the argument (a year before
    ``low`` or after :data:`YEAR_RANGE` is refused, ``why`` saying why)."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be {_FORMS}; got the boolean {value!r}")
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise ValueError(f"{name} must be {_FORMS}; got NaT (a missing date)")
        value = value.astype("datetime64[us]").item()
        if isinstance(value, int):  # out of datetime's range
            raise ValueError(f"{name}: date {value!r} is out of range")
    if isinstance(value, (date, datetime)):
        pd = sys.modules.get("pandas")
        if pd is not None and value is pd.NaT:
            raise ValueError(f"{name} must be {_FORMS}; got NaT (a missing date)")
        year = _date_to_year(value)
    elif isinstance(value, str):
        text = value.strip()
        year = None
        if _NUMBER.match(text):
            year = float(text)
        elif _YEAR_ONLY.match(text):
            year = float(text)
        else:
            month_match = _YEAR_MONTH.match(text)
            try:
                if month_match:
                    year = _date_to_year(date(int(month_match.group(1)),
                                              int(month_match.group(2)), 1))
                elif "T" in text or " " in text:
                    year = _date_to_year(datetime.fromisoformat(text))
                else:
                    year = _date_to_year(date.fromisoformat(text))
            except ValueError as exc:
                # a date out of range says why ("month must be in 1..12"); text that is no
                # date at all gets the allowed forms only (not Python's "Invalid isoformat")
                why = "" if "isoformat" in str(exc) else f" ({exc})"
                raise ValueError(f"{name} must be {_FORMS}; could not read {value!r} as a "
                                 f"date{why}") from None
    elif isinstance(value, (int, float, np.integer, np.floating)):
        year = float(value)
        if math.isnan(year):
            raise ValueError(f"{name} must be {_FORMS}; got NaN")
    elif value is None:
        raise ValueError(f"{name} must be {_FORMS}; got None")
    else:
        raise ValueError(f"{name} must be {_FORMS}; got {type(value).__name__} {value!r}")
    high = YEAR_RANGE[1]
    if not (low <= year <= high):
        raise ValueError(f"{name} must be a date between {low:g} and {high:g}{why}; got "
                         f"{value!r} (read as year {year:g})")
    return year


def as_year(value, *, name: str = "as_of"):
    """A date as a decimal year (e.g. 2024-07-01 -> 2024.496).

    Parameters
    ----------
    value : float, int, str, datetime.date, datetime.datetime, numpy.datetime64, pandas.Timestamp, or an array/list/Series of those
        A decimal year (2024.5) is returned as is; an integer year (2024) means 1 January
        (2024.0). ISO strings: ``"2024-06-15"``, ``"2024-06-15T12:00"``, ``"2024-06"`` (the
        first of the month), ``"2024"`` (1 January) or a number (``"2024.5"``).
    name : str
        Argument name used in error messages.

    Returns
    -------
    float or ndarray or Series
        Decimal year(s): a float for a scalar, an ndarray for an array or list, a Series (same
        index) for a Series.

    Raises
    ------
    ValueError
        Unreadable input, a missing value (None, NaN, NaT) or a year outside
        :data:`YEAR_RANGE`; the message names the argument and the allowed forms.

    Notes
    -----
    .. math:: y = Y + (d - 1 + h/24) / 365.25

    with :math:`Y` the calendar year, :math:`d` the day of the year and :math:`h` the hour:
    the convention of ``Accelerator.release_year`` (the mean Julian year of
    :mod:`scaling.units`), so 31 December lands just below the next integer.

    Examples
    --------
    >>> as_year("2024-07-01")
    2024.498288843258
    >>> as_year(2030)
    2030.0
    """
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(value, pd.Series):
        years = np.array([_one_year(name, v) for v in value.tolist()], dtype=float)
        return pd.Series(years, index=value.index, name=value.name)
    if isinstance(value, (list, tuple, np.ndarray)):
        items = np.asarray(value, dtype=object)
        years = np.array([_one_year(name, v) for v in items.ravel()], dtype=float)
        return years.reshape(items.shape)
    if pd is not None and isinstance(value, (pd.Index, pd.DatetimeIndex)):
        return np.array([_one_year(name, v) for v in value.tolist()], dtype=float)
    return _one_year(name, value)


def calendar_year(value, *, name: str = "as_of"):
    """The calendar year of a date (``floor(as_year(value))``), as int(s).

    For tables keyed by calendar year: electricity prices
    (:func:`scaling.cost.electricity_price_usd_per_kwh`), CPI, grid carbon intensity.
    """
    years = np.floor(np.asarray(as_year(value, name=name), dtype=float)).astype(int)
    return like(years, value)


def year_to_date(year) -> date:
    """The date of a decimal year (inverse of :func:`as_year`, to the day).

    Parameters
    ----------
    year : float
        Decimal year, e.g. 2030.5.

    Returns
    -------
    datetime.date
    """
    value = _one_year("year", year)
    whole = int(math.floor(value))
    days = int(round((value - whole) * DAYS_PER_YEAR))
    last = (date(whole, 12, 31) - date(whole, 1, 1)).days
    return date.fromordinal(date(whole, 1, 1).toordinal() + min(days, last))


def nearest_year_index(available, wanted):
    """Index into ascending ``available`` years of the year nearest to each ``wanted`` year.

    Ties go to the earlier year; a year beyond the table takes its end. The one rule by which
    annual tables (electricity prices, price indices, grid carbon intensity) answer for a year
    they lack.

    Parameters
    ----------
    available : array_like
        Years of the table, ascending.
    wanted : float or array_like
        Years asked for.

    Returns
    -------
    int or ndarray of int
        Same shape as ``wanted``.
    """
    available = np.asarray(available, dtype=float)
    wanted = np.asarray(wanted, dtype=float)
    gap = np.abs(available[None, :] - wanted.ravel()[:, None])
    index = np.argmin(gap, axis=1).reshape(wanted.shape)  # argmin takes the first (earlier)
    return int(index) if index.ndim == 0 else index


def nearest_year(years, wanted: int) -> int:
    """The year of ``years`` nearest to ``wanted`` (:func:`nearest_year_index`)."""
    years = sorted(int(y) for y in years)
    return years[nearest_year_index(years, wanted)]


def _user_stacklevel() -> int:
    """``stacklevel`` of :func:`warnings.warn`, called from this module's caller, that points
    at the first frame outside the package (the user's line, so a warning shows once there)."""
    frame, level = sys._getframe(2), 2
    while frame is not None and (frame.f_code.co_filename.startswith(_PACKAGE_DIR)
                                 or frame.f_code.co_filename in _INTERNAL_FILES):
        frame, level = frame.f_back, level + 1
    return level


def _warn_beyond_horizon(name: str, years, what: str) -> None:
    """An :class:`~scaling.errors.ExtrapolationWarning` when a year is after the horizon."""
    values = np.asarray(years, dtype=float)
    beyond = values[values >= HORIZON_YEAR + 1]
    if beyond.size:
        warnings.warn(
            f"{name}={float(beyond.max()):g} is beyond the end of {HORIZON_YEAR}, the horizon of "
            f"{what} (data to {LAST_DATA_YEAR} plus {EXTRAPOLATION_SPAN_YEARS} years, the length "
            f"of the records the trends are fitted on): the answer carries the trends' straight "
            f"lines past where the package vouches for them",
            ExtrapolationWarning, stacklevel=_user_stacklevel())


def dated_year(value, *, name: str = "as_of") -> float:
    """The date a run happens as a decimal year, refused before the dated data.

    Parameters
    ----------
    value : float, int, str, datetime.date, numpy.datetime64 or pandas.Timestamp
        One date, in any form :func:`as_year` reads.
    name : str
        Argument name used in messages.

    Returns
    -------
    float
        Decimal year.

    Raises
    ------
    ValueError
        Unreadable input, or a date before :data:`FIRST_DATA_YEAR` (the first year of the
        electricity, PPI and CPI tables a dated run reads) or after :data:`YEAR_RANGE`'s end.

    Warns
    -----
    ExtrapolationWarning
        A date after the end of :data:`HORIZON_YEAR`: the hardware value falls at the
        price-performance rate, and electricity and the deflators hold their last year, well
        past the data.

    Examples
    --------
    >>> dated_year("2024-07-01")
    2024.498288843258
    """
    why = (f" ({FIRST_DATA_YEAR} is the first year of the dated data: {_DATED_DATA}; dates "
           f"after {HORIZON_YEAR}, the trends' horizon, warn)")
    year = _one_year(name, value, low=FIRST_DATA_YEAR, why=why)
    _warn_beyond_horizon(name, year, "the trends the dated prices extrapolate")
    return year


def check_in_range(years, *, name: str, earliest: float, what: str):
    """Refuse years before a trend's first data; warn about years beyond the horizon.

    Parameters
    ----------
    years : float or array_like
        Decimal or calendar years (already read, e.g. by :func:`as_year`).
    name : str
        Argument name used in messages.
    earliest : float
        First year of the trend's data [decimal year].
    what : str
        The trend, for messages (e.g. "the frontier training compute trend (2010-2024)").

    Returns
    -------
    years
        Unchanged.

    Raises
    ------
    ValueError
        A year before ``earliest``, with the allowed range.

    Warns
    -----
    ExtrapolationWarning
        A year after the end of :data:`HORIZON_YEAR`.
    """
    values = np.asarray(years, dtype=float)
    early = values[values < earliest]
    if early.size:
        raise ValueError(f"{name} must be from {earliest:g} on, the first year of the data of "
                         f"{what} (years after {HORIZON_YEAR}, its horizon, warn); got "
                         f"{float(early.min()):g}")
    _warn_beyond_horizon(name, values, what)
    return years
