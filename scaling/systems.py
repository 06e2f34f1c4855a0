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
the forecast chain (:func:`scaling.forecast.estimate_run`,
:func:`scaling.forecast.largest_trainable`), i.e.

.. math:: T = \\frac{C}{n\\,P_{peak}\\,\\mathrm{MFU}\\,G},

with goodput :math:`G` from :mod:`scaling.reliability` (Llama 3 failure rate per
accelerator-hour, checkpoint pause from the storage model for the compute-optimal model size,
restart time) and the compute-optimal model from :mod:`scaling.laws`. Not modelled: the
critical batch size and communication limits that cap how many chips one synchronous run can
use, stragglers, and whether a cluster is ever dedicated to one run.

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
from functools import lru_cache

import numpy as np

from scaling import laws
from scaling._validation import as_float_array, as_numeric_array, check_fraction
from scaling.cluster import as_cluster
from scaling.hardware import as_accelerator
from scaling.units import SECONDS_PER_DAY

__all__ = [
    "DEFAULT_SYSTEMS",
    "DEFAULT_REFERENCE_RUN",
    "DEEPSEEK_V3_FP8_MFU",
    "PRECISION_CHOICES",
    "SECONDS_PER_DAY",
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
#: TrainMover's 20 s (:data:`scaling.reliability.RESTART_TIMES_S`).
SLOW_RESTART_TIME_S = 1800.0


# --------------------------------------------------------------------------------------------
# validation (private)
# --------------------------------------------------------------------------------------------

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

@lru_cache(maxsize=1)
def _reference_table():
    from scaling.data import load_table

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
        raise ValueError(f"unknown reference run {run!r}; valid runs: {', '.join(table.index)}")
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
        if not (math.isfinite(self.flop_per_s) and self.flop_per_s > 0):
            raise ValueError(
                f"{self.system}: flop_per_s must be positive, got {self.flop_per_s!r}")
        if self.n_accelerators <= 0:
            raise ValueError(f"{self.system}: n_accelerators must be positive")
        if not self.source.strip():
            raise ValueError(f"{self.system}: source must be non-empty")


@lru_cache(maxsize=1)
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
    from scaling.data import load_table

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
# one run on one system (composition of scaling.forecast)
# --------------------------------------------------------------------------------------------

def _precision_for(chip, precision: str) -> str:
    if precision not in PRECISION_CHOICES:
        raise ValueError(f"precision must be one of {PRECISION_CHOICES}, got {precision!r}")
    if precision == "best":
        return "bf16" if math.isnan(chip.peak_fp8_flop_per_s) else "fp8"
    return precision


def _reference(compute_flop):
    if compute_flop is None:
        return reference_compute_flop(DEFAULT_REFERENCE_RUN)
    return float(as_float_array("compute_flop", compute_flop))


def estimate_reference_run(system, *, compute_flop=None, mfu=None, precision="bf16",
                           include_failures=True, restart_time_s=None,
                           failure_rate_per_accelerator_hour=None, law=laws.DEFAULT_LAW,
                           prices=None):
    """Time, goodput, energy and cost of one run on a named system.

    Parameters
    ----------
    system : str or Cluster
        Key of ``data/clusters.csv`` or a :class:`scaling.cluster.Cluster`.
    compute_flop : float, ndarray or None
        Training compute [FLOP]; None uses GPT-4 (Epoch AI's estimate, 2.1e25).
    mfu : float, ndarray or None
        In (0, 1]; None uses the cluster's (its accelerator generation's) default.
    precision : {"bf16", "fp8", "best"}
        Peak the MFU applies to.
    include_failures : bool
        False sets goodput to 1 (the failure-free lower bound on time).
    restart_time_s, failure_rate_per_accelerator_hour : float or None
        Forwarded to :func:`scaling.forecast.estimate_run` (None = its defaults: 150 s and
        Llama 3's rate).
    law : str or Mapping
        Chinchilla parameter set giving the compute-optimal model size, whose checkpoint size
        sets the checkpoint pause (:func:`scaling.reliability.checkpoint_time_s`).
    prices : scaling.cost.PriceAssumptions or None
        Cost assumptions.

    Returns
    -------
    scaling.forecast.RunEstimate

    Notes
    -----
    .. math:: T = \\frac{C}{n\\,P_{peak}\\,\\mathrm{MFU}\\,G(N_{opt}(C))}
    """
    from scaling.forecast import estimate_run

    clu = as_cluster(system)
    chip = clu.accelerator
    compute = _reference(compute_flop) if np.ndim(compute_flop) == 0 else as_float_array(
        "compute_flop", compute_flop)
    n_params = np.asarray(laws.compute_optimal(compute, law=law).n_params, dtype=float)
    return estimate_run(
        compute, accelerator=chip, n_accelerators=clu.n_accelerators,
        mfu=clu.effective_mfu if mfu is None else mfu, precision=_precision_for(chip, precision),
        prices=prices, pue=clu.pue, n_params=n_params if n_params.ndim else float(n_params),
        restart_time_s=restart_time_s,
        failure_rate_per_accelerator_hour=failure_rate_per_accelerator_hour,
        include_failures=include_failures,
    )


def _largest_trainable_columns(system, days, **kwargs) -> dict:
    """Compute, N, D and goodput of the largest compute-optimal run per deadline, as columns
    suffixed with the deadline (``n_params_30d`` ...)."""
    from scaling.forecast import largest_trainable

    trainable = largest_trainable(system, deadline_s=np.asarray(days) * SECONDS_PER_DAY,
                                  **kwargs).to_frame()
    columns = {}
    for day, (_, best) in zip(days, trainable.iterrows()):
        label = _day_label(day)
        for quantity in ("compute_flop", "n_params", "n_tokens", "goodput"):
            columns[f"{quantity}_{label}"] = float(best[quantity])
    return columns


def _modelled_capex_usd(system, prices):
    from scaling import cost

    if math.isnan(system.accelerator.price_usd):
        return math.nan
    return float(cost.cluster_cost_breakdown(system, prices=prices)["total_usd"])


def compare_systems(cluster_names=DEFAULT_SYSTEMS, *, days=(30, 100), reference_compute_flop=None,
                    mfu=None, precision="bf16", include_failures=True, restart_time_s=None,
                    failure_rate_per_accelerator_hour=None, law=laws.DEFAULT_LAW, prices=None):
    """Named systems side by side: FLOP/s, power, capex, what they train and how fast.

    Parameters
    ----------
    cluster_names : sequence of str or Cluster
        Keys of ``data/clusters.csv`` (or :class:`scaling.cluster.Cluster` objects).
    days : sequence of float
        Wall-clock budgets for the "largest compute-optimal model" columns. [days]
    reference_compute_flop : float or None
        Compute of the reference run to time [FLOP]; None uses GPT-4 (Epoch AI's estimate,
        :func:`reference_compute_flop`).
    mfu : float or None
        MFU for every system, in (0, 1]; None uses each accelerator's documented default.
    precision : {"bf16", "fp8", "best"}
        Precision of the sustained rate; "best" is fp8 where supported, else bf16.
        MFU is applied to that precision's dense peak.
    include_failures, restart_time_s, failure_rate_per_accelerator_hour :
        Goodput assumptions, forwarded to :func:`scaling.forecast.estimate_run` and
        :func:`scaling.forecast.largest_trainable`.
    law : str or Mapping
        Chinchilla parameter set.
    prices : scaling.cost.PriceAssumptions or None
        Price assumptions for the modelled capex.

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
        servers, network, facility; :func:`scaling.cost.cluster_cost_breakdown`); for each
        duration ``d``: ``compute_flop_<d>d``, ``n_params_<d>d``, ``n_tokens_<d>d``,
        ``goodput_<d>d``; ``reference_compute_flop``, ``reference_goodput``,
        ``reference_time_s`` / ``reference_time_days`` (the reference run's wall-clock time);
        and ``naive_reference_time_days``, the time one would conclude by dividing the
        reference compute by the headline figure (NaN without one).
    """
    import pandas as pd

    durations = _days(days)
    ref = _reference(reference_compute_flop)
    failure = {"include_failures": include_failures, "restart_time_s": restart_time_s,
               "failure_rate_per_accelerator_hour": failure_rate_per_accelerator_hour}
    rows = []
    for name in cluster_names:
        system = as_cluster(name)
        chip = system.accelerator
        used = _precision_for(chip, precision)
        used_mfu = system.effective_mfu if mfu is None else float(check_fraction("mfu", mfu))
        head = _headline(system.name)
        run = estimate_reference_run(system, compute_flop=ref, mfu=used_mfu, precision=used,
                                     law=law, prices=prices, **failure)
        trainable = _largest_trainable_columns(system, durations, law=law, mfu=used_mfu,
                                               precision=used, prices=prices, **failure)
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
            "precision": used,
            "mfu": used_mfu,
            "sustained_flop_per_s": run.sustained_flop_per_s,
            "reported_power_w": system.reported_power_w,
            "modelled_power_w": system.average_facility_power_w(),
            "reported_capex_usd": system.reported_capex_usd,
            "capex_scope": system.capex_scope,
            "modelled_capex_usd": _modelled_capex_usd(system, prices),
        }
        row.update(trainable)
        row["reference_compute_flop"] = ref
        row["reference_goodput"] = run.goodput
        row["reference_time_s"] = run.time_s
        row["reference_time_days"] = run.time_s / SECONDS_PER_DAY
        row["naive_reference_time_days"] = ref / row["headline_flop_per_s"] / SECONDS_PER_DAY
        rows.append(row)
    return pd.DataFrame(rows).set_index("system")


def precision_comparison(cluster_names=DEFAULT_SYSTEMS, *, mfu=None):
    """Every published and modelled FLOP/s figure of the named systems, in one table.

    Parameters
    ----------
    cluster_names : sequence of str or Cluster
        Systems to include.
    mfu : float or None
        MFU for the "sustained" rows; None uses each accelerator's default.

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

    rows = []
    for name in cluster_names:
        system = as_cluster(name)
        chip = system.accelerator
        used_mfu = system.effective_mfu if mfu is None else float(check_fraction("mfu", mfu))
        sustained = float(system.sustained_flop_per_s(mfu=used_mfu, precision="bf16"))
        mfu_source = "dense bf16 peak x MFU (data/mfu_defaults.csv, by accelerator generation)"
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
                     include_failures=True, restart_time_s=None,
                     failure_rate_per_accelerator_hour=None, law=laws.DEFAULT_LAW):
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
    include_failures, restart_time_s, failure_rate_per_accelerator_hour, law :
        As in :func:`estimate_reference_run`.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``system``, ``precision``, ``mfu``, ``goodput``, ``sustained_flop_per_s``
        [FLOP/s], ``time_s`` [s], ``time_days`` [days].
    """
    import pandas as pd

    ref = _reference(compute_flop)
    mfus = np.atleast_1d(check_fraction("mfu", mfu))
    for precision in precisions:
        if precision not in ("bf16", "fp8"):
            raise ValueError(f"precisions must be 'bf16' or 'fp8', got {precision!r}")
    frames = []
    for name in cluster_names:
        system = as_cluster(name)
        for precision in precisions:
            if precision == "fp8" and math.isnan(system.accelerator.peak_fp8_flop_per_s):
                continue
            run = estimate_reference_run(
                system, compute_flop=ref, mfu=mfus, precision=precision, law=law,
                include_failures=include_failures, restart_time_s=restart_time_s,
                failure_rate_per_accelerator_hour=failure_rate_per_accelerator_hour)
            time = np.broadcast_to(run.time_s, mfus.shape)
            frames.append(pd.DataFrame({
                "system": system.name, "precision": precision, "mfu": mfus,
                "goodput": np.broadcast_to(run.goodput, mfus.shape),
                "sustained_flop_per_s": np.broadcast_to(run.sustained_flop_per_s, mfus.shape),
                "time_s": time, "time_days": time / SECONDS_PER_DAY,
            }))
    return pd.concat(frames, ignore_index=True)


def sensitivity_table(system="stargate-abilene", *, compute_flop=None, law=laws.DEFAULT_LAW):
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

    Returns
    -------
    pandas.DataFrame
        One row per assumption, sorted by swing: ``assumption``, ``low_case``,
        ``high_case`` (descriptions), ``time_days_low``, ``time_days_high`` [days] (time under
        each case, all else at the baseline), ``swing`` (high/low time ratio, >= 1) and
        ``source``; the baseline time is in ``attrs["baseline_time_days"]``.

    Notes
    -----
    Cases: MFU at the 5th/95th percentile of :data:`scaling.forecast.DEFAULT_UNCERTAINTY`
    ["mfu"]; fp8 at the bf16 MFU vs fp8 at DeepSeek-V3's fp8 MFU
    (:data:`DEEPSEEK_V3_FP8_MFU`); no failures vs the slow restart
    (:data:`SLOW_RESTART_TIME_S`); failure rate at the 5th/95th percentile of
    ``DEFAULT_UNCERTAINTY["failure_rate"]``; TrainMover's 20 s restart vs the 150 s default.
    """
    import pandas as pd

    from scaling import reliability
    from scaling.forecast import DEFAULT_UNCERTAINTY

    clu = as_cluster(system)
    chip = clu.accelerator
    ref = _reference(compute_flop)
    base_mfu = clu.effective_mfu
    base_rate = reliability.DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR

    def days(**kwargs):
        kwargs.setdefault("compute_flop", ref)
        return float(estimate_reference_run(clu, law=law, **kwargs).time_s) / SECONDS_PER_DAY

    mfu_spread = DEFAULT_UNCERTAINTY["mfu"]
    rate_spread = DEFAULT_UNCERTAINTY["failure_rate"]
    mfu_low = base_mfu * mfu_spread.p5_ratio
    mfu_high = min(base_mfu * mfu_spread.p95_ratio, mfu_spread.upper_bound)
    cases = [
        ("MFU", f"MFU {mfu_high:.3g}", f"MFU {mfu_low:.3g}",
         days(mfu=mfu_high), days(mfu=mfu_low), mfu_spread.source),
        ("failure rate", f"{rate_spread.p5_ratio:g}x Llama 3's", f"{rate_spread.p95_ratio:g}x",
         days(failure_rate_per_accelerator_hour=base_rate * rate_spread.p5_ratio),
         days(failure_rate_per_accelerator_hour=base_rate * rate_spread.p95_ratio),
         rate_spread.source),
        ("restart time", "no failures (goodput 1)", f"{SLOW_RESTART_TIME_S:g} s restarts",
         days(include_failures=False), days(restart_time_s=SLOW_RESTART_TIME_S),
         "SLOW_RESTART_TIME_S (illustrative); goodput model of scaling.reliability"),
    ]
    trainmover = reliability.RESTART_TIMES_S["trainmover2024"]
    cases.append(("fast restart", f"{trainmover[0]:g} s restarts",
                  f"{reliability.DEFAULT_RESTART_TIME_S:g} s (default)",
                  days(restart_time_s=trainmover[0]), days(), trainmover[1]))
    if not math.isnan(chip.peak_fp8_flop_per_s):
        cases.append(("precision", f"fp8 at MFU {base_mfu:.3g}",
                      f"fp8 at DeepSeek-V3's MFU {DEEPSEEK_V3_FP8_MFU:g}",
                      days(precision="fp8"),
                      days(precision="fp8", mfu=DEEPSEEK_V3_FP8_MFU),
                      "DEEPSEEK_V3_FP8_MFU: DeepSeek-AI 2024, arXiv:2412.19437"))
    if compute_flop is None:
        table = _reference_table().loc[DEFAULT_REFERENCE_RUN]
        cases.append(("training compute",
                      f"{table['compute_flop_lower']:.2g} FLOP (P5)",
                      f"{table['compute_flop_upper']:.2g} FLOP (P95)",
                      days(compute_flop=table["compute_flop_lower"]),
                      days(compute_flop=table["compute_flop_upper"]), table["source"]))
    frame = pd.DataFrame(cases, columns=["assumption", "low_case", "high_case",
                                         "time_days_low", "time_days_high", "source"])
    frame["swing"] = (frame[["time_days_low", "time_days_high"]].max(axis=1)
                      / frame[["time_days_low", "time_days_high"]].min(axis=1))
    frame = frame.sort_values("swing", ascending=False, ignore_index=True)
    frame = frame[["assumption", "low_case", "high_case", "time_days_low", "time_days_high",
                   "swing", "source"]]
    frame.attrs["baseline_time_days"] = days()
    frame.attrs["system"] = clu.name
    return frame


# --------------------------------------------------------------------------------------------
# uncertainty
# --------------------------------------------------------------------------------------------

#: z-score of a two-sided 90% interval (the 5th/95th percentiles of a standard normal).
_Z90 = 1.6448536269514722


@dataclass(frozen=True, slots=True, kw_only=True)
class RunUncertainty:
    """Distributions of the inputs that move a run's wall-clock time most.

    Parameters
    ----------
    run : str
        Reference run whose compute interval is sampled (``data/reference_runs.csv``).
        Compute follows a two-piece log-normal with median ``compute_flop`` and the
        published interval as its 5th/95th percentiles (Epoch's 90% CI for GPT-4).
    mfu : scaling.forecast.Uncertain or None
        Multiplier on the system's default MFU; None uses
        ``scaling.forecast.DEFAULT_UNCERTAINTY["mfu"]`` (0.75x-1.25x, published large runs).
    failure_rate : scaling.forecast.Uncertain or None
        Multiplier on Llama 3's failure rate; None uses
        ``DEFAULT_UNCERTAINTY["failure_rate"]`` (0.5x-2x, Meta's RSC fleets).
    restart_time_s : float or None
        Restart time [s]; None uses :data:`scaling.reliability.DEFAULT_RESTART_TIME_S`.
    """

    run: str = DEFAULT_REFERENCE_RUN
    mfu: object = None
    failure_rate: object = None
    restart_time_s: float | None = None

    def __post_init__(self) -> None:
        from scaling import reliability
        from scaling.forecast import DEFAULT_UNCERTAINTY, Uncertain

        table = _reference_table()
        if self.run not in table.index:
            raise ValueError(
                f"unknown reference run {self.run!r}; valid: {', '.join(table.index)}")
        for attr in ("mfu", "failure_rate"):
            value = getattr(self, attr)
            if value is None:
                object.__setattr__(self, attr, DEFAULT_UNCERTAINTY[attr])
            elif not isinstance(value, Uncertain):
                raise ValueError(f"{attr} must be a scaling.forecast.Uncertain or None")
        if self.restart_time_s is None:
            object.__setattr__(self, "restart_time_s", reliability.DEFAULT_RESTART_TIME_S)
        elif not (math.isfinite(self.restart_time_s) and self.restart_time_s >= 0):
            raise ValueError(f"restart_time_s must be >= 0, got {self.restart_time_s!r}")


def _sample_compute(rng, run: str, size: int) -> np.ndarray:
    row = _reference_table().loc[run]
    median = row["compute_flop"]
    lower, upper, level = (row["compute_flop_lower"], row["compute_flop_upper"],
                           row["compute_ci_level"])
    if any(math.isnan(v) for v in (lower, upper, level)):
        raise ValueError(f"reference run {run!r} has no published compute interval")
    if not math.isclose(level, 0.9):
        raise ValueError(f"reference run {run!r}: only 90% intervals are supported, got {level}")
    z = rng.standard_normal(size)
    sigma = np.where(z < 0, math.log(median / lower), math.log(upper / median)) / _Z90
    return median * np.exp(sigma * z)


def run_time_samples(cluster_name, *, uncertainty=None, precision="bf16", n_samples=20_000,
                     seed=0, law=laws.DEFAULT_LAW):
    """Monte Carlo samples of a reference run's wall-clock time on one system.

    Parameters
    ----------
    cluster_name : str or Cluster
        The system.
    uncertainty : RunUncertainty or None
        Input distributions; None uses the documented defaults.
    precision : {"bf16", "fp8", "best"}
        Precision whose dense peak MFU applies to.
    n_samples : int
        Number of draws, > 0.
    seed : int
        Seed of ``numpy.random.default_rng``.
    law : str or Mapping
        Chinchilla parameter set (sets the checkpoint size).

    Returns
    -------
    pandas.DataFrame
        One row per draw: ``compute_flop`` [FLOP], ``mfu``, ``failure_rate_per_accelerator_hour``,
        ``goodput``, ``time_s`` [s], ``time_days`` [days].

    Notes
    -----
    Each draw runs :func:`estimate_reference_run` (the forecast chain) with a sampled compute,
    MFU and failure rate, vectorised over the draws.
    """
    import pandas as pd

    from scaling import reliability

    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or \
            n_samples <= 0:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    spec = RunUncertainty() if uncertainty is None else uncertainty
    if not isinstance(spec, RunUncertainty):
        raise ValueError("uncertainty must be a RunUncertainty or None")
    system = as_cluster(cluster_name)
    rng = np.random.default_rng(seed)
    compute = _sample_compute(rng, spec.run, n_samples)
    mfu = spec.mfu.sample(system.effective_mfu, n_samples, rng)
    rate = spec.failure_rate.sample(reliability.DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR,
                                    n_samples, rng)
    run = estimate_reference_run(system, compute_flop=compute, mfu=mfu, precision=precision,
                                 restart_time_s=spec.restart_time_s,
                                 failure_rate_per_accelerator_hour=rate, law=law)
    time = np.asarray(run.time_s, dtype=float)
    return pd.DataFrame({
        "compute_flop": compute, "mfu": mfu, "failure_rate_per_accelerator_hour": rate,
        "goodput": np.asarray(run.goodput, dtype=float), "time_s": time,
        "time_days": time / SECONDS_PER_DAY,
    })


def run_time_quantiles(cluster_names=DEFAULT_SYSTEMS, *, quantiles=(0.05, 0.5, 0.95),
                       uncertainty=None, precision="bf16", n_samples=20_000, seed=0,
                       law=laws.DEFAULT_LAW):
    """Percentiles of a reference run's wall-clock time on each system [days].

    Parameters
    ----------
    cluster_names : sequence of str or Cluster
        Systems.
    quantiles : sequence of float
        Quantiles in [0, 1].
    uncertainty, precision, n_samples, seed, law
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
    for name in cluster_names:
        samples = run_time_samples(name, uncertainty=uncertainty, precision=precision,
                                   n_samples=n_samples, seed=seed, law=law)
        key = name if isinstance(name, str) else name.name
        values = np.quantile(samples["time_days"].to_numpy(), qs)
        rows[key] = {f"time_days_p{100 * q:g}": v for q, v in zip(qs, values)}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "system"
    return frame


# --------------------------------------------------------------------------------------------
# budgets
# --------------------------------------------------------------------------------------------

def budget_scenarios(accelerator="GB200", *, budget_usd=1e11, power_w=1e9, days=(30, 100),
                     mfu=None, precision="bf16", include_failures=True, restart_time_s=None,
                     failure_rate_per_accelerator_hour=None, reference_compute_flop=None,
                     law=laws.DEFAULT_LAW, prices=None):
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
    days, mfu, precision, include_failures, restart_time_s, failure_rate_per_accelerator_hour,
    reference_compute_flop, law, prices :
        As in :func:`compare_systems`.

    Returns
    -------
    pandas.DataFrame
        One row per constraint: "budget", "power" and "both" (whichever binds), with the
        :class:`scaling.cost.ClusterSizing` figures (``n_accelerators``, ``binding``,
        ``n_racks``, ``peak_flop_per_s``, ``sustained_flop_per_s``, ``peak_facility_power_w``,
        ``average_facility_power_w``, ``capex_usd``, ...), the trainable compute, compute-
        optimal ``n_params_<d>d`` / ``n_tokens_<d>d`` and ``goodput_<d>d`` per duration, and
        ``reference_time_days``.
    """
    import pandas as pd

    from scaling.cost import size_cluster

    durations = _days(days)
    ref = _reference(reference_compute_flop)
    failure = {"include_failures": include_failures, "restart_time_s": restart_time_s,
               "failure_rate_per_accelerator_hour": failure_rate_per_accelerator_hour}
    constraints = {
        "budget": {"budget_usd": budget_usd},
        "power": {"power_w": power_w},
        "both": {"budget_usd": budget_usd, "power_w": power_w},
    }
    rows = []
    for label, limits in constraints.items():
        used = _precision_for(as_accelerator(accelerator), precision)
        sizing = size_cluster(accelerator, prices=prices, mfu=mfu, precision=used, **limits)
        system = sizing.to_cluster(name=f"{sizing.accelerator.name} ({label})")
        row = {
            "constraint": label,
            "budget_usd": limits.get("budget_usd", math.nan),
            "power_envelope_w": limits.get("power_w", math.nan),
            **{k: v for k, v in sizing.to_dict().items() if k != "cooling"},
            "precision": used,
        }
        row.update(_largest_trainable_columns(system, durations, law=law, precision=used,
                                              prices=prices, **failure))
        run = estimate_reference_run(system, compute_flop=ref, precision=used, law=law,
                                     prices=prices, **failure)
        row["reference_goodput"] = run.goodput
        row["reference_time_days"] = run.time_s / SECONDS_PER_DAY
        rows.append(row)
    return pd.DataFrame(rows).set_index("constraint")


