"""Which uncertain input moves a forecast most (the tornado tables of notebooks 03 and 08).

Built on :func:`scaling.forecast` and the one sensitivity function,
:func:`scaling.uncertainty.sensitivity`.
"""

from __future__ import annotations

import math

import numpy as np

from scaling import laws, uncertainty as mc
from scaling._validation import unknown_name
from scaling.assumptions import as_assumptions
from scaling.chain import setup
from scaling.clusters import as_machine
from scaling.forecasting import forecast

__all__ = ["forecast_sensitivity"]


def forecast_sensitivity(n_params, *, cluster=None, accelerator=None, n_accelerators=None,
                         quantity="amortized_cost_usd", law=laws.DEFAULT_LAW,
                         tokens_per_param=None, n_tokens=None, assumptions=None,
                         uncertainty=True):
    """Which uncertain input moves a forecast most: each at its P5 and P95, one at a time.

    Parameters
    ----------
    n_params : float
        One model size [parameters].
    cluster, accelerator, n_accelerators :
        The machine, as in :func:`scaling.forecast`.
    quantity : str
        A forecast column (e.g. ``"time_s"``, ``"energy_j"``, ``"amortized_cost_usd"``,
        ``"rental_cost_usd"``).
    law, tokens_per_param, n_tokens, assumptions :
        As in :func:`scaling.forecast`.
    uncertainty : bool or Mapping
        The inputs to vary and their spreads, as in :func:`forecast` (True: the law and
        :data:`scaling.uncertainty.DEFAULT_UNCERTAINTY`).

    Returns
    -------
    pandas.DataFrame
        :func:`scaling.uncertainty.sensitivity`'s table: one row per input (``"law"`` and
        the chain inputs), sorted by decreasing swing, with ``source``.

    Notes
    -----
    Each chain input moves to :meth:`Uncertain.quantile` at 5% and 95% of its spread around
    its central value; the law moves to its parameter sets at the 5th and 95th percentile of
    the compute-optimal exponent (:func:`scaling.uncertainty.law_at_quantile`).
    """
    if np.ndim(n_params) != 0:
        raise ValueError("forecast_sensitivity takes one model size; pass a scalar n_params")
    clu = as_machine(cluster, accelerator, n_accelerators)
    a = as_assumptions(assumptions)
    spec = mc.uncertainty_spec(uncertainty, run_efficiency=a.run_efficiency) or {}
    kwargs = {"tokens_per_param": tokens_per_param, "n_tokens": n_tokens}
    probe = forecast([n_params], cluster=clu, law=law, assumptions=a, **kwargs).to_frame()
    if quantity not in probe.columns:
        raise unknown_name("quantity", quantity, list(probe.columns))
    # central values of the chain inputs; MFU (and anything else the run sets) from the probe
    central = {**setup(clu, a).constants, "mfu": float(probe["mfu"].iloc[0])}

    def model(law, **overrides):
        return forecast([n_params], cluster=clu, law=law,
                        assumptions=_with_assumptions(a, overrides), **kwargs).to_frame()[
            quantity].iloc[0]

    base = {"law": law}
    ranges, sources = {}, {}
    if spec.get(mc.LAW):
        ranges["law"] = (mc.Case(settings={"law": mc.law_at_quantile(law, mc.PROBABILITIES[0])},
                                 label="law at P5 of a"),
                         mc.Case(settings={"law": mc.law_at_quantile(law, mc.PROBABILITIES[2])},
                                 label="law at P95 of a"))
        sources["law"] = str(mc.LAW_PRIOR["source"]) if isinstance(law, str) else \
            "bootstrap draws of the fit"
    for name, dist in spec.items():
        if name == mc.LAW or dist is None or math.isnan(float(central.get(name, math.nan))):
            continue
        value = float(central[name])
        base[name] = value
        ranges[name] = dist.interval(value)
        sources[name] = dist.source
    return mc.sensitivity(model, base, ranges, sources=sources)


# Chain inputs that forecast_sensitivity varies, as the assumptions that set them (an
# explicit price is the chain's input as given: the value at the run's date, after any
# discount).
_ASSUMPTION_INPUTS = {"mfu": "mfu", "pue": "pue",
                      "failure_rate_per_accelerator_hour": "failure_rate_per_accelerator_hour",
                      "electricity_usd_per_kwh": "electricity_usd_per_kwh",
                      "server_cost_overhead": "server_cost_overhead",
                      "network_cost_overhead": "network_cost_overhead",
                      "price_usd": "accelerator_price_usd",
                      "rental_usd_per_hour": "rental_usd_per_hour"}


def _with_assumptions(a, overrides):
    changes = {_ASSUMPTION_INPUTS[k]: v for k, v in overrides.items() if k in _ASSUMPTION_INPUTS}
    return a.at_constant_mfu(**changes) if changes else a
