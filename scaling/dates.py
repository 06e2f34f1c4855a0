"""Dates as decimal years: the one time coordinate of :mod:`scaling`.

:func:`as_year` turns what a user means by "when" (a decimal year such as 2024.5, a
``datetime.date``, an ISO string ``"2024-06-15"``, ``"2024-06"`` or ``"2024"``, a
``numpy.datetime64`` or ``pandas.Timestamp``, or an array/Series of those) into a decimal year;
:func:`calendar_year` gives the calendar year that annual tables (electricity prices, CPI, grid
carbon intensity) are keyed by, :func:`nearest_year_index` the row of such a table to use, and
:func:`year_to_date` turns a decimal year back into a date. A base module (it imports only
:mod:`scaling.units` and :mod:`scaling._validation`), so the hardware trends and the dated
prices can both read dates.
"""

from __future__ import annotations

import math
import re
import sys
from datetime import date, datetime

import numpy as np

from scaling._validation import like
from scaling.units import DAYS_PER_YEAR

__all__ = [
    "YEAR_RANGE", "as_year", "calendar_year", "nearest_year", "nearest_year_index", "year_to_date",
]

#: Decimal years :func:`as_year` accepts (a guard against e.g. a price passed as a date).
YEAR_RANGE = (1950.0, 2200.0)
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


def _one_year(name: str, value) -> float:
    """Decimal year of one scalar input, or a ValueError naming the argument."""
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
    low, high = YEAR_RANGE
    if not (low <= year <= high):
        raise ValueError(f"{name} must be a date between {low:g} and {high:g}; got {value!r} "
                         f"(read as year {year:g})")
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
