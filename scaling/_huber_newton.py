"""The summed-Huber objective of Hoffmann et al. (2022) Eq. 3 and its solver (private).

:func:`scaling.fit.fit_chinchilla` fits L = E + A/N^alpha + B/D^beta in three steps, all here:

1. :func:`profile_starts`: for a grid of (alpha, beta) the law is linear in (E, A, B); a
   non-negative least-squares solve of the relative residuals gives a near-optimal (E, A, B)
   per cell, and the Huber objective ranks the cells (a variable-projection profile);
2. :func:`newton`: a batched damped-Newton solver with the analytic gradient and Hessian of
   the summed Huber objective (:func:`derivatives`) polishes the best cells, and refits the
   bootstrap replicates (integer weights on the points) from a warm start;
3. :func:`constant_objective`: the objective of the best constant loss, against which a fit
   is judged.

Parameters are held in a centred internal form (:class:`Problem`); :func:`to_natural` and
:func:`natural_to_params` turn them back into (E, A, B, alpha, beta).

References
----------
.. [1] J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models",
   arXiv:2203.15556, Sec. 3.3, Eq. 3, App. D.2.
.. [2] T. Besiroglu, E. Erdil, M. Barnett, J. You (2024), "Chinchilla Scaling: A replication
   attempt", arXiv:2404.10102.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: (alpha, beta) profile grid of the global search [dimensionless]: covers Hoffmann et al.'s
#: initialisation range of the exponents (0 to 2) finely enough that every basin seen on the
#: Chinchilla data has a cell inside it.
PROFILE_EXPONENTS = np.concatenate([np.arange(0.02, 1.0, 0.02), np.arange(1.0, 2.01, 0.1)])

#: Newton stopping rule: the scaled gradient (gradient norm divided by the summed weights)
#: below this, or a Newton decrement below _DECREMENT_TOL times the objective.
_GRAD_TOL = 1e-10
_DECREMENT_TOL = 1e-14
_MAX_ITER = 200
_MAX_HALVINGS = 40

#: Armijo constant of the backtracking line search: a step is accepted when it lowers the
#: objective by at least this share of the decrease the Newton model predicts [dimensionless].
_ARMIJO = 1e-4
#: Line-search step factor after a rejected trial [dimensionless].
_STEP_SHRINK = 0.5
#: A Hessian counts as positive definite when its smallest eigenvalue exceeds this share of
#: its trace; otherwise it is shifted to this second share of the trace above zero
#: [dimensionless].
_MIN_EIGEN_SHARE = 1e-12
_SHIFT_SHARE = 1e-8
#: Floor of a scale (trace of the Hessian, the objective) before dividing by it.
_TINY = 1e-300
#: Tolerance on the best constant log loss in its bounded scalar search [ln(nats/token)].
_CONSTANT_XATOL = 1e-12


# Internal parameters theta = (a_c, b_c, e, alpha, beta) with a_c = a - alpha*xbar and
# b_c = b - beta*ybar, where x = log N, y = log D and xbar, ybar their means: the centring
# decorrelates (a, alpha) and (b, beta) and keeps the Newton systems well conditioned.


@dataclass(frozen=True, slots=True)
class Problem:
    """The runs of one fit in the centred parameterisation, and the Huber threshold."""

    xc: np.ndarray  # log N - xbar, shape (n,)
    yc: np.ndarray  # log D - ybar
    log_loss: np.ndarray
    xbar: float
    ybar: float
    delta: float


def make_problem(n_params, n_tokens, loss, delta) -> Problem:
    """The :class:`Problem` of runs N [parameters], D [tokens], loss [nats/token]."""
    x = np.log(n_params)
    y = np.log(n_tokens)
    return Problem(x - x.mean(), y - y.mean(), np.log(loss), float(x.mean()), float(y.mean()),
                    float(delta))


def to_internal(theta, prob: Problem):
    """(a, b, e, alpha, beta) -> centred internal parameters, shape (..., 5)."""
    theta = np.array(theta, dtype=float)
    theta[..., 0] = theta[..., 0] - theta[..., 3] * prob.xbar
    theta[..., 1] = theta[..., 1] - theta[..., 4] * prob.ybar
    return theta


def to_natural(theta, prob: Problem):
    """Centred internal parameters -> (a, b, e, alpha, beta), shape (..., 5)."""
    theta = np.array(theta, dtype=float)
    theta[..., 0] = theta[..., 0] + theta[..., 3] * prob.xbar
    theta[..., 1] = theta[..., 1] + theta[..., 4] * prob.ybar
    return theta


def residuals(theta, prob: Problem):
    """Log-sum-exp prediction minus log loss, and the softmax weights; theta (R, 5)."""
    u1 = theta[:, 0:1] - theta[:, 3:4] * prob.xc
    u2 = theta[:, 1:2] - theta[:, 4:5] * prob.yc
    u3 = np.broadcast_to(theta[:, 2:3], u1.shape)
    m = np.maximum(np.maximum(u1, u2), u3)
    e1, e2, e3 = np.exp(u1 - m), np.exp(u2 - m), np.exp(u3 - m)
    total = e1 + e2 + e3
    lse = m + np.log(total)
    return lse - prob.log_loss, e1 / total, e2 / total, e3 / total


def huber(r, delta):
    """Huber loss of residuals ``r`` with threshold ``delta`` [nats]."""
    ar = np.abs(r)
    return np.where(ar <= delta, 0.5 * r * r, delta * (ar - 0.5 * delta))


def objective(theta, weights, prob: Problem):
    """Summed (weighted) Huber objective of each row of ``theta`` (R, 5) -> (R,)."""
    r = residuals(theta, prob)[0]
    return np.sum(weights * huber(r, prob.delta), axis=1)


def derivatives(theta, weights, prob: Problem):
    """Summed-Huber objective, gradient (R, 5) and Hessian (R, 5, 5)."""
    r, p1, p2, p3 = residuals(theta, prob)
    delta = prob.delta
    inside = np.abs(r) <= delta
    psi = np.where(inside, r, delta * np.sign(r))  # Huber'(r)
    f = np.sum(weights * np.where(inside, 0.5 * r * r, delta * (np.abs(r) - 0.5 * delta)),
               axis=1)
    # dr/dtheta
    jac = np.stack([p1, p2, p3, -p1 * prob.xc, -p2 * prob.yc], axis=-1)  # (R, n, 5)
    wpsi = weights * psi
    grad = np.einsum("rn,rnk->rk", wpsi, jac)
    # Hessian of r: sum_j p_j J_j J_j^T - (dr)(dr)^T; of f: Huber'' dr dr^T + Huber' H_r
    c1 = weights * (inside - psi)
    hess = np.matmul(jac.transpose(0, 2, 1) * c1[:, None, :], jac)
    s1 = (wpsi * p1) @ np.stack([np.ones_like(prob.xc), -prob.xc, prob.xc**2], axis=1)
    s2 = (wpsi * p2) @ np.stack([np.ones_like(prob.yc), -prob.yc, prob.yc**2], axis=1)
    hess[:, 0, 0] += s1[:, 0]
    hess[:, 0, 3] += s1[:, 1]
    hess[:, 3, 0] += s1[:, 1]
    hess[:, 3, 3] += s1[:, 2]
    hess[:, 1, 1] += s2[:, 0]
    hess[:, 1, 4] += s2[:, 1]
    hess[:, 4, 1] += s2[:, 1]
    hess[:, 4, 4] += s2[:, 2]
    hess[:, 2, 2] += np.sum(wpsi * p3, axis=1)
    return f, grad, hess


def _newton_step(grad, hess):
    """Newton step of each replicate, the Hessian shifted by a multiple of the identity where
    it is not positive definite."""
    lam_min = np.linalg.eigvalsh(hess)[:, 0]
    h_scale = np.maximum(np.abs(np.trace(hess, axis1=1, axis2=2)), _TINY)
    shift = np.where(lam_min > _MIN_EIGEN_SHARE * h_scale, 0.0,
                     -lam_min + _SHIFT_SHARE * h_scale)
    return -np.linalg.solve(hess + shift[:, None, None] * np.eye(hess.shape[-1]),
                            grad[:, :, None])[:, :, 0]


def _line_search(theta, weights, f, grad, step, prob: Problem):
    """Backtracking (Armijo) line search along ``step``: (new theta, accepted) per replicate;
    a replicate with no acceptable step keeps its theta."""
    t = np.ones(len(theta))
    accepted = np.zeros(len(theta), dtype=bool)
    new_theta = theta.copy()
    slope = np.sum(grad * step, axis=1)
    for _ in range(_MAX_HALVINGS):
        todo = ~accepted
        if not todo.any():
            break
        trial = theta[todo] + t[todo, None] * step[todo]
        f_trial = objective(trial, weights[todo], prob)
        ok = np.isfinite(f_trial) & (f_trial <= f[todo] + _ARMIJO * t[todo] * slope[todo])
        sel = np.flatnonzero(todo)
        new_theta[sel[ok]] = trial[ok]
        accepted[sel[ok]] = True
        t[sel[~ok]] *= _STEP_SHRINK
    return new_theta, accepted


def newton(theta0, weights, prob: Problem, *, max_iter=_MAX_ITER):
    """Batched damped Newton with backtracking line search.

    Returns internal parameters (R, 5), objective (R,), converged (R,) and iterations (R,).
    Where the Hessian is not positive definite it is shifted by a multiple of the identity.
    """
    theta = np.array(theta0, dtype=float, copy=True)
    scale = np.sum(weights, axis=1)
    converged = np.zeros(theta.shape[0], dtype=bool)
    iterations = np.zeros(theta.shape[0], dtype=int)
    active = np.arange(theta.shape[0])
    for _ in range(max_iter):
        if active.size == 0:
            break
        th, w = theta[active], weights[active]
        f, g, h = derivatives(th, w, prob)
        grad_ok = np.max(np.abs(g), axis=1) <= _GRAD_TOL * scale[active]
        step = _newton_step(g, h)
        decrement = -np.sum(g * step, axis=1)
        done = grad_ok | (decrement <= _DECREMENT_TOL * np.maximum(f, _TINY))
        converged[active[done]] = True
        keep = ~done
        if not keep.any():
            break
        idx = active[keep]
        iterations[idx] += 1
        theta[idx], accepted = _line_search(th[keep], w[keep], f[keep], g[keep], step[keep],
                                            prob)
        # a replicate whose line search failed cannot improve further: stop it, not converged
        active = idx[accepted]
    return theta, objective(theta, weights, prob), converged, iterations


def profile_starts(prob: Problem, n_params, n_tokens, loss, n_starts):
    """Best (a, b, e, alpha, beta) starts from an (alpha, beta) variable-projection profile,
    in the internal parameterisation."""
    from scipy.optimize import nnls

    cells = []
    sqrt_w = 1.0 / loss  # relative residuals approximate log residuals
    for alpha in PROFILE_EXPONENTS:
        n_term = n_params**-alpha
        for beta in PROFILE_EXPONENTS:
            design = np.column_stack([np.ones_like(loss), n_term, n_tokens**-beta])
            coef, _ = nnls(design * sqrt_w[:, None], loss * sqrt_w)
            if (coef <= 0).any():
                continue
            cells.append(np.array([math.log(coef[1]), math.log(coef[2]), math.log(coef[0]),
                                   alpha, beta]))
    if not cells:
        raise ValueError("loss does not fall with n_params and n_tokens in a Chinchilla shape: "
                         "no (alpha, beta) cell of the search grid gives positive E, A and B "
                         "(no law L = E + A/N^alpha + B/D^beta describes these runs)")
    internal = to_internal(np.array(cells), prob)
    f = objective(internal, np.ones((len(internal), prob.xc.size)), prob)
    return internal[np.argsort(f)[:n_starts]]


def constant_objective(prob: Problem) -> float:
    """Summed Huber objective of the best constant loss (the law with A = B = 0)."""
    from scipy.optimize import minimize_scalar

    y = prob.log_loss
    if np.ptp(y) == 0:
        return 0.0
    best = minimize_scalar(lambda c: float(np.sum(huber(c - y, prob.delta))),
                           bounds=(float(y.min()), float(y.max())), method="bounded",
                           options={"xatol": _CONSTANT_XATOL})
    return float(best.fun)


def natural_to_params(theta):
    """(a, b, e, alpha, beta) rows -> (E, A, B, alpha, beta) rows."""
    theta = np.asarray(theta, dtype=float).reshape(-1, 5)
    with np.errstate(over="ignore"):  # a runaway scale constant is reported, not warned about
        return np.column_stack([np.exp(theta[:, 2]), np.exp(theta[:, 0]),
                                np.exp(theta[:, 1]), theta[:, 3], theta[:, 4]])
