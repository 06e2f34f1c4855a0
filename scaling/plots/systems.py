"""Charts comparing named AI systems (tables from :mod:`scaling.studies.systems`).

Each function takes a finished table and returns an Altair chart; Altair is imported inside
the functions so ``import scaling`` stays fast. Nothing here computes science beyond reshaping.
"""

from __future__ import annotations

from scaling._validation import require_columns
from scaling.plots import axis_title

__all__ = [
    "flop_per_s_chart",
    "time_sensitivity_chart",
    "trainable_model_chart",
    "time_interval_chart",
]

_WIDTH = 460
_HEIGHT = 280


#: The three kinds of figure :func:`flop_per_s_chart` draws, each with its own mark.
FIGURE_SHAPES = {"dense peak": "diamond", "sustained in training": "circle",
                 "published figure": "triangle-up"}


def _figure_kind(table):
    """Dense peak, sustained in training or published figure, per row of the table."""
    kind = table["measure"].map(lambda measure: "sustained in training"
                                if str(measure).startswith("sustained") else "dense peak")
    return kind.where(table["kind"] != "published", "published figure")


def flop_per_s_chart(table):
    """Published headline figures against dense peaks and sustained training rates.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.systems.precision_comparison` output (columns ``system``, ``measure``,
        ``precision``, ``sparse``, ``kind``, ``flop_per_s`` [FLOP/s],
        ``ratio_to_sustained_bf16``).

    Returns
    -------
    altair.LayerChart
        One row per system, log x axis, colour by precision; the dense peak (hollow diamond),
        the sustained training rate (filled circle) and published figures (triangles) are
        three marks (:data:`FIGURE_SHAPES`), and a grey line per system spans its sustained
        bf16 rate to its dense bf16 peak (the gap is the MFU); tooltips give the measure
        and the ratio to the sustained bf16 rate.
    """
    import altair as alt

    require_columns(table, ["system", "measure", "precision", "sparse", "kind", "flop_per_s",
                     "ratio_to_sustained_bf16"], "flop_per_s_chart")
    data = table.assign(label=table["precision"] + table["sparse"].map({True: " sparse",
                                                                       False: ""}),
                        figure=_figure_kind(table))
    bf16 = data[(data["precision"] == "bf16") & data["figure"].isin(
        ["dense peak", "sustained in training"])]
    gap = bf16.groupby("system", sort=False)["flop_per_s"].agg(["min", "max"]).reset_index()
    x_title = "Throughput of the whole system [FLOP/s]"
    x = alt.X("flop_per_s:Q", scale=alt.Scale(type="log"), title=x_title)
    y = alt.Y("system:N", title="System", sort=list(dict.fromkeys(data["system"])))
    span = alt.Chart(gap).mark_rule(color="#bbbbbb", strokeWidth=3).encode(
        x=alt.X("min:Q", scale=alt.Scale(type="log"), title=x_title), x2="max:Q", y=y)
    figures = list(FIGURE_SHAPES)
    shape = alt.Shape("figure:N", title="Figure", scale=alt.Scale(
        domain=figures, range=[FIGURE_SHAPES[name] for name in figures]))
    tooltip = [
        alt.Tooltip("system:N"), alt.Tooltip("measure:N"), alt.Tooltip("figure:N"),
        alt.Tooltip("label:N", title="precision"),
        alt.Tooltip("flop_per_s:Q", title="FLOP/s", format=".3~e"),
        alt.Tooltip("ratio_to_sustained_bf16:Q", title="x sustained bf16", format=".3~g"),
    ]
    base = alt.Chart(data).encode(x=x, y=y, color=alt.Color("label:N", title="Precision"),
                                  shape=shape, tooltip=tooltip)
    peaks = base.transform_filter(alt.datum.figure == "dense peak").mark_point(
        size=150, filled=False, strokeWidth=2.5)
    others = base.transform_filter(alt.datum.figure != "dense peak").mark_point(
        size=120, filled=True, opacity=0.9)
    return alt.layer(span, peaks, others).properties(
        width=_WIDTH, height=_HEIGHT,
        title="Same machines, different numbers: headline vs dense peak vs sustained")


def time_sensitivity_chart(table, *, reported_days=None):
    """Wall-clock time of one run against MFU, per system and precision.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.run_time.time_by_mfu_and_precision` output (``system``,
        ``precision``, ``mfu``, ``time_days`` [days]).
    reported_days : float or None
        Draw a horizontal rule at this duration (e.g. GPT-4's reported 90-100 days). [days]

    Returns
    -------
    altair.Chart or altair.LayerChart
        Log y axis; a dropdown selects the precision; tooltips on points.
    """
    import altair as alt
    import pandas as pd

    require_columns(table, ["system", "precision", "mfu", "time_days"], "time_sensitivity_chart")
    choice = alt.selection_point(
        fields=["precision"], bind=alt.binding_select(options=sorted(table["precision"].unique()),
                                                      name="Precision "),
        value=[{"precision": "bf16"}])
    tooltip = [alt.Tooltip("system:N"), alt.Tooltip("precision:N"),
               alt.Tooltip("mfu:Q", format=".2f"),
               alt.Tooltip("time_days:Q", title="days", format=".3~g")]
    if "goodput" in table.columns:
        tooltip.append(alt.Tooltip("goodput:Q", format=".3f"))
    lines = alt.Chart(table).mark_line(point=True).encode(
        x=alt.X("mfu:Q", scale=alt.Scale(zero=False, nice=False),
                title="Model FLOP utilisation MFU [fraction of dense peak]"),
        y=alt.Y("time_days:Q", scale=alt.Scale(type="log"), title=axis_title("Wall-clock time", "time_days")),
        color=alt.Color("system:N", title="System"),
        tooltip=tooltip,
    ).add_params(choice).transform_filter(choice)
    chart = lines
    if reported_days is not None:
        rule = alt.Chart(pd.DataFrame({"time_days": [float(reported_days)],
                                       "label": ["reported"]})).mark_rule(
            strokeDash=[6, 3], color="gray").encode(
            y="time_days:Q", tooltip=[alt.Tooltip("label:N"),
                                      alt.Tooltip("time_days:Q", title="days")])
        chart = alt.layer(lines, rule)
    return chart.properties(width=_WIDTH, height=_HEIGHT,
                            title="GPT-4-scale run: time vs MFU (choose the precision)")


def trainable_model_chart(table, days=(30, 100)):
    """Largest compute-optimal model each system trains in a fixed wall-clock time.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.systems.compare_systems` output (index ``system``, columns
        ``n_params_<d>d`` [parameters] for each duration).
    days : sequence of float
        Durations to show (must match the table's columns). [days]

    Returns
    -------
    altair.Chart
        Points on a log axis, one per system and duration; tooltips with parameters and
        tokens.
    """
    import altair as alt
    import pandas as pd

    frames = []
    for day in days:
        label = f"{float(day):g}d"
        require_columns(table, [f"n_params_{label}", f"n_tokens_{label}"], "trainable_model_chart")
        frames.append(pd.DataFrame({
            "system": table.index, "days": f"{float(day):g} days",
            "n_params": table[f"n_params_{label}"].to_numpy(),
            "n_tokens": table[f"n_tokens_{label}"].to_numpy(),
        }))
    data = pd.concat(frames, ignore_index=True)
    return alt.Chart(data).mark_point(filled=True, size=140).encode(
        x=alt.X("n_params:Q", scale=alt.Scale(type="log", zero=False),
                axis=alt.Axis(format=".0e"),
                title=axis_title("Largest compute-optimal model N_opt", "n_params")),
        y=alt.Y("system:N", title="System", sort=None),
        color=alt.Color("days:N", title="Wall-clock budget"),
        shape=alt.Shape("days:N", title="Wall-clock budget"),
        tooltip=[alt.Tooltip("system:N"), alt.Tooltip("days:N"),
                 alt.Tooltip("n_params:Q", title="N_opt [parameters]", format=".3~e"),
                 alt.Tooltip("n_tokens:Q", title="D_opt [tokens]", format=".3~e")],
    ).properties(width=_WIDTH, height=_HEIGHT,
                 title="What each system trains compute-optimally (Chinchilla, with goodput)")


def time_interval_chart(table, *, low="time_days_p5", mid="time_days_p50",
                        high="time_days_p95"):
    """Median and interval of a run's wall-clock time per system.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.run_time.run_time_quantiles` output (index ``system``, columns named
        by ``low``, ``mid``, ``high`` [days]).

    Returns
    -------
    altair.LayerChart
        Log x axis; rule from ``low`` to ``high`` and a point at ``mid``; tooltips.
    """
    import altair as alt

    require_columns(table, [low, mid, high], "time_interval_chart")
    data = table.reset_index()
    x = alt.X(f"{low}:Q", scale=alt.Scale(type="log"), title=axis_title("Wall-clock time", "time_days"))
    tooltip = [alt.Tooltip("system:N"),
               alt.Tooltip(f"{low}:Q", title="P5 [days]", format=".3~g"),
               alt.Tooltip(f"{mid}:Q", title="P50 [days]", format=".3~g"),
               alt.Tooltip(f"{high}:Q", title="P95 [days]", format=".3~g")]
    base = alt.Chart(data)
    rule = base.mark_rule(strokeWidth=3).encode(
        x=x, x2=f"{high}:Q", y=alt.Y("system:N", title="System", sort=None), tooltip=tooltip)
    point = base.mark_point(filled=True, size=100, color="black").encode(
        x=alt.X(f"{mid}:Q", scale=alt.Scale(type="log")), y=alt.Y("system:N", sort=None),
        tooltip=tooltip)
    return alt.layer(rule, point).properties(
        width=_WIDTH, height=_HEIGHT,
        title="GPT-4-scale run: median and 90% interval (compute, MFU, failure rate)")
