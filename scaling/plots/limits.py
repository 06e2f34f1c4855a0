"""Charts of the data wall and the power wall (tables from :mod:`scaling.studies.limits`).

Each function takes a finished table and returns an ``alt.Chart``; Altair is imported inside
the functions so ``import scaling`` stays fast.
"""

from __future__ import annotations

from scaling._validation import require_columns
from scaling.plots import axis_title
from scaling.units import DAYS_PER_YEAR

__all__ = [
    "data_wall_chart",
    "repetition_chart",
    "power_wall_chart",
    "time_to_train_chart",
]

_WIDTH = 460
_HEIGHT = 300


def _params_axis():
    import altair as alt

    return alt.X("n_params:Q", scale=alt.Scale(type="log"), title=axis_title("Model size N", "n_params"),
                 axis=alt.Axis(format="~s", tickCount=5))


def data_wall_chart(table, stocks):
    """Tokens a compute-optimal model wants against the stock of text.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``n_params`` [parameters], ``n_tokens`` [tokens] and ``law`` (one line per law),
        e.g. :func:`scaling.studies.limits.data_wall_table` rows concatenated with a ``law`` label.
    stocks : pandas.DataFrame
        Columns ``stock`` (label), ``tokens``, ``tokens_ci_lower``, ``tokens_ci_upper``
        [tokens]; each is drawn as a horizontal band with its central rule.

    Returns
    -------
    altair.LayerChart
        Log-log chart; tooltips on lines and bands.
    """
    import altair as alt

    require_columns(table, ["n_params", "n_tokens", "law"], "data_wall_chart table")
    require_columns(stocks, ["stock", "tokens", "tokens_ci_lower", "tokens_ci_upper"],
             "data_wall_chart stocks")
    x = _params_axis()
    y_title = "Training tokens [tokens]"
    band = alt.Chart(stocks).mark_rect(opacity=0.15, color="gray").encode(
        y=alt.Y("tokens_ci_lower:Q", scale=alt.Scale(type="log"), title=y_title),
        y2="tokens_ci_upper:Q",
        tooltip=[
            alt.Tooltip("stock:N", title="stock"),
            alt.Tooltip("tokens:Q", title="central [tokens]", format=".2e"),
            alt.Tooltip("tokens_ci_lower:Q", title="CI low [tokens]", format=".2e"),
            alt.Tooltip("tokens_ci_upper:Q", title="CI high [tokens]", format=".2e"),
        ],
    )
    rule = alt.Chart(stocks).mark_rule(strokeDash=[6, 3], color="gray").encode(
        y=alt.Y("tokens:Q", scale=alt.Scale(type="log")),
        tooltip=[alt.Tooltip("stock:N"), alt.Tooltip("tokens:Q", format=".2e")],
    )
    lines = alt.Chart(table).mark_line(point=True).encode(
        x=x,
        y=alt.Y("n_tokens:Q", scale=alt.Scale(type="log"), title=y_title),
        color=alt.Color("law:N", title="Scaling law"),
        tooltip=[
            alt.Tooltip("law:N"),
            alt.Tooltip("n_params:Q", title="N [parameters]", format=".2e"),
            alt.Tooltip("n_tokens:Q", title="D_opt [tokens]", format=".2e"),
        ],
    )
    label = alt.Chart(stocks).mark_text(align="left", dx=4, dy=-6, color="gray").encode(
        y=alt.Y("tokens:Q", scale=alt.Scale(type="log")), x=alt.value(4), text="stock:N")
    return alt.layer(band, rule, label, lines).properties(
        width=_WIDTH, height=_HEIGHT,
        title="Data wall: compute-optimal tokens vs the stock of public human text (band: 90% CI)",
    )


def repetition_chart(table, label="model"):
    """Loss against epochs over a fixed unique stock, with and without repetition decay.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`scaling.studies.limits.repetition_table` (columns ``epochs``, ``loss``,
        ``loss_unique_data``, ``n_tokens``); an optional ``model`` column draws one panel
        colour per model.
    label : str
        Column naming the model when several are stacked.

    Returns
    -------
    altair.LayerChart
        Loss [nats/token] vs epochs (log x); solid: repeated data, dashed: same tokens unique.
    """
    import altair as alt
    import pandas as pd

    require_columns(table, ["epochs", "loss", "loss_unique_data", "n_tokens"], "repetition_chart")
    frame = table.copy()
    if label not in frame.columns:
        frame[label] = "model"
    repeated, fresh = "repeated (Muennighoff et al. 2023)", "if every token were unique"
    long = pd.concat([
        frame.assign(data=repeated, value=frame["loss"]),
        frame.assign(data=fresh, value=frame["loss_unique_data"]),
    ], ignore_index=True)
    x = alt.X("epochs:Q", scale=alt.Scale(type="log"), title="Epochs over the unique stock")
    y = alt.Y("value:Q", scale=alt.Scale(zero=False), title=axis_title("Loss", "loss"))
    color = alt.Color(f"{label}:N", title="Model")
    lines = alt.Chart(long).mark_line().encode(
        x=x, y=y, color=color,
        strokeDash=alt.StrokeDash(
            "data:N", title="Training data",
            scale=alt.Scale(domain=[repeated, fresh], range=[[1, 0], [6, 3]])),
    )
    points = alt.Chart(long).mark_point(filled=True).encode(
        x=x, y=y, color=color,
        tooltip=[
            alt.Tooltip(f"{label}:N"),
            alt.Tooltip("data:N"),
            alt.Tooltip("epochs:Q", format=".3g"),
            alt.Tooltip("n_tokens:Q", title="tokens seen", format=".2e"),
            alt.Tooltip("value:Q", title="loss [nats/token]", format=".4f"),
        ],
    )
    return alt.layer(lines, points).properties(
        width=_WIDTH, height=_HEIGHT, title="Training on repeated data: loss vs epochs")


def power_wall_chart(table, envelopes):
    """Facility power a deadline demands, against named power envelopes.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``n_params`` [parameters], ``facility_power_w`` [W] and ``scenario`` (one line
        each), e.g. :func:`scaling.studies.limits.power_wall_table`.
    envelopes : pandas.DataFrame
        Columns ``name`` and ``power_w`` [W]; one horizontal rule each.

    Returns
    -------
    altair.LayerChart
        Log-log chart of power [GW] vs model size, with tooltips.
    """
    import altair as alt

    require_columns(table, ["n_params", "facility_power_w", "scenario"], "power_wall_chart table")
    require_columns(envelopes, ["name", "power_w"], "power_wall_chart envelopes")
    frame = table.assign(facility_power_gw=table["facility_power_w"] / 1e9)
    env = envelopes.assign(power_gw=envelopes["power_w"] / 1e9)
    y_title = "Facility power needed [GW]"
    tooltip = [
        alt.Tooltip("scenario:N"),
        alt.Tooltip("n_params:Q", title="N [parameters]", format=".2e"),
        alt.Tooltip("facility_power_gw:Q", title="power [GW]", format=".3g"),
    ]
    if "n_accelerators" in frame.columns:
        tooltip.append(alt.Tooltip("n_accelerators:Q", title="accelerators", format=".3s"))
    lines = alt.Chart(frame).mark_line(point=True).encode(
        x=_params_axis(),
        y=alt.Y("facility_power_gw:Q", scale=alt.Scale(type="log"), title=y_title),
        color=alt.Color("scenario:N", title="Scenario"),
        tooltip=tooltip,
    )
    rules = alt.Chart(env).mark_rule(strokeDash=[6, 3], color="gray").encode(
        y=alt.Y("power_gw:Q", scale=alt.Scale(type="log"), title=y_title),
        tooltip=[alt.Tooltip("name:N", title="envelope"),
                 alt.Tooltip("power_gw:Q", title="power [GW]", format=".3g")],
    )
    text = alt.Chart(env).mark_text(align="left", dx=4, dy=-6, color="gray").encode(
        y=alt.Y("power_gw:Q", scale=alt.Scale(type="log")),
        x=alt.value(4),
        text="name:N",
    )
    return alt.layer(rules, text, lines).properties(
        width=_WIDTH, height=_HEIGHT,
        title="Power wall: site power to finish compute-optimal training by the deadline",
    )


def time_to_train_chart(table):
    """Training time against model size on several clusters, with P5-P95 bands.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :meth:`scaling.Forecast.to_frame` from several clusters stacked:
        columns ``cluster``, ``n_params`` [parameters] and ``time_days`` [days]; the optional
        ``time_days_ci_lower`` / ``time_days_ci_upper`` draw a band.

    Returns
    -------
    altair.LayerChart
        Log-log chart of time [years] vs model size, with tooltips.
    """
    import altair as alt

    require_columns(table, ["cluster", "n_params", "time_days"], "time_to_train_chart")
    frame = table.assign(time_years=table["time_days"] / DAYS_PER_YEAR)
    x = _params_axis()
    y_title = axis_title("Training time", "time_years")
    tooltip = [alt.Tooltip("cluster:N"),
               alt.Tooltip("n_params:Q", title="N [parameters]", format=".2e"),
               alt.Tooltip("time_years:Q", title="time [years]", format=".3g")]
    layers = []
    if {"time_days_ci_lower", "time_days_ci_upper"} <= set(frame.columns):
        frame = frame.assign(low_years=frame["time_days_ci_lower"] / DAYS_PER_YEAR,
                             high_years=frame["time_days_ci_upper"] / DAYS_PER_YEAR)
        tooltip += [alt.Tooltip("low_years:Q", title="P5 [years]", format=".3g"),
                    alt.Tooltip("high_years:Q", title="P95 [years]", format=".3g")]
        layers.append(alt.Chart(frame).mark_area(opacity=0.15).encode(
            x=x, y=alt.Y("low_years:Q", scale=alt.Scale(type="log"), title=y_title),
            y2="high_years:Q", color=alt.Color("cluster:N", title="Cluster")))
    layers.append(alt.Chart(frame).mark_line(point=True).encode(
        x=x, y=alt.Y("time_years:Q", scale=alt.Scale(type="log"), title=y_title),
        color=alt.Color("cluster:N", title="Cluster"), tooltip=tooltip))
    return alt.layer(*layers).properties(
        width=_WIDTH, height=_HEIGHT,
        title="Time to train a compute-optimal model (band: P5-P95)")
