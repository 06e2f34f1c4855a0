"""Reliability at scale for notebook 06: Llama 3's interruptions by component, goodput over
a sweep of job sizes, and which assumption moves goodput most.

Built on :mod:`scaling.reliability` (rates, the goodput stage :func:`~scaling.reliability.job_goodput`),
:mod:`scaling.checkpointing` (intervals, the synchronous-restart model) and the one
sensitivity function, :func:`scaling.uncertainty.sensitivity`. The first-order goodput
(checkpoint overhead, half a segment of rework and a restart per failure) lives here only: it
is the textbook approximation the notebook compares the exact model with, not a model the
package forecasts with.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from scaling import checkpointing, reliability
from scaling._validation import as_count_array, as_float_array
from scaling.checkpointing import (
    DEFAULT_CHECKPOINT_TIME_S, daly_interval_s, optimal_interval_s, restart_goodput,
    young_interval_s,
)
from scaling.data import cached_until_reload
from scaling.reliability import job_goodput, mtbf_s
from scaling.uncertainty import sensitivity
from scaling.units import SECONDS_PER_DAY

__all__ = ["SENSITIVITY_RANGES", "llama3_interruptions_table", "reliability_table",
           "goodput_sensitivity"]

#: Largest absolute goodput difference for which the first-order model counts as valid in
#: :func:`reliability_table` (1 percentage point; a presentation choice, not a source).
FIRST_ORDER_TOLERANCE = 0.01

#: Ends of the one-at-a-time ranges of :data:`SENSITIVITY_RANGES` that are not published
#: figures: the checkpoint pause from 10 s (asynchronous checkpointing, a presentation choice)
#: to 5 min (hardware_costs.md §4.3 worked example) [s]; the slow restart, 30 min (a
#: conventional requeue, assumed) [s]; the interruption-rate exponent from 1 (linear) to 1.1
#: (assumed super-linear fabric failures).
CHECKPOINT_RANGE_S = (10.0, 300.0)
SLOW_RESTART_S = 1800.0
SCALING_EXPONENT_RANGE = (1.0, 1.1)


def llama3_interruptions_table():
    """Llama 3 Table 5 as a DataFrame with the implied per-accelerator-hour rates.

    Returns
    -------
    pandas.DataFrame
        Columns ``component``, ``category``, ``count``, ``share`` (of 419),
        ``rate_per_accelerator_hour`` [1/(accelerator h)], sorted as in the paper.
    """
    import pandas as pd

    llama = reliability.LLAMA3_INTERRUPTIONS
    rows = [
        {"component": name, "category": category, "count": count}
        for name, (category, count) in llama["by_component"].items()
    ]
    frame = pd.DataFrame(rows)
    frame["share"] = frame["count"] / llama["unexpected_interruptions"]
    frame["rate_per_accelerator_hour"] = frame["count"] / reliability.LLAMA3_ACCELERATOR_HOURS
    return frame


def _goodput_first_order(mtbf, checkpoint_time, restart_time):
    """First-order goodput at Young's interval [fraction] (arrays in seconds).

    :math:`G_1 = \\frac{\\tau}{\\tau+\\delta}\\left(1 - \\frac{R + (\\tau+\\delta)/2}{M}\\right)`
    with :math:`\\tau = \\sqrt{2\\delta M}`: checkpoint overhead, half a segment of rework and
    a restart per failure. Not bounded below: it turns negative once
    :math:`R + (\\tau+\\delta)/2 > M`, which marks where the first-order model has stopped
    describing the system.
    """
    tau = np.sqrt(2.0 * checkpoint_time * mtbf)
    segment = tau + checkpoint_time
    return tau / segment * (1.0 - (restart_time + segment / 2.0) / mtbf)


def reliability_table(n_accelerators, *, failure_rate_per_accelerator_hour=None,
                      checkpoint_time_s=DEFAULT_CHECKPOINT_TIME_S, restart_time_s=None,
                      scaling_exponent=1.0):
    """Interruptions, intervals and goodput for a sweep of job sizes.

    Parameters
    ----------
    n_accelerators : array_like
        Job sizes. [count]
    failure_rate_per_accelerator_hour : float or None
        Interruptions per accelerator-hour [1/(accelerator h)]; None: Llama 3's
        (:data:`scaling.reliability.DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR`).
    checkpoint_time_s : float
        Blocking checkpoint pause. [s]
    restart_time_s : float or None
        Restart time [s]; None: :data:`scaling.checkpointing.DEFAULT_RESTART_TIME_S`.
    scaling_exponent : float
        See :func:`scaling.reliability.interruption_rate_per_s`.

    Returns
    -------
    pandas.DataFrame
        One row per size: ``n_accelerators``, ``interruptions_per_day``, ``mtbf_s``,
        ``young_interval_s``, ``daly_interval_s``, ``optimal_interval_s``, ``goodput`` (the
        synchronous-restart model at its optimal interval), ``goodput_first_order`` (its
        first-order approximation at Young's interval), ``first_order_valid`` (the two within
        :data:`FIRST_ORDER_TOLERANCE`), ``lost_fraction``.
    """
    import pandas as pd

    n = np.atleast_1d(as_count_array("n_accelerators", n_accelerators))
    m = np.asarray(mtbf_s(n, failure_rate_per_accelerator_hour,
                          scaling_exponent=scaling_exponent))
    delta = np.broadcast_to(as_float_array("checkpoint_time_s", checkpoint_time_s), n.shape)
    restart = np.broadcast_to(as_float_array(
        "restart_time_s", checkpointing.DEFAULT_RESTART_TIME_S if restart_time_s is None
        else restart_time_s, allow_zero=True), n.shape)
    g = np.asarray(restart_goodput(m, delta, restart))
    first_order = _goodput_first_order(m, delta, restart)
    return pd.DataFrame({
        "n_accelerators": n,
        "interruptions_per_day": SECONDS_PER_DAY / m,
        "mtbf_s": m,
        "young_interval_s": young_interval_s(delta, m),
        "daly_interval_s": daly_interval_s(delta, m),
        "optimal_interval_s": optimal_interval_s(delta, m),
        "goodput": g,
        "goodput_first_order": first_order,
        "first_order_valid": np.abs(first_order - g) <= FIRST_ORDER_TOLERANCE,
        "lost_fraction": 1.0 - g,
    })


def goodput_sensitivity(n_accelerators, *, ranges=None, failure_rate_per_accelerator_hour=None,
                        checkpoint_time_s=DEFAULT_CHECKPOINT_TIME_S, restart_time_s=None,
                        scaling_exponent=1.0):
    """Goodput when one assumption at a time moves to the ends of its range.

    Parameters
    ----------
    n_accelerators : array_like
        Job sizes. [count]
    ranges : Mapping[str, tuple[float, float]] or None
        ``{assumption: (low, high)}`` with keys among ``failure_rate_per_accelerator_hour``,
        ``checkpoint_time_s``, ``restart_time_s``, ``scaling_exponent``; ``None`` uses
        :data:`SENSITIVITY_RANGES`.
    failure_rate_per_accelerator_hour, checkpoint_time_s, restart_time_s, scaling_exponent :
        The baseline (scalars), as in :func:`reliability_table` (None: the package defaults).

    Returns
    -------
    pandas.DataFrame
        :func:`scaling.sensitivity`'s table of goodput (:func:`scaling.reliability.job_goodput`
        of one synchronous job), one row per size and assumption: ``n_accelerators``,
        ``input``, ``output`` (the size as a label), ``low_setting``, ``high_setting``,
        ``output_base``, ``output_low``, ``output_high`` [fraction] and ``swing``
        (``|high - low|`` in goodput), sorted by size then decreasing swing.
    """
    baseline = {
        "failure_rate_per_accelerator_hour": (
            reliability.DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR
            if failure_rate_per_accelerator_hour is None else failure_rate_per_accelerator_hour),
        "checkpoint_time_s": checkpoint_time_s,
        "restart_time_s": (checkpointing.DEFAULT_RESTART_TIME_S if restart_time_s is None
                           else restart_time_s),
        "scaling_exponent": scaling_exponent,
    }
    n = np.atleast_1d(as_count_array("n_accelerators", n_accelerators))

    labels = [f"{size:,.0f} accelerators" for size in n]

    def at_sizes(**settings):
        return dict(zip(labels, np.asarray(job_goodput(n, **settings)[2], dtype=float)))

    table = sensitivity(at_sizes, baseline, _sensitivity_ranges() if ranges is None else ranges)
    table.insert(0, "n_accelerators", table["output"].map(dict(zip(labels, n))))
    return table.sort_values(["n_accelerators", "swing"], ascending=[True, False],
                             ignore_index=True)


@cached_until_reload
def _sensitivity_ranges():
    """:data:`SENSITIVITY_RANGES`, from the current curated tables."""
    rates = reliability.FAILURE_RATES
    return MappingProxyType({
        "failure_rate_per_accelerator_hour": (rates["meta_rsc2"][0],
                                              rates["meta_rsc_1024_gpu_jobs"][0]),
        "checkpoint_time_s": CHECKPOINT_RANGE_S,
        "restart_time_s": (checkpointing.RESTART_TIMES_S["trainmover2024"][0], SLOW_RESTART_S),
        "scaling_exponent": SCALING_EXPONENT_RANGE,
    })


# SENSITIVITY_RANGES: one-at-a-time ranges for :func:`goodput_sensitivity` (low, high), each
#   from a cited source: failure rate from Meta RSC-2 to Meta's measured 1,024-GPU research
#   jobs (:data:`scaling.reliability.FAILURE_RATES`, ``data/reliability.csv``); checkpoint
#   pause :data:`CHECKPOINT_RANGE_S`; restart from TrainMover's 20 s
#   (:data:`scaling.checkpointing.RESTART_TIMES_S`) to :data:`SLOW_RESTART_S`;
#   interruption-rate exponent :data:`SCALING_EXPONENT_RANGE`. Served lazily
#   (:func:`__getattr__`), so that :func:`scaling.data.reload` makes an edited table take
#   effect.
def __getattr__(name: str):
    """:data:`SENSITIVITY_RANGES`, built from the curated tables on first use and after every
    :func:`scaling.data.reload`."""
    if name == "SENSITIVITY_RANGES":
        return _sensitivity_ranges()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
