"""Altair charts. Each function takes a finished table (a DataFrame from the library) and
returns an ``alt.Chart``; nothing here computes science. Altair is imported only when a
chart is built, so ``import scaling`` stays fast. A chart module imports nothing from
:mod:`scaling` but :mod:`scaling._validation` (column checks) and :mod:`scaling.units` (the
one unit table, for the units in axis titles: :func:`axis_title`).

Charts by topic: :mod:`scaling.plots.laws`, :mod:`scaling.plots.hardware`,
:mod:`scaling.plots.forecast`, :mod:`scaling.plots.reliability`, and
:mod:`scaling.plots.explore` (the what-if charts, two with sliders bound to HTML inputs that
work in a static page).
"""

from __future__ import annotations

from scaling.units import unit_of

__all__ = ["axis_title"]


def axis_title(description: str, column: str) -> str:
    """An axis title with the unit of a column from the one unit table
    (:func:`scaling.units.unit_of`).

    Parameters
    ----------
    description : str
        What the axis shows, in words.
    column : str
        The column whose unit the axis carries (its values, not rescaled).

    Returns
    -------
    str
        ``"<description> [<unit>]"``, or the description alone for a column without a unit.

    Examples
    --------
    >>> axis_title("training compute", "compute_flop")
    'training compute [FLOP]'
    """
    unit = unit_of(column)
    return f"{description} [{unit}]" if unit else description
