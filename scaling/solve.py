"""The one inverse of the chain: the accelerators, or the compute, that meet a deadline.

Every question of the form "how many accelerators finish this compute by this time" or "how
much compute fits this time (on this many accelerators, in this power envelope, for this
budget)" is answered here, with one set of tolerances, by two methods of one engine
(as lmfit's ``minimize`` dispatches methods by name):

* :func:`accelerators_for_deadline`: the count n with :math:`t(C, n) = T`;
* :func:`compute_for_deadline`: the compute C with :math:`t(C, n) = T` for a compute-optimal
  model (or a fixed size) on n accelerators.

:math:`t` is the forward chain's wall-clock time (:func:`scaling.chain.run_chain`), failures,
checkpoints and restarts included, so feeding a forward run's time back in returns its count
or compute. The unknown is continuous (a requirement, not rounded: rounding up to whole
accelerators or servers is the caller's last step).

How it is solved
----------------
The chain's time depends on the unknown directly (:math:`t = C / (n P\\,\\mathrm{MFU}\\,G)`,
goodput G falling with n and with the checkpoint size of the model) and through the MFU of the
layout the step-time model finds for that count or compute. The engine holds the MFU of one
layout and solves for the unknown exactly (a bracketed Illinois regula falsi in the log of the
unknown, :data:`RTOL`), searches the layout again at the answer, and repeats until the layout
no longer changes, so the answer is a root of the full chain. Where the MFU jumps between two
layouts and the iteration cycles, the answer is the edge between them (bisection on the full
chain): the smallest count, or the largest compute, that meets the deadline. A constant MFU
needs one solve.

References
----------
M. Dowell and P. Jarratt, "A modified regula falsi method for computing the root of an
equation", BIT 11 (1971) 168-174 (the Illinois algorithm).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from scaling import laws
from scaling.chain import Setup, accelerators_at_mfu, run_chain
from scaling.clusters import WHOLE_COUNT_RTOL
from scaling.hardware import sustained_flop_per_s
from scaling.errors import InfeasibleRunError

__all__ = [
    "MAX_COUNT",
    "RTOL",
    "Solution",
    "accelerators_for_deadline",
    "whole_counts",
    "compute_for_deadline",
    "compute_for_budget",
    "BUDGET_RTOL",
    "BINDS",
]

#: Relative tolerance on the unknown (the count or the compute) of every inverse.
RTOL = 1e-12
#: Iterations of the bracketed solve in the log of the unknown (Illinois converges in about
#: ten; bisection, the fall-back across a jump, halves the bracket each time).
_MAX_ITERATIONS = 200
#: Searches of the layout while it still changes (a handful where the MFU moves slowly).
_MAX_LAYOUT_SEARCHES = 30
#: Relative change of the unknown below which the layout is not searched again: the edge
#: search (:func:`_edge`) then finds the exact answer among the layouts nearby.
_LAYOUT_RTOL = 1e-4
#: Largest accelerator count planned for (a numerical bound: any real cluster is far below).
MAX_COUNT = 1e12
#: Doublings (or halvings) of the unknown tried while bracketing the root.
_MAX_DOUBLINGS = 80
_LN2 = math.log(2.0)
#: First step of the compute away from an answer when looking for the edge of the computes
#: that meet a deadline (relative; doubled until the edge is passed).
_COMPUTE_STEP = 1e-9
#: Relative slack with which an answer's time counts as meeting the deadline (the chain
#: evaluated again at the answer; far above RTOL, far below any modelling error).
_MET_RTOL = 1e-6


@dataclass(frozen=True, slots=True, kw_only=True)
class Solution:
    """What an inverse found (immutable).

    Attributes
    ----------
    value : float or ndarray
        The unknown: accelerators [count, not rounded] or compute [FLOP]; NaN where no value
        meets the deadline (with ``strict=False``).
    inputs : dict
        The chain inputs at the answer (the layout searched there).
    values : dict
        :func:`scaling.chain.run_chain` at the answer: its ``time_s`` is the deadline.
    met : bool or ndarray
        Where the deadline is met.
    reasons : tuple of str
        Why not, one message per element that misses it.
    required : float or ndarray or None
        After :func:`whole_counts`: the count before rounding up (``value`` is then whole).
    """

    value: object
    inputs: dict
    values: dict
    met: object
    reasons: tuple = ()
    required: object = None


# --------------------------------------------------------------------------------------------
# the engine
# --------------------------------------------------------------------------------------------

def _chain_time(inputs, include_failures):
    return np.asarray(run_chain(inputs, include_failures=include_failures)["time_s"])


def _bracketed(gap, lo, hi):
    """Root of ``gap`` (increasing in x) in [lo, hi] per element, by Illinois regula falsi.

    ``gap(lo) <= 0 <= gap(hi)`` where a root is sought; elements with non-finite bounds stay
    NaN. Converges to :data:`RTOL` in x (the log of the unknown: a relative tolerance) and
    returns the end where ``gap <= 0`` (the deadline met).
    """
    lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
    active = np.isfinite(lo) & np.isfinite(hi)
    f_lo = np.where(active, gap(np.where(active, lo, 0.0)), np.nan)
    f_hi = np.where(active, gap(np.where(active, hi, 0.0)), np.nan)
    side = np.zeros(lo.shape)
    root_hi, root_lo = active & (np.abs(f_hi) <= RTOL), active & (np.abs(f_lo) <= RTOL)
    lo, hi = np.where(root_hi, hi, lo), np.where(root_lo & ~root_hi, lo, hi)  # an end is it
    for _ in range(_MAX_ITERATIONS):
        width = hi - lo
        if not np.any(active & (width > RTOL * np.maximum(1.0, np.abs(hi)))):
            break
        denom = f_hi - f_lo
        with np.errstate(invalid="ignore", divide="ignore"):
            x = hi - f_hi * width / denom
        tiny = 0.25 * RTOL * np.maximum(1.0, np.abs(hi))
        inside = np.isfinite(x) & (x > lo + tiny) & (x < hi - tiny)
        x = np.where(inside, x, 0.5 * (lo + hi))    # bisect where the secant step fails
        f = np.where(active, gap(np.where(active, x, 0.0)), np.nan)
        exact = np.abs(f) <= RTOL               # the time itself is within the tolerance
        lo, hi = np.where(active & exact, x, lo), np.where(active & exact, x, hi)
        up = f > 0
        hi, f_hi = np.where(active & up, x, hi), np.where(active & up, f, f_hi)
        lo, f_lo = np.where(active & ~up, x, lo), np.where(active & ~up, f, f_lo)
        # Illinois: halve the value kept twice on the same side
        f_lo = np.where(active & up & (side > 0), 0.5 * f_lo, f_lo)
        f_hi = np.where(active & ~up & (side < 0), 0.5 * f_hi, f_hi)
        side = np.where(up, 1.0, -1.0)
    return np.where(active, lo, np.nan)    # the side where the deadline is met


def _held_inputs(machine, compute, count, n_params, throughput, overrides=None):
    inputs = machine.inputs(compute, count, n_params=n_params, throughput=throughput)
    if overrides:
        inputs.update(overrides)
    return inputs


# --------------------------------------------------------------------------------------------
# accelerators for a deadline
# --------------------------------------------------------------------------------------------

def _count_at_held(machine, compute, deadline, n_params, held, overrides=None):
    """Count meeting the deadline with the MFU (and layout) of ``held`` fixed (and the inputs
    of ``overrides``, e.g. Monte Carlo draws)."""
    fail = machine.assumptions.include_failures
    probe = _held_inputs(machine, compute, 1.0, n_params, held, overrides)
    mfu = np.asarray(probe["mfu"], dtype=float)
    unknown = ~np.isfinite(mfu)        # no layout fits there: no count is found
    if unknown.any():
        mfu = np.where(unknown, 1.0, mfu)
        overrides = {**(overrides or {}), "mfu": mfu}
    peak = np.asarray(probe["peak_flop_per_s"], dtype=float)
    shape = np.broadcast_shapes(np.shape(compute), np.shape(deadline), mfu.shape, peak.shape)
    ideal = np.broadcast_to(accelerators_at_mfu(compute, deadline, peak, mfu), shape)
    log_t = np.log(np.broadcast_to(deadline, shape))

    def gap(log_n):  # decreasing time, so the gap in -log n is increasing
        n = np.exp(-log_n)
        t = _chain_time(_held_inputs(machine, compute, n, n_params, held, overrides), fail)
        return np.log(t) - log_t

    lo = -np.log(ideal)                    # G <= 1: this count is never enough
    hi = lo.copy()
    ok = np.zeros(shape, dtype=bool)
    previous = np.full(shape, np.inf)
    for _ in range(_MAX_DOUBLINGS):
        lo = np.where(ok, lo, hi)
        hi = np.where(ok, hi, hi - _LN2)
        with np.errstate(invalid="ignore"):
            g = np.where(ok, -1.0, gap(hi))
        stalled = ~ok & (g >= previous)     # more accelerators no longer help
        ok = ok | (g <= 0)
        previous = np.where(ok, previous, g)
        if np.all(ok | stalled | (np.exp(-hi) > MAX_COUNT)):
            break
    ok = ok & (np.exp(-hi) <= MAX_COUNT) & ~np.broadcast_to(unknown, shape)
    root = _bracketed(gap, np.where(ok, hi, np.nan), np.where(ok, lo, np.nan))
    return np.exp(-root)


#: Goodput from which failures are not named as what stops a run (failure-free runs have 1).
_FAILURES_BIND_BELOW = 0.99
#: Idle share of :data:`MAX_COUNT` accelerators from which their plan names the batch-size
#: wall (a layout that does not divide the count idles far fewer).
_WIDEST_IDLE_SHARE = 0.1


def _widest(machine, compute, step):
    """The per-step plan on :data:`MAX_COUNT` accelerators when it leaves
    :data:`_WIDEST_IDLE_SHARE` or more of them idle (the batch cannot be split over more: the batch-size wall, reached beyond the
    counts the solver tried), else None."""
    top = machine.throughput.evaluate(compute, MAX_COUNT, model=step.model,
                                      on_infeasible="nan").step_time
    if top is None or isinstance(top, tuple) or top.n_accelerators_used > (
            1.0 - _WIDEST_IDLE_SHARE) * MAX_COUNT:
        return None
    return top


def _batch_wall(step) -> str:
    """The batch-size wall in words, with the accelerators the plan keeps busy."""
    return (f"the global batch of this run keeps about {step.n_accelerators_used:,.0f} "
            "accelerators busy (the batch-size wall), so more do not make it faster; give a "
            "longer deadline or Assumptions(global_batch_tokens=...)")


def _why_no_count(machine, compute, deadline, n_params, throughput) -> str:
    """Why no count of the machine's accelerator meets the deadline, in words: the
    batch-size wall, no layout that fits, the plans searched (or the constant MFU) too slow
    even at :data:`MAX_COUNT`, or the fastest run found and its goodput (failures)."""
    chip = machine.accelerator.name
    start = f"deadline_s={deadline:.4g} s is too short for {compute:.3g} FLOP on {chip}: "
    step = throughput.step_time
    if step is not None and not isinstance(step, tuple):
        # the batch binds if the per-step plan alone (no goodput weighing) leaves them idle
        step = machine.throughput.evaluate(compute, float(step.n_accelerators),
                                           model=step.model).step_time
    planned = step is not None and not isinstance(step, tuple)
    if planned and step.n_accelerators_used < 0.5 * step.n_accelerators:
        return start + _batch_wall(step)
    if not np.all(np.isfinite(np.asarray(throughput.mfu, dtype=float))):
        why = throughput.infeasible[0] if throughput.infeasible else "no layout fits"
        return start + f"no layout of the model fits at the counts tried ({why})"
    counts = np.geomspace(1.0, MAX_COUNT, _DIAGNOSTIC_COUNTS)
    held = throughput.held(counts.shape) if throughput.index is not None else throughput
    values = run_chain(_placeholder_mfu(_held_inputs(machine, compute, counts, n_params,
                                                     held)),
                       include_failures=machine.assumptions.include_failures)
    best = int(np.nanargmin(values["time_s"]))
    if values["time_s"][best] <= deadline or values["goodput"][best] >= _FAILURES_BIND_BELOW:
        # not failures: the batch-size wall beyond the counts tried, or plans too slow
        widest = _widest(machine, compute, step) if planned else None
        return start + (_batch_wall(widest) if widest is not None
                        else _too_slow(machine.throughput, throughput))
    return (start + f"the fastest run found takes {values['time_s'][best]:.4g} s, on about "
            f"{counts[best]:,.0f} accelerators, where goodput is "
            f"{values['goodput'][best]:.2g}; more are interrupted so often that goodput falls "
            "faster than throughput grows. Give a longer deadline or change the reliability "
            "assumptions (e.g. recovery='elastic')")


def _too_slow(model, throughput) -> str:
    """Why no count finishes when failures do not bind: the constant MFU, or the plans
    searched (the held MFU of the diagnostic counts is only a guide), are too slow even at
    :data:`MAX_COUNT` accelerators."""
    used, mfu = (float(np.ravel(np.asarray(x, dtype=float))[0])
                 for x in (throughput.n_accelerators_used, throughput.mfu))
    if model.constant:
        return (f"at the constant MFU {mfu:.2g}, no count up to {MAX_COUNT:.0e} accelerators "
                "meets it; give a longer deadline")
    return (f"no count up to {MAX_COUNT:.0e} accelerators meets it: the plans searched stay "
            f"too slow (the last, {used:,.0f} accelerators in use at MFU {mfu:.2g}); give a "
            "longer deadline or a larger batch (Assumptions(global_batch_tokens=...))"
            + ("" if model.layout_search == "fine"
               else ", or search finer layouts (Assumptions(layout_search='fine'))"))


#: Counts tried (log-spaced from 1 to :data:`MAX_COUNT`) to say how fast the fastest run is
#: when no count meets a deadline.
_DIAGNOSTIC_COUNTS = 241


def _one_count(machine, compute, deadline, n_params, model):
    """The smallest count meeting one deadline with the step-time model: the layout searched
    again at each answer until it holds, then the edge of the counts that meet it.

    Returns ``(count, last)``: the count (NaN where none meets the deadline) and the last
    count planned (where to say why not).
    """
    def meets(n):
        return _exact_time(machine, compute, n, n_params, model) <= deadline * (1 + RTOL)

    # from below: no count under the one at MFU 1 can meet it (the smallest answer is found)
    count = float(accelerators_at_mfu(compute, deadline, machine.constants["peak_flop_per_s"],
                                      1.0))
    seen, n = set(), 1.0
    for _ in range(_MAX_LAYOUT_SEARCHES):
        n = max(1.0, min(count, MAX_COUNT))
        held = machine.evaluate_throughput(compute, round(n), n_params=n_params, model=model,
                                           on_infeasible="nan")
        if not math.isfinite(held.mfu):     # nothing fits this few: more accelerators
            if n >= MAX_COUNT:
                return math.nan, n
            count = 2.0 * n
            continue
        count = float(_count_at_held(machine, compute, deadline, n_params, held))
        if not math.isfinite(count) or count > MAX_COUNT or round(count) in seen:
            break
        seen.add(round(count))
        if round(max(count, 1.0)) == round(n) or abs(count - n) <= _LAYOUT_RTOL * count:
            break
    if not math.isfinite(count):
        return math.nan, n
    start = _farthest(meets, max(1.0, min(count, MAX_COUNT)), smallest=True, whole=True)
    return _count_edge(meets, start), n


def _exact_time(machine, compute, n, n_params, model):
    """The full chain's time at ``n`` accelerators (layout searched there); inf if none fits."""
    inputs = machine.inputs(compute, n, n_params=n_params, model=model, on_infeasible="nan")
    if not np.all(np.isfinite(np.asarray(inputs["mfu"], dtype=float))):
        return math.inf
    return float(_chain_time(inputs, machine.assumptions.include_failures))


def _farthest(meets, x, *, smallest, whole=False):
    """Of ``x`` and the values :data:`_PROBES` away towards the answer's side (fewer
    accelerators, more compute), the farthest that meets the deadline: where the MFU steps
    between layouts, the deadline can be met again beyond the first edge. ``whole`` probes
    whole counts (one layout search each)."""
    best = x
    for factor in _PROBES:
        trial = x * factor if smallest else x / factor
        trial = max(1.0, float(round(trial))) if whole else trial
        if meets(trial):
            best = trial
    return best


#: Fractions of the fixed point's count (or its inverse, for the compute) probed for a farther
#: answer before the edge is refined (:func:`_farthest`).
_PROBES = (0.99, 0.98, 0.95, 0.9, 0.8, 0.5)


def _count_edge(meets, x):
    """The smallest count that meets the deadline next to ``x`` (NaN if none up to
    :data:`MAX_COUNT`): :func:`_edge` over whole counts first (each a single layout search),
    then, between the whole count that misses and the next, which meets, the fraction of an
    accelerator (both layouts already searched; the throughput interpolates between them)."""
    whole = _edge(meets, max(1.0, float(round(x))), step=1.0, smallest=True,
                  upper=MAX_COUNT, whole=True)
    if not math.isfinite(whole) or whole <= 1.0:
        return whole
    return _edge(meets, whole, step=0.5, smallest=True, upper=whole)


def _edge(meets, x, *, step, smallest, upper=math.inf, whole=False):
    """The edge of the values that meet the deadline next to ``x``: the smallest (counts) or
    the largest (compute) value that meets it, where the time is a step function of layouts.

    From ``x`` the search moves by ``step`` (one accelerator; a relative step of the compute),
    doubling, away from ``x`` while the values still meet the deadline (towards the edge), or
    towards it while they do not; then bisects to :data:`RTOL`. NaN when nothing up to
    ``upper`` meets it. ``whole`` keeps every trial a whole number and stops the bisection at
    adjacent whole numbers.
    """
    sign = -1.0 if smallest else 1.0     # direction of the edge from a value that meets
    if not meets(x):
        sign = -sign
    inside, d = meets(x), step
    last = x
    for _ in range(_MAX_DOUBLINGS):
        trial = x + sign * d
        if trial > upper:
            return last if inside else math.nan
        if trial <= 0 or meets(trial) != inside:
            break
        last, d = trial, 2.0 * d
    else:
        return math.nan
    if trial <= 0:
        return last if inside else math.nan
    good, bad = (last, trial) if inside else (trial, last)
    for _ in range(_MAX_ITERATIONS):
        if abs(good - bad) <= (1.0 if whole else RTOL * abs(good)):
            break
        mid = math.floor(0.5 * (good + bad)) if whole else 0.5 * (good + bad)
        good, bad = (mid, bad) if meets(mid) else (good, mid)
    return good


def accelerators_for_deadline(machine: Setup, compute_flop, deadline_s, *, n_params=None,
                              model=None, held=None, overrides=None,
                              strict: bool = True) -> Solution:
    """Accelerators of one kind that train a compute within a deadline (not rounded).

    Parameters
    ----------
    machine : Setup
        The accelerator, its cluster's PUE, resilience and region, and the assumptions
        (:func:`scaling.chain.setup`); its own count is not used.
    compute_flop : float or ndarray
        Training compute C [FLOP].
    deadline_s : float or ndarray
        Wall-clock time available T [s].
    n_params : float or ndarray, optional
        Model size [parameters] (checkpoint size; the shape of the step-time model). None:
        the compute-optimal size of the compute under :data:`scaling.laws.DEFAULT_LAW`.
    model : ModelShape or str, optional
        The model of the step-time model.
    held : Throughput, optional
        Hold this throughput (its MFU per accelerator and layout) instead of searching a
        layout at each count (the Monte Carlo's scenarios around a central answer).
    overrides : Mapping, optional
        Chain inputs that replace the machine's (arrays of Monte Carlo draws, an MFU drawn
        around ``held``'s).
    strict : bool
        True raises :class:`~scaling.errors.InfeasibleRunError` where no count meets the
        deadline; False gives NaN there and says why in :attr:`Solution.reasons`.

    Returns
    -------
    Solution
        ``value`` is the count n with :math:`t(C, n) = T`, and ``values["time_s"]`` the
        deadline; at least one accelerator (a run that needs less finishes early on one).

    Notes
    -----
    .. math:: n = \\frac{C}{T\\,P_{peak}\\,\\mathrm{MFU}(n)\\,G(n)}
    """
    compute = np.asarray(compute_flop, dtype=float)
    deadline = np.asarray(deadline_s, dtype=float)
    size = None if n_params is None else np.asarray(n_params, dtype=float)
    if held is not None or machine.throughput.constant:
        if held is None:
            held = machine.evaluate_throughput(compute, 1.0)
        count = _count_at_held(machine, compute, deadline, size, held, overrides)
        count = np.where(np.isfinite(count), np.maximum(count, 1.0), count)   # one at least
        inputs = _held_inputs(machine, compute, np.where(np.isfinite(count), count, 1.0),
                              size, held, overrides)
    else:
        count, inputs = _per_element_counts(machine, compute, deadline, size, model)
    return _finish(machine, count, inputs, compute, deadline, strict)


def _per_element_counts(machine, compute, deadline, size, model):
    shape = np.broadcast_shapes(compute.shape, deadline.shape, np.shape(size))
    counts, last = np.empty(shape), np.empty(shape)
    sizes = np.broadcast_to(np.nan if size is None else size, shape)
    for idx in np.ndindex(shape):
        p = None if math.isnan(sizes[idx]) else float(sizes[idx])
        counts[idx], last[idx] = _one_count(machine, float(np.broadcast_to(compute, shape)[idx]),
                                            float(np.broadcast_to(deadline, shape)[idx]), p,
                                            model)
    found = np.where(np.isfinite(counts), counts, last)   # where none does: the last tried
    inputs = machine.inputs(compute, found if found.ndim else float(found), n_params=size,
                            model=model, on_infeasible="nan")
    return (counts if counts.ndim else float(counts)), inputs


def _placeholder_mfu(inputs):
    """Inputs where no layout fits (NaN MFU) get stand-ins (MFU 1, every accelerator in the
    job) so that the chain runs; those elements are not met (the caller checks the answer,
    which is NaN there)."""
    mfu = np.asarray(inputs["mfu"], dtype=float)
    if np.all(np.isfinite(mfu)):
        return inputs
    fits = np.isfinite(mfu)
    out = {**inputs, "mfu": np.where(fits, mfu, 1.0)}
    if "n_accelerators_used" in inputs:
        used = np.asarray(inputs["n_accelerators_used"], dtype=float)
        out["n_accelerators_used"] = np.where(fits & np.isfinite(used), used,
                                              inputs["n_accelerators"])
    return out


def _finish(machine, count, inputs, compute, deadline, strict):
    """The Solution at ``count``: the chain there, and where (and why) the deadline is missed."""
    inputs = _placeholder_mfu(inputs)
    values = run_chain(inputs, include_failures=machine.assumptions.include_failures)
    count = np.asarray(count, dtype=float)
    met = np.isfinite(count) & (np.asarray(values["time_s"]) <= deadline * (1 + _MET_RTOL))
    reasons = ()
    if not np.all(met):
        where = np.flatnonzero(np.broadcast_to(~met, met.shape))
        flat = [float(np.broadcast_to(x, met.shape).flat[where[0]]) for x in (compute, deadline)]
        sizes = inputs["n_params"]
        size = float(np.broadcast_to(np.asarray(sizes, dtype=float), met.shape).flat[where[0]])
        reason = _why_no_count(machine, *flat, None if math.isnan(size) else size,
                               inputs["throughput"].element(where[0], met.shape))
        if strict:
            raise InfeasibleRunError(reason)
        reasons = (reason,)
    value = np.where(met, count, np.nan)
    return Solution(value=float(value) if value.ndim == 0 else value, inputs=inputs,
                    values=values, met=bool(met) if met.ndim == 0 else met, reasons=reasons)


def whole_counts(machine: Setup, solution: Solution, compute_flop, *, n_params=None,
                 held=None, overrides=None) -> Solution:
    """An accelerator-count solution at whole accelerators: no fractional chip.

    Each count is rounded up (a count within :data:`~scaling.clusters.WHOLE_COUNT_RTOL`
    above a whole number is that number) and the chain is evaluated there, with the layout
    searched at that count, or with ``held`` (and ``overrides``) as in
    :func:`accelerators_for_deadline`. A run on the whole
    count is at least as fast as on the fraction it replaces, so the deadline stays met.

    Returns
    -------
    Solution
        ``value`` the whole counts (NaN where none meets the deadline), ``required`` the
        counts before rounding, ``values`` the chain at the whole counts.
    """
    required = np.asarray(solution.value, dtype=float)
    found = np.isfinite(required)
    count = np.where(found, np.ceil(np.where(found, required, 1.0) * (1.0 - WHOLE_COUNT_RTOL)), 1.0)
    if held is not None or machine.throughput.constant:
        if held is None:
            held = machine.evaluate_throughput(compute_flop, 1.0)
        inputs = _held_inputs(machine, compute_flop, count, n_params, held, overrides)
    else:
        inputs = machine.inputs(compute_flop, count if count.ndim else float(count),
                                n_params=n_params, on_infeasible="nan")
    values = run_chain(_placeholder_mfu(inputs),
                       include_failures=machine.assumptions.include_failures)
    value = np.where(found, count, np.nan)
    return replace(solution, value=float(value) if value.ndim == 0 else value, inputs=inputs,
                   values=values, required=solution.value)


# --------------------------------------------------------------------------------------------
# compute for a deadline
# --------------------------------------------------------------------------------------------

def _size_for(compute, law, n_params):
    return (np.asarray(laws.compute_optimal(compute, law).n_params, dtype=float)
            if n_params is None else n_params)


def _compute_at_held(machine, deadline, count, law, n_params, held):
    """Compute finishing in ``deadline`` on ``count`` accelerators with ``held`` fixed."""
    fail = machine.assumptions.include_failures
    peak = machine.constants["peak_flop_per_s"]
    shape = np.broadcast_shapes(np.shape(deadline), np.shape(count), np.shape(held.mfu))
    ideal = np.broadcast_to(deadline * sustained_flop_per_s(peak, count, held.mfu), shape)
    log_t = np.log(np.broadcast_to(deadline, shape))

    def gap(log_c):
        c = np.exp(log_c)
        inputs = _held_inputs(machine, c, count, _size_for(c, law, n_params), held)
        return np.log(_chain_time(inputs, fail)) - log_t

    hi = np.log(ideal)                      # G <= 1: this compute never fits
    lo = hi.copy()
    ok = np.zeros(shape, dtype=bool)
    for _ in range(_MAX_DOUBLINGS):
        hi = np.where(ok, hi, lo)
        lo = np.where(ok, lo, lo - _LN2)
        ok = ok | (gap(lo) <= 0)
        if np.all(ok):
            break
    return np.exp(_bracketed(gap, np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)))


def _one_compute(machine, deadline, count, law, n_params, model):
    """The largest compute meeting one deadline with the step-time model (see
    :func:`_one_count`)."""
    fail = machine.assumptions.include_failures

    def meets(c):
        inputs = machine.inputs(c, count, n_params=_size_for(c, law, n_params), model=model,
                                on_infeasible="nan")
        return (np.all(np.isfinite(np.asarray(inputs["mfu"], dtype=float)))
                and float(_chain_time(inputs, fail)) <= deadline * (1 + RTOL))

    # from above: no compute over the one at MFU 1 fits (the largest answer is found)
    compute = float(deadline * sustained_flop_per_s(machine.constants["peak_flop_per_s"],
                                                    count, 1.0))
    seen = []
    for _ in range(_MAX_LAYOUT_SEARCHES):
        size = float(_size_for(compute, law, n_params))
        held = machine.evaluate_throughput(compute, count, n_params=size, model=model,
                                           on_infeasible="nan")
        if not math.isfinite(held.mfu):     # the model does not fit: a smaller one
            compute *= 0.5
            continue
        new = float(_compute_at_held(machine, deadline, count, law, n_params, held))
        if not math.isfinite(new):       # no compute fits on this layout: none at all
            compute = new
            break
        again = machine.evaluate_throughput(new, count, n_params=float(_size_for(
            new, law, n_params)), model=model, on_infeasible="nan")
        done = (again.mfu == held.mfu or abs(new - compute) <= _LAYOUT_RTOL * new
                or any(abs(new - c) <= RTOL * new for c in seen))
        seen.append(new)
        compute = new
        if done or not math.isfinite(new):
            break
    if not math.isfinite(compute):
        return math.nan
    start = _farthest(meets, compute, smallest=False)
    return _edge(meets, start, step=_COMPUTE_STEP * start, smallest=False)


def compute_for_deadline(machine: Setup, deadline_s, *, n_accelerators=None,
                         law=laws.DEFAULT_LAW, n_params=None, model=None,
                         strict: bool = True) -> Solution:
    """Largest compute a machine delivers within a deadline, for a compute-optimal model.

    Parameters
    ----------
    machine : Setup
        (:func:`scaling.chain.setup`).
    deadline_s : float or ndarray
        Wall-clock time T [s].
    n_accelerators : float or ndarray, optional
        Accelerators [count] (a real-valued requirement is allowed: a power envelope's or a
        budget's count); None: the machine's.
    law : str, Mapping or FitResult
        The law whose compute-optimal size :math:`N_{opt}(C)` is trained (its checkpoint and,
        with the step-time model, its shape).
    n_params : float, optional
        A fixed model size instead [parameters].
    model : ModelShape or str, optional
        A fixed model of the step-time model.
    strict : bool
        As in :func:`accelerators_for_deadline`.

    Returns
    -------
    Solution
        ``value`` is C with :math:`t(C) = T` (the largest that meets T where the MFU jumps).

    Notes
    -----
    .. math:: C = T\\,n\\,P_{peak}\\,\\mathrm{MFU}(C)\\,G(C)
    """
    deadline = np.asarray(deadline_s, dtype=float)
    count = np.asarray(machine.cluster.n_accelerators if n_accelerators is None
                       else n_accelerators, dtype=float)
    if machine.throughput.constant:
        held = machine.evaluate_throughput(1.0, count)
        compute = _compute_at_held(machine, deadline, count, law, n_params, held)
    else:
        shape = np.broadcast_shapes(deadline.shape, count.shape)
        compute = np.empty(shape)
        for idx in np.ndindex(shape):
            compute[idx] = _one_compute(machine, float(np.broadcast_to(deadline, shape)[idx]),
                                        float(np.broadcast_to(count, shape)[idx]), law,
                                        n_params, model)
    # where none fits, a stand-in: the compute at MFU 1 (a model the step-time model can shape)
    ceiling = deadline * sustained_flop_per_s(machine.constants["peak_flop_per_s"], count, 1.0)
    found = np.where(np.isfinite(compute), compute, ceiling)
    inputs = _placeholder_mfu(machine.inputs(found, count, n_params=_size_for(found, law, n_params),
                                             model=model, on_infeasible="nan"))
    values = run_chain(inputs, include_failures=machine.assumptions.include_failures)
    met = np.isfinite(compute) & (np.asarray(values["time_s"]) <= deadline * (1 + _MET_RTOL))
    if not np.all(met):
        first = np.flatnonzero(~np.broadcast_to(met, np.shape(met)).ravel())[0]
        missed = float(np.broadcast_to(deadline, np.shape(met)).ravel()[first])
        reason = (f"no compute-optimal run on {machine.cluster.name} finishes within "
                  f"deadline_s={missed:.4g} s")
        if strict:
            raise InfeasibleRunError(reason)
        return Solution(value=np.where(met, compute, np.nan), inputs=inputs, values=values,
                        met=met, reasons=(reason,))
    return Solution(value=float(compute) if np.ndim(compute) == 0 else compute, inputs=inputs,
                    values=values, met=bool(met) if np.ndim(met) == 0 else met)


# --------------------------------------------------------------------------------------------
# compute for a budget
# --------------------------------------------------------------------------------------------

#: Relative tolerance on the compute a budget buys (each trial solves the count for the
#: deadline with a layout search, so the budget's answer is resolved to 0.1%, not RTOL).
BUDGET_RTOL = 1e-3
#: Trials of the budget search (proposals scaled by the budget, then bisection).
_BUDGET_TRIALS = 60
#: What binds a budget's answer, in the order it is checked at a trial compute: the smallest
#: model the step-time model shapes (a trial below it is too small, never an answer), the
#: tokens available, the batch-size wall (no count finishes by the deadline because the batch
#: keeps only so many busy), the deadline on the machine (its size, or failures), the dollars.
BINDS = ("size", "data", "batch", "deadline", "dollars")
#: Factor by which a trial that fails for a reason other than the dollars moves the compute
#: while no trial has fitted (down) or failed (up): a quarter of the previous compute, or four
#: times it (a too-small model moves up).
_BUDGET_STEP = 4.0
#: Bounds of the budget-proportional step of one trial (the spend is nearly proportional to
#: the compute, so one step lands near the edge; the bounds keep a wild first guess finite).
_BUDGET_RATIO_BOUNDS = (1e-3, 1e3)


def _budget_trial(machine, compute, deadline, split, cost, budget, limits):
    """One trial compute of :func:`compute_for_budget`: (what fails or None, the Solution at
    whole accelerators or None, why in words). ``limits``: (max_count, max_tokens,
    min_params)."""
    max_count, max_tokens, min_params = limits
    n_params, n_tokens = split(compute)
    if n_params < min_params:
        return "size", None, (f"{compute:.4g} FLOP trains a {n_params:.3g}-parameter model, "
                              f"below the {min_params:.3g} the step-time model can shape")
    if n_tokens > max_tokens:
        return "data", None, (f"{compute:.4g} FLOP trains on {n_tokens:.3g} tokens, more than "
                              f"the {max_tokens:.3g} available")
    needed = accelerators_for_deadline(machine, compute, deadline, n_params=n_params,
                                       strict=False)
    if not needed.met:
        reason = needed.reasons[0]
        return ("batch" if "batch-size wall" in reason else "deadline"), None, reason
    whole = whole_counts(machine, needed, compute, n_params=n_params)
    if whole.value > max_count:
        return "deadline", whole, (f"{compute:.4g} FLOP needs {whole.value:,.0f} accelerators to "
                                   f"finish in time, more than the {max_count:,.0f} available")
    spend = float(whole.values[cost])
    if not math.isfinite(spend):
        raise InfeasibleRunError(f"{machine.accelerator.name} has no price for {cost}: "
                                 "give one in the assumptions")
    if spend > budget:
        return "dollars", whole, (f"{compute:.4g} FLOP costs {spend:,.4g} USD, over the "
                                  f"{budget:,.4g} USD budget")
    return None, whole, ""


def compute_for_budget(machine: Setup, budget_usd: float, deadline_s: float, *, split,
                       cost: str = "rental_cost_usd", max_count: float = MAX_COUNT,
                       max_tokens: float = math.inf, min_params: float = 0.0,
                       start_flop: float) -> dict:
    """Largest compute a budget buys within a deadline, each run on the fewest accelerators
    that meet the deadline (the cheapest way to finish by it).

    Parameters
    ----------
    machine : Setup
        The accelerator, its cluster's PUE, resilience and prices (:func:`scaling.chain.setup`).
    budget_usd : float
        Dollars available [USD], compared with the chain's ``cost`` column.
    deadline_s : float
        Wall-clock time available [s].
    split : callable
        Compute [FLOP] -> (parameters, tokens) of the model trained (compute-optimal, or
        inference-aware); both non-decreasing in the compute.
    cost : {"rental_cost_usd", "amortized_cost_usd"}
        What the budget pays: rent, or the owner's amortised hardware and energy.
    max_count : float
        Accelerators available [count] (a cluster's size).
    max_tokens : float
        Training tokens available (the data wall) [tokens].
    min_params : float
        Smallest model a trial may train [parameters] (the step-time model's
        :data:`scaling.model_shape.MIN_DERIVED_PARAMS`; 0 for a constant MFU).
    start_flop : float
        A first guess of the answer [FLOP] (the search scales it by the budget).

    Returns
    -------
    dict
        ``compute_flop`` (NaN if nothing fits), ``solution`` (the :class:`Solution` at whole
        accelerators there), ``binds`` (one of :data:`BINDS`: what stops a larger compute)
        and ``reason`` (in words).

    Notes
    -----
    At each trial compute C the count is :func:`accelerators_for_deadline` rounded up by
    :func:`whole_counts` (one inverse), and C is kept when its tokens, that count and the
    cost fit. The spend is nearly proportional to C, so a trial that only misses on dollars
    proposes :math:`C\\,B/\\text{spend}`; otherwise the bracket is bisected in :math:`\\ln C`
    to :data:`BUDGET_RTOL`. The spend is a step function of whole accelerators and layouts
    (one more server, a new layout), so the answer is the largest compute below the first
    step that crosses the budget, and may leave part of the budget unspent.
    """
    # (compute, solution) that fits; (compute, binds, reason) too large; the same too small
    good, bad, small = None, None, None
    compute = float(start_flop)
    for _ in range(_BUDGET_TRIALS):
        binds, whole, reason = _budget_trial(machine, compute, deadline_s, split, cost,
                                             budget_usd, (max_count, max_tokens, min_params))
        if binds is None:
            good = (compute, whole)
        elif binds == "size":       # too small a model: the answer lies above, if anywhere
            small = (compute, binds, reason)
        else:
            bad = (compute, binds, reason)
        if good is not None and bad is not None and bad[0] <= good[0] * (1 + BUDGET_RTOL):
            break
        if small is not None and bad is not None and bad[0] <= small[0] * (1 + BUDGET_RTOL):
            break                   # nothing between too small and too large
        compute = _next_compute(good, bad, small, (whole, binds), budget_usd, cost)
    if good is None:
        failed = bad or small
        return {"compute_flop": math.nan, "solution": None, "binds": failed[1],
                "reason": failed[2]}
    return {"compute_flop": good[0], "solution": good[1],
            "binds": "dollars" if bad is None else bad[1],
            "reason": "" if bad is None else bad[2]}


def _next_compute(good, bad, small, last_trial, budget, cost):
    """The next trial of :func:`compute_for_budget` (``last_trial``: the last trial's whole
    solution and what failed)."""
    whole, binds = last_trial
    if good is None and bad is not None and small is not None:
        return math.sqrt(small[0] * bad[0])                 # between too small and too large
    if good is not None and bad is not None:
        if bad[1] == "dollars":     # the edge where the spend, ~ proportional to C, is B
            guess = max(good[0] * budget / float(good[1].values[cost]),
                        good[0] * (1 + BUDGET_RTOL))
            if guess < bad[0]:
                return guess
        return math.sqrt(good[0] * bad[0])                  # bisect in ln C
    last = (good or bad or small)[0] if binds != "size" else small[0]
    if binds in (None, "dollars") and whole is not None:
        ratio = budget / float(whole.values[cost])          # spend ~ proportional to C
        step = ratio * (1 - 0.5 * BUDGET_RTOL) if binds else ratio * (1 + 0.5 * BUDGET_RTOL)
        return last * min(max(step, _BUDGET_RATIO_BOUNDS[0]), _BUDGET_RATIO_BOUNDS[1])
    up = bad is None or binds == "size"
    return last * (_BUDGET_STEP if up else 1.0 / _BUDGET_STEP)
