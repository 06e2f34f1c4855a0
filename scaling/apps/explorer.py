"""What-if exploration: one training run from a handful of dials, and the tables behind the
report's slider charts.

:func:`what_if` turns the dials a reader moves (model size, tokens or a compute budget, a
cluster or an accelerator and count, MFU, prices, PUE, failure rate, restart time) into one
:class:`WhatIf`: time, energy and dollars of the run through :func:`scaling.estimate_run`
(the chain, with one :class:`scaling.Assumptions`), and the cost breakdown. :func:`widget`
wraps it in ipywidgets controls that redraw the figures (it needs a running kernel; the
report shows the default state as static output). :func:`size_sweep` and
:func:`goodput_grid` compute the tables the two slider charts of
:mod:`scaling.plots.explore` filter or rescale in the browser, so they work in a static HTML
page without a kernel.

Nothing here is new science: every number comes from the chain's stages.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field


from scaling import laws
from scaling._validation import scalar
from scaling.assumptions import Assumptions, as_assumptions
from scaling.chain import RunEstimate, estimate_run, setup
from scaling.clusters import as_machine
from scaling.catalog import list_clusters
from scaling.hardware import as_accelerator
from scaling.catalog import list_accelerators
from scaling.results import NOT_A_COLUMN, Result

__all__ = ["COST_PARTS", "WhatIf", "what_if", "widget"]

#: Rows of :meth:`WhatIf.cost_breakdown`: what building the cluster costs (capex by
#: component), what this run costs on owned hardware (Epoch's amortised cost: hardware
#: depreciated over the run, plus energy) and what renting the accelerator-hours costs.
COST_PARTS = ("build the cluster (capex)", "this run, owned (amortised)", "this run, rented")


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatIf(Result):
    """One what-if run: the dials, and time, energy and dollars from the chain (immutable).

    Attributes
    ----------
    n_params, n_tokens, compute_flop : model size [parameters], tokens, training FLOP
    cluster, accelerator : names ("" when no cluster was given)
    n_accelerators : accelerators in the job [count]
    mfu, goodput, pue : utilisation, useful fraction of wall-clock time, PUE
    time_days, accelerator_hours, facility_power_w, energy_mwh : from the chain
    chips_usd, servers_usd, network_usd, facility_usd : capex of the cluster by component
    amortized_hardware_cost_usd, energy_cost_usd, amortized_cost_usd : the run on owned
        hardware (NaN where the catalog has no purchase price)
    rental_cost_usd : the run on rented hardware (NaN without a rental price)
    run : the full :class:`scaling.RunEstimate` (not a column)
    """

    n_params: float
    n_tokens: float
    compute_flop: float
    cluster: str
    accelerator: str
    n_accelerators: int
    mfu: float
    goodput: float
    pue: float
    time_days: float = field(metadata={"summary": True})
    accelerator_hours: float
    facility_power_w: float = field(metadata={"summary": True})
    energy_mwh: float = field(metadata={"summary": True})
    chips_usd: float
    servers_usd: float
    network_usd: float
    facility_usd: float
    amortized_hardware_cost_usd: float
    energy_cost_usd: float
    amortized_cost_usd: float = field(metadata={"summary": True})
    rental_cost_usd: float = field(metadata={"summary": True})
    run: RunEstimate = field(default=None, repr=False, metadata=NOT_A_COLUMN)

    def cost_breakdown(self):
        """Dollars by part and component (pandas.DataFrame: ``part``, ``component``,
        ``cost_usd``), the table of :func:`scaling.plots.explore.cost_breakdown_chart`.

        ``part`` is one of :data:`COST_PARTS`; NaN where the catalog has no price.
        """
        import pandas as pd

        build, owned, rented = COST_PARTS
        rows = [(build, "chips", self.chips_usd), (build, "servers", self.servers_usd),
                (build, "network", self.network_usd), (build, "facility", self.facility_usd),
                (owned, "hardware (amortised)", self.amortized_hardware_cost_usd),
                (owned, "energy", self.energy_cost_usd),
                (rented, "rental", self.rental_cost_usd)]
        return pd.DataFrame(rows, columns=["part", "component", "cost_usd"])


def _changes(**values) -> dict:
    return {name: value for name, value in values.items() if value is not None}


def what_if(n_params=None, *, n_tokens=None, compute_flop=None, cluster=None, accelerator=None,
            n_accelerators=None, mfu=None, precision="bf16", pue=None,
            failure_rate_per_accelerator_hour=None, restart_time_s=None,
            checkpoint_time_s=None, price_usd=None, rental_usd_per_hour=None,
            electricity_usd_per_kwh=None, as_of=None, law=laws.DEFAULT_LAW,
            assumptions=None) -> WhatIf:
    """Time, energy and dollars of one run from the dials a reader moves.

    Parameters
    ----------
    n_params : float, optional
        Model size N [parameters]. Give it (with or without ``n_tokens``), or give
        ``compute_flop`` alone for the compute-optimal split of a budget.
    n_tokens : float, optional
        Training tokens D [tokens]; None: the compute-optimal tokens for ``n_params`` under
        ``law`` (:func:`scaling.laws.optimal_tokens_for_params`).
    compute_flop : float, optional
        A training budget C [FLOP] split compute-optimally (:func:`scaling.compute_optimal`);
        only without ``n_params`` and ``n_tokens``.
    cluster : str or Cluster, optional
        A named cluster (its accelerator, count, PUE and MFU unless the dials set them).
    accelerator : str or Accelerator, optional
        The chip, without a cluster (with ``n_accelerators``).
    n_accelerators : int, optional
        Accelerators in the job [count]; overrides the cluster's.
    mfu : float, optional
        Model FLOP utilisation in (0, 1]; None: the cluster's, else the chain's default (the
        step-time model, :func:`scaling.throughput.chain_utilisation`).
    precision : {"bf16", "fp8"}
    pue : float, optional
        Power usage effectiveness >= 1; None: the cluster's, else the default.
    failure_rate_per_accelerator_hour, restart_time_s, checkpoint_time_s : float, optional
        Reliability dials [1/(accelerator h)], [s], [s]; None: the sourced defaults
        (:class:`scaling.ReliabilityAssumptions`; the checkpoint pause then follows the
        storage model for ``n_params``).
    price_usd, rental_usd_per_hour : float, optional
        Purchase price per accelerator [USD] and on-demand rent [USD/h]; None: the catalog's
        (NaN money where it has none).
    electricity_usd_per_kwh : float, optional
        [USD/kWh]; None: the default (:class:`scaling.PriceAssumptions`), or that year's
        price when ``as_of`` is set.
    as_of : float, date or str, optional
        Date of the run (``Assumptions.as_of``): hardware valued at that date, that year's
        electricity and grid intensity; None: today's catalog prices.
    law : str, Mapping or FitResult-like
        Scaling law for the compute-optimal split.
    assumptions : Assumptions, optional
        Starting assumptions the dials change (default: the sourced defaults).

    Returns
    -------
    WhatIf

    Raises
    ------
    ValueError
        Bad dials (named); InfeasibleRunError when the run makes no progress.

    Examples
    --------
    >>> w = what_if(7e10, accelerator="H100-SXM", n_accelerators=1024, mfu=0.4)
    >>> round(w.time_days, 1), w.n_accelerators
    (15.5, 1024)
    """
    if compute_flop is not None:
        if n_params is not None or n_tokens is not None:
            raise ValueError("give compute_flop alone (its compute-optimal split), or n_params "
                             "(and optionally n_tokens), not both")
        budget = scalar("compute_flop", compute_flop)
        split = laws.compute_optimal(budget, law)
        size, tokens = float(split.n_params), float(split.n_tokens)
    elif n_params is None:
        raise ValueError("give n_params (model size [parameters]) or compute_flop (a budget "
                         "[FLOP])")
    else:
        size = scalar("n_params", n_params)
        tokens = (float(laws.optimal_tokens_for_params(size, law)) if n_tokens is None
                  else scalar("n_tokens", n_tokens))
    compute = float(laws.training_flop(size, tokens))

    machine = as_machine(cluster, accelerator, n_accelerators)
    chip = dataclasses.replace(machine.accelerator, **_changes(
        price_usd=None if price_usd is None else scalar("price_usd", price_usd),
        rental_usd_per_hour=(None if rental_usd_per_hour is None
                             else scalar("rental_usd_per_hour", rental_usd_per_hour))))
    machine = dataclasses.replace(machine, accelerator=chip)
    a = as_assumptions(assumptions).replace(**_changes(
        mfu=mfu, precision=precision, pue=pue,
        failure_rate_per_accelerator_hour=failure_rate_per_accelerator_hour,
        restart_time_s=restart_time_s, checkpoint_time_s=checkpoint_time_s,
        electricity_usd_per_kwh=electricity_usd_per_kwh, as_of=as_of))
    run = estimate_run(compute, cluster=machine, n_params=size, assumptions=a)
    count = int(run.n_accelerators)
    parts = setup(machine, a).capex_usd(count)   # the chain's capex, at its prices
    return WhatIf(
        n_params=size, n_tokens=tokens, compute_flop=compute, cluster=run.cluster,
        accelerator=run.accelerator, n_accelerators=count, mfu=float(run.mfu),
        goodput=float(run.goodput), pue=float(run.pue), time_days=float(run.time_days),
        accelerator_hours=float(run.accelerator_hours),
        facility_power_w=float(run.facility_power_w), energy_mwh=float(run.energy_mwh),
        chips_usd=float(parts["chips_usd"]), servers_usd=float(parts["servers_usd"]),
        network_usd=float(parts["network_usd"]), facility_usd=float(parts["facility_usd"]),
        amortized_hardware_cost_usd=float(run.amortized_hardware_cost_usd),
        energy_cost_usd=float(run.energy_cost_usd),
        amortized_cost_usd=float(run.amortized_cost_usd),
        rental_cost_usd=float(run.rental_cost_usd), run=run)


# --------------------------------------------------------------------------------------------
# tables of the slider charts
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# ipywidgets controls
# --------------------------------------------------------------------------------------------

#: Years of the date control: from the earliest dated prices (data/accelerator_prices.csv,
#: electricity from 2015) to the end of the trend projections used in notebook 10.
AS_OF_YEARS = tuple(range(2018, 2036))
#: Range of the model-size control [log10 parameters]: 1B to 100T.
SIZE_RANGE_LOG10 = (9.0, 14.0)
#: Range of the tokens-per-parameter control [tokens/parameter]; 0 means compute-optimal.
TOKENS_PER_PARAM_RANGE = (0.0, 200.0)
#: Range of the accelerator-count control [log10 count]: 8 to 3 million.
COUNT_RANGE_LOG10 = (math.log10(8), math.log10(3e6))


def widget(*, n_params=7e10, cluster=None, accelerator="H100-SXM", n_accelerators=1024,
           mfu=None, pue=None, failure_rate_per_accelerator_hour=None, restart_time_s=None,
           price_usd=None, rental_usd_per_hour=None, electricity_usd_per_kwh=None,
           as_of=None):
    """ipywidgets controls that redraw :func:`what_if`'s figures and cost breakdown.

    The keyword arguments are the starting values (None: the catalog's or the default).
    Moving a control re-runs :func:`what_if` and redraws the summary table and
    :func:`scaling.plots.explore.cost_breakdown_chart` below the controls; an impossible
    combination shows its error message instead. Needs a running kernel (``make lab``); in
    a static page the controls show as a note.

    Returns
    -------
    ipywidgets.VBox
        The controls and the output area; ``.children[-1]`` is the output.
    """
    import ipywidgets as w

    # plots.explore imports this module (COST_PARTS), and altair is imported only when drawn
    from scaling.plots.explore import cost_breakdown_chart

    defaults = Assumptions()
    style = {"description_width": "190px"}
    layout = w.Layout(width="520px")
    a = as_accelerator(accelerator)
    controls = {
        "n_params": w.FloatLogSlider(value=n_params, base=10, min=SIZE_RANGE_LOG10[0],
                                     max=SIZE_RANGE_LOG10[1], step=0.05,
                                     description="model size [parameters]",
                                     readout_format=".2e", style=style, layout=layout),
        "tokens_per_param": w.FloatSlider(value=0.0, min=TOKENS_PER_PARAM_RANGE[0],
                                          max=TOKENS_PER_PARAM_RANGE[1], step=1.0,
                                          description="tokens/parameter (0: optimal)",
                                          style=style, layout=layout),
        "cluster": w.Dropdown(options=[("(accelerator and count below)", "")]
                              + [(n, n) for n in list_clusters()["name"]],
                              value=cluster or "", description="cluster", style=style,
                              layout=layout),
        "accelerator": w.Dropdown(options=list(list_accelerators()["name"]), value=a.name,
                                  description="accelerator", style=style, layout=layout),
        "n_accelerators": w.FloatLogSlider(value=n_accelerators, base=10,
                                           min=COUNT_RANGE_LOG10[0], max=COUNT_RANGE_LOG10[1],
                                           step=0.01, description="accelerators [count]",
                                           readout_format=",.0f", style=style, layout=layout),
        "utilisation": w.ToggleButtons(options=[("default MFU", "default"), ("fixed MFU", "fixed")],
                                       value="default" if mfu is None else "fixed",
                                       description="utilisation", style=style),
        "mfu": w.FloatSlider(value=a.default_mfu if mfu is None else mfu, min=0.05, max=0.8,
                             step=0.01, description="MFU (when fixed)", style=style,
                             layout=layout),
        "pue": w.FloatSlider(value=pue or 1.1, min=1.0, max=2.0, step=0.01,
                             description="PUE (cluster's if untouched)", style=style,
                             layout=layout),
        "failure_x": w.FloatLogSlider(
            value=1.0 if failure_rate_per_accelerator_hour is None else
            failure_rate_per_accelerator_hour / defaults.reliability.failure_rate_per_accelerator_hour,
            base=10, min=-1, max=1, step=0.02, description="failure rate × Llama 3's",
            style=style, layout=layout),
        "restart_time_s": w.FloatSlider(
            value=defaults.reliability.restart_s if restart_time_s is None else restart_time_s,
            min=0.0, max=1800.0, step=10.0,
            description="restart time [s]", style=style,
            layout=layout),
        "price_usd": w.FloatText(value=price_usd if price_usd is not None else (
            0.0 if math.isnan(a.price_usd) else a.price_usd),
            description="price per accelerator [USD] (0: catalog)", style=style,
            layout=layout),
        "rental_usd_per_hour": w.FloatText(value=rental_usd_per_hour or 0.0,
                                           description="rent [USD/h] (0: catalog)",
                                           style=style, layout=layout),
        "electricity_usd_per_kwh": w.FloatSlider(
            value=electricity_usd_per_kwh or defaults.prices.electricity_usd_per_kwh,
            min=0.01, max=0.30, step=0.005, description="electricity [USD/kWh]",
            readout_format=".3f", style=style, layout=layout),
        "as_of": w.Dropdown(options=[("today's catalog prices", None)]
                            + [(str(year), float(year)) for year in AS_OF_YEARS],
                            value=None if as_of is None else float(as_of),
                            description="date of the run", style=style, layout=layout),
    }
    # PUE and restart time follow the cluster (its catalog row, its resilience row) until moved
    touched = {"pue": pue is not None, "restart_time_s": restart_time_s is not None}
    out = w.Output()

    def values() -> dict:
        c = {name: control.value for name, control in controls.items()}
        size = c["n_params"]
        kwargs = dict(
            n_params=size,
            n_tokens=None if c["tokens_per_param"] <= 0 else c["tokens_per_param"] * size,
            mfu=c["mfu"] if c["utilisation"] == "fixed" else None,
            pue=c["pue"] if touched["pue"] else None,
            failure_rate_per_accelerator_hour=(
                defaults.reliability.failure_rate_per_accelerator_hour * c["failure_x"]),
            restart_time_s=c["restart_time_s"] if touched["restart_time_s"] else None,
            price_usd=c["price_usd"] if c["price_usd"] > 0 else None,
            rental_usd_per_hour=(c["rental_usd_per_hour"] if c["rental_usd_per_hour"] > 0
                                 else None),
            electricity_usd_per_kwh=c["electricity_usd_per_kwh"],
            as_of=c["as_of"],
            n_accelerators=round(c["n_accelerators"]))
        if c["cluster"]:
            kwargs["cluster"] = c["cluster"]
        else:
            kwargs["accelerator"] = c["accelerator"]
        return kwargs

    def redraw(change=None):
        for name in touched:
            if change is not None and change.get("owner") is controls[name]:
                touched[name] = True
        # outputs are replaced directly (not through `with out:`), which also works where no
        # kernel routes the display messages (tests, a static export)
        out.outputs = ()
        try:
            result = what_if(**values())
        except ValueError as exc:  # an impossible combination: say why, keep the controls
            out.append_stdout(f"{type(exc).__name__}: {exc}\n")
            return
        out.append_display_data(result.summary())
        out.append_display_data(cost_breakdown_chart(result))

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([*controls.values(), out])
