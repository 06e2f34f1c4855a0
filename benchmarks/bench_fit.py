"""Benchmark: the library's Chinchilla fit against Hoffmann et al.'s 4,500-start grid.

Side by side, in one run, on the 240 non-outlier points of Besiroglu et al. (2024):

(a) reference: Hoffmann et al. (2022) App. D.2 initialisation grid (alpha, beta in {0, .5, .., 2},
    e in {-1, -.5, .., 1}, a, b in {0, 5, .., 25}: 4,500 starts), one scipy L-BFGS-B run from
    each on the summed Huber objective (Eq. 3, delta = 1e-3), best run kept -- the procedure of
    Besiroglu et al.'s "replicate exactly" notebook cell;
(b) ``scaling.fit_chinchilla`` (profile grid + batched Newton);
(c) ``fit_chinchilla(..., n_bootstrap=4000)``: 4,000 bootstrap refits.

Prints times, both optima and objectives, and the speed-up. ``--quick`` runs a seeded random
subset of the grid starts and extrapolates the reference time (for development; the full
reference loop takes minutes).

Usage: SCALING_DATA_DIR=... python benchmarks/bench_fit.py [--quick [N_STARTS]]
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import huber, logsumexp

from scaling import fit_chinchilla
from scaling.data import load_chinchilla_points
from scaling.fit import HUBER_DELTA

#: Hoffmann et al. (2022) App. D.2 initialisation grid.
GRID = {
    "a": np.arange(0, 30, 5.0),
    "b": np.arange(0, 30, 5.0),
    "e": np.arange(-1, 1.5, 0.5),
    "alpha": np.arange(0, 2.5, 0.5),
    "beta": np.arange(0, 2.5, 0.5),
}
N_BOOTSTRAP = 4000
N_REPEATS = 5


def reference_objective(theta, log_n, log_d, log_loss):
    a, b, e, alpha, beta = theta
    pred = logsumexp([a - alpha * log_n, b - beta * log_d, np.full(log_n.shape, e)], axis=0)
    return np.sum(huber(HUBER_DELTA, pred - log_loss))


def reference_fit(n, d, y, starts):
    args = (np.log(n), np.log(d), np.log(y))
    best = None
    for start in starts:
        res = minimize(reference_objective, start, args=args, method="L-BFGS-B")
        if res.success and (best is None or res.fun < best.fun):
            best = res
    return best


def describe(name, params, objective):
    values = ", ".join(f"{k}={v:.6g}" for k, v in params.items())
    print(f"  {name:<10} {values}; objective {objective:.8e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", nargs="?", const=150, type=int, default=None,
                        help="run only this many grid starts (default 150) and extrapolate")
    args = parser.parse_args()

    points = load_chinchilla_points()
    points = points[~points["outlier"]]
    n, d, y = (points[c].to_numpy() for c in ("n_params", "n_tokens", "loss"))

    grid = np.array(list(itertools.product(GRID["a"], GRID["b"], GRID["e"], GRID["alpha"],
                                           GRID["beta"])))
    assert len(grid) == 4500
    starts = grid
    if args.quick:
        pick = np.random.default_rng(0).choice(len(grid), size=args.quick, replace=False)
        starts = grid[np.sort(pick)]

    # (b) library fit (first call pays imports; time the median of repeats after a warm-up)
    fit_chinchilla(n, d, y)
    lib_times = []
    for _ in range(N_REPEATS):
        t0 = time.perf_counter()
        result = fit_chinchilla(n, d, y)
        lib_times.append(time.perf_counter() - t0)
    lib_time = float(np.median(lib_times))

    # (c) 4,000-replicate bootstrap
    t0 = time.perf_counter()
    boot = fit_chinchilla(n, d, y, n_bootstrap=N_BOOTSTRAP, seed=0, progress=False)
    boot_time = time.perf_counter() - t0

    # (a) reference loop
    t0 = time.perf_counter()
    ref = reference_fit(n, d, y, starts)
    ref_time = time.perf_counter() - t0
    ref_time_full = ref_time * len(grid) / len(starts)

    a, b, e, alpha, beta = ref.x
    ref_params = {"E": np.exp(e), "A": np.exp(a), "B": np.exp(b), "alpha": alpha, "beta": beta}

    print("Chinchilla fit on 240 points (Besiroglu et al. 2024), summed Huber, delta=1e-3")
    print(f"(a) reference: {len(starts)} of 4500 grid starts x scipy L-BFGS-B: {ref_time:.1f} s"
          + (f" -> extrapolated to 4500 starts: {ref_time_full:.1f} s" if args.quick else ""))
    print(f"(b) scaling.fit_chinchilla: {lib_time * 1e3:.1f} ms (median of {N_REPEATS})")
    describe("reference", ref_params, ref.fun)
    describe("library", result.params.to_dict(), result.objective)
    print(f"    objective difference (library - reference): {result.objective - ref.fun:+.3e}")
    print(f"    speed-up: {ref_time_full / lib_time:.0f}x")
    good = int(boot.bootstrap_converged.sum())
    print(f"(c) bootstrap, {N_BOOTSTRAP} replicates refitted: {boot_time:.2f} s total "
          f"(including the point fit); {good}/{N_BOOTSTRAP} converged; "
          f"{boot_time / lib_time:.0f}x one point fit for {N_BOOTSTRAP} refits")
    se = boot.summary()["std_err"]
    print("    bootstrap SEs: " + ", ".join(f"{k} {v:.3g}" for k, v in se.items()))


if __name__ == "__main__":
    main()
