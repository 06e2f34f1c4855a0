"""What a budget buys: the lowest-loss model trained within dollars and a deadline.

:func:`model_for_budget` answers "I have $B and T days on this accelerator from this date: what
is the best model I can train, on how many accelerators, in how long?". Under a scaling law
the lowest loss a compute buys is its compute-optimal model, and loss falls as compute grows,
so the answer is the largest compute C that fits

* the dollars: the chain's cost of the run (rent, or the owner's amortised hardware and
  energy, at the prices of ``as_of``) at most B;
* the deadline: a count of whole accelerators that finishes C within T exists (the batch-size
  wall, ``binds="batch"``, and failures can forbid any), and is at most the cluster's size;
* the data: the tokens trained at most the stock available (by default the effective stock of
  public text, Villalobos et al. 2024, ``data/limits.csv``).

Each C is run on the fewest accelerators that meet the deadline (more accelerators only lower
utilisation and goodput, so they cost more for the same compute). The search is
:func:`scaling.solve.compute_for_budget` on the one count inverse,
:func:`scaling.solve.accelerators_for_deadline`; the P5-P95 bands are those of
:func:`scaling.forecast_for_deadline` for the model found (the same central answer).

With ``inference_tokens`` the model is the inference-aware one (Sardana et al. 2024,
:func:`scaling.inference_optimal`): for each training compute, the model that reaches its loss
with the least training-plus-serving compute, smaller and trained on more tokens than
Chinchilla's; the budget still pays for the training run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from scaling import laws, solve
from scaling._validation import check_choice, scalar
from scaling.assumptions import as_assumptions
from scaling.catalog import check_sold
from scaling.chain import setup
from scaling.clusters import as_machine
from scaling.data import cached, load_rows
from scaling.dates import as_year, year_to_date
from scaling.errors import InfeasibleRunError
from scaling.forecasting import forecast_for_deadline
from scaling.inference import inference_optimal
from scaling.model_shape import MIN_DERIVED_PARAMS
from scaling.results import NOT_A_COLUMN, Result
from scaling.units import SECONDS_PER_DAY, SECONDS_PER_HOUR

__all__ = ["PRICINGS", "DATA_STOCK_ROW", "BudgetPlan", "model_for_budget", "data_stock_tokens"]

#: What the budget pays, by ``pricing``: the chain's rental cost, or the owner's amortised
#: hardware and energy (Epoch's method, :mod:`scaling.cost`).
PRICINGS = {"rent": "rental_cost_usd", "own": "amortized_cost_usd"}
#: The row of ``data/limits.csv`` giving the default data wall: the effective stock of
#: public human-generated text, 3e14 tokens (Villalobos et al. 2024, 90% CI 1e14-1e15).
DATA_STOCK_ROW = "villalobos2024_effective_stock"
#: Rent [USD per accelerator-hour] of the first guess of the search when the machine has no
#: rental price (the search scales the guess by the budget at once).
_GUESS_USD_PER_HOUR = 2.0
#: Monte Carlo draws and seed of the bands, as :func:`scaling.forecast_for_deadline`'s.
DEFAULT_SAMPLES, DEFAULT_SEED = 2000, 0
#: Brent's tolerance on the log of the reducible loss of the inference-aware split, and the
#: step by which its bracket widens (one e-fold of the reducible loss).
_SPLIT_XTOL, _SPLIT_STEP = 1e-12, 1.0


@cached
def _stock() -> float:
    row = next(r for r in load_rows("limits") if r["name"] == DATA_STOCK_ROW)
    return float(row["tokens"])


def data_stock_tokens() -> float:
    """The default data wall [tokens]: ``data/limits.csv`` row :data:`DATA_STOCK_ROW`."""
    return _stock()


@dataclass(frozen=True, slots=True, kw_only=True)
class BudgetPlan(Result):
    """The model a budget buys (:func:`model_for_budget`).

    Attributes
    ----------
    budget_usd, deadline_days, pricing, accelerator, as_of :
        The question: dollars [USD], time [days], ``"rent"`` or ``"own"``, the chip, the
        start date (ISO date; empty: today's catalog prices).
    n_params, n_tokens, compute_flop, loss :
        The model: parameters, tokens, training compute [FLOP], predicted loss [nats/token].
    n_accelerators, time_days, cost_usd :
        The run: whole accelerators (the fewest that meet the deadline), wall-clock time
        [days], what it costs under ``pricing`` [USD].
    binds : {"dollars", "deadline", "batch", "data"}
        What stops a larger model: the budget, the deadline on this machine (its size, or
        failures growing faster than throughput; see ``reason``), the batch-size wall (no
        count finishes in time: the batch keeps only so many accelerators busy), or the tokens
        available. The spend is a step function of whole accelerators and layouts, so the
        answer may leave part of the budget unspent (:func:`scaling.solve.compute_for_budget`).
    reason : str
        Why a larger model does not fit, in words.
    inference_tokens, lifetime_flop :
        Serving demand the model was chosen for [tokens] and training plus serving compute
        [FLOP] (:math:`6ND + 2N D_{inf}`).
    *_ci_lower, *_ci_upper :
        P5 and P95 of the loss (the law's uncertainty), the accelerators needed and the cost
        (the chain's inputs drawn), from :func:`scaling.forecast_for_deadline`; the central
        values are the central law's and chain's.
    forecast : Forecast
        That forecast (not a column).
    """

    budget_usd: float
    deadline_days: float
    pricing: str
    accelerator: str
    as_of: str
    n_params: float
    n_tokens: float
    compute_flop: float
    loss_ci_lower: float
    loss: float
    loss_ci_upper: float
    n_accelerators_ci_lower: float
    n_accelerators: float
    n_accelerators_ci_upper: float
    time_days: float
    cost_usd_ci_lower: float
    cost_usd: float
    cost_usd_ci_upper: float
    binds: str
    reason: str
    inference_tokens: float
    lifetime_flop: float
    forecast: object = field(default=None, repr=False, metadata=NOT_A_COLUMN)

    SUMMARY = ("n_params", "n_tokens", "compute_flop", "loss", "n_accelerators", "time_days",
               "cost_usd", "binds")


def _split(law, inference_tokens):
    """Compute [FLOP] -> (parameters, tokens) of the model trained."""
    if inference_tokens <= 0:
        def chinchilla(compute):
            best = laws.compute_optimal(compute, law)
            return float(best.n_params), float(best.n_tokens)
        return chinchilla
    e = float(laws.law_parameters(law)["E"])

    def aware(compute):
        from scipy.optimize import brentq

        def gap(log_reducible):
            best = inference_optimal(e + math.exp(log_reducible), inference_tokens, law)
            return math.log(float(best.training_flop)) - math.log(compute)

        low = math.log(float(laws.chinchilla_loss(*_split(law, 0.0)(compute), law)) - e)
        high = low + _SPLIT_STEP
        while gap(high) > 0:          # training compute falls as the loss target rises
            high += _SPLIT_STEP
        best = inference_optimal(e + math.exp(brentq(gap, low, high, xtol=_SPLIT_XTOL)),
                                 inference_tokens, law)
        return float(best.n_params), float(best.n_tokens)
    return aware


def _machine(cluster, accelerator, n_accelerators, assumptions, as_of, pricing):
    """The door: the machine (its count, if any, is the most available) and assumptions."""
    check_choice("pricing", pricing, list(PRICINGS))
    a = as_assumptions(assumptions)
    if as_of is not None:
        if a.as_of is not None and float(as_year(a.as_of)) != float(as_year(as_of)):
            raise ValueError(f"as_of={as_of!r} contradicts assumptions.as_of={a.as_of!r}; "
                             "give the date once")
        a = a.replace(as_of=as_of)
    clu = as_machine(cluster, accelerator, n_accelerators, count_required=False)
    if pricing == "own":
        check_sold(clu.accelerator)
    available = (solve.MAX_COUNT if cluster is None and n_accelerators is None
                 else float(clu.n_accelerators))
    return setup(clu, a), available


def model_for_budget(budget_usd, *, deadline_s, accelerator=None, cluster=None,
                     n_accelerators=None, pricing: str = "rent", as_of=None,
                     law=laws.DEFAULT_LAW, inference_tokens=0.0, max_tokens=None,
                     assumptions=None, n_samples: int = DEFAULT_SAMPLES,
                     seed: int = DEFAULT_SEED) -> BudgetPlan:
    """The lowest-loss model a budget trains within a deadline (see the module notes).

    Parameters
    ----------
    budget_usd : float
        Dollars available [USD].
    deadline_s : float
        Wall-clock time available [s].
    accelerator, cluster, n_accelerators :
        The machine (:func:`scaling.clusters.as_machine`): an accelerator alone (as many as
        needed), or a cluster or an accelerator with a count (at most that many).
    pricing : {"rent", "own"}
        Rent at the cloud price, or own (amortised hardware and energy). A chip that is only
        rented (``Accelerator.sold`` False, e.g. TPUs) cannot be owned.
    as_of : date-like, optional
        Start date: prices (rent, hardware value, electricity) of that date
        (``Assumptions.as_of``).
    law : str, Mapping or FitResult
        The scaling law for the compute-optimal model and its loss.
    inference_tokens : float
        Lifetime serving demand [tokens]; > 0 trains the inference-aware model instead.
    max_tokens : float, optional
        Training tokens available [tokens]; None: :func:`data_stock_tokens`.
    assumptions : Assumptions, optional
    n_samples, seed : int
        Monte Carlo draws and seed of the P5-P95 bands.

    Returns
    -------
    BudgetPlan

    Raises
    ------
    InfeasibleRunError
        Nothing fits: the smallest trial model misses the deadline or the budget.
    """
    budget = scalar("budget_usd", budget_usd)
    deadline = scalar("deadline_s", deadline_s)
    d_inf = scalar("inference_tokens", inference_tokens, allow_zero=True)
    stock = data_stock_tokens() if max_tokens is None else scalar("max_tokens", max_tokens)
    machine, available = _machine(cluster, accelerator, n_accelerators, assumptions, as_of,
                                  pricing)
    split = _split(law, d_inf)
    answer = solve.compute_for_budget(
        machine, budget, deadline, split=split, cost=PRICINGS[pricing], max_count=available,
        max_tokens=stock, min_params=0.0 if machine.throughput.constant else MIN_DERIVED_PARAMS,
        start_flop=_first_guess(machine, budget))
    if not math.isfinite(answer["compute_flop"]):
        raise InfeasibleRunError(f"budget_usd={budget:,.4g} on {machine.accelerator.name}: no "
                                 f"model fits ({answer['binds']}: {answer['reason']})")
    size, tokens = split(answer["compute_flop"])
    return _plan(machine, answer, size, tokens, budget, deadline, pricing, law, d_inf,
                 n_samples, seed)


def _first_guess(machine, budget):
    rent = machine.constants["rental_usd_per_hour"]
    rent = rent if math.isfinite(rent) else _GUESS_USD_PER_HOUR
    return (budget / rent * SECONDS_PER_HOUR * machine.constants["peak_flop_per_s"]
            * machine.accelerator.default_mfu)      # the generation's MFU: a first guess


def _plan(machine, answer, size, tokens, budget, deadline, pricing, law, d_inf, n_samples,
          seed):
    """The BudgetPlan of the answer, with the bands of forecast_for_deadline."""
    a = machine.assumptions
    bands = forecast_for_deadline([size], n_tokens=[tokens], deadline_s=deadline,
                                  cluster=machine.cluster, law=law, assumptions=a,
                                  uncertainty=True, n_samples=n_samples, seed=seed)
    row = bands.frame.iloc[0]
    cost = PRICINGS[pricing]
    values = answer["solution"].values
    return BudgetPlan(
        budget_usd=budget, deadline_days=deadline / SECONDS_PER_DAY, pricing=pricing,
        accelerator=machine.accelerator.name,
        as_of="" if a.as_of is None else year_to_date(float(as_year(a.as_of))).isoformat(),
        n_params=size, n_tokens=tokens, compute_flop=float(answer["compute_flop"]),
        loss_ci_lower=float(row["loss_ci_lower"]),
        loss=float(laws.chinchilla_loss(size, tokens, law)),
        loss_ci_upper=float(row["loss_ci_upper"]),
        n_accelerators_ci_lower=float(row["n_accelerators_ci_lower"]),
        n_accelerators=float(np.asarray(answer["solution"].value)),
        n_accelerators_ci_upper=float(row["n_accelerators_ci_upper"]),
        time_days=float(values["time_s"]) / SECONDS_PER_DAY,
        cost_usd_ci_lower=float(row[f"{cost}_ci_lower"]), cost_usd=float(values[cost]),
        cost_usd_ci_upper=float(row[f"{cost}_ci_upper"]),
        binds=answer["binds"], reason=answer["reason"], inference_tokens=d_inf,
        lifetime_flop=float(answer["compute_flop"]) + 2.0 * size * d_inf, forecast=bands)
