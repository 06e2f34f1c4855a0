"""Reliability at scale for notebook 06: Llama 3's interruptions by component, goodput over
a sweep of job sizes, and which assumption moves goodput most.

Built on :mod:`scaling.reliability` (rates, intervals, goodput) and the one sensitivity
function, :func:`scaling.uncertainty.sensitivity`.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from scaling._validation import as_count_array, as_float_array
from scaling.reliability import (
    DEFAULT_CHECKPOINT_TIME_S, DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR,
    DEFAULT_RESTART_TIME_S, FAILURE_RATES, LLAMA3_ACCELERATOR_HOURS, LLAMA3_INTERRUPTIONS,
    RESTART_TIMES_S, daly_interval_s, first_order_valid, goodput, goodput_at_scale,
    goodput_first_order, mtbf_s, optimal_interval_s, young_interval_s,
)
from scaling.uncertainty import sensitivity
from scaling.units import SECONDS_PER_DAY

__all__ = ["SENSITIVITY_RANGES", "llama3_interruptions_table", "reliability_table",
           "sensitivity_table"]


def llama3_interruptions_table():
    """Llama 3 Table 5 as a DataFrame with the implied per-accelerator-hour rates.

    Returns
    -------
    pandas.DataFrame
        Columns ``component``, ``category``, ``count``, ``share`` (of 419),
        ``rate_per_accelerator_hour`` [1/(accelerator h)], sorted as in the paper.
    """
    import pandas as pd

    rows = [
        {"component": name, "category": category, "count": count}
        for name, (category, count) in LLAMA3_INTERRUPTIONS["by_component"].items()
    ]
    frame = pd.DataFrame(rows)
    frame["share"] = frame["count"] / LLAMA3_INTERRUPTIONS["unexpected_interruptions"]
    frame["rate_per_accelerator_hour"] = frame["count"] / LLAMA3_ACCELERATOR_HOURS
    return frame


def reliability_table(n_accelerators, *,
                      failure_rate_per_accelerator_hour=DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR,
                      checkpoint_time_s=DEFAULT_CHECKPOINT_TIME_S,
                      restart_time_s=DEFAULT_RESTART_TIME_S, scaling_exponent=1.0):
    """Interruptions, intervals and goodput for a sweep of job sizes.

    Parameters
    ----------
    n_accelerators : array_like
        Job sizes. [count]
    failure_rate_per_accelerator_hour, checkpoint_time_s, restart_time_s, scaling_exponent :
        As in :func:`goodput_at_scale` (scalars).

    Returns
    -------
    pandas.DataFrame
        One row per size: ``n_accelerators``, ``interruptions_per_day``, ``mtbf_s``,
        ``young_interval_s``, ``daly_interval_s``, ``optimal_interval_s``, ``goodput``,
        ``goodput_first_order``, ``first_order_valid``, ``lost_fraction``.
    """
    import pandas as pd

    n = np.atleast_1d(as_count_array("n_accelerators", n_accelerators))
    m = np.asarray(mtbf_s(n, failure_rate_per_accelerator_hour,
                          scaling_exponent=scaling_exponent))
    delta = np.broadcast_to(as_float_array("checkpoint_time_s", checkpoint_time_s), n.shape)
    restart = np.broadcast_to(
        as_float_array("restart_time_s", restart_time_s, allow_zero=True), n.shape)
    g = np.asarray(goodput(m, delta, restart))
    return pd.DataFrame({
        "n_accelerators": n,
        "interruptions_per_day": SECONDS_PER_DAY / m,
        "mtbf_s": m,
        "young_interval_s": young_interval_s(delta, m),
        "daly_interval_s": daly_interval_s(delta, m),
        "optimal_interval_s": optimal_interval_s(delta, m),
        "goodput": g,
        "goodput_first_order": goodput_first_order(m, delta, restart),
        "first_order_valid": first_order_valid(m, delta, restart),
        "lost_fraction": 1.0 - g,
    })


def sensitivity_table(n_accelerators, *, ranges=None,
                      failure_rate_per_accelerator_hour=DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR,
                      checkpoint_time_s=DEFAULT_CHECKPOINT_TIME_S,
                      restart_time_s=DEFAULT_RESTART_TIME_S, scaling_exponent=1.0):
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
        The baseline (scalars).

    Returns
    -------
    pandas.DataFrame
        :func:`scaling.sensitivity`'s table of goodput, one row per size and assumption:
        ``n_accelerators``, ``input``, ``output`` (the size as a label), ``low_setting``, ``high_setting``, ``output_base``,
        ``output_low``, ``output_high`` [fraction] and ``swing`` (``|high - low|`` in
        goodput), sorted by size then decreasing swing.
    """
    baseline = {
        "failure_rate_per_accelerator_hour": failure_rate_per_accelerator_hour,
        "checkpoint_time_s": checkpoint_time_s,
        "restart_time_s": restart_time_s,
        "scaling_exponent": scaling_exponent,
    }
    n = np.atleast_1d(as_count_array("n_accelerators", n_accelerators))

    labels = [f"{size:,.0f} accelerators" for size in n]

    def at_sizes(**settings):
        return dict(zip(labels, np.asarray(goodput_at_scale(n, **settings), dtype=float)))

    table = sensitivity(at_sizes, baseline, SENSITIVITY_RANGES if ranges is None else ranges)
    table.insert(0, "n_accelerators", table["output"].map(dict(zip(labels, n))))
    return table.sort_values(["n_accelerators", "swing"], ascending=[True, False],
                             ignore_index=True)


#: One-at-a-time ranges for :func:`sensitivity_table` (low, high), each from a cited source:
#: failure rate from Meta RSC-2 to Meta's measured 1,024-GPU research jobs
#: (:data:`FAILURE_RATES`); checkpoint pause from 10 s (asynchronous checkpointing, a
#: presentation choice) to 5 min (hardware_costs.md §4.3 worked example); restart from
#: TrainMover's 20 s to 30 min (a conventional requeue, assumed); interruption-rate exponent from
#: 1 (linear) to 1.1 (assumed super-linear fabric failures).
SENSITIVITY_RANGES = MappingProxyType({
    "failure_rate_per_accelerator_hour": (FAILURE_RATES["meta_rsc2"][0],
                                          FAILURE_RATES["meta_rsc_1024_gpu_jobs"][0]),
    "checkpoint_time_s": (10.0, 300.0),
    "restart_time_s": (RESTART_TIMES_S["trainmover2024"][0], 1800.0),
    "scaling_exponent": (1.0, 1.1),
})
