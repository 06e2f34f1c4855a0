"""Tables for the notebooks and the report: an HTML table with units in its headers, and the
same table as plain text.

A notebook shows a finished table with ``display(scaling.plots.tables.table(frame, ...))``
instead of ``print(frame.to_string(...))``: Jupyter and the report (``make report``) show
the HTML table (one header row, units in brackets from the one unit table,
:func:`scaling.units.unit_of`; it scrolls sideways instead of wrapping mid-row), while the
plain-text form nbval compares stays exactly ``frame.to_string(...)``.
"""

from __future__ import annotations

from scaling.units import NAMED_UNITS, UNIT_SUFFIXES, unit_of

__all__ = ["Table", "heading", "table"]

#: CSS class of the ``<table>`` elements (the report styles them).
TABLE_CLASS = "scaling-table"

#: Options of ``DataFrame.to_string`` that ``DataFrame.to_html`` takes as well.
_SHARED_OPTIONS = ("columns", "header", "index", "na_rep", "formatters", "float_format",
                   "sparsify", "index_names", "justify", "max_rows", "max_cols",
                   "show_dimensions", "decimal")

#: Units not worth a bracket in a header.
_SILENT_UNITS = ("", "count")


def heading(column) -> str:
    """A column header for readers: the name in words with its unit in brackets.

    Parameters
    ----------
    column : object
        A column name; names following the package's unit convention (``time_days``,
        ``amortized_cost_usd``, ``n_params``) get their unit; others (already worded
        headers such as ``"peak bf16 [EFLOP/s]"``, non-strings) are kept as they are.

    Returns
    -------
    str or object
        ``"<words> [<unit>]"``, or the name with underscores as spaces when it has no unit.

    Examples
    --------
    >>> heading("amortized_cost_usd"), heading("time_days"), heading("n_params")
    ('amortized cost [USD]', 'time [days]', 'n params [parameters]')
    >>> heading("peak bf16 [EFLOP/s]"), heading("median_fold_error")
    ('peak bf16 [EFLOP/s]', 'median fold error')
    """
    if not isinstance(column, str) or " " in column or "[" in column:
        return column
    unit = unit_of(column)
    words = column
    if column not in NAMED_UNITS:
        for suffix, _, _ in UNIT_SUFFIXES:
            if column.endswith(suffix) and len(column) > len(suffix):
                words = column[:-len(suffix)]
                break
    words = words.replace("_", " ").strip()
    return words if unit in _SILENT_UNITS else f"{words} [{unit}]"


class Table:
    """A finished table shown as HTML in Jupyter and as ``to_string`` text elsewhere.

    Build it with :func:`table`. ``repr`` (what nbval compares as ``text/plain``) is
    ``frame.to_string(**options)``; ``_repr_html_`` is the HTML table with :func:`heading`
    headers and the same number formats.
    """

    __slots__ = ("frame", "options")

    def __init__(self, frame, options: dict):
        self.frame = frame
        self.options = dict(options)

    def __repr__(self) -> str:
        return self.frame.to_string(**self.options)

    def to_html(self) -> str:
        """The table as an HTML fragment (a ``<table>`` in a sideways-scrolling ``<div>``)."""
        frame = self.frame.to_frame() if getattr(self.frame, "ndim", 2) == 1 else self.frame
        options = {k: v for k, v in self.options.items() if k in _SHARED_OPTIONS}
        if isinstance(options.get("formatters"), dict):
            options["formatters"] = {heading(k): v for k, v in options["formatters"].items()}
        if options.get("columns") is not None:
            options["columns"] = [heading(c) for c in options["columns"]]
        frame = frame.rename(columns=heading)
        if frame.index.nlevels == 1 and frame.columns.nlevels == 1 and \
                frame.columns.name is None and options.get("index", True):
            # the index's name heads its column in the one header row (not a second row)
            frame = frame.rename_axis(index=None, columns=heading(frame.index.name))
        body = frame.to_html(border=0, classes=TABLE_CLASS, **options)
        return f"<div class='{TABLE_CLASS}-wrap' style='overflow-x:auto'>{body}</div>"

    def _repr_html_(self) -> str:
        return self.to_html()


def table(frame, **options) -> Table:
    """A DataFrame (or Series) to show in a notebook as an HTML table with units in its
    headers, and as its ``to_string`` text where HTML is not shown.

    Parameters
    ----------
    frame : pandas.DataFrame or pandas.Series
        The finished table; columns named with the unit convention of :mod:`scaling.units`.
    **options
        Options of ``to_string`` (``index``, ``float_format``, ``formatters``, ``na_rep``,
        ``max_colwidth``, ...); those ``to_html`` also takes format the HTML table the same
        way.

    Returns
    -------
    Table
        ``display(table(...))`` shows it.

    Raises
    ------
    ValueError
        If ``frame`` is not a DataFrame or Series.

    Examples
    --------
    >>> import pandas as pd
    >>> shown = table(pd.DataFrame({"time_days": [1.25]}), index=False, float_format="{:.2f}".format)
    >>> print(repr(shown))
     time_days
          1.25
    >>> "<th>time [days]</th>" in shown.to_html() and "<td>1.25</td>" in shown.to_html()
    True
    """
    if not hasattr(frame, "to_string") or not hasattr(frame, "ndim"):
        raise ValueError(f"table: frame must be a pandas DataFrame or Series, got "
                         f"{type(frame).__name__}")
    return Table(frame, options)

