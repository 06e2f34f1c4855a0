"""What a capital budget or a power envelope buys, and what that trains (notebooks 02, 05, 08,
10, 12).

:func:`size_cluster` turns a budget [USD] and/or a grid power envelope [W] into a count of one
kind of accelerator (whichever constraint binds), with its racks, power, capex and the MFU of
a reference run on it; :func:`budget_scenarios` compares the budget, the envelope and both,
and what each sized system trains in a fixed time. Capex and power per accelerator are the
chain's stages (:func:`scaling.chain.setup`), the trainable model
:func:`scaling.largest_trainable`'s, and the reference run
:func:`scaling.studies.systems.estimate_reference_run`'s. :func:`budget_variants` tabulates
:func:`scaling.model_for_budget` rented, owned and inference-aware, and :func:`rental_outlook`
the dated rent of :mod:`scaling.rental` with its band (notebook 12).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from scaling import laws
from scaling._validation import scalar, unknown_name
from scaling.assumptions import DEFAULT_PUE, as_assumptions
from scaling.chain import run_chain, setup
from scaling.clusters import (
    Cluster, as_machine, default_rack_power_w, n_racks, peak_it_power_w,
    whole_accelerators_within,
)
from scaling.catalog import check_sold, list_clusters
from scaling.errors import InfeasibleRunError
from scaling.hardware import as_accelerator
from scaling.catalog import Accelerator
from scaling.reliability import Resilience, cluster_resilience
from scaling.results import NOT_A_COLUMN, Result
from scaling.studies.systems import (
    _assumptions_for, _days, _largest_trainable_columns, _reference, estimate_reference_run,
)

__all__ = ["ClusterSizing", "size_cluster", "budget_scenarios", "budget_variants",
           "rental_outlook"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterSizing(Result):
    """What a budget or power envelope buys (returned by :func:`size_cluster`).

    Attributes are unit-suffixed; ``binding`` says which constraint set the count.
    """

    accelerator: Accelerator
    n_accelerators: int
    binding: str
    n_racks: float
    peak_flop_per_s: float
    sustained_flop_per_s: float
    mfu: float
    peak_it_power_w: float
    peak_facility_power_w: float
    average_facility_power_w: float
    capex_usd: float
    hardware_capex_usd: float
    facility_capex_usd: float
    pue: float
    cooling: str

    resilience: object = field(default=None, repr=False, metadata=NOT_A_COLUMN)

    def to_cluster(self, name: str = "sized") -> Cluster:
        """The sized system as a :class:`scaling.Cluster` (status "estimate"); its MFU is left
        to the chain (the step-time model per run), its resilience is the sizing's."""
        return Cluster(name=name, accelerator=self.accelerator,
                       n_accelerators=self.n_accelerators, pue=self.pue, cooling=self.cooling,
                       status="estimate", source="scaling.studies.budgets.size_cluster",
                       resilience=self.resilience)

    def to_dict(self) -> dict:
        """Flat dict of the figures (accelerator by name)."""
        return dict(self.to_frame().iloc[0])


def size_cluster(accelerator, *, budget_usd=None, power_w=None, cooling="liquid",
                 price_usd=None, resilience=None, reference_compute_flop=None,
                 law=laws.DEFAULT_LAW, assumptions=None) -> ClusterSizing:
    """How many accelerators of a kind a budget and/or a power envelope buys.

    Parameters
    ----------
    accelerator : Accelerator or str
        Chip, or its catalog name.
    budget_usd : float or None
        Capital budget [USD] for chips, servers, network and facility.
    power_w : float or None
        Grid power envelope [W], compared with the provisioned facility power
        (peak IT power x PUE).
    cooling : {"air", "liquid"}
        Sets rack power (``data/rack_power.csv``).
    price_usd : float or None
        Override of the catalog price [USD per accelerator].
    resilience : Resilience or str or None
        Restart, checkpoint, spare and recovery assumptions of the sized system: a
        :class:`scaling.reliability.Resilience`, or a named cluster whose row of
        ``data/resilience.csv`` to use (e.g. ``"stargate-2024"``); None: the package
        defaults (one synchronous job).
    reference_compute_flop : float or None
        Compute of the run whose step-time MFU sets ``mfu`` and ``sustained_flop_per_s``
        [FLOP]; None uses GPT-4 (Epoch AI's estimate).
    law : str or Mapping
        Law of that run's compute-optimal size.
    assumptions : Assumptions, optional
        PUE (None: :data:`scaling.assumptions.DEFAULT_PUE`), MFU and precision of the
        sustained FLOP/s, prices.

    Returns
    -------
    ClusterSizing

    Notes
    -----
    Per accelerator, capex :math:`k = c_{hw} + c_W P_{TDP} k_{server}` and provisioned power
    :math:`q = P_{TDP} k_{server} \\mathrm{PUE}` (the chain's stages with one accelerator);
    :math:`n = \\min(\\lfloor B / k \\rfloor, \\lfloor P / q \\rfloor)`. ``mfu`` is the
    step-time model's for the reference run on the n accelerators (unless the assumptions fix
    it).

    Raises
    ------
    ValueError
        Neither constraint given, non-positive or NaN inputs, no catalog price, or a budget
        or envelope too small for one accelerator.
    """
    chip = as_accelerator(accelerator)
    if price_usd is not None:
        chip = dataclasses.replace(chip, price_usd=price_usd)
    if budget_usd is None and power_w is None:
        raise ValueError("give budget_usd, power_w or both")
    if budget_usd is not None:
        check_sold(chip, argument="budget_usd", instead="scaling.model_for_budget(budget_usd, "
                   "..., pricing='rent') says what renting it trains")
    if budget_usd is not None and math.isnan(chip.price_usd):
        raise ValueError(f"{chip.name} has no purchase price in the catalog; pass "
                         "price_usd= explicitly")
    a = as_assumptions(assumptions)
    resilience = _as_resilience(resilience)
    rack_power_w = default_rack_power_w(cooling)
    binding, count = _affordable_count(chip, a, budget_usd, power_w)
    sized = Cluster(name=f"{chip.name} x {count}", accelerator=chip, n_accelerators=count,
                    pue=a.pue if a.pue is not None else DEFAULT_PUE, cooling=cooling,
                    resilience=resilience)
    reference = estimate_reference_run(sized, compute_flop=_reference(reference_compute_flop),
                                       law=law, assumptions=a)
    inputs = setup(as_machine(accelerator=chip, n_accelerators=count), a).inputs(
        1.0, count, throughput=reference.throughput)
    values = run_chain(inputs)
    it_power = float(peak_it_power_w(count, chip.tdp_w, chip.chip_to_server_power))
    hardware_capex = float(values["hardware_capex_usd"])
    facility = float(values["facility_capex_usd"])
    return ClusterSizing(
        accelerator=chip,
        n_accelerators=int(count),
        binding=binding,
        n_racks=float(n_racks(it_power, rack_power_w)),
        peak_flop_per_s=count * float(inputs["peak_flop_per_s"]),
        sustained_flop_per_s=float(values["sustained_flop_per_s"]),
        mfu=float(inputs["mfu"]),
        peak_it_power_w=it_power,
        peak_facility_power_w=float(values["peak_facility_power_w"]),
        average_facility_power_w=float(values["facility_power_w"]),
        capex_usd=hardware_capex + facility,
        hardware_capex_usd=hardware_capex,
        facility_capex_usd=facility,
        pue=float(inputs["pue"]),
        cooling=cooling,
        resilience=resilience,
    )


def _as_resilience(resilience):
    """A :class:`~scaling.reliability.Resilience`, a named cluster's row of
    ``data/resilience.csv``, or None (the package defaults)."""
    if isinstance(resilience, str):
        row = cluster_resilience(resilience)
        if row is None:
            raise unknown_name("cluster with a resilience row", resilience,
                               [n for n in list_clusters()["name"]
                                if cluster_resilience(n) is not None])
        return row
    if resilience is not None and not isinstance(resilience, Resilience):
        raise ValueError("resilience must be a Resilience, a cluster name or None, got "
                         f"{type(resilience).__name__}")
    return resilience


def _affordable_count(chip, a, budget_usd, power_w):
    """(binding constraint, count): the most accelerators the budget and the power envelope
    each allow (capex and provisioned facility power of one accelerator, the chain's stages),
    the smaller of the two."""
    per_chip = setup(as_machine(accelerator=chip, n_accelerators=1), a)
    capex_one = per_chip.capex_usd(1)
    one = {"capex_usd": float(capex_one["hardware_usd"] + capex_one["facility_usd"]),
           "peak_facility_power_w": float(per_chip.facility_power_w(1))}
    candidates = {}
    if budget_usd is not None:
        budget = scalar("budget_usd", budget_usd)
        candidates["budget"] = int(whole_accelerators_within(budget, one["capex_usd"]))
    if power_w is not None:
        envelope = scalar("power_w", power_w)
        candidates["power"] = int(whole_accelerators_within(envelope,
                                                            one["peak_facility_power_w"]))
    binding = min(candidates, key=candidates.get)
    count = candidates[binding]
    if count < 1:
        if binding == "budget":
            given, need = f"budget_usd={budget_usd!r}", (
                f"one {chip.name} costs ${one['capex_usd']:,.0f} with its share of servers, "
                "network and facility")
        else:
            given, need = f"power_w={power_w!r}", (
                f"one {chip.name} needs {float(one['peak_facility_power_w']):,.0f} W at the wall")
        raise InfeasibleRunError(f"{given} buys not even one {chip.name}: {need}")
    return binding, count


def budget_scenarios(accelerator="GB200", *, budget_usd=1e11, power_w=1e9, days=(30, 100),
                     reference_compute_flop=None, law=laws.DEFAULT_LAW, precision=None,
                     resilience=None, assumptions=None):
    """What a capital budget and a power envelope buy, and what that trains.

    Parameters
    ----------
    accelerator : str or Accelerator
        Chip to buy (default GB200, the Stargate Abilene chip).
    budget_usd : float
        Capital budget for chips, servers, network and facility [USD] (default $100B, the
        2024 Stargate report).
    power_w : float
        Facility power envelope [W] (default 1 GW).
    days, reference_compute_flop, law, precision, assumptions :
        As in :func:`scaling.studies.systems.compare_systems`.
    resilience : Resilience or str or None
        The sized systems' restart, checkpoint, spare and recovery assumptions (as in
        :func:`size_cluster`, e.g. ``"stargate-2024"``); None: one synchronous job with the
        package defaults.

    Returns
    -------
    pandas.DataFrame
        One row per constraint: "budget", "power" and "both" (whichever binds), with the
        :class:`ClusterSizing` figures (``n_accelerators``, ``binding``, ``n_racks``,
        ``peak_flop_per_s``, ``sustained_flop_per_s``, ``peak_facility_power_w``,
        ``average_facility_power_w``, ``capex_usd``, ...), the trainable compute, compute-
        optimal ``n_params_<d>d`` / ``n_tokens_<d>d`` and ``goodput_<d>d`` per duration, and
        ``reference_time_days``.
    """
    import pandas as pd

    durations = _days(days)
    ref = _reference(reference_compute_flop)
    chip = as_accelerator(accelerator)
    a = _assumptions_for(chip, assumptions, precision)
    constraints = {
        "budget": {"budget_usd": budget_usd},
        "power": {"power_w": power_w},
        "both": {"budget_usd": budget_usd, "power_w": power_w},
    }
    rows = []
    for label, limits in constraints.items():
        sizing = size_cluster(chip, assumptions=a, resilience=resilience,
                              reference_compute_flop=reference_compute_flop, law=law, **limits)
        system = sizing.to_cluster(name=f"{sizing.accelerator.name} ({label})")
        row = {
            "constraint": label,
            "budget_usd": limits.get("budget_usd", math.nan),
            "power_envelope_w": limits.get("power_w", math.nan),
            **{k: v for k, v in sizing.to_dict().items() if k not in ("cooling",)},
            "precision": a.precision,
        }
        row.update(_largest_trainable_columns(system, durations, law=law, assumptions=a))
        run = estimate_reference_run(system, compute_flop=ref, law=law, assumptions=a)
        row["reference_goodput"] = run.goodput
        row["reference_time_days"] = run.time_days
        rows.append(row)
    return pd.DataFrame(rows).set_index("constraint")


# --------------------------------------------------------------------------------------------
# what a budget trains (notebook 12)
# --------------------------------------------------------------------------------------------

#: The variants of :func:`budget_variants`: label -> (pricing, inference-aware).
BUDGET_VARIANTS = {"rent": ("rent", False), "own": ("own", False),
                   "rent, inference-aware": ("rent", True)}


def budget_variants(budget_usd, *, deadline_s, accelerator, as_of=None, inference_tokens,
                    variants=tuple(BUDGET_VARIANTS), assumptions=None, n_samples=500, seed=0):
    """The model a budget trains, rented, owned, or chosen for its serving demand.

    Each row is one :func:`scaling.model_for_budget` answer (the one budget search).

    Parameters
    ----------
    budget_usd, deadline_s, accelerator, as_of, assumptions, n_samples, seed :
        As in :func:`scaling.model_for_budget`.
    inference_tokens : float
        Serving demand [tokens] of the inference-aware variant.
    variants : sequence of str
        Keys of :data:`BUDGET_VARIANTS`.

    Returns
    -------
    DataFrame
        One row per variant: the :class:`scaling.budget.BudgetPlan` columns, ``variant`` first.
    """
    import pandas as pd

    from scaling.budget import model_for_budget

    rows = []
    for label in variants:
        if label not in BUDGET_VARIANTS:
            raise unknown_name("variant", label, list(BUDGET_VARIANTS))
        pricing, aware = BUDGET_VARIANTS[label]
        plan = model_for_budget(budget_usd, deadline_s=deadline_s, accelerator=accelerator,
                                pricing=pricing, as_of=as_of,
                                inference_tokens=inference_tokens if aware else 0.0,
                                assumptions=assumptions, n_samples=n_samples, seed=seed)
        rows.append(plan.to_frame().assign(variant=label))
    frame = pd.concat(rows, ignore_index=True)
    return frame[["variant", *[c for c in frame.columns if c != "variant"]]]


def rental_outlook(accelerators, years):
    """On-demand rent of accelerators at dates, with the fitted decline's P5-P95 band.

    Parameters
    ----------
    accelerators : sequence of str
    years : sequence of date-like

    Returns
    -------
    DataFrame
        ``accelerator``, ``as_of`` (as given), ``year`` (decimal), ``rental_usd_per_hour_p5``,
        ``rental_usd_per_hour``, ``rental_usd_per_hour_p95`` [USD/h], ``last_quote`` (the
        date of the reference provider's last quote, after which the decline applies).
    """
    import pandas as pd

    from scaling import rental
    from scaling.dates import as_year

    rows = []
    for name in accelerators:
        chip = as_accelerator(name)
        quotes = rental.reference_quotes(chip)
        for year in years:
            low, mid, high = rental.rental_band_usd_per_hour(chip, year)
            rows.append({"accelerator": chip.name, "as_of": str(year),
                         "year": float(as_year(year)),
                         "rental_usd_per_hour_p5": low, "rental_usd_per_hour": mid,
                         "rental_usd_per_hour_p95": high,
                         "last_quote": "" if quotes.empty else str(quotes["date"].iloc[-1])})
    return pd.DataFrame(rows)
