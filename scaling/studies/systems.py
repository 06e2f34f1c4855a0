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
* **which assumptions move that time**: :func:`time_sensitivity` (MFU x precision grid),
  :func:`sensitivity_table` (one assumption at a time, low/high) and a seeded Monte Carlo
  interval, :func:`run_time_quantiles`;
* **what a budget or a power envelope buys** ($100B, 1 GW): :func:`budget_scenarios`.

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
import dataclasses
from dataclasses import dataclass, field

import numpy as np

from scaling import checkpointing, laws, uncertainty as mc
from scaling._validation import (
    as_float_array, as_names, as_numeric_array, check_choice, check_fraction, scalar,
    unknown_name, whole_number,
)
from scaling.assumptions import as_assumptions
from scaling.chain import estimate_run, run_chain, setup
from scaling.clusters import (
    Cluster, as_cluster, as_machine, default_rack_power_w, list_clusters, n_racks,
    peak_it_power_w,
)
from scaling.studies.hardware import cluster_cost_breakdown
from scaling.data import cached, load_table
from scaling.errors import InfeasibleRunError
from scaling.forecasting import largest_trainable
from scaling.hardware import PRECISIONS, Accelerator, as_accelerator, sustained_flop_per_s
from scaling.assumptions import DEFAULT_PUE
from scaling.reliability import Resilience, cluster_resilience
from scaling.results import NOT_A_COLUMN, Result
from scaling.uncertainty import (
    CI_LEVEL, PROBABILITIES, Case, Uncertain, as_rng, percentiles,
    sample_inputs, sensitivity,
)
from scaling.units import SECONDS_PER_DAY

__all__ = [
    "ClusterSizing",
    "SEED_SYSTEMS",
    "compare_clusters",
    "size_cluster",
    "DEFAULT_SYSTEMS",
    "DEFAULT_REFERENCE_RUN",
    "DEEPSEEK_V3_FP8_MFU",
    "PRECISION_CHOICES",
    "SLOW_RESTART_TIME_S",
    "ReportedBenchmark",
    "reported_benchmarks",
    "RunUncertainty",
    "reference_runs",
    "reference_compute_flop",
    "estimate_reference_run",
    "compare_systems",
    "precision_comparison",
    "time_sensitivity",
    "sensitivity_table",
    "run_time_samples",
    "run_time_quantiles",
    "budget_scenarios",
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

#: MFU DeepSeek-V3 reached in FP8 training, as a fraction of the H800's dense **fp8** peak:
#: ~385 causal TFLOP/s of 1,979 = 0.195 (DeepSeek-AI 2024, arXiv:2412.19437, Sec. 3.1 and
#: Table 1; as tabulated in the project's hardware_costs reference, Sec. 3). The one
#: published frontier-scale fp8 run: its fp8 throughput equals ~39% of the bf16 dense peak,
#: i.e. no faster than a good bf16 run.
DEEPSEEK_V3_FP8_MFU = 0.195

#: Slow restart after an interruption [s]: 30 minutes, the upper end of the range
#: :mod:`scaling.reliability` documents for conventional checkpoint-restart (rescheduling,
#: communicator set-up, checkpoint load "can take many minutes"). An illustrative bound, not
#: a published measurement; the fast ends are FlashRecovery's 150 s (default) and
#: TrainMover's 20 s (:data:`scaling.checkpointing.RESTART_TIMES_S`).
SLOW_RESTART_TIME_S = 1800.0


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


def time_sensitivity(cluster_names=DEFAULT_SYSTEMS, *, compute_flop=None,
                     mfu=(0.2, 0.3, 0.4, 0.5), precisions=("bf16", "fp8"),
                     law=laws.DEFAULT_LAW, assumptions=None):
    """Wall-clock time of one run on each system over a grid of MFU and precision.

    Parameters
    ----------
    cluster_names : sequence of str or Cluster
        Systems.
    compute_flop : float or None
        Run compute [FLOP]; None uses GPT-4 (Epoch AI's estimate).
    mfu : sequence of float
        MFU values, each in (0, 1], applied to the dense peak of each precision.
    precisions : sequence of {"bf16", "fp8"}
        Precisions; combinations a chip does not support (fp8 on MI250X) are left out.
    law, assumptions :
        As in :func:`estimate_reference_run` (the grid overrides their MFU and precision).

    Returns
    -------
    pandas.DataFrame
        Tidy: ``system``, ``precision``, ``mfu``, ``goodput``, ``sustained_flop_per_s``
        [FLOP/s], ``time_s`` [s], ``time_days`` [days].
    """
    import pandas as pd

    ref = _reference(compute_flop)
    mfus = np.atleast_1d(check_fraction("mfu", mfu))
    precisions = as_names("precisions (bf16, fp8)", precisions, name="precisions")
    for precision in precisions:
        check_choice("precisions", precision, PRECISIONS)
    base = as_assumptions(assumptions)
    rows = []
    for name in _systems(cluster_names):
        system = as_cluster(name)
        for precision in precisions:
            if precision == "fp8" and math.isnan(system.accelerator.peak_fp8_flop_per_s):
                continue
            for u in mfus:
                run = estimate_reference_run(
                    system, compute_flop=ref, law=law,
                    assumptions=base.replace(mfu=float(u), precision=precision))
                rows.append({"system": system.name, "precision": precision, "mfu": float(u),
                             "goodput": run.goodput,
                             "sustained_flop_per_s": run.sustained_flop_per_s,
                             "time_s": run.time_s, "time_days": run.time_days})
    return pd.DataFrame(rows)


def sensitivity_table(system="stargate-abilene", *, compute_flop=None, law=laws.DEFAULT_LAW,
                      assumptions=None):
    """One assumption at a time: how far each moves a run's wall-clock time (a tornado table).

    Parameters
    ----------
    system : str or Cluster
        The system.
    compute_flop : float or None
        Central run compute [FLOP]; None uses GPT-4 (Epoch AI's estimate). The "training
        compute" row then uses Epoch's 90% interval; for another value it is omitted.
    law : str or Mapping
        Chinchilla parameter set (sets the checkpoint size).
    assumptions : Assumptions, optional
        The baseline.

    Returns
    -------
    pandas.DataFrame
        :func:`scaling.sensitivity`'s table of ``time_days`` [days]: one row per
        assumption, sorted by swing (``|high - low|`` in days), with ``low_setting``,
        ``high_setting`` (descriptions), ``output_low``, ``output_high``, ``output_base``
        and ``source``.

    Notes
    -----
    Cases: MFU (the reference run's predicted MFU, held as a constant in every case) at the
    5th/95th percentile of ``scaling.DEFAULT_UNCERTAINTY["mfu"]``; fp8 at the bf16 MFU vs fp8 at DeepSeek-V3's fp8
    MFU (:data:`DEEPSEEK_V3_FP8_MFU`); no failures vs the slow restart
    (:data:`SLOW_RESTART_TIME_S`); failure rate at the 5th/95th percentile of
    ``DEFAULT_UNCERTAINTY["failure_rate_per_accelerator_hour"]``; TrainMover's 20 s restart
    vs the 150 s default.
    """
    clu = as_cluster(system)
    chip = clu.accelerator
    a = as_assumptions(assumptions)
    ref = _reference(compute_flop)
    base_mfu, _, _ = _reference_mfu(clu, a, law, ref)
    rel = a.reliability.resolve(clu.resilience)
    base_rate = rel.failure_rate_per_accelerator_hour
    base_restart = rel.restart_time_s

    def days(*, compute_flop, **changes):
        return estimate_reference_run(clu, compute_flop=compute_flop, law=law,
                                      assumptions=a.replace(**changes)).time_days

    mfu_spread = mc.DEFAULT_UNCERTAINTY["mfu"]
    rate_spread = mc.DEFAULT_UNCERTAINTY["failure_rate_per_accelerator_hour"]
    mfu_low, mfu_high = mfu_spread.interval(base_mfu)
    trainmover = checkpointing.RESTART_TIMES_S["trainmover2024"]
    rate_low, rate_high = rate_spread.interval(base_rate)
    ranges = {
        "MFU": (Case(settings={"mfu": mfu_high}, label=f"MFU {mfu_high:.3g}"),
                Case(settings={"mfu": mfu_low}, label=f"MFU {mfu_low:.3g}")),
        "failure rate": (
            Case(settings={"failure_rate_per_accelerator_hour": rate_low},
                 label=f"{rate_spread.p5_ratio:g}x Llama 3's"),
            Case(settings={"failure_rate_per_accelerator_hour": rate_high},
                 label=f"{rate_spread.p95_ratio:g}x")),
        "restart time": (
            Case(settings={"include_failures": False}, label="no failures (goodput 1)"),
            Case(settings={"restart_time_s": SLOW_RESTART_TIME_S},
                 label=f"{SLOW_RESTART_TIME_S:g} s restarts")),
    }
    if base_restart > trainmover[0]:  # a faster restart than the baseline's is an option
        ranges["fast restart"] = (
            Case(settings={"restart_time_s": trainmover[0]}, label=f"{trainmover[0]:g} s restarts"),
            Case(settings={}, label=f"{base_restart:g} s (baseline)"))
    sources = {
        "MFU": mfu_spread.source, "failure rate": rate_spread.source,
        "restart time": "SLOW_RESTART_TIME_S (illustrative); goodput model of scaling.reliability",
        "fast restart": trainmover[1],
    }
    if not math.isnan(chip.peak_fp8_flop_per_s):
        ranges["precision"] = (
            Case(settings={"precision": "fp8"}, label=f"fp8 at MFU {base_mfu:.3g}"),
            Case(settings={"precision": "fp8", "mfu": DEEPSEEK_V3_FP8_MFU},
                 label=f"fp8 at DeepSeek-V3's MFU {DEEPSEEK_V3_FP8_MFU:g}"))
        sources["precision"] = "DEEPSEEK_V3_FP8_MFU: DeepSeek-AI 2024, arXiv:2412.19437"
    if compute_flop is None:
        table = _reference_table().loc[DEFAULT_REFERENCE_RUN]
        ranges["training compute"] = (
            Case(settings={"compute_flop": table["compute_flop_lower"]},
                 label=f"{table['compute_flop_lower']:.2g} FLOP (P5)"),
            Case(settings={"compute_flop": table["compute_flop_upper"]},
                 label=f"{table['compute_flop_upper']:.2g} FLOP (P95)"))
        sources["training compute"] = table["source"]
    base = {"compute_flop": ref, "mfu": base_mfu, "precision": a.precision,
            "include_failures": a.include_failures,
            "failure_rate_per_accelerator_hour": base_rate,
            "restart_time_s": base_restart}
    frame = sensitivity(days, base, ranges, sources=sources)
    frame.attrs["baseline_time_days"] = float(frame["output_base"].iloc[0])
    frame.attrs["system"] = clu.name
    return frame


# --------------------------------------------------------------------------------------------
# uncertainty
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class RunUncertainty:
    """Distributions of the inputs that move a run's wall-clock time most.

    Parameters
    ----------
    run : str
        Reference run whose compute interval is sampled (``data/reference_runs.csv``).
        Compute follows a two-piece log-normal with median ``compute_flop`` and the
        published interval as its 5th/95th percentiles (Epoch's 90% CI for GPT-4).
    mfu : Uncertain or None
        Multiplier on the system's MFU; None uses ``scaling.DEFAULT_UNCERTAINTY["mfu"]``
        (the step-time model's out-of-sample residual spread).
    failure_rate : Uncertain or None
        Multiplier on the failure rate; None uses
        ``DEFAULT_UNCERTAINTY["failure_rate_per_accelerator_hour"]`` (0.5x-2x, Meta's RSC
        fleets).
    """

    run: str = DEFAULT_REFERENCE_RUN
    mfu: object = None
    failure_rate: object = None

    def __post_init__(self) -> None:
        table = _reference_table()
        if self.run not in table.index:
            raise unknown_name("reference run", self.run, list(table.index))
        spreads = mc.DEFAULT_UNCERTAINTY  # read now, so that scaling.data.reload() reaches it
        defaults = {"mfu": spreads["mfu"],
                    "failure_rate": spreads["failure_rate_per_accelerator_hour"]}
        for attr, default in defaults.items():
            value = getattr(self, attr)
            if value is None:
                object.__setattr__(self, attr, default)
            elif not isinstance(value, Uncertain):
                raise ValueError(f"{attr} must be a scaling.Uncertain or None, got "
                                 f"{type(value).__name__}")

    def compute(self) -> Uncertain:
        """The run's compute as an :class:`Uncertain` around its central estimate."""
        row = _reference_table().loc[self.run]
        median = row["compute_flop"]
        lower, upper, level = (row["compute_flop_lower"], row["compute_flop_upper"],
                               row["compute_ci_level"])
        if any(math.isnan(v) for v in (lower, upper, level)):
            raise ValueError(f"reference run {self.run!r} has no published compute interval")
        if not math.isclose(level, CI_LEVEL):
            raise ValueError(f"reference run {self.run!r}: only {CI_LEVEL:.0%} intervals are "
                             f"supported, got {level}")
        return Uncertain(p5_ratio=lower / median, p95_ratio=upper / median, median_ratio=1.0,
                         source=row["source"])


def run_time_samples(cluster_name, *, uncertainty=None, n_samples=20_000, seed=0,
                     law=laws.DEFAULT_LAW, precision=None, assumptions=None):
    """Monte Carlo samples of a reference run's wall-clock time on one system.

    Parameters
    ----------
    cluster_name : str or Cluster
        The system.
    uncertainty : RunUncertainty or None
        Input distributions; None uses the documented defaults.
    n_samples : int
        Number of draws, > 0.
    seed : int
        Seed of ``numpy.random.default_rng``.
    law : str or Mapping
        Chinchilla parameter set (sets the checkpoint size).
    precision, assumptions :
        As in :func:`estimate_reference_run`.

    Returns
    -------
    pandas.DataFrame
        One row per draw: ``compute_flop`` [FLOP], ``mfu``,
        ``failure_rate_per_accelerator_hour``, ``goodput``, ``time_s`` [s], ``time_days``
        [days].

    Notes
    -----
    The draws go through :func:`scaling.uncertainty.sample_inputs` and
    :func:`scaling.chain.run_chain`, vectorised over the draws.
    """
    import pandas as pd

    n_samples = whole_number("n_samples", n_samples)
    spec = RunUncertainty() if uncertainty is None else uncertainty
    if not isinstance(spec, RunUncertainty):
        raise ValueError("uncertainty must be a RunUncertainty or None")
    system = as_cluster(cluster_name)
    a = _assumptions_for(system.accelerator, assumptions, precision)
    rng = as_rng(seed)
    compute = spec.compute().sample(reference_compute_flop(spec.run), n_samples, rng)
    n_opt = np.asarray(laws.compute_optimal(compute, law=law).n_params, dtype=float)
    # MFU of the central run (one layout search), drawn around it like the others
    machine = setup(system, a)
    ref = reference_compute_flop(spec.run)
    central = machine.evaluate_throughput(ref, system.n_accelerators, n_params=float(
        laws.compute_optimal(ref, law=law).n_params))
    inputs = machine.inputs(compute, system.n_accelerators, n_params=n_opt,
                            throughput=central)
    drawn = sample_inputs({"mfu": spec.mfu, "failure_rate_per_accelerator_hour":
                           spec.failure_rate}, inputs, n_samples, rng)
    inputs.update({name: value[0] for name, value in drawn.items()})
    values = run_chain(inputs, include_failures=a.include_failures)
    return pd.DataFrame({
        "compute_flop": compute, "mfu": inputs["mfu"],
        "failure_rate_per_accelerator_hour": inputs["failure_rate_per_accelerator_hour"],
        "goodput": values["goodput"], "time_s": values["time_s"],
        "time_days": values["time_days"],
    })


def run_time_quantiles(cluster_names=DEFAULT_SYSTEMS, *, quantiles=PROBABILITIES,
                       uncertainty=None, n_samples=20_000, seed=0, law=laws.DEFAULT_LAW,
                       precision=None, assumptions=None):
    """Percentiles of a reference run's wall-clock time on each system [days].

    Parameters
    ----------
    cluster_names : sequence of str or Cluster
        Systems.
    quantiles : sequence of float
        Quantiles in [0, 1] (default P5, P50, P95).
    uncertainty, n_samples, seed, law, precision, assumptions :
        As in :func:`run_time_samples` (the same seed for every system: common random
        numbers, so systems differ only by their hardware).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``system``; one column ``time_days_p<100q>`` per quantile (e.g.
        ``time_days_p5``, ``time_days_p50``, ``time_days_p95``) [days].
    """
    import pandas as pd

    qs = np.atleast_1d(as_numeric_array("quantiles", quantiles))
    if ((qs < 0) | (qs > 1)).any():
        raise ValueError(f"quantiles must be in [0, 1], got {quantiles!r}")
    rows = {}
    for name in _systems(cluster_names):
        samples = run_time_samples(name, uncertainty=uncertainty, n_samples=n_samples,
                                   seed=seed, law=law, precision=precision,
                                   assumptions=assumptions)
        key = name if isinstance(name, str) else name.name
        values = percentiles(samples["time_days"].to_numpy(), qs)
        rows[key] = {f"time_days_p{100 * q:g}": float(v) for q, v in zip(qs, values)}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "system"
    return frame


# --------------------------------------------------------------------------------------------
# named clusters side by side, and what a budget or an envelope buys
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
                       status="estimate", source="scaling.studies.systems.size_cluster",
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
    if budget_usd is not None and math.isnan(chip.price_usd):
        raise ValueError(f"{chip.name} has no purchase price in the catalog; pass "
                         "price_usd= explicitly")
    a = as_assumptions(assumptions)
    if isinstance(resilience, str):
        row = cluster_resilience(resilience)
        if row is None:
            raise unknown_name("cluster with a resilience row", resilience,
                               [n for n in list_clusters()["name"]
                                if cluster_resilience(n) is not None])
        resilience = row
    elif resilience is not None and not isinstance(resilience, Resilience):
        raise ValueError("resilience must be a Resilience, a cluster name or None, got "
                         f"{type(resilience).__name__}")
    rack_power_w = default_rack_power_w(cooling)
    per_chip = setup(as_machine(accelerator=chip, n_accelerators=1), a)  # capex, power
    capex_one = per_chip.capex_usd(1)
    one = {"capex_usd": float(capex_one["hardware_usd"] + capex_one["facility_usd"]),
           "peak_facility_power_w": float(per_chip.facility_power_w(1))}
    candidates = {}
    if budget_usd is not None:
        budget = scalar("budget_usd", budget_usd)
        candidates["budget"] = math.floor(budget / one["capex_usd"])
    if power_w is not None:
        envelope = scalar("power_w", power_w)
        candidates["power"] = math.floor(envelope / one["peak_facility_power_w"])
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
        As in :func:`compare_systems`.
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
