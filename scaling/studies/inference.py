"""The inference trade-off for notebook 03: how the loss-matched optimum moves with the
tokens served (Sardana et al. 2024).

Built on :mod:`scaling.inference`.
"""

from __future__ import annotations

import numpy as np

from scaling._validation import as_float_array
from scaling.inference import (
    INFERENCE_FLOP_PER_PARAM_PER_TOKEN, chinchilla_optimal_for_loss, inference_optimal,
    lifetime_flop,
)
from scaling.laws import FLOP_PER_PARAM_PER_TOKEN

__all__ = ["inference_tradeoff"]


def inference_tradeoff(target_loss, inference_tokens, law="besiroglu2024", *,
                       training_usd_per_flop=None, inference_usd_per_flop=None):
    """How the inference-aware optimum departs from Chinchilla as inference demand grows.

    Parameters
    ----------
    target_loss : float
        Loss to reach. [nats/token]
    inference_tokens : array_like
        Lifetime inference demands to sweep. [tokens]
    law : str, Mapping or FitResult-like
        Scalar parameter set.
    training_usd_per_flop, inference_usd_per_flop : float, optional
        Prices [USD/FLOP] for the dollar-optimal variant.

    Returns
    -------
    pandas.DataFrame
        One row per demand: ``inference_tokens``, ``n_params``, ``n_tokens``,
        ``tokens_per_param``, ``training_flop``, ``inference_flop``, ``total_flop``,
        ``cost_usd``, ``chinchilla_n_params``, ``chinchilla_n_tokens``,
        ``chinchilla_total_flop`` (the Chinchilla-optimal model for the same loss serving the
        same demand), ``chinchilla_cost_usd``, ``n_params_ratio`` (N*/N_chinchilla),
        ``total_flop_saving`` [FLOP] and ``total_flop_saving_fraction``.
    """
    import pandas as pd

    if np.ndim(target_loss) != 0:
        raise ValueError("inference_tradeoff sweeps one target_loss; pass a scalar")
    demand = np.atleast_1d(as_float_array("inference_tokens", inference_tokens, allow_zero=True))
    best = inference_optimal(target_loss, demand, law,
                             training_usd_per_flop=training_usd_per_flop,
                             inference_usd_per_flop=inference_usd_per_flop)
    base = chinchilla_optimal_for_loss(target_loss, law)
    base_total = np.asarray(lifetime_flop(base.n_params, base.n_tokens, demand))
    base_training = FLOP_PER_PARAM_PER_TOKEN * base.n_params * base.n_tokens
    base_inference = INFERENCE_FLOP_PER_PARAM_PER_TOKEN * base.n_params * demand
    if training_usd_per_flop is None:
        base_cost = np.full(demand.shape, np.nan)
    else:
        base_cost = (base_training * float(training_usd_per_flop)
                     + base_inference * float(inference_usd_per_flop))
    total = np.asarray(best.total_flop)
    return pd.DataFrame({
        "inference_tokens": demand,
        "n_params": best.n_params,
        "n_tokens": best.n_tokens,
        "tokens_per_param": np.asarray(best.n_tokens) / np.asarray(best.n_params),
        "training_flop": best.training_flop,
        "inference_flop": best.inference_flop,
        "total_flop": total,
        "cost_usd": best.cost_usd,
        "chinchilla_n_params": np.full(demand.shape, base.n_params),
        "chinchilla_n_tokens": np.full(demand.shape, base.n_tokens),
        "chinchilla_total_flop": base_total,
        "chinchilla_cost_usd": base_cost,
        "n_params_ratio": np.asarray(best.n_params) / base.n_params,
        "total_flop_saving": base_total - total,
        "total_flop_saving_fraction": 1.0 - total / base_total,
    })
