"""The contract every result object of :mod:`scaling` follows.

A result is a frozen dataclass with typed fields that derives from :class:`Result`.
``to_frame()`` returns a DataFrame whose columns are the fields in declaration order (one row,
or one row per element when the fields hold arrays), or a copy of the table a sweep holds in
its ``frame`` field; ``summary()`` returns the headline quantities as a DataFrame indexed by
``quantity`` with ``value`` and ``unit``; ``_repr_html_`` shows the summary in a notebook.
Column order is therefore derived from the dataclass, never from a hand-kept list, and the
unit of a quantity from its name (:func:`scaling.units.unit_of`, the one unit table).

Fields marked ``field(metadata={"column": False})`` (configuration objects, nested results)
are left out of ``to_frame()``; fields marked ``metadata={"summary": True}`` are the rows of
``summary()`` (all scalar numeric fields when none is marked).
"""

from __future__ import annotations

import dataclasses
import sys

import numpy as np

from scaling.units import unit_of

__all__ = ["Result", "summary_frame", "fold_error", "NOT_A_COLUMN", "IN_SUMMARY"]


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

def summary_frame(values: dict):
    """Headline quantities as a DataFrame indexed by ``quantity`` with ``value`` and ``unit``."""
    import pandas as pd

    rows = [(name, value, unit_of(name)) for name, value in values.items()]
    return pd.DataFrame(rows, columns=["quantity", "value", "unit"]).set_index("quantity")


def _is_column(f) -> bool:
    return f.metadata.get("column", True)


class Result:
    """The base of every result: ``to_frame()``, ``summary()``, ``_repr_html_`` and a ``str``
    that prints the summary.

    A result that holds its table in a ``frame`` field (a sweep, a backtest) returns a copy of
    it from ``to_frame()``; any other result's columns are its fields. ``summary()`` shows the
    fields named in ``SUMMARY``, else those marked ``IN_SUMMARY``, else every scalar numeric
    field; a result whose headline is a table (a sweep's rows) overrides it.
    """

    __slots__ = ()

    #: Names of the rows of :meth:`summary` (empty: marked fields, else scalar numbers).
    SUMMARY: tuple = ()

    def _column_values(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if _is_column(f)}

    def to_frame(self):
        """The result as a DataFrame: a copy of its ``frame``, else one row (or one per element
        of array-valued fields) with the dataclass fields as columns in declaration order
        (configuration objects left out)."""
        import pandas as pd

        if any(f.name == "frame" for f in dataclasses.fields(self)):
            return self.frame.copy()
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
        if self.SUMMARY:
            return summary_frame({name: _label(getattr(self, name)) for name in self.SUMMARY})
        marked = [f for f in dataclasses.fields(self) if f.metadata.get("summary")]
        chosen = marked or [f for f in dataclasses.fields(self)
                            if _is_column(f) and _numeric(getattr(self, f.name))
                            and np.ndim(getattr(self, f.name)) == 0]
        return summary_frame({f.name: _label(getattr(self, f.name)) for f in chosen})

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __str__(self) -> str:
        """``print(result)``: the type and its :meth:`summary` as text (the ``repr`` keeps
        every field)."""
        return f"{type(self).__name__}\n{self.summary().to_string()}"


def _label(value):
    """A number as it is; an object by its name."""
    return value if _numeric(value) else getattr(value, "name", value)


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
