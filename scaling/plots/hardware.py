"""Altair charts of accelerators, named systems and cluster costs.

Each function takes a finished table (from :func:`scaling.studies.hardware.accelerator_landscape`,
:func:`scaling.studies.systems.compare_clusters` or :func:`scaling.studies.hardware.cluster_cost_breakdown`) and
returns an Altair chart; nothing here computes science.
"""

from __future__ import annotations

from scaling._validation import require_columns, unknown_name
from scaling.plots import axis_title

__all__ = ["landscape_chart", "named_systems_chart", "capex_breakdown_chart"]

_WIDTH = 480
_HEIGHT = 300

_LANDSCAPE_METRICS = {
    "peak_flop_per_s_per_w": axis_title("dense peak per watt of chip TDP",
                                        "peak_flop_per_s_per_w"),
    "peak_flop_per_s_per_usd": axis_title("dense peak per dollar of purchase price",
                                          "peak_flop_per_s_per_usd"),
    "peak_flop_per_s": axis_title("dense peak per chip", "peak_flop_per_s"),
}


def landscape_chart(landscape, metric="peak_flop_per_s_per_w"):
    """Accelerator efficiency over time, one point per chip, coloured by vendor.

    Parameters
    ----------
    landscape : pandas.DataFrame
        :func:`scaling.studies.hardware.accelerator_landscape` output.
    metric : {"peak_flop_per_s_per_w", "peak_flop_per_s_per_usd", "peak_flop_per_s"}
        Column on the (log) y axis. Rows where it is NaN (no published price) are dropped.

    Returns
    -------
    altair.Chart
    """
    import altair as alt

    if metric not in _LANDSCAPE_METRICS:
        raise unknown_name("metric", metric, sorted(_LANDSCAPE_METRICS))
    require_columns(landscape, ["name", "vendor", "release_date", metric, "tdp_estimated"], "landscape")
    data = landscape.dropna(subset=[metric]).copy()
    data["tdp"] = data["tdp_estimated"].map({True: "estimated", False: "vendor"})
    tooltip = [
        alt.Tooltip("name:N", title="accelerator"),
        alt.Tooltip("vendor:N"),
        alt.Tooltip("release_date:T", title="release", format="%Y-%m-%d"),
        alt.Tooltip("peak_flop_per_s:Q", title="dense peak [FLOP/s]", format=".3s"),
        alt.Tooltip("tdp_w:Q", title="TDP [W]", format=".0f"),
        alt.Tooltip("tdp:N", title="TDP source"),
        alt.Tooltip(f"{metric}:Q", title=_LANDSCAPE_METRICS[metric], format=".3s"),
    ]
    if "price_usd" in data.columns:
        tooltip.append(alt.Tooltip("price_usd:Q", title="price [USD]", format=",.0f"))
    base = alt.Chart(data).encode(
        x=alt.X("release_date:T", title="release date"),
        y=alt.Y(f"{metric}:Q", title=_LANDSCAPE_METRICS[metric], scale=alt.Scale(type="log"),
                axis=alt.Axis(format="~s")),
    )
    points = base.mark_point(size=90, filled=True).encode(
        color=alt.Color("vendor:N", title="vendor"),
        shape=alt.Shape("tdp:N", title="TDP"),
        tooltip=tooltip,
    )
    return points.properties(width=_WIDTH, height=_HEIGHT)


def named_systems_chart(comparison):
    """Named systems side by side: sustained FLOP/s, facility power and capex (log dot plot).

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`scaling.studies.systems.compare_clusters` output. Row order is kept (seed systems first).

    Returns
    -------
    altair.HConcatChart
    """
    import altair as alt

    require_columns(comparison, ["name", "accelerator", "n_accelerators", "status",
                          "sustained_flop_per_s", "peak_facility_power_w",
                          "modelled_capex_usd", "reported_power_w", "reported_capex_usd"],
             "comparison")
    data = comparison.copy()
    order = list(data["name"])
    tooltip = [
        alt.Tooltip("name:N", title="system"),
        alt.Tooltip("accelerator:N"),
        alt.Tooltip("n_accelerators:Q", title="accelerators", format=","),
        alt.Tooltip("status:N"),
        alt.Tooltip("sustained_flop_per_s:Q", title="sustained [FLOP/s]", format=".3s"),
        alt.Tooltip("peak_facility_power_w:Q", title="modelled peak facility [W]", format=".3s"),
        alt.Tooltip("reported_power_w:Q", title="reported power [W]", format=".3s"),
        alt.Tooltip("modelled_capex_usd:Q", title="modelled capex [USD]", format="$.3s"),
        alt.Tooltip("reported_capex_usd:Q", title="reported capex [USD]", format="$.3s"),
    ]
    y = alt.Y("name:N", title=None, sort=order)
    color = alt.Color("status:N", title="status")

    # log-scaled dot plot: bars have no meaningful baseline on a log axis
    def panel(column, title):
        return alt.Chart(data.dropna(subset=[column])).mark_circle(size=120).encode(
            x=alt.X(f"{column}:Q", title=title, scale=alt.Scale(type="log"),
                    axis=alt.Axis(format="~s")),
            y=y, color=color, tooltip=tooltip,
        ).properties(width=220, height=_HEIGHT)

    reported_power = alt.Chart(data.dropna(subset=["reported_power_w"])).mark_tick(
        color="black", thickness=2, size=18).encode(
        x=alt.X("reported_power_w:Q", scale=alt.Scale(type="log")), y=y, tooltip=tooltip)
    reported_capex = alt.Chart(data.dropna(subset=["reported_capex_usd"])).mark_tick(
        color="black", thickness=2, size=18).encode(
        x=alt.X("reported_capex_usd:Q", scale=alt.Scale(type="log")), y=y, tooltip=tooltip)
    return alt.hconcat(
        panel("sustained_flop_per_s", axis_title("sustained bf16", "sustained_flop_per_s")),
        panel("peak_facility_power_w",
              axis_title("peak facility power", "peak_facility_power_w") + " (tick: reported)")
        + reported_power,
        panel("modelled_capex_usd", axis_title("capex", "modelled_capex_usd")
              + " (tick: reported)") + reported_capex,
    )


def capex_breakdown_chart(breakdown, title="cluster cost"):
    """Cost of a cluster by component (chips, servers, network, facility, energy).

    Not the dollars of one run: those are :func:`scaling.plots.explore.run_cost_chart`.

    Parameters
    ----------
    breakdown : dict or pandas.Series
        :func:`scaling.studies.hardware.cluster_cost_breakdown` output: keys ending in ``_usd``
        (``total_usd`` and ``energy_j`` are ignored).
    title : str

    Returns
    -------
    altair.Chart
    """
    import altair as alt
    import pandas as pd

    items = {key[:-4]: float(value) for key, value in dict(breakdown).items()
             if key.endswith("_usd") and key != "total_usd"}
    if not items:
        raise ValueError("breakdown has no '<component>_usd' entries")
    total = sum(items.values())
    data = pd.DataFrame({"component": list(items), "cost_usd": list(items.values())})
    data["share"] = data["cost_usd"] / total
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("cost_usd:Q", title=axis_title("cost", "cost_usd")),
        y=alt.Y("component:N", title=None, sort=list(items)),
        color=alt.Color("component:N", legend=None),
        tooltip=[alt.Tooltip("component:N"),
                 alt.Tooltip("cost_usd:Q", title="cost [USD]", format="$.3s"),
                 alt.Tooltip("share:Q", title="share of total", format=".1%")],
    ).properties(width=_WIDTH, height=180, title=title)
