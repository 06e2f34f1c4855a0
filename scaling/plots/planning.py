"""Charts of the enterprise right-sizing plan (tables from :mod:`scaling.studies.planning`).

Each function takes a finished table and returns an Altair chart; Altair is imported inside
the functions so ``import scaling`` stays fast.
"""

from __future__ import annotations

from scaling._validation import require_columns

__all__ = [
    "buy_vs_rent_chart",
    "accelerator_cost_chart",
]

_WIDTH = 460
_HEIGHT = 300

_OPTION_LABELS = {
    "own": "own: capex + colocation + power",
    "on_demand": "rent on demand",
    "1yr": "rent, 1-year commitment",
    "3yr": "rent, 3-year commitment",
}


def buy_vs_rent_chart(table, *, title="Cumulative cost of owning versus renting"):
    """Cumulative cost of each option against months in service.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.planning.buy_vs_rent` output: ``month``, ``option``, ``cost_usd``.
    title : str
        Chart title.

    Returns
    -------
    altair.Chart
        One line per option; a legend click highlights an option; tooltips give the month
        and the cost in USD millions.
    """
    import altair as alt

    require_columns(table, ["month", "option", "cost_usd"], "buy_vs_rent_chart")
    data = table.assign(
        option_label=table["option"].map(_OPTION_LABELS).fillna(table["option"]),
        cost_musd=table["cost_usd"] / 1e6,
    )
    pick = alt.selection_point(fields=["option_label"], bind="legend")
    return alt.Chart(data).mark_line().encode(
        x=alt.X("month:Q", title="Months in service [months]"),
        y=alt.Y("cost_musd:Q", title="Cumulative cost [million USD]"),
        color=alt.Color("option_label:N", title="Option"),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2)),
        tooltip=[
            alt.Tooltip("option_label:N", title="option"),
            alt.Tooltip("month:Q", title="month"),
            alt.Tooltip("cost_musd:Q", title="cost [M USD]", format=".2f"),
        ],
    ).add_params(pick).properties(width=_WIDTH, height=_HEIGHT, title=title)


def accelerator_cost_chart(table, *, title="Three-year cost per accelerator choice"):
    """Cost of owning and of renting on demand over the horizon, per accelerator.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`scaling.studies.planning.compare_accelerators` output: ``accelerator``,
        ``n_accelerators``, ``own_cost_usd``, ``rent_on_demand_cost_usd``.
    title : str
        Chart title.

    Returns
    -------
    altair.Chart
        Grouped bars [million USD] with tooltips (accelerator count, cost).
    """
    import altair as alt

    require_columns(table, ["accelerator", "n_accelerators", "own_cost_usd",
                     "rent_on_demand_cost_usd"], "accelerator_cost_chart")
    long = table.melt(id_vars=["accelerator", "n_accelerators"],
                      value_vars=["own_cost_usd", "rent_on_demand_cost_usd"],
                      var_name="option", value_name="cost_usd")
    long["option"] = long["option"].map({"own_cost_usd": _OPTION_LABELS["own"],
                                         "rent_on_demand_cost_usd": _OPTION_LABELS["on_demand"]})
    long["cost_musd"] = long["cost_usd"] / 1e6
    return alt.Chart(long).mark_bar().encode(
        x=alt.X("accelerator:N", title="Accelerator"),
        xOffset="option:N",
        y=alt.Y("cost_musd:Q", title="Cost over the horizon [million USD]"),
        color=alt.Color("option:N", title="Option"),
        tooltip=[
            alt.Tooltip("accelerator:N"),
            alt.Tooltip("n_accelerators:Q", title="accelerators [count]"),
            alt.Tooltip("option:N"),
            alt.Tooltip("cost_musd:Q", title="cost [M USD]", format=".2f"),
        ],
    ).properties(width=_WIDTH, height=_HEIGHT, title=title)
