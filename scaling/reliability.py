"""Failures, checkpoints and goodput of synchronous training jobs at scale.

A synchronous data/tensor/pipeline-parallel job stops whenever any one of its accelerators,
hosts, links or software layers fails. This module turns a per-accelerator failure rate into
the job's interruption rate and mean time between interruptions (MTBF), chooses the checkpoint
interval (Young 1974; Daly 2006) and returns the *goodput*: the fraction of wall-clock time
that advances training once checkpoint pauses, lost work and restarts are paid for.

Model (documented once, used everywhere)
-----------------------------------------
* Interruptions arrive as a Poisson process whose rate is proportional to the number of
  accelerators (``scaling_exponent=1``; every component is counted per accelerator, so hosts,
  NICs and switches are assumed to scale with the accelerator count, as they do in a fixed
  server design). The default rate is Llama 3's: 419 unexpected interruptions in 54 days on
  16,384 H100 (Llama 3 paper §3.3.4, Table 5).
* The job computes for an interval ``tau`` [s], then pauses ``delta`` [s] to write a
  checkpoint (a blocking write; with asynchronous checkpointing ``delta`` is only the pause).
* After an interruption it spends ``R`` [s] restarting (rescheduling, re-initialising
  communicators, loading the checkpoint) and resumes from the last checkpoint, so it repeats,
  on average, half a segment of work.
* The expected wall-clock time per unit of useful work is Daly's (2006) exponential model,
  exact for Poisson failures that may also strike during checkpoints and restarts:

  .. math:: \\frac{T_w}{T_s} = \\frac{M e^{R/M}\\,(e^{(\\tau+\\delta)/M} - 1)}{\\tau},
            \\qquad G = T_s / T_w \\in (0, 1].

  ``G`` is always positive: at very large scale it tends to zero smoothly instead of going
  negative. The familiar first-order form
  :math:`G_1 = \\frac{\\tau}{\\tau+\\delta}\\,(1 - \\frac{R + (\\tau+\\delta)/2}{M})` is its
  expansion for small :math:`(\\tau+\\delta)/M` and :math:`R/M`; it is offered as
  :func:`goodput_first_order` and becomes wrong (eventually negative) when restart plus half a
  segment approaches the MTBF. :func:`first_order_valid` flags where it departs from the
  exponential model by more than :data:`FIRST_ORDER_TOLERANCE`.

Two ways to recover (``ReliabilityAssumptions.recovery``)
-------------------------------------------------------
* ``"restart"`` (above): one synchronous job; every interruption stops it.
* ``"elastic"``: the planner's alternative at very large scale (``data/resilience_NOTES.md``
  §3): each data-parallel replica (one tensor x pipeline x context (x expert) group) drops out
  when one of its accelerators fails, the optimizer step proceeds on the survivors, and the
  replica rejoins after ``restart_time_s`` by copying the weights from a healthy peer onto a
  hot spare (TrainMover, arXiv:2412.12636; torchft fault-tolerant HSDP). Checkpoints are taken
  every step in peer memory at a throughput cost ``checkpoint_overhead_fraction`` (ByteRobust,
  arXiv:2509.16293: 0.71%). See :func:`elastic_goodput`.

Each named cluster carries its own restart, checkpoint, spare and recovery assumptions
(:class:`Resilience`, from ``data/resilience.csv``, sourced or marked as assumptions there);
:class:`ReliabilityAssumptions` fields left at None take them (:meth:`ReliabilityAssumptions.resolve`).
Hot spares (``hot_spare_fraction``) are accelerators held out of training, so goodput is
multiplied by ``1 - hot_spare_fraction`` in both modes.

Not modelled: planned interruptions (Llama 3 also had 47), stragglers and slow-downs, silent
data corruption detected late, correlated failures (power or network events taking out many
nodes at once), job-wide failures of an elastic job (spine network, storage, power), the
partial step a failed replica loses, and the final partial segment of a run.

References
----------
.. [1] A. Grattafiori et al. (Llama Team, Meta), "The Llama 3 Herd of Models",
   arXiv:2407.21783, 2024, §3.3.4 and Table 5. https://arxiv.org/abs/2407.21783
.. [2] A. Kokolis et al., "Revisiting Reliability in Large-Scale Machine Learning Research
   Clusters", HPCA 2025, arXiv:2410.21680. https://arxiv.org/abs/2410.21680
.. [3] J. W. Young, "A first order approximation to the optimum checkpoint interval",
   Commun. ACM 17(9), 530-531, 1974. https://doi.org/10.1145/361147.361115
.. [4] J. T. Daly, "A higher order estimate of the optimum checkpoint interval for restart
   dumps", Future Gener. Comput. Syst. 22(3), 303-312, 2006.
   https://doi.org/10.1016/j.future.2004.11.016
.. [5] H. Zhang et al., "FlashRecovery: Fast and Low-Cost Recovery from Failures for
   Large-Scale Training of LLMs", arXiv:2509.03047, 2025. https://arxiv.org/abs/2509.03047
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from scaling._validation import (
    as_count_array,
    as_float_array,
    check_bool,
    check_choice,
    check_fraction,
    elementwise,
    like,
    scalar,
    whole_number,
)
from scaling.data import cached, read_rows
from scaling.errors import InfeasibleRunError
from scaling.units import HOURS_PER_DAY, SECONDS_PER_HOUR

__all__ = [
    "LLAMA3_ACCELERATOR_HOURS",
    "LLAMA3_INTERRUPTIONS",
    "FAILURE_RATES",
    "DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR",
    "DEFAULT_CHECKPOINT_TIME_S",
    "DEFAULT_RESTART_TIME_S",
    "RESTART_TIMES_S",
    "FIRST_ORDER_TOLERANCE",
    "ReliabilityAssumptions",
    "RECOVERY_MODES",
    "DEFAULT_REPLICA_SIZE",
    "Resilience",
    "cluster_resilience",
    "elastic_goodput",
    "job_goodput",
    "failure_rate_per_accelerator_hour",
    "interruption_rate_per_s",
    "mtbf_s",
    "young_interval_s",
    "daly_interval_s",
    "optimal_interval_s",
    "optimal_checkpointing",
    "goodput",
    "goodput_first_order",
    "first_order_valid",
    "goodput_at_scale",
    "CHECKPOINT_BYTES_PER_PARAM",
    "LLAMA3_STORAGE_SUSTAINED_BYTE_PER_S",
    "LLAMA3_STORAGE_PEAK_BYTE_PER_S",
    "checkpoint_bytes",
    "checkpoint_write_time_s",
    "checkpoint_time_s",
    "required_write_bandwidth_byte_per_s",
    "required_checkpoint_time_s",
    "required_restart_time_s",
    "required_mtbf_s",
    "max_accelerators",
    "lost_cost_usd",
]

# ---------------------------------------------------------------------------------------------
# Sourced constants
# ---------------------------------------------------------------------------------------------

_ROWS = read_rows("reliability")
_LLAMA3_ROWS = [row for row in _ROWS if row["study"] == "llama3_405b"]

#: Llama 3 405B pre-training, 54-day snapshot on 16,384 H100-SXM (Grattafiori et al. 2024,
#: "The Llama 3 Herd of Models", arXiv:2407.21783, §3.3.4, Table 5). 466 job interruptions:
#: 47 planned and 419 unexpected; about 78% of the unexpected ones were confirmed or suspected
#: hardware; "higher than 90% effective training time". ``by_component`` holds Table 5's counts
#: from ``data/reliability.csv`` (they sum to 419; the paper prints 30.1% for "Faulty GPU", but
#: 148/419 = 35.3%).
LLAMA3_INTERRUPTIONS = MappingProxyType({
    "unexpected_interruptions": sum(int(row["interruptions"]) for row in _LLAMA3_ROWS),
    "planned_interruptions": 47,
    "days": float(_LLAMA3_ROWS[0]["observation_days"]),
    "n_accelerators": int(_LLAMA3_ROWS[0]["n_accelerators"]),
    "accelerator": _LLAMA3_ROWS[0]["accelerator"],
    "effective_training_time_fraction_lower_bound": 0.90,
    "by_component": MappingProxyType({
        row["component"]: (row["category"], int(row["interruptions"])) for row in _LLAMA3_ROWS
    }),
    "source": _LLAMA3_ROWS[0]["source"],
})

LLAMA3_ACCELERATOR_HOURS = (
    LLAMA3_INTERRUPTIONS["days"] * HOURS_PER_DAY * LLAMA3_INTERRUPTIONS["n_accelerators"]
)

#: Unexpected job interruptions per accelerator-hour from published fleets [1/(accelerator h)],
#: from ``data/reliability.csv``. Each entry: (rate, source). Llama 3's rate is its total
#: count over its accelerator-hours. Meta RSC numbers are quoted from secondary summaries of
#: Kokolis et al. (2025) (failures per 1,000 node-days with 8 A100 per node; job MTTF at
#: 1,024 GPUs) and should be checked against the paper; OPT-175B's job mean time to
#: interruption is Glenn Lockwood's compilation. The Databricks figure counts hardware
#: replacements only, so it is a lower bound on interruptions, not a comparable rate.
FAILURE_RATES = MappingProxyType({
    "llama3_405b": (
        LLAMA3_INTERRUPTIONS["unexpected_interruptions"] / LLAMA3_ACCELERATOR_HOURS,
        LLAMA3_INTERRUPTIONS["source"],
    ),
    **{
        row["study"]: (float(row["rate_per_accelerator_hour"]), row["source"])
        for row in _ROWS if row["study"] != "llama3_405b"
    },
})

#: Default unexpected-interruption rate per accelerator-hour: Llama 3's, about 1.97e-5
#: [1/(accelerator h)] (one per ~5.8 accelerator-years). See :data:`LLAMA3_INTERRUPTIONS`.
DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR = FAILURE_RATES["llama3_405b"][0]

#: Default blocking checkpoint pause [s]: 1 minute, the save time of the Llama 3-scale worked
#: example of issue 4 and of the reference notes (hardware_costs.md §4.3, derived). No primary
#: source publishes a typical pause; the storage model (:func:`checkpoint_time_s`) gives
#: seconds for a perfectly parallel write, real pauses are longer. An assumption, varied in
#: the sensitivity analysis.
DEFAULT_CHECKPOINT_TIME_S = 60.0

#: Bytes of checkpoint per parameter for mixed-precision Adam: 2 (bf16/fp16 weights) + 4 (fp32
#: master weights) + 4 + 4 (fp32 Adam first and second moments) = 14; gradients are not
#: saved. Rajbhandari et al. (2020), "ZeRO: Memory Optimizations Toward Training Trillion
#: Parameter Models", arXiv:1910.02054, Sec. 3.1 (16 bytes/param in memory incl. 2 of grads).
CHECKPOINT_BYTES_PER_PARAM = 14.0

#: Sustained throughput of Meta's Tectonic storage serving Llama 3 checkpoints, 2 TB/s
#: (Llama Team 2024, arXiv:2407.21783, Sec. 3.3.1). Default checkpoint write bandwidth.
LLAMA3_STORAGE_SUSTAINED_BYTE_PER_S = 2.0e12

#: Peak throughput of the same storage, 7 TB/s (same source).
LLAMA3_STORAGE_PEAK_BYTE_PER_S = 7.0e12

#: Published restart (recovery) times [s] after an interruption.
RESTART_TIMES_S = MappingProxyType({
    "flashrecovery2025": (
        150.0,
        "Zhang et al. (2025), 'FlashRecovery', arXiv:2509.03047, abstract: training "
        "restored on 4,800 devices in 150 seconds",
    ),
    "trainmover2024": (
        20.0,
        "Lao et al., 'TrainMover: An Interruption-Resilient Runtime for ML Training', "
        "arXiv:2412.12636, abstract: about 20 s downtime at 1,024 GPUs (standby machines)",
    ),
})

#: Default restart time [s]: FlashRecovery's measured 150 s on 4,800 devices
#: (arXiv:2509.03047). A recent, fast automated restart; conventional checkpoint-restart
#: (rescheduling, communicator setup, checkpoint load) can take many minutes, so the
#: notebook varies it from 20 s to 30 min.
DEFAULT_RESTART_TIME_S = RESTART_TIMES_S["flashrecovery2025"][0]

#: Largest absolute goodput difference for which :func:`first_order_valid` calls the
#: first-order model valid (1 percentage point; a presentation choice, not a source).
FIRST_ORDER_TOLERANCE = 0.01

#: How a job recovers from a failure: ``"restart"`` (the whole synchronous job stops, restarts
#: and redoes the work since its last checkpoint) or ``"elastic"`` (the failed data-parallel
#: replica drops out and rejoins; :func:`elastic_goodput`).
RECOVERY_MODES = ("restart", "elastic")

#: Accelerators in one data-parallel replica when no parallel plan is known: Llama 3 405B's
#: tensor 8 x pipeline 16 = 128 GPUs (arXiv:2407.21783, Table 4; data/resilience_NOTES.md
#: §3). With the step-time utilisation the plan's own tp x pp x cp (x ep) is used.
DEFAULT_REPLICA_SIZE = 128

# Bisection settings for the vectorised inverse problems (iterations of interval halving in
# log space; 200 halvings of a ln-range below 200 reach double precision).
_BISECTION_ITERATIONS = 200
_MTBF_BRACKET_S = (1e-6, 1e18)
# Newton's method for the optimal checkpoint fraction: in x below this checkpoint/MTBF ratio,
# in ln(1 - x) above it; this many steps reach double precision from the starting points.
_NEWTON_SWITCH = 1.0
_NEWTON_STEPS = 6
# Above this argument ln(e^x - 1) is evaluated as x + ln(1 - e^-x) (no overflow).
_LOG_EXPM1_LINEAR_ABOVE = 30.0


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class Resilience:
    """A named cluster's restart, checkpoint and spare-capacity assumptions (``data/resilience.csv``).

    Parameters
    ----------
    name : str
        Cluster key.
    restart_time_s : float
        Time to resume after a failure (the whole job, or one replica when elastic). [s]
    checkpoint_time_s : float
        Blocking checkpoint pause (0 for checkpoints taken every step in peer memory). [s]
    checkpoint_overhead_fraction : float
        Throughput lost to per-step in-memory checkpointing, in [0, 1). [fraction]
    hot_spare_fraction : float
        Accelerators held out of training as hot spares, in [0, 1). [fraction]
    recovery : {"restart", "elastic"}
        How the cluster's job recovers (``elastic_data_parallel`` in the table).
    goodput_reported : float
        The goodput the row states (published or assumed, ``goodput_kind``), for comparison.
    goodput_kind, source, notes : str
        What that goodput is; where the figures come from; which are assumptions.
    """

    name: str
    restart_time_s: float
    checkpoint_time_s: float
    checkpoint_overhead_fraction: float = 0.0
    hot_spare_fraction: float = 0.0
    recovery: str = "restart"
    goodput_reported: float = math.nan
    goodput_kind: str = ""
    source: str = field(default="", repr=False)
    notes: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"Resilience name must be a non-empty string, got {self.name!r}")
        label = f"Resilience {self.name!r}:"
        checked = {
            "restart_time_s": scalar(f"{label} restart_time_s", self.restart_time_s,
                                     allow_zero=True),
            "checkpoint_time_s": scalar(f"{label} checkpoint_time_s", self.checkpoint_time_s,
                                        allow_zero=True),
            "checkpoint_overhead_fraction": _fraction_below_one(
                f"{label} checkpoint_overhead_fraction", self.checkpoint_overhead_fraction),
            "hot_spare_fraction": _fraction_below_one(f"{label} hot_spare_fraction",
                                                      self.hot_spare_fraction),
            "recovery": check_choice(f"{label} recovery", self.recovery, RECOVERY_MODES),
        }
        if not (isinstance(self.goodput_reported, float) and math.isnan(self.goodput_reported)):
            checked["goodput_reported"] = scalar(f"{label} goodput_reported (NaN if none)",
                                                 self.goodput_reported, check_fraction)
        for attr in ("goodput_kind", "source", "notes"):
            if not isinstance(getattr(self, attr), str):
                raise ValueError(f"{label} {attr} must be a string, got {getattr(self, attr)!r}")
        for attr, value in checked.items():
            object.__setattr__(self, attr, value)


def _fraction_below_one(name, value) -> float:
    """A share held back or lost, in [0, 1) (spares, checkpoint overhead)."""
    return scalar(name, value, check_fraction, include_zero=True, include_one=False)


def _float_or(value, default):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(number) else number


@cached
def _resilience_rows():
    return {row["key"]: row for row in read_rows("resilience") if row["kind"] == "cluster"}


def cluster_resilience(name: str) -> Resilience | None:
    """The :class:`Resilience` row of a named cluster, or None when ``data/resilience.csv``
    has none.

    Empty cells take the package defaults: no checkpoint overhead, no spares, and
    :data:`DEFAULT_RESTART_TIME_S` / :data:`DEFAULT_CHECKPOINT_TIME_S`.
    """
    row = _resilience_rows().get(name)
    if row is None:
        return None
    elastic = str(row.get("elastic_data_parallel", "")).strip().lower() == "true"
    return Resilience(
        name=name,
        restart_time_s=_float_or(row["restart_time_s"], DEFAULT_RESTART_TIME_S),
        checkpoint_time_s=_float_or(row["checkpoint_pause_s"], DEFAULT_CHECKPOINT_TIME_S),
        checkpoint_overhead_fraction=_float_or(row["checkpoint_overhead_fraction"], 0.0),
        hot_spare_fraction=_float_or(row["hot_spare_fraction"], 0.0),
        recovery="elastic" if elastic else "restart",
        goodput_reported=_float_or(row["goodput"], math.nan),
        goodput_kind=row.get("goodput_kind", ""),
        source=row["source"], notes=row.get("notes", ""),
    )


def _optional_fraction(name, value):
    return None if value is None else _fraction_below_one(name, value)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReliabilityAssumptions:
    """Failure, checkpoint (incl. storage), restart and recovery assumptions: the goodput stage.

    Methods only forward to the module functions. Fields left at None take the named
    cluster's :class:`Resilience` row (``data/resilience.csv``) when the run is on one and
    ``cluster_resilience`` is True, else the package defaults (:meth:`resolve`).

    Parameters
    ----------
    failure_rate_per_accelerator_hour : float
        Unexpected interruptions per accelerator-hour. [1/(accelerator h)]
        Default: Llama 3's (:data:`DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR`).
    checkpoint_time_s : float or None
        Blocking checkpoint pause [s], >= 0. None: the cluster's; else the storage model,
        :func:`checkpoint_time_s` of the model size, when the size is known, and
        :data:`DEFAULT_CHECKPOINT_TIME_S` when it is not.
    checkpoint_write_bandwidth_byte_per_s : float
        Aggregate sustained write bandwidth of checkpoint storage [byte/s]. Default Llama 3's
        2 TB/s (:data:`LLAMA3_STORAGE_SUSTAINED_BYTE_PER_S`).
    checkpoint_bytes_per_param : float
        Checkpointed bytes per parameter [byte]. Default 14
        (:data:`CHECKPOINT_BYTES_PER_PARAM`).
    restart_time_s : float or None
        Time to resume after an interruption (a replica's rejoin when elastic) [s]. None: the
        cluster's, else :data:`DEFAULT_RESTART_TIME_S`.
    scaling_exponent : float
        Exponent k of the job interruption rate in the accelerator count (1 = linear).
    recovery : {"restart", "elastic"} or None
        :data:`RECOVERY_MODES`; None: the cluster's, else ``"restart"``.
    hot_spare_fraction : float or None
        Accelerators held out as hot spares, in [0, 1); None: the cluster's, else 0.
    checkpoint_overhead_fraction : float or None
        Throughput cost of per-step in-memory checkpoints, in [0, 1); None: the cluster's,
        else 0.
    replica_size : int or None
        Accelerators per data-parallel replica for ``"elastic"``; None: the parallel plan's
        (step-time utilisation), else :data:`DEFAULT_REPLICA_SIZE`.
    cluster_resilience : bool
        Whether None fields take the named cluster's row (True) or the package defaults.
    """

    failure_rate_per_accelerator_hour: float = DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR
    checkpoint_time_s: float | None = None
    checkpoint_write_bandwidth_byte_per_s: float = LLAMA3_STORAGE_SUSTAINED_BYTE_PER_S
    checkpoint_bytes_per_param: float = CHECKPOINT_BYTES_PER_PARAM
    restart_time_s: float | None = None
    scaling_exponent: float = 1.0
    recovery: str | None = None
    hot_spare_fraction: float | None = None
    checkpoint_overhead_fraction: float | None = None
    replica_size: int | None = None
    cluster_resilience: bool = True

    def __post_init__(self):
        checked = {
            "failure_rate_per_accelerator_hour": scalar(
                "failure_rate_per_accelerator_hour", self.failure_rate_per_accelerator_hour),
            "checkpoint_write_bandwidth_byte_per_s": scalar(
                "checkpoint_write_bandwidth_byte_per_s",
                self.checkpoint_write_bandwidth_byte_per_s),
            "checkpoint_bytes_per_param": scalar("checkpoint_bytes_per_param",
                                                 self.checkpoint_bytes_per_param),
            "scaling_exponent": scalar("scaling_exponent", self.scaling_exponent),
            "hot_spare_fraction": _optional_fraction("hot_spare_fraction",
                                                     self.hot_spare_fraction),
            "checkpoint_overhead_fraction": _optional_fraction(
                "checkpoint_overhead_fraction", self.checkpoint_overhead_fraction),
        }
        if self.restart_time_s is not None:
            checked["restart_time_s"] = scalar("restart_time_s", self.restart_time_s,
                                               allow_zero=True)
        if self.checkpoint_time_s is not None:
            checked["checkpoint_time_s"] = scalar("checkpoint_time_s", self.checkpoint_time_s,
                                                  allow_zero=True)
        if self.recovery is not None:
            check_choice("recovery", self.recovery, RECOVERY_MODES)
        if self.replica_size is not None:
            checked["replica_size"] = whole_number("replica_size", self.replica_size)
        checked["cluster_resilience"] = check_bool("cluster_resilience", self.cluster_resilience)
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def resolve(self, resilience: Resilience | None = None) -> ReliabilityAssumptions:
        """A copy with the None fields filled: from ``resilience`` (a named cluster's row, when
        ``cluster_resilience`` is True), else the package defaults. ``checkpoint_time_s`` stays
        None when neither sets it (the storage model then applies), ``replica_size`` when no
        plan is known."""
        row = resilience if self.cluster_resilience else None
        import dataclasses

        def pick(name, default):
            value = getattr(self, name)
            if value is not None:
                return value
            return getattr(row, name) if row is not None else default

        return dataclasses.replace(
            self,
            restart_time_s=pick("restart_time_s", DEFAULT_RESTART_TIME_S),
            checkpoint_time_s=pick("checkpoint_time_s", None),
            recovery=pick("recovery", "restart"),
            hot_spare_fraction=pick("hot_spare_fraction", 0.0),
            checkpoint_overhead_fraction=pick("checkpoint_overhead_fraction", 0.0))

    @property
    def restart_s(self) -> float:
        """``restart_time_s``, or :data:`DEFAULT_RESTART_TIME_S` when unset [s]."""
        return DEFAULT_RESTART_TIME_S if self.restart_time_s is None else self.restart_time_s

    def pause_s(self, n_params=None):
        """Blocking checkpoint pause [s]: the set ``checkpoint_time_s``, else the storage
        model for ``n_params`` (:func:`checkpoint_time_s`), else
        :data:`DEFAULT_CHECKPOINT_TIME_S`."""
        if self.checkpoint_time_s is not None:
            return self.checkpoint_time_s
        if n_params is None:
            return DEFAULT_CHECKPOINT_TIME_S
        return checkpoint_time_s(n_params, self.checkpoint_write_bandwidth_byte_per_s,
                                 bytes_per_param=self.checkpoint_bytes_per_param)

    def mtbf_s(self, n_accelerators):
        """Job MTBF [s] of ``n_accelerators`` (whole numbers); forwards to :func:`mtbf_s`."""
        return like(mtbf_s(as_count_array("n_accelerators", n_accelerators),
                           self.failure_rate_per_accelerator_hour,
                           scaling_exponent=self.scaling_exponent), n_accelerators)

    def interval_s(self, n_accelerators, n_params=None):
        """Optimal checkpoint interval [s]; forwards to :func:`optimal_interval_s`."""
        return optimal_interval_s(self.pause_s(n_params), self.mtbf_s(n_accelerators))

    def goodput(self, n_accelerators, n_params=None):
        """Goodput of a job on ``n_accelerators`` (whole numbers) with these assumptions, the
        package defaults filling the None fields (:meth:`resolve`); forwards to
        :func:`job_goodput`, the chain's goodput stage (recovery mode, checkpoint overhead and
        spares included)."""
        count = as_count_array("n_accelerators", n_accelerators)
        rel = self.resolve()
        good = job_goodput(
            count, self.failure_rate_per_accelerator_hour, rel.pause_s(n_params),
            rel.restart_time_s, recovery_elastic=rel.recovery == "elastic",
            replica_size=(DEFAULT_REPLICA_SIZE if rel.replica_size is None
                          else rel.replica_size),
            checkpoint_overhead_fraction=rel.checkpoint_overhead_fraction,
            hot_spare_fraction=rel.hot_spare_fraction,
            scaling_exponent=self.scaling_exponent)[2]
        return like(good, n_accelerators)


# ---------------------------------------------------------------------------------------------
# Failure rates
# ---------------------------------------------------------------------------------------------

def failure_rate_per_accelerator_hour(source="llama3_405b"):
    """Published unexpected-interruption rate per accelerator-hour.

    Parameters
    ----------
    source : str
        A key of :data:`FAILURE_RATES` (``"llama3_405b"``, ``"meta_rsc1"``, ``"meta_rsc2"``,
        ``"meta_rsc_1024_gpu_jobs"``, ``"opt_175b"``, ``"databricks_hardware_only"``).

    Returns
    -------
    rate : float
        Interruptions per accelerator-hour. [1/(accelerator h)]

    Examples
    --------
    >>> round(failure_rate_per_accelerator_hour("llama3_405b") * 1e5, 3)
    1.973
    """
    check_choice("failure-rate source", source, sorted(FAILURE_RATES))
    return FAILURE_RATES[source][0]


@elementwise
def interruption_rate_per_s(n_accelerators,
                            failure_rate_per_accelerator_hour=DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR,
                            *, scaling_exponent=1.0,
                            reference_n_accelerators=LLAMA3_INTERRUPTIONS["n_accelerators"]):
    """Job interruption rate of a synchronous job on ``n_accelerators``.

    Parameters
    ----------
    n_accelerators : numeric
        Accelerators in the job. [count]
    failure_rate_per_accelerator_hour : numeric
        Interruptions per accelerator-hour. [1/(accelerator h)]
    scaling_exponent : float
        k in the power law below; 1 (default) is linear in the count (independent
        components, each failure stops the job). k > 1 models fabric-wide failure modes that
        grow faster than the count.
    reference_n_accelerators : float
        Count at which the per-accelerator rate was measured (Llama 3's 16,384); irrelevant
        when k = 1. [count]

    Returns
    -------
    rate_per_s : numeric
        Expected job interruptions per second. [1/s]

    Notes
    -----
    .. math:: \\lambda_{job} = \\frac{\\lambda_{acc}}{3600}\\,n_{ref}
              \\left(\\frac{n}{n_{ref}}\\right)^{k}
    """
    n = as_float_array("n_accelerators", n_accelerators)
    rate = as_float_array("failure_rate_per_accelerator_hour", failure_rate_per_accelerator_hour)
    k = as_float_array("scaling_exponent", scaling_exponent)
    n_ref = as_float_array("reference_n_accelerators", reference_n_accelerators)
    result = rate / SECONDS_PER_HOUR * n_ref * (n / n_ref) ** k
    return like(result, n_accelerators, failure_rate_per_accelerator_hour)


@elementwise
def mtbf_s(n_accelerators,
           failure_rate_per_accelerator_hour=DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR,
           *, scaling_exponent=1.0,
           reference_n_accelerators=LLAMA3_INTERRUPTIONS["n_accelerators"]):
    """Mean time between job interruptions, ``1 / interruption_rate_per_s``.

    Parameters are those of :func:`interruption_rate_per_s`.

    Returns
    -------
    mtbf_s : numeric
        Mean time between interruptions of the whole job. [s]

    Examples
    --------
    Llama 3 scale: one unexpected interruption every ~3.1 hours.

    >>> round(mtbf_s(16384) / 3600, 2)
    3.09
    """
    rate = interruption_rate_per_s(
        n_accelerators, failure_rate_per_accelerator_hour,
        scaling_exponent=scaling_exponent, reference_n_accelerators=reference_n_accelerators,
    )
    return like(1.0 / np.asarray(rate), n_accelerators, failure_rate_per_accelerator_hour)


# ---------------------------------------------------------------------------------------------
# Checkpoint intervals
# ---------------------------------------------------------------------------------------------

@elementwise
def young_interval_s(checkpoint_time_s, mtbf_s):
    """Young's (1974) first-order optimal compute time between checkpoints.

    Parameters
    ----------
    checkpoint_time_s : numeric
        Blocking checkpoint pause delta. [s]
    mtbf_s : numeric
        Job mean time between interruptions M. [s]

    Returns
    -------
    interval_s : numeric
        Compute time between checkpoints. [s]

    Notes
    -----
    .. math:: \\tau_{Young} = \\sqrt{2\\,\\delta\\,M}

    Examples
    --------
    Llama 3 scale (M ~ 3.1 h) with a 1-minute save: about 19 minutes.

    >>> round(young_interval_s(60.0, mtbf_s(16384)) / 60, 1)
    19.3
    """
    delta = as_float_array("checkpoint_time_s", checkpoint_time_s)
    m = as_float_array("mtbf_s", mtbf_s)
    return like(np.sqrt(2.0 * delta * m), checkpoint_time_s, mtbf_s)


@elementwise
def daly_interval_s(checkpoint_time_s, mtbf_s):
    """Daly's (2006) higher-order estimate of the optimal checkpoint interval.

    Parameters
    ----------
    checkpoint_time_s : numeric
        Blocking checkpoint pause delta. [s]
    mtbf_s : numeric
        Job mean time between interruptions M. [s]

    Returns
    -------
    interval_s : numeric
        Compute time between checkpoints. [s]

    Notes
    -----
    .. math:: \\tau_{Daly} = \\sqrt{2\\delta M}\\left[1 + \\tfrac13\\sqrt{\\tfrac{\\delta}{2M}}
              + \\tfrac19\\,\\tfrac{\\delta}{2M}\\right] - \\delta \\quad (\\delta < 2M),
              \\qquad \\tau_{Daly} = M \\quad (\\delta \\ge 2M)

    It approximates the exact minimiser of Daly's exponential model
    (:func:`optimal_interval_s`).
    """
    delta = as_float_array("checkpoint_time_s", checkpoint_time_s)
    m = as_float_array("mtbf_s", mtbf_s)
    ratio = delta / (2.0 * m)
    series = np.sqrt(2.0 * delta * m) * (1.0 + np.sqrt(ratio) / 3.0 + ratio / 9.0) - delta
    result = np.where(delta < 2.0 * m, series, m)
    return like(result, checkpoint_time_s, mtbf_s)


def _optimal_fraction(d):
    """(x*, 1 - x*): x* = tau*/M minimises (e^(x+d) - 1)/x, the root of (1 - x) e^(x + d) = 1.

    Equivalently 1 + W_0(-e^{-1-d}) (Lambert W). Solved by Newton's method in numpy: in x for
    d < 1 (from the series sqrt(2d) - 2d/3), and in L = ln(1 - x) for d >= 1 (from
    L = -1 - d), so that 1 - x keeps full precision when it is tiny (goodput at the edge of
    feasibility) and underflows to 0 instead of going negative.
    """
    d = np.asarray(d, dtype=float)
    small = d < _NEWTON_SWITCH
    x = np.empty(d.shape)
    y = np.empty(d.shape)
    if small.any():
        ds = d[small]
        xs = np.sqrt(2.0 * ds) - 2.0 * ds / 3.0
        with np.errstate(invalid="ignore", divide="ignore"):
            for _ in range(_NEWTON_STEPS):
                step = (np.log1p(-xs) + xs + ds) * (1.0 - xs) / xs
                xs = np.where(xs > 0.0, xs + step, xs)
        x[small], y[small] = xs, 1.0 - xs
    if not small.all():
        dl = d[~small]
        log_y = -1.0 - dl
        for _ in range(_NEWTON_STEPS):
            e = np.exp(log_y)
            log_y = log_y - (log_y - e + 1.0 + dl) / (1.0 - e)
        ys = np.exp(log_y)
        x[~small], y[~small] = 1.0 - ys, ys
    return x, y


@elementwise
def optimal_checkpointing(mtbf_s, checkpoint_time_s, restart_time_s=DEFAULT_RESTART_TIME_S):
    """Optimal checkpoint interval and the goodput it gives (Daly's exponential model).

    The one home of the optimum: :func:`optimal_interval_s` and :func:`goodput` (with
    ``interval_s=None``) return its two halves; the forecast chain asks for both at once.

    Parameters
    ----------
    mtbf_s : numeric
        Job mean time between interruptions M. [s]
    checkpoint_time_s : numeric
        Blocking checkpoint pause delta. [s]
    restart_time_s : numeric
        Time from an interruption until training resumes R (>= 0). [s]

    Returns
    -------
    interval_s, goodput : numeric
        :math:`\\tau^* = M x^*` [s] and :math:`G^* = e^{-R/M}(1 - x^*)` [fraction], with
        :math:`x^* = 1 + W_0(-e^{-1-\\delta/M})`. A zero pause (checkpoints every step in
        peer memory) gives :math:`\\tau^* = 0` and :math:`G^* = e^{-R/M}`: no lost work,
        only restarts.
    """
    m = as_float_array("mtbf_s", mtbf_s)
    delta = as_float_array("checkpoint_time_s", checkpoint_time_s, allow_zero=True)
    restart = as_float_array("restart_time_s", restart_time_s, allow_zero=True)
    x, y = _optimal_fraction(delta / m)
    inputs = (mtbf_s, checkpoint_time_s)
    return (like(m * x, *inputs),
            like(np.exp(-restart / m) * y, *inputs, restart_time_s))


def _log_expm1(x):
    """ln(e^x - 1) without overflow for large x."""
    x = np.asarray(x, dtype=float)
    large = x > _LOG_EXPM1_LINEAR_ABOVE
    small_x = np.where(large, 1.0, x)
    return np.where(large, x + np.log1p(-np.exp(-np.where(large, x, 1.0))),
                    np.log(np.expm1(small_x)))


@elementwise
def optimal_interval_s(checkpoint_time_s, mtbf_s):
    """Exact minimiser of Daly's exponential wall-clock model.

    Parameters
    ----------
    checkpoint_time_s : numeric
        Blocking checkpoint pause delta. [s]
    mtbf_s : numeric
        Job mean time between interruptions M. [s]

    Returns
    -------
    interval_s : numeric
        Compute time between checkpoints that maximises :func:`goodput`. [s]

    Notes
    -----
    Minimising :math:`(e^{(\\tau+\\delta)/M}-1)/\\tau` gives
    :math:`(1 - x)e^{x + \\delta/M} = 1` with :math:`x = \\tau/M`, solved by the principal
    branch of the Lambert W function:

    .. math:: \\tau^* = M\\left[1 + W_0\\!\\left(-e^{-1-\\delta/M}\\right)\\right]

    The restart time does not move the optimum (it only scales the wall-clock time by
    :math:`e^{R/M}`). For small :math:`\\delta/M`, :math:`\\tau^* \\to \\sqrt{2\\delta M}`
    (Young).
    """
    return optimal_checkpointing(mtbf_s, checkpoint_time_s, 0.0)[0]


# ---------------------------------------------------------------------------------------------
# Goodput
# ---------------------------------------------------------------------------------------------

@elementwise
def goodput(mtbf_s, checkpoint_time_s, restart_time_s=DEFAULT_RESTART_TIME_S, interval_s=None):
    """Fraction of wall-clock time that advances training (Daly's exponential model).

    Parameters
    ----------
    mtbf_s : numeric
        Job mean time between interruptions M. [s]
    checkpoint_time_s : numeric
        Blocking checkpoint pause delta. [s]
    restart_time_s : numeric
        Time from an interruption until training resumes R (>= 0). [s]
    interval_s : numeric or None
        Compute time between checkpoints tau. [s] ``None`` uses the optimum of Daly's model
        (:func:`optimal_interval_s`, exact; :func:`daly_interval_s` is Daly's published
        approximation of it).

    Returns
    -------
    goodput : numeric
        Useful fraction of wall-clock time, in (0, 1]. [fraction]

    Notes
    -----
    .. math:: G = \\frac{\\tau}{M\\,e^{R/M}\\left(e^{(\\tau+\\delta)/M} - 1\\right)}

    At the optimum this simplifies to :math:`G^* = e^{-R/M}\\,(1 - \\tau^*/M)`. The value is
    positive for every input, shrinking towards zero when the MTBF falls to the order of the
    checkpoint and restart times; it is never clipped. Its first-order expansion is
    :func:`goodput_first_order`.

    Examples
    --------
    >>> round(goodput(mtbf_s(16384), 60.0, 150.0), 3)
    0.888
    """
    if interval_s is None:
        return optimal_checkpointing(mtbf_s, checkpoint_time_s, restart_time_s)[1]
    m = as_float_array("mtbf_s", mtbf_s)
    delta = as_float_array("checkpoint_time_s", checkpoint_time_s)
    restart = as_float_array("restart_time_s", restart_time_s, allow_zero=True)
    tau = as_float_array("interval_s", interval_s)
    result = np.exp(np.log(tau / m) - restart / m - _log_expm1((tau + delta) / m))
    return like(result, mtbf_s, checkpoint_time_s, restart_time_s, interval_s)


@elementwise
def goodput_first_order(mtbf_s, checkpoint_time_s, restart_time_s=DEFAULT_RESTART_TIME_S,
                        interval_s=None):
    """First-order goodput: checkpoint overhead, half a segment of rework and a restart per failure.

    Parameters
    ----------
    mtbf_s, checkpoint_time_s, restart_time_s : numeric
        As in :func:`goodput`. [s]
    interval_s : numeric or None
        Compute time between checkpoints. [s] ``None`` uses Young's interval.

    Returns
    -------
    goodput : numeric
        The first-order estimate. [fraction] It is **not** bounded below: it turns negative
        once :math:`R + (\\tau+\\delta)/2 > M`, which marks where the first-order model has
        stopped describing the system (see :func:`first_order_valid`).

    Notes
    -----
    .. math:: G_1 = \\frac{\\tau}{\\tau+\\delta}\\left(1 - \\frac{R + (\\tau+\\delta)/2}{M}\\right)
    """
    m = as_float_array("mtbf_s", mtbf_s)
    delta = as_float_array("checkpoint_time_s", checkpoint_time_s)
    restart = as_float_array("restart_time_s", restart_time_s, allow_zero=True)
    tau = np.sqrt(2.0 * delta * m) if interval_s is None else as_float_array("interval_s", interval_s)
    segment = tau + delta
    result = tau / segment * (1.0 - (restart + segment / 2.0) / m)
    inputs = (mtbf_s, checkpoint_time_s, restart_time_s)
    return like(result, *(inputs if interval_s is None else inputs + (interval_s,)))


@elementwise
def first_order_valid(mtbf_s, checkpoint_time_s, restart_time_s=DEFAULT_RESTART_TIME_S,
                      interval_s=None, *, tolerance=FIRST_ORDER_TOLERANCE):
    """Where the first-order goodput agrees with the exponential model.

    Parameters
    ----------
    mtbf_s, checkpoint_time_s, restart_time_s : numeric
        As in :func:`goodput`. [s]
    interval_s : numeric or None
        Compute time between checkpoints [s]; ``None`` compares each model at its own
        optimum (Young for the first-order model, the exact optimum for the exponential one).
    tolerance : float
        Largest allowed absolute difference in goodput. [fraction]

    Returns
    -------
    valid : bool or ndarray of bool (Series when given a Series)
        True where ``|goodput_first_order - goodput| <= tolerance``.
    """
    tol = as_float_array("tolerance", tolerance)
    exact = np.asarray(goodput(mtbf_s, checkpoint_time_s, restart_time_s, interval_s))
    first = np.asarray(goodput_first_order(mtbf_s, checkpoint_time_s, restart_time_s,
                                           interval_s))
    result = np.abs(first - exact) <= tol
    return like(result, mtbf_s, checkpoint_time_s, restart_time_s)


@elementwise
def goodput_at_scale(n_accelerators, *,
                     failure_rate_per_accelerator_hour=DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR,
                     checkpoint_time_s=DEFAULT_CHECKPOINT_TIME_S,
                     restart_time_s=DEFAULT_RESTART_TIME_S, scaling_exponent=1.0):
    """Goodput of a job on ``n_accelerators`` at the optimal checkpoint interval.

    Convenience composition of :func:`mtbf_s` and :func:`goodput` with the module defaults.

    Parameters
    ----------
    n_accelerators : numeric
        Accelerators in the job. [count]
    failure_rate_per_accelerator_hour : numeric
        [1/(accelerator h)]
    checkpoint_time_s : numeric
        Blocking checkpoint pause. [s]
    restart_time_s : numeric
        Restart time. [s]
    scaling_exponent : float
        See :func:`interruption_rate_per_s`.

    Returns
    -------
    goodput : numeric
        [fraction] in (0, 1].
    """
    n = as_count_array("n_accelerators", n_accelerators)
    m = mtbf_s(n, failure_rate_per_accelerator_hour, scaling_exponent=scaling_exponent)
    result = goodput(np.asarray(m), checkpoint_time_s, restart_time_s)
    return like(result, n_accelerators, failure_rate_per_accelerator_hour, checkpoint_time_s,
                 restart_time_s)


@elementwise
def elastic_goodput(n_accelerators, replica_size,
                    failure_rate_per_accelerator_hour=DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR,
                    rejoin_time_s=DEFAULT_RESTART_TIME_S, *, checkpoint_overhead_fraction=0.0,
                    scaling_exponent=1.0):
    """Goodput of a job whose data-parallel replicas drop out on a failure and rejoin.

    Parameters
    ----------
    n_accelerators : numeric
        Accelerators in the job. [count]
    replica_size : numeric
        Accelerators per data-parallel replica (tensor x pipeline x context (x expert)
        group); one failure takes out one replica. [count]
    failure_rate_per_accelerator_hour : numeric
        [1/(accelerator h)]
    rejoin_time_s : numeric
        Time from a replica's failure until it trains again (swap in a hot spare, copy the
        weights from a healthy peer), >= 0. [s]
    checkpoint_overhead_fraction : numeric
        Throughput lost to per-step in-memory checkpoints, in [0, 1). [fraction]
    scaling_exponent : float
        See :func:`interruption_rate_per_s` (the per-accelerator rate at this job size).

    Returns
    -------
    goodput : numeric
        Useful fraction of the job's accelerator-time, in (0, 1]. [fraction]

    Notes
    -----
    Each replica fails at :math:`\\lambda_r = \\lambda\\,r` (per-accelerator rate times replica
    size) and is out for the rejoin time :math:`t_j`; in steady state it trains a fraction
    :math:`1 / (1 + \\lambda_r t_j)` of the time, and the job with it:

    .. math:: G = \\frac{1 - o}{1 + \\lambda\\, r\\, t_j}

    with :math:`o` the checkpoint overhead. At Llama 3's rate a 128-GPU replica fails every
    ~16.5 days, so with a 20 s rejoin :math:`G \\approx 1 - o` (data/resilience_NOTES.md §4).
    Hot spares are charged by the chain (goodput x (1 - spare fraction)). Not modelled: the
    partial step a failed replica loses, job-wide failures (spine network, storage, power),
    stragglers and silent data corruption.

    Examples
    --------
    >>> round(elastic_goodput(1_000_000, 128, rejoin_time_s=20.0,
    ...                       checkpoint_overhead_fraction=0.0071), 4)
    0.9929
    """
    n = as_float_array("n_accelerators", n_accelerators)
    r = as_float_array("replica_size", replica_size)
    t = as_float_array("rejoin_time_s", rejoin_time_s, allow_zero=True)
    o = check_fraction("checkpoint_overhead_fraction", checkpoint_overhead_fraction,
                       include_zero=True, include_one=False)
    per_accelerator_s = np.asarray(interruption_rate_per_s(
        n, failure_rate_per_accelerator_hour, scaling_exponent=scaling_exponent)) / n
    result = (1.0 - o) / (1.0 + per_accelerator_s * r * t)
    return like(result, n_accelerators, replica_size, failure_rate_per_accelerator_hour,
                rejoin_time_s)


@elementwise
def job_goodput(n_accelerators,
                failure_rate_per_accelerator_hour=DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR,
                checkpoint_time_s=DEFAULT_CHECKPOINT_TIME_S,
                restart_time_s=DEFAULT_RESTART_TIME_S, *, recovery_elastic=False,
                replica_size=DEFAULT_REPLICA_SIZE, checkpoint_overhead_fraction=0.0,
                hot_spare_fraction=0.0, scaling_exponent=1.0):
    """The goodput stage of the chain: interruptions, checkpoints, restarts and spares of a job.

    The one place the two recovery modes, the checkpoint overhead and the hot spares are
    combined; :func:`scaling.chain.run_chain` and :meth:`ReliabilityAssumptions.goodput` call it.

    Parameters
    ----------
    n_accelerators : numeric
        Accelerators in the job (real counts accepted: the chain's inverse questions ask for
        continuous requirements). [count]
    failure_rate_per_accelerator_hour : numeric
        [1/(accelerator h)]
    checkpoint_time_s : numeric
        Blocking checkpoint pause of a synchronous job, >= 0. [s]
    restart_time_s : numeric
        Restart of the whole job (synchronous) or a replica's rejoin (elastic), >= 0. [s]
    recovery_elastic : bool or numeric
        True (or > 0, element-wise, for Monte Carlo inputs) where replicas drop out and rejoin
        (:func:`elastic_goodput`); else one synchronous job (:func:`optimal_checkpointing`).
    replica_size : numeric
        Accelerators per data-parallel replica (elastic only). [count]
    checkpoint_overhead_fraction : numeric
        Throughput lost to per-step in-memory checkpoints, in [0, 1). [fraction]
    hot_spare_fraction : numeric
        Accelerators held out of training as hot spares, in [0, 1). [fraction]
    scaling_exponent : numeric
        See :func:`interruption_rate_per_s`.

    Returns
    -------
    mtbf_s, interval_s, goodput : numeric
        Job mean time between interruptions [s], the optimal checkpoint interval [s] (NaN
        where elastic: checkpoints every step) and the useful fraction of the accelerators'
        time [fraction].

    Notes
    -----
    .. math:: G = (1 - s) \\times \\begin{cases}
        (1 - o)\\, e^{-R/M}(1 - x^*) & \\text{synchronous} \\\\
        (1 - o) / (1 + \\lambda\\, r\\, t_j) & \\text{elastic} \\end{cases}

    with :math:`s` the spare fraction, :math:`o` the checkpoint overhead, and the two
    goodputs of :func:`optimal_checkpointing` and :func:`elastic_goodput`.
    """
    n = np.asarray(as_float_array("n_accelerators", n_accelerators))
    rate = failure_rate_per_accelerator_hour
    overhead = check_fraction("checkpoint_overhead_fraction", checkpoint_overhead_fraction,
                              include_zero=True, include_one=False)
    spares = check_fraction("hot_spare_fraction", hot_spare_fraction, include_zero=True,
                            include_one=False)
    mtbf = np.asarray(mtbf_s(n, rate, scaling_exponent=scaling_exponent))
    interval, good = (np.asarray(v) for v in optimal_checkpointing(
        mtbf, checkpoint_time_s, restart_time_s))
    elastic = np.asarray(recovery_elastic, dtype=float) > 0
    if elastic.any():
        rejoin = np.asarray(elastic_goodput(
            n, replica_size, rate, restart_time_s, checkpoint_overhead_fraction=overhead,
            scaling_exponent=scaling_exponent))
        good = np.where(elastic, rejoin, good * (1.0 - overhead))
        interval = np.where(elastic, np.nan, interval)
    else:
        good = good * (1.0 - overhead)
    good = good * (1.0 - spares)
    inputs = (n_accelerators, failure_rate_per_accelerator_hour, checkpoint_time_s,
              restart_time_s)
    return like(mtbf, *inputs), like(interval, *inputs), like(good, *inputs)


def checkpoint_bytes(n_params, bytes_per_param=CHECKPOINT_BYTES_PER_PARAM):
    """Size of a full training checkpoint (weights + optimizer state) [bytes].

    Parameters
    ----------
    n_params : numeric
        Parameters, > 0.
    bytes_per_param : numeric
        Default 14: bf16 weights (2) + fp32 master weights (4) + fp32 Adam moments (8)
        (Rajbhandari et al. 2020, arXiv:1910.02054, Sec. 3.1). [byte]

    Notes
    -----
    .. math:: S = N \\cdot b

    A 405B-parameter model gives 5.67 TB.
    """
    params = as_float_array("n_params", n_params)
    per_param = as_float_array("bytes_per_param", bytes_per_param)
    return like(params * per_param, n_params, bytes_per_param)


@elementwise
def checkpoint_write_time_s(checkpoint_bytes,
                            write_bandwidth_byte_per_s=LLAMA3_STORAGE_SUSTAINED_BYTE_PER_S):
    """Time to write a checkpoint at an aggregate storage bandwidth [s].

    Parameters
    ----------
    checkpoint_bytes : numeric
        Checkpoint size [bytes], > 0.
    write_bandwidth_byte_per_s : numeric
        Aggregate write bandwidth [byte/s]; default 2 TB/s, the sustained throughput of the
        storage behind Llama 3 (arXiv:2407.21783, Sec. 3.3.1).

    Notes
    -----
    .. math:: t = S / B

    An ideal, perfectly parallel write: real pauses are longer.
    """
    size = as_float_array("checkpoint_bytes", checkpoint_bytes)
    bandwidth = as_float_array("write_bandwidth_byte_per_s", write_bandwidth_byte_per_s)
    return like(size / bandwidth, checkpoint_bytes, write_bandwidth_byte_per_s)


@elementwise
def checkpoint_time_s(n_params, write_bandwidth_byte_per_s=LLAMA3_STORAGE_SUSTAINED_BYTE_PER_S,
                      *, bytes_per_param=CHECKPOINT_BYTES_PER_PARAM):
    """Checkpoint pause of a model from the storage model [s].

    Parameters
    ----------
    n_params : numeric
        Model parameters. [count]
    write_bandwidth_byte_per_s : numeric
        Aggregate sustained write bandwidth to checkpoint storage [byte/s]; default Llama 3's
        Tectonic, 2 TB/s (:data:`LLAMA3_STORAGE_SUSTAINED_BYTE_PER_S`).
    bytes_per_param : numeric
        Checkpointed bytes per parameter [byte]; default 14
        (:data:`CHECKPOINT_BYTES_PER_PARAM`: bf16 weights, fp32 master weights and Adam
        moments).

    Returns
    -------
    checkpoint_time_s : numeric
        Time to write one full checkpoint if the write is perfectly parallel. [s]

    Notes
    -----
    :math:`\\delta = N\\,b / BW` (:func:`checkpoint_bytes`, :func:`checkpoint_write_time_s`).
    This is a lower bound on the pause: real checkpoints also serialise, synchronise and may
    be throttled by per-node links.
    """
    return checkpoint_write_time_s(checkpoint_bytes(n_params, bytes_per_param),
                                   write_bandwidth_byte_per_s)


@elementwise
def required_write_bandwidth_byte_per_s(n_params, checkpoint_time_s, *,
                                        bytes_per_param=CHECKPOINT_BYTES_PER_PARAM):
    """Aggregate write bandwidth that saves a model's checkpoint within a pause [byte/s].

    Parameters
    ----------
    n_params : numeric
        Model parameters. [count]
    checkpoint_time_s : numeric
        Longest acceptable blocking pause, e.g. from :func:`required_checkpoint_time_s`. [s]
    bytes_per_param : numeric
        Checkpointed bytes per parameter [byte] (default 14).

    Returns
    -------
    numeric
        :math:`BW = N\\,b / \\delta` [byte/s], the inverse of :func:`checkpoint_time_s` in the
        bandwidth (NaN where the pause is NaN: the goodput target is out of reach).
    """
    size = np.asarray(checkpoint_bytes(n_params, bytes_per_param), dtype=float)
    try:
        pause = np.asarray(checkpoint_time_s, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"checkpoint_time_s must be numeric, got {checkpoint_time_s!r}") from None
    if (pause[~np.isnan(pause)] <= 0).any():
        raise ValueError(f"checkpoint_time_s must be positive (> 0), got {checkpoint_time_s!r}")
    return like(size / pause, n_params, checkpoint_time_s)


# ---------------------------------------------------------------------------------------------
# Inverse problems
# ---------------------------------------------------------------------------------------------

@elementwise
def required_checkpoint_time_s(target_goodput, mtbf_s, restart_time_s=DEFAULT_RESTART_TIME_S):
    """Longest checkpoint pause that still reaches ``target_goodput`` at the optimal interval.

    Parameters
    ----------
    target_goodput : numeric
        Goodput to reach, in (0, 1). [fraction]
    mtbf_s : numeric
        Job mean time between interruptions M. [s]
    restart_time_s : numeric
        Restart time R (>= 0). [s]

    Returns
    -------
    checkpoint_time_s : numeric
        Largest delta with :math:`G^*(\\delta) \\ge` target. [s] NaN where the target is out
        of reach even with instantaneous checkpoints (restarts alone cost more, i.e.
        :math:`e^{-R/M} \\le` target).

    Notes
    -----
    With :math:`g = G\\,e^{R/M}` and :math:`G^* = e^{-R/M}(1 - x^*)`, the optimum condition
    :math:`(1 - x)e^{x+d} = 1` inverts in closed form:

    .. math:: \\delta = M\\,(g - 1 - \\ln g), \\qquad g < 1.

    For g close to 1 this is :math:`\\delta \\approx M(1-g)^2/2`, the inverse of Young's
    :math:`1 - G \\approx \\sqrt{2\\delta/M}`.
    """
    target = check_fraction("target_goodput", target_goodput, include_one=False)
    m = as_float_array("mtbf_s", mtbf_s)
    restart = as_float_array("restart_time_s", restart_time_s, allow_zero=True)
    g = target * np.exp(restart / m)
    with np.errstate(invalid="ignore", divide="ignore"):
        delta = m * (g - 1.0 - np.log(g))
    result = np.where(g < 1.0, delta, np.nan)
    return like(result, target_goodput, mtbf_s, restart_time_s)


@elementwise
def required_restart_time_s(target_goodput, mtbf_s, checkpoint_time_s=DEFAULT_CHECKPOINT_TIME_S):
    """Longest restart time that still reaches ``target_goodput`` at the optimal interval.

    Parameters
    ----------
    target_goodput : numeric
        Goodput to reach, in (0, 1). [fraction]
    mtbf_s : numeric
        Job mean time between interruptions M. [s]
    checkpoint_time_s : numeric
        Blocking checkpoint pause delta. [s]

    Returns
    -------
    restart_time_s : numeric
        Largest R with :math:`G^* \\ge` target [s]; NaN where checkpointing alone already
        costs more than the target allows.

    Notes
    -----
    .. math:: R = M \\ln\\frac{1 - x^*(\\delta/M)}{G}
    """
    target = check_fraction("target_goodput", target_goodput, include_one=False)
    m = as_float_array("mtbf_s", mtbf_s)
    delta = as_float_array("checkpoint_time_s", checkpoint_time_s)
    headroom = _optimal_fraction(delta / m)[1]
    restart = m * np.log(headroom / target)
    result = np.where(restart >= 0.0, restart, np.nan)
    return like(result, target_goodput, mtbf_s, checkpoint_time_s)


@elementwise
def required_mtbf_s(target_goodput, checkpoint_time_s=DEFAULT_CHECKPOINT_TIME_S,
                    restart_time_s=DEFAULT_RESTART_TIME_S):
    """Shortest job MTBF that reaches ``target_goodput`` at the optimal interval.

    Parameters
    ----------
    target_goodput : numeric
        Goodput to reach, in (0, 1). [fraction]
    checkpoint_time_s : numeric
        Blocking checkpoint pause. [s]
    restart_time_s : numeric
        Restart time (>= 0). [s]

    Returns
    -------
    mtbf_s : numeric
        [s] Found by vectorised bisection in log M (goodput increases monotonically with M).
    """
    target = check_fraction("target_goodput", target_goodput, include_one=False)
    delta = as_float_array("checkpoint_time_s", checkpoint_time_s)
    restart = as_float_array("restart_time_s", restart_time_s, allow_zero=True)
    target, delta, restart = np.broadcast_arrays(target, delta, restart)
    lo = np.full(target.shape, math.log(_MTBF_BRACKET_S[0]))
    hi = np.full(target.shape, math.log(_MTBF_BRACKET_S[1]))
    for _ in range(_BISECTION_ITERATIONS):
        mid = 0.5 * (lo + hi)
        m = np.exp(mid)
        reached = np.exp(-restart / m) * _optimal_fraction(delta / m)[1] >= target
        hi = np.where(reached, mid, hi)
        lo = np.where(reached, lo, mid)
    return like(np.exp(hi), target_goodput, checkpoint_time_s, restart_time_s)


def max_accelerators(target_goodput, checkpoint_time_s=DEFAULT_CHECKPOINT_TIME_S,
                     restart_time_s=DEFAULT_RESTART_TIME_S,
                     failure_rate_per_accelerator_hour=DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR,
                     *, scaling_exponent=1.0,
                     reference_n_accelerators=LLAMA3_INTERRUPTIONS["n_accelerators"],
                     infeasible="raise"):
    """Largest synchronous job that still reaches ``target_goodput``.

    Parameters
    ----------
    target_goodput : numeric
        In (0, 1). [fraction]
    checkpoint_time_s, restart_time_s : numeric
        [s]
    failure_rate_per_accelerator_hour : numeric
        [1/(accelerator h)]
    scaling_exponent, reference_n_accelerators :
        See :func:`interruption_rate_per_s`.
    infeasible : {"raise", "nan"}
        What to do where not even one accelerator reaches the target (restarts and
        checkpoints alone cost more): raise :class:`scaling.InfeasibleRunError` (default), or
        return NaN there (for sweeps).

    Returns
    -------
    n_accelerators : numeric
        Accelerator count (real-valued, >= 1) at which goodput equals the target. [count]

    Raises
    ------
    InfeasibleRunError
        With ``infeasible="raise"``, where the target is out of reach on one accelerator; the
        message gives the goodput one accelerator reaches.

    Notes
    -----
    Inverts :func:`mtbf_s` at :func:`required_mtbf_s`:
    :math:`n = n_{ref}\\,(3600 / (\\lambda_{acc} n_{ref} M))^{1/k}`.
    """
    check_choice("infeasible", infeasible, ("raise", "nan"))
    m = np.asarray(required_mtbf_s(target_goodput, checkpoint_time_s, restart_time_s))
    rate = as_float_array("failure_rate_per_accelerator_hour", failure_rate_per_accelerator_hour)
    k = as_float_array("scaling_exponent", scaling_exponent)
    n_ref = as_float_array("reference_n_accelerators", reference_n_accelerators)
    result = n_ref * (SECONDS_PER_HOUR / (rate * n_ref * m)) ** (1.0 / k)
    below_one = result < 1.0
    if below_one.any() and infeasible == "raise":
        raise _unreachable_target(target_goodput, checkpoint_time_s, restart_time_s, rate,
                                  k, n_ref, below_one)
    result = np.where(below_one, np.nan, result)
    return like(result, target_goodput, checkpoint_time_s, restart_time_s,
                 failure_rate_per_accelerator_hour)


def _unreachable_target(target_goodput, checkpoint_time_s, restart_time_s, rate, k, n_ref,
                        below_one):
    """The InfeasibleRunError of :func:`max_accelerators` for its first unreachable entry."""
    shape = below_one.shape

    def first(value):
        return float(np.broadcast_to(np.asarray(value, dtype=float), shape).flat[
            np.flatnonzero(below_one)[0]])

    target, pause, restart = first(target_goodput), first(checkpoint_time_s), first(
        restart_time_s)
    one = float(goodput(mtbf_s(1.0, first(rate), scaling_exponent=first(k),
                               reference_n_accelerators=first(n_ref)), pause, restart))
    return InfeasibleRunError(
        f"target_goodput={target:g} is out of reach: not even one accelerator reaches it with "
        f"a {pause:.3g} s checkpoint pause and a {restart:.3g} s restart at "
        f"{first(rate):.3g} interruptions per accelerator-hour (one accelerator reaches "
        f"goodput {one:.3g}); lower the target or shorten checkpoints and restarts "
        "(infeasible='nan' returns NaN for such entries)")


@elementwise
def lost_cost_usd(run_cost_usd, goodput):
    """Dollars spent on wall-clock time that did not advance training.

    Parameters
    ----------
    run_cost_usd : numeric
        Cost of the whole run *including* the time lost to failures, e.g. accelerator-hours at
        the observed wall-clock time times a price. [USD]
    goodput : numeric
        Useful fraction of that wall-clock time, in (0, 1]. [fraction]

    Returns
    -------
    cost_usd : numeric
        :math:`C\\,(1 - G)` [USD]. If ``run_cost_usd`` is the failure-free cost instead, the
        loss is :math:`C\\,(1/G - 1)`; pass ``run_cost_usd / goodput``.
    """
    cost = as_float_array("run_cost_usd", run_cost_usd, allow_zero=True)
    g = check_fraction("goodput", goodput)
    return like(cost * (1.0 - g), run_cost_usd, goodput)


