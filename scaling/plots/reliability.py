"""Altair charts of failures, checkpoint intervals and goodput.

Each function takes a finished table from :mod:`scaling.studies.reliability` and returns an Altair
chart; nothing here computes science beyond reshaping to long format.
"""

from __future__ import annotations

from scaling._validation import require_columns
from scaling.plots import axis_title

__all__ = [
    "interruptions_chart",
    "goodput_chart",
    "interval_chart",
    "requirements_chart",
]

_WIDTH = 520
_HEIGHT = 320


def _n_axis():
    import altair as alt

    return alt.X("n_accelerators:Q", title=axis_title("accelerators in the job", "n_accelerators"),
                 scale=alt.Scale(type="log"), axis=alt.Axis(format="~s"))


def interruptions_chart(table):
    """Llama 3 unexpected interruptions by component (Table 5).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.reliability.llama3_interruptions_table` output (``component``,
        ``category``, ``count``, ``share``, ``rate_per_accelerator_hour``).

    Returns
    -------
    altair.Chart
    """
    import altair as alt

    require_columns(table, ["component", "category", "count", "share"], "table")
    return alt.Chart(table).mark_bar().encode(
        x=alt.X("count:Q", title="unexpected interruptions in 54 days [count]"),
        y=alt.Y("component:N", sort="-x", title=None),
        color=alt.Color("category:N", title="category"),
        tooltip=[
            alt.Tooltip("component:N"), alt.Tooltip("category:N"),
            alt.Tooltip("count:Q", title="interruptions"),
            alt.Tooltip("share:Q", title="share", format=".1%"),
            alt.Tooltip("rate_per_accelerator_hour:Q", title="rate [1/(GPU h)]", format=".2e"),
        ],
    ).properties(width=_WIDTH, height=_HEIGHT,
                 title="Llama 3 405B: 419 unexpected interruptions on 16,384 H100")


def goodput_chart(table, threshold=None):
    """Goodput against job size: exponential (Daly) model and its first-order expansion.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.reliability.reliability_table` output (``n_accelerators``, ``goodput``,
        ``goodput_first_order``, ``mtbf_s``).
    threshold : float, optional
        Draw a horizontal rule at this goodput (e.g. 0.9). [fraction]

    Returns
    -------
    altair.LayerChart
    """
    import altair as alt

    require_columns(table, ["n_accelerators", "goodput", "goodput_first_order", "mtbf_s"], "table")
    long = table.melt(id_vars=["n_accelerators", "mtbf_s"],
                      value_vars=["goodput", "goodput_first_order"],
                      var_name="model", value_name="value")
    long["model"] = long["model"].map({
        "goodput": "exponential model (Daly 2006)",
        "goodput_first_order": "first order (Young)",
    })
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=_n_axis(),
        y=alt.Y("value:Q", title="goodput [fraction of wall-clock]",
                scale=alt.Scale(domain=[-0.5, 1.0], clamp=True)),
        color=alt.Color("model:N", title=None),
        strokeDash=alt.StrokeDash("model:N", title=None),
        tooltip=[
            alt.Tooltip("n_accelerators:Q", title="accelerators", format=","),
            alt.Tooltip("model:N"), alt.Tooltip("value:Q", title="goodput", format=".3f"),
            alt.Tooltip("mtbf_s:Q", title="MTBF [s]", format=",.0f"),
        ],
    )
    layers = [lines]
    if threshold is not None:
        rule = alt.Chart({"values": [{"y": threshold}]}).mark_rule(
            color="gray", strokeDash=[4, 4]).encode(y="y:Q")
        layers.append(rule)
    return alt.layer(*layers).properties(
        width=_WIDTH, height=_HEIGHT, title="Useful fraction of wall-clock time vs job size")


def interval_chart(table):
    """MTBF and checkpoint intervals (Young, Daly, exact optimum) against job size.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.reliability.reliability_table` output.

    Returns
    -------
    altair.Chart
    """
    import altair as alt

    columns = ["mtbf_s", "young_interval_s", "daly_interval_s", "optimal_interval_s"]
    require_columns(table, ["n_accelerators", *columns], "table")
    long = table.melt(id_vars=["n_accelerators"], value_vars=columns, var_name="quantity",
                      value_name="time_s")
    long["time_min"] = long["time_s"] / 60.0
    long["quantity"] = long["quantity"].map({
        "mtbf_s": "mean time between interruptions",
        "young_interval_s": "Young interval",
        "daly_interval_s": "Daly interval",
        "optimal_interval_s": "exact optimum",
    })
    return alt.Chart(long).mark_line(point=True).encode(
        x=_n_axis(),
        y=alt.Y("time_min:Q", title="time [min]", scale=alt.Scale(type="log")),
        color=alt.Color("quantity:N", title=None),
        tooltip=[
            alt.Tooltip("n_accelerators:Q", title="accelerators", format=","),
            alt.Tooltip("quantity:N"), alt.Tooltip("time_min:Q", title="minutes", format=".3g"),
        ],
    ).properties(width=_WIDTH, height=_HEIGHT,
                 title="Failures arrive faster than checkpoints can keep up")


def requirements_chart(frame, value, title):
    """A requirement (time or bandwidth) against job size, one line per series.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table with ``n_accelerators``, ``series`` (label) and the ``value`` column.
    value : str
        Column to plot, e.g. ``"write_bandwidth_byte_per_s"`` or ``"checkpoint_time_s"``;
        its unit suffix becomes the axis unit.
    title : str
        Axis title including the unit, e.g. ``"required write bandwidth [byte/s]"``.

    Returns
    -------
    altair.Chart
    """
    import altair as alt

    require_columns(frame, ["n_accelerators", "series", value], "frame")
    return alt.Chart(frame.dropna(subset=[value])).mark_line(point=True).encode(
        x=_n_axis(),
        y=alt.Y(f"{value}:Q", title=title, scale=alt.Scale(type="log"),
                axis=alt.Axis(format="~s")),
        color=alt.Color("series:N", title=None),
        tooltip=[
            alt.Tooltip("n_accelerators:Q", title="accelerators", format=","),
            alt.Tooltip("series:N"), alt.Tooltip(f"{value}:Q", title=title, format=".3s"),
        ],
    ).properties(width=_WIDTH, height=_HEIGHT)
