"""The forecast chain as named stages, and one training run through it.

From training compute to wall-clock time, energy and dollars. Each stage is a pure,
vectorised function with one home; :func:`run_chain` calls them in order and every entry point
of the package (:func:`estimate_run`, :func:`scaling.forecast`,
:func:`scaling.largest_trainable`, :func:`scaling.forecast_for_loss`,
:func:`scaling.plan_training`, the systems comparison and the backtest) goes through it:

1. **Throughput** (:func:`scaling.hardware.sustained_flop_per_s`):
   :math:`R = n\\,P_{peak}\\,\\mathrm{MFU}`, with MFU from the machine's
   :class:`scaling.throughput.ThroughputModel`, resolved once per machine and assumptions
   (the step-time model of the run's layout by default, cached; a generation constant or a
   given constant).
2. **Goodput** (:mod:`scaling.reliability`): job MTBF from the per-accelerator interruption
   rate; for a synchronous job the checkpoint pause (the cluster's, else the storage model),
   Daly's optimal interval and the restart time; for an elastic job (replicas drop out and
   rejoin, :func:`scaling.reliability.elastic_goodput`) the replica failure rate and rejoin
   time; spares and checkpoint overhead; the useful fraction of wall-clock time G.
3. **Time** (:func:`training_time_s`): :math:`t = C / (R\\,G)`; accelerator-hours
   :math:`n t`.
4. **Power** (:func:`scaling.clusters.facility_power_w`): average wall power
   :math:`n P_{TDP} k_{server} f_{avg} \\mathrm{PUE}` and the provisioned peak.
5. **Energy** (:func:`scaling.clusters.energy_j`): :math:`E = P t`.
6. **Dollars** (:mod:`scaling.cost`): hardware capex (chips, servers, network) amortised over
   t, plus energy (Epoch's amortised cost); cloud rental, accelerator-hours x price. With
   ``Assumptions(as_of=...)`` the prices are those of that date (:mod:`scaling.valuation`).
7. **Emissions** (:func:`scaling.emissions.emissions_tco2e`): energy x the grid's
   location-based carbon intensity, and the market-based figure for a share of contracted
   carbon-free electricity.

The inputs of the chain are plain numbers (or broadcastable arrays, for Monte Carlo
scenarios), named as in :func:`chain_inputs`. A :class:`Setup` resolves the machine and the
:class:`scaling.Assumptions` to them once, at the door (:func:`setup`); the stages trust what
it hands them. Its inverse, the accelerators or compute that meet a deadline, is
:mod:`scaling.solve`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType

import numpy as np

from scaling import (
    clusters, cost, dates, emissions, fewer, hardware, reliability, training_state, valuation,
)
from scaling._validation import (
    as_count_array, as_float_array, check_fraction, check_plausible, elementwise, like,
)
from scaling.assumptions import Assumptions, as_assumptions
from scaling.clusters import Cluster, as_machine
from scaling.errors import InfeasibleRunError
from scaling.model_shape import as_model_shape
from scaling.results import NOT_A_COLUMN, Result
from scaling.throughput import Throughput, ThroughputModel, throughput_model
from scaling.units import J_PER_MWH, SECONDS_PER_DAY, SECONDS_PER_HOUR

__all__ = [
    "RUN_COLUMNS",
    "RunEstimate",
    "Setup",
    "accelerators_at_mfu",
    "capex_usd",
    "chain_inputs",
    "check_feasible",
    "estimate_run",
    "run_chain",
    "setup",
    "training_time_s",
]


# --------------------------------------------------------------------------------------------
# the time stage
# --------------------------------------------------------------------------------------------

@elementwise
def training_time_s(compute_flop, sustained_flop_per_s, goodput=1.0):
    """Wall-clock training time [s].

    Parameters
    ----------
    compute_flop : numeric
        Training compute C [FLOP], > 0.
    sustained_flop_per_s : numeric
        Sustained model FLOP/s of the job R = n P MFU [FLOP/s], > 0
        (:func:`scaling.hardware.sustained_flop_per_s`).
    goodput : numeric
        Fraction of wall-clock time that advances training, in [0, 1]
        (:func:`scaling.reliability.job_goodput`); 0 (no progress) gives an infinite time.

    Returns
    -------
    numeric
        Wall-clock time [s].

    Notes
    -----
    .. math:: t = \\frac{C}{R\\,G}

    Examples
    --------
    >>> round(training_time_s(3.8e25, 16384 * 989e12 * 0.40) / 86400, 1)
    67.9
    """
    c = as_float_array("compute_flop", compute_flop)
    rate = as_float_array("sustained_flop_per_s", sustained_flop_per_s)
    g = as_float_array("goodput", goodput, allow_zero=True)
    if (g > 1).any():
        raise ValueError(f"goodput must be in [0, 1], got {goodput!r}")
    return like(_time_s(c, rate, g), compute_flop, sustained_flop_per_s, goodput)


@elementwise
def accelerators_at_mfu(compute_flop, deadline_s, peak_flop_per_s, mfu, goodput=1.0):
    """Accelerators that deliver a training budget by a deadline at a given MFU and goodput
    (the time stage solved for n; not rounded).

    Parameters
    ----------
    compute_flop : numeric
        Training compute C [FLOP].
    deadline_s : numeric
        Wall-clock time available T [s].
    peak_flop_per_s : numeric
        Dense peak of one accelerator at the training precision [FLOP/s].
    mfu : numeric
        Model FLOP utilisation, in (0, 1].
    goodput : numeric
        Useful fraction of wall-clock time, in (0, 1].

    Returns
    -------
    numeric
        n [accelerators]. Where MFU and goodput depend on n (the step-time model, failures),
        :func:`scaling.solve.accelerators_for_deadline` finds the n at which they hold.

    Notes
    -----
    .. math:: n = \\frac{C}{T\\,P_{peak}\\,\\mathrm{MFU}\\,G}
    """
    c = as_float_array("compute_flop", compute_flop)
    t = as_float_array("deadline_s", deadline_s)
    peak = as_float_array("peak_flop_per_s", peak_flop_per_s)
    u = check_fraction("mfu", mfu)
    g = check_fraction("goodput", goodput)
    with np.errstate(over="ignore"):  # a vanishing goodput needs infinitely many
        count = c / (t * peak * u * g)
    return like(count, compute_flop, deadline_s, peak_flop_per_s, mfu, goodput)


def _time_s(compute, rate, good):
    """t = C / (R G) on trusted arrays; a vanishing goodput gives an infinite time."""
    ideal, good = np.broadcast_arrays(compute / rate, good)
    with np.errstate(over="ignore"):
        return np.divide(ideal, good, out=np.full(good.shape, np.inf), where=good > 0)


# --------------------------------------------------------------------------------------------
# the machine and the assumptions, resolved once at the door
# --------------------------------------------------------------------------------------------

#: Inputs of :func:`chain_inputs` that are not numbers (:func:`run_chain` leaves them alone).
NOT_NUMERIC_INPUTS = ("throughput",)


@dataclass(frozen=True, slots=True, kw_only=True)
class Setup:
    """A machine under one set of assumptions, resolved once: everything the chain needs
    except the workload and the accelerator count (immutable; built by :func:`setup`).

    Attributes
    ----------
    cluster : Cluster
        The machine (a catalog cluster, a user's :class:`~scaling.Cluster`, or an accelerator
        with a count from :func:`scaling.clusters.as_machine`).
    assumptions : Assumptions
    throughput : ThroughputModel
        How MFU is set on this machine (:func:`scaling.throughput.throughput_model`).
    reliability : ReliabilityAssumptions
        The assumptions' reliability with the cluster's resilience row filled in.
    constants : Mapping
        The chain inputs that depend on neither the workload nor the count (peak, power,
        prices at ``assumptions.as_of``, grid intensity, failure and restart assumptions).
    """

    cluster: Cluster
    assumptions: Assumptions
    throughput: ThroughputModel
    reliability: object
    constants: Mapping

    @property
    def accelerator(self):
        """The machine's accelerator."""
        return self.cluster.accelerator

    def evaluate_throughput(self, compute_flop, n_accelerators, *, n_params=None, model=None,
                            on_infeasible="raise") -> Throughput:
        """The MFU of runs on this machine as the chain uses it
        (:func:`scaling.fewer.best_throughput`: with failures included, each layout weighed by
        the job's goodput on the accelerators it occupies, and the best count up to the one
        given)."""
        return fewer.best_throughput(
            self.throughput, self.reliability, compute_flop, n_accelerators, n_params=n_params,
            model=model, include_failures=self.assumptions.include_failures,
            on_infeasible=on_infeasible)

    def capex_usd(self, n_accelerators) -> dict:
        """Capex by component of ``n_accelerators`` of this machine at its prices
        (:func:`capex_usd`)."""
        return capex_usd({**self.constants, "n_accelerators": n_accelerators})

    def facility_power_w(self, n_accelerators, *, average: bool = False):
        """Power at the wall of ``n_accelerators`` [W]: provisioned, or the average draw in
        training (:func:`scaling.clusters.facility_power_w`)."""
        x = self.constants
        return clusters.facility_power_w(
            n_accelerators, x["tdp_w"], x["chip_to_server_power"], x["pue"],
            server_power_fraction=x["server_power_fraction"] if average else 1.0)

    def inputs(self, compute_flop, n_accelerators, *, n_params=None, model=None,
               throughput=None, on_infeasible="raise") -> dict:
        """The chain's inputs for runs on this machine (see :func:`chain_inputs`).

        ``throughput`` holds a :class:`~scaling.throughput.Throughput` already found (the
        solver holds one while it moves the count or the compute); None evaluates it.
        """
        if throughput is None:
            throughput = self.evaluate_throughput(compute_flop, n_accelerators,
                                                  n_params=n_params, model=model,
                                                  on_infeasible=on_infeasible)
            used = throughput.n_accelerators_used
        else:
            used = _held_used(throughput, n_accelerators)
        rel = self.reliability
        replica = (rel.replica_size if rel.replica_size is not None else np.where(
            np.isnan(throughput.replica_size), reliability.DEFAULT_REPLICA_SIZE,
            throughput.replica_size))
        return {
            **self.constants,
            "compute_flop": compute_flop,
            "n_params": math.nan if n_params is None else n_params,
            "n_accelerators": n_accelerators,
            "n_accelerators_used": used,
            "mfu": throughput.mfu,
            "checkpoint_time_s": rel.pause_s(n_params),
            "replica_size": replica,
            "throughput": throughput,
        }


def _held_used(throughput, n_accelerators):
    """Accelerators in use when a throughput found at one count is held at others: the share
    of the accelerators given that it occupied is held with its MFU (measured against those
    given)."""
    if throughput.n_accelerators is not None:
        planned = np.asarray(throughput.n_accelerators, dtype=float)
    elif throughput.index is None:
        return n_accelerators
    else:
        planned = np.array([step.n_accelerators for step in throughput.step_times] + [np.nan],
                           dtype=float)[np.asarray(throughput.index)]   # index -1: none fits
    share = np.asarray(throughput.n_accelerators_used, dtype=float) / planned
    return np.minimum(n_accelerators, share * n_accelerators)


def _check_released(chip, as_of) -> None:
    """An :class:`~scaling.errors.InfeasibleRunError` for a dated run on a chip not yet out
    (:attr:`scaling.catalog.Accelerator.available_year`); nothing without a date."""
    if as_of is None or as_of >= chip.available_year:
        return
    when = dates.year_to_date(chip.available_year).isoformat()
    why = (f"was released ({chip.release_date})" if chip.projection_year is None else
           f"exists (projected for {chip.projection_year}, usable from {when})")
    raise InfeasibleRunError(
        f"as_of={as_of:.6g} ({dates.year_to_date(as_of).isoformat()}) is before {chip.name} "
        f"{why}; allowed: as_of from {when} on, an accelerator out by then, or as_of=None "
        f"(undated catalog prices)")


def setup(machine: Cluster, assumptions: Assumptions) -> Setup:
    """Resolve a machine and the assumptions once (the chain's side of the door).

    Parameters
    ----------
    machine : Cluster
        The machine, already named (:func:`scaling.clusters.as_machine`).
    assumptions : Assumptions

    Returns
    -------
    Setup

    Raises
    ------
    InfeasibleRunError
        ``assumptions.as_of`` before the accelerator can be used (its release date, or 1
        January of a projected chip's year): the one check of a date against the machine.
    """
    a, clu = assumptions, machine
    chip = clu.accelerator
    _check_released(chip, a.as_of)
    rel = a.reliability.resolve(clu.resilience)
    dated = valuation.chain_prices(chip, a)
    prices = a.prices
    constants = {
        "peak_flop_per_s": chip.peak_flop_per_s(a.precision),
        "failure_rate_per_accelerator_hour": rel.failure_rate_per_accelerator_hour,
        "scaling_exponent": rel.scaling_exponent,
        "restart_time_s": rel.restart_time_s,
        "recovery_elastic": 1.0 if rel.recovery == "elastic" else 0.0,
        "hot_spare_fraction": rel.hot_spare_fraction,
        "checkpoint_overhead_fraction": rel.checkpoint_overhead_fraction,
        "tdp_w": chip.tdp_w,
        "chip_to_server_power": chip.chip_to_server_power,
        "server_power_fraction": chip.server_power_fraction,
        "pue": float(a.pue if a.pue is not None else clu.pue),
        "price_usd": dated["price_usd"],
        "price_includes_server": dated["price_includes_server"],
        "server_cost_overhead": prices.server_cost_overhead,
        "network_cost_overhead": prices.network_cost_overhead,
        "facility_capex_usd_per_w": dated["facility_capex_usd_per_w"],
        "amortization_rate_per_year": prices.amortization_rate_per_year,
        "electricity_usd_per_kwh": dated["electricity_usd_per_kwh"],
        "rental_usd_per_hour": dated["rental_usd_per_hour"],
        **emissions.chain_intensity(a, clu),
        "projection_year": (math.nan if chip.projection_year is None
                            else float(chip.projection_year)),
    }
    return Setup(cluster=clu, assumptions=a, reliability=rel,
                 throughput=throughput_model(accelerator=chip, assumptions=a, cluster=clu),
                 constants=MappingProxyType(constants))


def chain_inputs(compute_flop, *, accelerator=None, n_accelerators=None, n_params=None,
                 assumptions=None, cluster=None, model=None, on_infeasible="raise") -> dict:
    """The chain's inputs as plain numbers, resolved from the catalogs and the assumptions.

    Parameters
    ----------
    compute_flop : numeric
        Training compute [FLOP].
    accelerator, cluster :
        The machine (:func:`scaling.clusters.as_machine`).
    n_accelerators : numeric, optional
        Accelerators [count] (an array of counts, or real-valued requirements, broadcast
        against the other inputs); None: the cluster's.
    n_params : numeric, optional
        Model size [parameters]; sets the checkpoint pause through the storage model (None:
        :data:`scaling.reliability.DEFAULT_CHECKPOINT_TIME_S`) and the model shape of the
        step-time model (None: the compute-optimal size of the compute).
    assumptions : Assumptions, optional
    model : ModelShape or str, optional
        The model for the step-time model.
    on_infeasible : {"raise", "nan"}
        Where no layout fits: raise, or leave MFU NaN there (the caller masks those elements).

    Returns
    -------
    dict
        ``compute_flop, n_params, n_accelerators, n_accelerators_used, peak_flop_per_s, mfu,
        failure_rate_per_accelerator_hour, scaling_exponent, checkpoint_time_s,
        restart_time_s, recovery_elastic, replica_size, hot_spare_fraction,
        checkpoint_overhead_fraction, tdp_w, chip_to_server_power, server_power_fraction, pue,
        price_usd, price_includes_server, server_cost_overhead, network_cost_overhead,
        facility_capex_usd_per_w, amortization_rate_per_year, electricity_usd_per_kwh,
        rental_usd_per_hour, carbon_intensity_g_per_kwh, carbon_free_energy_fraction,
        projection_year`` (price inputs NaN when no price is known), plus ``"throughput"``,
        the :class:`~scaling.throughput.Throughput` behind ``mfu`` (not a number). The keys of
        :data:`scaling.uncertainty.DEFAULT_UNCERTAINTY` are among them.

    Raises
    ------
    ValueError
        Non-positive, NaN or infinite compute, counts or sizes (named).
    InfeasibleRunError
        The step-time model finds no layout that fits in memory.
    """
    machine = setup(as_machine(cluster, accelerator, count_required=False),
                    as_assumptions(assumptions))
    if n_accelerators is None:
        n_accelerators = machine.cluster.n_accelerators
    compute = as_float_array("compute_flop", compute_flop)   # the door: the stages trust these
    count = as_float_array("n_accelerators", n_accelerators)
    size = None if n_params is None else as_float_array("n_params", n_params)
    return machine.inputs(compute if compute.ndim else float(compute),
                          count if count.ndim else float(count), n_params=size, model=model,
                          on_infeasible=on_infeasible)


#: Goodput-stage inputs a hand-built input mapping may leave out, with the values that give
#: one synchronous job without spares (the chain before per-cluster resilience).
_GOODPUT_DEFAULTS = {"recovery_elastic": 0.0, "replica_size": reliability.DEFAULT_REPLICA_SIZE,
                     "hot_spare_fraction": 0.0, "checkpoint_overhead_fraction": 0.0}


#: Wall-clock time beyond which a run counts as never finishing [s]: 1e30 s, 1e12 times the age
#: of the universe (a numerical bound, not an assumption: any real forecast is far below it).
_FOREVER_S = 1e30


def _nan_like(*arrays):
    return np.full(np.broadcast_shapes(*[np.shape(a) for a in arrays]), np.nan)


# --------------------------------------------------------------------------------------------
# the chain: named stages
# --------------------------------------------------------------------------------------------

def capex_usd(inputs: Mapping) -> dict:
    """Capex by component of the chain's cluster, at the chain's prices (the dollars stage).

    Parameters
    ----------
    inputs : Mapping
        As returned by :func:`chain_inputs` (prices valued at ``Assumptions.as_of``).

    Returns
    -------
    dict
        :func:`scaling.cost.capex_breakdown_usd` (``chips_usd``, ``servers_usd``,
        ``network_usd``, ``facility_usd``, ``total_usd``, ``hardware_usd``) for
        ``n_accelerators`` at ``price_usd`` with the facility sized for their peak IT power;
        NaN everywhere when no price is known.
    """
    x = _numeric(inputs)
    n = x["n_accelerators"]
    if np.isnan(x["price_usd"]).all():
        return _no_capex(x)
    return cost.capex_breakdown_usd(
        n, x["price_usd"],
        it_power_w=clusters.peak_it_power_w(n, x["tdp_w"], x["chip_to_server_power"]),
        price_includes_server=bool(x["price_includes_server"]),
        server_cost_overhead=x["server_cost_overhead"],
        network_cost_overhead=x["network_cost_overhead"],
        facility_capex_usd_per_w=x["facility_capex_usd_per_w"])


def _capex_usd(x: Mapping) -> dict:
    """Unvalidated kernel of :func:`capex_usd` (inputs checked by the caller)."""
    n = x["n_accelerators"]
    if np.isnan(x["price_usd"]).all():
        return _no_capex(x)
    return cost._capex_breakdown_usd(
        n, x["price_usd"], clusters._peak_it_power_w(n, x["tdp_w"], x["chip_to_server_power"]),
        bool(x["price_includes_server"]), x["server_cost_overhead"],
        x["network_cost_overhead"], x["facility_capex_usd_per_w"])


def _no_capex(x: Mapping) -> dict:
    """Capex by component where no price is known: NaN everywhere."""
    nan = _nan_like(x["n_accelerators"], x["price_usd"])
    return dict.fromkeys(("chips_usd", "servers_usd", "network_usd", "facility_usd",
                          "total_usd", "hardware_usd"), nan)


def _numeric(inputs: Mapping) -> dict:
    """The numeric inputs as float arrays, goodput defaults filled in."""
    return {k: np.asarray(v, dtype=float) for k, v in {**_GOODPUT_DEFAULTS, **inputs}.items()
            if k not in NOT_NUMERIC_INPUTS}


def _throughput_stage(x, out) -> dict:
    """Sustained FLOP/s and the failure-free time."""
    sustained = np.asarray(hardware._sustained_flop_per_s(x["peak_flop_per_s"],
                                                          x["n_accelerators"], x["mfu"]))
    return {"sustained_flop_per_s": sustained,
            "compute_time_s": np.asarray(_time_s(x["compute_flop"], sustained, 1.0))}


def _goodput_stage(x, include_failures: bool) -> dict:
    """MTBF, checkpoint interval and goodput (:func:`scaling.reliability.job_goodput`) of the
    job: the accelerators its layout occupies (idle ones neither train nor interrupt it, so a
    layout that leaves accelerators idle is not slowed by their failures)."""
    pause = x["checkpoint_time_s"]
    mtbf, interval, good = (np.asarray(v) for v in reliability._job_goodput(
        x.get("n_accelerators_used", x["n_accelerators"]),
        x["failure_rate_per_accelerator_hour"], pause, x["restart_time_s"],
        x["recovery_elastic"] > 0, x["replica_size"], x["checkpoint_overhead_fraction"],
        x["hot_spare_fraction"], x["scaling_exponent"], reliability._reference_or_default(None)))
    if not include_failures:
        good = np.ones(np.shape(mtbf))
        interval = _nan_like(mtbf, pause)
    return {"mtbf_s": mtbf, "checkpoint_interval_s": interval, "goodput": good}


def _time_stage(x, out) -> dict:
    """Wall-clock time and accelerator-hours; a run without progress takes forever."""
    time_s = np.asarray(_time_s(x["compute_flop"], out["sustained_flop_per_s"],
                                out["goodput"]))
    finite = time_s < _FOREVER_S
    t = np.where(finite, time_s, 0.0)
    time_s = np.where(finite, time_s, np.inf)
    return {"finite": finite, "t": t, "time_s": time_s, "time_days": time_s / SECONDS_PER_DAY,
            "goodput": np.where(finite, out["goodput"], 0.0),
            "accelerator_hours": np.where(finite, x["n_accelerators"] * t / SECONDS_PER_HOUR,
                                          np.inf)}


def _power_stage(x, out) -> dict:
    """Average and provisioned power at the wall, and the energy of the run."""
    n = x["n_accelerators"]
    power = np.asarray(clusters._facility_power_w(n, x["tdp_w"], x["chip_to_server_power"],
                                                  x["pue"], x["server_power_fraction"]))
    peak = np.asarray(clusters._facility_power_w(n, x["tdp_w"], x["chip_to_server_power"],
                                                 x["pue"], 1.0))
    return {"facility_power_w": power, "peak_facility_power_w": peak,
            "energy": np.asarray(clusters._energy_j(power, out["t"]))}


def _dollars_stage(x, out) -> dict:
    """Capex, the amortised cost (hardware over the run plus energy) and the rental cost."""
    finite, t = out["finite"], out["t"]
    energy_cost = np.where(finite, cost._energy_cost_usd(
        out["energy"], x["electricity_usd_per_kwh"]), np.inf)
    parts = _capex_usd(x)
    hardware_capex = np.asarray(parts["hardware_usd"])
    if np.isnan(x["price_usd"]).all():
        amortized = _nan_like(hardware_capex, out["time_s"])
    else:
        amortized = np.where(finite, cost._amortized_hardware_cost_usd(
            hardware_capex, t, x["amortization_rate_per_year"]), np.inf)
    if np.isnan(x["rental_usd_per_hour"]).all():
        rental = _nan_like(out["accelerator_hours"], x["rental_usd_per_hour"])
    else:
        rental = np.where(finite, cost._rental_cost_usd(
            x["n_accelerators"] * t / SECONDS_PER_HOUR, x["rental_usd_per_hour"]), np.inf)
    return {"hardware_capex_usd": hardware_capex,
            "facility_capex_usd": np.asarray(parts["facility_usd"]),
            "amortized_hardware_cost_usd": amortized, "energy_cost_usd": energy_cost,
            "amortized_cost_usd": amortized + energy_cost, "rental_cost_usd": rental}


def _emissions_stage(x, out) -> dict:
    """Location- and market-based emissions of the energy at the wall."""
    finite, energy = out["finite"], out["energy"]
    intensity = x["carbon_intensity_g_per_kwh"]
    market = emissions._market_based_intensity_g_per_kwh(intensity,
                                                          x["carbon_free_energy_fraction"])
    return {"carbon_intensity_g_per_kwh": intensity,
            "emissions_tco2e": np.where(finite, emissions._emissions_tco2e(energy, intensity),
                                        np.inf),
            "market_emissions_tco2e": np.where(finite, emissions._emissions_tco2e(energy, market),
                                               np.inf),
            "energy_j": np.where(finite, energy, np.inf),
            "energy_mwh": np.where(finite, energy, np.inf) / J_PER_MWH}


def run_chain(inputs: Mapping, *, include_failures: bool = True) -> dict:
    """Every quantity of the chain from its inputs (vectorised over broadcastable arrays).

    The stages in order: throughput, goodput, time, power and energy, dollars, emissions.

    Parameters
    ----------
    inputs : Mapping
        As returned by :func:`chain_inputs`, any entry possibly an array (Monte Carlo
        scenarios broadcast against model sizes). Not checked again: the stages call the
        unvalidated kernels of the public functions (checked at the door, :func:`setup` and
        :func:`scaling.uncertainty.sample_inputs`).
    include_failures : bool
        False sets goodput to 1.

    Returns
    -------
    dict
        The numeric fields of :class:`RunEstimate`, as float arrays, in their order.
    """
    x = _numeric(inputs)
    out = {name: x[name] for name in ("compute_flop", "n_params", "n_accelerators",
                                      "peak_flop_per_s", "mfu", "checkpoint_time_s",
                                      "restart_time_s", "pue", "rental_usd_per_hour")}
    out["n_accelerators_used"] = x.get("n_accelerators_used", x["n_accelerators"])
    for stage in (_throughput_stage, _goodput_stage, _time_stage, _power_stage,
                  _dollars_stage, _emissions_stage):
        out.update(stage(x, include_failures) if stage is _goodput_stage else stage(x, out))
    return {name: out[name] for name in RUN_COLUMNS if name in out}
def check_feasible(values: Mapping, inputs: Mapping) -> None:
    """Raise :class:`~scaling.errors.InfeasibleRunError` where the chain found no progress.

    A run makes no progress when interruptions come so often that the job spends all its time
    restarting and redoing work (goodput 0, infinite time). The message names the
    interruption interval, the restart and checkpoint times, and the largest accelerator
    count at which goodput is still 50%.
    """
    good = np.asarray(values["goodput"])
    if not (good <= 0).any():
        return
    where = np.flatnonzero(np.broadcast_to(good <= 0, good.shape))[0]

    def at(name):
        return float(np.broadcast_to(np.asarray(values[name], dtype=float), good.shape)
                     .flat[where])

    rate = float(np.broadcast_to(np.asarray(inputs["failure_rate_per_accelerator_hour"],
                                            dtype=float), good.shape).flat[where])
    limit = float(reliability.max_accelerators(0.5, at("checkpoint_time_s"),
                                               at("restart_time_s"), rate, infeasible="nan"))
    reach = (f"Goodput stays above 50% up to about {limit:,.0f} accelerators" if limit >= 1
             else "Not even one accelerator reaches 50% goodput")
    raise InfeasibleRunError(
        f"no progress: {at('n_accelerators'):,.0f} accelerators at "
        f"{rate:.3g} interruptions per accelerator-hour are interrupted every "
        f"{at('mtbf_s'):.3g} s on average, against a {at('restart_time_s'):.3g} s restart and "
        f"a {at('checkpoint_time_s'):.3g} s checkpoint pause, so the job never finishes. "
        f"{reach} at these settings; "
        "use fewer accelerators, faster restarts or checkpoints, or a lower failure rate "
        "(Assumptions(reliability=...))"
    )





# --------------------------------------------------------------------------------------------
# one run
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class RunEstimate(Result):
    """Time, energy and dollars of one training run (immutable).

    Numeric fields are floats, or arrays of one shape when :func:`estimate_run` was given
    arrays. Units are in the names; ``to_frame()`` has one column per field in this order.

    Attributes
    ----------
    compute_flop : training compute C [FLOP]
    n_params : model size for the checkpoint [parameters]; NaN when not given
    cluster, accelerator : names ("" when no cluster was given)
    n_accelerators : accelerators in the job [count]
    n_accelerators_used : accelerators the parallel plan occupies [count]; fewer than
        ``n_accelerators`` when the global batch cannot use them all (the idle ones are still
        charged: MFU counts every accelerator given)
    precision : numeric format of the peak
    peak_flop_per_s : dense peak of one accelerator [FLOP/s]
    mfu : whole-run model FLOP utilisation, C = 6ND model FLOP over n x peak [fraction]
    sustained_flop_per_s : n x peak x MFU [FLOP/s]
    compute_time_s : failure-free time C / sustained [s]
    mtbf_s : job mean time between interruptions [s]
    checkpoint_time_s, checkpoint_interval_s, restart_time_s : pause, optimal interval and
        restart [s] (interval NaN without failures)
    goodput : useful fraction of wall-clock time [fraction]
    time_s, time_days : wall-clock time [s], [days]
    accelerator_hours : n x time [accelerator-hours]
    pue : power usage effectiveness [ratio]
    facility_power_w, peak_facility_power_w : average and provisioned power at the wall [W]
    energy_j, energy_mwh : energy at the wall [J], [MWh]
    hardware_capex_usd, facility_capex_usd : chips + servers + network; building [USD]
    amortized_hardware_cost_usd, energy_cost_usd, amortized_cost_usd : Epoch's amortised
        cost: hardware depreciated over the run, energy, and their sum [USD]
    rental_usd_per_hour, rental_cost_usd : cloud price per accelerator-hour [USD/h] and
        rental cost of the run [USD] (NaN without a catalog price)
    carbon_intensity_g_per_kwh : location-based grid carbon intensity [gCO2e/kWh]
    emissions_tco2e : location-based emissions of the energy at the wall [tCO2e]
    market_emissions_tco2e : market-based emissions, net of the contracted carbon-free share
        ``Assumptions.carbon_free_energy_fraction`` [tCO2e]
    assumptions : the :class:`~scaling.Assumptions` used (not a column)

    Dollar fields are nominal, or constant dollars of ``assumptions.dollars``; with
    ``assumptions.as_of`` they are the prices of that date.
    throughput : the :class:`scaling.throughput.Throughput` behind ``mfu`` (not a column): its
        ``source`` ("step_time", "generation_default", "assumptions" or "cluster"),
        ``step_mfu``, ``limit`` (what limits utilisation, in words) and ``step_time``
    model : the :class:`scaling.model_shape.ModelShape` of the step time (given or derived; a
        tuple for array inputs; None for a constant MFU unless one was given; not a column)
    """

    compute_flop: float | np.ndarray
    n_params: float | np.ndarray
    cluster: str
    accelerator: str
    n_accelerators: float | np.ndarray
    n_accelerators_used: float | np.ndarray
    precision: str
    peak_flop_per_s: float | np.ndarray
    mfu: float | np.ndarray
    sustained_flop_per_s: float | np.ndarray
    compute_time_s: float | np.ndarray
    mtbf_s: float | np.ndarray
    checkpoint_time_s: float | np.ndarray
    checkpoint_interval_s: float | np.ndarray
    restart_time_s: float | np.ndarray
    goodput: float | np.ndarray
    time_s: float | np.ndarray
    time_days: float | np.ndarray
    accelerator_hours: float | np.ndarray
    pue: float | np.ndarray
    facility_power_w: float | np.ndarray
    peak_facility_power_w: float | np.ndarray
    energy_j: float | np.ndarray
    energy_mwh: float | np.ndarray
    hardware_capex_usd: float | np.ndarray
    facility_capex_usd: float | np.ndarray
    amortized_hardware_cost_usd: float | np.ndarray
    energy_cost_usd: float | np.ndarray
    amortized_cost_usd: float | np.ndarray
    rental_usd_per_hour: float | np.ndarray
    rental_cost_usd: float | np.ndarray
    carbon_intensity_g_per_kwh: float | np.ndarray
    emissions_tco2e: float | np.ndarray
    market_emissions_tco2e: float | np.ndarray
    assumptions: Assumptions = field(default=None, repr=False, metadata=NOT_A_COLUMN)
    throughput: Throughput = field(default=None, repr=False, metadata=NOT_A_COLUMN)
    model: object = field(default=None, repr=False, metadata=NOT_A_COLUMN)

    #: Rows of :meth:`summary`.
    SUMMARY = ("accelerator", "n_accelerators", "n_accelerators_used", "mfu", "goodput",
               "time_days", "accelerator_hours", "facility_power_w", "energy_mwh",
               "amortized_cost_usd", "rental_cost_usd", "emissions_tco2e")

    @property
    def step_time(self):
        """The :class:`~scaling.plan_search.StepTime` of the step-time model: the layout,
        memory per accelerator and step-time breakdown (a tuple of them for array inputs;
        None for a constant MFU)."""
        return None if self.throughput is None else self.throughput.step_time

    def step_time_breakdown(self):
        """The step-time and memory breakdown of the run's layout (pandas.DataFrame,
        :meth:`scaling.plan_search.StepTime.to_frame`).

        Raises
        ------
        ValueError
            The MFU was not predicted by the step-time model (no layout), or the run holds
            several layouts (array inputs: see :attr:`step_time`).
        """
        step = self.step_time
        if step is None:
            source = "" if self.throughput is None else self.throughput.source
            raise ValueError(f"this run's MFU was set by {source!r}, not by the step-time "
                             "model, so it has no layout; use Assumptions(mfu=None, "
                             "mfu_model='step_time')")
        if isinstance(step, tuple):
            raise ValueError("this estimate holds one layout per element; call "
                             "step_time[i].to_frame() for the run you want")
        return step.to_frame()

#: Names of the columns of a run, in order (the fields of :class:`RunEstimate`).
RUN_COLUMNS = tuple(f.name for f in fields(RunEstimate) if f.metadata.get("column", True))


def _scalar_or_array(value):
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def result_from(values: Mapping, inputs: Mapping, machine: Setup, model=None) -> RunEstimate:
    """The :class:`RunEstimate` of one chain evaluation (for every forward entry point)."""
    step = inputs["throughput"].step_time
    if isinstance(step, tuple):
        model = tuple(None if s is None else s.model for s in step)
    elif step is not None:
        model = step.model
    return RunEstimate(
        cluster=machine.cluster.name, accelerator=machine.accelerator.name,
        precision=machine.assumptions.precision, assumptions=machine.assumptions,
        throughput=inputs["throughput"], model=model,
        **{name: _scalar_or_array(values[name]) for name in values})


@elementwise
def estimate_run(compute_flop, *, cluster=None, accelerator=None, n_accelerators=None,
                 n_params=None, model=None, n_active_params=None,
                 assumptions=None) -> RunEstimate:
    """Time, energy and dollars of one training run.

    Parameters
    ----------
    compute_flop : float or array_like
        Training compute C [FLOP], > 0.
    cluster : str or Cluster, optional
        A named cluster (``scaling.list_clusters()``) or a :class:`~scaling.Cluster`: its
        accelerator, count, PUE, scale-out bandwidth, resilience and region (and MFU, unless
        ``assumptions`` set one).
    accelerator : str or Accelerator, optional
        The chip, when no cluster is given (e.g. ``"H100"``), with ``n_accelerators``.
    n_accelerators : int or array_like, optional
        Accelerators in the job [count], whole numbers; required with ``accelerator``, and
        overrides the cluster's count when given with ``cluster`` (an array gives one run per
        count, broadcast against the other arrays).
    n_params : float or array_like, optional
        Model size [parameters] (total, for a mixture of experts), used for the checkpoint
        pause (storage model) and for the shape of the step-time model. None: the model's
        count when ``model`` is given; else the pause is
        :data:`scaling.reliability.DEFAULT_CHECKPOINT_TIME_S` and the step-time model uses
        the compute-optimal size of the compute under :data:`scaling.laws.DEFAULT_LAW`.
    model : ModelShape or str, optional
        The model for the step-time model: a :class:`~scaling.model_shape.ModelShape` or a
        published configuration's name (``data/model_configs.csv``, e.g. ``"DeepSeek-V3"``:
        a mixture of experts is modelled with its active parameters). None derives a dense
        shape from ``n_params``. ``n_params`` must then be its count (within 10%).
    n_active_params : float, optional
        Parameters active per token of a mixture of experts [parameters], <= ``n_params``;
        without ``model`` (or with a dense ``model`` of this many parameters) the step-time
        model uses a dense shape of this many parameters (``n_params``, the total, still sets
        the checkpoint). The compute is the caller's:
        :math:`6 N_{active} D` for an MoE.
    assumptions : Assumptions, optional
        MFU, precision, PUE, failures, prices (:class:`scaling.Assumptions`; None = its
        sourced defaults).

    Returns
    -------
    RunEstimate

    Raises
    ------
    ValueError
        Unknown names (the closest valid one is suggested), non-positive or NaN compute,
        fractional counts.
    InfeasibleRunError
        The job is interrupted so often it never finishes, or no layout fits the model in the
        accelerators' memory (the message names the minimum count).

    Notes
    -----
    The stages of :mod:`scaling.chain`:

    .. math::
        t = \\frac{C}{n P_{peak} \\mathrm{MFU}\\, G},\\quad h = n t / 3600,\\quad
        E = n P_{TDP} k_{server} f_{avg} \\mathrm{PUE}\\; t

    with goodput G from :func:`scaling.reliability.job_goodput`. Amortised cost is Epoch's:
    hardware capex (chips, servers, network) depreciated over t, plus energy; the facility
    building is not charged to the run. Rental is h x the catalog's on-demand price converted
    by ``prices.rental_discount`` (NaN if the catalog has no rental price).

    Examples
    --------
    Llama 3.1 405B (arXiv:2407.21783): 3.8e25 FLOP on 16,384 H100, reported 30.84M GPU-hours.
    The step-time default predicts 42.6M: a typical team's per-step MFU (0.39: the searched
    plan's 0.43 over the layout gap 1.099; Table 4 reports 0.41 for Meta's own layout), times
    the whole-run efficiency of the median published run (0.70), which this run beat; the
    large-lab preset (0.87) gives 33.8M (see ``scaling.backtest(method="leave_one_out")`` and
    :mod:`scaling.efficiency`).

    >>> run = estimate_run(3.8e25, accelerator="H100", n_accelerators=16384,
    ...                    n_params=405e9, model="Llama 3 405B")
    >>> round(run.accelerator_hours / 1e6, 1), round(run.step_time.mfu, 2)
    (42.6, 0.39)
    >>> lab = Assumptions(run_efficiency="large_lab_production")
    >>> round(estimate_run(3.8e25, accelerator="H100", n_accelerators=16384, n_params=405e9,
    ...                    model="Llama 3 405B", assumptions=lab).accelerator_hours / 1e6, 1)
    33.8
    """
    counts = None
    if n_accelerators is not None and np.ndim(n_accelerators):   # one run per count
        counts = as_count_array("n_accelerators", n_accelerators)
        n_accelerators = None
    machine = setup(as_machine(cluster, accelerator, n_accelerators,
                               count_required=counts is None), as_assumptions(assumptions))
    c = check_plausible("compute_flop", as_float_array("compute_flop", compute_flop),
                        "compute_flop")
    shape, size = training_state.resolve_run_model(model, n_params, n_active_params)
    if n_active_params is not None and size is not None:
        training_state.check_state_fits(
            size, machine.accelerator, machine.cluster.n_accelerators if counts is None
            else counts, precision=machine.assumptions.precision)
    count = check_plausible("n_accelerators", machine.cluster.n_accelerators if counts is None
                            else counts, "n_accelerators")
    if size is not None:
        check_plausible("n_params", size, "n_params")
    check_replica(machine, count)
    inputs = machine.inputs(c, count, n_params=size, model=shape)
    values = run_chain(inputs, include_failures=machine.assumptions.include_failures)
    check_feasible(values, inputs)
    return result_from(values, inputs, machine, shape)


def check_replica(machine: Setup, n_accelerators) -> None:
    """Refuse a recovery replica (``ReliabilityAssumptions.replica_size``) larger than the job
    it is part of (a job holds whole replicas)."""
    replica = machine.reliability.replica_size
    smallest = float(np.min(n_accelerators))
    if replica is not None and replica > smallest:
        raise ValueError(f"replica_size={replica:,} accelerators is larger than the job's "
                         f"{smallest:,.0f} (n_accelerators); a job holds whole replicas: give "
                         f"replica_size <= {smallest:,.0f}")
