"""Charts of what limits utilisation (tables from :mod:`scaling.studies.utilisation`).

Each function takes a finished table and returns an Altair chart; Altair is imported inside
the functions so ``import scaling`` stays fast. Nothing here computes science beyond reshaping.
"""

from __future__ import annotations

from scaling._validation import require_columns
from scaling.plots import axis_title
from scaling.units import SECONDS_PER_DAY

__all__ = ["SHARE_SUFFIX", "breakdown_chart", "scaling_curve_chart", "interconnect_chart"]

#: Suffix of the columns of a breakdown table that hold one component's share of a step
#: (``"compute share"``, ``"bubble share"``, ...).
SHARE_SUFFIX = " share"

_WIDTH = 460
_HEIGHT = 260


def breakdown_chart(table, components=None):
    """Where the step time goes, per model and system (stacked shares of one step).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.utilisation.breakdown_table` output (``model``, ``system`` and
        one ``"<component> share"`` column per step-time component).
    components : sequence of str, optional
        The components to stack, in display order (``"compute"``, ``"bubble"``, ...); None:
        every ``"<component> share"`` column of the table, in the table's order.

    Returns
    -------
    altair.Chart
    """
    import altair as alt

    if components is None:
        components = [c.removesuffix(SHARE_SUFFIX) for c in table.columns
                      if c.endswith(SHARE_SUFFIX)]
    shares = [f"{label}{SHARE_SUFFIX}" for label in components]
    require_columns(table, ["model", "system", *shares], "breakdown_chart")
    if not shares:
        raise ValueError("breakdown_chart: the table has no '<component> share' columns")
    data = table.dropna(subset=shares).assign(run=lambda f: f["model"] + " on " + f["system"])
    long = data.melt(id_vars=["run"], value_vars=shares, var_name="component",
                     value_name="share")
    long["component"] = long["component"].str.removesuffix(SHARE_SUFFIX)
    return alt.Chart(long).mark_bar().encode(
        x=alt.X("share:Q", stack="zero", title="share of one training step",
                axis=alt.Axis(format="%")),
        y=alt.Y("run:N", title=None, sort=None),
        color=alt.Color("component:N", sort=list(components), title="step time"),
        order=alt.Order("component:N"),
        tooltip=["run:N", "component:N", alt.Tooltip("share:Q", format=".1%")],
    ).properties(width=_WIDTH, height=_HEIGHT,
                 title="Where the step time goes (step-time model, best plan that fits)")


def scaling_curve_chart(curves):
    """Training time against accelerators for one run per model (log-log).

    Parameters
    ----------
    curves : pandas.DataFrame
        Concatenated :func:`scaling.studies.utilisation.scaling_curve` outputs (``model``,
        ``n_accelerators``, ``training_time_s``, ``mfu``, ``n_accelerators_used``).

    Returns
    -------
    altair.Chart
        Training time [days] against the accelerators given; where the line flattens, more
        accelerators stop helping (the batch-size wall).
    """
    import altair as alt

    require_columns(curves, ["model", "n_accelerators", "training_time_s", "mfu",
                             "n_accelerators_used"], "scaling_curve_chart")
    data = curves.dropna(subset=["training_time_s"]).assign(
        training_time_days=lambda f: f["training_time_s"] / SECONDS_PER_DAY)
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("n_accelerators:Q", scale=alt.Scale(type="log"), title="accelerators given",
                axis=alt.Axis(format="~s")),
        y=alt.Y("training_time_days:Q", scale=alt.Scale(type="log"),
                title=axis_title("failure-free training time", "training_time_days")),
        color=alt.Color("model:N", title="model (compute-optimal run)"),
        tooltip=["model:N", alt.Tooltip("n_accelerators:Q", format=",.0f"),
                 alt.Tooltip("n_accelerators_used:Q", format=",.0f", title="used"),
                 alt.Tooltip("mfu:Q", format=".3f", title="whole-run MFU"),
                 alt.Tooltip("training_time_days:Q", format=".3~g", title="days")],
    ).properties(width=_WIDTH, height=_HEIGHT,
                 title="More accelerators stop helping one run: the batch-size wall")


def interconnect_chart(table):
    """Speed-up of one run from faster or slower interconnect.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.utilisation.interconnect_table` output (``variant``, ``speedup``,
        ``model``), possibly several concatenated with a ``system`` column.

    Returns
    -------
    altair.Chart
    """
    import altair as alt

    require_columns(table, ["variant", "speedup", "model"], "interconnect_chart")
    data = table.assign(run=table["model"] + (" on " + table["system"]
                                              if "system" in table.columns else ""))
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("speedup:Q", title="training-time speed-up vs as built"),
        y=alt.Y("variant:N", sort=None, title=None),
        row=alt.Row("run:N", title=None),
        tooltip=["run:N", "variant:N", alt.Tooltip("speedup:Q", format=".3f"),
                 alt.Tooltip("plan:N")],
    ).properties(width=_WIDTH, height=140, title="What interconnect buys")
