"""The walls in front of very large models: data and power.

Two questions decide whether a model of, say, 100 trillion parameters can be trained at all,
before any question of money:

**Data wall.** A compute-optimal model of N parameters wants D_opt(N) training tokens (the
Chinchilla frontier of :mod:`scaling.laws`). The stock of public human-generated text is
finite: Villalobos et al. (2024) estimate an *effective* stock of about 3e14 tokens (90% CI
1e14-1e15), which already counts a 5x allowance for repeating data. :func:`data_wall_params`
gives the largest compute-optimal model a stock can feed. Beyond it, a run must repeat
its unique tokens; :func:`repetition_table` prices that with the data-constrained law of
Muennighoff et al. (2023) (repeated tokens and excess parameters lose value exponentially).

**Power wall.** A run of C FLOP finished within a time T needs C / (T x sustained FLOP/s per
accelerator) accelerators, each drawing its share of facility power.
:func:`facility_power_needed_w` gives the site power a deadline demands;
:func:`training_time_in_envelope_s` and :func:`compute_in_envelope_flop` invert it for a
power envelope (a 1.2 GW campus, a 5 GW "Stargate").

Sourced constants (text stocks with their confidence intervals, power envelopes of named
sites) live in ``data/limits.csv`` and are read with :func:`limits_table`,
:func:`text_stock` and :func:`power_envelope_w`.

References
----------
.. [1] P. Villalobos, A. Ho, J. Sevilla, T. Besiroglu, L. Heim, M. Hobbhahn, "Will we run out
   of data? Limits of LLM scaling based on human-generated data", ICML 2024,
   arXiv:2211.04325v2, https://arxiv.org/abs/2211.04325 -- Sec. 2.2-2.3, Fig. 1.
.. [2] N. Muennighoff et al., "Scaling Data-Constrained Language Models", NeurIPS 2023,
   arXiv:2305.16264, https://arxiv.org/abs/2305.16264 -- Eq. 5-7, App. A.
.. [3] J. Hoffmann et al., "Training Compute-Optimal Large Language Models", arXiv:2203.15556,
   https://arxiv.org/abs/2203.15556 -- Eq. 4 (closed-form frontier).
.. [4] J. Sevilla et al., "Can AI scaling continue through 2030?", Epoch AI (2024),
   https://epoch.ai/blog/can-ai-scaling-continue-through-2030 -- power constraints.
.. [5] Epoch AI, "GPU clusters documentation: estimation",
   https://epoch.ai/data/gpu-clusters-documentation/estimation -- cluster power
   = chips x TDP x chip-to-server multiplier x PUE.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from scaling import laws, solve
from scaling._validation import (
    as_float_array, check_choice, elementwise, like, scalar, unknown_name,
)
from scaling.assumptions import as_assumptions
from scaling.budget import DATA_STOCK_ROW
from scaling.chain import run_chain, setup
from scaling.clusters import Cluster, as_machine, facility_power_w, whole_accelerators_within
from scaling.data import load_table
from scaling.units import SECONDS_PER_DAY

__all__ = [
    "DEFAULT_EFFECTIVE_STOCK",
    "DEFAULT_UNIQUE_STOCK",
    "VILLALOBOS2024_EPOCH_MULTIPLIER",
    "REPETITION_LAW",
    "TextStock",
    "limits_table",
    "text_stock",
    "power_envelope_w",
    "tokens_for_params",
    "compute_for_params",
    "data_wall_params",
    "data_wall_compute_flop",
    "epochs_needed",
    "data_wall_table",
    "repetition_table",
    "repetition_loss_floor",
    "POWER_BASES",
    "accelerators_needed",
    "facility_power_needed_w",
    "training_time_in_envelope_s",
    "compute_in_envelope_flop",
    "power_wall_table",
    "facility_power_for_params_w",
    "training_time_for_params_s",
    "power_wall_params",
]

#: Stock compared with the tokens a run needs: the *effective* stock of public human text of
#: Villalobos et al. (2024), which already allows ~5 epochs of repetition (row of
#: ``data/limits.csv``).
DEFAULT_EFFECTIVE_STOCK = DATA_STOCK_ROW   # the budget search's data wall too (scaling.budget)

#: Stock of *unique* tokens fed to the data-constrained law: the effective stock divided by
#: Villalobos et al.'s 5x multi-epoch multiplier (row of ``data/limits.csv``).
DEFAULT_UNIQUE_STOCK = "villalobos2024_unique_stock"

#: Multi-epoch multiplier built into the effective stock [dimensionless]: Muennighoff et al.
#: put the maximum gain of repetition at 3x-15x, and Villalobos et al. (2024) Sec. 2.3.2 "reduce
#: it to 5x" because 15x would need an impractically large number of epochs.
VILLALOBOS2024_EPOCH_MULTIPLIER = 5.0

#: Parameter set used with the data-constrained law: the single-epoch C4 fit the decay
#: constants R*_D, R*_N were fitted with (Muennighoff et al. 2023, App. A).
REPETITION_LAW = "muennighoff2023"


_TEXT_KINDS = ("text_stock", "dataset")



class TextStock(NamedTuple):
    """A sourced estimate of a stock of text tokens."""

    tokens: float
    """Central estimate [tokens]."""
    tokens_ci_lower: float
    """Lower end of the confidence interval [tokens] (NaN if none was published)."""
    tokens_ci_upper: float
    """Upper end of the confidence interval [tokens] (NaN if none was published)."""
    ci_level: float
    """Confidence level of the interval (0.90 for a P5-P95 interval) [dimensionless]."""
    source: str
    """Title + URL or paper section."""


# --------------------------------------------------------------------------------------------
# sourced constants
# --------------------------------------------------------------------------------------------


def limits_table(kind: str | None = None):
    """The sourced limits in ``data/limits.csv``.

    Parameters
    ----------
    kind : {"text_stock", "dataset", "power_envelope"}, optional
        Keep only rows of that kind (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per estimate, indexed by ``name``, with columns ``kind``, ``tokens``,
        ``tokens_ci_lower``, ``tokens_ci_upper`` [tokens], ``ci_level``, ``power_w`` [W],
        ``compute_flop`` [FLOP], ``year``, ``status``, ``description`` and ``source``.
    """
    table = load_table("limits").set_index("name")
    if kind is None:
        return table
    check_choice("kind", kind, sorted(table["kind"].unique()))
    return table[table["kind"] == kind]


def text_stock(name: str = DEFAULT_EFFECTIVE_STOCK) -> TextStock:
    """A stock of text tokens with its confidence interval.

    Parameters
    ----------
    name : str
        Row of ``data/limits.csv`` of kind ``text_stock`` or ``dataset`` (default: the effective
        stock of Villalobos et al. 2024).

    Returns
    -------
    TextStock

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid ones).
    """
    table = limits_table()
    rows = table[table["kind"].isin(_TEXT_KINDS)]
    if name not in rows.index:
        raise unknown_name("text stock", name, list(rows.index))
    row = rows.loc[name]
    return TextStock(
        tokens=float(row["tokens"]),
        tokens_ci_lower=float(row["tokens_ci_lower"]),
        tokens_ci_upper=float(row["tokens_ci_upper"]),
        ci_level=float(row["ci_level"]),
        source=str(row["source"]),
    )


def power_envelope_w(name: str) -> float:
    """Power of a named site or projection in ``data/limits.csv`` [W].

    Parameters
    ----------
    name : str
        Row of kind ``power_envelope``, e.g. ``"stargate_abilene"`` (1.2 GW).

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid ones).
    """
    rows = limits_table("power_envelope")
    if name not in rows.index:
        raise unknown_name("power envelope", name, list(rows.index))
    return float(rows.loc[name, "power_w"])


# --------------------------------------------------------------------------------------------
# data wall
# --------------------------------------------------------------------------------------------


def _ratio(tokens_per_param):
    ratio = as_float_array("tokens_per_param", tokens_per_param)
    return float(ratio) if ratio.ndim == 0 else ratio


def tokens_for_params(n_params, law=laws.DEFAULT_LAW, *, tokens_per_param=None):
    """Training tokens a compute-optimal model of a given size wants.

    Parameters
    ----------
    n_params : float, ndarray or Series
        Model size N [parameters], > 0.
    law : str, Mapping or FitResult-like
        Chinchilla parameter set, see :func:`scaling.laws.law_parameters`.
    tokens_per_param : float, optional
        Fixed policy D = k N [tokens/parameter] instead of the law's frontier (e.g. 20, the
        Chinchilla rule of thumb used by Villalobos et al. 2024).

    Returns
    -------
    float, ndarray or Series
        D_opt(N) [tokens].

    Notes
    -----
    Without a fixed policy this is :func:`scaling.laws.optimal_tokens_for_params`.
    """
    n = as_float_array("n_params", n_params)
    if tokens_per_param is not None:
        return like(n * _ratio(tokens_per_param), n_params, name="n_tokens")
    return laws.optimal_tokens_for_params(n_params, law)


def compute_for_params(n_params, law=laws.DEFAULT_LAW, *, tokens_per_param=None):
    """Training compute of a compute-optimal model of a given size [FLOP].

    Notes
    -----
    :math:`C = 6 N D_{opt}(N)`, see :func:`tokens_for_params`.
    """
    tokens = tokens_for_params(n_params, law, tokens_per_param=tokens_per_param)
    flop = laws.training_flop(np.asarray(n_params, dtype=float), np.asarray(tokens))
    return like(flop, n_params, name="compute_flop")


def data_wall_params(stock_tokens, law=laws.DEFAULT_LAW, *, tokens_per_param=None):
    """Largest compute-optimal model a stock of training tokens can feed.

    Parameters
    ----------
    stock_tokens : float, ndarray or Series
        Tokens available for training [tokens], > 0 (e.g. the effective stock of
        :func:`text_stock`).
    law : str, Mapping or FitResult-like
        Chinchilla parameter set.
    tokens_per_param : float, optional
        Fixed policy D = k N [tokens/parameter] instead of the law's frontier.

    Returns
    -------
    float, ndarray or Series
        N_wall [parameters] such that D_opt(N_wall) = stock.

    Notes
    -----
    From Hoffmann et al. (2022) Eq. 4, :math:`s = (G D)^{1/b}` and

    .. math:: N_{wall} = G \\, (G \\, D_{stock})^{a/b}.

    With a fixed policy, :math:`N_{wall} = D_{stock} / k`.
    """
    stock = as_float_array("stock_tokens", stock_tokens)
    if tokens_per_param is not None:
        return like(stock / _ratio(tokens_per_param), stock_tokens, name="n_params")
    return laws.optimal_params_for_tokens(stock_tokens, law)


def data_wall_compute_flop(stock_tokens, law=laws.DEFAULT_LAW, *, tokens_per_param=None):
    """Training compute at which a compute-optimal run uses the whole stock [FLOP].

    Notes
    -----
    :math:`C_{wall} = 6 N_{wall} D_{stock}` with :math:`N_{wall}` from
    :func:`data_wall_params`. Villalobos et al. (2024, Fig. 1) put a ~4e14-token stock at
    ~5e28 FLOP for 20 tokens per parameter.
    """
    n_wall = data_wall_params(stock_tokens, law, tokens_per_param=tokens_per_param)
    flop = laws.training_flop(np.asarray(n_wall), np.asarray(stock_tokens, dtype=float))
    return like(flop, stock_tokens, name="compute_flop")


@elementwise
def epochs_needed(n_tokens, unique_tokens):
    """Passes over a pool of unique tokens needed to train on D tokens, D / U [epochs].

    Parameters
    ----------
    n_tokens : float, ndarray or Series
        Training tokens D [tokens], > 0.
    unique_tokens : float, ndarray or Series
        Unique tokens available U [tokens], > 0.

    Returns
    -------
    float, ndarray or Series
        D / U [epochs]; values below 1 mean the pool is not exhausted.
    """
    d = as_float_array("n_tokens", n_tokens)
    u = as_float_array("unique_tokens", unique_tokens)
    return like(d / u, n_tokens, unique_tokens, name="epochs")


def data_wall_table(n_params, *, law=laws.DEFAULT_LAW, stock_tokens=None, unique_tokens=None,
                    tokens_per_param=None):
    """Tokens and compute of compute-optimal models against the stock of text.

    Parameters
    ----------
    n_params : array_like
        Model sizes [parameters].
    law : str, Mapping or FitResult-like
        Chinchilla parameter set for D_opt(N).
    stock_tokens : float, optional
        Tokens a run may train on [tokens] (default: the effective stock of
        :data:`DEFAULT_EFFECTIVE_STOCK`, central value).
    unique_tokens : float, optional
        Unique tokens [tokens] (default: :data:`DEFAULT_UNIQUE_STOCK`, central value).
    tokens_per_param : float, optional
        Fixed policy D = k N instead of the law's frontier.

    Returns
    -------
    pandas.DataFrame
        One row per size: ``n_params``, ``n_tokens`` (D_opt), ``tokens_per_param``,
        ``compute_flop``, ``stock_tokens``, ``stock_fraction`` (D_opt / stock; above 1 the
        wall bites), ``epochs_over_unique`` (D_opt / U) and ``beyond_wall`` (bool).
    """
    import pandas as pd

    n = np.atleast_1d(as_float_array("n_params", n_params))
    stock = text_stock(DEFAULT_EFFECTIVE_STOCK).tokens if stock_tokens is None else stock_tokens
    unique = text_stock(DEFAULT_UNIQUE_STOCK).tokens if unique_tokens is None else unique_tokens
    stock = float(as_float_array("stock_tokens", stock))
    unique = float(as_float_array("unique_tokens", unique))
    tokens = np.asarray(tokens_for_params(n, law, tokens_per_param=tokens_per_param))
    fraction = tokens / stock
    return pd.DataFrame({
        "n_params": n,
        "n_tokens": tokens,
        "tokens_per_param": tokens / n,
        "compute_flop": np.asarray(laws.training_flop(n, tokens)),
        "stock_tokens": stock,
        "stock_fraction": fraction,
        "epochs_over_unique": np.asarray(epochs_needed(tokens, unique)),
        "beyond_wall": fraction > 1.0,
    })


def repetition_table(n_params, unique_tokens, epochs, *, law=REPETITION_LAW):
    """Loss of one model trained for a growing number of epochs over a fixed unique stock.

    Parameters
    ----------
    n_params : float
        Model size N [parameters], > 0.
    unique_tokens : float
        Unique tokens U_D [tokens], > 0.
    epochs : array_like
        Passes over the unique tokens [epochs], each >= 1 (D = epochs x U_D).
    law : str, Mapping or FitResult-like
        Chinchilla parameters of the data-constrained law (default: Muennighoff et al.'s C4 fit,
        the set the decay constants were fitted with).

    Returns
    -------
    pandas.DataFrame
        One row per epoch count: ``epochs``, ``n_tokens`` (D), ``effective_tokens`` (D'),
        ``effective_data_fraction`` (D'/D), ``effective_params`` (N'), ``compute_flop``
        (6 N D), ``loss`` (data-constrained), ``loss_unique_data`` (same N and D if every
        token were new), ``loss_penalty`` = loss - loss_unique_data [nats/token],
        ``equivalent_compute_flop`` (compute at which the same law's compute-optimal frontier,
        with unlimited unique data, reaches ``loss``) and ``compute_efficiency`` =
        equivalent_compute_flop / compute_flop (1 = nothing wasted).

    Raises
    ------
    ValueError
        Epoch counts below 1, NaN, or non-positive sizes.

    Notes
    -----
    Muennighoff et al. (2023) Eq. 5-7 via :func:`scaling.laws.data_constrained_loss`:
    :math:`R_D = D/U_D - 1`, :math:`D' = U_D + U_D R^*_D (1 - e^{-R_D/R^*_D})`, likewise N',
    and :math:`L = E + A/N'^\\alpha + B/D'^\\beta`. With unique data (U_D = D) only the
    excess-parameter decay remains, so ``loss_penalty`` isolates the cost of repetition.
    The equivalent compute inverts the frontier, :func:`scaling.laws.compute_for_loss`.
    """
    import pandas as pd

    n = scalar("n_params", n_params)
    u = scalar("unique_tokens", unique_tokens)
    ep = np.atleast_1d(as_float_array("epochs", epochs))
    if (ep < 1).any():
        raise ValueError(
            f"epochs must be >= 1 (D = epochs x unique tokens); got minimum {ep.min()!r}")
    d = ep * u
    loss = np.asarray(laws.data_constrained_loss(n, d, u, law))
    loss_unique = np.asarray(laws.data_constrained_loss(n, d, d, law))
    d_eff = np.asarray(laws.effective_tokens(d, u))
    equivalent = np.asarray(laws.compute_for_loss(loss, law))
    compute = np.asarray(laws.training_flop(n, d))
    return pd.DataFrame({
        "epochs": ep,
        "n_tokens": d,
        "effective_tokens": d_eff,
        "effective_data_fraction": d_eff / d,
        "effective_params": float(laws.effective_params(n, u, law=law)),
        "compute_flop": compute,
        "loss": loss,
        "loss_unique_data": loss_unique,
        "loss_penalty": loss - loss_unique,
        "equivalent_compute_flop": equivalent,
        "compute_efficiency": equivalent / compute,
    })


@elementwise
def repetition_loss_floor(n_params, unique_tokens, *, law=REPETITION_LAW, r_star_tokens=None,
                          r_star_params=None):
    """Lowest loss repetition can reach: infinitely many epochs over a fixed unique stock.

    Parameters
    ----------
    n_params : float, ndarray or Series
        Model size N [parameters], > 0.
    unique_tokens : float, ndarray or Series
        Unique tokens U_D [tokens], > 0.
    law : str, Mapping or FitResult-like
        Chinchilla parameters of the data-constrained law.
    r_star_tokens, r_star_params : float or None
        Decay constants [dimensionless], > 0 and finite; None: Muennighoff et al.'s
        (:data:`scaling.laws.MUENNIGHOFF2023_DECAY`, read at call time so that
        :func:`scaling.data.reload` reaches it).

    Returns
    -------
    float, ndarray or Series
        Loss floor [nats/token].

    Notes
    -----
    As :math:`R_D \\to \\infty`, :math:`D' \\to U_D (1 + R^*_D)` (Muennighoff et al. 2023,
    Eq. 5), so :math:`L_\\infty = E + A/N'^\\alpha + B / (U_D (1 + R^*_D))^\\beta`.
    """
    if r_star_tokens is None:
        r_star_tokens = laws.MUENNIGHOFF2023_DECAY["r_star_tokens"]
    if not (math.isfinite(float(r_star_tokens)) and float(r_star_tokens) > 0):
        raise ValueError(f"r_star_tokens must be finite and > 0 for a floor; got {r_star_tokens!r}")
    p = laws.law_parameters(law)
    n = as_float_array("n_params", n_params)
    u = as_float_array("unique_tokens", unique_tokens)
    n_eff = np.asarray(laws.effective_params(n, u, law=p, r_star_params=r_star_params))
    d_eff = u * (1.0 + float(r_star_tokens))
    floor = p["E"] + p["A"] * n_eff ** -p["alpha"] + p["B"] * d_eff ** -p["beta"]
    return like(floor, n_params, unique_tokens, name="loss")


# --------------------------------------------------------------------------------------------
# power wall
# --------------------------------------------------------------------------------------------

#: How facility power per accelerator is counted. ``"peak"``: provisioned power, chip TDP x
#: chip-to-server multiplier x PUE (Epoch's GPU-cluster power formula, the figure a site's
#: power envelope must cover); ``"average"``: additionally x the average fraction of server TDP
#: drawn in training (Epoch cost model; use for energy).
POWER_BASES = ("peak", "average")


def _machine(accelerator, assumptions):
    """The door of the power-wall functions: a chip name or object, or a Cluster (its
    accelerator, PUE, resilience, region and bandwidth), with the assumptions."""
    machine = accelerator if isinstance(accelerator, Cluster) else as_machine(
        accelerator=accelerator, count_required=False)
    return setup(machine, as_assumptions(assumptions))


def _power_per_accelerator_w(machine, power_basis) -> float:
    """Facility power of one accelerator of the machine [W] (the chain's power stage)."""
    check_choice("power_basis", power_basis, POWER_BASES)
    x = machine.constants
    fraction = x["server_power_fraction"] if power_basis == "average" else 1.0
    return float(facility_power_w(1, x["tdp_w"], x["chip_to_server_power"], x["pue"],
                                  server_power_fraction=fraction))


def _envelope_count(power_w, machine, power_basis):
    """Whole accelerators a power envelope holds (no fractional chip)."""
    power = np.asarray(as_float_array("power_w", power_w))
    return np.asarray(whole_accelerators_within(
        power, _power_per_accelerator_w(machine, power_basis)))


def _needed(compute_flop, time_s, machine, law, n_params=None):
    """The solver's answer for each (compute, deadline): the count and the chain there."""
    compute = np.asarray(as_float_array("compute_flop", compute_flop))
    time = np.asarray(as_float_array("time_s", time_s))
    size = (np.asarray(laws.compute_optimal(compute, law).n_params, dtype=float)
            if n_params is None else n_params)
    return solve.accelerators_for_deadline(machine, compute, time, n_params=size,
                                           strict=False)


_HARDWARE_DOC = """
    accelerator : Accelerator, str or Cluster
        The chip (or a catalog name). A :class:`scaling.Cluster` contributes its
        accelerator, PUE, resilience, region and scale-out bandwidth, and its MFU unless the
        assumptions set one.
    law : str, Mapping or FitResult-like
        The law whose compute-optimal model of each compute is trained (its checkpoint and,
        with the step-time model, its shape).
    assumptions : Assumptions, optional
        MFU, precision, PUE, failures and recovery of the chain (:class:`scaling.Assumptions`);
        goodput is the chain's (``Assumptions(include_failures=False)`` for the failure-free
        bound).
    power_basis : {"peak", "average"}
        ``"peak"``: provisioned power a site must supply (default); ``"average"``: mean draw
        during training (for energy). See :data:`POWER_BASES`."""


@elementwise
def accelerators_needed(compute_flop, time_s, *, accelerator, law=laws.DEFAULT_LAW,
                        assumptions=None):
    """Accelerators needed to finish a training run within a deadline.

    Parameters
    ----------
    compute_flop : float, ndarray or Series
        Training compute C [FLOP], > 0.
    time_s : float, ndarray or Series
        Wall-clock deadline T [s], > 0.
    {hardware}

    Returns
    -------
    float, ndarray or Series
        n [accelerators] (not rounded up); NaN where no count finishes in time (the
        batch-size wall, failures outgrowing throughput, or a model whose training state does
        not fit at any count).

    Notes
    -----
    :func:`scaling.solve.accelerators_for_deadline` for the compute-optimal model of C:
    :math:`n = C / (T\\,P_{peak}\\,\\mathrm{MFU}(n)\\,G(n))`.
    """
    machine = _machine(accelerator, assumptions)
    solution = _needed(compute_flop, time_s, machine, law)
    return like(np.asarray(solution.value), compute_flop, time_s, name="n_accelerators")


@elementwise
def facility_power_needed_w(compute_flop, time_s, *, accelerator, law=laws.DEFAULT_LAW,
                            assumptions=None, power_basis="peak"):
    """Facility power needed to finish a training run within a deadline [W].

    Parameters
    ----------
    compute_flop : float, ndarray or Series
        Training compute C [FLOP], > 0.
    time_s : float, ndarray or Series
        Wall-clock deadline T [s], > 0.
    {hardware}

    Returns
    -------
    float, ndarray or Series
        Facility power P [W] of the :func:`accelerators_needed` count (NaN where none).

    Notes
    -----
    .. math:: P = n \\cdot P_{TDP} \\cdot k_{server} \\cdot f \\cdot \\mathrm{PUE}

    with f = 1 for ``"peak"`` (:func:`scaling.clusters.facility_power_w`).
    """
    machine = _machine(accelerator, assumptions)
    per_accelerator = _power_per_accelerator_w(machine, power_basis)
    count = np.asarray(_needed(compute_flop, time_s, machine, law).value)
    return like(count * per_accelerator, compute_flop, time_s, name="power_w")


@elementwise
def training_time_in_envelope_s(compute_flop, power_w, *, accelerator, law=laws.DEFAULT_LAW,
                                assumptions=None, power_basis="peak"):
    """Wall-clock time to train C FLOP on every accelerator a power envelope holds [s].

    Parameters
    ----------
    compute_flop : float, ndarray or Series
        Training compute C [FLOP], > 0.
    power_w : float, ndarray or Series
        Facility power envelope P [W], > 0, all of it spent on accelerators of one kind.
    {hardware}

    Returns
    -------
    float, ndarray or Series
        T [s] (NaN where no layout of the compute-optimal model fits the envelope).

    Notes
    -----
    The forward chain on the :math:`\\lfloor P / p_{acc} \\rfloor` accelerators the envelope
    holds (:math:`p_{acc}` the facility power per accelerator).
    """
    machine = _machine(accelerator, assumptions)
    compute = np.asarray(as_float_array("compute_flop", compute_flop))
    count = _envelope_count(power_w, machine, power_basis)
    size = np.asarray(laws.compute_optimal(compute, law).n_params, dtype=float)
    inputs = machine.inputs(compute, np.maximum(count, 1.0), n_params=size,
                            on_infeasible="nan")
    bad = ~np.isfinite(np.asarray(inputs["mfu"], dtype=float)) | (count < 1)
    inputs["mfu"] = np.where(bad, 1.0, inputs["mfu"])
    time = np.asarray(run_chain(inputs, include_failures=machine.assumptions.include_failures)[
        "time_s"])
    return like(np.where(bad, np.nan, time), compute_flop, power_w, name="time_s")


@elementwise
def compute_in_envelope_flop(power_w, time_s, *, accelerator, law=laws.DEFAULT_LAW,
                             assumptions=None, power_basis="peak"):
    """Largest training compute a power envelope delivers within a time [FLOP].

    Parameters
    ----------
    power_w : float, ndarray or Series
        Facility power envelope P [W], > 0.
    time_s : float, ndarray or Series
        Wall-clock time T [s], > 0.
    {hardware}

    Returns
    -------
    float, ndarray or Series
        C [FLOP] (NaN where nothing finishes).

    Notes
    -----
    :func:`scaling.solve.compute_for_deadline` on the accelerators the envelope holds; the
    inverse of :func:`training_time_in_envelope_s` in C. Sevilla et al. (2024) put a 1-5 GW
    campus at 1e28-3e29 FLOP by 2030, assuming better chips than today's.
    """
    machine = _machine(accelerator, assumptions)
    count = _envelope_count(power_w, machine, power_basis)
    time = np.asarray(as_float_array("time_s", time_s))
    solution = solve.compute_for_deadline(machine, time, n_accelerators=np.maximum(count, 1.0),
                                          law=law, strict=False)
    compute = np.where(np.broadcast_to(count, np.shape(solution.value)) >= 1,
                       np.asarray(solution.value), np.nan)
    return like(compute, power_w, time_s, name="compute_flop")


def power_wall_table(n_params, time_s, *, accelerator, law=laws.DEFAULT_LAW,
                     tokens_per_param=None, assumptions=None, scenario=None):
    """Accelerators and facility power to train models by a deadline.

    Parameters
    ----------
    n_params : array_like
        Model sizes [parameters].
    time_s : float
        Deadline [s], > 0.
    accelerator, assumptions
        See :func:`facility_power_needed_w`.
    law, tokens_per_param
        Training-token policy, see :func:`tokens_for_params`.
    scenario : str, optional
        Label copied into a ``scenario`` column (default: accelerator, precision, days).

    Returns
    -------
    pandas.DataFrame
        One row per size: ``scenario``, ``n_params``, ``n_tokens``, ``compute_flop``,
        ``time_s``, ``n_accelerators``, ``facility_power_w`` (peak, what the site must supply)
        and ``average_power_w`` (mean draw), ``energy_j`` (at the average power over the
        deadline); NaN for a size no count of the accelerator trains in time.
    """
    import pandas as pd

    n = np.atleast_1d(as_float_array("n_params", n_params))
    t = scalar("time_s", time_s)
    tokens = np.asarray(tokens_for_params(n, law, tokens_per_param=tokens_per_param))
    compute = np.asarray(laws.training_flop(n, tokens))
    machine = _machine(accelerator, assumptions)
    solution = _needed(compute, t, machine, law, n_params=n)
    met = np.asarray(solution.met, dtype=bool)
    values = solution.values
    if scenario is None:
        scenario = (f"{machine.accelerator.name} {machine.assumptions.precision}, "
                    f"{t / SECONDS_PER_DAY:.0f} days")
    average = np.where(met, values["facility_power_w"], np.nan)
    return pd.DataFrame({
        "scenario": scenario, "n_params": n, "n_tokens": tokens, "compute_flop": compute,
        "time_s": t, "n_accelerators": np.asarray(solution.value),
        "facility_power_w": np.where(met, values["peak_facility_power_w"], np.nan),
        "average_power_w": average, "energy_j": average * t,
    })


@elementwise
def facility_power_for_params_w(n_params, time_s, *, accelerator, law=laws.DEFAULT_LAW,
                                tokens_per_param=None, assumptions=None, power_basis="peak"):
    """Facility power to train a model of N parameters by a deadline [W].

    Parameters
    ----------
    n_params : float, ndarray or Series
        Model size N [parameters], > 0.
    time_s : float, ndarray or Series
        Deadline [s], > 0.
    tokens_per_param
        Training-token policy, see :func:`tokens_for_params`.
    {hardware}

    Notes
    -----
    The facility power of :func:`scaling.solve.accelerators_for_deadline` for the compute of
    :func:`compute_for_params`.
    """
    machine = _machine(accelerator, assumptions)
    n = np.asarray(as_float_array("n_params", n_params))
    compute = np.asarray(compute_for_params(n, law, tokens_per_param=tokens_per_param))
    count = np.asarray(_needed(compute, time_s, machine, law, n_params=n).value)
    power = count * _power_per_accelerator_w(machine, power_basis)
    return like(power, n_params, time_s, name="power_w")


@elementwise
def training_time_for_params_s(n_params, power_w, *, accelerator, law=laws.DEFAULT_LAW,
                               tokens_per_param=None, assumptions=None, power_basis="peak"):
    """Wall-clock time to train a model of N parameters in a power envelope [s].

    Parameters
    ----------
    n_params : float, ndarray or Series
        Model size N [parameters], > 0.
    power_w : float, ndarray or Series
        Facility power envelope [W], > 0.
    tokens_per_param
        Training-token policy, see :func:`tokens_for_params`.
    {hardware}

    Notes
    -----
    :func:`training_time_in_envelope_s` of :func:`compute_for_params`.
    """
    compute = compute_for_params(n_params, law, tokens_per_param=tokens_per_param)
    time = training_time_in_envelope_s(compute, power_w, accelerator=accelerator, law=law,
                                       assumptions=assumptions, power_basis=power_basis)
    return like(time, n_params, power_w, name="time_s")


@elementwise
def power_wall_params(power_w, time_s, *, accelerator, law=laws.DEFAULT_LAW, assumptions=None,
                      power_basis="peak"):
    """Largest compute-optimal model a power envelope trains within a time [parameters].

    Parameters
    ----------
    power_w : float, ndarray or Series
        Facility power envelope [W], > 0.
    time_s : float, ndarray or Series
        Wall-clock time [s], > 0.
    {hardware}

    Returns
    -------
    float, ndarray or Series
        N [parameters]; NaN where the envelope holds no whole accelerator or no compute
        finishes in time (as :func:`compute_in_envelope_flop`).

    Notes
    -----
    :math:`N_{opt}(C)` of :func:`scaling.laws.compute_optimal` at the compute
    :func:`compute_in_envelope_flop` delivers; inverse of :func:`facility_power_for_params_w`.
    """
    compute = compute_in_envelope_flop(power_w, time_s, accelerator=accelerator, law=law,
                                       assumptions=assumptions, power_basis=power_basis)
    compute = np.asarray(compute, dtype=float)
    fits = np.isfinite(compute)       # NaN where the envelope holds no accelerator
    n_opt = np.asarray(laws.compute_optimal(np.where(fits, compute, 1.0), law).n_params)
    return like(np.where(fits, n_opt, np.nan), power_w, time_s, name="n_params")


for _function in (accelerators_needed, facility_power_needed_w, training_time_in_envelope_s,
                  compute_in_envelope_flop, facility_power_for_params_w,
                  training_time_for_params_s, power_wall_params):
    _function.__doc__ = _function.__doc__.replace("    {hardware}", _HARDWARE_DOC.strip("\n"))
del _function
