"""Fitting scaling laws to training runs, with bootstrap uncertainty.

- :func:`fit_chinchilla`: Hoffmann et al.'s (2022) Approach 3, the parametric law
  L = E + A/N^alpha + B/D^beta fitted by minimising the **summed** Huber loss of log-loss
  residuals in log-sum-exp form (Eq. 3), with bootstrap confidence intervals. Returns an
  immutable :class:`FitResult`.
- :func:`fit_power_law`: Approaches 1 and 2, a power law y = k C^p fitted by OLS on logs
  (statsmodels), with confidence intervals on the exponent.
- :func:`isoflop_minima`: Approach 2, the minimum of a parabola in log N fitted to each IsoFLOP
  profile.

How the Approach-3 fit finds the global optimum quickly
--------------------------------------------------------
Hoffmann et al. start L-BFGS from a grid of 4,500 initialisations and keep the best. Here,

1. for a grid of (alpha, beta), the law is linear in (E, A, B): a non-negative least-squares
   solve of the relative residuals gives a near-optimal (E, A, B) per cell, and the Huber
   objective ranks the cells (a variable-projection profile);
2. the best few cells start a batched damped-Newton solver with the analytic gradient and
   Hessian of the summed Huber objective, run to a tight gradient tolerance;
3. the best converged optimum is kept.

The objective, its derivatives and the solver live in :mod:`scaling._huber_newton`.

The bootstrap resamples runs with replacement (integer weights on the points), warm-starts
every replicate from the full-data optimum and refits all replicates together with the same
batched Newton solver; each replicate's convergence is recorded.

References
----------
.. [1] J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models",
   arXiv:2203.15556, Sec. 3.3, Eq. 3, App. D.2.
.. [2] T. Besiroglu, E. Erdil, M. Barnett, J. You (2024), "Chinchilla Scaling: A replication
   attempt", arXiv:2404.10102; https://github.com/epoch-research/analyzing-chinchilla
"""

from __future__ import annotations

import math
import sys
import warnings
from dataclasses import dataclass, field

import numpy as np

from scaling import _huber_newton as solver
from scaling._validation import (
    as_float_array,
    elementwise,
    check_fraction,
    like,
    scalar,
    whole_number,
)
from scaling.errors import FitWarning
from scaling.results import Result
from scaling.laws import (
    FLOP_PER_PARAM_PER_TOKEN,
    GOPHER_COMPUTE_FLOP,
    _frontier_constants,
    chinchilla_loss,
    compute_optimal,
    law_parameters,
)

__all__ = [
    "HUBER_DELTA",
    "PARAM_NAMES",
    "FitResult",
    "PowerLawFit",
    "fit_chinchilla",
    "fit_power_law",
    "isoflop_minima",
    "huber_objective",
    "ISOFLOP_MIN_POINTS",
    "ISOFLOP_LOG10_TOLERANCE",
    "PLAUSIBLE_EXPONENTS",
    "MIN_E_FRACTION_OF_LOSS",
    "MAX_OBJECTIVE_RATIO",
]

#: Huber threshold delta on log-loss residuals, Hoffmann et al. (2022) App. D.2
#: ("delta = 10^-3"; larger values overfit the small-compute regime).
HUBER_DELTA = 1e-3

#: Parameter order of :attr:`FitResult.params`.
PARAM_NAMES = ("E", "A", "B", "alpha", "beta")

#: Range of the exponents alpha, beta a fit may report as converged [dimensionless]: the span
#: of the global search grid, which covers Hoffmann et al.'s (2022, App. D.2) initialisation
#: range of 0 to 2; published values lie well inside (0.076, Kaplan et al. 2020 Eq. 1.1, to
#: 0.37, Besiroglu et al. 2024). An exponent near 0 folds its term into E; a large one makes
#: its term vanish across the data and its scale constant run away (B = 3e63 at beta = 7 on
#: shuffled losses): in both cases the data do not determine it.
PLAUSIBLE_EXPONENTS = (float(solver.PROFILE_EXPONENTS[0]),
                       float(solver.PROFILE_EXPONENTS[-1]))

#: Smallest irreducible loss E a fit may report as converged, as a fraction of the smallest
#: fitted loss: E is the exponential of a free parameter, so E -> 0 is its bound (the law
#: becomes a sum of two pure power laws) and the fit is then not a Chinchilla fit.
MIN_E_FRACTION_OF_LOSS = 1e-3

#: Largest ratio of the fit's objective to that of the best constant loss for which a fit is
#: reported as converged. A law that does not halve the objective of a constant explains
#: little of the data: the objective is flat in the law's directions. Besiroglu et al.'s 240
#: points reach 0.048; their losses shuffled across runs (pure noise) 0.95-0.99.
MAX_OBJECTIVE_RATIO = 0.5

#: Number of best profile cells polished by Newton.
_N_POLISH_STARTS = 12

#: Replicates solved together per batch (bounds memory at ~ batch x n_points x 8 arrays).
_BOOTSTRAP_BATCH = 1000

#: Default budgets for derived quantities: Gopher/Chinchilla's budget (Hoffmann Table 3) and
#: 1e26 FLOP (a frontier-scale run; Besiroglu et al. Fig. 1 range).
_DEFAULT_DERIVED_FLOP = (GOPHER_COMPUTE_FLOP, 1e26)


def huber_objective(params, n_params, n_tokens, loss, *, delta=HUBER_DELTA):
    """Summed Huber objective of Hoffmann et al. (2022) Eq. 3 at given law parameters.

    Parameters
    ----------
    params : str, Mapping or FitResult-like
        Law parameters (see :func:`scaling.laws.law_parameters`).
    n_params, n_tokens, loss : array_like
        Runs: N [parameters], D [tokens], final loss [nats/token].
    delta : float
        Huber threshold on log-loss residuals [nats].

    Returns
    -------
    float
        :math:`\\sum_i \\mathrm{Huber}_\\delta(\\log \\hat L_i - \\log L_i)`.
    """
    n, d, y = _validate_runs(n_params, n_tokens, loss)
    p = law_parameters(params)
    r = np.log(p["E"] + p["A"] * n ** -p["alpha"] + p["B"] * d ** -p["beta"]) - np.log(y)
    return float(np.sum(solver.huber(r, _check_delta(delta))))


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------


def _validate_runs(n_params, n_tokens, loss, *, min_points=1):
    arrays = []
    for value, name in ((n_params, "n_params"), (n_tokens, "n_tokens"), (loss, "loss")):
        arr = np.atleast_1d(as_float_array(name, value))
        if arr.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
        arrays.append(arr)
    names = ("n_params", "n_tokens", "loss")
    for name, arr in zip(names[1:], arrays[1:]):
        if len(arr) != len(arrays[0]):
            raise ValueError(
                f"n_params has {len(arrays[0])} values but {name} has {len(arr)}; give one "
                "n_params, n_tokens and loss per run (the same length)")
    if len(arrays[0]) < min_points:
        raise ValueError(
            f"too few points to fit: got {len(arrays[0])}, need at least {min_points} "
            f"(number of parameters + 1)"
        )
    return arrays


def _check_delta(delta):
    return scalar("delta", delta)


def _check_confidence(confidence):
    return scalar("confidence", confidence, check_fraction, include_one=False)


def _rng(seed):
    """``numpy.random.default_rng`` of a whole-number seed >= 0, with a message naming it."""
    return np.random.default_rng(whole_number("seed", seed, minimum=0))


# --------------------------------------------------------------------------------------------
# result object
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class FitResult(Result):
    """Result of :func:`fit_chinchilla` (immutable).

    Attributes
    ----------
    params : pandas.Series
        Point estimate indexed ``E, A, B, alpha, beta`` (E [nats/token], A, B scale constants,
        alpha, beta [dimensionless]).
    objective : float
        Summed Huber objective at the optimum.
    converged : bool
        Whether the fit can be trusted as it stands: the optimiser met its gradient
        tolerance, every estimate is finite, the exponents lie in
        :data:`PLAUSIBLE_EXPONENTS`, E is above its bound 0
        (:data:`MIN_E_FRACTION_OF_LOSS`) and the law is clearly better than a constant loss
        (:data:`MAX_OBJECTIVE_RATIO`). False comes with ``reason`` and a
        :class:`scaling.errors.FitWarning`.
    reason : str
        Why ``converged`` is False ("" when it is True); ``summary()`` shows it per parameter
        in a ``problem`` column.
    n_points : int
        Number of runs fitted.
    delta : float
        Huber threshold used.
    data : pandas.DataFrame
        The runs: ``n_params, n_tokens, loss``.
    bootstrap_params : pandas.DataFrame
        One row per bootstrap replicate, columns ``E, A, B, alpha, beta`` (empty without
        bootstrap). Includes replicates that did not converge; see ``bootstrap_converged``.
    bootstrap_converged : numpy.ndarray
        Per-replicate convergence flags (bool).
    bootstrap_objective : numpy.ndarray
        Per-replicate objective at its optimum.
    confidence : float
        Confidence level of intervals from :meth:`summary` and :meth:`conf_int`.
    seed : int
        Seed of the bootstrap resampling.
    problems : Mapping
        Parameter -> what is wrong with its estimate ("" when nothing); the ``problem``
        column of ``summary()``.
    """

    params: object
    objective: float
    converged: bool
    reason: str = ""
    n_points: int
    delta: float
    data: object = field(repr=False)
    bootstrap_params: object = field(repr=False)
    bootstrap_converged: np.ndarray = field(repr=False)
    bootstrap_objective: np.ndarray = field(repr=False)
    confidence: float = 0.95
    seed: int = 0
    problems: object = field(default=None, repr=False)

    # ---- basic accessors --------------------------------------------------------------------
    @property
    def n_bootstrap(self) -> int:
        """Number of bootstrap replicates run."""
        return len(self.bootstrap_params)

    def _good_draws(self):
        return self.bootstrap_params[self.bootstrap_converged]

    def law(self) -> dict:
        """Point estimate as a law-parameter dict accepted by every function in ``laws``."""
        return {k: float(self.params[k]) for k in PARAM_NAMES}

    def predict(self, n_params, n_tokens):
        """Fitted loss L(N, D) [nats/token]; same kind out as in."""
        return chinchilla_loss(n_params, n_tokens, law=self)

    def _interval(self, draws, confidence):
        c = self.confidence if confidence is None else _check_confidence(confidence)
        tail = (1.0 - c) / 2.0
        return np.quantile(draws, tail, axis=0), np.quantile(draws, 1.0 - tail, axis=0)

    # ---- tables -----------------------------------------------------------------------------
    def summary(self, confidence=None):
        """Parameter table.

        Returns
        -------
        pandas.DataFrame
            Index ``E, A, B, alpha, beta``; columns ``estimate``, ``std_err`` (standard
            deviation of the converged bootstrap replicates) and ``ci_lower``, ``ci_upper``
            (percentile bootstrap interval). NaN without bootstrap. When the fit is not
            converged (see ``reason``), a ``problem`` column says what is wrong with each
            estimate.
        """
        import pandas as pd

        frame = pd.DataFrame({"estimate": self.params.astype(float)})
        draws = self._good_draws().to_numpy()
        if len(draws) >= 2:
            low, high = self._interval(draws, confidence)
            frame["std_err"] = draws.std(axis=0, ddof=1)
            frame["ci_lower"], frame["ci_upper"] = low, high
        else:
            frame["std_err"] = frame["ci_lower"] = frame["ci_upper"] = np.nan
        if not self.converged:
            problems = self.problems or {}
            frame["problem"] = [problems.get(name) or self.reason for name in frame.index]
        frame.index.name = "parameter"
        return frame

    def conf_int(self, confidence=None):
        """Percentile bootstrap interval, DataFrame with ``ci_lower, ci_upper`` (NaN without
        bootstrap)."""
        return self.summary(confidence)[["ci_lower", "ci_upper"]]

    def to_frame(self):
        """Inputs, fitted loss and residuals.

        Returns
        -------
        pandas.DataFrame
            ``n_params, n_tokens, loss, loss_fitted`` [nats/token] and ``log_residual``
            (log L - log L_fitted [nats]).
        """
        frame = self.data.copy()
        fitted = np.asarray(self.predict(frame["n_params"].to_numpy(),
                                         frame["n_tokens"].to_numpy()))
        frame["loss_fitted"] = fitted
        frame["log_residual"] = np.log(frame["loss"].to_numpy()) - np.log(fitted)
        return frame

    def sample_params(self, n=None, seed=0) -> dict:
        """Monte Carlo draws of the law parameters from the converged bootstrap replicates.

        Parameters
        ----------
        n : int, optional
            Number of draws (with replacement); default all converged replicates in order.
        seed : int
            Seed of the resampling (``numpy.random.default_rng``).

        Returns
        -------
        dict
            ``{"E", "A", "B", "alpha", "beta"}`` -> 1-D arrays, accepted as ``law=`` by the
            functions of :mod:`scaling.laws` (broadcast the inputs against them, e.g.
            ``n_params[:, None]``).
        """
        draws = self._good_draws()
        if len(draws) == 0:
            raise ValueError("no converged bootstrap replicates; fit with n_bootstrap > 0")
        if n is not None:
            n = whole_number("n", n)
            rows = _rng(seed).integers(0, len(draws), size=n)
            draws = draws.iloc[rows]
        return {k: draws[k].to_numpy(dtype=float) for k in PARAM_NAMES}

    def derived(self, compute_flop=_DEFAULT_DERIVED_FLOP, confidence=None):
        """Derived quantities with bootstrap intervals.

        Parameters
        ----------
        compute_flop : array_like
            Budgets [FLOP] for the compute-optimal quantities.
        confidence : float, optional
            Interval level (default: the fit's).

        Returns
        -------
        pandas.DataFrame
            Long form: ``quantity`` (``a`` = beta/(alpha+beta), ``b``, and per budget
            ``n_params_opt`` [parameters], ``n_tokens_opt`` [tokens], ``tokens_per_param``,
            ``loss_opt`` [nats/token]), ``compute_flop`` (NaN for a, b), ``estimate``,
            ``std_err``, ``ci_lower``, ``ci_upper`` (NaN without bootstrap).
        """
        import pandas as pd

        if confidence is not None:
            confidence = _check_confidence(confidence)
        budgets = np.atleast_1d(as_float_array("compute_flop", compute_flop))
        if budgets.ndim != 1:
            raise ValueError(f"compute_flop must be a scalar or 1-D, got shape {budgets.shape}")
        point = _derived_values(self.law(), budgets)
        draws = self._good_draws()
        if len(draws) >= 2:
            sampled = _derived_values({k: draws[k].to_numpy()[:, None] for k in PARAM_NAMES},
                                      budgets)
        rows = []
        for name, value in point.items():
            per_budget = name not in ("a", "b")
            for j, budget in enumerate(budgets if per_budget else [np.nan]):
                row = {"quantity": name, "compute_flop": budget,
                       "estimate": float(np.ravel(value)[j])}
                if len(draws) >= 2:
                    # sampled values have shape (replicates, budgets) or (replicates, 1)
                    s = np.asarray(sampled[name])[:, j if per_budget else 0]
                    low, high = self._interval(s, confidence)
                    row.update(std_err=float(np.std(s, ddof=1)), ci_lower=float(low),
                               ci_upper=float(high))
                else:
                    row.update(std_err=np.nan, ci_lower=np.nan, ci_upper=np.nan)
                rows.append(row)
        return pd.DataFrame(rows)

    def frontier(self, compute_flop, confidence=None):
        """Compute-optimal frontier with bootstrap bands, one row per budget.

        Returns
        -------
        pandas.DataFrame
            ``compute_flop`` [FLOP] and, each with ``*_ci_lower``/``*_ci_upper`` columns,
            ``n_params`` [parameters], ``n_tokens`` [tokens], ``tokens_per_param`` and ``loss``
            [nats/token].
        """
        import pandas as pd

        long = self.derived(compute_flop, confidence)
        long = long[~long["quantity"].isin(["a", "b"])]
        out = pd.DataFrame({"compute_flop": np.atleast_1d(np.asarray(compute_flop, float))})
        rename = {"n_params_opt": "n_params", "n_tokens_opt": "n_tokens",
                  "tokens_per_param": "tokens_per_param", "loss_opt": "loss"}
        for quantity, column in rename.items():
            part = long[long["quantity"] == quantity]
            out[column] = part["estimate"].to_numpy()
            out[f"{column}_ci_lower"] = part["ci_lower"].to_numpy()
            out[f"{column}_ci_upper"] = part["ci_upper"].to_numpy()
        return out

    # ---- display ----------------------------------------------------------------------------
    def _headline(self) -> str:
        good = int(np.sum(self.bootstrap_converged))
        boot = (f", bootstrap {good}/{self.n_bootstrap} replicates converged"
                if self.n_bootstrap else ", no bootstrap")
        state = ("converged=True" if self.converged
                 else f"converged=False, not converged: {self.reason}")
        return (f"Chinchilla fit (summed Huber, delta={self.delta:g}) on {self.n_points} runs: "
                f"objective {self.objective:.6g}, {state}{boot}")

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={self.params[k]:.5g}" for k in PARAM_NAMES)
        return f"FitResult({values}; {self._headline()})"

    def _repr_html_(self) -> str:
        level = f"{100 * self.confidence:g}%"
        table = self.summary().to_html(float_format=lambda v: f"{v:.5g}", na_rep="-")
        import html

        return (f"<p><b>{html.escape(self._headline())}</b><br>intervals: {level} percentile "
                f"bootstrap</p>{table}")


def _derived_values(p, budgets):
    """a, b and per-budget frontier quantities for law parameters p (arrays broadcast)."""
    g, a, b = _frontier_constants(p)
    opt = compute_optimal(budgets, p)
    n_opt, d_opt = np.asarray(opt.n_params), np.asarray(opt.n_tokens)
    loss = p["E"] + p["A"] * n_opt ** -p["alpha"] + p["B"] * d_opt ** -p["beta"]
    return {"a": np.asarray(a), "b": np.asarray(b), "n_params_opt": n_opt,
            "n_tokens_opt": d_opt, "tokens_per_param": d_opt / n_opt, "loss_opt": loss}


# --------------------------------------------------------------------------------------------
# the fit
# --------------------------------------------------------------------------------------------


def _progress_bar(total, progress):
    if progress is None:
        progress = sys.stderr is not None and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="bootstrap refits", unit="fit")


@elementwise
def fit_chinchilla(n_params, n_tokens, loss, *, delta=HUBER_DELTA, n_bootstrap=0, seed=0,
                   confidence=0.95, progress=None, init=None) -> FitResult:
    """Fit L = E + A/N^alpha + B/D^beta by Hoffmann et al.'s summed-Huber objective.

    Parameters
    ----------
    n_params : array_like
        Model sizes N [parameters], > 0.
    n_tokens : array_like
        Training tokens D [tokens], > 0.
    loss : array_like
        Final losses [nats/token], > 0.
    delta : float
        Huber threshold on log-loss residuals (default :data:`HUBER_DELTA` = 1e-3).
    n_bootstrap : int
        Number of bootstrap replicates (resampling runs with replacement); 0 for none.
    seed : int
        Seed of the bootstrap resampling (``numpy.random.default_rng(seed)``).
    confidence : float
        Level of the percentile intervals, in (0, 1).
    progress : bool or None
        Show a tqdm progress bar over bootstrap replicates; ``None`` shows it only when
        standard error is an interactive terminal.
    init : str, Mapping or FitResult-like, optional
        Extra starting point for the global search (in addition to the profile grid).

    Returns
    -------
    FitResult

    Notes
    -----
    Hoffmann et al. (2022) Eq. 3, with :math:`\\theta = (a, b, e, \\alpha, \\beta)`,
    :math:`A, B, E = e^{a}, e^{b}, e^{e}`:

    .. math:: \\min_\\theta \\sum_i \\mathrm{Huber}_\\delta\\left(
              \\mathrm{LSE}(a - \\alpha \\log N_i,\\; b - \\beta \\log D_i,\\; e)
              - \\log L_i\\right)

    The Huber terms are **summed**, not averaged: averaging shrinks the objective so much that
    L-BFGS stops after a couple of iterations (Besiroglu et al. 2024, Sec. 2 and v2 note).
    On the 240 non-outlier points of Besiroglu et al. this reaches the optimum of Hoffmann's
    4,500-start grid (A 477.83, B 2143.2, E 1.8172, alpha 0.3473, beta 0.3672, objective
    1.01827e-3).

    A fit is reported as ``converged`` only when the estimates are also plausible (finite,
    exponents in :data:`PLAUSIBLE_EXPONENTS`, E above :data:`MIN_E_FRACTION_OF_LOSS` of the
    smallest loss) and the law is clearly better than a constant loss (objective ratio below
    :data:`MAX_OBJECTIVE_RATIO`); otherwise ``converged`` is False, ``reason`` says why and a
    :class:`scaling.errors.FitWarning` is issued. On pure noise the optimiser can meet its
    tolerance at B = 1e63, beta = 7: such a fit is not converged.

    Raises
    ------
    ValueError
        Non-positive, NaN or infinite inputs; mismatched lengths; fewer than 6 points;
        invalid delta, n_bootstrap, seed or confidence; losses with no Chinchilla shape at
        all (no cell of the search grid gives positive E, A and B).
    """
    import pandas as pd

    n, d, y = _validate_runs(n_params, n_tokens, loss, min_points=len(PARAM_NAMES) + 1)
    delta = _check_delta(delta)
    confidence = _check_confidence(confidence)
    n_bootstrap = whole_number("n_bootstrap", n_bootstrap, minimum=0)
    rng = _rng(seed)
    prob = solver.make_problem(n, d, y, delta)

    theta_best, objective, optimiser_converged = _global_optimum(prob, n, d, y, init)
    params = pd.Series(_params_of(theta_best[None, :], prob)[0], index=list(PARAM_NAMES),
                       name="estimate")
    boot_theta, boot_conv, boot_f = _bootstrap(prob, theta_best, n_bootstrap, rng, progress)
    boot = pd.DataFrame(_params_of(boot_theta, prob), columns=list(PARAM_NAMES))
    boot.index.name = "replicate"

    problems, reasons = _diagnose(params, objective, optimiser_converged, prob, y)
    reason = "; ".join(reasons)
    if reason:
        warnings.warn(f"fit_chinchilla: converged=False: {reason}", FitWarning, stacklevel=2)
    return FitResult(
        params=params, objective=objective, converged=not reason, reason=reason,
        problems=problems, n_points=len(n), delta=delta,
        data=pd.DataFrame({"n_params": n, "n_tokens": d, "loss": y}),
        bootstrap_params=boot, bootstrap_converged=boot_conv, bootstrap_objective=boot_f,
        confidence=confidence, seed=int(seed),
    )


def _params_of(theta, prob):
    """Internal parameter rows -> (E, A, B, alpha, beta) rows."""
    return solver.natural_to_params(solver.to_natural(theta, prob))


def _global_optimum(prob, n, d, y, init):
    """Step 1 and 2 of the fit: Newton from the best profile cells (and ``init``); the best
    converged optimum (the best overall when none converged) as (internal theta, objective,
    whether the optimiser converged there)."""
    starts = solver.profile_starts(prob, n, d, y, _N_POLISH_STARTS)
    if init is not None:
        p = law_parameters(init)
        extra = np.array([[math.log(p["A"]), math.log(p["B"]), math.log(p["E"]),
                           p["alpha"], p["beta"]]])
        starts = np.vstack([starts, solver.to_internal(extra, prob)])
    theta, f, conv, _ = solver.newton(starts, np.ones((len(starts), len(n))), prob)
    candidates = np.flatnonzero(conv) if conv.any() else np.arange(len(f))
    best = candidates[np.argmin(f[candidates])]
    return theta[best], float(f[best]), bool(conv[best])


def _bootstrap(prob, theta_best, n_bootstrap, rng, progress):
    """Bootstrap refits warm-started at the optimum, in batches: internal theta (R, 5),
    converged (R,) and objective (R,) per replicate (empty without bootstrap)."""
    n_points = prob.xc.size
    chunks = []
    bar = _progress_bar(n_bootstrap, progress) if n_bootstrap else None
    try:
        for start in range(0, n_bootstrap, _BOOTSTRAP_BATCH):
            size = min(_BOOTSTRAP_BATCH, n_bootstrap - start)
            idx = rng.integers(0, n_points, size=(size, n_points))
            flat = (idx + n_points * np.arange(size)[:, None]).ravel()
            weights = np.bincount(flat, minlength=size * n_points).reshape(size, n_points)
            theta, f, conv, _ = solver.newton(np.repeat(theta_best[None, :], size, axis=0),
                                              weights.astype(float), prob)
            chunks.append((theta, conv, f))
            if bar is not None:
                bar.update(size)
    finally:
        if bar is not None:
            bar.close()
    if not chunks:
        return np.empty((0, len(PARAM_NAMES))), np.zeros(0, dtype=bool), np.zeros(0)
    theta, conv, f = (np.concatenate(parts) for parts in zip(*chunks))
    return theta, conv, f


def _diagnose(params, objective, optimiser_converged, prob, loss):
    """(parameter -> problem, list of reasons) of a full-data fit; empty when it is sound."""
    problems = {name: "" for name in PARAM_NAMES}
    reasons = []
    if not optimiser_converged:
        reasons.append("the optimiser stopped before meeting its gradient tolerance")
    for name in PARAM_NAMES:
        if not np.isfinite(params[name]):
            problems[name] = f"{name} ran to {params[name]}"
    low, high = PLAUSIBLE_EXPONENTS
    for name in ("alpha", "beta"):
        value = float(params[name])
        if np.isfinite(value) and not low <= value <= high:
            scale = "A" if name == "alpha" else "B"
            problems[name] = (f"{name} = {value:.3g} lies outside the plausible range "
                              f"[{low:g}, {high:g}] ({scale} = {float(params[scale]):.3g})")
    e_floor = MIN_E_FRACTION_OF_LOSS * float(np.min(loss))
    if float(params["E"]) < e_floor:
        problems["E"] = (f"E = {float(params['E']):.3g} nats/token sits on its bound 0 (below "
                         f"{MIN_E_FRACTION_OF_LOSS:.1%} of the smallest loss)")
    reasons.extend(text for text in problems.values() if text)
    constant = solver.constant_objective(prob)
    if constant > 0 and objective / constant > MAX_OBJECTIVE_RATIO:
        reasons.append(f"the objective is flat: the law leaves {objective / constant:.0%} of "
                       "the objective of a constant loss (the data hardly determine it; "
                       f"a sound fit leaves under {MAX_OBJECTIVE_RATIO:.0%})")
    return problems, reasons


# --------------------------------------------------------------------------------------------
# Approaches 1 and 2
# --------------------------------------------------------------------------------------------

#: Minimum runs per IsoFLOP budget for a parabola (3 coefficients + at least 2 degrees of
#: freedom); Hoffmann et al. (2022) Fig. 3 profiles have 8-11 runs each.
ISOFLOP_MIN_POINTS = 5

#: Default half-width of a budget bin when assigning runs to given IsoFLOP budgets [decades of
#: FLOP]: runs within 10^0.05 (about 12%) of a budget belong to it.
ISOFLOP_LOG10_TOLERANCE = 0.05


@dataclass(frozen=True, slots=True, kw_only=True)
class PowerLawFit(Result):
    """Power law y = coefficient * compute_flop^exponent fitted by OLS on logs (immutable).

    Attributes
    ----------
    exponent : float
        p [dimensionless].
    coefficient : float
        k [units of y / FLOP^p].
    exponent_ci, coefficient_ci : tuple of float
        (lower, upper) at ``confidence`` from the OLS t-interval (coefficient: exponentiated
        interval of log k).
    exponent_std_err : float
        OLS standard error of p.
    r_squared : float
        Coefficient of determination on logs.
    n_points : int
    confidence : float
    """

    exponent: float
    coefficient: float
    exponent_ci: tuple
    coefficient_ci: tuple
    exponent_std_err: float
    r_squared: float
    n_points: int
    confidence: float

    def predict(self, compute_flop):
        """y at ``compute_flop`` [FLOP]; same kind out as in."""
        c = as_float_array("compute_flop", compute_flop)
        return like(self.coefficient * c**self.exponent, compute_flop)

    def summary(self):
        """DataFrame indexed ``exponent, coefficient`` with estimate, std_err (exponent only),
        ci_lower, ci_upper."""
        import pandas as pd

        return pd.DataFrame(
            {"estimate": [self.exponent, self.coefficient],
             "std_err": [self.exponent_std_err, np.nan],
             "ci_lower": [self.exponent_ci[0], self.coefficient_ci[0]],
             "ci_upper": [self.exponent_ci[1], self.coefficient_ci[1]]},
            index=pd.Index(["exponent", "coefficient"], name="parameter"),
        )


def fit_power_law(compute_flop, y, *, confidence=0.95) -> PowerLawFit:
    """Fit y = k C^p by ordinary least squares on log y versus log C (Approaches 1 and 2).

    Parameters
    ----------
    compute_flop : array_like
        Budgets C [FLOP], > 0.
    y : array_like
        Positive quantity at each budget, e.g. N_opt [parameters] or D_opt [tokens].
    confidence : float
        Level of the t-intervals, in (0, 1).

    Returns
    -------
    PowerLawFit

    Notes
    -----
    :math:`\\log y = \\log k + p \\log C + \\varepsilon`, fitted with
    ``statsmodels.api.OLS``. Hoffmann et al. (2022) Sec. 3.1-3.2 fit N_opt and D_opt this way
    (Table 2: a = 0.50 and 0.49, b = 0.50 and 0.51).

    Raises
    ------
    ValueError
        Non-positive or NaN values, mismatched lengths, fewer than 3 points, or a single
        distinct budget.
    """
    import statsmodels.api as sm

    c = np.atleast_1d(as_float_array("compute_flop", compute_flop))
    v = np.atleast_1d(as_float_array("y", y))
    if c.ndim != 1 or c.shape != v.shape:
        raise ValueError(f"compute_flop and y must be 1-D of the same length, got shapes "
                         f"{c.shape} and {v.shape}")
    if len(c) < 3:
        raise ValueError(f"too few points to fit: got {len(c)}, need at least 3 "
                         "(number of parameters + 1)")
    if np.unique(c).size < 2:
        raise ValueError("compute_flop must contain at least two distinct budgets")
    level = _check_confidence(confidence)
    model = sm.OLS(np.log(v), sm.add_constant(np.log(c))).fit()
    ci = np.asarray(model.conf_int(alpha=1.0 - level))
    return PowerLawFit(
        exponent=float(model.params[1]),
        coefficient=float(np.exp(model.params[0])),
        exponent_ci=(float(ci[1, 0]), float(ci[1, 1])),
        coefficient_ci=(float(np.exp(ci[0, 0])), float(np.exp(ci[0, 1]))),
        exponent_std_err=float(model.bse[1]),
        r_squared=float(model.rsquared),
        n_points=len(c),
        confidence=level,
    )


def isoflop_minima(compute_flop, n_params, loss, *, budgets_flop=None,
                   log10_tolerance=ISOFLOP_LOG10_TOLERANCE, min_points=ISOFLOP_MIN_POINTS):
    """Loss-minimising model size on each IsoFLOP profile (Hoffmann et al. Approach 2).

    Parameters
    ----------
    compute_flop : array_like
        Training compute of each run C [FLOP].
    n_params : array_like
        Model size of each run N [parameters].
    loss : array_like
        Final loss of each run [nats/token].
    budgets_flop : array_like, optional
        IsoFLOP budgets [FLOP]. Each run joins the budget within ``log10_tolerance`` decades of
        its compute (runs near no budget are ignored). Default: group runs by exactly equal
        ``compute_flop``.
    log10_tolerance : float
        Half-width of a budget bin [decades].
    min_points : int
        Minimum runs per budget (>= 3).

    Returns
    -------
    pandas.DataFrame
        One row per budget: ``compute_flop`` [FLOP], ``n_points``, ``n_params_opt``
        [parameters], ``n_tokens_opt`` = C/(6 N_opt) [tokens], ``loss_opt`` [nats/token],
        ``curvature`` (second-order coefficient of the parabola in ln N).

    Notes
    -----
    For each budget, :math:`L = c_0 + c_1 x + c_2 x^2` with :math:`x = \\ln N` is fitted by
    least squares; the minimum is at :math:`x^* = -c_1/(2 c_2)`.

    Raises
    ------
    ValueError
        A budget with fewer than ``min_points`` runs, a parabola that opens downwards
        (no minimum), or a minimum outside the sampled range of N (no interior minimum, so
        the profile does not bracket the optimum), or invalid inputs.
    """
    import pandas as pd

    c, n, y = _validate_runs(compute_flop, n_params, loss)
    if int(min_points) < 3:
        raise ValueError(f"min_points must be >= 3 for a parabola, got {min_points!r}")
    if budgets_flop is None:
        labels = c
        budgets = np.unique(c)
    else:
        budgets = np.atleast_1d(as_float_array("budgets_flop", budgets_flop))
        tol = float(log10_tolerance)
        if not tol > 0:
            raise ValueError(f"log10_tolerance must be > 0, got {log10_tolerance!r}")
        distance = np.abs(np.log10(c)[:, None] - np.log10(budgets)[None, :])
        nearest = np.argmin(distance, axis=1)
        labels = np.where(distance[np.arange(len(c)), nearest] <= tol, budgets[nearest], np.nan)
    rows = []
    for budget in budgets:
        mask = labels == budget
        count = int(mask.sum())
        if count < min_points:
            raise ValueError(f"IsoFLOP budget {budget:.3g} FLOP has {count} runs; at least "
                             f"{int(min_points)} are needed for a parabola fit")
        x = np.log(n[mask])
        c2, c1, c0 = np.polyfit(x, y[mask], 2)
        if not c2 > 0:
            raise ValueError(f"IsoFLOP profile at {budget:.3g} FLOP opens downwards "
                             "(no minimum); sample model sizes on both sides of the optimum")
        x_star = -c1 / (2.0 * c2)
        if not x.min() < x_star < x.max():
            raise ValueError(
                f"IsoFLOP profile at {budget:.3g} FLOP has no interior minimum: the parabola's "
                f"vertex N={math.exp(x_star):.3g} lies outside the sampled sizes "
                f"[{n[mask].min():.3g}, {n[mask].max():.3g}]"
            )
        n_opt = math.exp(x_star)
        rows.append({"compute_flop": float(budget), "n_points": count, "n_params_opt": n_opt,
                     "n_tokens_opt": float(budget) / (FLOP_PER_PARAM_PER_TOKEN * n_opt),
                     "loss_opt": c0 + c1 * x_star + c2 * x_star**2, "curvature": c2})
    return pd.DataFrame(rows)
