"""Charts of the next decade (tables from :mod:`scaling.studies.outlook`).

Each function takes a finished table and returns an ``alt.Chart``; Altair is imported inside
the functions so ``import scaling`` stays fast.
"""

from __future__ import annotations

from scaling._validation import require_columns
from scaling.plots import axis_title

__all__ = ["future_runs_chart", "site_vs_frontier_chart"]

_WIDTH = 460
_HEIGHT = 300


def future_runs_chart(runs, quantity="capex_usd", *, title=None):
    """One quantity of :func:`scaling.studies.outlook.future_runs` by year, a line per model size,
    with its P5-P95 band.

    Parameters
    ----------
    runs : pandas.DataFrame
        Columns ``year``, ``n_params``, ``<quantity>``, ``<quantity>_ci_lower``,
        ``<quantity>_ci_upper``.
    quantity : str
        Column to draw (log axis).
    title : str, optional
        Axis title (default: the column name).

    Returns
    -------
    altair.LayerChart
    """
    import altair as alt

    low, high = f"{quantity}_ci_lower", f"{quantity}_ci_upper"
    require_columns(runs, ["year", "n_params", quantity, low, high], "future_runs_chart")
    data = runs.assign(model=[f"{n / 1e12:g}T" for n in runs["n_params"]])
    y_title = title or quantity
    x = alt.X("year:O", title="Year trained (typical accelerator of the year)")
    color = alt.Color("model:N", title="Parameters")
    band = alt.Chart(data).mark_area(opacity=0.2).encode(
        x=x, y=alt.Y(f"{low}:Q", scale=alt.Scale(type="log"), title=y_title),
        y2=f"{high}:Q", color=color)
    line = alt.Chart(data).mark_line(point=True).encode(
        x=x, y=alt.Y(f"{quantity}:Q", scale=alt.Scale(type="log")), color=color,
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("year:O"),
                 alt.Tooltip(f"{low}:Q", title="P5", format=".3g"),
                 alt.Tooltip(f"{quantity}:Q", title="P50", format=".3g"),
                 alt.Tooltip(f"{high}:Q", title="P95", format=".3g")])
    return alt.layer(band, line).properties(width=_WIDTH, height=_HEIGHT)


def site_vs_frontier_chart(table):
    """The largest run of a fixed site by year against the published frontier trend.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.outlook.site_outlook`: ``year``, ``compute_flop``,
        ``frontier_compute_flop`` and its ``_ci_lower``/``_ci_upper``.

    Returns
    -------
    altair.LayerChart
        Log axis of training compute [FLOP].
    """
    import altair as alt

    require_columns(table, ["year", "compute_flop", "frontier_compute_flop",
                            "frontier_compute_flop_ci_lower", "frontier_compute_flop_ci_upper"],
                    "site_vs_frontier_chart")
    x = alt.X("year:O", title="Year")
    y_title = axis_title("Training compute", "compute_flop")
    band = alt.Chart(table).mark_area(opacity=0.15, color="gray").encode(
        x=x, y=alt.Y("frontier_compute_flop_ci_lower:Q", scale=alt.Scale(type="log"),
                     title=y_title),
        y2="frontier_compute_flop_ci_upper:Q")
    long = table.melt(id_vars="year", value_vars=["compute_flop", "frontier_compute_flop"],
                      var_name="series", value_name="flop")
    long["series"] = long["series"].map({"compute_flop": "largest run of the fixed site",
                                         "frontier_compute_flop": "published frontier trend"})
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=x, y=alt.Y("flop:Q", scale=alt.Scale(type="log")),
        color=alt.Color("series:N", title=None),
        tooltip=[alt.Tooltip("series:N"), alt.Tooltip("year:O"),
                 alt.Tooltip("flop:Q", title="FLOP", format=".2e")])
    return alt.layer(band, lines).properties(width=_WIDTH, height=_HEIGHT)
