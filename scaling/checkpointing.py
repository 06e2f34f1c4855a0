"""Checkpoint-restart of a synchronous training job, given how often it is interrupted.

A synchronous data/tensor/pipeline-parallel job stops whenever any part of it fails, resumes
from its last checkpoint and repeats the work since. This module holds everything about that
cycle that depends only on the job's mean time between interruptions (MTBF) ``M``: the
checkpoint's size and write time (the storage model), the published restart times, the
checkpoint interval (Young 1974; Daly 2006), the goodput of the synchronous-restart model and
its inverses (the longest pause, restart or shortest MTBF that reach a goodput). How often a
job is interrupted, elastic recovery and the chain's goodput stage are in
:mod:`scaling.reliability`, which imports this module (never the other way).

Model (documented once, used everywhere)
-----------------------------------------
* The job computes for an interval ``tau`` [s], then pauses ``delta`` [s] to write a
  checkpoint (a blocking write; with asynchronous checkpointing ``delta`` is only the pause).
* After an interruption it spends ``R`` [s] restarting (rescheduling, re-initialising
  communicators, loading the checkpoint) and resumes from the last checkpoint, so it repeats,
  on average, half a segment of work.
* Interruptions arrive as a Poisson process of mean interval ``M``. The expected wall-clock
  time per unit of useful work is Daly's (2006) exponential model, exact for Poisson failures
  that may also strike during checkpoints and restarts:

  .. math:: \\frac{T_w}{T_s} = \\frac{M e^{R/M}\\,(e^{(\\tau+\\delta)/M} - 1)}{\\tau},
            \\qquad G = T_s / T_w \\in (0, 1].

  ``G``, the *goodput*, is the fraction of wall-clock time that advances training. It is
  always positive: at very large scale it tends to zero smoothly instead of going negative.
  (The familiar first-order form
  :math:`G_1 = \\frac{\\tau}{\\tau+\\delta}\\,(1 - \\frac{R + (\\tau+\\delta)/2}{M})` is its
  expansion for small :math:`(\\tau+\\delta)/M` and :math:`R/M`; notebook 06 compares the two
  in :func:`scaling.studies.reliability.reliability_table`.)
* The storage model: a checkpoint holds :data:`CHECKPOINT_BYTES_PER_PARAM` bytes per
  parameter and is written at an aggregate bandwidth (default Llama 3's storage), a lower
  bound on the pause.

Published restart times are the reference rows of ``data/resilience.csv`` that give one
(:data:`RESTART_TIMES_S`, read on first use and again after :func:`scaling.data.reload`);
:data:`DEFAULT_RESTART_TIME_S` is FlashRecovery's.

References
----------
.. [1] J. W. Young, "A first order approximation to the optimum checkpoint interval",
   Commun. ACM 17(9), 530-531, 1974. https://doi.org/10.1145/361147.361115
.. [2] J. T. Daly, "A higher order estimate of the optimum checkpoint interval for restart
   dumps", Future Gener. Comput. Syst. 22(3), 303-312, 2006.
   https://doi.org/10.1016/j.future.2004.11.016
.. [3] H. Zhang et al., "FlashRecovery: Fast and Low-Cost Recovery from Failures for
   Large-Scale Training of LLMs", arXiv:2509.03047, 2025. https://arxiv.org/abs/2509.03047
.. [4] S. Rajbhandari et al., "ZeRO: Memory Optimizations Toward Training Trillion Parameter
   Models", arXiv:1910.02054, 2020, Sec. 3.1. https://arxiv.org/abs/1910.02054
.. [5] A. Grattafiori et al. (Llama Team, Meta), "The Llama 3 Herd of Models",
   arXiv:2407.21783, 2024, §3.3.1. https://arxiv.org/abs/2407.21783
"""

from __future__ import annotations

import math
from types import MappingProxyType

import numpy as np

from scaling._validation import as_float_array, check_fraction, elementwise, like
from scaling.data import NA_TEXTS, cached_until_reload, cell_number, load_rows

__all__ = [
    "DEFAULT_CHECKPOINT_TIME_S",
    "CHECKPOINT_BYTES_PER_PARAM",
    "LLAMA3_STORAGE_SUSTAINED_BYTE_PER_S",
    "LLAMA3_STORAGE_PEAK_BYTE_PER_S",
    "RESTART_TIMES_S",
    "DEFAULT_RESTART_SOURCE",
    "DEFAULT_RESTART_TIME_S",
    "checkpoint_bytes",
    "checkpoint_write_time_s",
    "checkpoint_time_s",
    "required_write_bandwidth_byte_per_s",
    "young_interval_s",
    "daly_interval_s",
    "optimal_interval_s",
    "optimal_checkpointing",
    "restart_goodput",
    "required_checkpoint_time_s",
    "required_restart_time_s",
    "required_mtbf_s",
]

# ---------------------------------------------------------------------------------------------
# Sourced constants
# ---------------------------------------------------------------------------------------------

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

#: Key of the default restart time in :data:`RESTART_TIMES_S`: FlashRecovery's measured 150 s
#: on 4,800 devices (arXiv:2509.03047). A recent, fast automated restart; conventional
#: checkpoint-restart (rescheduling, communicator setup, checkpoint load) can take many
#: minutes, so notebook 06 varies it from 20 s to 30 min.
DEFAULT_RESTART_SOURCE = "flashrecovery2025"

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


@cached_until_reload
def _restart_times():
    """:data:`RESTART_TIMES_S`: the reference rows of ``data/resilience.csv`` with a restart
    time, ``{key: (restart_time_s, source)}`` in table order."""
    return MappingProxyType({row["key"]: (cell_number(row, "restart_time_s", table="resilience"),
                                          row["source"])
                             for row in load_rows("resilience")
                             if row["kind"] == "reference"
                             and row["restart_time_s"].strip() not in NA_TEXTS})


def _restart_or_default(restart_time_s):
    """``restart_time_s``, or :data:`DEFAULT_RESTART_TIME_S` where it is None [s]."""
    if restart_time_s is None:
        return _restart_times()[DEFAULT_RESTART_SOURCE][0]
    return restart_time_s


# Curated values served lazily by the module (:func:`__getattr__`), so that
# :func:`scaling.data.reload` makes an edited ``data/resilience.csv`` take effect:
#
# RESTART_TIMES_S: published restart (recovery) times [s] after an interruption,
#   ``{key: (restart_time_s, source)}``: the reference rows of ``data/resilience.csv`` that
#   give one (FlashRecovery's 150 s, TrainMover's 20 s).
# DEFAULT_RESTART_TIME_S: the default restart time [s], ``RESTART_TIMES_S[DEFAULT_RESTART_SOURCE]``
#   (FlashRecovery's 150 s).
_TABLES = {"RESTART_TIMES_S": _restart_times,
           "DEFAULT_RESTART_TIME_S": lambda: _restart_or_default(None)}


def __getattr__(name: str):
    """The curated values (:data:`RESTART_TIMES_S`, :data:`DEFAULT_RESTART_TIME_S`), read from
    ``data/resilience.csv`` on first use and after every :func:`scaling.data.reload`."""
    if name in _TABLES:
        return _TABLES[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------------------------
# The storage model
# ---------------------------------------------------------------------------------------------

@elementwise
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
    Llama 3 scale (M ~ 3.1 h, :func:`scaling.reliability.mtbf_s`) with a 1-minute save: about
    19 minutes.

    >>> from scaling.reliability import mtbf_s
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
def optimal_checkpointing(mtbf_s, checkpoint_time_s, restart_time_s=None):
    """Optimal checkpoint interval and the goodput it gives (Daly's exponential model).

    The one home of the optimum: :func:`optimal_interval_s` and :func:`restart_goodput` (with
    ``interval_s=None``) return its two halves. It is what the goodput stage,
    :func:`scaling.reliability.job_goodput`, dispatches to for ``recovery="restart"`` (which
    asks for both at once, then charges checkpoint overhead and spares).

    Parameters
    ----------
    mtbf_s : numeric
        Job mean time between interruptions M. [s]
    checkpoint_time_s : numeric
        Blocking checkpoint pause delta. [s]
    restart_time_s : numeric or None
        Time from an interruption until training resumes R (>= 0) [s]; None:
        :data:`DEFAULT_RESTART_TIME_S`.

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
    restart = as_float_array("restart_time_s", _restart_or_default(restart_time_s),
                             allow_zero=True)
    interval, good = _optimal_checkpointing(m, delta, restart)
    inputs = (mtbf_s, checkpoint_time_s)
    return like(interval, *inputs), like(good, *inputs, restart_time_s)


def _optimal_checkpointing(mtbf, pause, restart):
    """Unvalidated kernel of :func:`optimal_checkpointing` (inputs checked by the caller)."""
    x, y = _optimal_fraction(pause / mtbf)
    return mtbf * x, np.exp(-restart / mtbf) * y


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
        Compute time between checkpoints that maximises :func:`restart_goodput`. [s]

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
# Goodput of the synchronous-restart model
# ---------------------------------------------------------------------------------------------

@elementwise
def restart_goodput(mtbf_s, checkpoint_time_s, restart_time_s=None, interval_s=None):
    """Goodput of a synchronous job that stops, restarts and resumes from its last checkpoint.

    The synchronous-restart model (Daly's exponential model): the fraction of wall-clock time
    that advances training. At the optimal interval it is the ``recovery="restart"`` branch of
    the goodput stage, :func:`scaling.reliability.job_goodput` (through
    :func:`optimal_checkpointing`; the stage then charges checkpoint overhead and spares); a
    given ``interval_s`` evaluates a schedule that is not the optimum.

    Parameters
    ----------
    mtbf_s : numeric
        Job mean time between interruptions M. [s]
    checkpoint_time_s : numeric
        Blocking checkpoint pause delta. [s]
    restart_time_s : numeric or None
        Time from an interruption until training resumes R (>= 0) [s]; None:
        :data:`DEFAULT_RESTART_TIME_S`.
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
    checkpoint and restart times; it is never clipped (its first-order expansion, which is,
    is tabulated by :func:`scaling.studies.reliability.reliability_table`).

    Examples
    --------
    Llama 3 scale (:func:`scaling.reliability.mtbf_s` of 16,384 accelerators, ~3.1 h), a
    1-minute pause and a 150 s restart:

    >>> from scaling.reliability import mtbf_s
    >>> round(restart_goodput(mtbf_s(16384), 60.0, 150.0), 3)
    0.888
    """
    if interval_s is None:
        return optimal_checkpointing(mtbf_s, checkpoint_time_s, restart_time_s)[1]
    m = as_float_array("mtbf_s", mtbf_s)
    delta = as_float_array("checkpoint_time_s", checkpoint_time_s)
    restart = as_float_array("restart_time_s", _restart_or_default(restart_time_s),
                             allow_zero=True)
    tau = as_float_array("interval_s", interval_s)
    result = np.exp(np.log(tau / m) - restart / m - _log_expm1((tau + delta) / m))
    return like(result, mtbf_s, checkpoint_time_s, restart_time_s, interval_s)


# ---------------------------------------------------------------------------------------------
# Inverse problems
# ---------------------------------------------------------------------------------------------

@elementwise
def required_checkpoint_time_s(target_goodput, mtbf_s, restart_time_s=None):
    """Longest checkpoint pause that still reaches ``target_goodput`` at the optimal interval.

    Parameters
    ----------
    target_goodput : numeric
        Goodput to reach, in (0, 1). [fraction]
    mtbf_s : numeric
        Job mean time between interruptions M. [s]
    restart_time_s : numeric or None
        Restart time R (>= 0) [s]; None: :data:`DEFAULT_RESTART_TIME_S`.

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
    restart = as_float_array("restart_time_s", _restart_or_default(restart_time_s),
                             allow_zero=True)
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
                    restart_time_s=None):
    """Shortest job MTBF that reaches ``target_goodput`` at the optimal interval.

    Parameters
    ----------
    target_goodput : numeric
        Goodput to reach, in (0, 1). [fraction]
    checkpoint_time_s : numeric
        Blocking checkpoint pause. [s]
    restart_time_s : numeric or None
        Restart time (>= 0) [s]; None: :data:`DEFAULT_RESTART_TIME_S`.

    Returns
    -------
    mtbf_s : numeric
        [s] Found by vectorised bisection in log M (goodput increases monotonically with M).
    """
    target = check_fraction("target_goodput", target_goodput, include_one=False)
    delta = as_float_array("checkpoint_time_s", checkpoint_time_s)
    restart = as_float_array("restart_time_s", _restart_or_default(restart_time_s),
                             allow_zero=True)
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
