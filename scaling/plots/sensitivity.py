"""The tornado chart of a one-at-a-time sensitivity table (:func:`scaling.sensitivity`)."""

from __future__ import annotations

from scaling._validation import require_columns

__all__ = ["tornado_chart"]

_WIDTH = 460


def tornado_chart(table, *, title="What moves the answer most", output_title="output",
                  scale=1.0, log=False):
    """Tornado chart: one bar per input, from its low-case to its high-case output.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.sensitivity` output (``input``, ``low_setting``, ``high_setting``,
        ``output_base``, ``output_low``, ``output_high``, ``swing``; with several outputs an
        ``output`` column, one panel per output).
    title : str
        Chart title.
    output_title : str
        Axis title of the output, units in brackets (after ``scale``).
    scale : float
        The outputs are divided by it (e.g. 1e9 to show GW from W).
    log : bool
        Log x axis (for outputs spanning orders of magnitude; all must be positive).

    Returns
    -------
    altair.LayerChart or altair.FacetChart
        Bars sorted by swing, a black tick at the baseline, tooltips with the settings.
    """
    import altair as alt

    require_columns(table, ["input", "low_setting", "high_setting", "output_base",
                            "output_low", "output_high", "swing"], "tornado_chart")
    data = table.copy()
    for column in ("output_base", "output_low", "output_high", "swing"):
        data[column] = data[column] / scale
    data["from"] = data[["output_low", "output_high"]].min(axis=1)
    data["to"] = data[["output_low", "output_high"]].max(axis=1)
    x_scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    y = alt.Y("input:N", sort=alt.SortField("swing", order="descending"), title=None)
    tooltip = [
        alt.Tooltip("input:N"),
        alt.Tooltip("low_setting:N", title="low case"),
        alt.Tooltip("output_low:Q", title="output, low case", format=".3g"),
        alt.Tooltip("high_setting:N", title="high case"),
        alt.Tooltip("output_high:Q", title="output, high case", format=".3g"),
        alt.Tooltip("output_base:Q", title="baseline", format=".3g"),
        alt.Tooltip("swing:Q", title="swing |high - low|", format=".3g"),
    ]
    bars = alt.Chart().mark_bar(opacity=0.75).encode(
        x=alt.X("from:Q", scale=x_scale, title=output_title), x2="to:Q", y=y, tooltip=tooltip)
    base = alt.Chart().mark_tick(color="black", thickness=2, size=22).encode(
        x=alt.X("output_base:Q", scale=x_scale), y=y, tooltip=tooltip)
    n_inputs = data["input"].nunique()
    layer = alt.layer(bars, base, data=data).properties(width=_WIDTH,
                                                        height=26 * n_inputs + 20)
    if "output" in data.columns:
        return layer.facet(row=alt.Row("output:N", title=None)).resolve_scale(
            x="independent").properties(title=title)
    return layer.properties(title=title)
