"""How far one run can scale: utilisation against training compute for a fixed-length run,
beside Erdil & Schneider-Joseph's (2024) data-movement walls (issue 18).

For each training compute on a grid, :func:`utilisation_curve` asks the one inverse
(:func:`scaling.solve.accelerators_for_deadline`) how many accelerators finish a
compute-optimal run in the deadline (three months by default), and reports the utilisation
(MFU over the accelerators given) and what binds; where no count finishes, the row says why
(the batch-size wall, memory, or the plans searched too slow even on 1e12 accelerators).
:func:`walls` reads the two thresholds off the curve:

* where utilisation begins to fall significantly: the first compute at which the MFU falls
  below :data:`FALL_FRACTION` of its value at the grid's smallest compute (our reading of
  "significantly"; the full text of the paper was not reachable here, see below);
* the largest run trainable in the deadline at any utilisation: the largest compute of the
  grid below which every compute finishes.

The paper's figures (:data:`ERDIL2024_UTILISATION_FALL_FLOP`,
:data:`ERDIL2024_LARGEST_RUN_FLOP`) are from its abstract and Epoch AI's summary; the
paper's own text (hardware, batch scaling, shapes, latency, overlap) could not be read here.
:func:`paper_assumptions` is therefore a stated reconstruction, each item of which is an
assumption of this module, not a quotation:

* hardware: H100 SXM (the paper's baseline accelerator generation, per Epoch's summary);
* duration: three months (:data:`THREE_MONTHS_S`, 90 days), failure-free (the paper models
  data movement, not failures), per-step utilisation (``run_efficiency=1``);
* batch: the critical batch of McCandlish et al. (2018) / Kaplan et al. (2020)
  (``batch_size_law="kaplan2020_critical"``, :mod:`scaling.batch_size`);
* how finely a run splits: the plan search's ``"fine"`` layouts
  (``layout_search="fine"``, :mod:`scaling.layout_grid`): each sequence split over
  context-parallel ranks down to 128-token chunks and tensor parallelism across nodes up to
  one attention head per accelerator, every split costed by the same step-time model. The
  paper's walls lie where a run needs billions of accelerators, far finer than the layouts
  frameworks run today (``"practical"``: whole sequences per replica, tensor parallelism
  inside a node), under which the walls sit at 1e26 and 1e27 FLOP;
* shapes, latency, overlap: the package's own (the depth rule of
  :func:`scaling.model_shape.shape_from_params`, :data:`scaling.parallelism.SCALE_UP_LATENCY_S`
  and ``SCALE_OUT_LATENCY_S``, the plan search's overlap), for want of the paper's.

How each moves the thresholds (measured with the tests' grid of half-decades, issue 18; the
practical case is pinned by ``tests/test_erdil2024_walls.py``, the other two were measured once
and are not): the practical layouts put the fall at 1e26 and the largest run at 1e27; tensor
parallelism capped at 64 (not one head per accelerator) keeps the fall and the largest run is 1e30;
DeepSeek LLM's larger batch instead of the critical batch moves the fall to 3e28 and the
largest run past 3e31 (MFU 0.07 there), the direction the paper gives for more aggressive
batch scaling. The fall is read as a fall by a fifth (:data:`FALL_FRACTION`,
fixed before the fine search existed): 3e27, where the MFU sits within 1% of the threshold; read
as a fall by a third (``walls(curve, fall_fraction=2/3)``) it is 3e28 on the grid, the MFU
crossing that level near 1.6e28 in log compute.

References
----------
Erdil & Schneider-Joseph (2024), "Data movement limits to frontier model training",
arXiv:2411.01137 (abstract: utilisation falls beyond ~1e28 FLOP for a three-month run; a run
beyond ~1e31 FLOP is infeasible even at low utilisation). Epoch AI, "Data movement
bottlenecks to large-scale model training: Scaling past 1e28 FLOP" (2024),
https://epoch.ai/blog/data-movement-bottlenecks-scaling-past-1e28-flop (2e28 FLOP; the
"latency wall" at 2e31 FLOP).
"""

from __future__ import annotations

import math

import numpy as np

from scaling import laws
from scaling._validation import check_fraction, scalar
from scaling.assumptions import Assumptions
from scaling.chain import setup
from scaling.clusters import as_machine
from scaling.solve import accelerators_for_deadline
from scaling.units import SECONDS_PER_DAY

__all__ = [
    "ERDIL2024_LARGEST_RUN_FLOP",
    "ERDIL2024_UTILISATION_FALL_FLOP",
    "FALL_FRACTION",
    "THREE_MONTHS_S",
    "paper_assumptions",
    "utilisation_curve",
    "walls",
]

#: Erdil & Schneider-Joseph (2024), arXiv:2411.01137, abstract: "data movement bottlenecks
#: begin to significantly lower hardware utilization for training runs exceeding about 1e28
#: FLOP" (three-month run); Epoch AI's summary of the paper gives 2e28. [FLOP]
ERDIL2024_UTILISATION_FALL_FLOP = 1e28
#: The same abstract: "a training run exceeding about 1e31 FLOP is infeasible even at low
#: utilization"; Epoch AI's summary puts the "latency wall" at 2e31. [FLOP]
ERDIL2024_LARGEST_RUN_FLOP = 1e31

#: Three months, the paper's training duration (arXiv:2411.01137, abstract), as 90 days [s].
THREE_MONTHS_S = 90 * SECONDS_PER_DAY

#: Utilisation "begins to fall significantly" where it drops below this fraction of its value
#: at the smallest compute of the grid. Assumption (our reading; the paper's own definition
#: could not be read here): a fall of a fifth.
FALL_FRACTION = 0.8


def paper_assumptions() -> Assumptions:
    """The reconstruction of the paper's assumptions the package's chain can express.

    Returns
    -------
    Assumptions
        Failure-free, per-step utilisation of the fastest plan (no layout gap), Kaplan et
        al.'s critical batch, the ``"fine"`` layout search (module notes).
    """
    return Assumptions(include_failures=False, run_efficiency=1.0, layout_gap=1.0,
                       batch_size_law="kaplan2020_critical", layout_search="fine")


def utilisation_curve(computes, *, accelerator="H100-SXM", deadline_s=THREE_MONTHS_S,
                      assumptions=None, law=laws.DEFAULT_LAW):
    """Utilisation of a compute-optimal run that finishes in the deadline, by compute.

    Parameters
    ----------
    computes : sequence of float
        Training compute [FLOP].
    accelerator : str or Accelerator
    deadline_s : float
        Wall-clock time of the run [s] (default three months).
    assumptions : Assumptions, optional
        Default :func:`paper_assumptions`.
    law : str
        The scaling law whose compute-optimal model is trained.

    Returns
    -------
    pandas.DataFrame
        One row per compute: ``compute_flop``, ``n_params``, ``global_batch_tokens``,
        ``n_accelerators`` (the count that finishes in the deadline, NaN where none does),
        ``n_accelerators_used``, ``mfu`` (over the count given), ``step_time_s``,
        ``latency_step_s`` (the fixed latencies of the layout's collectives and pipeline sends
        in one step, serial whatever the count) and ``latency_floor_days`` (the latency wall:
        the training time if everything else were free, steps :math:`D/B` times
        ``latency_step_s``; the run is impossible in the deadline once it exceeds it),
        ``limit`` (what limits the step, or why no count finishes).
    """
    import pandas as pd

    a = paper_assumptions() if assumptions is None else assumptions
    machine = setup(as_machine(None, accelerator, 1), a)
    rows = []
    for c in computes:
        c = float(c)
        n_params = float(laws.compute_optimal(c, law).n_params)
        sol = accelerators_for_deadline(machine, c, deadline_s, n_params=n_params,
                                        strict=False)
        count = float(np.asarray(sol.value))
        rows.append(_curve_row(machine, c, n_params, count, sol))
    return pd.DataFrame(rows)


def _curve_row(machine, compute, n_params, count, sol) -> dict:
    """One row of :func:`utilisation_curve` from the solver's answer."""
    row = {"compute_flop": compute, "n_params": n_params, "n_accelerators": count}
    if not math.isfinite(count):
        return {**row, "global_batch_tokens": math.nan, "n_accelerators_used": math.nan,
                "mfu": math.nan, "step_time_s": math.nan, "latency_step_s": math.nan,
                "latency_floor_days": math.nan,
                "limit": sol.reasons[0] if sol.reasons else "no count finishes"}
    through = machine.evaluate_throughput(compute, count, n_params=n_params)
    step = through.step_times[int(np.ravel(through.index)[0])]
    steps = compute / (laws.FLOP_PER_PARAM_PER_TOKEN * n_params) / step.global_batch_tokens
    latency = float(step.breakdown_s["latency_s"])
    return {**row, "global_batch_tokens": float(step.global_batch_tokens),
            "n_accelerators_used": float(np.asarray(through.n_accelerators_used)),
            "mfu": float(np.asarray(through.mfu)), "step_time_s": float(step.step_time_s),
            "latency_step_s": latency, "latency_floor_days": steps * latency / SECONDS_PER_DAY,
            "limit": through.limit}


def walls(curve, *, fall_fraction=FALL_FRACTION) -> dict:
    """The two thresholds of a :func:`utilisation_curve`, beside the paper's.

    Parameters
    ----------
    curve : pandas.DataFrame
        A :func:`utilisation_curve` over an increasing grid of compute.
    fall_fraction : float
        The fall is read where the MFU drops below this fraction of the first row's
        (default :data:`FALL_FRACTION`), in (0, 1).

    Returns
    -------
    dict
        ``utilisation_fall_flop`` (first compute with MFU below ``fall_fraction`` of the
        first row's, or the first infeasible one; NaN if neither), ``largest_run_flop`` (the
        last compute before the first that no count finishes; NaN if all finish),
        ``first_mfu``, and the paper's figures with the ratios ours / theirs.
    """
    mfu = curve["mfu"].to_numpy(dtype=float)
    flop = curve["compute_flop"].to_numpy(dtype=float)
    feasible = np.isfinite(mfu)
    fraction = scalar("fall_fraction", fall_fraction, check_fraction, include_one=False)
    fallen = ~feasible | (mfu < fraction * mfu[0])
    fall = float(flop[np.argmax(fallen)]) if fallen.any() else math.nan
    first_bad = int(np.argmax(~feasible)) if (~feasible).any() else None
    largest = (math.nan if first_bad is None or first_bad == 0
               else float(flop[first_bad - 1]))
    return {"utilisation_fall_flop": fall, "largest_run_flop": largest,
            "first_mfu": float(mfu[0]),
            "paper_utilisation_fall_flop": ERDIL2024_UTILISATION_FALL_FLOP,
            "paper_largest_run_flop": ERDIL2024_LARGEST_RUN_FLOP,
            "utilisation_fall_ratio": fall / ERDIL2024_UTILISATION_FALL_FLOP,
            "largest_run_ratio": largest / ERDIL2024_LARGEST_RUN_FLOP}
