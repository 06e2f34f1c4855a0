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

from scaling import laws
from scaling._validation import (
    as_float_array, check_choice, check_fraction, like, scalar, unknown_name,
)
from scaling.assumptions import as_assumptions
from scaling.chain import accelerators_for_deadline, chain_inputs, run_chain, training_time_s
from scaling.clusters import Cluster, energy_j
from scaling.data import load_table
from scaling.errors import InfeasibleRunError
from scaling.hardware import as_accelerator
from scaling.units import SECONDS_PER_DAY

__all__ = [
    "DEFAULT_EFFECTIVE_STOCK",
    "DEFAULT_UNIQUE_STOCK",
    "VILLALOBOS2024_EPOCH_MULTIPLIER",
    "REPETITION_LAW",
    "LLAMA3_EFFECTIVE_TRAINING_FRACTION",
    "TextStock",
    "limits_table",
    "text_stock",
    "power_envelope_w",
    "optimal_tokens_for_params",
    "optimal_compute_for_params",
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
DEFAULT_EFFECTIVE_STOCK = "villalobos2024_effective_stock"

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

#: Fraction of wall-clock time that was effective training in the Llama 3 405B pre-training
#: ("higher than 90% effective training time"), Llama Team (2024), "The Llama 3 Herd of
#: Models", arXiv:2407.21783, Sec. 3.3.4. Default goodput of the power-wall functions.
LLAMA3_EFFECTIVE_TRAINING_FRACTION = 0.9

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


def optimal_tokens_for_params(n_params, law=laws.DEFAULT_LAW, *, tokens_per_param=None):
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


def optimal_compute_for_params(n_params, law=laws.DEFAULT_LAW, *, tokens_per_param=None):
    """Training compute of a compute-optimal model of a given size [FLOP].

    Notes
    -----
    :math:`C = 6 N D_{opt}(N)`, see :func:`optimal_tokens_for_params`.
    """
    tokens = optimal_tokens_for_params(n_params, law, tokens_per_param=tokens_per_param)
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
    tokens = np.asarray(optimal_tokens_for_params(n, law, tokens_per_param=tokens_per_param))
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


def repetition_loss_floor(n_params, unique_tokens, *, law=REPETITION_LAW,
                          r_star_tokens=laws.MUENNIGHOFF2023_DECAY["r_star_tokens"],
                          r_star_params=laws.MUENNIGHOFF2023_DECAY["r_star_params"]):
    """Lowest loss repetition can reach: infinitely many epochs over a fixed unique stock.

    Parameters
    ----------
    n_params : float, ndarray or Series
        Model size N [parameters], > 0.
    unique_tokens : float, ndarray or Series
        Unique tokens U_D [tokens], > 0.
    law : str, Mapping or FitResult-like
        Chinchilla parameters of the data-constrained law.
    r_star_tokens, r_star_params : float
        Decay constants (:data:`scaling.laws.MUENNIGHOFF2023_DECAY`), > 0 and finite.

    Returns
    -------
    float, ndarray or Series
        Loss floor [nats/token].

    Notes
    -----
    As :math:`R_D \\to \\infty`, :math:`D' \\to U_D (1 + R^*_D)` (Muennighoff et al. 2023,
    Eq. 5), so :math:`L_\\infty = E + A/N'^\\alpha + B / (U_D (1 + R^*_D))^\\beta`.
    """
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


def _per_accelerator(accelerator, assumptions, power_basis):
    """(Accelerator, sustained model FLOP/s [FLOP/s], facility power [W]) of one accelerator,
    from the chain's throughput and power stages, at a constant MFU (the assumptions' or the
    cluster's, else the generation default; the step-time MFU comes from :func:`_mfu`)."""
    check_choice("power_basis", power_basis, POWER_BASES)
    cluster = accelerator if isinstance(accelerator, Cluster) else None
    chip = cluster.accelerator if cluster is not None else as_accelerator(accelerator)
    a = as_assumptions(assumptions)
    values = run_chain(chain_inputs(1.0, accelerator=chip, n_accelerators=1.0,
                                    assumptions=a.replace(utilisation="generation_default"),
                                    cluster=cluster),
                       include_failures=False)
    power = values["peak_facility_power_w" if power_basis == "peak" else "facility_power_w"]
    return chip, float(values["sustained_flop_per_s"]), float(power)


def _step_time(accelerator, assumptions):
    """(cluster or None, chip, assumptions, peak [FLOP/s]) when the MFU comes from the
    step-time model, else None."""
    cluster = accelerator if isinstance(accelerator, Cluster) else None
    chip = cluster.accelerator if cluster is not None else as_accelerator(accelerator)
    a = as_assumptions(assumptions)
    if a.mfu is not None or (cluster is not None and cluster.mfu is not None) \
            or a.utilisation != "step_time":
        return None
    return cluster, chip, a, chip.peak_flop_per_s(a.precision)


def _mfu(setup, compute_flop, n_accelerators):
    """Step-time MFU of the compute-optimal run of each compute on each count (element-wise;
    the shape of the compute-optimal model under :data:`scaling.laws.DEFAULT_LAW`)."""
    cluster, chip, a, _ = setup
    c, n = np.broadcast_arrays(np.asarray(compute_flop, dtype=float),
                               np.asarray(n_accelerators, dtype=float))
    out = np.empty(c.shape)
    for idx in np.ndindex(c.shape):
        count = float(n[idx])
        if not math.isfinite(count) or count > _MAX_COUNT:
            out[idx] = math.nan
            continue
        try:
            inputs = chain_inputs(float(c[idx]), accelerator=chip,
                                  n_accelerators=max(1.0, float(round(count))), assumptions=a,
                                  cluster=cluster)
        except InfeasibleRunError:
            out[idx] = math.nan
            continue
        out[idx] = float(inputs["mfu"])
    return out


#: Largest accelerator count the step-time power-wall inversions plan for (beyond it the
#: answer is NaN: no count finishes in time, the batch-size wall or memory stops the run).
_MAX_COUNT = 1e12


#: Fixed-point iterations of the step-time power-wall inversions (the count for a deadline,
#: stopping when the rounded count repeats; the compute for an envelope, at this relative
#: tolerance): the MFU is the plan's at the final value.
_FIXED_POINT_ITERATIONS = 30
_FIXED_POINT_RTOL = 1e-9


#: Bisections (in ln of the count or the compute) that locate a jump of the step-time MFU
#: when a fixed point cycles across it.
_JUMP_BISECTIONS = 30


def _settle(value, step, feasible):
    """Fixed point of ``step`` from ``value``; where it cycles across a jump of the MFU,
    the boundary between the feasible and the infeasible values seen, by bisection in ln."""
    seen = []
    for _ in range(_FIXED_POINT_ITERATIONS):
        new = step(value)
        if not math.isfinite(new):
            return math.nan
        if abs(new - value) <= _FIXED_POINT_RTOL * abs(new):
            return new
        seen.append(value)
        value = new
    seen.append(value)
    good = sorted(v for v in seen if feasible(v))
    bad = sorted(v for v in seen if not feasible(v))
    if not good or not bad:
        return value
    if good[-1] > bad[-1]:      # feasible above (counts): the smallest feasible, from below
        edge = good[0]
        other = max((v for v in bad if v < edge), default=None)
    else:                       # feasible below (computes): the largest feasible, from above
        edge = good[-1]
        other = min((v for v in bad if v > edge), default=None)
    if other is None:
        return edge
    a, b = math.log(other), math.log(edge)      # b stays feasible
    for _ in range(_JUMP_BISECTIONS):
        mid = 0.5 * (a + b)
        if feasible(math.exp(mid)):
            b = mid
        else:
            a = mid
    return math.exp(b)


def _count_for_deadline(setup, compute, time, goodput, start):
    """Accelerators whose step-time MFU finishes each compute by each deadline.

    Fixed point :math:`n = C / (T P\\,\\mathrm{MFU}(n)\\,g)` per element. The MFU of the plan
    changes in small steps with the count; where the iteration cycles across such a step, the
    count is the smallest found (to 2^-30 in ln) at which the plan's own MFU finishes on time.
    """
    compute, time, goodput, start = np.broadcast_arrays(
        np.asarray(compute, dtype=float), np.asarray(time, dtype=float),
        np.asarray(goodput, dtype=float), np.asarray(start, dtype=float))
    out = np.empty(compute.shape)
    for idx in np.ndindex(compute.shape):
        c, t, g = float(compute[idx]), float(time[idx]), float(goodput[idx])

        def step(n, c=c, t=t, g=g):
            mfu = float(_mfu(setup, c, n))
            if math.isnan(mfu):
                return math.nan
            return float(accelerators_for_deadline(c, t, setup[3], mfu, g))

        out[idx] = _settle(float(start[idx]), step, lambda n, step=step: step(n) <= n)
    return out if out.ndim else float(out)


def _goodput(goodput):
    return check_fraction("goodput", goodput)


_HARDWARE_DOC = """
    accelerator : Accelerator, str or Cluster
        The chip (or a catalog name). A :class:`scaling.Cluster` contributes its
        accelerator, and its PUE and MFU unless the assumptions set them.
    assumptions : Assumptions, optional
        Utilisation, precision and PUE of the chain (:class:`scaling.Assumptions`). With the
        step-time utilisation (default) the MFU is that of the compute-optimal run of each
        compute (shape under :data:`scaling.laws.DEFAULT_LAW`) on the accelerator count in
        question.
    goodput : float or array_like
        Fraction of wall-clock time that is useful training, in (0, 1] (default
        :data:`LLAMA3_EFFECTIVE_TRAINING_FRACTION`; see :mod:`scaling.reliability` for how it
        falls with the number of accelerators, and :func:`scaling.forecast_for_deadline` for
        the chain's own goodput).
    power_basis : {"peak", "average"}
        ``"peak"``: provisioned power a site must supply (default); ``"average"``: mean draw
        during training (for energy). See :data:`POWER_BASES`."""


def accelerators_needed(compute_flop, time_s, *, accelerator, assumptions=None,
                        goodput=LLAMA3_EFFECTIVE_TRAINING_FRACTION):
    """Accelerators needed to finish a training run within a deadline.

    Parameters
    ----------
    compute_flop : float, ndarray or Series
        Training compute C [FLOP], > 0.
    time_s : float, ndarray or Series
        Wall-clock deadline T [s], > 0.
    accelerator, assumptions, goodput
        See :func:`facility_power_needed_w`.

    Returns
    -------
    float, ndarray or Series
        n [accelerators] (not rounded up).

    Notes
    -----
    :func:`scaling.chain.accelerators_for_deadline`:
    :math:`n = C / (T \\cdot g \\cdot P_{peak} \\cdot \\mathrm{MFU})`. With the step-time
    utilisation the MFU is that of the compute-optimal run (shape under
    :data:`scaling.laws.DEFAULT_LAW`) on n accelerators, found by fixed-point iteration; NaN
    where no count finishes in time (the batch-size wall, or a model whose activations do not
    fit the accelerator at any count).
    """
    _, per_acc, _ = _per_accelerator(accelerator, assumptions, "peak")
    compute = np.asarray(as_float_array("compute_flop", compute_flop))
    time = np.asarray(as_float_array("time_s", time_s))
    g = _goodput(goodput)
    count = accelerators_for_deadline(compute, time, per_acc, 1.0, g)
    setup = _step_time(accelerator, assumptions)
    if setup is not None:
        count = _count_for_deadline(setup, compute, time, g, count)
    return like(np.asarray(count), compute_flop, time_s, name="n_accelerators")


def facility_power_needed_w(compute_flop, time_s, *, accelerator, assumptions=None,
                            goodput=LLAMA3_EFFECTIVE_TRAINING_FRACTION, power_basis="peak"):
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
        Facility power P [W].

    Notes
    -----
    n from :func:`accelerators_needed` times the chain's wall power per accelerator
    (:func:`scaling.clusters.facility_power_w`, f = 1 for ``"peak"``):

    .. math:: P = n \\cdot P_{TDP} \\cdot k_{server} \\cdot f \\cdot \\mathrm{PUE}
    """
    count = np.asarray(accelerators_needed(compute_flop, time_s, accelerator=accelerator,
                                           assumptions=assumptions, goodput=goodput))
    _, _, per_acc_w = _per_accelerator(accelerator, assumptions, power_basis)
    return like(count * per_acc_w, compute_flop, time_s, name="power_w")


def training_time_in_envelope_s(compute_flop, power_w, *, accelerator, assumptions=None,
                                goodput=LLAMA3_EFFECTIVE_TRAINING_FRACTION, power_basis="peak"):
    """Shortest wall-clock time to train C FLOP inside a power envelope [s].

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
        T [s].

    Notes
    -----
    :func:`scaling.chain.training_time_s` on the :math:`P / p_{acc}` accelerators the
    envelope holds (:math:`p_{acc}` the facility power per accelerator); the inverse of
    :func:`facility_power_needed_w`.
    """
    _, per_acc, per_acc_w = _per_accelerator(accelerator, assumptions, power_basis)
    count = as_float_array("power_w", power_w) / per_acc_w
    compute = as_float_array("compute_flop", compute_flop)
    setup = _step_time(accelerator, assumptions)
    if setup is not None:
        per_acc = setup[3] * _mfu(setup, compute, count)
    time = training_time_s(compute, count * per_acc, _goodput(goodput))
    return like(time, compute_flop, power_w, name="time_s")


def compute_in_envelope_flop(power_w, time_s, *, accelerator, assumptions=None,
                             goodput=LLAMA3_EFFECTIVE_TRAINING_FRACTION, power_basis="peak"):
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
        C [FLOP].

    Notes
    -----
    The inverse of :func:`training_time_in_envelope_s` in C (time is linear in compute at a
    constant MFU): :math:`C = T / t(1\\,\\mathrm{FLOP})`; with the step-time utilisation by
    fixed-point iteration on :math:`C = T n P \\mathrm{MFU}(C, n) g`. Sevilla et al. (2024)
    put a 1-5 GW campus at 1e28-3e29 FLOP by 2030, assuming better chips than today's.
    """
    plain = as_assumptions(assumptions).replace(utilisation="generation_default")
    per_flop = training_time_in_envelope_s(1.0, power_w, accelerator=accelerator,
                                           assumptions=plain, goodput=goodput,
                                           power_basis=power_basis)
    compute = as_float_array("time_s", time_s) / np.asarray(per_flop)
    setup = _step_time(accelerator, assumptions)
    if setup is not None:
        # fixed point: C = T n P MFU(C, n) g, with MFU the compute-optimal run's on n
        _, _, per_acc_w = _per_accelerator(accelerator, assumptions, power_basis)
        count = as_float_array("power_w", power_w) / per_acc_w
        t = as_float_array("time_s", time_s)
        g = _goodput(goodput)
        compute, count, t, g = np.broadcast_arrays(compute, count, t, g)
        out = np.empty(compute.shape)
        for idx in np.ndindex(compute.shape):
            n, tt, gg = float(count[idx]), float(t[idx]), float(g[idx])

            def step(c, n=n, tt=tt, gg=gg):
                return tt * n * setup[3] * float(_mfu(setup, c, n)) * gg

            out[idx] = _settle(float(compute[idx]), step, lambda c, step=step: step(c) >= c)
        compute = out if out.ndim else float(out)
    return like(compute, power_w, time_s, name="compute_flop")


def power_wall_table(n_params, time_s, *, accelerator, law=laws.DEFAULT_LAW,
                     tokens_per_param=None, assumptions=None,
                     goodput=LLAMA3_EFFECTIVE_TRAINING_FRACTION, scenario=None):
    """Accelerators and facility power to train compute-optimal models by a deadline.

    Parameters
    ----------
    n_params : array_like
        Model sizes [parameters].
    time_s : float
        Deadline [s], > 0.
    accelerator, assumptions, goodput
        See :func:`facility_power_needed_w`.
    law, tokens_per_param
        Compute-optimal policy, see :func:`optimal_tokens_for_params`.
    scenario : str, optional
        Label copied into a ``scenario`` column (default: accelerator, precision, days).

    Returns
    -------
    pandas.DataFrame
        One row per size: ``scenario``, ``n_params``, ``n_tokens``, ``compute_flop``,
        ``time_s``, ``n_accelerators``, ``facility_power_w`` (peak, what the site must supply)
        and ``average_power_w`` (mean draw), ``energy_j`` (average power x time); NaN for a
        size no count of the accelerator trains in time (step-time utilisation).
    """
    import pandas as pd

    n = np.atleast_1d(as_float_array("n_params", n_params))
    t = scalar("time_s", time_s)
    tokens = np.asarray(optimal_tokens_for_params(n, law, tokens_per_param=tokens_per_param))
    compute = np.asarray(laws.training_flop(n, tokens))
    kwargs = dict(accelerator=accelerator, assumptions=assumptions, goodput=goodput)
    count = np.asarray(accelerators_needed(compute, t, **kwargs))
    peak = np.asarray(facility_power_needed_w(compute, t, **kwargs))
    average = np.asarray(facility_power_needed_w(compute, t, power_basis="average", **kwargs))
    if scenario is None:
        chip, _, _ = _per_accelerator(accelerator, assumptions, "peak")
        scenario = (f"{chip.name} {as_assumptions(assumptions).precision}, "
                    f"{t / SECONDS_PER_DAY:.0f} days")
    return pd.DataFrame({
        "scenario": scenario,
        "n_params": n,
        "n_tokens": tokens,
        "compute_flop": compute,
        "time_s": t,
        "n_accelerators": count,
        "facility_power_w": peak,
        "average_power_w": average,
        # NaN where no count finishes in time (step-time utilisation: batch or memory wall)
        "energy_j": np.where(np.isnan(average), np.nan,
                             np.asarray(energy_j(np.nan_to_num(average), t))),
    })


def facility_power_for_params_w(n_params, time_s, *, accelerator, law=laws.DEFAULT_LAW,
                                tokens_per_param=None, assumptions=None,
                                goodput=LLAMA3_EFFECTIVE_TRAINING_FRACTION, power_basis="peak"):
    """Facility power to train a compute-optimal model of N parameters by a deadline [W].

    Parameters
    ----------
    n_params : float, ndarray or Series
        Model size N [parameters], > 0.
    time_s : float, ndarray or Series
        Deadline [s], > 0.
    law, tokens_per_param
        Compute-optimal policy, see :func:`optimal_tokens_for_params`.
    {hardware}

    Notes
    -----
    :func:`facility_power_needed_w` of :func:`optimal_compute_for_params`.
    """
    compute = optimal_compute_for_params(n_params, law, tokens_per_param=tokens_per_param)
    power = facility_power_needed_w(compute, time_s, accelerator=accelerator,
                                    assumptions=assumptions, goodput=goodput,
                                    power_basis=power_basis)
    return like(power, n_params, time_s, name="power_w")


def training_time_for_params_s(n_params, power_w, *, accelerator, law=laws.DEFAULT_LAW,
                               tokens_per_param=None, assumptions=None,
                               goodput=LLAMA3_EFFECTIVE_TRAINING_FRACTION, power_basis="peak"):
    """Shortest time to train a compute-optimal model of N parameters in a power envelope [s].

    Parameters
    ----------
    n_params : float, ndarray or Series
        Model size N [parameters], > 0.
    power_w : float, ndarray or Series
        Facility power envelope [W], > 0.
    law, tokens_per_param
        Compute-optimal policy, see :func:`optimal_tokens_for_params`.
    {hardware}

    Notes
    -----
    :func:`training_time_in_envelope_s` of :func:`optimal_compute_for_params`.
    """
    compute = optimal_compute_for_params(n_params, law, tokens_per_param=tokens_per_param)
    time = training_time_in_envelope_s(compute, power_w, accelerator=accelerator,
                                       assumptions=assumptions, goodput=goodput,
                                       power_basis=power_basis)
    return like(time, n_params, power_w, name="time_s")


def power_wall_params(power_w, time_s, *, accelerator, law=laws.DEFAULT_LAW, assumptions=None,
                      goodput=LLAMA3_EFFECTIVE_TRAINING_FRACTION, power_basis="peak"):
    """Largest compute-optimal model a power envelope trains within a time [parameters].

    Parameters
    ----------
    power_w : float, ndarray or Series
        Facility power envelope [W], > 0.
    time_s : float, ndarray or Series
        Wall-clock time [s], > 0.
    law : str, Mapping or FitResult-like
        Chinchilla parameter set of the compute-optimal split.
    {hardware}

    Notes
    -----
    :math:`N_{opt}(C)` of :func:`scaling.laws.compute_optimal` at the compute
    :func:`compute_in_envelope_flop` delivers; inverse of :func:`facility_power_for_params_w`.
    """
    compute = compute_in_envelope_flop(power_w, time_s, accelerator=accelerator,
                                       assumptions=assumptions, goodput=goodput,
                                       power_basis=power_basis)
    n_opt = laws.compute_optimal(np.asarray(compute), law).n_params
    return like(n_opt, power_w, time_s, name="n_params")


for _function in (facility_power_needed_w, training_time_in_envelope_s, compute_in_envelope_flop,
                  facility_power_for_params_w, training_time_for_params_s, power_wall_params):
    _function.__doc__ = _function.__doc__.replace("    {hardware}", _HARDWARE_DOC.strip("\n"))
del _function
