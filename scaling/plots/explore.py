"""Charts for exploring what-ifs: two whose sliders work in a static HTML page, and the
dollars of one run (:func:`run_cost_chart`).

The slider charts carry their data and bind Vega-Lite parameters to HTML inputs
(``alt.param(bind=alt.binding_range(...))``), so a reader of the report moves them without a
kernel:

* :func:`mfu_slider_chart`: time and amortised cost against model size, rescaled in the
  browser to the MFU on the slider. Exact, not an approximation: in the chain the time
  :math:`t = C / (n P \\mathrm{MFU}\\, G)` is inversely proportional to MFU (goodput depends on
  the accelerator count, checkpoint and restart, not on MFU), and the amortised cost
  (hardware depreciated over t, plus energy P t) and the rent are proportional to t.
* :func:`goodput_slider_chart`: goodput against job size for the restart time and
  failure-rate multiplier on two sliders, picked from a grid the library computed
  (:func:`scaling.studies.explorer.goodput_grid`); nothing is recomputed in the browser.

Tables come from :mod:`scaling.studies.explorer` (the slider charts) and
:meth:`scaling.apps.explorer.WhatIf.cost_breakdown` (the run's dollars); nothing here computes
science beyond reshaping.
"""

from __future__ import annotations

import numpy as np

from scaling._validation import require_columns, unknown_name
from scaling.plots import axis_title

__all__ = ["mfu_slider_chart", "goodput_slider_chart", "run_cost_chart"]

_WIDTH = 300
_HEIGHT = 240
#: Name of the MFU parameter in the chart's Vega expressions.
MFU_PARAM = "mfu_setting"
#: Names of the goodput chart's parameters.
RESTART_PARAM = "restart_setting"
FAILURE_PARAM = "failure_setting"
_TITLES = {
    "time_days": axis_title("wall-clock time", "time_days"),
    "amortized_cost_usd": axis_title("amortised hardware + energy", "amortized_cost_usd"),
    "rental_cost_usd": axis_title("cloud rental", "rental_cost_usd"),
    "accelerator_hours": axis_title("accelerator time", "accelerator_hours"),
}


def mfu_slider_chart(table, *, quantities=("time_days", "amortized_cost_usd"), mfu=0.4,
                     mfu_range=(0.1, 0.8), step=0.01):
    """Time (and dollars) against model size, with an MFU slider that works in static HTML.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.explorer.size_sweep` output (forecast rows): ``cluster``,
        ``n_params``, ``mfu``, ``goodput``, ``goodput_at_fixed_mfu`` and the ``quantities``.
    quantities : sequence of str
        Columns proportional to wall-clock time, one panel each (``time_days``,
        ``amortized_cost_usd``, ``rental_cost_usd``, ``accelerator_hours``).
    mfu : float
        Starting value of the slider, in (0, 1].
    mfu_range : (float, float)
        Slider range.
    step : float
        Slider step.

    Returns
    -------
    altair.HConcatChart
        One panel per quantity; solid lines at the slider's MFU (every cluster at that MFU),
        dashed lines at each cluster's own MFU (the table's values).

    Notes
    -----
    .. math:: q(\\mathrm{MFU}) = q_0 \\, \\mathrm{MFU}_0 \\, G_0 / (\\mathrm{MFU} \\, G_\\mathrm{fixed})

    with :math:`G_0` the row's goodput and :math:`G_\\mathrm{fixed}` the goodput with every
    accelerator in the job (a set MFU), so the solid lines are the chain's answers exactly.
    """
    import altair as alt

    quantities = list(quantities)
    unknown = [q for q in quantities if q not in _TITLES]
    if unknown:
        raise unknown_name("quantity", unknown[0], list(_TITLES))
    columns = ["cluster", "n_params", "mfu", "goodput", "goodput_at_fixed_mfu", *quantities]
    require_columns(table, columns, "table")
    data = table[columns].copy()
    setting = alt.param(name=MFU_PARAM, value=float(mfu), bind=alt.binding_range(
        min=float(mfu_range[0]), max=float(mfu_range[1]), step=float(step),
        name="MFU of every cluster "))
    x = alt.X("n_params:Q", title=axis_title("model size", "n_params"), scale=alt.Scale(type="log"),
              axis=alt.Axis(format=".0e"))
    color = alt.Color("cluster:N", title="cluster")
    panels = []
    for k, quantity in enumerate(quantities):
        base = alt.Chart(data).transform_calculate(
            at_setting=f"datum.{quantity} * datum.mfu * datum.goodput"
                       f" / ({MFU_PARAM} * datum.goodput_at_fixed_mfu)")
        y_title = _TITLES[quantity]
        moved = base.mark_line(point=True).encode(
            x=x, y=alt.Y("at_setting:Q", title=y_title, scale=alt.Scale(type="log")),
            color=color,
            tooltip=[alt.Tooltip("cluster:N"), alt.Tooltip("n_params:Q", format=".3s"),
                     alt.Tooltip("mfu:Q", title="cluster's MFU", format=".2f"),
                     alt.Tooltip("at_setting:Q", title=f"{y_title} at the slider's MFU",
                                 format=".3s")])
        own = base.mark_line(strokeDash=[4, 3], opacity=0.45).encode(
            x=x, y=alt.Y(f"{quantity}:Q"), color=color)
        layer = alt.layer(own, moved).properties(width=_WIDTH, height=_HEIGHT,
                                                 title=y_title.split(" [")[0])
        if k == 0:
            layer = layer.add_params(setting)
        panels.append(layer)
    return alt.hconcat(*panels).properties(
        title="Dashed: each cluster at its own MFU; solid: every cluster at the slider's MFU")


def _binding(values: np.ndarray, label: str):
    """A range slider over evenly spaced values, else a drop-down of them."""
    import altair as alt

    values = np.unique(values)
    if values.size > 2 and np.allclose(np.diff(values), values[1] - values[0]):
        return alt.binding_range(min=float(values[0]), max=float(values[-1]),
                                 step=float(values[1] - values[0]), name=label)
    return alt.binding_select(options=[float(v) for v in values], name=label)


def _nearest(values: np.ndarray, target: float) -> float:
    values = np.unique(values)
    return float(values[np.argmin(np.abs(values - target))])


def goodput_slider_chart(grid, *, restart_time_s=150.0, failure_rate_multiplier=1.0,
                         threshold=0.9):
    """Goodput against job size with restart-time and failure-rate sliders (static HTML).

    Parameters
    ----------
    grid : pandas.DataFrame
        :func:`scaling.studies.explorer.goodput_grid` output: ``n_accelerators``,
        ``restart_time_s``, ``failure_rate_multiplier``, ``goodput``.
    restart_time_s, failure_rate_multiplier : float
        Starting values of the sliders (the nearest grid values); the grey line stays there.
    threshold : float or None
        Goodput drawn as a horizontal rule (e.g. 0.9).

    Returns
    -------
    altair.LayerChart
    """
    import altair as alt

    require_columns(grid, ["n_accelerators", "restart_time_s", "failure_rate_multiplier",
                           "goodput"], "grid")
    restarts = grid["restart_time_s"].to_numpy(dtype=float)
    multipliers = grid["failure_rate_multiplier"].to_numpy(dtype=float)
    # short field names and rounded values keep the page light (a few thousand rows)
    data = {"n": grid["n_accelerators"].to_numpy(dtype=float), "r": restarts,
            "f": multipliers, "g": np.round(grid["goodput"].to_numpy(dtype=float), 4)}
    records = [dict(zip(data, row)) for row in zip(*data.values())]
    start_restart = _nearest(restarts, restart_time_s)
    start_multiplier = _nearest(multipliers, failure_rate_multiplier)
    restart = alt.param(name=RESTART_PARAM, value=start_restart,
                        bind=_binding(restarts, "restart time [s] "))
    failure = alt.param(name=FAILURE_PARAM, value=start_multiplier,
                        bind=_binding(multipliers, "failure rate × Llama 3's "))

    def tolerance(values):
        gaps = np.diff(np.unique(values))
        return float(gaps.min() / 2) if gaps.size else 0.5

    def near(restart_value, failure_value):
        return (f"abs(datum.r - {restart_value}) < {tolerance(restarts)!r} && "
                f"abs(datum.f - {failure_value}) < {tolerance(multipliers)!r}")

    x = alt.X("n:Q", title=axis_title("accelerators in the job", "n_accelerators"), scale=alt.Scale(type="log"),
              axis=alt.Axis(format="~s"))
    y = alt.Y("g:Q", title=axis_title("goodput", "goodput"), scale=alt.Scale(domain=[0, 1]))
    base = alt.Chart()
    reference = base.transform_filter(near(repr(start_restart), repr(start_multiplier))
                                      ).mark_line(color="#bbbbbb", strokeDash=[4, 3]
                                                  ).encode(x=x, y=y)
    moved = base.transform_filter(near(RESTART_PARAM, FAILURE_PARAM)).mark_line(
        point=True, color="#1f77b4").encode(
        x=x, y=y, tooltip=[alt.Tooltip("n:Q", title="accelerators", format=","),
                           alt.Tooltip("g:Q", title="goodput", format=".3f"),
                           alt.Tooltip("r:Q", title="restart [s]"),
                           alt.Tooltip("f:Q", title="failure rate × Llama 3's")])
    layers = [reference, moved]
    if threshold is not None:
        layers.append(alt.Chart().mark_rule(color="#999999").encode(
            y=alt.datum(float(threshold))))
    # inline values: a grid of a few thousand rows is the point of the chart, not a mistake
    # that Altair's 5,000-row guard should stop
    values = alt.InlineData(values=records)
    return alt.layer(*layers, data=values).add_params(restart, failure).properties(
        width=520, height=300,
        title=(f"Goodput at the optimal checkpoint interval (grey: {start_restart:g} s "
               f"restart, {start_multiplier:g}× failure rate)"))


def run_cost_chart(table, *, title="What the cluster and this run cost"):
    """Dollars by part (build, run owned, run rented), stacked by component.

    Not a cluster's capex alone: that is :func:`scaling.plots.hardware.capex_breakdown_chart`.

    Parameters
    ----------
    table : pandas.DataFrame
        :meth:`scaling.apps.explorer.WhatIf.cost_breakdown` (``part``, ``component``,
        ``cost_usd``); its first part is building the cluster. Rows without a price (NaN)
        are left out and the title says so.
    title : str

    Returns
    -------
    altair.VConcatChart
        Capex of the cluster by component above the run's dollars (own vs rent); the two
        have their own scales (capex is often 100 times the run). Components that cost
        nothing (e.g. servers included in the chip price) are left out of the bars and the
        legend.
    """
    import altair as alt

    require_columns(table, ["part", "component", "cost_usd"], "run_cost_chart", name="table",
                    like="WhatIf.cost_breakdown()")
    cost_usd = table["cost_usd"].to_numpy(dtype=float)
    priced = table[np.isfinite(cost_usd)]
    missing = sorted(set(table["part"]) - set(priced["part"]))
    if missing:
        title = f"{title} (no catalog price for: {', '.join(missing)})"
    # a component that costs nothing (servers already in the chip price) has no bar, so it
    # gets no legend entry either
    priced = priced[priced["cost_usd"] > 0]
    build = next(iter(dict.fromkeys(table["part"])))  # the first part: building the cluster

    def bars(rows, panel_title):
        return alt.Chart(rows).mark_bar().encode(
            x=alt.X("sum(cost_usd):Q", title=axis_title("cost", "cost_usd"),
                    axis=alt.Axis(format="$.2s")),
            y=alt.Y("part:N", title=None, sort=list(dict.fromkeys(table["part"]))),
            color=alt.Color("component:N", title="component"),
            tooltip=[alt.Tooltip("part:N"), alt.Tooltip("component:N"),
                     alt.Tooltip("cost_usd:Q", title="cost [USD]", format="$,.0f")],
        ).properties(width=460, height=40 * max(1, rows["part"].nunique()),
                     title=panel_title)

    capex = bars(priced[priced["part"] == build], "building the cluster (capex)")
    run = bars(priced[priced["part"] != build], "this run: owned (amortised) or rented")
    return alt.vconcat(capex, run).resolve_scale(x="independent").properties(title=title)
