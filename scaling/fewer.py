"""The best count up to the one given: a job runs on fewer accelerators when that is faster.

A synchronous job stalls whenever one of its accelerators fails, so the job's interruption
rate grows with the accelerators it occupies while its throughput grows more slowly. Past
some count the goodput lost outweighs the throughput gained (at Llama 3's failure rate and a
150 s restart, near a million H100 with full-job restarts). Given more than that, a planner
would leave the rest idle (or keep them as spares) rather than run slower. The chain does the
same: where the goodput gained by occupying fewer accelerators is worth checking, it compares
the whole-run rate, throughput x goodput, of the layout at the count given with the layouts
at the counts of a fixed grid below it, and keeps the fastest. Accelerators left idle neither
train nor interrupt the job (:func:`scaling.chain.run_chain` counts failures on the
accelerators in use); the MFU stays measured against every accelerator given.

Two steps, one answer (:func:`best_throughput`, which the chain and ``Cluster.throughput`` call):
the plan search weighs each candidate layout by the job's goodput on the accelerators that
layout occupies (:class:`JobGoodput`), so among the layouts of the count given one that
occupies fewer wins where failures would cost more; then the counts of a grid below the one
given are compared, for layouts the search at that count does not reach.

The grid is absolute (:data:`COUNTS_PER_OCTAVE` counts per doubling, rounded to whole counts),
not relative to the count given, so that a larger count is offered every grid count a
smaller one is: the time is non-increasing in the count given, up to the plan search's
batch rounding between two neighbouring counts (``tests/test_properties.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from scaling import reliability
from scaling.throughput import Throughput

__all__ = ["COUNTS_PER_OCTAVE", "JobGoodput", "best_throughput", "job_goodput_of", "MIN_USEFUL_GOODPUT", "SCREEN_THROUGHPUT_EXPONENT", "STOP_AFTER_WORSE", "grid_counts_below", "fewer_if_faster"]

#: Counts compared per doubling below the count given (2^(k/8), rounded): neighbouring
#: counts 9% apart, so the count kept is within 9% of the best whole count and, near the
#: optimum where the time is flat in the count, its time within a fraction of a percent.
COUNTS_PER_OCTAVE = 8

#: The search runs only where one grid step down (2^(-1/8) of the accelerators in use) would
#: raise goodput by more than throughput proportional to this power of the count would fall:
#: 0.5, half the linear scaling of data parallelism (a step of fewer replicas loses its share
#: of throughput; in the batch-size wall the plan search already leaves accelerators idle).
#: Elsewhere, e.g. a thousand H100 at goodput 0.97, no smaller count is compared.
SCREEN_THROUGHPUT_EXPONENT = 0.5


#: The search stops after this many grid counts in a row, below the accelerators the best
#: layout found occupies, slower than it [count]: there the whole-run rate is unimodal in
#: the count (throughput rising, goodput falling) up to the plan search's batch rounding,
#: which two counts in a row step over. (Above it, the layouts of smaller counts given may
#: occupy more accelerators or fewer, so every grid count is compared.)
STOP_AFTER_WORSE = 2

#: Goodput below which a count is not kept [fraction]: 0.001, a job that spends 99.9% of its
#: time restarting and redoing work makes no progress anyone would plan on. Where no count
#: reaches it the chain keeps the count given (and refuses it where its goodput is 0).
MIN_USEFUL_GOODPUT = 1e-3

#: Relative difference below which two rates are the same layout's [fraction] (round-off).
_SAME = 1e-9


@dataclass(frozen=True, slots=True, kw_only=True)
class JobGoodput:
    """Goodput of one synchronous job as a function of the accelerators it occupies (frozen,
    hashable): what the plan search weighs a layout's throughput by, so that a layout that
    occupies fewer accelerators wins where failures of more would cost more than they add.

    Attributes are the inputs of :func:`scaling.reliability.job_goodput` for one run: the failure rate
    [1/(accelerator h)], checkpoint pause and restart [s], elastic recovery, the replica size
    (None: each layout's tp x pp x cp x ep), checkpoint overhead and hot-spare fractions, and the
    interruption-rate scaling exponent and its reference count.
    """

    failure_rate_per_accelerator_hour: float
    checkpoint_time_s: float
    restart_time_s: float
    elastic: bool
    replica_size: float | None
    checkpoint_overhead_fraction: float
    hot_spare_fraction: float
    scaling_exponent: float
    reference_n_accelerators: float

    def __call__(self, n_in_use, replica_size=None):
        """Goodput [fraction] of a job on ``n_in_use`` accelerators (arrays broadcast); the
        replica size of each layout for elastic recovery unless the assumptions fix one."""
        used = np.asarray(n_in_use, dtype=float)
        replica = (self.replica_size if self.replica_size is not None
                   else reliability.DEFAULT_REPLICA_SIZE if replica_size is None else replica_size)
        return reliability._job_goodput(used, self.failure_rate_per_accelerator_hour,
                            self.checkpoint_time_s, self.restart_time_s,
                            np.asarray(self.elastic), np.asarray(replica, dtype=float),
                            self.checkpoint_overhead_fraction, self.hot_spare_fraction,
                            self.scaling_exponent, self.reference_n_accelerators)[2]


def grid_counts_below(n: float) -> list[int]:
    """Whole counts of the grid below ``n``, largest first: round(2^(k/8)) < n, down to 1."""
    if n <= 1:
        return []
    top = math.floor(COUNTS_PER_OCTAVE * math.log2(n))
    counts = dict.fromkeys(int(round(2.0 ** (k / COUNTS_PER_OCTAVE)))
                           for k in range(top, -1, -1))
    return [c for c in counts if c < n]


def job_goodput_of(rel, n_params) -> JobGoodput:
    """The :class:`JobGoodput` of one run (its checkpoint pause from ``n_params``) under
    resolved reliability assumptions (``ReliabilityAssumptions.resolve``), the central values
    the chain's goodput stage uses."""
    return JobGoodput(
        failure_rate_per_accelerator_hour=float(rel.failure_rate_per_accelerator_hour),
        checkpoint_time_s=float(rel.pause_s(n_params)), restart_time_s=float(rel.restart_time_s),
        elastic=rel.recovery == "elastic",
        replica_size=None if rel.replica_size is None else float(rel.replica_size),
        checkpoint_overhead_fraction=float(rel.checkpoint_overhead_fraction),
        hot_spare_fraction=float(rel.hot_spare_fraction),
        scaling_exponent=float(rel.scaling_exponent),
        reference_n_accelerators=float(reliability._reference_or_default(None)))


def best_throughput(tm, rel, compute_flop, n_accelerators, *, n_params=None, model=None,
                    include_failures: bool = True, on_infeasible: str = "raise") -> Throughput:
    """The throughput the chain uses for runs on a machine: the plan search weighing each
    layout by the job's goodput, then the best count up to the one given.

    Parameters
    ----------
    tm : scaling.throughput.ThroughputModel
        How MFU is set on the machine.
    rel : ReliabilityAssumptions
        Resolved for the machine (``assumptions.reliability.resolve(cluster.resilience)``).
    compute_flop, n_accelerators, n_params, model, on_infeasible :
        As :meth:`scaling.throughput.ThroughputModel.evaluate`.
    include_failures : bool
        False: per-step throughput at the count given (no goodput, no smaller count).

    Returns
    -------
    Throughput
    """
    if not include_failures:
        return tm.evaluate(compute_flop, n_accelerators, n_params=n_params, model=model,
                           on_infeasible=on_infeasible)

    def weigh(size):
        return job_goodput_of(rel, size)

    given = tm.evaluate(compute_flop, n_accelerators, n_params=n_params, model=model,
                        on_infeasible=on_infeasible, goodput=weigh)
    return fewer_if_faster(_Machine(tm=tm, rel=rel, weigh=weigh), given, compute_flop,
                           n_accelerators, n_params=n_params, model=model)


class _Machine(NamedTuple):
    """What the search below the count given needs: the throughput model, the resolved
    reliability and the goodput weighing of layouts."""

    tm: object
    rel: object
    weigh: object


def _goodput(machine, used, n_params, replica):
    """Central goodput of a job occupying ``used`` accelerators (the chain's goodput stage)."""
    replica = None if replica is None or math.isnan(replica) else replica
    return float(job_goodput_of(machine.rel, n_params)(used, replica))


def _rate(setup, thr, n, n_params):
    """Whole-run rate of one element ∝ MFU x count x goodput (the peak is common)."""
    mfu, used = float(thr.mfu), float(thr.n_accelerators_used)
    if not (math.isfinite(mfu) and math.isfinite(used)) or mfu <= 0:
        return -math.inf
    good = _goodput(setup, used, n_params, float(thr.replica_size))
    return mfu * n * good if good >= MIN_USEFUL_GOODPUT else 0.0


def _best_element(setup, compute, n, n_params, model, given: Throughput):
    """(count kept, its Throughput) for one run of ``n`` accelerators given."""
    used = float(given.n_accelerators_used)
    if not math.isfinite(used) or used < 2:
        return n, given
    replica = float(given.replica_size)
    step = 2.0 ** (-1.0 / COUNTS_PER_OCTAVE)
    here = _goodput(setup, used, n_params, replica)
    if here > 0 and (_goodput(setup, used * step, n_params, replica) / here
                     <= step ** -SCREEN_THROUGHPUT_EXPONENT):
        return n, given     # (no progress at all here: always look for a count that makes it)
    best_n, best, best_rate = n, given, _rate(setup, given, n, n_params)
    worse = 0
    for m in grid_counts_below(n):
        thr = setup.tm.evaluate(compute, float(m), n_params=n_params, model=model,
                                on_infeasible="nan", goodput=setup.weigh)
        rate = _rate(setup, thr, m, n_params)
        if rate > best_rate * (1.0 + _SAME):
            best_n, best, best_rate, worse = m, thr, rate, 0
        elif rate < best_rate * (1.0 - _SAME) and m < float(best.n_accelerators_used):
            # below the accelerators the best occupies, fewer only lose throughput once
            # the goodput gained no longer pays for it
            worse += 1
            if worse >= STOP_AFTER_WORSE:
                break   # the rate falls again below the best: the optimum is passed
    return best_n, best


def fewer_if_faster(setup, given: Throughput, compute_flop, n_accelerators, *, n_params=None,
                    model=None) -> Throughput:
    """The throughput of each run at the best count up to the one given.

    Parameters
    ----------
    setup : _Machine
        The throughput model, resolved reliability and goodput weighing
        (:func:`best_throughput`).
    given : Throughput
        The throughput at the counts given.
    compute_flop, n_accelerators, n_params, model :
        As given to the evaluation (broadcast together).

    Returns
    -------
    Throughput
        ``given`` where no smaller count is faster; else, per element, the layout of the
        faster count, with its MFU measured against the count given
        (:math:`\\mathrm{MFU}_n = \\mathrm{MFU}_m\\,m/n`) and the accelerators it occupies.
    """
    shape = np.broadcast_shapes(np.shape(compute_flop), np.shape(n_accelerators),
                                np.shape(np.nan if n_params is None else n_params))
    flat = [np.broadcast_to(np.asarray(v, dtype=float), shape).ravel()
            for v in (compute_flop, n_accelerators,
                      np.nan if n_params is None else n_params)]
    held = given.held(shape)
    parts = {k: np.array(np.broadcast_to(getattr(held, k), shape), dtype=float).ravel()
             for k in ("mfu", "step_mfu", "n_accelerators_used", "replica_size")}
    index = None if held.index is None else np.array(held.index, dtype=np.int64).ravel()
    steps, changed, notes = list(given.step_times), False, []
    for i, (c, n, p) in enumerate(zip(*flat)):
        one = held.element(i, shape)
        p_i = None if math.isnan(p) else p
        m, thr = _best_element(setup, c, n, p_i, model, one)
        if m == n:
            continue
        changed = True
        scale = m / n
        parts["mfu"][i] = float(thr.mfu) * scale
        parts["step_mfu"][i] = float(thr.step_mfu) * scale
        parts["n_accelerators_used"][i] = float(thr.n_accelerators_used)
        parts["replica_size"][i] = float(thr.replica_size)
        if index is not None and thr.index is not None and int(thr.index) >= 0:
            steps.append(thr.step_times[int(thr.index)])
            index[i] = len(steps) - 1
        notes.append(f"fewer accelerators finish sooner: {float(thr.n_accelerators_used):,.0f} "
                     f"of the {n:,.0f} given are used (on more, failures cost more goodput "
                     "than the throughput they add); the rest stay idle")
    if not changed:
        return given

    def back(values):
        return float(values[0]) if shape == () else values.reshape(shape)

    return Throughput(source=given.source, mfu=back(parts["mfu"]),
                      step_mfu=back(parts["step_mfu"]),
                      n_accelerators_used=back(parts["n_accelerators_used"]),
                      replica_size=back(parts["replica_size"]), n_accelerators=back(flat[1]),
                      step_times=tuple(steps),
                      index=None if index is None else (int(index[0]) if shape == ()
                                                        else index.reshape(shape)),
                      infeasible=given.infeasible,
                      notes=tuple(dict.fromkeys(given.notes + tuple(notes))))
