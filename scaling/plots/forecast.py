"""Altair charts of forecasts (time, energy, dollars vs model size) and of the backtest.

Each function takes a finished table (:meth:`scaling.Forecast.to_frame`, possibly
several concatenated; :meth:`scaling.studies.backtesting.Backtest.to_long`;
:func:`scaling.studies.inference.inference_tradeoff`) and returns an Altair chart. Nothing here
computes science beyond reshaping.
"""

from __future__ import annotations

from scaling._validation import require_columns
from scaling.plots import axis_title

__all__ = ["AXIS_TITLES", "band_chart", "coverage_chart", "forecast_panels",
           "inference_tradeoff_chart", "parity_chart", "prediction_interval_chart"]

_WIDTH = 300
_HEIGHT = 240

#: Colours of the runs of a parity chart (Tableau 10), paired with :data:`RUN_SHAPES`; the
#: two lengths are coprime, so colour x shape is distinct for len(RUN_COLOURS) x
#: len(RUN_SHAPES) = 70 runs.
RUN_COLOURS = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2",
               "#ff9da6", "#9d755d", "#bab0ac")
#: Shapes of the runs of a parity chart (Vega's symbol names).
RUN_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down",
              "triangle-right")

#: What the forecast columns show, in words (the unit comes from the one unit table).
_DESCRIPTIONS = {
    "n_params": "model size", "n_tokens": "training tokens", "compute_flop": "training compute",
    "loss": "predicted loss", "time_days": "wall-clock time",
    "accelerator_hours": "accelerator time", "energy_mwh": "energy at the wall",
    "facility_power_w": "average facility power", "peak_facility_power_w": "peak facility power",
    "amortized_cost_usd": "amortised hardware + energy", "rental_cost_usd": "cloud rental",
    "goodput": "goodput", "cost_usd": "cost",
}
#: Axis titles with units for the forecast columns (and ``days``, the long backtest's days).
AXIS_TITLES = {**{name: axis_title(words, name) for name, words in _DESCRIPTIONS.items()},
               "days": axis_title("wall-clock time", "time_days")}
_LOG = {"n_params", "n_tokens", "compute_flop", "time_days", "accelerator_hours", "energy_mwh",
        "amortized_cost_usd", "rental_cost_usd", "days", "cost_usd"}


def _scale(name):
    import altair as alt

    return alt.Scale(type="log") if name in _LOG else alt.Scale(zero=False)


def band_chart(frame, quantity="time_days", *, color="cluster"):
    """P50 line with a P5-P95 band of one quantity against model size.

    Parameters
    ----------
    frame : pandas.DataFrame
        Forecast frame(s) with ``n_params``, ``quantity`` and, for the band,
        ``<quantity>_ci_lower``/``_ci_upper``; ``color`` distinguishes series (e.g. cluster).
    quantity : str
        Column to plot (see :data:`AXIS_TITLES`).
    color : str
        Column for colour.

    Returns
    -------
    altair.LayerChart or altair.Chart
    """
    import altair as alt

    require_columns(frame, ["n_params", quantity, color], "band_chart")
    title = AXIS_TITLES.get(quantity, quantity)
    x = alt.X("n_params:Q", title=AXIS_TITLES["n_params"], scale=alt.Scale(type="log"),
              axis=alt.Axis(format="~s"))
    base = alt.Chart(frame).encode(x=x, color=alt.Color(f"{color}:N", title=color))
    tooltip = [alt.Tooltip(f"{color}:N"), alt.Tooltip("n_params:Q", format=".3~s"),
               alt.Tooltip(f"{quantity}:Q", title=f"{title} (P50)", format=".3~g")]
    lower, upper = f"{quantity}_ci_lower", f"{quantity}_ci_upper"
    line = base.mark_line(point=True).encode(
        y=alt.Y(f"{quantity}:Q", title=title, scale=_scale(quantity)),
        tooltip=tooltip + ([alt.Tooltip(f"{lower}:Q", title="P5", format=".3~g"),
                            alt.Tooltip(f"{upper}:Q", title="P95", format=".3~g")]
                           if lower in frame.columns else []))
    if lower not in frame.columns:
        return line.properties(width=_WIDTH, height=_HEIGHT)
    band = base.mark_area(opacity=0.2).encode(y=alt.Y(f"{lower}:Q", title=title,
                                                      scale=_scale(quantity)),
                                              y2=f"{upper}:Q")
    return alt.layer(band, line).properties(width=_WIDTH, height=_HEIGHT)


def forecast_panels(frame, quantities=("time_days", "energy_mwh", "amortized_cost_usd"), *,
                    color="cluster"):
    """Side-by-side :func:`band_chart` panels (one per quantity)."""
    import altair as alt

    return alt.hconcat(*[band_chart(frame, q, color=color) for q in quantities])


def parity_chart(long, quantity="accelerator_hours", *, band=1.25, title=None):
    """Predicted versus reported on log axes with the y = x line and a ``band``-fold band.

    Every run has its own colour and shape pair (:data:`RUN_COLOURS` x :data:`RUN_SHAPES`,
    distinct for up to 70 runs), so the legend names each point.

    Parameters
    ----------
    long : pandas.DataFrame
        :meth:`scaling.studies.backtesting.Backtest.to_long` output (``name``, ``quantity``,
        ``predicted``, ``reported``, ``ratio``, ``fold_error``; with an optional ``method``
        column).
    quantity : str
        ``"accelerator_hours"``, ``"days"`` or ``"cost_usd"``.
    band : float
        Fold band drawn around parity (default 1.25x).
    title : str, optional
        Chart title; by default the quantity, and the method when ``long`` holds one
        ``method`` only (so two panels of two methods get two titles).

    Returns
    -------
    altair.LayerChart
    """
    import altair as alt
    import numpy as np
    import pandas as pd

    require_columns(long, ["name", "quantity", "predicted", "reported", "ratio"], "parity_chart")
    data = long[long["quantity"] == quantity]
    if data.empty:
        raise ValueError(f"no rows for quantity {quantity!r}; have {sorted(set(long['quantity']))}")
    lo = float(min(data["predicted"].min(), data["reported"].min())) / 2
    hi = float(max(data["predicted"].max(), data["reported"].max())) * 2
    grid = np.geomspace(lo, hi, 20)
    lines = pd.concat([pd.DataFrame({"reported": grid, "predicted": grid * k, "line": name})
                       for k, name in ((1.0, "parity"), (band, f"{band}x"),
                                       (1 / band, f"1/{band}x"))])
    axis = AXIS_TITLES.get(quantity, quantity)
    scale = alt.Scale(type="log", domain=[lo, hi])
    guide = alt.Chart(lines).mark_line(strokeDash=[4, 4], color="gray").encode(
        x=alt.X("reported:Q", scale=scale), y=alt.Y("predicted:Q", scale=scale),
        detail="line:N")
    runs = sorted(set(long["name"]))  # the same run keeps its mark in every panel
    legend = alt.Legend(title="run", symbolLimit=0, columns=max(1, -(-len(runs) // 24)))
    points = alt.Chart(data).mark_point(filled=True, size=80).encode(
        x=alt.X("reported:Q", title=f"reported {axis}", scale=scale),
        y=alt.Y("predicted:Q", title=f"predicted {axis}", scale=scale),
        color=alt.Color("name:N", legend=legend, scale=alt.Scale(domain=runs, range=[
            RUN_COLOURS[k % len(RUN_COLOURS)] for k in range(len(runs))])),
        shape=alt.Shape("name:N", legend=legend, scale=alt.Scale(domain=runs, range=[
            RUN_SHAPES[k % len(RUN_SHAPES)] for k in range(len(runs))])),
        tooltip=[alt.Tooltip("name:N"), alt.Tooltip("reported:Q", format=".3~g"),
                 alt.Tooltip("predicted:Q", format=".3~g"),
                 alt.Tooltip("ratio:Q", title="predicted / reported", format=".2f")])
    if title is None:
        methods = sorted(set(data["method"])) if "method" in data.columns else []
        title = f"{axis}: predicted vs reported" + (f" ({methods[0]})" if len(methods) == 1
                                                     else "")
    return alt.layer(guide, points).properties(width=_WIDTH + 60, height=_HEIGHT + 60,
                                               title=title)


def inference_tradeoff_chart(table):
    """Inference-aware optimal size against lifetime inference demand, with Chinchilla's.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.inference.inference_tradeoff` output (``inference_tokens``,
        ``n_params``, ``chinchilla_n_params``, ``total_flop_saving_fraction``).

    Returns
    -------
    altair.LayerChart
    """
    import altair as alt

    require_columns(table, ["inference_tokens", "n_params", "chinchilla_n_params",
                     "total_flop_saving_fraction"], "inference_tradeoff_chart")
    long = table.melt(id_vars=["inference_tokens", "total_flop_saving_fraction"],
                      value_vars=["n_params", "chinchilla_n_params"], var_name="policy",
                      value_name="model_size")
    long["policy"] = long["policy"].map({"n_params": "inference-aware (Sardana et al. 2024)",
                                         "chinchilla_n_params": "Chinchilla-optimal"})
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("inference_tokens:Q", title="lifetime inference demand [tokens]",
                scale=alt.Scale(type="log"), axis=alt.Axis(format="~s")),
        y=alt.Y("model_size:Q", title=AXIS_TITLES["n_params"], scale=alt.Scale(type="log"),
                axis=alt.Axis(format="~s")),
        color=alt.Color("policy:N", title=None, legend=alt.Legend(labelLimit=400)),
        tooltip=[alt.Tooltip("inference_tokens:Q", format=".3~s"),
                 alt.Tooltip("model_size:Q", format=".3~s"), alt.Tooltip("policy:N"),
                 alt.Tooltip("total_flop_saving_fraction:Q", title="lifetime FLOP saved",
                             format=".1%")],
    ).properties(width=_WIDTH + 100, height=_HEIGHT, title="Same loss, less lifetime compute")


def prediction_interval_chart(bands):
    """Predicted against reported with each prediction's P5-P95 as a bar (log axes).

    Parameters
    ----------
    bands : pandas.DataFrame
        :func:`scaling.studies.efficiency.leave_one_out_bands` (``name``, ``reported_hours``,
        ``predicted_hours``, ``p5_hours``, ``p95_hours``, ``covered``).

    Returns
    -------
    altair.LayerChart
        One row per run, sorted by reported hours: the P5-P95 bar, the prediction (point) and
        the report (tick), coloured by whether the band covers it.
    """
    import altair as alt

    require_columns(bands, ["name", "reported_hours", "predicted_hours", "p5_hours",
                            "p95_hours", "covered"], "prediction_interval_chart")
    data = bands.assign(band=bands["covered"].map({True: "inside P5-P95",
                                                   False: "outside P5-P95"}))
    order = list(data.sort_values("reported_hours")["name"])
    y = alt.Y("name:N", sort=order, title=None)
    scale = alt.Scale(type="log")
    color = alt.Color("band:N", title="report", scale=alt.Scale(
        domain=["inside P5-P95", "outside P5-P95"], range=["#4c78a8", "#e45756"]))
    bar = alt.Chart(data).mark_rule(strokeWidth=3, opacity=0.45).encode(
        y=y, x=alt.X("p5_hours:Q", scale=scale, title="accelerator-hours"), x2="p95_hours:Q")
    point = alt.Chart(data).mark_point(filled=True, size=50, color="black").encode(
        y=y, x=alt.X("predicted_hours:Q", scale=scale),
        tooltip=[alt.Tooltip("name:N"), alt.Tooltip("predicted_hours:Q", format=".3~g"),
                 alt.Tooltip("p5_hours:Q", format=".3~g"),
                 alt.Tooltip("p95_hours:Q", format=".3~g"),
                 alt.Tooltip("reported_hours:Q", format=".3~g")])
    tick = alt.Chart(data).mark_tick(thickness=3, size=14).encode(
        y=y, x=alt.X("reported_hours:Q", scale=scale), color=color)
    return alt.layer(bar, point, tick).properties(
        width=_WIDTH + 160, height=max(_HEIGHT, 13 * len(data)),
        title="accelerator-hours out of sample: prediction (dot), P5-P95 (bar), report (tick)")


def coverage_chart(table):
    """Out-of-sample coverage of central intervals against their nominal level.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.efficiency.coverage_table` (``nominal``, ``covered``).

    Returns
    -------
    altair.LayerChart
        Coverage (points and line) beside the diagonal a calibrated band follows.
    """
    import altair as alt
    import pandas as pd

    require_columns(table, ["nominal", "covered"], "coverage_chart")
    axis = alt.Scale(domain=[0, 1])
    diagonal = alt.Chart(pd.DataFrame({"nominal": [0.0, 1.0], "covered": [0.0, 1.0]})).mark_line(
        strokeDash=[4, 4], color="gray").encode(x=alt.X("nominal:Q", scale=axis),
                                                y=alt.Y("covered:Q", scale=axis))
    points = alt.Chart(table).mark_line(point=True).encode(
        x=alt.X("nominal:Q", title="nominal level of the central interval", scale=axis,
                axis=alt.Axis(format="%")),
        y=alt.Y("covered:Q", title="share of runs inside it (leave-one-out)", scale=axis,
                axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("nominal:Q", format=".0%"), alt.Tooltip("covered:Q", format=".0%")])
    return alt.layer(diagonal, points).properties(width=_HEIGHT, height=_HEIGHT,
                                                  title="coverage against nominal")
