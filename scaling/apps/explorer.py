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
from scaling.catalog import list_accelerators, list_clusters
from scaling.clusters import Cluster, as_cluster, as_machine
from scaling.dates import as_year
from scaling.model_shape import as_model_shape
from scaling.plots.explore import run_cost_chart
from scaling.results import IN_SUMMARY, NOT_A_COLUMN, Result

__all__ = ["COST_PARTS", "WhatIf", "what_if", "widget"]

#: Rows of :meth:`WhatIf.cost_breakdown`: what building the cluster costs (capex by
#: component), what this run costs on owned hardware (Epoch's amortised cost: hardware
#: depreciated over the run, plus energy) and what renting the accelerator-hours costs.
COST_PARTS = ("build the cluster (capex)", "this run, owned (amortised)", "this run, rented")


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatIf(Result):
    """One what-if run: the dials, and time, energy and dollars from the chain (immutable).

    A :class:`scaling.results.Result`: ``to_frame()`` has one row of the fields below (``run``
    left out); ``summary()`` shows the headline fields (time, power, energy, the two costs).

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
    time_days: float = field(metadata=IN_SUMMARY)
    accelerator_hours: float
    facility_power_w: float = field(metadata=IN_SUMMARY)
    energy_mwh: float = field(metadata=IN_SUMMARY)
    chips_usd: float
    servers_usd: float
    network_usd: float
    facility_usd: float
    amortized_hardware_cost_usd: float
    energy_cost_usd: float
    amortized_cost_usd: float = field(metadata=IN_SUMMARY)
    rental_cost_usd: float = field(metadata=IN_SUMMARY)
    run: RunEstimate = field(default=None, repr=False, metadata=NOT_A_COLUMN)

    def cost_breakdown(self):
        """Dollars by part and component (pandas.DataFrame: ``part``, ``component``,
        ``cost_usd``), the table of :func:`scaling.plots.explore.run_cost_chart`.

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


def _sizes(n_params, model, n_active_params):
    """(total, active) parameters of the run the dials describe."""
    size = (as_model_shape(model).n_params if n_params is None and model is not None
            else scalar("n_params", n_params))
    if n_active_params is not None:
        return size, scalar("n_active_params", n_active_params)
    if model is not None:
        return size, float(as_model_shape(model).n_active_params)
    return size, size


def what_if(n_params=None, *, n_tokens=None, compute_flop=None, cluster=None, accelerator=None,
            n_accelerators=None, mfu=None, precision=None, pue=None,
            failure_rate_per_accelerator_hour=None, restart_time_s=None,
            checkpoint_time_s=None, price_usd=None, rental_usd_per_hour=None,
            electricity_usd_per_kwh=None, as_of=None, law=laws.DEFAULT_LAW,
            model=None, n_active_params=None, run_efficiency=None,
            batch_size_law=None, assumptions=None) -> WhatIf:
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
        step-time model, :func:`scaling.throughput.throughput_model`).
    precision : {"bf16", "fp8"}, optional
        Numeric format of the run; None: the assumptions' (bf16 by default).
    pue : float, optional
        Power usage effectiveness >= 1; None: the cluster's, else the default.
    failure_rate_per_accelerator_hour, restart_time_s, checkpoint_time_s : float, optional
        Reliability dials [1/(accelerator h)], [s], [s]; None: the sourced defaults
        (:class:`scaling.reliability.ReliabilityAssumptions`; the checkpoint pause then follows the
        storage model for ``n_params``).
    price_usd, rental_usd_per_hour : float, optional
        Purchase price per accelerator [USD] and rent paid per accelerator-hour [USD/h], used
        as given whatever ``as_of`` (``PriceAssumptions.accelerator_price_usd`` and
        ``rental_usd_per_hour``); None: the catalog's, at ``as_of``'s date with one (NaN
        money where it has none).
    electricity_usd_per_kwh : float, optional
        [USD/kWh], used as given; None: that year's US industrial price when ``as_of`` is
        set, else 2025's (:class:`scaling.cost.PriceAssumptions`).
    as_of : float, date or str, optional
        Date of the run (``Assumptions.as_of``): hardware valued at that date, that year's
        electricity and grid intensity; None: today's catalog prices.
    law : str, Mapping or FitResult-like
        Scaling law for the compute-optimal split.
    model : ModelShape or str, optional
        A published configuration (e.g. ``"Mixtral 8x22B"``) for the step-time model;
        ``n_params`` defaults to its count.
    n_active_params : float, optional
        Parameters active per token of a mixture of experts (default: the model's, else all
        of them): compute is :math:`6 N_{active} D`, the compute-optimal tokens the law's at
        the active count (as :func:`scaling.forecast`).
    run_efficiency : str or float, optional
        Whole-run efficiency of the step-time model (``Assumptions.run_efficiency``: a preset
        name or a number in (0, 1]).
    batch_size_law : str or callable, optional
        The batch-size law of the step-time model (``Assumptions.batch_size_law``:
        ``"deepseek2024"``, the default, or ``"kaplan2020_critical"``, or a callable
        ``law(compute_flop) -> tokens``; :mod:`scaling.batch_size`).
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
        if any(v is not None for v in (n_params, n_tokens, model, n_active_params)):
            raise ValueError("give compute_flop alone (its compute-optimal split of a dense "
                             "model), or n_params or model (and optionally n_tokens and "
                             "n_active_params), not both")
        budget = scalar("compute_flop", compute_flop)
        split = laws.compute_optimal(budget, law)
        size, tokens = float(split.n_params), float(split.n_tokens)
        active = size
    elif n_params is None and model is None:
        raise ValueError("give n_params (model size [parameters]), model, or compute_flop (a "
                         "budget [FLOP])")
    else:
        size, active = _sizes(n_params, model, n_active_params)
        tokens = (float(laws.optimal_tokens_for_params(active, law)) if n_tokens is None
                  else scalar("n_tokens", n_tokens))
    compute = float(laws.training_flop(active, tokens))

    machine = as_machine(cluster, accelerator, n_accelerators)
    a = as_assumptions(assumptions).replace(**_changes(
        accelerator_price_usd=None if price_usd is None else scalar("price_usd", price_usd),
        rental_usd_per_hour=(None if rental_usd_per_hour is None
                             else scalar("rental_usd_per_hour", rental_usd_per_hour)),
        mfu=mfu, precision=precision, pue=pue,
        failure_rate_per_accelerator_hour=failure_rate_per_accelerator_hour,
        restart_time_s=restart_time_s, checkpoint_time_s=checkpoint_time_s,
        electricity_usd_per_kwh=electricity_usd_per_kwh, as_of=as_of,
        run_efficiency=run_efficiency, batch_size_law=batch_size_law))
    run = estimate_run(compute, cluster=machine, n_params=size, model=model,
                       n_active_params=None if active == size else active, assumptions=a)
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
#: Range of the fixed-MFU control [fraction of dense peak].
MFU_RANGE = (0.05, 0.8)
#: Range of the PUE control (it starts at the machine's PUE).
PUE_RANGE = (1.0, 2.0)
#: Range of the failure-rate control [log10 multiple of Llama 3's rate]: 0.1x to 10x.
FAILURE_MULTIPLIER_RANGE_LOG10 = (-1.0, 1.0)
#: Range of the restart-time control [s]: none to 30 minutes.
RESTART_RANGE_S = (0.0, 1800.0)
#: Range of the electricity-price control [USD/kWh].
ELECTRICITY_RANGE_USD_PER_KWH = (0.01, 0.30)
#: The machine :func:`widget` starts on when none is named: 1,024 H100-SXM.
START_ACCELERATOR = "H100-SXM"
START_N_ACCELERATORS = 1024
#: The two ways the widget's controls name a machine (as :func:`scaling.clusters.as_machine`).
MACHINE_CHOICES = (("a catalog cluster", "cluster"), ("an accelerator and a count",
                                                      "accelerator"))
#: Value of a price control that means "the catalog's price".
CATALOG = 0.0


def _given(value, default):
    """``value``, or ``default`` where it is None (0 is a value: no restart time)."""
    return default if value is None else value


def _machine_controls(w, look, machine, cluster):
    """Controls that name the machine: a catalog cluster (or the caller's Cluster), or an
    accelerator and a count; the count also uses part of a cluster."""
    options = [(name, name) for name in list_clusters()["name"]]
    if isinstance(cluster, Cluster):  # a machine of the caller's: offered under its name
        options.insert(0, (f"{cluster.name} (given)", cluster))
    chips = [(name, name) for name in list_accelerators()["name"]]
    chip = machine.accelerator.name
    if chip not in dict(chips):  # a chip outside the catalog (typical-2030, the caller's)
        chips.insert(0, (chip, machine.accelerator))
    return {
        "machine": w.ToggleButtons(options=MACHINE_CHOICES,
                                   value="accelerator" if cluster is None else "cluster",
                                   description="machine", style=look["style"]),
        "cluster": w.Dropdown(options=options, value=options[0][1] if cluster is None
                              else cluster, description="cluster", **look),
        "accelerator": w.Dropdown(options=chips, value=dict(chips)[chip],
                                  description="accelerator", **look),
        "n_accelerators": w.FloatLogSlider(
            value=machine.n_accelerators, base=10, min=COUNT_RANGE_LOG10[0],
            max=COUNT_RANGE_LOG10[1], step=0.01, description="accelerators [count]",
            readout_format=",.0f", **look),
    }


def _dial_controls(w, look, machine, start):
    """The other dials: model size, tokens, MFU, PUE, failures, restarts, prices, date."""
    defaults = Assumptions()
    failure = start["failure_rate_per_accelerator_hour"]
    return {
        "n_params": w.FloatLogSlider(value=start["n_params"], base=10,
                                     min=SIZE_RANGE_LOG10[0], max=SIZE_RANGE_LOG10[1],
                                     step=0.05, description="model size [parameters]",
                                     readout_format=".2e", **look),
        "tokens_per_param": w.FloatSlider(value=TOKENS_PER_PARAM_RANGE[0],
                                          min=TOKENS_PER_PARAM_RANGE[0],
                                          max=TOKENS_PER_PARAM_RANGE[1], step=1.0,
                                          description="tokens/parameter (0: optimal)", **look),
        "mfu_choice": w.ToggleButtons(options=[("the chain's", "chain"), ("fixed", "fixed")],
                                      value="chain" if start["mfu"] is None else "fixed",
                                      description="MFU", style=look["style"]),
        "mfu": w.FloatSlider(value=_given(start["mfu"], machine.accelerator.default_mfu),
                             min=MFU_RANGE[0], max=MFU_RANGE[1], step=0.01,
                             description="MFU (when fixed)", **look),
        "pue": w.FloatSlider(value=_given(start["pue"], machine.pue), min=PUE_RANGE[0],
                             max=PUE_RANGE[1], step=0.01,
                             description="PUE (cluster's if untouched)", **look),
        "failure_x": w.FloatLogSlider(
            value=1.0 if failure is None else
            failure / defaults.reliability.failure_rate_per_accelerator_hour, base=10,
            min=FAILURE_MULTIPLIER_RANGE_LOG10[0], max=FAILURE_MULTIPLIER_RANGE_LOG10[1],
            step=0.02, description="failure rate × Llama 3's", **look),
        "restart_time_s": w.FloatSlider(
            value=_given(start["restart_time_s"], defaults.reliability.restart_s),
            min=RESTART_RANGE_S[0], max=RESTART_RANGE_S[1], step=10.0,
            description="restart time [s]", **look),
        "price_usd": w.FloatText(value=_given(start["price_usd"], CATALOG),
                                 description="price per accelerator [USD] (0: catalog)",
                                 **look),
        "rental_usd_per_hour": w.FloatText(value=_given(start["rental_usd_per_hour"], CATALOG),
                                           description="rent [USD/h] (0: catalog)", **look),
        "electricity_usd_per_kwh": w.FloatSlider(
            value=_given(start["electricity_usd_per_kwh"],
                         defaults.prices.electricity_or_default_usd_per_kwh),
            min=ELECTRICITY_RANGE_USD_PER_KWH[0], max=ELECTRICITY_RANGE_USD_PER_KWH[1],
            step=0.005, description="electricity [USD/kWh]", readout_format=".3f", **look),
        "as_of": _date_control(w, look, start["as_of"]),
    }


def _date_options(as_of) -> tuple[list, float | None]:
    """The date dial's ``(label, decimal year)`` options and its starting value.

    The options are today's catalog prices (None) and 1 January of each year of
    :data:`AS_OF_YEARS`; a starting date that is none of them (a decimal year such as 2024.5,
    ``"2024-03"``, a ``datetime.date``: whatever :func:`scaling.dates.as_year` reads) is added
    in its place in time, labelled as given.
    """
    options = [("today's catalog prices", None)] + [(str(year), float(year))
                                                    for year in AS_OF_YEARS]
    if as_of is None:
        return options, None
    value = float(as_year(as_of, name="as_of"))
    if value not in {year for _, year in options}:
        label = f"{value:g}" if isinstance(as_of, (int, float)) else f"{as_of} ({value:.2f})"
        options.append((label, value))
        options[1:] = sorted(options[1:], key=lambda option: option[1])
    return options, value


def _date_control(w, look, as_of):
    """The date dial (a drop-down of :func:`_date_options`)."""
    options, value = _date_options(as_of)
    return w.Dropdown(options=options, value=value, description="date of the run", **look)


def _what_if_arguments(controls, touched) -> dict:
    """The keyword arguments of :func:`what_if` from the controls' values.

    PUE, failure rate, restart time, electricity price and, on a cluster, the count are the
    machine's own or the defaults (that year's price with a date) until moved (``touched``).
    """
    c = {name: control.value for name, control in controls.items()}
    size = c["n_params"]
    machine = ({"cluster": c["cluster"]} if c["machine"] == "cluster"
               else {"accelerator": c["accelerator"]})
    if c["machine"] == "accelerator" or touched["n_accelerators"]:
        machine["n_accelerators"] = round(c["n_accelerators"])
    return dict(
        n_params=size, **machine,
        n_tokens=None if c["tokens_per_param"] <= 0 else c["tokens_per_param"] * size,
        mfu=c["mfu"] if c["mfu_choice"] == "fixed" else None,
        pue=c["pue"] if touched["pue"] else None,
        failure_rate_per_accelerator_hour=(
            Assumptions().reliability.failure_rate_per_accelerator_hour * c["failure_x"]
            if touched["failure_x"] else None),
        restart_time_s=c["restart_time_s"] if touched["restart_time_s"] else None,
        price_usd=c["price_usd"] if c["price_usd"] > CATALOG else None,
        rental_usd_per_hour=(c["rental_usd_per_hour"] if c["rental_usd_per_hour"] > CATALOG
                             else None),
        electricity_usd_per_kwh=(c["electricity_usd_per_kwh"]
                                 if touched["electricity_usd_per_kwh"] else None),
        as_of=c["as_of"])


def widget(*, n_params=7e10, cluster=None, accelerator=None, n_accelerators=None, mfu=None,
           pue=None, failure_rate_per_accelerator_hour=None, restart_time_s=None,
           price_usd=None, rental_usd_per_hour=None, electricity_usd_per_kwh=None,
           as_of=None):
    """ipywidgets controls that redraw :func:`what_if`'s figures and cost breakdown.

    The keyword arguments are the starting values (None: the catalog's or the default). The
    machine is named as in :func:`what_if` (:func:`scaling.clusters.as_machine`): a
    ``cluster`` (a catalog name or a :class:`scaling.Cluster`, optionally with
    ``n_accelerators``), or an ``accelerator`` with ``n_accelerators``; none of them: 1,024
    H100-SXM. The controls offer the same choice: a catalog cluster (the count follows it
    until moved) or an accelerator and a count.

    Moving a control re-runs :func:`what_if` and redraws the summary table and
    :func:`scaling.plots.explore.run_cost_chart` below the controls; an impossible
    combination shows its error message instead. Needs a running kernel (``make lab``); in
    a static page the controls show as a note.

    Returns
    -------
    ipywidgets.VBox
        The controls and the output area; ``.children[-1]`` is the output.

    Raises
    ------
    ValueError
        A machine named two ways at once, an accelerator without a count, unknown names.
    """
    import ipywidgets as w

    if cluster is None and accelerator is None:
        accelerator = START_ACCELERATOR
        n_accelerators = START_N_ACCELERATORS if n_accelerators is None else n_accelerators
    machine = as_machine(cluster, accelerator, n_accelerators)  # the door: checked once
    look = {"style": {"description_width": "190px"}, "layout": w.Layout(width="520px")}
    start = dict(n_params=n_params, mfu=mfu, pue=pue, restart_time_s=restart_time_s,
                 failure_rate_per_accelerator_hour=failure_rate_per_accelerator_hour,
                 price_usd=price_usd, rental_usd_per_hour=rental_usd_per_hour,
                 electricity_usd_per_kwh=electricity_usd_per_kwh, as_of=as_of)
    controls = {**_machine_controls(w, look, machine, cluster),
                **_dial_controls(w, look, machine, start)}
    # the machine's own (PUE, failures, restarts, on a cluster its count) or the defaults (the
    # price of electricity, that year's with a date) until moved
    touched = {"pue": pue is not None, "restart_time_s": restart_time_s is not None,
               "failure_x": failure_rate_per_accelerator_hour is not None,
               "electricity_usd_per_kwh": electricity_usd_per_kwh is not None,
               "n_accelerators": cluster is None or n_accelerators is not None}
    syncing = []  # non-empty while the count follows a newly chosen cluster
    out = w.Output()

    def follow_cluster():
        touched["n_accelerators"] = False
        syncing.append(True)
        controls["n_accelerators"].value = as_cluster(controls["cluster"].value).n_accelerators
        syncing.clear()

    def redraw(change=None):
        if syncing:
            return
        owner = None if change is None else change.get("owner")
        if owner is controls["cluster"] or (owner is controls["machine"]
                                            and change["new"] == "cluster"):
            follow_cluster()
        for name in touched:
            touched[name] = touched[name] or owner is controls[name]
        # outputs are replaced directly (not through `with out:`), which also works where no
        # kernel routes the display messages (tests, a static export)
        out.outputs = ()
        try:
            result = what_if(**_what_if_arguments(controls, touched))
        except ValueError as exc:  # an impossible combination: say why, keep the controls
            out.append_stdout(f"{type(exc).__name__}: {exc}\n")
            return
        out.append_display_data(result.summary())
        out.append_display_data(run_cost_chart(result.cost_breakdown()))

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([*controls.values(), out])
