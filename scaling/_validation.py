"""Input checks and result wrapping shared by the modules of :mod:`scaling` (private).

Every public function of the package takes a scalar, an ndarray or a pandas Series and returns
the same kind. The helpers here do the two halves of that contract once:

* :func:`as_float_array`, :func:`check_fraction`, :func:`check_at_least` and
  :func:`as_numeric_array` turn an argument into a float ndarray, or raise a ``ValueError`` that
  names the argument, says what is allowed and what was given. NaN is always refused; nothing
  is clipped.
* :func:`like` returns a computed ndarray as the kind of the inputs.
* :func:`require_columns` checks that a table handed to a chart has the columns it needs.

This module imports nothing from :mod:`scaling` (and never pandas: a Series is recognised only
when pandas is already imported), so every module can depend on it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

import numpy as np

__all__ = [
    "as_rng",
    "as_numeric_array", "as_float_array", "check_fraction", "check_at_least", "like",
    "require_columns", "scalar", "whole_number", "unknown_name", "check_choice",
    "as_count_array", "as_names", "check_bool", "elementwise", "LengthMismatchError",
    "named_fields", "PLAUSIBLE", "check_plausible",
]


def _got(value, array: np.ndarray, bad: np.ndarray) -> str:
    """``got ...`` clause of an error message: the value, or the first offending entry."""
    if array.ndim == 0:
        return f"got {value!r}"
    positions = np.flatnonzero(bad)
    first = array.flat[positions[0]]
    return (f"got {float(first)!r} at position {int(positions[0])} "
            f"({positions.size} of {array.size} entries refused)")


#: Python types that numpy would silently turn into numbers (``"1e15"`` -> 1e15, True -> 1.0)
#: or NaN (None), and that are refused wherever a number goes.
_NOT_NUMBERS = (str, bytes, bool, np.bool_)


def _not_a_number(name: str, value) -> ValueError:
    kind = "text" if isinstance(value, (str, bytes, np.str_)) else (
        "None" if value is None else "True/False")
    return ValueError(f"{name} must be a number (not {kind}), got {value!r}")


def _to_float(name: str, value) -> np.ndarray:
    """``numpy.asarray(value, dtype=float)``, or a ValueError naming the argument.

    Text, booleans and None are refused rather than converted (numpy reads ``"1e15"`` as
    1e15, ``True`` as 1 and None as NaN).
    """
    if value is None or isinstance(value, _NOT_NUMBERS):
        raise _not_a_number(name, value)
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") \
            from exc
    kind = raw.dtype.kind
    if kind in "fiu":
        return raw.astype(float, copy=False)
    if kind in "USb":
        first = raw.flat[0] if raw.size else value
        raise _not_a_number(name, first.item() if hasattr(first, "item") else first)
    if kind == "O":
        for item in raw.flat:
            if isinstance(item, _NOT_NUMBERS):
                raise _not_a_number(name, item)
    try:
        return raw.astype(float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") \
            from exc


def _refuse(name: str, allowed: str, value, array: np.ndarray, bad: np.ndarray) -> None:
    """Raise the package's ValueError if any entry of ``bad`` is set (NaN named as such)."""
    nan = np.isnan(array)
    if nan.any():
        raise ValueError(f"{name} must be {allowed} (NaN is not allowed), "
                         f"{_got(value, array, nan)}")
    if bad.any():
        raise ValueError(f"{name} must be {allowed}, {_got(value, array, bad)}")


def as_numeric_array(name: str, value) -> np.ndarray:
    """Float ndarray of ``value``, refusing non-numeric input and NaN (any sign, infinities kept).

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : scalar, array-like or Series
        The argument.

    Returns
    -------
    numpy.ndarray
        ``numpy.asarray(value, dtype=float)``.

    Raises
    ------
    ValueError
        If ``value`` is not numeric or contains NaN.
    """
    array = _to_float(name, value)
    _refuse(name, "a number", value, array, np.zeros(array.shape, dtype=bool))
    return array


def as_float_array(name: str, value, *, allow_zero: bool = False,
                   allow_inf: bool = False) -> np.ndarray:
    """Float ndarray of a positive (or non-negative) argument.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : scalar, array-like or Series
        The argument.
    allow_zero : bool, default False
        Accept 0 (the argument must be >= 0 rather than > 0).
    allow_inf : bool, default False
        Accept +inf (e.g. "no failures", an unbounded horizon).

    Returns
    -------
    numpy.ndarray
        ``numpy.asarray(value, dtype=float)``.

    Raises
    ------
    ValueError
        If ``value`` is not numeric, contains NaN, a value below the bound, or an infinity that
        is not allowed. The message names the argument, what is allowed and what it got, e.g.
        ``"n_params must be positive (> 0) and finite, got -1.0"``.
    """
    array = _to_float(name, value)
    allowed = ">= 0" if allow_zero else "positive (> 0)"
    bad = array < 0 if allow_zero else array <= 0
    if not allow_inf:
        allowed += " and finite"
        bad = bad | np.isinf(array)
    _refuse(name, allowed, value, array, bad)
    return array


def check_fraction(name: str, value, *, include_one: bool = True,
                   include_zero: bool = False) -> np.ndarray:
    """Float ndarray of a fraction in (0, 1] (or (0, 1), [0, 1], [0, 1) as asked).

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : scalar, array-like or Series
        The argument, e.g. a utilisation (MFU) or a goodput.
    include_one : bool, default True
        Accept exactly 1; False asks for a value below 1, e.g. for a target that can only be
        approached or a share held back (spares).
    include_zero : bool, default False
        Accept exactly 0 (e.g. no carbon-free electricity, no checkpoint overhead).

    Returns
    -------
    numpy.ndarray
        ``numpy.asarray(value, dtype=float)``.

    Raises
    ------
    ValueError
        If ``value`` is not numeric, contains NaN or lies outside the interval.
    """
    array = _to_float(name, value)
    upper_bad = array > 1 if include_one else array >= 1
    lower_bad = array < 0 if include_zero else array <= 0
    allowed = (f"in {'[' if include_zero else '('}0, 1{']' if include_one else ')'}")
    _refuse(name, allowed, value, array, lower_bad | upper_bad)
    return array


def check_at_least(name: str, value, minimum: float, *, why: str = "") -> np.ndarray:
    """Float ndarray of a finite argument >= ``minimum`` (e.g. a PUE >= 1, a count >= 1).

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : scalar, array-like or Series
        The argument.
    minimum : float
        Smallest allowed value.
    why : str, optional
        Reason for the bound, added to the message in parentheses.

    Returns
    -------
    numpy.ndarray
        ``numpy.asarray(value, dtype=float)``.

    Raises
    ------
    ValueError
        If ``value`` is not numeric, contains NaN or infinities, or a value below ``minimum``.
    """
    array = _to_float(name, value)
    allowed = f">= {minimum:g} and finite" + (f" ({why})" if why else "")
    _refuse(name, allowed, value, array, (array < minimum) | np.isinf(array))
    return array


def scalar(name: str, value, check=as_float_array, **kwargs) -> float:
    """A Python float from a single-number argument, checked by ``check``.

    Refuses what is not one number before ``check`` sees it: booleans, strings, None and
    arrays, so a configuration never stores ``True`` or ``"1e15"`` where a number belongs.

    Parameters
    ----------
    name : str
        Argument name used in the error message (e.g. ``"Cluster 'x': pue"``).
    value : object
        The argument.
    check : callable
        One of the checks of this module (:func:`as_float_array` by default,
        :func:`check_fraction`, :func:`check_at_least`, ...), called as
        ``check(name, value, **kwargs)``.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``value`` is not a single real number or fails ``check``.
    """
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None or np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single number, got {value!r}")
    return float(check(name, value, **kwargs))


def whole_number(name: str, value, *, minimum: int = 1) -> int:
    """A Python int from a count argument (whole number >= ``minimum``).

    Accepts integers and integral floats (``1e4``); refuses fractions (``0.5`` accelerators),
    booleans, strings, NaN and infinities with a message that names the argument.
    """
    try:
        number = scalar(name, value, as_numeric_array)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}") from exc
    if not (np.isfinite(number) and number == int(number) and number >= minimum):
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(number)


def as_count_array(name: str, value, *, minimum: float = 1.0) -> np.ndarray:
    """Float ndarray of a count argument: whole numbers >= ``minimum`` (e.g. accelerators).

    Refuses fractions (``0.5`` accelerators), booleans and strings, NaN and infinities, with
    a message that names the argument.
    """
    try:
        array = _to_float(name, value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number >= {minimum:g}, got {value!r}") \
            from exc
    bad = ~np.isfinite(array) | (array < minimum) | (array != np.floor(array))
    _refuse(name, f"a whole number >= {minimum:g}", value, array, bad)
    return array


def named_fields(cls):
    """Class decorator, applied over ``@dataclass``: a keyword that is not a field raises
    :func:`unknown_name`'s ValueError (the closest fields suggested), not Python's TypeError."""
    import dataclasses
    import functools

    init = cls.__init__
    names = [f.name for f in dataclasses.fields(cls) if f.init]

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        for key in kwargs:
            if key not in names:
                raise unknown_name(f"{cls.__name__} field", key, names)
        init(self, *args, **kwargs)

    cls.__init__ = __init__
    return cls


def unknown_name(what: str, given, valid) -> ValueError:
    """The error for a name that is not among ``valid``: suggests the closest valid names.

    Parameters
    ----------
    what : str
        What the name names, as the user passed it (e.g. ``"accelerator"``, ``"cluster"``).
    given : object
        The name the user passed.
    valid : iterable of str
        Valid names, listed in the message.

    Returns
    -------
    ValueError
        To be raised by the caller: ``raise unknown_name("cluster", name, names)``.
    """
    import difflib

    valid = [str(v) for v in valid]
    if not isinstance(given, str):
        return ValueError(f"{what} must be a name (a string), got {type(given).__name__} "
                          f"{given!r}; valid names: {', '.join(valid)}")
    lowered = {v.lower(): v for v in valid}
    close = difflib.get_close_matches(given.lower(), list(lowered), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(lowered[c]) for c in close)}?" if close else ";"
    return ValueError(f"unknown {what} {given!r}{hint} valid names: {', '.join(valid)}")


def check_choice(name: str, value, choices) -> str:
    """``value`` if it is one of ``choices`` (strings), else the error of :func:`unknown_name`."""
    if isinstance(value, str) and value in choices:
        return value
    raise unknown_name(name, value, choices)


def like(result, *inputs, name: str | None = None):
    """Return ``result`` as the same kind as ``inputs``.

    Parameters
    ----------
    result : array-like
        The computed values (float, int or bool).
    *inputs
        The arguments the result was computed from.
    name : str, optional
        Name of a returned Series.

    Returns
    -------
    pandas.Series, numpy.ndarray or Python scalar
        A Series with the index of the first Series among ``inputs`` whose length the result
        matches (a 0-d or length-1 result is broadcast to it); otherwise a Python scalar
        (``float``, or ``int``/``bool`` for integer/boolean results) when the result is 0-d,
        which it is when all inputs are scalars; otherwise an ndarray. Results of other dtypes
        are converted to float.
    """
    result = np.asarray(result)
    if result.dtype.kind not in "biu":
        result = result.astype(float, copy=False)
    pd = sys.modules.get("pandas")
    if pd is not None and result.ndim <= 1:
        for item in inputs:
            if isinstance(item, pd.Series) and result.size in (1, len(item)):
                return pd.Series(np.broadcast_to(result, (len(item),)), index=item.index,
                                 name=name, copy=True)
    if result.ndim == 0:
        return result.item()
    return result


def require_columns(table, columns, what: str, *, name: str | None = None,
                    like: str = "") -> None:
    """Raise a ValueError naming the missing columns if ``table`` lacks any of ``columns``.

    Parameters
    ----------
    table : pandas.DataFrame
        The table a function was given.
    columns : sequence of str
        Columns it needs.
    what : str
        Name of the function, used in the message.
    name : str, optional
        Argument name: when given, ``table`` is first checked to be a DataFrame at all (a
        list or a dict gets "``name`` must be a pandas.DataFrame ...", not an AttributeError).
    like : str, optional
        Where such a table comes from, for that message (e.g. ``"data/training_runs.csv"``).
    """
    if name is not None:
        pd = sys.modules.get("pandas")
        if pd is None or not isinstance(table, pd.DataFrame):
            source = f" (like {like})" if like else ""
            raise ValueError(f"{name} must be a pandas.DataFrame with columns "
                             f"{list(columns)}{source}, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what} needs columns {list(columns)}; missing {missing} "
                         f"(got {list(table.columns)})")


def as_names(what: str, value, *, name: str | None = None, kinds=(str,)) -> list:
    """A list of names from a sequence of names, where one string is one name.

    ``compare_clusters("frontier")`` must mean the cluster "frontier", not the clusters "f",
    "r", "o", ... that iterating over the string gives.

    Parameters
    ----------
    what : str
        What the names name, for the message (e.g. ``"cluster names"``).
    value : str or iterable of str
        The argument.
    name : str, optional
        Argument name used in the message (default: ``what``).
    kinds : tuple of type
        Types accepted as one name; default strings only. E.g. ``(str, Cluster)`` where a
        configuration object may stand for its name.

    Raises
    ------
    ValueError
        If ``value`` is neither one of ``kinds`` nor an iterable of them.
    """
    label = what if name is None else name
    form = ("a string or a list of strings" if tuple(kinds) == (str,)
            else "one or a list of them")
    if isinstance(value, tuple(kinds)):
        return [value]
    try:
        items = list(value)
    except TypeError:
        raise ValueError(f"{label} must be {what} ({form}), "
                         f"got {type(value).__name__} {value!r}") from None
    for item in items:
        if not isinstance(item, tuple(kinds)):
            raise ValueError(f"{label} must be {what} ({form}); "
                             f"got {type(item).__name__} {item!r} among them")
    return items


def check_bool(name: str, value) -> bool:
    """``value`` if it is True or False (numpy's too), else a ValueError naming the argument.

    Strings such as ``"no"`` and numbers such as 0 are refused, never read as flags
    (``bool("no")`` is True).
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ValueError(f"{name} must be True or False, got {value!r}")


class LengthMismatchError(ValueError):
    """Array arguments whose lengths (shapes) do not broadcast together."""


#: Fragments of numpy's messages for arrays that do not broadcast.
_BROADCAST_MESSAGES = ("could not be broadcast", "shape mismatch")


def _shaped_arguments(function, args, kwargs):
    """(name, shape) of the arguments of a call that are arrays (not strings, not mappings)."""
    code = function.__code__
    names = code.co_varnames[:code.co_argcount]
    pairs = list(zip(names, args)) + list(kwargs.items())
    out = []
    for arg_name, value in pairs:
        if value is None or isinstance(value, (str, bytes, Mapping)):
            continue
        shape = np.shape(value) if isinstance(value, (list, tuple)) or hasattr(
            value, "shape") else ()
        if shape:
            out.append((arg_name, shape))
    return out


def _describe_mismatch(shaped):
    """The message for the first pair of arguments whose shapes do not broadcast, or None."""
    for i, (first, first_shape) in enumerate(shaped):
        for second, second_shape in shaped[i + 1:]:
            try:
                np.broadcast_shapes(first_shape, second_shape)
            except ValueError:
                if len(first_shape) == len(second_shape) == 1:
                    sizes = (f"{first} has {first_shape[0]} values but {second} has "
                             f"{second_shape[0]}")
                else:
                    sizes = f"{first} has shape {first_shape} but {second} has {second_shape}"
                return (f"{sizes}; give them the same length (or a single number for either, "
                        "which applies to every entry)")
    return None


# --- pandas in, pandas out (issue 17, item 4): used by elementwise only ---------------------

def _aligned_by_label(function, args, kwargs):
    """``args`` and ``kwargs`` with every pandas Series put in the order of the first one's
    labels, and that first Series (None without one). Series whose labels differ are refused,
    naming both arguments: pairing them by position would be silently wrong."""
    pd = sys.modules["pandas"]
    code = function.__code__
    names = code.co_varnames[:code.co_argcount]
    first = first_name = None
    args = list(args)
    for key, value in [*enumerate(args), *kwargs.items()]:
        if not isinstance(value, pd.Series):
            continue
        name = names[key] if isinstance(key, int) and key < len(names) else str(key)
        if first is None:
            first, first_name = value, name
            continue
        if value.index.equals(first.index):
            continue
        if (first.index.is_unique and value.index.is_unique and len(value) == len(first)
                and first.index.isin(value.index).all()):
            value = value.reindex(first.index)
        else:
            if not (first.index.is_unique and value.index.is_unique):
                raise LengthMismatchError(
                    f"{first_name} and {name} are Series whose labels are not unique, so "
                    "they cannot be paired by label; give unique labels, or pass arrays to "
                    "pair them by position")
            extra = [label for label in value.index if label not in first.index][:3]
            missing = [label for label in first.index if label not in value.index][:3]
            raise LengthMismatchError(
                f"{first_name} and {name} are Series with different labels ({name} lacks "
                f"{missing}, has {extra} instead); give them the same labels (pandas pairs "
                "values by label), or pass arrays to pair them by position")
        if isinstance(key, int):
            args[key] = value
        else:
            kwargs = {**kwargs, key: value}
    return tuple(args), kwargs, first


def _with_labels(result, series):
    """A result of a call given ``series``: arrays of its length become Series with its
    labels (also inside a tuple or a frozen result dataclass, and a result's ``frame``)."""
    import dataclasses

    pd = sys.modules["pandas"]
    n = len(series)
    if isinstance(result, np.ndarray) and result.ndim == 1 and result.size == n:
        return pd.Series(result, index=series.index, copy=True)
    if isinstance(result, tuple) and not hasattr(result, "_fields"):
        return tuple(_with_labels(item, series) for item in result)
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        changes = {}
        for f in dataclasses.fields(result):
            value = getattr(result, f.name)
            if isinstance(value, np.ndarray) and value.ndim == 1 and value.size == n:
                changes[f.name] = pd.Series(value, index=series.index, name=f.name, copy=True)
            elif (isinstance(value, pd.DataFrame) and len(value) == n
                  and isinstance(value.index, pd.RangeIndex)):
                changes[f.name] = value.set_axis(series.index)
        return dataclasses.replace(result, **changes) if changes else result
    return result


def elementwise(function):
    """Decorator of a vectorised function: arrays that do not broadcast get a message naming
    both arguments (``n_params has 2 values but n_tokens has 3; give them the same length``)
    instead of numpy's "operands could not be broadcast together with shapes (2,) (3,)".

    Nothing is checked before the call (legitimate broadcasting, e.g. sizes against Monte
    Carlo draws, is untouched); only numpy's broadcasting error is translated. The outermost
    decorated function names the arguments the user passed.
    """
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        series = None
        if "pandas" in sys.modules:
            args, kwargs, series = _aligned_by_label(function, args, kwargs)
        try:
            result = function(*args, **kwargs)
            return result if series is None else _with_labels(result, series)
        except ValueError as exc:
            inner = isinstance(exc, LengthMismatchError)
            if not inner and not any(text in str(exc) for text in _BROADCAST_MESSAGES):
                raise
            message = _describe_mismatch(_shaped_arguments(function, args, kwargs))
            if message is None:
                if inner:
                    raise
                message = (f"the array arguments of {function.__name__} do not have matching "
                           "lengths; give them the same length (or single numbers)")
            raise LengthMismatchError(message) from None

    return wrapper


def as_rng(seed, name: str = "seed"):
    """``numpy.random.default_rng(seed)`` for a whole-number seed >= 0, with a clear error."""
    return np.random.default_rng(whole_number(name, seed, minimum=0))


#: Plausible ranges of the physical constants users type into arguments and tables, and the
#: unit slip a value outside suggests: quantity -> (low, high, unit, hint below, hint above).
#: Bounds sit about two orders of magnitude beyond the catalog's extremes and the projected
#: chip of 2040, ``scaling.accelerator("typical-2040")`` (peaks 1.25e14-5e15 FLOP/s, 1.5e18
#: projected; memories 3.2e10-2.9e11 bytes, 1e13 projected; bandwidths up to 4e14 projected; TDPs 170-1,400 W, prices $1.8k-$47k, rents $2-5/h)
#: and the published ranges (grid intensity ~10-1,000 gCO2e/kWh, Ember 2025; US industrial
#: electricity $0.06-0.09/kWh, EIA; PUE 1.1-1.6, Uptime Institute), so a real value passes
#: and a factor-1,000 slip does not.
PLAUSIBLE = {
    "peak_flop_per_s": (1e12, 1e20, "FLOP/s",
                        "it looks like TFLOP/s: give FLOP/s, e.g. 9.89e14 for 989 TFLOP/s", ""),
    "memory_bytes": (1e9, 1e15, "bytes", "it looks like GB: give bytes, e.g. 8e10 for 80 GB",
                     ""),
    "bandwidth_byte_per_s": (1e9, 1e17, "bytes/s",
                             "it looks like TB/s or GB/s: give bytes/s, e.g. 3.35e12", ""),
    "tdp_w": (10.0, 1e5, "W", "it looks like kW: give W, e.g. 700 for 0.7 kW", ""),
    "price_usd": (100.0, 1e7, "USD per accelerator",
                  "it looks like thousands of USD: give USD, e.g. 33750", ""),
    "carbon_intensity_g_per_kwh": (1.0, 2000.0, "gCO2e/kWh",
                                   "it looks like kg/kWh: give g/kWh, e.g. 400 for 0.4 kg/kWh",
                                   "the dirtiest grids emit about 1,000 g/kWh"),
    "electricity_usd_per_kwh": (0.005, 2.0, "USD/kWh", "",
                                "it looks like USD/MWh: give USD/kWh, e.g. 0.0826 for $82.6/MWh"),
    "rental_usd_per_hour": (0.01, 1000.0, "USD per accelerator-hour", "",
                            "it looks like a server's or a month's price: give the price of "
                            "one accelerator for one hour"),
    "pue": (1.0, 3.0, "ratio", "", "it looks like a percentage: give 1.25 for 125%"),
    "n_params": (1.0, 1e18, "parameters", "",
                 "it looks like FLOP or tokens: give the parameters, e.g. 4.05e11"),
    "n_accelerators": (1.0, 1e12, "accelerators", "",
                       "more than any machine could hold (scaling.solve.MAX_COUNT)"),
    "compute_flop": (1e3, 1e40, "FLOP",
                     "it looks like log10(FLOP): give the FLOP, e.g. 3.2e25 for 10**25.5", ""),
    "failure_rate_per_accelerator_hour": (0.0, 1e-2, "1/(accelerator h)", "",
                                          "it looks like a rate per day or per job: give "
                                          "interruptions per accelerator-hour, e.g. 2e-5"),
}


def check_plausible(name: str, value, quantity: str):
    """Refuse a physical constant outside its plausible range, naming the likely unit slip.

    Parameters
    ----------
    name : str
        Argument or column name used in the message.
    value : scalar or array-like
        The value(s), already numbers.
    quantity : str
        Key of :data:`PLAUSIBLE`.

    Returns
    -------
    The value, unchanged.

    Raises
    ------
    ValueError
        A value outside ``[low, high]`` of :data:`PLAUSIBLE` (NaN passes: "unknown").
    """
    low, high, unit, below, above = PLAUSIBLE[quantity]
    array = np.asarray(value, dtype=float)
    for bad, hint in ((array < low, below), (array > high, above)):
        if np.any(bad):
            got = array.flat[int(np.flatnonzero(bad)[0])]
            raise ValueError(f"{name}={got:g} is outside the plausible range {low:g}-{high:g} "
                             f"[{unit}]" + (f"; {hint}" if hint else ""))
    return value
