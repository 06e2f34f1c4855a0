"""Scaling laws for language-model loss and the compute-optimal allocation they imply.

The core is the Chinchilla parametric loss of Hoffmann et al. (2022),

.. math:: L(N, D) = E + A / N^\\alpha + B / D^\\beta,

with named, sourced parameter sets in :data:`LAW_PARAMETERS`, its closed-form compute-optimal
frontier under :math:`C = 6 N D`, the inverse (compute for a target loss), training compute,
Kaplan et al.'s (2020) joint law and the data-constrained extension of Muennighoff et al. (2023).

The published constants are curated tables, one CSV each with a ``source`` on every row,
read on first use (and again after :func:`scaling.data.reload`) and served as read-only
mappings: :data:`LAW_PARAMETERS` (``data/law_parameters.csv``), :data:`KAPLAN2020`
(``data/kaplan2020.csv``) and :data:`MUENNIGHOFF2023_DECAY`
(``data/muennighoff2023_decay.csv``).

Every function is vectorised: scalar, ``numpy.ndarray`` or ``pandas.Series`` in, the same kind
out. Law parameters may themselves be arrays (e.g. bootstrap draws) and broadcast with numpy
rules against the inputs.

References
----------
.. [1] J. Hoffmann et al., "Training Compute-Optimal Large Language Models", arXiv:2203.15556
   (2022), https://arxiv.org/abs/2203.15556 -- Eq. 2-4, App. D.2 Eq. 10, App. F.
.. [2] T. Besiroglu, E. Erdil, M. Barnett, J. You, "Chinchilla Scaling: A replication attempt",
   arXiv:2404.10102 (2024), https://arxiv.org/abs/2404.10102 ; code and notebook outputs at
   https://github.com/epoch-research/analyzing-chinchilla (commit 9225883).
.. [3] J. Kaplan et al., "Scaling Laws for Neural Language Models", arXiv:2001.08361 (2020),
   https://arxiv.org/abs/2001.08361 -- Eq. 1.1, 1.2, 1.5, Table 1, Table 2, Table 5.
.. [4] N. Muennighoff et al., "Scaling Data-Constrained Language Models", arXiv:2305.16264
   (2023), https://arxiv.org/abs/2305.16264 -- Eq. 5-6, App. A; README of
   https://github.com/huggingface/datablations ("Parametric Fit").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from scaling._validation import (
    as_float_array,
    check_choice,
    elementwise,
    like,
    unknown_name,
)
from scaling.data import cached_until_reload, cell_number, load_rows
from scaling.units import FLOP_PER_PARAM_PER_TOKEN

__all__ = [
    "FLOP_PER_PARAM_PER_TOKEN",
    "GOPHER_COMPUTE_FLOP",
    "LAW_PARAMETERS",
    "DEFAULT_LAW",
    "KAPLAN2020",
    "MUENNIGHOFF2023_DECAY",
    "ComputeOptimal",
    "law_parameters",
    "chinchilla_loss",
    "compute_optimal",
    "optimal_loss",
    "tokens_per_param",
    "optimal_tokens_for_params",
    "optimal_params_for_tokens",
    "compute_for_loss",
    "reducible_loss",
    "training_flop",
    "kaplan_loss",
    "effective_tokens",
    "effective_params",
    "data_constrained_loss",
]

#: Gopher's training budget, the budget Chinchilla was sized for [FLOP]. Hoffmann et al.
#: (2022) Table 3 (67B row, "1 Gopher unit") and App. F.
GOPHER_COMPUTE_FLOP = 5.76e23

#: Name of the default parameter set: the only parametric fit consistent with Hoffmann et al.'s
#: Approaches 1 and 2 (about 20 tokens per parameter), Besiroglu et al. (2024).
DEFAULT_LAW = "besiroglu2024"

_LAW_KEYS = ("E", "A", "B", "alpha", "beta")

# Columns of data/law_parameters.csv: a value column, or the natural log the source publishes
# (exactly one of each pair is filled), per key of a parameter set.
_LAW_COLUMNS = {"E": ("E_nats_per_token", "log_E"), "A": ("A", "log_A"), "B": ("B", "log_B"),
                "alpha": ("alpha", None), "beta": ("beta", None)}
# Key of each constant of data/kaplan2020.csv and data/muennighoff2023_decay.csv.
_KAPLAN_COLUMNS = {"alpha_n": "alpha_n", "n_c": "n_c_params", "alpha_d": "alpha_d",
                   "d_c": "d_c_tokens"}
_DECAY_COLUMNS = {"r_star_tokens": "r_star_tokens_epochs", "r_star_params": "r_star_params"}


def _read_only(table: dict) -> Mapping:
    """A read-only view of a table of tables (``MappingProxyType`` of ``MappingProxyType``):
    published constants cannot be changed by accident, so every later result stays the
    published one. Copy it (``dict(LAW_PARAMETERS["hoffmann2022"])``) to make a variant."""
    return MappingProxyType({key: MappingProxyType(dict(value)) if isinstance(value, dict)
                             else value for key, value in table.items()})


def _cell(row, column) -> float | None:
    """A number of a curated row, or None where the cell is empty."""
    value = cell_number(row, column, table="law_parameters")
    return None if math.isnan(value) else value  # NaN: an empty cell


def _law_value(row, key) -> float:
    """One parameter of a law row: its value, or exp of the natural log the source gives."""
    column, log_column = _LAW_COLUMNS[key]
    value = _cell(row, column)
    if value is None and log_column is not None and _cell(row, log_column) is not None:
        return math.exp(_cell(row, log_column))
    if value is None:
        raise ValueError(f"data/law_parameters.csv: law {row['law']!r} gives neither {column} "
                         f"nor {log_column}")
    return value


@cached_until_reload
def _law_parameters() -> Mapping:
    """:data:`LAW_PARAMETERS`, built from ``data/law_parameters.csv``."""
    return _read_only({row["law"]: {**{key: _law_value(row, key) for key in _LAW_KEYS},
                                     "source": row["source"]}
                       for row in load_rows("law_parameters")})


@cached_until_reload
def _kaplan2020() -> Mapping:
    """:data:`KAPLAN2020`, built from ``data/kaplan2020.csv``."""
    return _read_only({row["constants"]: {**{key: cell_number(row, column, table="kaplan2020")
                                             for key, column in _KAPLAN_COLUMNS.items()},
                                          "source": row["source"]}
                       for row in load_rows("kaplan2020")})


@cached_until_reload
def _muennighoff2023_decay() -> Mapping:
    """:data:`MUENNIGHOFF2023_DECAY`, built from ``data/muennighoff2023_decay.csv``."""
    (row,) = load_rows("muennighoff2023_decay")
    return MappingProxyType({**{key: cell_number(row, column, table="muennighoff2023_decay")
                                for key, column in _DECAY_COLUMNS.items()},
                             "source": row["source"]})


# Published tables served lazily by the module (:func:`__getattr__`), so that
# :func:`scaling.data.reload` makes an edited CSV take effect:
#
# LAW_PARAMETERS: published parameter sets of the Chinchilla law L = E + A/N^alpha + B/D^beta
#   (``data/law_parameters.csv``). E [nats/token], A [nats/token * parameters^alpha],
#   B [nats/token * tokens^beta], alpha and beta [dimensionless], and the source. Read-only:
#   pass a mapping of your own as ``law=`` to use other values.
# KAPLAN2020: constants of Kaplan et al. (2020) for
#   L(N, D) = [(N_c/N)^(alpha_N/alpha_D) + D_c/D]^alpha_D (Eq. 1.5; ``data/kaplan2020.csv``).
#   N counts non-embedding parameters, D tokens, loss in nats/token on WebText2. ``"summary"``:
#   the single-variable fits quoted with Eq. 1.1-1.2 and Table 5; ``"joint_fit"``: the joint
#   fit of Eq. 1.5 reported in Sec. 4.2 / Table 2.
# MUENNIGHOFF2023_DECAY: decay constants of repeated data and excess parameters, Muennighoff
#   et al. (2023) App. A (printed 15.4 and 5.3 in Eq. 17; unrounded in the datablations
#   README; ``data/muennighoff2023_decay.csv``): R*_D [epochs] and R*_N [dimensionless].
_TABLES = {"LAW_PARAMETERS": _law_parameters, "KAPLAN2020": _kaplan2020,
           "MUENNIGHOFF2023_DECAY": _muennighoff2023_decay}


def __getattr__(name: str):
    """The published tables (:data:`LAW_PARAMETERS`, :data:`KAPLAN2020`,
    :data:`MUENNIGHOFF2023_DECAY`), read from ``data/`` on first use and after every
    :func:`scaling.data.reload`."""
    if name in _TABLES:
        return _TABLES[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class ComputeOptimal(NamedTuple):
    """Compute-optimal allocation of a training budget."""

    n_params: object
    """Optimal model size N_opt [parameters]."""
    n_tokens: object
    """Optimal number of training tokens D_opt [tokens]."""


def law_parameters(law=DEFAULT_LAW) -> dict:
    """Parameters E, A, B, alpha, beta of a Chinchilla law.

    Parameters
    ----------
    law : str, Mapping or FitResult-like
        A name from :data:`LAW_PARAMETERS`; a mapping with keys ``E, A, B, alpha, beta``
        (values may be arrays, e.g. Monte Carlo draws, which then broadcast in the laws); or an
        object with a ``params`` attribute holding those keys (e.g. :class:`scaling.fit.FitResult`).

    Returns
    -------
    dict
        ``{"E", "A", "B", "alpha", "beta"}`` as floats (or float arrays).

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid ones), missing keys, or non-positive or NaN
        values.
    """
    if isinstance(law, str):
        checked = _checked_laws()
        if law not in checked:
            published = _law_parameters()
            if law not in published:
                raise unknown_name("law", law, sorted(published))
            checked[law] = _checked_law(published[law])
        return dict(checked[law])
    if isinstance(law, Mapping):
        spec = law
    elif hasattr(law, "params"):
        spec = law.params
    else:
        raise ValueError(
            "law must be a name from LAW_PARAMETERS (valid names are "
            f"{', '.join(sorted(_law_parameters()))}), a mapping with keys E, A, B, alpha, beta, "
            f"or a fit result with a .params attribute; got {type(law).__name__}"
        )
    return _checked_law(spec)


@cached_until_reload
def _checked_laws() -> dict:
    """The published laws' parameters as :func:`law_parameters` returns them, each law checked
    on its first use after a reading of ``data/`` (filled by :func:`law_parameters`)."""
    return {}


def _checked_law(spec) -> dict:
    """``E, A, B, alpha, beta`` of a parameter mapping as floats (or float arrays), checked."""
    missing = [key for key in _LAW_KEYS if key not in spec]
    if missing:
        raise ValueError(f"law parameters are missing {missing}; required keys are {_LAW_KEYS}")
    out = {}
    for key in _LAW_KEYS:
        arr = as_float_array(f"law parameter {key}", spec[key])
        out[key] = float(arr) if arr.ndim == 0 else arr
    return out


# --------------------------------------------------------------------------------------------
# Chinchilla law and its frontier
# --------------------------------------------------------------------------------------------


@elementwise
def chinchilla_loss(n_params, n_tokens, law=DEFAULT_LAW):
    """Chinchilla parametric loss.

    Parameters
    ----------
    n_params : float, ndarray or Series
        Model size N [parameters], > 0.
    n_tokens : float, ndarray or Series
        Training tokens D [tokens], > 0.
    law : str, Mapping or FitResult-like
        Parameter set, see :func:`law_parameters`.

    Returns
    -------
    float, ndarray or Series
        Final pre-training loss [nats/token].

    Notes
    -----
    Hoffmann et al. (2022) Eq. 2:

    .. math:: L(N, D) = E + A N^{-\\alpha} + B D^{-\\beta}

    Examples
    --------
    >>> round(chinchilla_loss(7.225e10, 1.329e12), 4)
    1.9744
    """
    p = law_parameters(law)
    n = as_float_array("n_params", n_params)
    d = as_float_array("n_tokens", n_tokens)
    return like(_chinchilla_loss(n, d, p), n_params, n_tokens, name="loss")


def _chinchilla_loss(n, d, p):
    """Unvalidated kernel of :func:`chinchilla_loss` (inputs checked by the caller; ``p`` as
    :func:`law_parameters` returns it)."""
    return p["E"] + p["A"] * n ** -p["alpha"] + p["B"] * d ** -p["beta"]


def _frontier_constants(p):
    """G [parameters^(1 - a) ...], a, b of the closed-form frontier (Hoffmann Eq. 4)."""
    alpha, beta = p["alpha"], p["beta"]
    g = (alpha * p["A"] / (beta * p["B"])) ** (1.0 / (alpha + beta))
    return g, beta / (alpha + beta), alpha / (alpha + beta)


def compute_optimal(compute_flop, law=DEFAULT_LAW) -> ComputeOptimal:
    """Loss-minimising model size and token count for a training budget.

    Parameters
    ----------
    compute_flop : float, ndarray or Series
        Training budget C [FLOP], > 0.
    law : str, Mapping or FitResult-like
        Parameter set, see :func:`law_parameters`. Array-valued parameters broadcast.

    Returns
    -------
    ComputeOptimal
        ``(n_params, n_tokens)``: N_opt [parameters] and D_opt [tokens], each the same kind as
        ``compute_flop``.

    Notes
    -----
    Minimising L(N, D) subject to :math:`C = 6 N D` (Hoffmann et al. 2022, Eq. 4):

    .. math::
        N_{opt} = G (C/6)^a,\\quad D_{opt} = G^{-1} (C/6)^b,\\quad
        G = \\left(\\frac{\\alpha A}{\\beta B}\\right)^{1/(\\alpha+\\beta)},\\quad
        a = \\frac{\\beta}{\\alpha+\\beta},\\quad b = \\frac{\\alpha}{\\alpha+\\beta}

    E does not move the optimum.
    """
    p = law_parameters(law)
    c = as_float_array("compute_flop", compute_flop)
    g, a, b = _frontier_constants(p)
    s = c / FLOP_PER_PARAM_PER_TOKEN
    n_opt = g * s**a
    d_opt = s**b / g
    return ComputeOptimal(
        like(n_opt, compute_flop, name="n_params"), like(d_opt, compute_flop, name="n_tokens")
    )


def optimal_tokens_for_params(n_params, law=DEFAULT_LAW):
    """Training tokens of a compute-optimal model of a given size.

    Parameters
    ----------
    n_params : float, ndarray or Series
        Model size N [parameters], > 0.
    law : str, Mapping or FitResult-like
        Parameter set, see :func:`law_parameters`.

    Returns
    -------
    float, ndarray or Series
        D_opt(N) [tokens], the token count at which N is the loss-minimising size.

    Notes
    -----
    Inverting Hoffmann et al. (2022) Eq. 4, :math:`N = G s^a`, :math:`D = s^b / G` with
    :math:`s = C/6`:

    .. math:: s = (N/G)^{1/a}, \\qquad D_{opt}(N) = G^{-1} (N/G)^{b/a}.
    """
    n = as_float_array("n_params", n_params)
    return like(_optimal_tokens_for_params(n, law_parameters(law)), n_params, name="n_tokens")


def _optimal_tokens_for_params(n, p):
    """Unvalidated kernel of :func:`optimal_tokens_for_params` (inputs checked by the caller;
    ``p`` as :func:`law_parameters` returns it)."""
    g, a, b = _frontier_constants(p)
    return (n / g) ** (b / a) / g


def optimal_params_for_tokens(n_tokens, law=DEFAULT_LAW):
    """Model size for which a token count is compute-optimal.

    Parameters
    ----------
    n_tokens : float, ndarray or Series
        Training tokens D [tokens], > 0.
    law : str, Mapping or FitResult-like
        Parameter set, see :func:`law_parameters`.

    Returns
    -------
    float, ndarray or Series
        N_opt(D) [parameters].

    Notes
    -----
    From Hoffmann et al. (2022) Eq. 4, :math:`s = (G D)^{1/b}` and
    :math:`N_{opt}(D) = G (G D)^{a/b}`.
    """
    d = as_float_array("n_tokens", n_tokens)
    g, a, b = _frontier_constants(law_parameters(law))
    return like(g * (g * d) ** (a / b), n_tokens, name="n_params")


def tokens_per_param(compute_flop, law=DEFAULT_LAW):
    """Compute-optimal tokens per parameter D_opt/N_opt at a budget [tokens/parameter].

    Notes
    -----
    :math:`D_{opt}/N_{opt} = G^{-2} (C/6)^{b-a}` (Hoffmann et al. 2022, Eq. 4). About 20 for
    Chinchilla's Approach 1 (Table 3); 18.4 at 5.76e23 FLOP with ``besiroglu2024``.
    """
    opt = compute_optimal(compute_flop, law)
    ratio = np.asarray(opt.n_tokens, dtype=float) / np.asarray(opt.n_params, dtype=float)
    return like(ratio, compute_flop, name="tokens_per_param")


def optimal_loss(compute_flop, law=DEFAULT_LAW):
    """Loss on the compute-optimal frontier, L(N_opt(C), D_opt(C)) [nats/token].

    Notes
    -----
    With :math:`s = C/6`, :math:`L = E + (A G^{-\\alpha} + B G^{\\beta})
    s^{-\\alpha\\beta/(\\alpha+\\beta)}`.
    """
    opt = compute_optimal(compute_flop, law)
    loss = chinchilla_loss(np.asarray(opt.n_params), np.asarray(opt.n_tokens), law)
    return like(loss, compute_flop, name="loss")


def reducible_loss(target_loss, law=DEFAULT_LAW):
    """How far a target loss lies above the law's irreducible loss.

    Parameters
    ----------
    target_loss : float, ndarray or Series
        Target loss L [nats/token], > E.
    law : str, Mapping or FitResult-like
        Parameter set, see :func:`law_parameters`.

    Returns
    -------
    float, ndarray or Series
        L - E [nats/token], > 0.

    Raises
    ------
    ValueError
        If a target is not above E: no finite model reaches it.
    """
    p = law_parameters(law)
    target = as_float_array("target_loss", target_loss)
    reducible = target - p["E"]
    if (np.asarray(reducible) <= 0).any():
        raise ValueError(
            f"target_loss must exceed the irreducible loss E={np.min(p['E']):.4g} nats/token of "
            f"the law; got minimum {target.min():.4g}"
        )
    return like(reducible, target_loss, name="reducible_loss")


def compute_for_loss(target_loss, law=DEFAULT_LAW):
    """Training compute at which the compute-optimal frontier reaches a target loss.

    Parameters
    ----------
    target_loss : float, ndarray or Series
        Target loss [nats/token]; must exceed the irreducible loss E of the law.
    law : str, Mapping or FitResult-like
        Parameter set, see :func:`law_parameters`.

    Returns
    -------
    float, ndarray or Series
        Compute C [FLOP] (same kind as ``target_loss``).

    Raises
    ------
    ValueError
        If a target is at or below E (unreachable at any compute).

    Notes
    -----
    Inverse of :func:`optimal_loss` (Besiroglu et al. 2024, notebook's policy functions):

    .. math:: C = 6 \\left(\\frac{L - E}{A G^{-\\alpha} + B G^{\\beta}}\\right)
              ^{-(\\alpha+\\beta)/(\\alpha\\beta)}
    """
    p = law_parameters(law)
    reducible = np.asarray(reducible_loss(target_loss, p))
    g, _, _ = _frontier_constants(p)
    alpha, beta = p["alpha"], p["beta"]
    k = p["A"] * g**-alpha + p["B"] * g**beta
    s = (reducible / k) ** (-(alpha + beta) / (alpha * beta))
    return like(FLOP_PER_PARAM_PER_TOKEN * s, target_loss, name="compute_flop")


@elementwise
def training_flop(n_params, n_tokens, *, n_layers=None, d_model=None, seq_len=None):
    """Training compute for a model of N parameters trained on D tokens.

    Parameters
    ----------
    n_params : float, ndarray or Series
        Parameters N [parameters], > 0.
    n_tokens : float, ndarray or Series
        Training tokens D [tokens], > 0.
    n_layers, d_model, seq_len : float, optional
        Number of layers, model width [dimensionless] and context length [tokens]. Give all
        three to add the attention-score term; give none for the plain 6ND rule.

    Returns
    -------
    float, ndarray or Series
        Training compute C [FLOP].

    Notes
    -----
    Default, Kaplan et al. (2020) Sec. 2.1 and Hoffmann et al. (2022) App. F:
    :math:`C = 6 N D`.

    With the attention term we follow **Kaplan et al. (2020) Table 1**: a forward pass costs
    :math:`2N + 2 n_{layer} n_{ctx} d_{attn}` FLOP per token (the context-dependent term is the
    attention "mask" / score computation, with :math:`d_{attn} = d_{model}`), and training is 3x
    the forward pass, so

    .. math:: C = D \\,(6 N + 6\\, n_{layer}\\, n_{ctx}\\, d_{model}).

    Kaplan's N counts non-embedding parameters. Chinchilla's App. F count differs (it counts
    the score and the value reductions separately and includes embeddings and logits; Table A4
    puts it within 0.99-1.10x of 6ND).
    """
    n = as_float_array("n_params", n_params)
    d = as_float_array("n_tokens", n_tokens)
    extras = {"n_layers": n_layers, "d_model": d_model, "seq_len": seq_len}
    given = [k for k, v in extras.items() if v is not None]
    flop_per_token = FLOP_PER_PARAM_PER_TOKEN * n
    if given:
        if len(given) != 3:
            missing = sorted(set(extras) - set(given))
            raise ValueError(
                "the attention term needs n_layers, d_model and seq_len together; "
                f"missing {missing}"
            )
        layers = as_float_array("n_layers", n_layers)
        width = as_float_array("d_model", d_model)
        context = as_float_array("seq_len", seq_len)
        flop_per_token = flop_per_token + FLOP_PER_PARAM_PER_TOKEN * layers * context * width
    return like(flop_per_token * d, n_params, n_tokens, name="compute_flop")


# --------------------------------------------------------------------------------------------
# Kaplan et al. (2020)
# --------------------------------------------------------------------------------------------


@elementwise
def kaplan_loss(n_params, n_tokens, *, constants="summary"):
    """Kaplan et al. (2020) joint loss L(N, D).

    Parameters
    ----------
    n_params : float, ndarray or Series
        Non-embedding parameters N [parameters], > 0.
    n_tokens : float, ndarray or Series
        Training tokens D [tokens], > 0.
    constants : {"summary", "joint_fit"}
        Which constants of :data:`KAPLAN2020` to use.

    Returns
    -------
    float, ndarray or Series
        Loss [nats/token] (WebText2, Kaplan's tokenizer).

    Notes
    -----
    Kaplan et al. (2020) Eq. 1.5:

    .. math:: L(N, D) = \\left[\\left(\\frac{N_c}{N}\\right)^{\\alpha_N/\\alpha_D}
              + \\frac{D_c}{D}\\right]^{\\alpha_D}

    With the ``"summary"`` constants, L(1e8, 1e7) = 4.36.
    """
    published = _kaplan2020()
    check_choice("constants", constants, list(published))
    k = published[constants]
    n = as_float_array("n_params", n_params)
    d = as_float_array("n_tokens", n_tokens)
    loss = ((k["n_c"] / n) ** (k["alpha_n"] / k["alpha_d"]) + k["d_c"] / d) ** k["alpha_d"]
    return like(loss, n_params, n_tokens, name="loss")


# --------------------------------------------------------------------------------------------
# Muennighoff et al. (2023): repeated data
# --------------------------------------------------------------------------------------------


def _check_r_star(r_star, name):
    r = float(r_star)
    if not r > 0:  # also refuses NaN
        raise ValueError(f"{name} must be > 0 (math.inf switches decay off), got {r_star!r}")
    return r


def _decayed(unique, repeats, r_star):
    """U + U R* (1 - exp(-R/R*)); tends to U (1 + R) as R* -> infinity."""
    if math.isinf(r_star):
        return unique * (1.0 + repeats)
    return unique + unique * r_star * (-np.expm1(-repeats / r_star))


@elementwise
def effective_tokens(n_tokens, unique_tokens, *, r_star_tokens=None):
    """Effective data D' when U unique tokens are repeated to D training tokens.

    Parameters
    ----------
    n_tokens : float, ndarray or Series
        Training tokens D [tokens], > 0.
    unique_tokens : float, ndarray or Series
        Unique tokens U_D [tokens], 0 < U_D <= D.
    r_star_tokens : float or None
        Decay constant R*_D [epochs]; ``math.inf`` gives D' = D (no decay). None: Muennighoff
        et al.'s (:data:`MUENNIGHOFF2023_DECAY`).

    Returns
    -------
    float, ndarray or Series
        D' [tokens].

    Notes
    -----
    Muennighoff et al. (2023) Eq. 5: :math:`R_D = D/U_D - 1`,
    :math:`D' = U_D + U_D R^*_D (1 - e^{-R_D/R^*_D})`. D' saturates at
    :math:`U_D (1 + R^*_D)`.
    """
    d = as_float_array("n_tokens", n_tokens)
    u = as_float_array("unique_tokens", unique_tokens)
    if (u > d).any():
        raise ValueError("unique_tokens must be <= n_tokens (a run cannot see more unique tokens "
                         "than it trains on)")
    r_star = _check_r_star(_muennighoff2023_decay()["r_star_tokens"] if r_star_tokens is None
                           else r_star_tokens, "r_star_tokens")
    out = _decayed(u, np.maximum(d / u - 1.0, 0.0), r_star)
    return like(out, n_tokens, unique_tokens, name="n_tokens")


def _params_for_tokens(n_tokens, p):
    """Compute-optimal N for a token count on the frontier of law p: N = G (D G)^(beta/alpha)."""
    g, _, _ = _frontier_constants(p)
    return g * (n_tokens * g) ** (p["beta"] / p["alpha"])


@elementwise
def effective_params(n_params, unique_tokens, *, law="muennighoff2023", r_star_params=None):
    """Effective parameters N' of a model larger than the unique data supports.

    Parameters
    ----------
    n_params : float, ndarray or Series
        Model size N [parameters], > 0.
    unique_tokens : float, ndarray or Series
        Unique tokens U_D [tokens], > 0.
    law : str, Mapping or FitResult-like
        Chinchilla law whose frontier gives U_N (default: Muennighoff's C4 fit).
    r_star_params : float or None
        Decay constant R*_N [dimensionless]; ``math.inf`` gives N' = N. None: Muennighoff et
        al.'s (:data:`MUENNIGHOFF2023_DECAY`).

    Returns
    -------
    float, ndarray or Series
        N' [parameters].

    Notes
    -----
    Muennighoff et al. (2023) Eq. 6: :math:`U_N = \\min(N_{opt}(U_D), N)` with N_opt the
    compute-optimal size for U_D tokens, :math:`R_N = \\max(N/U_N - 1, 0)`,
    :math:`N' = U_N + U_N R^*_N (1 - e^{-R_N/R^*_N})`.
    """
    p = law_parameters(law)
    n = as_float_array("n_params", n_params)
    u = as_float_array("unique_tokens", unique_tokens)
    r_star = _check_r_star(_muennighoff2023_decay()["r_star_params"] if r_star_params is None
                           else r_star_params, "r_star_params")
    u_n = np.minimum(n, _params_for_tokens(u, p))
    out = _decayed(u_n, np.maximum(n / u_n - 1.0, 0.0), r_star)
    return like(out, n_params, unique_tokens, name="n_params")


@elementwise
def data_constrained_loss(n_params, n_tokens, unique_tokens, law="muennighoff2023", *,
                          r_star_tokens=None, r_star_params=None):
    """Loss of a run that repeats a limited pool of unique tokens.

    Parameters
    ----------
    n_params : float, ndarray or Series
        Model size N [parameters].
    n_tokens : float, ndarray or Series
        Training tokens D [tokens].
    unique_tokens : float, ndarray or Series
        Unique tokens U_D [tokens], <= D.
    law : str, Mapping or FitResult-like
        Chinchilla parameters (default: Muennighoff's C4 fit, the set the decay constants were
        fitted with).
    r_star_tokens, r_star_params : float or None
        Decay constants; None: Muennighoff et al.'s (:data:`MUENNIGHOFF2023_DECAY`);
        ``math.inf`` for both recovers :func:`chinchilla_loss`.

    Returns
    -------
    float, ndarray or Series
        Loss [nats/token].

    Notes
    -----
    Muennighoff et al. (2023) Eq. 7: :math:`L = E + A/N'^\\alpha + B/D'^\\beta` with D', N' from
    :func:`effective_tokens` and :func:`effective_params`. The datablations README gives
    L(6.34e9, 242e9, 25e9) = 2.2256440889984477 and L(8.67e9, 178e9, 25e9) = 2.2269634075087867.
    """
    p = law_parameters(law)
    d_eff = np.asarray(effective_tokens(n_tokens, unique_tokens, r_star_tokens=r_star_tokens))
    n_eff = np.asarray(effective_params(n_params, unique_tokens, law=p,
                                        r_star_params=r_star_params))
    loss = p["E"] + p["A"] * n_eff ** -p["alpha"] + p["B"] * d_eff ** -p["beta"]
    return like(loss, n_params, n_tokens, unique_tokens, name="loss")
