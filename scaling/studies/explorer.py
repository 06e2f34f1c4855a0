"""Tables behind the explorer's slider charts (notebook 11): time and dollars against model
size on several clusters, and goodput over a grid of restart times and failure rates.

Built on :func:`scaling.forecast` and :mod:`scaling.reliability`; the charts are in
:mod:`scaling.plots.explore`.
"""

from __future__ import annotations

import numpy as np

from scaling import laws
from scaling.assumptions import as_assumptions
from scaling._validation import as_count_array, as_float_array, as_names, scalar
from scaling.clusters import Cluster
from scaling.forecasting import forecast
from scaling import reliability
from scaling.checkpointing import DEFAULT_CHECKPOINT_TIME_S
from scaling.studies.reliability import reliability_table

__all__ = ["goodput_grid", "size_sweep"]

#: Any constant MFU: goodput does not depend on it, only on which accelerators are in the job.
_ANY_FIXED_MFU = 0.5


def size_sweep(n_params, clusters, *, law=laws.DEFAULT_LAW, assumptions=None):
    """Time and dollars against model size on several clusters, in long form.

    Parameters
    ----------
    n_params : array_like
        Model sizes [parameters] (compute-optimal tokens under ``law``).
    clusters : str or sequence of str or Cluster
        Named clusters (one name is one cluster).
    law, assumptions :
        As in :func:`scaling.forecast`.

    Returns
    -------
    pandas.DataFrame
        :meth:`scaling.Forecast.to_frame` rows of every cluster (``cluster``, ``n_params``,
        ``mfu``, ``goodput``, ``time_days``, ``amortized_cost_usd``, ``rental_cost_usd``, ...),
        plus ``goodput_at_fixed_mfu``: the goodput when MFU is a set constant, so that every
        accelerator of the cluster is in the job (the step-time model may leave some idle,
        and idle accelerators do not interrupt the job). The table of
        :func:`scaling.plots.explore.mfu_slider_chart`, which rescales a row to MFU ``m`` by
        ``mfu * goodput / (m * goodput_at_fixed_mfu)``, exactly the chain's answer at
        ``Assumptions(mfu=m)``.
    """
    import pandas as pd

    names = as_names("cluster names (scaling.list_clusters()) or Clusters", clusters,
                     name="clusters", kinds=(str, Cluster))
    fixed = as_assumptions(assumptions).at_constant_mfu(mfu=_ANY_FIXED_MFU)
    frames = []
    for name in names:
        frame = forecast(n_params, cluster=name, law=law, assumptions=assumptions).to_frame()
        at_fixed = forecast(n_params, cluster=name, law=law, assumptions=fixed).to_frame()
        frames.append(frame.assign(goodput_at_fixed_mfu=at_fixed["goodput"].to_numpy()))
    return pd.concat(frames, ignore_index=True)


def goodput_grid(n_accelerators, *, restart_times_s, failure_rate_multipliers,
                 failure_rate_per_accelerator_hour=None,
                 checkpoint_time_s=DEFAULT_CHECKPOINT_TIME_S, scaling_exponent=1.0):
    """Goodput over job sizes for every pair of restart time and failure-rate multiplier.

    Parameters
    ----------
    n_accelerators : array_like
        Job sizes [count], whole numbers.
    restart_times_s : array_like
        Restart times R [s], >= 0 (the slider's steps).
    failure_rate_multipliers : array_like
        Multipliers of ``failure_rate_per_accelerator_hour``, > 0 (the slider's steps).
    failure_rate_per_accelerator_hour : float or None
        Base interruption rate [1/(accelerator h)]; None: Llama 3's
        (:data:`scaling.reliability.DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR`).
    checkpoint_time_s : float
        Blocking checkpoint pause [s].
    scaling_exponent : float
        See :func:`scaling.reliability.interruption_rate_per_s`.

    Returns
    -------
    pandas.DataFrame
        Long form: ``n_accelerators``, ``restart_time_s``, ``failure_rate_multiplier``,
        ``failure_rate_per_accelerator_hour``, ``mtbf_s``, ``goodput`` (at Daly's optimal
        interval, :func:`scaling.studies.reliability.reliability_table`).
    """
    import pandas as pd

    sizes = np.atleast_1d(as_count_array("n_accelerators", n_accelerators))
    restarts = np.atleast_1d(as_float_array("restart_times_s", restart_times_s,
                                            allow_zero=True))
    multipliers = np.atleast_1d(as_float_array("failure_rate_multipliers",
                                               failure_rate_multipliers))
    base = scalar("failure_rate_per_accelerator_hour",
                  reliability.DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR
                  if failure_rate_per_accelerator_hour is None
                  else failure_rate_per_accelerator_hour)
    frames = []
    for multiplier in multipliers:
        for restart in restarts:
            table = reliability_table(sizes, failure_rate_per_accelerator_hour=base * multiplier,
                                      checkpoint_time_s=checkpoint_time_s,
                                      restart_time_s=restart, scaling_exponent=scaling_exponent)
            frames.append(pd.DataFrame({
                "n_accelerators": table["n_accelerators"],
                "restart_time_s": float(restart),
                "failure_rate_multiplier": float(multiplier),
                "failure_rate_per_accelerator_hour": base * multiplier,
                "mtbf_s": table["mtbf_s"],
                "goodput": table["goodput"],
            }))
    return pd.concat(frames, ignore_index=True)
