"""Inference-aware optimal model size (Sardana, Portes, Doubov and Frankle 2024).

Chinchilla-optimal allocation minimises *training* compute for a given loss. A model that will
serve many tokens should be smaller and trained longer: each inference token costs about
:math:`2N` FLOP, so a smaller model trained on more data can reach the same loss for less
lifetime compute. For a target loss :math:`\\ell` and lifetime inference demand
:math:`D_{inf}` tokens:

.. math:: N^*, D^* = \\arg\\min_{N, D:\\; L(N, D) = \\ell}\\; 6ND + 2N D_{inf}

with the Chinchilla law :math:`L = E + A/N^\\alpha + B/D^\\beta` from :mod:`scaling.laws`.
The dollar version weights training and inference FLOP by their own prices, which is the same
problem with :math:`D_{inf}` scaled by the price ratio.

Solution used here. Write :math:`g = \\ell - E - A/N^\\alpha` for the data term
:math:`B/D^\\beta` (so :math:`D = (B/g)^{1/\\beta}`, :math:`u = A/N^\\alpha = \\ell - E - g`).
The stationarity condition is

.. math:: h(g) = 6D\\left(\\frac{\\alpha u}{\\beta g} - 1\\right) - 2 D_{inf} = 0 .

With no inference it gives :math:`g = \\frac{\\alpha}{\\alpha+\\beta}(\\ell - E)`, exactly the
Chinchilla compute-optimal point on the iso-loss curve; for :math:`D_{inf} > 0` the root lies at
smaller g (more data, fewer parameters). h increases monotonically as g falls, so a vectorised
bisection in :math:`\\log g` finds the unique root (Sardana et al. use Newton's method on the same
one-dimensional problem).

References
----------
.. [1] N. Sardana, J. Portes, S. Doubov, J. Frankle, "Beyond Chinchilla-Optimal: Accounting for
   Inference in Language Model Scaling Laws", ICML 2024, arXiv:2401.00448.
   https://arxiv.org/abs/2401.00448
.. [2] J. Hoffmann et al., "Training Compute-Optimal Large Language Models", arXiv:2203.15556,
   2022.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from scaling._validation import as_float_array, check_fraction, elementwise, like
from scaling.laws import FLOP_PER_PARAM_PER_TOKEN, law_parameters, reducible_loss
from scaling.units import SECONDS_PER_HOUR

__all__ = [
    "INFERENCE_FLOP_PER_PARAM_PER_TOKEN",
    "InferenceOptimum",
    "inference_optimal",
    "chinchilla_optimal_for_loss",
    "chinchilla_quality_loss",
    "lifetime_flop",
    "usd_per_flop",
]

#: Inference FLOP per parameter per token (one forward pass), Sardana et al. (2024) §2.
INFERENCE_FLOP_PER_PARAM_PER_TOKEN = 2.0

# Bisection on ln g: the bracket spans g* e^-_LOG_G_SPAN .. g*, and _ITERATIONS halvings
# resolve it far below double precision in N and D.
_LOG_G_SPAN = 200.0
_ITERATIONS = 200


class InferenceOptimum(NamedTuple):
    """Lifetime-compute-optimal allocation for a target loss and inference demand."""

    n_params: object
    """Model size N [parameters]."""
    n_tokens: object
    """Training tokens D [tokens]."""
    training_flop: object
    """6 N D [FLOP]."""
    inference_flop: object
    """2 N D_inf [FLOP]."""
    total_flop: object
    """training_flop + inference_flop [FLOP]."""
    cost_usd: object
    """training_flop * training_usd_per_flop + inference_flop * inference_usd_per_flop [USD];
    NaN when no prices were given."""


def _law(law):
    return law_parameters(law)


def _price_ratio(training_usd_per_flop, inference_usd_per_flop):
    if (training_usd_per_flop is None) != (inference_usd_per_flop is None):
        raise ValueError(
            "give both training_usd_per_flop and inference_usd_per_flop (dollar-optimal), "
            "or neither (FLOP-optimal)"
        )
    if training_usd_per_flop is None:
        return None, None, 1.0
    train = as_float_array("training_usd_per_flop", training_usd_per_flop)
    infer = as_float_array("inference_usd_per_flop", inference_usd_per_flop)
    return train, infer, infer / train


@elementwise
def lifetime_flop(n_params, n_tokens, inference_tokens):
    """Training plus inference FLOP over a model's life.

    Parameters
    ----------
    n_params : numeric
        Model size N. [parameters]
    n_tokens : numeric
        Training tokens D. [tokens]
    inference_tokens : numeric
        Lifetime inference tokens D_inf (prompt plus generated, >= 0). [tokens]

    Returns
    -------
    total_flop : numeric
        :math:`6ND + 2ND_{inf}` [FLOP]
    """
    n = as_float_array("n_params", n_params)
    d = as_float_array("n_tokens", n_tokens)
    d_inf = as_float_array("inference_tokens", inference_tokens, allow_zero=True)
    total = (FLOP_PER_PARAM_PER_TOKEN * n * d
             + INFERENCE_FLOP_PER_PARAM_PER_TOKEN * n * d_inf)
    return like(total, n_params, n_tokens, inference_tokens)


@elementwise
def usd_per_flop(usd_per_hour, peak_flop_per_s, mfu):
    """Price of one useful FLOP on rented hardware.

    Parameters
    ----------
    usd_per_hour : numeric
        Rental price per accelerator-hour. [USD/h]
    peak_flop_per_s : numeric
        Dense peak throughput at the precision used. [FLOP/s]
    mfu : numeric
        Model FLOP utilisation, in (0, 1]. [fraction] (Inference typically runs at a lower
        MFU than training, which is what makes the dollar optimum differ from the FLOP one.)

    Returns
    -------
    usd_per_flop : numeric
        :math:`p / (3600\\, F_{peak}\\, u)` [USD/FLOP]
    """
    price = as_float_array("usd_per_hour", usd_per_hour)
    peak = as_float_array("peak_flop_per_s", peak_flop_per_s)
    u = check_fraction("mfu", mfu)
    return like(price / (SECONDS_PER_HOUR * peak * u), usd_per_hour, peak_flop_per_s, mfu)


def _finish(n, d, d_inf, train_price, infer_price, *inputs):
    training = FLOP_PER_PARAM_PER_TOKEN * n * d
    inference = INFERENCE_FLOP_PER_PARAM_PER_TOKEN * n * d_inf
    if train_price is None:
        cost = np.full(np.broadcast(training, inference).shape, np.nan)
    else:
        cost = training * train_price + inference * infer_price
    return InferenceOptimum(
        n_params=like(n, *inputs),
        n_tokens=like(d, *inputs),
        training_flop=like(training, *inputs),
        inference_flop=like(inference, *inputs),
        total_flop=like(training + inference, *inputs),
        cost_usd=like(cost, *inputs),
    )


def chinchilla_optimal_for_loss(target_loss, law="besiroglu2024"):
    """Training-compute-optimal (Chinchilla) N and D that reach ``target_loss``.

    Parameters
    ----------
    target_loss : numeric
        Loss to reach [nats/token]; must exceed the law's E.
    law : str, Mapping or FitResult-like
        See :func:`scaling.laws.law_parameters`.

    Returns
    -------
    InferenceOptimum
        With zero inference tokens (``inference_flop`` is 0, ``cost_usd`` NaN).

    Notes
    -----
    On the iso-loss curve the training-optimal point splits the reducible loss in the ratio
    :math:`\\beta : \\alpha` between the parameter and data terms:

    .. math:: \\frac{A}{N^\\alpha} = \\frac{\\beta}{\\alpha+\\beta}(\\ell - E),\\qquad
              \\frac{B}{D^\\beta} = \\frac{\\alpha}{\\alpha+\\beta}(\\ell - E)
    """
    return inference_optimal(target_loss, 0.0, law)


def chinchilla_quality_loss(n_params, law="besiroglu2024"):
    """Loss of an N-parameter model trained compute-optimally ("Chinchilla quality").

    Parameters
    ----------
    n_params : numeric
        Model size N. [parameters]
    law : str, Mapping or FitResult-like
        See :func:`scaling.laws.law_parameters`.

    Returns
    -------
    loss : numeric
        [nats/token]

    Notes
    -----
    At the compute-optimal point the data term is :math:`\\alpha/\\beta` times the parameter
    term, so

    .. math:: \\ell = E + \\frac{A}{N^\\alpha}\\left(1 + \\frac{\\alpha}{\\beta}\\right)

    This is how Sardana et al. (2024) define the quality of "a Chinchilla-optimal 13B model".
    """
    p = _law(law)
    n = as_float_array("n_params", n_params)
    loss = p["E"] + p["A"] * n ** -p["alpha"] * (1.0 + p["alpha"] / p["beta"])
    return like(loss, n_params)


@elementwise
def inference_optimal(target_loss, inference_tokens, law="besiroglu2024", *,
                      training_usd_per_flop=None, inference_usd_per_flop=None):
    """(N, D) reaching ``target_loss`` with the least training-plus-inference compute (or cost).

    Parameters
    ----------
    target_loss : numeric
        Pre-training loss to reach [nats/token]; must exceed the law's irreducible loss E.
    inference_tokens : numeric
        Lifetime inference demand D_inf, >= 0. [tokens]
    law : str, Mapping or FitResult-like
        Chinchilla parameters, see :func:`scaling.laws.law_parameters` (array-valued parameters
        broadcast, e.g. bootstrap draws).
    training_usd_per_flop, inference_usd_per_flop : numeric, optional
        Prices of a training and an inference FLOP [USD/FLOP] (e.g. from :func:`usd_per_flop`).
        Give both to minimise dollars instead of FLOP; the FLOP columns are then those of the
        dollar optimum.

    Returns
    -------
    InferenceOptimum
        ``n_params`` [parameters], ``n_tokens`` [tokens], ``training_flop``,
        ``inference_flop``, ``total_flop`` [FLOP], ``cost_usd`` [USD] (NaN without prices).
        Each field has the kind of the inputs (float, ndarray or Series).

    Notes
    -----
    Minimises :math:`c_{tr}\\,6ND + c_{inf}\\,2ND_{inf}` subject to :math:`L(N, D) = \\ell`,
    i.e. the FLOP problem with :math:`D_{inf}` replaced by :math:`D_{inf}\\,c_{inf}/c_{tr}`.
    See the module docstring for the root condition.

    Examples
    --------
    Sardana et al. (2024) Figure 1: a Chinchilla-quality 13B model with 2T tokens of inference
    demand is cheaper over its life as a ~7B model trained longer.

    >>> loss = chinchilla_quality_loss(13e9, "hoffmann2022_tex")
    >>> best = inference_optimal(loss, 2e12, "hoffmann2022_tex")
    >>> round(best.n_params / 1e9, 1)
    7.1
    """
    p = _law(law)
    reducible = np.asarray(reducible_loss(target_loss, p))
    d_inf = as_float_array("inference_tokens", inference_tokens, allow_zero=True)
    train_price, infer_price, ratio = _price_ratio(training_usd_per_flop,
                                                   inference_usd_per_flop)
    effective = d_inf * ratio
    alpha, beta, a_coef, b_coef = p["alpha"], p["beta"], p["A"], p["B"]

    log_g_star = np.log(alpha / (alpha + beta) * reducible)
    log_g_star, effective = np.broadcast_arrays(log_g_star, effective)

    def h(log_g):
        g = np.exp(log_g)
        u = reducible - g
        d = (b_coef / g) ** (1.0 / beta)
        return (FLOP_PER_PARAM_PER_TOKEN * d * (alpha * u / (beta * g) - 1.0)
                - INFERENCE_FLOP_PER_PARAM_PER_TOKEN * effective)

    hi = log_g_star.copy()          # h(hi) <= 0
    lo = log_g_star - _LOG_G_SPAN   # h(lo) > 0 for any finite demand
    with np.errstate(over="ignore"):
        if not (np.asarray(h(lo)) > 0).all():
            raise ValueError(
                "inference_tokens too large for the bracket of the root finder; "
                f"got maximum {np.max(d_inf):.3g} tokens"
            )
        for _ in range(_ITERATIONS):
            mid = 0.5 * (lo + hi)
            positive = np.asarray(h(mid)) > 0
            lo = np.where(positive, mid, lo)
            hi = np.where(positive, hi, mid)
    # zero demand: the Chinchilla point exactly
    log_g = np.where(effective > 0, 0.5 * (lo + hi), log_g_star)
    g = np.exp(log_g)
    n = (a_coef / (reducible - g)) ** (1.0 / alpha)
    d = (b_coef / g) ** (1.0 / beta)
    n, d = np.broadcast_arrays(n, d)
    return _finish(n, d, d_inf, train_price, infer_price, target_loss, inference_tokens)


