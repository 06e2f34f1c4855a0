"""Altair charts of scaling laws and their fits.

Each function takes finished tables (from :mod:`scaling.laws` / :mod:`scaling.fit`) and returns
an Altair chart; nothing here computes science.
"""

from __future__ import annotations

from scaling._validation import require_columns, unknown_name
from scaling.plots import axis_title

__all__ = ["loss_vs_compute_chart", "tokens_per_param_chart", "frontier_chart"]

_WIDTH = 520
_HEIGHT = 320


def _powers_of_ten_axis(fmt=".0e"):
    import altair as alt

    # label only the decades of a log axis (e.g. 1e+20), not every tick in between
    return alt.Axis(format=fmt, labelExpr=(
        "abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) < 1e-6 ? datum.label : ''"))


def loss_vs_compute_chart(points, frontier=None):
    """Final loss against training compute, coloured by model size, with the fitted frontier.

    Parameters
    ----------
    points : pandas.DataFrame
        Runs with ``compute_flop`` [FLOP], ``loss`` [nats/token], ``n_params`` [parameters]
        and optionally a boolean ``outlier`` (drawn as crosses).
    frontier : pandas.DataFrame, optional
        :meth:`scaling.fit.FitResult.frontier` output: ``compute_flop``, ``loss`` and
        optionally ``loss_ci_lower``, ``loss_ci_upper`` (drawn as a band).

    Returns
    -------
    altair.LayerChart
    """
    import altair as alt

    require_columns(points, ["compute_flop", "loss", "n_params"], "points")
    data = points.copy()
    if "outlier" not in data.columns:
        data["outlier"] = False
    tooltip = [
        alt.Tooltip("n_params:Q", title="parameters", format=".3s"),
        alt.Tooltip("compute_flop:Q", title="compute [FLOP]", format=".3e"),
        alt.Tooltip("loss:Q", title="loss [nats/token]", format=".3f"),
        alt.Tooltip("outlier:N"),
    ]
    x = alt.X("compute_flop:Q", title=axis_title("training compute", "compute_flop"), scale=alt.Scale(type="log"),
              axis=_powers_of_ten_axis())
    # losses span 2-5 nats (less than a decade): linear axis, not anchored at zero
    y = alt.Y("loss:Q", title=axis_title("final loss", "loss"), scale=alt.Scale(zero=False))
    runs = alt.Chart(data).mark_point(filled=True, size=30, opacity=0.8).encode(
        x=x,
        y=y,
        color=alt.Color("n_params:Q", title="parameters",
                        scale=alt.Scale(type="log", scheme="viridis"),
                        legend=alt.Legend(format=".1s")),
        shape=alt.Shape("outlier:N", title="excluded outlier",
                        scale=alt.Scale(domain=[False, True], range=["circle", "cross"])),
        tooltip=tooltip,
    )
    layers = []
    if frontier is not None:
        require_columns(frontier, ["compute_flop", "loss"], "frontier")
        if {"loss_ci_lower", "loss_ci_upper"} <= set(frontier.columns):
            layers.append(alt.Chart(frontier).mark_area(opacity=0.25, color="black").encode(
                x=x, y=alt.Y("loss_ci_lower:Q", title=axis_title("final loss", "loss"),
                             scale=alt.Scale(zero=False)),
                y2="loss_ci_upper:Q"))
        layers.append(alt.Chart(frontier).mark_line(color="black").encode(
            x=x, y=y,
            tooltip=[alt.Tooltip("compute_flop:Q", title="compute [FLOP]", format=".3e"),
                     alt.Tooltip("loss:Q", title="optimal loss [nats/token]", format=".3f")]))
    return alt.layer(runs, *layers).properties(
        width=_WIDTH, height=_HEIGHT,
        title="Chinchilla runs and the fitted compute-optimal frontier",
    )


def tokens_per_param_chart(table):
    """Compute-optimal tokens per parameter against compute, one line per parameter set.

    Parameters
    ----------
    table : pandas.DataFrame
        Long form with ``law``, ``compute_flop`` [FLOP], ``tokens_per_param`` and optionally
        ``tokens_per_param_ci_lower``, ``tokens_per_param_ci_upper`` (bands where not NaN).

    Returns
    -------
    altair.LayerChart
    """
    import altair as alt

    require_columns(table, ["law", "compute_flop", "tokens_per_param"], "table")
    x = alt.X("compute_flop:Q", title=axis_title("training compute", "compute_flop"), scale=alt.Scale(type="log"),
              axis=_powers_of_ten_axis())
    color = alt.Color("law:N", title="parameter set")
    layers = []
    if {"tokens_per_param_ci_lower", "tokens_per_param_ci_upper"} <= set(table.columns):
        banded = table.dropna(subset=["tokens_per_param_ci_lower", "tokens_per_param_ci_upper"])
        if len(banded):
            layers.append(alt.Chart(banded).mark_area(opacity=0.2).encode(
                x=x, y=alt.Y("tokens_per_param_ci_lower:Q"), y2="tokens_per_param_ci_upper:Q",
                color=color))
    layers.append(alt.Chart(table).mark_line().encode(
        x=x,
        y=alt.Y("tokens_per_param:Q", title=axis_title("optimal tokens per parameter", "tokens_per_param"),
                scale=alt.Scale(type="log")),
        color=color,
        tooltip=[alt.Tooltip("law:N", title="parameter set"),
                 alt.Tooltip("compute_flop:Q", title="compute [FLOP]", format=".3e"),
                 alt.Tooltip("tokens_per_param:Q", title="tokens per parameter", format=".1f")],
    ))
    return alt.layer(*layers).properties(
        width=_WIDTH, height=_HEIGHT, title="Compute-optimal tokens per parameter")


def frontier_chart(table, quantity="n_params"):
    """Compute-optimal model size (or tokens) against compute, one line per parameter set.

    Parameters
    ----------
    table : pandas.DataFrame
        Long form with ``law``, ``compute_flop`` [FLOP], the ``quantity`` column and
        optionally ``<quantity>_ci_lower`` / ``<quantity>_ci_upper``.
    quantity : {"n_params", "n_tokens"}
        Which allocation to draw.

    Returns
    -------
    altair.LayerChart
    """
    import altair as alt

    titles = {"n_params": axis_title("optimal model size", "n_params"),
              "n_tokens": axis_title("optimal training tokens", "n_tokens")}
    if quantity not in titles:
        raise unknown_name("quantity", quantity, sorted(titles))
    require_columns(table, ["law", "compute_flop", quantity], "table")
    x = alt.X("compute_flop:Q", title=axis_title("training compute", "compute_flop"), scale=alt.Scale(type="log"),
              axis=_powers_of_ten_axis())
    color = alt.Color("law:N", title="parameter set")
    low, high = f"{quantity}_ci_lower", f"{quantity}_ci_upper"
    layers = []
    if {low, high} <= set(table.columns):
        banded = table.dropna(subset=[low, high])
        if len(banded):
            layers.append(alt.Chart(banded).mark_area(opacity=0.2).encode(
                x=x, y=alt.Y(f"{low}:Q"), y2=f"{high}:Q", color=color))
    layers.append(alt.Chart(table).mark_line().encode(
        x=x,
        y=alt.Y(f"{quantity}:Q", title=titles[quantity], scale=alt.Scale(type="log"),
                axis=_powers_of_ten_axis(".0s")),
        color=color,
        tooltip=[alt.Tooltip("law:N", title="parameter set"),
                 alt.Tooltip("compute_flop:Q", title="compute [FLOP]", format=".3e"),
                 alt.Tooltip(f"{quantity}:Q", title=titles[quantity], format=".3s")],
    ))
    return alt.layer(*layers).properties(width=_WIDTH, height=_HEIGHT,
                                         title="Compute-optimal allocation")
