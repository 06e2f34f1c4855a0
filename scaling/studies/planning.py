"""Enterprise right-sizing: from a training target to accelerators, racks, power, cooling and
the buy-versus-rent decision.

The steps follow the advice to "assess the workload, check power and cooling, right-size a
cluster and start with a pilot":

1. **Workload.** Training compute :math:`C = 6ND` [FLOP] (Kaplan et al. 2020 §2.1; Hoffmann et
   al. 2022 App. F). Full fine-tuning runs the same forward and backward passes over every
   weight, so it costs the same 6 FLOP per parameter per token; only the token count differs.
2. **Accelerators.** The smallest whole number of servers whose accelerators finish :math:`C`
   by the deadline at the given MFU and the goodput left by failures
   (:mod:`scaling.reliability`), and never fewer than the memory needed to hold the training
   state (16 bytes per parameter for mixed-precision Adam; Rajbhandari et al. 2020).
3. **Power and cooling.** Servers per rack, racks, nameplate IT power, power at the wall
   (times PUE), and the cooling a rack needs: air up to a sourced per-rack ceiling, liquid
   above.
4. **Buy or rent.** Cumulative cost of owning (capex + colocation + electricity) against renting
   on demand or on 1- and 3-year commitments, with the break-even month and the break-even
   occupancy (the share of the time an owned cluster is busy) over a 3-year horizon.
5. **Pilot.** A fraction of the cluster for a short run: what it costs to rent and what it
   can prove.

Everything numeric is a pure vectorised function of the core: servers, racks and cooling in
:mod:`scaling.clusters` (:func:`~scaling.clusters.whole_servers`,
:func:`~scaling.clusters.racks_needed`, :func:`~scaling.clusters.cooling_type`, ...), owning
against renting in :mod:`scaling.cost` (:func:`~scaling.cost.ownership_cost_usd`,
:func:`~scaling.cost.break_even_time_s`, ...). :func:`plan_training` composes them for one
accelerator and returns a frozen :class:`TrainingPlan`.

References
----------
.. [1] J. Kaplan et al., "Scaling Laws for Neural Language Models", arXiv:2001.08361 (2020),
   §2.1 (C = 6N FLOP per token).
.. [2] S. Rajbhandari, J. Rasley, O. Ruwase, Y. He, "ZeRO: Memory Optimizations Toward
   Training Trillion Parameter Models", arXiv:1910.02054 (2020), §3.1 (mixed-precision Adam
   holds 2 + 2 + 12 = 16 bytes per parameter).
.. [3] CBRE, "North America Data Center Trends H2 2024" (26 Feb 2025),
   https://www.cbre.com/insights/reports/north-america-data-center-trends-h2-2024 -- average
   asking rate $184.06 per kW per month for a 250-500 kW requirement in primary markets.
.. [4] NVIDIA, "DGX SuperPOD with DGX B300 systems, reference architecture",
   https://docs.nvidia.com/dgx-superpod/reference-architecture/scalable-infrastructure-b300-xdr/latest/dgx-superpod-architecture.html
   -- four DGX systems per rack (~56 kW), fewer where the facility limits rack power.
.. [5] B. Cottier et al., "The rising costs of training frontier AI models", arXiv:2405.21015
   (2024), and github.com/epoch-research/training-cost-trends (PUE 1.25 for
   non-hyperscalers, committed-use discounts, depreciation 0.14 orders of magnitude per year).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from scaling import clusters as _clusters, cost as _cost, solve, valuation
from scaling._validation import (
    as_float_array,
    check_choice,
    check_fraction,
    like,
    scalar,
    whole_number,
)
from scaling.assumptions import Assumptions, as_assumptions
from scaling.chain import RunEstimate, estimate_run, setup
from scaling.clusters import (
    as_machine, cooling_type, racks_needed, server_power_w, whole_servers,
)
from scaling.training_state import TRAINING_STATE_BYTES_PER_PARAM, accelerators_for_memory
from scaling.cost import (
    break_even_occupancy, break_even_time_s, ownership_cost_usd, rental_cost_over_time_usd,
)
from scaling.errors import InfeasibleRunError
from scaling.hardware import as_accelerator
from scaling.catalog import Accelerator
from scaling.laws import DEFAULT_LAW, FLOP_PER_PARAM_PER_TOKEN, compute_optimal, training_flop
from scaling.results import NOT_A_COLUMN, Result
from scaling.uncertainty import sensitivity
from scaling.units import (
    J_PER_MWH,
    SECONDS_PER_DAY,
    SECONDS_PER_MONTH,
    SECONDS_PER_YEAR,
    W_PER_KW,
)

__all__ = [
    "RENTAL_OPTIONS",
    "PlanAssumptions",
    "TrainingPlan",
    "PilotPlan",
    "plan_training",
    "compare_accelerators",
    "buy_vs_rent",
    "break_even_table",
    "pilot_plan",
    "buy_vs_rent_sensitivity",
    "SENSITIVITY_PARAMETERS",
]

#: Rental options compared with owning: on demand (pay for the hours used) and 1- or 3-year
#: committed use (pay for every hour of the term); the terms of :mod:`scaling.cost`.
RENTAL_OPTIONS = _cost.RENTAL_TERMS

# --------------------------------------------------------------------------------------------
# assumptions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanAssumptions:
    """Facility, packaging and ownership assumptions of a plan, each with its source.

    Parameters
    ----------
    accelerators_per_server : int
        Accelerators per server. Default 8: NVIDIA DGX/HGX H100, H200 and B200 and AMD's
        MI300X platform carry eight (NVIDIA DGX H100 datasheet, 8 x H100 in 10.2 kW; Llama 3,
        arXiv:2407.21783 §3.3.1: "8 GPUs and 2 CPUs" per Grand Teton server). [count]
    servers_per_rack : int
        Servers in one rack. Default 4: NVIDIA's DGX SuperPOD reference architecture puts four
        DGX systems in a rack (~56 kW for DGX B300) and notes fewer may fit where the facility
        limits rack power (docs.nvidia.com, DGX SuperPOD B300 XDR reference architecture).
        [count]
    air_cooling_max_rack_power_w : float
        Highest rack IT power that air cooling handles; above it a rack needs liquid (direct-
        to-chip or rear-door). Default 30 kW, the "~25-30 kW" practical air ceiling in the
        reference notes (hardware_costs.md §6.2: factryze.ai "DLC watts per rack";
        flashgenius.net NCP-AII power and cooling guide) and Chatsworth Products (2026), "When
        do you need liquid cooling for AI infrastructure?": operators "begin evaluating liquid
        cooling as rack densities approach 30 kW". Read from ``data/rack_power.csv`` through
        :func:`scaling.clusters.default_rack_power_w`. [W]
    colocation_usd_per_kw_month : float
        Colocation rent per kW of contracted IT power per month: space, power distribution,
        cooling plant and facility operations. Electricity is metered on top. Default $184.06,
        CBRE "North America Data Center Trends H2 2024": average asking rate for a 250-500 kW
        requirement in primary markets. [USD/(kW month)]
    training_state_bytes_per_param : float
        Accelerator memory the training state needs per parameter (bf16 weights and
        gradients, fp32 master weights and two Adam moments: 2 + 2 + 12). Default 16
        (:data:`scaling.training_state.TRAINING_STATE_BYTES_PER_PARAM`), ZeRO
        (Rajbhandari et al. 2020, arXiv:1910.02054 §3.1). Activations are not included, so the
        memory floor it gives is a lower bound. [byte]
    horizon_s : float
        Ownership horizon of the buy-vs-rent comparison. Default 3 years, the longest
        committed-use term in the discount table (Epoch ``DEFAULT_CUD``) and Epoch's server
        lifetime for hardware bought up to 2020. [s]
    credit_resale_value : bool
        Subtract the hardware's remaining value at the end of the horizon from the cost of
        owning, depreciated at ``PriceAssumptions.depreciation_rate_per_year`` (Epoch's 0.14
        orders of magnitude per year). Default False: an enterprise that keeps the cluster gets
        no cash back, the conservative choice for owning.

    Notes
    -----
    The chain's assumptions (MFU model, precision, PUE, failures, and the prices: capex
    overheads, electricity, depreciation, and the provider whose committed-use discounts turn
    the on-demand price into 1- and 3-year prices) live in :class:`scaling.Assumptions`. An
    enterprise in a colocation facility is not a hyperscaler: Epoch's PUE for other operators
    is 1.25 (:data:`scaling.assumptions.EPOCH_OTHER_PUE`), passed as
    ``Assumptions(pue=EPOCH_OTHER_PUE)``.
    """

    accelerators_per_server: int = 8
    servers_per_rack: int = 4
    air_cooling_max_rack_power_w: float = field(
        default_factory=lambda: _clusters.default_rack_power_w("air"))
    colocation_usd_per_kw_month: float = 184.06
    training_state_bytes_per_param: float = TRAINING_STATE_BYTES_PER_PARAM
    horizon_s: float = 3 * SECONDS_PER_YEAR
    credit_resale_value: bool = False

    def __post_init__(self):
        for name in ("accelerators_per_server", "servers_per_rack"):
            object.__setattr__(self, name, whole_number(f"PlanAssumptions.{name}",
                                                        getattr(self, name)))
        for name in ("air_cooling_max_rack_power_w", "colocation_usd_per_kw_month",
                     "training_state_bytes_per_param", "horizon_s"):
            object.__setattr__(self, name, scalar(f"PlanAssumptions.{name}",
                                                  getattr(self, name)))
        if not isinstance(self.credit_resale_value, bool):
            raise ValueError("credit_resale_value must be True or False")

    def rack_power_w(self, server_power_w):
        """IT power of a full rack [W]; forwards to the product of the fields."""
        return like(self.servers_per_rack * as_float_array("server_power_w", server_power_w),
                     server_power_w)


# --------------------------------------------------------------------------------------------
# composition: one plan per accelerator
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingPlan(Result):
    """A right-sized cluster for one training target on one accelerator.

    Built by :func:`plan_training`; methods forward to the module functions. Powers are
    in W, times in s, money in USD (see :meth:`summary` for display units). ``to_frame()``
    has one column per field in this order.

    Attributes
    ----------
    n_params, n_tokens, compute_flop, deadline_s
        The target: parameters, tokens, C = 6ND [FLOP], wall-clock deadline [s].
    accelerator, precision, mfu, goodput
        Accelerator (name), numeric format, MFU and goodput at the planned size.
    n_accelerators_for_deadline, n_accelerators_for_memory
        Continuous accelerator counts the deadline and the training-state memory require.
    n_accelerators, n_servers, n_racks, servers_per_rack
        The right-sized cluster (whole servers) and its racks at the assumed density.
    server_power_w, rack_power_w, cooling
        Nameplate server and rack IT power and the cooling that rack density needs.
    servers_per_air_rack, n_racks_air
        The alternative layout that stays under the air-cooling ceiling (0 and NaN when a
        single server exceeds it).
    it_power_w, facility_power_w, average_facility_power_w
        Nameplate IT power, the same at the wall (times PUE), and the average wall power
        while training.
    time_s, energy_j
        Training time at the planned size (<= deadline) and the energy it draws.
    capex_usd
        Purchase price of servers and network.
    rental_on_demand_usd_per_hour, run_rental_cost_usd, break_even_occupancy
        On-demand price per accelerator-hour, on-demand rent of the run, and the occupancy
        (busy share of the owned cluster) above which owning beats on-demand rent over the
        horizon.
    rental_usd_per_hour : dict
        Per-accelerator-hour prices by rental option (:data:`RENTAL_OPTIONS`; not a column).
    chip : Accelerator
        The accelerator planned with, including any price you set on it (not a column).

    Money is NaN where the catalog has no price (no purchase price: capex and break-even; no
    on-demand price: rent and break-even) and none was given.
    electricity_usd_per_kwh
        Electricity price used for owning.
    run : RunEstimate
        The chain's estimate of the run on the planned cluster (not a column).
    assumptions, plan_assumptions
        The chain's :class:`scaling.Assumptions` and the :class:`PlanAssumptions` (packaging,
        facility, ownership) used (not columns).
    """

    accelerator: str
    n_params: float
    n_tokens: float
    compute_flop: float
    deadline_s: float
    precision: str
    mfu: float
    goodput: float
    n_accelerators_for_deadline: float
    n_accelerators_for_memory: float
    n_accelerators: int
    n_servers: int
    n_racks: int
    servers_per_rack: int
    server_power_w: float
    rack_power_w: float
    cooling: str
    servers_per_air_rack: int
    n_racks_air: float
    it_power_w: float
    facility_power_w: float
    average_facility_power_w: float
    time_s: float
    energy_j: float
    capex_usd: float
    rental_on_demand_usd_per_hour: float
    run_rental_cost_usd: float
    break_even_occupancy: float
    electricity_usd_per_kwh: float
    rental_usd_per_hour: dict = field(metadata=NOT_A_COLUMN)
    chip: object = field(repr=False, metadata=NOT_A_COLUMN)
    run: RunEstimate = field(repr=False, metadata=NOT_A_COLUMN)
    assumptions: Assumptions = field(repr=False, metadata=NOT_A_COLUMN)
    plan_assumptions: PlanAssumptions = field(repr=False, metadata=NOT_A_COLUMN)

    # ---- derived running costs (forwarding arithmetic only) ----
    def fixed_cost_usd_per_s(self) -> float:
        """Colocation rent of the contracted IT power [USD/s]."""
        return (self.plan_assumptions.colocation_usd_per_kw_month * self.it_power_w / W_PER_KW
                / SECONDS_PER_MONTH)

    def energy_cost_usd_per_s(self) -> float:
        """Electricity while training at full load [USD/s] (:func:`scaling.cost.energy_cost_usd`
        of one second at the average wall power)."""
        return float(_cost.energy_cost_usd(self.average_facility_power_w,
                                           self.electricity_usd_per_kwh))

    def rent_usd_per_s(self, option: str = "on_demand") -> float:
        """Rent of the cluster's accelerators under a rental option [USD/s] (NaN unpriced)."""
        check_choice("option", option, RENTAL_OPTIONS)
        price = self.rental_usd_per_hour[option]
        if math.isnan(price):
            return math.nan
        return float(rental_cost_over_time_usd(1.0, self.n_accelerators, price))

    def resale_usd(self) -> float:
        """Value credited at the end of the horizon (0 unless ``credit_resale_value``) [USD]."""
        return _resale_usd(self.capex_usd, self.plan_assumptions, self.assumptions)

    def buy_vs_rent(self, occupancy, *, months=None):
        """Cumulative cost curves; forwards to :func:`buy_vs_rent`."""
        return buy_vs_rent(self, occupancy=occupancy, months=months)

    def break_even(self, occupancy):
        """Break-even table per rental option; forwards to :func:`break_even_table`."""
        return break_even_table(self, occupancy=occupancy)

    def pilot(self, *, fraction, duration_s, law=None):
        """Pilot phase; forwards to :func:`pilot_plan`."""
        return pilot_plan(self, fraction=fraction, duration_s=duration_s, law=law)

    def summary(self):
        """Readable table: quantity, value (display units), unit."""
        import pandas as pd

        rows = [
            ("training compute", self.compute_flop, "FLOP"),
            ("accelerators", self.n_accelerators, "count"),
            ("servers", self.n_servers, "count"),
            ("racks", self.n_racks, "count"),
            ("rack power", self.rack_power_w / W_PER_KW, "kW"),
            ("cooling", self.cooling, ""),
            ("IT power (nameplate)", self.it_power_w / W_PER_KW, "kW"),
            ("power at the wall (peak)", self.facility_power_w / W_PER_KW, "kW"),
            ("training time", self.time_s / SECONDS_PER_DAY, "days"),
            ("energy", self.energy_j / J_PER_MWH, "MWh"),
            ("capex", self.capex_usd, "USD"),
            ("on-demand rent for the run", self.run_rental_cost_usd, "USD"),
            ("break-even occupancy (3-yr, vs on demand)", self.break_even_occupancy, ""),
        ]
        return pd.DataFrame(rows, columns=["quantity", "value", "unit"]).set_index("quantity")


def _resale_usd(capex_usd, plan_assumptions, assumptions) -> float:
    """Hardware value credited at the end of the ownership horizon [USD]."""
    if not plan_assumptions.credit_resale_value or math.isnan(capex_usd):
        return 0.0
    return float(_cost.depreciated_value_usd(
        capex_usd, plan_assumptions.horizon_s / SECONDS_PER_YEAR,
        assumptions.prices.depreciation_rate_per_year / math.log(10.0)))


#: Servers added, one at a time, when the layout at the whole-server count rounded up from
#: the solver's answer misses the deadline (a step of the step-time model; a handful at most).
_MAX_EXTRA_SERVERS = 64


def _whole_server_run(compute, deadline, acc, n_params, model, a, servers, per_server):
    """The run on ``servers`` whole servers, adding servers while it misses the deadline (the
    last step of rounding the solver's count up; the layout can change with the count)."""
    for _ in range(_MAX_EXTRA_SERVERS):
        try:
            run = estimate_run(compute, accelerator=acc, n_accelerators=servers * per_server,
                               n_params=n_params, model=model, assumptions=a)
        except InfeasibleRunError:
            run = None
        if run is not None and run.time_s <= deadline * (1 + _ROUNDING_RTOL):
            return servers, run
        servers += 1
    raise InfeasibleRunError(
        f"{servers * per_server:,} {acc.name} accelerators in whole servers still miss "
        f"deadline_s={deadline:.4g} s for {compute:.3g} FLOP; give a longer deadline")


#: Relative slack with which the whole-server run meets the deadline (the solver's own).
_ROUNDING_RTOL = 1e-6


def plan_training(n_params, n_tokens, *, deadline_s, accelerator, rental_usd_per_hour=None,
                  model=None, assumptions=None, plan_assumptions=None) -> TrainingPlan:
    """Right-size a cluster to train ``n_params`` on ``n_tokens`` within ``deadline_s``.

    Parameters
    ----------
    n_params : float
        Model parameters N (for fine-tuning: the model being fine-tuned). [count]
    n_tokens : float
        Training (or fine-tuning) tokens D. [count]
    deadline_s : float
        Wall-clock time available. [s]
    accelerator : str or Accelerator
        Catalog name (``"H100-SXM"``) or an :class:`~scaling.Accelerator`.
    rental_usd_per_hour : float, optional
        On-demand price per accelerator-hour [USD/h]; default the catalog's reference price
        (NaN money where the catalog has none). 1- and 3-year prices apply the provider's
        committed-use discounts to it. A purchase price is set on the accelerator:
        ``dataclasses.replace(scaling.accelerator(name), price_usd=...)``.
    model : ModelShape or str, optional
        The model for the step-time model (default: a dense shape of ``n_params``).
    assumptions : Assumptions, optional
        The chain's assumptions: MFU, precision, PUE, failures, prices
        (:class:`scaling.Assumptions`).
    plan_assumptions : PlanAssumptions, optional
        Packaging, facility and ownership assumptions; default ``PlanAssumptions()``.

    Returns
    -------
    TrainingPlan

    Raises
    ------
    InfeasibleRunError
        No number of accelerators finishes by the deadline.

    Notes
    -----
    The accelerator count is the chain's one inverse,
    :func:`scaling.solve.accelerators_for_deadline`, solving
    :math:`n = C / (P\\,\\mathrm{MFU}(n)\\,G(n)\\,T)` (``n_accelerators_for_deadline``,
    not rounded); the plan takes the larger of that and the memory floor :math:`N b / M`,
    then rounds up to whole servers (adding servers while the layout at the rounded count
    misses the deadline). Time, power, energy and cost at that size are
    :func:`scaling.estimate_run`'s, so :math:`t \\le T`.
    """
    acc = as_accelerator(accelerator)
    a = as_assumptions(assumptions)
    plan_assumptions = PlanAssumptions() if plan_assumptions is None else plan_assumptions
    if not isinstance(plan_assumptions, PlanAssumptions):
        raise ValueError("plan_assumptions must be a PlanAssumptions or None, got "
                         f"{type(plan_assumptions).__name__}")
    n_params = scalar("n_params", n_params)
    n_tokens = scalar("n_tokens", n_tokens)
    deadline_s = scalar("deadline_s", deadline_s)
    compute = float(training_flop(n_params, n_tokens))
    counts, run = _accelerator_counts(compute, deadline_s, acc, n_params, model, a,
                                      plan_assumptions)
    return TrainingPlan(
        accelerator=acc.name, n_params=n_params, n_tokens=n_tokens, compute_flop=compute,
        deadline_s=deadline_s, precision=a.precision, mfu=float(run.mfu),
        goodput=float(run.goodput), **counts,
        **_racks_and_power(acc, counts["n_servers"], plan_assumptions),
        facility_power_w=float(run.peak_facility_power_w),
        average_facility_power_w=float(run.facility_power_w), time_s=float(run.time_s),
        energy_j=float(run.energy_j),
        **_money(run, acc, counts["n_accelerators"], rental_usd_per_hour, a, plan_assumptions),
        chip=acc, run=run, assumptions=a, plan_assumptions=plan_assumptions,
    )


def _accelerator_counts(compute, deadline_s, acc, n_params, model, a, plan_assumptions):
    """Step 2 of a plan: the counts the deadline (the chain's one inverse) and the training
    state's memory need, and the whole-server run that meets the deadline."""
    machine = setup(as_machine(accelerator=acc, count_required=False), a)
    n_cont = float(solve.accelerators_for_deadline(machine, compute, deadline_s,
                                                   n_params=n_params, model=model).value)
    n_memory = float(accelerators_for_memory(n_params, acc.memory_bytes,
                                             plan_assumptions.training_state_bytes_per_param))
    per_server = plan_assumptions.accelerators_per_server
    n_servers, run = _whole_server_run(
        compute, deadline_s, acc, n_params, model, a,
        int(whole_servers(max(n_cont, n_memory), per_server)), per_server)
    return {"n_accelerators_for_deadline": n_cont, "n_accelerators_for_memory": n_memory,
            "n_accelerators": int(n_servers * per_server), "n_servers": n_servers}, run


def _racks_and_power(acc, n_servers, plan_assumptions) -> dict:
    """Step 3 of a plan: servers per rack, racks, nameplate power and the cooling it needs,
    and the layout that stays under the air-cooling ceiling."""
    power_server = float(server_power_w(acc.tdp_w, acc.chip_to_server_power,
                                        plan_assumptions.accelerators_per_server))
    per_rack = plan_assumptions.servers_per_rack
    rack_power = per_rack * power_server if n_servers >= per_rack else n_servers * power_server
    air_limit = plan_assumptions.air_cooling_max_rack_power_w
    per_air_rack = int(np.floor(air_limit / power_server))
    n_acc = n_servers * plan_assumptions.accelerators_per_server
    return {
        "n_racks": int(racks_needed(n_servers, per_rack)), "servers_per_rack": per_rack,
        "server_power_w": power_server, "rack_power_w": rack_power,
        "cooling": cooling_type(rack_power, air_limit), "servers_per_air_rack": per_air_rack,
        "n_racks_air": (float(racks_needed(n_servers, per_air_rack)) if per_air_rack >= 1
                        else float("nan")),
        "it_power_w": float(_clusters.peak_it_power_w(n_acc, acc.tdp_w,
                                                       acc.chip_to_server_power)),
    }


def _money(run, acc, n_acc, rental_usd_per_hour, a, plan_assumptions) -> dict:
    """Step 4 of a plan: capex, rental prices by option, the run's on-demand rent and the
    break-even occupancy against on-demand rent over the horizon (NaN where unpriced, and the
    buying side NaN for an accelerator that is not sold, ``Accelerator.sold``)."""
    dated = valuation.chain_prices(acc, a)     # the catalog's prices at a.as_of
    given = a.prices.rental_usd_per_hour        # an explicit price, used as given
    if rental_usd_per_hour is None and given is not None:
        on_demand = float(given)
        rent = {term: on_demand for term in RENTAL_OPTIONS}
    else:
        on_demand = (dated["on_demand_usd_per_hour"] if rental_usd_per_hour is None
                     else scalar("rental_usd_per_hour", rental_usd_per_hour))
        rent = {term: math.nan if math.isnan(on_demand) else float(
            _cost.discounted_rental_usd_per_hour(on_demand, term, a.prices.rental_provider))
            for term in RENTAL_OPTIONS}
    it_power = float(_clusters.peak_it_power_w(n_acc, acc.tdp_w, acc.chip_to_server_power))
    capex = float(run.hardware_capex_usd) if acc.sold else math.nan   # rented only: no buying
    electricity = float(dated["electricity_usd_per_kwh"])
    fixed = plan_assumptions.colocation_usd_per_kw_month * it_power / W_PER_KW / SECONDS_PER_MONTH
    energy_rate = float(_cost.energy_cost_usd(run.facility_power_w, electricity))
    priced = not (math.isnan(capex) or math.isnan(on_demand))
    rent_rate = float(rental_cost_over_time_usd(1.0, n_acc, on_demand)) if priced else math.nan
    return {
        "capex_usd": capex, "rental_on_demand_usd_per_hour": rent["on_demand"],
        "run_rental_cost_usd": (math.nan if math.isnan(on_demand) else float(
            rental_cost_over_time_usd(run.time_s, n_acc, on_demand))),
        "break_even_occupancy": float(break_even_occupancy(
            capex, fixed, energy_rate, rent_rate, plan_assumptions.horizon_s,
            _resale_usd(capex, plan_assumptions, a))) if priced else math.nan,
        "electricity_usd_per_kwh": electricity, "rental_usd_per_hour": rent,
    }


# --------------------------------------------------------------------------------------------
# buy versus rent
# --------------------------------------------------------------------------------------------


def buy_vs_rent(plan, *, occupancy, months=None):
    """Cumulative cost of owning the planned cluster versus renting it, month by month.

    Parameters
    ----------
    plan : TrainingPlan
    occupancy : float
        Share of the time the owned cluster is busy training, in (0, 1]. Owning pays
        electricity and on-demand renting pays rent only for that share; committed use pays
        every hour.
    months : array_like, optional
        Months since start; default 0..horizon in steps of 1.

    Returns
    -------
    pandas.DataFrame
        Long form, columns ``month``, ``time_s``, ``option`` (``"own"`` and
        :data:`RENTAL_OPTIONS`), ``cost_usd``.
    """
    import pandas as pd

    check_fraction("occupancy", occupancy)
    if months is None:
        months = np.arange(0, round(plan.plan_assumptions.horizon_s / SECONDS_PER_MONTH) + 1)
    months = np.atleast_1d(as_float_array("months", months, allow_zero=True))
    t = months * SECONDS_PER_MONTH
    own = np.full(t.shape, np.nan) if math.isnan(plan.capex_usd) else ownership_cost_usd(
        t, plan.capex_usd, plan.it_power_w, plan.average_facility_power_w, occupancy,
        colocation_usd_per_kw_month=plan.plan_assumptions.colocation_usd_per_kw_month,
        electricity_usd_per_kwh=plan.electricity_usd_per_kwh)
    frames = [pd.DataFrame({"month": months, "time_s": t, "option": "own", "cost_usd": own})]
    for option in RENTAL_OPTIONS:
        paid = occupancy if option == "on_demand" else 1.0
        price = plan.rental_usd_per_hour[option]
        cost = np.full(t.shape, np.nan) if math.isnan(price) else rental_cost_over_time_usd(
            t, plan.n_accelerators, price, paid)
        frames.append(pd.DataFrame({"month": months, "time_s": t, "option": option,
                                    "cost_usd": cost}))
    return pd.concat(frames, ignore_index=True)


def break_even_table(plan, *, occupancy):
    """Owning against each rental option over the plan's horizon.

    Parameters
    ----------
    plan : TrainingPlan
    occupancy : float
        Share of the time the owned cluster is busy training, in (0, 1].

    Returns
    -------
    pandas.DataFrame
        One row per rental option: ``option``, ``rental_usd_per_hour``,
        ``rent_cost_usd`` and ``own_cost_usd`` over the horizon (own net of any resale
        credit), ``own_minus_rent_usd`` (negative: owning is cheaper) and
        ``break_even_months`` (``inf``: owning never catches up).
    """
    import pandas as pd

    u = float(check_fraction("occupancy", occupancy))
    horizon = plan.plan_assumptions.horizon_s
    own_rate = plan.fixed_cost_usd_per_s() + u * plan.energy_cost_usd_per_s()
    resale = plan.resale_usd()
    own_total = plan.capex_usd - resale + own_rate * horizon
    rows = []
    for option in RENTAL_OPTIONS:
        paid = u if option == "on_demand" else 1.0
        rent_rate = plan.rent_usd_per_s(option) * paid
        rows.append({
            "option": option,
            "rental_usd_per_hour": plan.rental_usd_per_hour[option],
            "rent_cost_usd": rent_rate * horizon,
            "own_cost_usd": own_total,
            "own_minus_rent_usd": own_total - rent_rate * horizon,
            "break_even_months": (math.nan if math.isnan(own_total + rent_rate) else
                                  break_even_time_s(plan.capex_usd, own_rate, rent_rate)
                                  / SECONDS_PER_MONTH),
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# several accelerators
# --------------------------------------------------------------------------------------------


def compare_accelerators(n_params, n_tokens, *, deadline_s, accelerators, occupancy,
                         mfu=None, rental_usd_per_hour=None, assumptions=None,
                         plan_assumptions=None):
    """Plan the same target on several accelerators, one row each.

    Parameters
    ----------
    n_params, n_tokens, deadline_s
        As in :func:`plan_training`.
    accelerators : sequence of str or Accelerator
        Accelerators to compare.
    occupancy : float
        Share of the time owned hardware is busy, for the 3-year cost columns, in (0, 1].
    mfu : Mapping, optional
        ``{name: mfu}`` per accelerator; names not given use ``assumptions.mfu`` (None:
        each accelerator's default).
    rental_usd_per_hour : float or Mapping, optional
        One on-demand price for all, or ``{name: price}``; missing names use the catalog.
    assumptions, plan_assumptions :
        As in :func:`plan_training`.

    Returns
    -------
    pandas.DataFrame
        :meth:`TrainingPlan.to_frame` columns plus ``own_cost_usd``,
        ``rent_on_demand_cost_usd`` and ``own_minus_rent_usd`` over the horizon and
        ``break_even_months`` against on-demand rent at ``occupancy``.
    """
    import pandas as pd

    a = as_assumptions(assumptions)
    per_chip_mfu = {} if mfu is None else dict(mfu)

    def pick(value, name):
        if isinstance(value, dict):
            return value.get(name)
        return value

    frames = []
    for item in ([accelerators] if isinstance(accelerators, (str, Accelerator))
                 else accelerators):
        acc = as_accelerator(item)
        chip_mfu = per_chip_mfu.get(acc.name)
        plan = plan_training(n_params, n_tokens, deadline_s=deadline_s, accelerator=acc,
                             rental_usd_per_hour=pick(rental_usd_per_hour, acc.name),
                             assumptions=a if chip_mfu is None else a.at_constant_mfu(mfu=chip_mfu),
                             plan_assumptions=plan_assumptions)
        row = plan.to_frame()
        on_demand = plan.break_even(occupancy).set_index("option").loc["on_demand"]
        row["own_cost_usd"] = on_demand["own_cost_usd"]
        row["rent_on_demand_cost_usd"] = on_demand["rent_cost_usd"]
        row["own_minus_rent_usd"] = on_demand["own_minus_rent_usd"]
        row["break_even_months"] = on_demand["break_even_months"]
        frames.append(row)
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------------
# pilot
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PilotPlan(Result):
    """A pilot phase: part of the planned cluster for a short run (see :func:`pilot_plan`).

    Attributes
    ----------
    fraction, duration_s
        Requested share of the full cluster and pilot length [s].
    n_accelerators, n_servers, n_racks
        Pilot size (whole servers, at least one) and its racks.
    it_power_w, facility_power_w
        Nameplate IT power and peak power at the wall [W].
    goodput, compute_flop
        Goodput at pilot size and the compute the pilot delivers [FLOP].
    tokens_at_target_size, fraction_of_target_tokens
        Tokens of the target model the pilot trains, and as a share of the full run.
    optimal_n_params, optimal_n_tokens
        Compute-optimal model and tokens for the pilot's compute (``law``).
    rental_cost_usd, energy_j
        On-demand rent of the pilot [USD] and the energy it would draw if owned [J].
    """

    fraction: float
    duration_s: float
    n_accelerators: int
    n_servers: int
    n_racks: int
    it_power_w: float
    facility_power_w: float
    goodput: float
    compute_flop: float
    tokens_at_target_size: float
    fraction_of_target_tokens: float
    optimal_n_params: float
    optimal_n_tokens: float
    rental_cost_usd: float
    energy_j: float


def pilot_plan(plan, *, fraction, duration_s, law=None):
    """Size a pilot: a fraction of the planned cluster, rented on demand for a short run.

    Parameters
    ----------
    plan : TrainingPlan
        The full plan.
    fraction : float
        Share of the full cluster's accelerators, in (0, 1]; rounded up to whole servers.
    duration_s : float
        Pilot length. [s]
    law : str or Mapping, optional
        Scaling-law parameters for the compute-optimal model the pilot could train; default
        :data:`scaling.laws.DEFAULT_LAW`.

    Returns
    -------
    PilotPlan

    Notes
    -----
    The pilot runs at the plan's assumptions; its compute is what the chain delivers in the
    pilot's time, :math:`C_p = C\\,t_p / t_{pilot}(C)` (time is linear in compute at the target
    run's MFU on the pilot's accelerators), which
    trains the target model on :math:`C_p / (6N)` tokens, or a compute-optimal model of its
    own.
    """
    f = float(scalar("fraction", fraction, check_fraction))
    t = scalar("duration_s", duration_s)
    per_server = plan.plan_assumptions.accelerators_per_server
    n_servers = int(whole_servers(f * plan.n_accelerators, per_server))
    n_acc = n_servers * per_server
    acc = plan.chip
    # the target run's workload on the pilot's accelerators (the step-time model plans that
    # run, with its batch); time is linear in compute at that MFU
    per_flop = estimate_run(plan.compute_flop, accelerator=acc, n_accelerators=n_acc,
                            n_params=plan.n_params, assumptions=plan.assumptions)
    compute = plan.compute_flop * t / per_flop.time_s
    tokens = compute / (FLOP_PER_PARAM_PER_TOKEN * plan.n_params)
    optimal = compute_optimal(compute, DEFAULT_LAW if law is None else law)
    return PilotPlan(
        fraction=f, duration_s=t, n_accelerators=n_acc, n_servers=n_servers,
        n_racks=int(racks_needed(n_servers, plan.plan_assumptions.servers_per_rack)),
        it_power_w=float(_clusters.peak_it_power_w(n_acc, acc.tdp_w, acc.chip_to_server_power)),
        facility_power_w=float(per_flop.peak_facility_power_w),
        goodput=float(per_flop.goodput), compute_flop=compute, tokens_at_target_size=tokens,
        fraction_of_target_tokens=tokens / plan.n_tokens,
        optimal_n_params=float(optimal.n_params), optimal_n_tokens=float(optimal.n_tokens),
        rental_cost_usd=(math.nan if math.isnan(plan.rental_on_demand_usd_per_hour) else float(
            rental_cost_over_time_usd(t, n_acc, plan.rental_on_demand_usd_per_hour))),
        energy_j=float(_clusters.energy_j(per_flop.facility_power_w, t)),
    )


# --------------------------------------------------------------------------------------------
# sensitivity
# --------------------------------------------------------------------------------------------

#: Assumptions :func:`buy_vs_rent_sensitivity` can vary, and where each lives.
SENSITIVITY_PARAMETERS = ("mfu", "rental_usd_per_hour", "occupancy", "price_usd", "pue",
                          "colocation_usd_per_kw_month", "electricity_usd_per_kwh")

#: Outputs :func:`buy_vs_rent_sensitivity` reports for every case.
SENSITIVITY_OUTPUTS = ("n_accelerators", "capex_usd", "run_rental_cost_usd",
                       "break_even_occupancy", "break_even_months", "own_minus_rent_usd")


def buy_vs_rent_sensitivity(plan, *, occupancy, ranges):
    """How the buy-vs-rent answer moves when one assumption at a time changes.

    Parameters
    ----------
    plan : TrainingPlan
        The base plan.
    occupancy : float
        Base occupancy (busy share) of the owned cluster, in (0, 1].
    ranges : Mapping[str, tuple[float, float]]
        ``{assumption: (low, high)}`` for names in :data:`SENSITIVITY_PARAMETERS`. A range of
        two NaNs for a price the plan does not have (the catalog has none, so the plan's
        money is NaN) is left out: there is nothing to vary.

    Returns
    -------
    pandas.DataFrame
        :func:`scaling.sensitivity`'s table, one row per assumption and output of
        :data:`SENSITIVITY_OUTPUTS` (``n_accelerators``, ``capex_usd``,
        ``run_rental_cost_usd``, ``break_even_occupancy``, ``break_even_months`` vs on
        demand, ``own_minus_rent_usd`` over the horizon, negative when owning is cheaper),
        with ``swing`` = ``|output_high - output_low|``. Outputs the plan cannot price (NaN
        money where the catalog has no price) are left out.
    """
    import dataclasses

    base = {
        "mfu": plan.mfu,
        "rental_usd_per_hour": plan.rental_usd_per_hour["on_demand"],
        "occupancy": float(scalar("occupancy", occupancy, check_fraction)),
        "price_usd": plan.chip.price_usd,
        "pue": plan.run.pue,
        "colocation_usd_per_kw_month": plan.plan_assumptions.colocation_usd_per_kw_month,
        "electricity_usd_per_kwh": plan.electricity_usd_per_kwh,
    }
    usable = {}
    for name, bounds in ranges.items():
        check_choice("ranges key", name, SENSITIVITY_PARAMETERS)
        if not (isinstance(bounds, (tuple, list)) and len(bounds) == 2):
            raise ValueError(f"ranges[{name!r}] must be (low, high), got {bounds!r}")
        if math.isnan(base[name]) and all(isinstance(v, float) and math.isnan(v)
                                          for v in bounds):
            continue  # no price in the catalog (NaN money): nothing to vary
        for value in bounds:
            scalar(f"ranges[{name!r}]", value)
        usable[name] = bounds

    def outcome(*, mfu, rental_usd_per_hour, occupancy, price_usd, pue,
                colocation_usd_per_kw_month, electricity_usd_per_kwh):
        acc = dataclasses.replace(plan.chip, price_usd=float(price_usd))
        varied = plan_training(
            plan.n_params, plan.n_tokens, deadline_s=plan.deadline_s, accelerator=acc,
            rental_usd_per_hour=(None if math.isnan(rental_usd_per_hour)
                                 else rental_usd_per_hour),
            assumptions=plan.assumptions.at_constant_mfu(
                mfu=mfu, pue=pue, electricity_usd_per_kwh=electricity_usd_per_kwh),
            plan_assumptions=dataclasses.replace(
                plan.plan_assumptions, colocation_usd_per_kw_month=colocation_usd_per_kw_month))
        on_demand = break_even_table(varied, occupancy=occupancy).set_index(
            "option").loc["on_demand"]
        return {"n_accelerators": varied.n_accelerators, "capex_usd": varied.capex_usd,
                "run_rental_cost_usd": varied.run_rental_cost_usd,
                "break_even_occupancy": varied.break_even_occupancy,
                "break_even_months": on_demand["break_even_months"],
                "own_minus_rent_usd": on_demand["own_minus_rent_usd"]}

    # outputs the plan cannot price (NaN money: no catalog price) are left out of the table
    priced = [name for name, value in outcome(**base).items() if math.isfinite(value)]

    def priced_outcome(**settings):
        values = outcome(**settings)
        return {name: values[name] for name in priced}

    table = sensitivity(priced_outcome, base, usable)
    order = {name: i for i, name in enumerate(SENSITIVITY_OUTPUTS)}
    return table.sort_values(["output", "swing"], key=lambda c: c.map(order) if c.name ==
                             "output" else c, ascending=[True, False], ignore_index=True)
