"""The contract every result object of :mod:`scaling` follows.

A result is a frozen dataclass with typed fields. ``to_frame()`` returns a DataFrame whose
columns are the fields in declaration order (one row, or one row per element when the fields
hold arrays); ``summary()`` returns the headline quantities as a DataFrame indexed by
``quantity`` with ``value`` and ``unit``; ``_repr_html_`` shows the summary in a notebook.
Column order is therefore derived from the dataclass, never from a hand-kept list, and the
unit of a quantity from its name (the suffix conventions of the README's glossary).

Fields marked ``field(metadata={"column": False})`` (configuration objects, nested results)
are left out of ``to_frame()``; fields marked ``metadata={"summary": True}`` are the rows of
``summary()`` (all scalar numeric fields when none is marked).
"""

from __future__ import annotations

import dataclasses
import sys

import numpy as np

__all__ = ["ResultMixin", "unit_of", "summary_frame", "fold_error", "NOT_A_COLUMN",
           "IN_SUMMARY"]

def fold_error(ratio):
    """Fold error max(r, 1/r) of a predicted/reported ratio [dimensionless, >= 1].

    The one measure by which results are compared with published figures (the backtests of
    the chain, the utilisation calibration, the hardware-trend backtest). NaN ratios stay NaN;
    non-positive ratios raise ValueError.

    Examples
    --------
    >>> fold_error(0.8)
    1.25
    """
    r = np.asarray(ratio, dtype=float)
    if (r[~np.isnan(r)] <= 0).any():
        raise ValueError("ratios must be positive")
    out = np.maximum(r, 1.0 / r)
    return float(out) if out.ndim == 0 else out


#: Field metadata: leave the field out of ``to_frame()``.
NOT_A_COLUMN = {"column": False}
#: Field metadata: show the field in ``summary()``.
IN_SUMMARY = {"summary": True}

# Name suffix -> unit, longest suffixes first (the glossary of the README).
_SUFFIX_UNITS = (
    ("_flop_per_s_per_usd", "FLOP/s/USD"),
    ("_flop_per_s_per_w", "FLOP/s/W"),
    ("_usd_per_kw_month", "USD/(kW month)"),
    ("_per_accelerator_hour", "1/(accelerator h)"),
    ("_byte_per_s", "byte/s"),
    ("_flop_per_s", "FLOP/s"),
    ("_usd_per_hour", "USD/h"),
    ("_usd_per_kwh", "USD/kWh"),
    ("_usd_per_w", "USD/W"),
    ("_tco2e", "tCO2e"),
    ("_g_per_kwh", "gCO2e/kWh"),
    ("_flop", "FLOP"),
    ("_bytes", "bytes"),
    ("_usd", "USD"),
    ("_mwh", "MWh"),
    ("_kwh", "kWh"),
    ("_days", "days"),
    ("_hours", "accelerator-hours"),
    ("_years", "years"),
    ("_m2", "m^2"),
    ("_w", "W"),
    ("_j", "J"),
    ("_s", "s"),
)
_NAMED_UNITS = {
    "n_params": "parameters", "n_tokens": "tokens", "loss": "nats/token",
    "tokens_per_param": "tokens/parameter", "mfu": "fraction", "goodput": "fraction",
    "pue": "ratio", "accelerator_hours": "accelerator-hours",
}


def unit_of(name: str) -> str:
    """Unit of a quantity from its name (``"time_s"`` -> ``"s"``; ``"n_racks"`` -> ``"count"``).

    Returns ``""`` for names without a unit convention (labels, ratios without a suffix).
    """
    if name in _NAMED_UNITS:
        return _NAMED_UNITS[name]
    for suffix, unit in _SUFFIX_UNITS:
        if name.endswith(suffix):
            return unit
    if name.startswith("n_"):
        return "count"
    return ""


def summary_frame(values: dict):
    """Headline quantities as a DataFrame indexed by ``quantity`` with ``value`` and ``unit``."""
    import pandas as pd

    rows = [(name, value, unit_of(name)) for name, value in values.items()]
    return pd.DataFrame(rows, columns=["quantity", "value", "unit"]).set_index("quantity")


def _is_column(f) -> bool:
    return f.metadata.get("column", True)


class ResultMixin:
    """``to_frame()``, ``summary()`` and ``_repr_html_`` derived from a dataclass's fields."""

    __slots__ = ()

    def _column_values(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if _is_column(f)}

    def to_frame(self):
        """The fields as a DataFrame: one row, or one per element of array-valued fields.

        Columns are the dataclass fields in declaration order (configuration objects left out).
        """
        import pandas as pd

        values = self._column_values()
        arrays = [np.asarray(v) for v in values.values() if _numeric(v)]
        shape = np.broadcast_shapes(*[a.shape for a in arrays]) if arrays else ()
        size = int(np.prod(shape)) if shape else 1
        index = next((v.index for v in values.values() if _is_series(v)), None)
        data = {}
        for name, value in values.items():
            if _numeric(value):
                array = np.asarray(value)
                kind = int if array.dtype.kind in "iu" else float
                data[name] = np.broadcast_to(array.astype(kind), shape).reshape(size)
            else:
                data[name] = [getattr(value, "name", value)] * size
        return pd.DataFrame(data, index=index if index is not None and len(index) == size
                            else None)

    def summary(self):
        """Headline quantities (pandas.DataFrame indexed by ``quantity``: ``value``, ``unit``)."""
        marked = [f for f in dataclasses.fields(self) if f.metadata.get("summary")]
        chosen = marked or [f for f in dataclasses.fields(self)
                            if _is_column(f) and _numeric(getattr(self, f.name))
                            and np.ndim(getattr(self, f.name)) == 0]
        values = {}
        for f in chosen:
            value = getattr(self, f.name)
            values[f.name] = getattr(value, "name", value) if not _numeric(value) else value
        return summary_frame(values)

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()


def _is_series(value) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(value, pd.Series)


def _numeric(value) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return True
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True
    if isinstance(value, np.ndarray) or _is_series(value):
        return np.asarray(value).dtype.kind in "biuf"
    return False
