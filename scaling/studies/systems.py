"""Named AI systems side by side: what Stargate, Frontier, Eos and Azure's H100 clusters train.

Press coverage compares supercomputers by one number each, usually in a different precision
for each machine, and by chip counts that say nothing about time to train. This module puts
the named systems of ``data/clusters.csv`` on one footing:

* **peak and sustained FLOP/s** at the precision a training run actually uses (dense bf16,
  optionally fp8), next to the figure each system's owner headlines (FP64 HPL for Frontier
  and Azure Eagle, sparse FP8 for NVIDIA Eos, sparse FP4 for GB200 racks):
  :func:`precision_comparison`;
* **what each trains compute-optimally** in a fixed wall-clock time (30 or 100 days) and
  **how long a GPT-4-scale run takes** (Epoch AI's estimate of GPT-4's training compute,
  ``data/reference_runs.csv``): :func:`compare_systems`;
* **the named clusters' chips, FLOP/s, power and capex** in one table:
  :func:`compare_clusters`.

Which assumptions move a run's time is :mod:`scaling.studies.run_time`; what a budget or a
power envelope buys, :mod:`scaling.studies.budgets`. Both build on the reference runs and
:func:`estimate_reference_run` here.

The science is not re-implemented here: every time, goodput and trainable model comes from
the forecast chain (:func:`scaling.estimate_run`, :func:`scaling.largest_trainable`), i.e.

.. math:: T = \\frac{C}{n\\,P_{peak}\\,\\mathrm{MFU}\\,G},

with MFU from the step-time model of the compute-optimal model on each system (its parallel
layout, the batch-size wall, its interconnect: :mod:`scaling.throughput`), goodput :math:`G`
from :mod:`scaling.reliability` with each system's own restart, checkpoint, spare and recovery
assumptions (``data/resilience.csv``: one synchronous job on today's clusters, replicas that
drop out and rejoin on the Stargate sites) and the compute-optimal model from
:mod:`scaling.laws`. Not modelled: stragglers, network topology beyond the per-accelerator
scale-up and scale-out bandwidths, and whether a cluster is ever dedicated to one run.

References
----------
.. [1] Epoch AI, "Data on Notable AI Models", https://epoch.ai/data/ai-models (GPT-4 row:
   2.1e25 FLOP, 90% CI 8.2e24-4.4e25).
.. [2] TOP500, June 2022 and November 2023 lists, https://top500.org (Frontier, Eagle, Eos).
.. [3] J. Hoffmann et al., "Training Compute-Optimal Large Language Models",
   arXiv:2203.15556, 2022.
.. [4] Llama Team, AI @ Meta, "The Llama 3 Herd of Models", arXiv:2407.21783, 2024.
.. [5] DeepSeek-AI, "DeepSeek-V3 Technical Report", arXiv:2412.19437, 2024.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scaling import laws
from scaling._validation import (
    as_float_array, as_names, check_choice, scalar, unknown_name, whole_number,
)
from scaling.assumptions import as_assumptions
from scaling.catalog import list_clusters
from scaling.chain import estimate_run, run_chain, setup
from scaling.clusters import Cluster, as_cluster
from scaling.studies.hardware import cluster_cost_breakdown
from scaling.data import cached, load_table
from scaling.forecasting import largest_trainable
from scaling.hardware import sustained_flop_per_s
from scaling.units import SECONDS_PER_DAY

__all__ = [
    "SEED_SYSTEMS",
    "compare_clusters",
    "DEFAULT_SYSTEMS",
    "DEFAULT_REFERENCE_RUN",
    "PRECISION_CHOICES",
    "ReportedBenchmark",
    "reported_benchmarks",
    "reference_runs",
    "reference_compute_flop",
    "estimate_reference_run",
    "by_batch_size_law",
    "compare_systems",
    "precision_comparison",
]

#: The systems notebook 05 compares (keys of ``data/clusters.csv``): the 2024 Stargate rumour,
#: the 2025 Stargate Abilene build, Frontier, the two NVIDIA Eos machines and Azure Eagle.
DEFAULT_SYSTEMS = (
    "stargate-2024", "stargate-abilene", "frontier", "eos-mlperf", "eos-top500", "azure-eagle",
)

#: Reference run whose compute the comparison times: GPT-4, Epoch AI's estimate
#: (``data/reference_runs.csv``).
DEFAULT_REFERENCE_RUN = "gpt-4"

#: Precisions accepted. ``"best"`` uses fp8 where the chip has it and bf16 otherwise
#: (Frontier's MI250X has no fp8).
PRECISION_CHOICES = ("bf16", "fp8", "best")

# --------------------------------------------------------------------------------------------
# validation (private)
# --------------------------------------------------------------------------------------------

def _systems(value, name: str = "cluster_names") -> list:
    """A list of cluster names or Clusters; one name (or one Cluster) is a list of one (a
    string is never read as its characters)."""
    return as_names("cluster names (see scaling.list_clusters()) or Clusters", value,
                    name=name, kinds=(str, Cluster))


def _days(days) -> tuple[float, ...]:
    values = tuple(float(d) for d in np.atleast_1d(as_float_array("days", days)))
    if not values:
        raise ValueError("days must hold at least one positive duration")
    return values


def _day_label(day: float) -> str:
    return f"{day:g}d"


# --------------------------------------------------------------------------------------------
# reference runs
# --------------------------------------------------------------------------------------------

@cached
def _reference_table():
    frame = load_table("reference_runs")
    numeric = [c for c in frame.columns if c not in ("run", "accelerator", "source")]
    for column in numeric:
        frame[column] = frame[column].astype(float)
    return frame.set_index("run")


def reference_runs():
    """Published training runs used as yardsticks (``data/reference_runs.csv``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``run``; columns ``compute_flop`` [FLOP] with ``compute_flop_lower`` /
        ``compute_flop_upper`` and ``compute_ci_level`` where the estimate has an interval,
        ``accelerator``, ``n_accelerators`` [count], ``reported_mfu_lower/upper`` [fraction],
        ``reported_training_days_lower/upper`` [days] and ``source``.

    Notes
    -----
    GPT-4's compute is Epoch AI's estimate (2.1e25 FLOP, 90% CI 8.2e24-4.4e25; "Data on
    Notable AI Models", https://epoch.ai/data/ai-models); OpenAI never published it. Its
    hardware, duration and MFU are SemiAnalysis figures recorded by Epoch (unverified).
    """
    return _reference_table().copy()


def reference_compute_flop(run: str = DEFAULT_REFERENCE_RUN) -> float:
    """Training compute of a reference run [FLOP] (central estimate).

    Raises
    ------
    ValueError
        Unknown run; the message lists the valid ones.
    """
    table = _reference_table()
    if not isinstance(run, str) or run not in table.index:
        raise unknown_name("reference run", run, list(table.index))
    return float(table.loc[run, "compute_flop"])


# --------------------------------------------------------------------------------------------
# headline figures each system's owner publishes
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class ReportedBenchmark:
    """A published FLOP/s figure for a named system (or one of its chips).

    Parameters
    ----------
    system : str
        Key in ``data/clusters.csv``.
    measure : str
        What was measured or claimed (e.g. "TOP500 HPL Rmax").
    precision : str
        Number format of the figure ("fp64", "mixed", "fp8", "fp4").
    sparse : bool
        True when the figure assumes 2:4 structured sparsity (twice the dense rate).
    flop_per_s : float
        The figure [FLOP/s] for ``n_accelerators`` chips.
    n_accelerators : int
        Chips the figure refers to [count].
    headline : bool
        True for the figure the owner or vendor headlines for this system.
    source : str
        Where it is published.
    """

    system: str
    measure: str
    precision: str
    sparse: bool
    flop_per_s: float
    n_accelerators: int
    headline: bool
    source: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "flop_per_s",
                           scalar(f"{self.system}: flop_per_s", self.flop_per_s))
        object.__setattr__(self, "n_accelerators",
                           whole_number(f"{self.system}: n_accelerators", self.n_accelerators))
        if not isinstance(self.source, str) or not self.source.strip():
            raise ValueError(f"{self.system}: source must be non-empty")


@cached
def reported_benchmarks() -> tuple[ReportedBenchmark, ...]:
    """Published FLOP/s figures of the named systems (``data/system_benchmarks.csv``).

    ``headline=True`` marks the figure each system's owner leads with. Frontier and Azure
    Eagle are ranked by FP64 HPL (TOP500); NVIDIA announced Eos as "18.4 exaflops of AI"
    (= 4,608 H100 x 4 PFLOP/s FP8 with 2:4 sparsity); GB200 systems are marketed by the sparse
    FP4 rate of an NVL72 rack. The 10,752-GPU Eos was announced by an MLPerf time-to-train, not
    a FLOP/s figure, and the 2024 Stargate report gave dollars and gigawatts only, so neither
    has an entry.

    Returns
    -------
    tuple of ReportedBenchmark
        One per row, each with its source.
    """
    table = load_table("system_benchmarks")
    return tuple(
        ReportedBenchmark(
            system=str(row.system), measure=str(row.measure), precision=str(row.precision),
            sparse=bool(row.sparse), flop_per_s=float(row.flop_per_s),
            n_accelerators=int(row.n_accelerators), headline=bool(row.headline),
            source=str(row.source),
        )
        for row in table.itertuples(index=False)
    )


def _benchmarks_for(system: str):
    return [b for b in reported_benchmarks() if b.system == system]


def _headline(system: str):
    for bench in _benchmarks_for(system):
        if bench.headline:
            return bench
    return None


# --------------------------------------------------------------------------------------------
# one run on one system (through the chain)
# --------------------------------------------------------------------------------------------

def _assumptions_for(chip, assumptions, precision):
    """The assumptions with the precision a system uses (``"best"``: fp8 where supported)."""
    a = as_assumptions(assumptions)
    if precision is None:
        return a
    check_choice("precision", precision, PRECISION_CHOICES)
    if precision == "best":
        precision = "bf16" if math.isnan(chip.peak_fp8_flop_per_s) else "fp8"
    return a.replace(precision=precision)


def _reference(compute_flop):
    if compute_flop is None:
        return reference_compute_flop(DEFAULT_REFERENCE_RUN)
    return float(scalar("reference_compute_flop", compute_flop))


def estimate_reference_run(system, *, compute_flop=None, n_params=None, law=laws.DEFAULT_LAW,
                           precision=None, assumptions=None):
    """Time, goodput, energy and cost of one run on a named system.

    Parameters
    ----------
    system : str or Cluster
        Key of ``data/clusters.csv`` or a :class:`scaling.Cluster`.
    compute_flop : float, ndarray or None
        Training compute [FLOP]; None uses GPT-4 (Epoch AI's estimate, 2.1e25).
    n_params : float, ndarray or None
        Model size [parameters] (sets the checkpoint pause); None uses the compute-optimal
        size of ``law`` for the compute.
    law : str or Mapping
        Chinchilla parameter set giving the compute-optimal model size.
    precision : {"bf16", "fp8", "best"} or None
        None uses ``assumptions.precision``; "best" uses fp8 where the chip has it.
    assumptions : Assumptions, optional

    Returns
    -------
    scaling.RunEstimate

    Notes
    -----
    :func:`scaling.estimate_run` on the system, at :math:`N_{opt}(C)` unless ``n_params`` is
    given.
    """
    clu = as_cluster(system)
    compute = (_reference(compute_flop) if compute_flop is None or np.ndim(compute_flop) == 0
               else as_float_array("compute_flop", compute_flop))
    size = (np.asarray(laws.compute_optimal(compute, law=law).n_params, dtype=float)
            if n_params is None else n_params)
    return estimate_run(compute, cluster=clu, n_params=size,
                        assumptions=_assumptions_for(clu.accelerator, assumptions, precision))


def _reference_mfu(system, a, law, compute_flop=None):
    """(MFU, how it was set, what limits it) of the reference run on a system."""
    run = estimate_reference_run(system, compute_flop=_reference(compute_flop), law=law,
                                 assumptions=a)
    return float(run.mfu), run.throughput.source, run.throughput.limit


def _largest_trainable_columns(system, days, **kwargs) -> dict:
    """Compute, N, D and goodput of the largest compute-optimal run per deadline, as columns
    suffixed with the deadline (``n_params_30d`` ...)."""
    trainable = largest_trainable(system, deadline_s=np.asarray(days) * SECONDS_PER_DAY,
                                  **kwargs).to_frame()
    columns = {}
    for day, (_, best) in zip(days, trainable.iterrows()):
        label = _day_label(day)
        for quantity in ("compute_flop", "n_params", "n_tokens", "goodput"):
            columns[f"{quantity}_{label}"] = float(best[quantity])
    return columns


def _modelled_capex_usd(system, prices):
    if math.isnan(system.accelerator.price_usd):
        return math.nan
    return float(cluster_cost_breakdown(system, prices=prices)["total_usd"])


def compare_systems(cluster_names=DEFAULT_SYSTEMS, *, days=(30, 100), reference_compute_flop=None,
                    law=laws.DEFAULT_LAW, precision=None, assumptions=None):
    """Named systems side by side: FLOP/s, power, capex, what they train and how fast.

    Parameters
    ----------
    cluster_names : sequence of str or Cluster
        Keys of ``data/clusters.csv`` (or :class:`scaling.Cluster` objects).
    days : sequence of float
        Wall-clock budgets for the "largest compute-optimal model" columns. [days]
    reference_compute_flop : float or None
        Compute of the reference run to time [FLOP]; None uses GPT-4 (Epoch AI's estimate,
        :func:`reference_compute_flop`).
    law : str or Mapping
        Chinchilla parameter set.
    precision : {"bf16", "fp8", "best"} or None
        None uses ``assumptions.precision``; "best" is fp8 where supported, else bf16. MFU is
        applied to that precision's dense peak.
    assumptions : Assumptions, optional
        MFU (None: each system's default), failures, prices: one bundle for every system.

    Returns
    -------
    pandas.DataFrame
        One row per system, indexed by ``system``, with ``status``, ``accelerator``,
        ``n_accelerators``; ``headline_measure``, ``headline_precision``,
        ``headline_flop_per_s`` (the figure the owner publishes);
        ``peak_bf16_flop_per_s``, ``peak_fp8_flop_per_s`` (dense, NaN without fp8),
        ``precision``, ``mfu``, ``sustained_flop_per_s``;
        ``reported_power_w``, ``modelled_power_w`` (average wall power in training, Epoch's
        model); ``reported_capex_usd``, ``capex_scope``, ``modelled_capex_usd`` (chips,
        servers, network, facility; :func:`scaling.studies.hardware.cluster_cost_breakdown`); for each
        duration ``d``: ``compute_flop_<d>d``, ``n_params_<d>d``, ``n_tokens_<d>d``,
        ``goodput_<d>d``; ``reference_compute_flop``, ``reference_goodput``,
        ``reference_time_s`` / ``reference_time_days`` (the reference run's wall-clock time);
        ``naive_reference_time_days``, the time one would conclude by dividing the
        reference compute by the headline figure (NaN without one); what limits the
        reference run: ``n_accelerators_used``, ``mfu_source`` (how MFU was set) and
        ``mfu_limit`` (what limits it: the step-time breakdown in words), and the goodput stage's
        ``recovery`` ("restart" or "elastic"), ``restart_time_s`` and
        ``hot_spare_fraction`` (the system's resilience row).
    """
    import pandas as pd

    durations = _days(days)
    ref = _reference(reference_compute_flop)
    rows = []
    for name in _systems(cluster_names):
        system = as_cluster(name)
        chip = system.accelerator
        a = _assumptions_for(chip, assumptions, precision)
        head = _headline(system.name)
        run = estimate_reference_run(system, compute_flop=ref, law=law, assumptions=a)
        trainable = _largest_trainable_columns(system, durations, law=law, assumptions=a)
        row = {
            "system": system.name,
            "status": system.status,
            "accelerator": chip.name,
            "n_accelerators": system.n_accelerators,
            "headline_measure": head.measure if head else "none published",
            "headline_precision": (head.precision + (" sparse" if head.sparse else "")
                                   if head else ""),
            "headline_flop_per_s": head.flop_per_s if head else math.nan,
            "peak_bf16_flop_per_s": system.peak_flop_per_s("bf16"),
            "peak_fp8_flop_per_s": (math.nan if math.isnan(chip.peak_fp8_flop_per_s)
                                    else system.peak_flop_per_s("fp8")),
            "precision": a.precision,
            "mfu": run.mfu,
            "sustained_flop_per_s": run.sustained_flop_per_s,
            "reported_power_w": system.reported_power_w,
            "modelled_power_w": run.facility_power_w,
            "reported_capex_usd": system.reported_capex_usd,
            "capex_scope": system.capex_scope,
            "modelled_capex_usd": _modelled_capex_usd(system, a.prices),
        }
        row.update(trainable)
        row["reference_compute_flop"] = ref
        row["reference_goodput"] = run.goodput
        row["reference_time_s"] = run.time_s
        row["reference_time_days"] = run.time_days
        row["n_accelerators_used"] = run.n_accelerators_used
        row["mfu_source"] = run.throughput.source
        row["mfu_limit"] = run.throughput.limit
        rel = a.reliability.resolve(system.resilience)
        row["recovery"] = rel.recovery
        row["restart_time_s"] = rel.restart_time_s
        row["hot_spare_fraction"] = rel.hot_spare_fraction
        row["naive_reference_time_days"] = ref / row["headline_flop_per_s"] / SECONDS_PER_DAY
        rows.append(row)
    return pd.DataFrame(rows).set_index("system")


def precision_comparison(cluster_names=DEFAULT_SYSTEMS, *, assumptions=None,
                         law=laws.DEFAULT_LAW):
    """Every published and modelled FLOP/s figure of the named systems, in one table.

    Parameters
    ----------
    cluster_names : sequence of str or Cluster
        Systems to include.
    assumptions : Assumptions, optional
        Its ``mfu`` sets the "sustained" rows (None: the MFU of the reference run, a
        compute-optimal GPT-4-scale run, on each system, by the step-time model).
    law : str or Mapping
        Law of the reference run's compute-optimal size.

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per (system, figure): ``system``, ``measure``, ``precision``,
        ``sparse``, ``kind`` ("published" or "modelled"), ``headline``, ``flop_per_s``
        [FLOP/s] for the whole system (published figures quoted for a different chip count
        are scaled linearly and say so in ``scaled_from``), ``ratio_to_sustained_bf16`` (how
        many times the rate a bf16 training run sustains) and ``source``.

    Notes
    -----
    Why flop-to-flop comparisons mislead: FP64 HPL (Frontier's "exaflop", Eagle's 561 PF)
    exercises FP64 units that AI chips de-emphasise, so it ranks an AI cluster far below a
    simulation machine of equal bf16 power; vendor AI headlines quote fp8 or fp4 *with 2:4
    sparsity*, 4x (fp8) or 8x (fp4) the dense bf16 peak; and training sustains only an MFU
    fraction of the dense peak (Llama 3: 38-43% of bf16).
    """
    import pandas as pd

    a = as_assumptions(assumptions).replace(precision="bf16")
    rows = []
    for name in _systems(cluster_names):
        system = as_cluster(name)
        chip = system.accelerator
        used_mfu, how, _ = _reference_mfu(system, a, law)
        sustained = float(sustained_flop_per_s(chip.peak_flop_per_s("bf16"),
                                               system.n_accelerators, used_mfu))
        mfu_source = {
            "step_time": "dense bf16 peak x the step-time model's whole-run MFU of a "
                         "compute-optimal GPT-4-scale run (scaling.throughput)",
            "generation_default": "dense bf16 peak x MFU (data/mfu_defaults.csv, by "
                                  "accelerator generation)",
        }.get(how, "dense bf16 peak x the MFU given")
        figures = [
            ("dense peak", "bf16", False, "modelled", False,
             system.peak_flop_per_s("bf16"), "", chip.source),
        ]
        if not math.isnan(chip.peak_fp8_flop_per_s):
            figures.append(("dense peak", "fp8", False, "modelled", False,
                            system.peak_flop_per_s("fp8"), "", chip.source))
        figures.append((f"sustained in training (MFU {used_mfu:.3g})", "bf16", False,
                        "modelled", False, sustained, "", mfu_source))
        for bench in _benchmarks_for(system.name):
            scale = system.n_accelerators / bench.n_accelerators
            figures.append((bench.measure, bench.precision, bench.sparse, "published",
                            bench.headline, bench.flop_per_s * scale,
                            "" if scale == 1 else f"{bench.n_accelerators} chips", bench.source))
        for measure, precision, sparse, kind, headline, value, scaled, source in figures:
            rows.append({
                "system": system.name, "measure": measure, "precision": precision,
                "sparse": sparse, "kind": kind, "headline": headline, "flop_per_s": value,
                "ratio_to_sustained_bf16": value / sustained, "scaled_from": scaled,
                "source": source,
            })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# named clusters side by side
# --------------------------------------------------------------------------------------------

#: The four systems the project's seed compares, shown first by :func:`compare_clusters`.
SEED_SYSTEMS = ("stargate-2024", "frontier", "eos-mlperf", "azure-eagle")


def compare_clusters(names=None, *, assumptions=None, law=laws.DEFAULT_LAW):
    """Named systems side by side: chips, peak and sustained FLOP/s, power and capex.

    Parameters
    ----------
    names : sequence of str or None
        Keys of ``data/clusters.csv``; None gives all, the seed's four
        (:data:`SEED_SYSTEMS`) first.
    assumptions : Assumptions, optional
        Precision, MFU (None: the step-time MFU of a compute-optimal GPT-4-scale run on each
        system), PUE (None: each system's) and prices.
    law : str or Mapping
        Law of that reference run's compute-optimal size.

    Returns
    -------
    pandas.DataFrame
        One row per system: ``name``, ``accelerator``, ``n_accelerators``, ``status``,
        ``year``, ``peak_flop_per_s``, ``mfu``, ``sustained_flop_per_s`` [FLOP/s],
        ``peak_facility_power_w``, ``average_facility_power_w``, ``reported_power_w`` [W],
        ``modelled_capex_usd`` (chips, servers, network and facility; NaN where the chip has
        no catalog price), ``reported_capex_usd``, ``capex_scope`` [USD], ``n_racks``.
    """
    import pandas as pd

    a = as_assumptions(assumptions)
    if names is None:
        every = list(list_clusters()["name"])
        names = [n for n in SEED_SYSTEMS if n in every] + [n for n in every
                                                            if n not in SEED_SYSTEMS]
    rows = []
    for name in _systems(names, "names"):
        system = as_cluster(name)
        reference = estimate_reference_run(system, law=law, assumptions=a)
        inputs = setup(system, a).inputs(1.0, system.n_accelerators,
                                         throughput=reference.throughput)
        values = run_chain(inputs)
        rows.append({
            "name": system.name,
            "accelerator": system.accelerator.name,
            "n_accelerators": system.n_accelerators,
            "status": system.status,
            "year": system.year,
            "peak_flop_per_s": system.peak_flop_per_s(a.precision),
            "mfu": inputs["mfu"],
            "sustained_flop_per_s": float(values["sustained_flop_per_s"]),
            "peak_facility_power_w": float(values["peak_facility_power_w"]),
            "average_facility_power_w": float(values["facility_power_w"]),
            "reported_power_w": system.reported_power_w,
            "modelled_capex_usd": _modelled_capex_usd(system, a.prices),
            "reported_capex_usd": system.reported_capex_usd,
            "capex_scope": system.capex_scope,
            "n_racks": system.n_racks(),
        })
    return pd.DataFrame(rows)


def by_batch_size_law(systems, batch_size_laws, *, compute_flop=None, n_params=None,
                      assumptions=None):
    """One run on named systems under each batch-size law (issue 18).

    Parameters
    ----------
    systems : sequence of str or Cluster
    batch_size_laws : sequence
        Values of ``Assumptions.batch_size_law`` (names of :data:`scaling.batch_size.
        BATCH_SIZE_LAWS` or callables).
    compute_flop, n_params :
        As in :func:`estimate_reference_run` (default: GPT-4's compute, compute-optimal size).
    assumptions : Assumptions, optional
        The other assumptions (its own ``batch_size_law`` is replaced).

    Returns
    -------
    pandas.DataFrame
        One row per (law, system): ``batch_size_law``, ``system``, ``global_batch_tokens``,
        ``n_accelerators_used``, ``mfu``, ``goodput``, ``time_days``.
    """
    import pandas as pd

    a = as_assumptions(assumptions)
    rows = []
    for law in batch_size_laws:
        for system in systems:
            run = estimate_reference_run(system, compute_flop=compute_flop, n_params=n_params,
                                         assumptions=a.replace(batch_size_law=law))
            step = run.step_time
            rows.append({"batch_size_law": law if isinstance(law, str) else getattr(
                            law, "__name__", "user law"),
                         "system": as_cluster(system).name,
                         "global_batch_tokens": (math.nan if step is None
                                                 else float(step.global_batch_tokens)),
                         "n_accelerators_used": float(run.n_accelerators_used),
                         "mfu": float(run.mfu), "goodput": float(run.goodput),
                         "time_days": float(run.time_days)})
    return pd.DataFrame(rows)
