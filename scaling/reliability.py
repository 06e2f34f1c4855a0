"""Failures and recovery of training jobs at scale: the goodput stage of the chain.

A synchronous data/tensor/pipeline-parallel job stops whenever any one of its accelerators,
hosts, links or software layers fails. This module turns a per-accelerator failure rate into
the job's interruption rate and mean time between interruptions (MTBF), and computes the
*goodput*, the fraction of wall-clock time that advances training, in one stage,
:func:`job_goodput`, that the forecast chain and :meth:`ReliabilityAssumptions.goodput` call.
What happens between two interruptions of a synchronous job (checkpoint size and pause, the
optimal interval, Daly's model, restart times) is :mod:`scaling.checkpointing`, which this
module imports (never the other way).

Model (documented once, used everywhere)
-----------------------------------------
* Interruptions arrive as a Poisson process whose rate is proportional to the number of
  accelerators (``scaling_exponent=1``; every component is counted per accelerator, so hosts,
  NICs and switches are assumed to scale with the accelerator count, as they do in a fixed
  server design). The default rate is Llama 3's: 419 unexpected interruptions in 54 days on
  16,384 H100 (Llama 3 paper §3.3.4, Table 5).
* Two ways to recover (``recovery``, :data:`RECOVERY_MODES`), chosen by name in
  :func:`job_goodput`:

  - ``"restart"``: one synchronous job; every interruption stops it, it restarts and redoes
    the work since its last checkpoint (:func:`scaling.checkpointing.optimal_checkpointing`,
    the synchronous-restart model at its optimal interval).
  - ``"elastic"``: the planner's alternative at very large scale
    (``data/resilience_NOTES.md`` §3): each data-parallel replica (one tensor x pipeline x
    context (x expert) group) drops out when one of its accelerators fails, the optimizer
    step proceeds on the survivors, and the replica rejoins after ``restart_time_s`` by
    copying the weights from a healthy peer onto a hot spare (TrainMover, arXiv:2412.12636;
    torchft fault-tolerant HSDP). Checkpoints are taken every step in peer memory at a
    throughput cost ``checkpoint_overhead_fraction`` (ByteRobust, arXiv:2509.16293: 0.71%).
    See :func:`elastic_goodput`.

Each named cluster carries its own restart, checkpoint, spare and recovery assumptions
(:class:`Resilience`, from ``data/resilience.csv``, sourced or marked as assumptions there);
:class:`ReliabilityAssumptions` fields left at None take them (:meth:`ReliabilityAssumptions.resolve`).
Hot spares (``hot_spare_fraction``) are accelerators held out of training, so goodput is
multiplied by ``1 - hot_spare_fraction`` in both modes.

The published failure rates (:data:`FAILURE_RATES`) and Llama 3's interruptions by component
(:data:`LLAMA3_INTERRUPTIONS`) are the rows of ``data/reliability.csv``, read on first use and
again after :func:`scaling.data.reload`.

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
.. [3] J. T. Daly, "A higher order estimate of the optimum checkpoint interval for restart
   dumps", Future Gener. Comput. Syst. 22(3), 303-312, 2006.
   https://doi.org/10.1016/j.future.2004.11.016
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from scaling import checkpointing
from scaling._validation import (
    as_count_array, as_float_array, check_bool, check_choice, check_fraction, elementwise, like,
    check_plausible, named_fields, scalar, whole_number,
)
from scaling.checkpointing import (
    CHECKPOINT_BYTES_PER_PARAM,
    DEFAULT_CHECKPOINT_TIME_S,
    LLAMA3_STORAGE_SUSTAINED_BYTE_PER_S,
    _optimal_checkpointing,
    checkpoint_time_s,
    optimal_interval_s,
    required_mtbf_s,
    restart_goodput,
)
from scaling.data import cached, cached_until_reload, cell_count, cell_number, load_rows
from scaling.errors import InfeasibleRunError
from scaling.units import HOURS_PER_DAY, SECONDS_PER_HOUR

__all__ = [
    "LLAMA3_ACCELERATOR_HOURS",
    "LLAMA3_INTERRUPTIONS",
    "FAILURE_RATES",
    "DEFAULT_FAILURE_SOURCE",
    "DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR",
    "ReliabilityAssumptions",
    "RECOVERY_MODES",
    "DEFAULT_REPLICA_SIZE",
    "Resilience",
    "cluster_resilience",
    "failure_rate_per_accelerator_hour",
    "interruption_rate_per_s",
    "mtbf_s",
    "elastic_goodput",
    "job_goodput",
    "max_accelerators",
    "lost_cost_usd",
]

# ---------------------------------------------------------------------------------------------
# Sourced constants
# ---------------------------------------------------------------------------------------------

#: Key of the default failure rate in :data:`FAILURE_RATES`: Llama 3 405B's unexpected
#: interruptions, about 1.97e-5 per accelerator-hour (one per ~5.8 accelerator-years).
DEFAULT_FAILURE_SOURCE = "llama3_405b"

#: Category of the planned interruptions in ``data/reliability.csv`` (not failures: they are
#: counted in :data:`LLAMA3_INTERRUPTIONS` but not in any rate).
_PLANNED_CATEGORY = "Planned"

#: How a job recovers from a failure: ``"restart"`` (the whole synchronous job stops, restarts
#: and redoes the work since its last checkpoint) or ``"elastic"`` (the failed data-parallel
#: replica drops out and rejoins; :func:`elastic_goodput`).
RECOVERY_MODES = ("restart", "elastic")

#: Accelerators in one data-parallel replica when no parallel plan is known: Llama 3 405B's
#: tensor 8 x pipeline 16 = 128 GPUs (arXiv:2407.21783, Table 4; data/resilience_NOTES.md
#: §3). With the step-time utilisation the plan's own tp x pp x cp (x ep) is used.
DEFAULT_REPLICA_SIZE = 128


@cached_until_reload
def _llama3_interruptions():
    """:data:`LLAMA3_INTERRUPTIONS`, from the ``llama3_405b`` rows of ``data/reliability.csv``
    and the effective-training-time floor of its reference row in ``data/resilience.csv``."""
    rows = [row for row in load_rows("reliability") if row["study"] == DEFAULT_FAILURE_SOURCE]
    unexpected = [row for row in rows if row["category"] != _PLANNED_CATEGORY]
    first = unexpected[0]
    reference = next(row for row in load_rows("resilience")
                     if row["key"] == DEFAULT_FAILURE_SOURCE)
    def count(row, column):
        return cell_count(row, column, table="reliability")

    return MappingProxyType({
        "unexpected_interruptions": sum(count(row, "interruptions") for row in unexpected),
        "planned_interruptions": sum(count(row, "interruptions") for row in rows
                                     if row["category"] == _PLANNED_CATEGORY),
        "days": cell_number(first, "observation_days", table="reliability"),
        "n_accelerators": count(first, "n_accelerators"),
        "accelerator": first["accelerator"],
        "effective_training_time_fraction_lower_bound": cell_number(
            reference, "goodput", table="resilience"),
        "by_component": MappingProxyType({
            row["component"]: (row["category"], count(row, "interruptions"))
            for row in unexpected}),
        "source": first["source"],
    })


def _llama3_accelerator_hours() -> float:
    """:data:`LLAMA3_ACCELERATOR_HOURS` [accelerator h]."""
    llama = _llama3_interruptions()
    return llama["days"] * HOURS_PER_DAY * llama["n_accelerators"]


@cached_until_reload
def _failure_rates():
    """:data:`FAILURE_RATES`, from ``data/reliability.csv``: Llama 3's total count over its
    accelerator-hours, then every other study's rate, in table order."""
    llama = _llama3_interruptions()
    return MappingProxyType({
        DEFAULT_FAILURE_SOURCE: (llama["unexpected_interruptions"] / _llama3_accelerator_hours(),
                                 llama["source"]),
        **{row["study"]: (cell_number(row, "rate_per_accelerator_hour", table="reliability"),
                          row["source"])
           for row in load_rows("reliability") if row["study"] != DEFAULT_FAILURE_SOURCE},
    })


def _rate_or_default(failure_rate_per_accelerator_hour):
    """The given rate, or :data:`DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR` where it is None
    [1/(accelerator h)]."""
    if failure_rate_per_accelerator_hour is None:
        return _failure_rates()[DEFAULT_FAILURE_SOURCE][0]
    return failure_rate_per_accelerator_hour


def _reference_or_default(reference_n_accelerators):
    """The given reference count, or Llama 3's 16,384 where it is None [count]."""
    if reference_n_accelerators is None:
        return _llama3_interruptions()["n_accelerators"]
    return reference_n_accelerators


# Curated tables served lazily by the module (:func:`__getattr__`), so that
# :func:`scaling.data.reload` makes an edited ``data/reliability.csv`` take effect:
#
# LLAMA3_INTERRUPTIONS: Llama 3 405B pre-training, 54-day snapshot on 16,384 H100-SXM
#   (Grattafiori et al. 2024, "The Llama 3 Herd of Models", arXiv:2407.21783, §3.3.4, Table 5).
#   466 job interruptions: 47 planned and 419 unexpected; about 78% of the unexpected ones
#   were confirmed or suspected hardware; "higher than 90% effective training time" (the
#   ``llama3_405b`` reference row of ``data/resilience.csv``). ``by_component`` holds Table 5's
#   counts (they sum to 419; the paper prints 30.1% for "Faulty GPU", but 148/419 = 35.3%).
# LLAMA3_ACCELERATOR_HOURS: 54 d x 24 h x 16,384 accelerators [accelerator h].
# FAILURE_RATES: unexpected job interruptions per accelerator-hour from published fleets
#   [1/(accelerator h)]. Each entry: (rate, source). Llama 3's rate is its total count over
#   its accelerator-hours. Meta RSC numbers are quoted from secondary summaries of Kokolis et
#   al. (2025) (failures per 1,000 node-days with 8 A100 per node; job MTTF at 1,024 GPUs)
#   and should be checked against the paper; OPT-175B's job mean time to interruption is
#   Glenn Lockwood's compilation. The Databricks figure counts hardware replacements only, so
#   it is a lower bound on interruptions, not a comparable rate.
# DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR: ``FAILURE_RATES[DEFAULT_FAILURE_SOURCE]``'s rate,
#   Llama 3's, about 1.97e-5 [1/(accelerator h)].
_TABLES = {
    "LLAMA3_INTERRUPTIONS": _llama3_interruptions,
    "LLAMA3_ACCELERATOR_HOURS": _llama3_accelerator_hours,
    "FAILURE_RATES": _failure_rates,
    "DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR": lambda: _rate_or_default(None),
}


def __getattr__(name: str):
    """The curated tables (:data:`LLAMA3_INTERRUPTIONS`, :data:`LLAMA3_ACCELERATOR_HOURS`,
    :data:`FAILURE_RATES`, :data:`DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR`), read from
    ``data/`` on first use and after every :func:`scaling.data.reload`."""
    if name in _TABLES:
        return _TABLES[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


def _float_or(row, column, default):
    number = cell_number(row, column, table="resilience")   # text is refused, by name
    return default if math.isnan(number) else number


@cached
def _resilience_rows():
    """The cluster rows of ``data/resilience.csv`` by key, empty cells as ``""``."""
    return {row["key"]: row for row in load_rows("resilience") if row["kind"] == "cluster"}


def cluster_resilience(name: str) -> Resilience | None:
    """The :class:`Resilience` row of a named cluster, or None when ``data/resilience.csv``
    has none.

    Empty cells take the package defaults: no checkpoint overhead, no spares, and the
    default restart time and checkpoint pause of :mod:`scaling.checkpointing`.
    """
    row = _resilience_rows().get(name)
    if row is None:
        return None
    elastic = str(row.get("elastic_data_parallel", "")).strip().lower() == "true"
    return Resilience(
        name=name,
        restart_time_s=_float_or(row, "restart_time_s", checkpointing.DEFAULT_RESTART_TIME_S),
        checkpoint_time_s=_float_or(row, "checkpoint_pause_s", DEFAULT_CHECKPOINT_TIME_S),
        checkpoint_overhead_fraction=_float_or(row, "checkpoint_overhead_fraction", 0.0),
        hot_spare_fraction=_float_or(row, "hot_spare_fraction", 0.0),
        recovery="elastic" if elastic else "restart",
        goodput_reported=_float_or(row, "goodput", math.nan),
        goodput_kind=row.get("goodput_kind", ""),
        source=row["source"], notes=row.get("notes", ""),
    )


def _optional_fraction(name, value):
    return None if value is None else _fraction_below_one(name, value)


@named_fields
@dataclass(frozen=True, slots=True, kw_only=True)
class ReliabilityAssumptions:
    """Failure, checkpoint (incl. storage), restart and recovery assumptions: the goodput stage.

    Methods only forward to the module functions. Fields left at None take the named
    cluster's :class:`Resilience` row (``data/resilience.csv``) when the run is on one and
    ``cluster_resilience`` is True, else the package defaults (:meth:`resolve`).

    Parameters
    ----------
    failure_rate_per_accelerator_hour : float or None
        Unexpected interruptions per accelerator-hour. [1/(accelerator h)]
        None (default): Llama 3's, :data:`DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR` of the
        current ``data/reliability.csv``, filled in at construction.
    checkpoint_time_s : float or None
        Blocking checkpoint pause [s], >= 0. None: the cluster's; else the storage model,
        :func:`scaling.checkpointing.checkpoint_time_s` of the model size, when the size is
        known, and :data:`scaling.checkpointing.DEFAULT_CHECKPOINT_TIME_S` when it is not.
    checkpoint_write_bandwidth_byte_per_s : float
        Aggregate sustained write bandwidth of checkpoint storage [byte/s]. Default Llama 3's
        2 TB/s (:data:`scaling.checkpointing.LLAMA3_STORAGE_SUSTAINED_BYTE_PER_S`).
    checkpoint_bytes_per_param : float
        Checkpointed bytes per parameter [byte]. Default 14
        (:data:`scaling.checkpointing.CHECKPOINT_BYTES_PER_PARAM`).
    restart_time_s : float or None
        Time to resume after an interruption (a replica's rejoin when elastic) [s]. None: the
        cluster's, else :data:`scaling.checkpointing.DEFAULT_RESTART_TIME_S`.
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

    failure_rate_per_accelerator_hour: float | None = None
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
            "failure_rate_per_accelerator_hour": check_plausible(
                "failure_rate_per_accelerator_hour", scalar(
                    "failure_rate_per_accelerator_hour",
                    _rate_or_default(self.failure_rate_per_accelerator_hour)),
                "failure_rate_per_accelerator_hour"),
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
            restart_time_s=pick("restart_time_s", checkpointing.DEFAULT_RESTART_TIME_S),
            checkpoint_time_s=pick("checkpoint_time_s", None),
            recovery=pick("recovery", "restart"),
            hot_spare_fraction=pick("hot_spare_fraction", 0.0),
            checkpoint_overhead_fraction=pick("checkpoint_overhead_fraction", 0.0))

    @property
    def restart_s(self) -> float:
        """``restart_time_s``, or :data:`scaling.checkpointing.DEFAULT_RESTART_TIME_S` when
        unset [s]."""
        if self.restart_time_s is None:
            return checkpointing.DEFAULT_RESTART_TIME_S
        return self.restart_time_s

    def pause_s(self, n_params=None):
        """Blocking checkpoint pause [s]: the set ``checkpoint_time_s``, else the storage
        model for ``n_params`` (:func:`scaling.checkpointing.checkpoint_time_s`), else
        :data:`scaling.checkpointing.DEFAULT_CHECKPOINT_TIME_S`."""
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
        """Optimal checkpoint interval [s]; forwards to
        :func:`scaling.checkpointing.optimal_interval_s`."""
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
            rel.restart_time_s, recovery=rel.recovery,
            replica_size=(DEFAULT_REPLICA_SIZE if rel.replica_size is None
                          else rel.replica_size),
            checkpoint_overhead_fraction=rel.checkpoint_overhead_fraction,
            hot_spare_fraction=rel.hot_spare_fraction,
            scaling_exponent=self.scaling_exponent)[2]
        return like(good, n_accelerators)


# ---------------------------------------------------------------------------------------------
# Failure rates
# ---------------------------------------------------------------------------------------------

def failure_rate_per_accelerator_hour(source=DEFAULT_FAILURE_SOURCE):
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
    rates = _failure_rates()
    check_choice("failure-rate source", source, sorted(rates))
    return rates[source][0]


@elementwise
def interruption_rate_per_s(n_accelerators, failure_rate_per_accelerator_hour=None, *,
                            scaling_exponent=1.0, reference_n_accelerators=None):
    """Job interruption rate of a synchronous job on ``n_accelerators``.

    Parameters
    ----------
    n_accelerators : numeric
        Accelerators in the job. [count]
    failure_rate_per_accelerator_hour : numeric or None
        Interruptions per accelerator-hour [1/(accelerator h)]; None:
        :data:`DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR` (Llama 3's).
    scaling_exponent : float
        k in the power law below; 1 (default) is linear in the count (independent
        components, each failure stops the job). k > 1 models fabric-wide failure modes that
        grow faster than the count.
    reference_n_accelerators : float or None
        Count at which the per-accelerator rate was measured; irrelevant when k = 1 [count].
        None: Llama 3's 16,384 (:data:`LLAMA3_INTERRUPTIONS`).

    Returns
    -------
    rate_per_s : numeric
        Expected job interruptions per second. [1/s]

    Notes
    -----
    .. math:: \\lambda_{job} = \\frac{\\lambda_{acc}}{3600}\\,n_{ref}
              \\left(\\frac{n}{n_{ref}}\\right)^{k}
    """
    result = _interruption_rate_per_s(*_rate_inputs(
        n_accelerators, failure_rate_per_accelerator_hour, scaling_exponent,
        reference_n_accelerators))
    return like(result, n_accelerators, failure_rate_per_accelerator_hour)


def _rate_inputs(n_accelerators, failure_rate_per_accelerator_hour, scaling_exponent,
                 reference_n_accelerators):
    """Count, per-accelerator rate, exponent and reference count as checked float arrays, the
    defaults filled in (the arguments of :func:`interruption_rate_per_s`)."""
    return (as_float_array("n_accelerators", n_accelerators),
            as_float_array("failure_rate_per_accelerator_hour",
                           _rate_or_default(failure_rate_per_accelerator_hour)),
            as_float_array("scaling_exponent", scaling_exponent),
            as_float_array("reference_n_accelerators",
                           _reference_or_default(reference_n_accelerators)))


def _interruption_rate_per_s(n, rate, scaling_exponent, reference_n):
    """Unvalidated kernel of :func:`interruption_rate_per_s` (inputs checked by the caller)."""
    return rate / SECONDS_PER_HOUR * reference_n * (n / reference_n) ** scaling_exponent


@elementwise
def mtbf_s(n_accelerators, failure_rate_per_accelerator_hour=None, *, scaling_exponent=1.0,
           reference_n_accelerators=None):
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
    result = _mtbf_s(*_rate_inputs(n_accelerators, failure_rate_per_accelerator_hour,
                                   scaling_exponent, reference_n_accelerators))
    return like(result, n_accelerators, failure_rate_per_accelerator_hour)


def _mtbf_s(n, rate, scaling_exponent, reference_n):
    """Unvalidated kernel of :func:`mtbf_s` (inputs checked by the caller)."""
    return 1.0 / _interruption_rate_per_s(n, rate, scaling_exponent, reference_n)


# ---------------------------------------------------------------------------------------------
# The goodput stage
# ---------------------------------------------------------------------------------------------

@elementwise
def elastic_goodput(n_accelerators, replica_size, failure_rate_per_accelerator_hour=None,
                    rejoin_time_s=None, *, checkpoint_overhead_fraction=0.0,
                    scaling_exponent=1.0):
    """Goodput of a job whose data-parallel replicas drop out on a failure and rejoin.

    The elastic-recovery model: what the goodput stage, :func:`job_goodput`, dispatches to for
    ``recovery="elastic"`` (which then charges the hot spares).

    Parameters
    ----------
    n_accelerators : numeric
        Accelerators in the job. [count]
    replica_size : numeric
        Accelerators per data-parallel replica (tensor x pipeline x context (x expert)
        group); one failure takes out one replica. [count]
    failure_rate_per_accelerator_hour : numeric or None
        [1/(accelerator h)]; None: :data:`DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR`.
    rejoin_time_s : numeric or None
        Time from a replica's failure until it trains again (swap in a hot spare, copy the
        weights from a healthy peer), >= 0 [s]; None:
        :data:`scaling.checkpointing.DEFAULT_RESTART_TIME_S`.
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
    t = as_float_array("rejoin_time_s", checkpointing.DEFAULT_RESTART_TIME_S
                       if rejoin_time_s is None else rejoin_time_s, allow_zero=True)
    o = check_fraction("checkpoint_overhead_fraction", checkpoint_overhead_fraction,
                       include_zero=True, include_one=False)
    _, rate, k, n_ref = _rate_inputs(n, failure_rate_per_accelerator_hour, scaling_exponent,
                                     None)
    return like(_elastic_goodput(n, r, rate, t, o, k, n_ref), n_accelerators, replica_size,
                failure_rate_per_accelerator_hour, rejoin_time_s)


def _elastic_goodput(n, replica_size, rate, rejoin_time_s, overhead, scaling_exponent,
                     reference_n):
    """Unvalidated kernel of :func:`elastic_goodput` (inputs checked by the caller)."""
    per_accelerator_s = _interruption_rate_per_s(n, rate, scaling_exponent, reference_n) / n
    return (1.0 - overhead) / (1.0 + per_accelerator_s * replica_size * rejoin_time_s)


def _elastic_where(recovery):
    """Where ``recovery`` (a name of :data:`RECOVERY_MODES`, or an array of them) is
    ``"elastic"``, as a bool array; a clear ValueError for anything else."""
    if isinstance(recovery, str):
        return np.asarray(check_choice("recovery", recovery, RECOVERY_MODES) == "elastic")
    modes = np.asarray(recovery)
    elastic = modes == "elastic" if modes.dtype.kind in "UO" else None
    if elastic is None or not (elastic | (modes == "restart")).all():
        raise ValueError(f"recovery must be one of {', '.join(map(repr, RECOVERY_MODES))} (or "
                         f"an array of them, element-wise), got {recovery!r}")
    return elastic


@elementwise
def job_goodput(n_accelerators, failure_rate_per_accelerator_hour=None,
                checkpoint_time_s=DEFAULT_CHECKPOINT_TIME_S, restart_time_s=None, *,
                recovery="restart", replica_size=DEFAULT_REPLICA_SIZE,
                checkpoint_overhead_fraction=0.0, hot_spare_fraction=0.0, scaling_exponent=1.0):
    """The goodput stage of the chain: interruptions, checkpoints, restarts and spares of a job.

    The one public entry to goodput, the useful fraction of wall-clock time: the recovery
    model is chosen by name (``recovery``), and the checkpoint overhead and the hot spares are
    charged here, once. :func:`scaling.chain.run_chain` and
    :meth:`ReliabilityAssumptions.goodput` forward to it.

    Parameters
    ----------
    n_accelerators : numeric
        Accelerators in the job (real counts accepted: the chain's inverse questions ask for
        continuous requirements). [count]
    failure_rate_per_accelerator_hour : numeric or None
        [1/(accelerator h)]; None: :data:`DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR`.
    checkpoint_time_s : numeric
        Blocking checkpoint pause of a synchronous job, >= 0. [s]
    restart_time_s : numeric or None
        Restart of the whole job (synchronous) or a replica's rejoin (elastic), >= 0 [s];
        None: :data:`scaling.checkpointing.DEFAULT_RESTART_TIME_S`.
    recovery : {"restart", "elastic"} or array of them
        How the job recovers (:data:`RECOVERY_MODES`): ``"restart"``, one synchronous job at
        its optimal checkpoint interval (:func:`scaling.checkpointing.optimal_checkpointing`,
        the synchronous-restart model :func:`scaling.checkpointing.restart_goodput`);
        ``"elastic"``, replicas drop out and rejoin (:func:`elastic_goodput`). An array of
        names chooses element-wise (e.g. runs on several clusters at once).
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
        (1 - o)\\, e^{-R/M}(1 - x^*) & \\text{restart} \\\\
        (1 - o) / (1 + \\lambda\\, r\\, t_j) & \\text{elastic} \\end{cases}

    with :math:`s` the spare fraction, :math:`o` the checkpoint overhead, and the two
    goodputs of :func:`scaling.checkpointing.optimal_checkpointing` and
    :func:`elastic_goodput`.

    Examples
    --------
    Llama 3's cluster (16,384 H100, 1-minute pauses, 150 s restarts), and a million
    accelerators recovering elastically with 20 s rejoins:

    >>> round(job_goodput(16384, checkpoint_time_s=60.0, restart_time_s=150.0)[2], 3)
    0.888
    >>> round(job_goodput(1_000_000, restart_time_s=20.0, recovery="elastic",
    ...                   checkpoint_overhead_fraction=0.0071)[2], 4)
    0.9929
    """
    n = as_float_array("n_accelerators", n_accelerators)
    elastic = _elastic_where(recovery)
    overhead = check_fraction("checkpoint_overhead_fraction", checkpoint_overhead_fraction,
                              include_zero=True, include_one=False)
    spares = check_fraction("hot_spare_fraction", hot_spare_fraction, include_zero=True,
                            include_one=False)
    _, rate, k, n_ref = _rate_inputs(n, failure_rate_per_accelerator_hour, scaling_exponent,
                                     None)
    # the job's MTBF as optimal_checkpointing checks it (0 or inf at an extreme exponent)
    as_float_array("mtbf_s", np.asarray(_mtbf_s(n, rate, k, n_ref)))
    pause = as_float_array("checkpoint_time_s", checkpoint_time_s, allow_zero=True)
    restart = as_float_array("restart_time_s", checkpointing.DEFAULT_RESTART_TIME_S
                             if restart_time_s is None else restart_time_s, allow_zero=True)
    replica = as_float_array("replica_size", replica_size) if elastic.any() else math.nan
    inputs = (n_accelerators, failure_rate_per_accelerator_hour, checkpoint_time_s,
              restart_time_s)
    return tuple(like(v, *inputs) for v in _job_goodput(
        n, rate, pause, restart, elastic, replica, overhead, spares, k, n_ref))


def _job_goodput(n, rate, checkpoint_time_s, restart_time_s, elastic, replica_size, overhead,
                 spares, scaling_exponent, reference_n):
    """Unvalidated kernel of :func:`job_goodput` (inputs checked by the caller; ``elastic``
    a bool array, the defaults filled in)."""
    mtbf = _mtbf_s(n, rate, scaling_exponent, reference_n)
    interval, good = _optimal_checkpointing(mtbf, checkpoint_time_s, restart_time_s)
    if elastic.any():
        rejoin = _elastic_goodput(n, replica_size, rate, restart_time_s, overhead,
                                  scaling_exponent, reference_n)
        good = np.where(elastic, rejoin, good * (1.0 - overhead))
        interval = np.where(elastic, np.nan, interval)
    else:
        good = good * (1.0 - overhead)
    return mtbf, interval, good * (1.0 - spares)


# ---------------------------------------------------------------------------------------------
# Inverse problem and cost
# ---------------------------------------------------------------------------------------------

@elementwise
def max_accelerators(target_goodput, checkpoint_time_s=DEFAULT_CHECKPOINT_TIME_S,
                     restart_time_s=None, failure_rate_per_accelerator_hour=None, *,
                     scaling_exponent=1.0, reference_n_accelerators=None, infeasible="raise"):
    """Largest synchronous job that still reaches ``target_goodput``.

    Parameters
    ----------
    target_goodput : numeric
        In (0, 1). [fraction]
    checkpoint_time_s : numeric
        Blocking checkpoint pause. [s]
    restart_time_s : numeric or None
        Restart time [s]; None: :data:`scaling.checkpointing.DEFAULT_RESTART_TIME_S`.
    failure_rate_per_accelerator_hour : numeric or None
        [1/(accelerator h)]; None: :data:`DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR`.
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
    Inverts :func:`mtbf_s` at :func:`scaling.checkpointing.required_mtbf_s`:
    :math:`n = n_{ref}\\,(3600 / (\\lambda_{acc} n_{ref} M))^{1/k}`.
    """
    check_choice("infeasible", infeasible, ("raise", "nan"))
    restart = (checkpointing.DEFAULT_RESTART_TIME_S if restart_time_s is None
               else restart_time_s)
    m = np.asarray(required_mtbf_s(target_goodput, checkpoint_time_s, restart))
    rate = as_float_array("failure_rate_per_accelerator_hour",
                          _rate_or_default(failure_rate_per_accelerator_hour))
    k = as_float_array("scaling_exponent", scaling_exponent)
    n_ref = as_float_array("reference_n_accelerators",
                           _reference_or_default(reference_n_accelerators))
    result = n_ref * (SECONDS_PER_HOUR / (rate * n_ref * m)) ** (1.0 / k)
    below_one = result < 1.0
    if below_one.any() and infeasible == "raise":
        raise _unreachable_target(target_goodput, checkpoint_time_s, restart, rate, k, n_ref,
                                  below_one)
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
    one = float(restart_goodput(mtbf_s(1.0, first(rate), scaling_exponent=first(k),
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
