"""Benchmark: a 1,000,000-scenario Monte Carlo forecast (100 sizes x 10,000 draws).

Prints the vectorised time (best of 5 after a warm-up) beside a plain per-scenario Python
loop that calls :func:`scaling.forecast.estimate_run` once per (size, draw). The loop is timed
on a subset of 1,000 scenarios and extrapolated linearly to 1,000,000 (stated in the output).
Target of issue 4: <= 0.3 s for the vectorised forecast. No assertion: figures only.
"""

import time

import numpy as np

from scaling.cluster import cluster
from scaling.forecast import DEFAULT_UNCERTAINTY, estimate_run, forecast

N_SIZES = 100
N_SAMPLES = 10_000
LOOP_SUBSET = 1_000
REPEATS = 5


def main():
    sizes = np.geomspace(1e9, 1e13, N_SIZES)
    clu = cluster("llama3-16k")
    forecast(sizes, cluster=clu, uncertainty=True, n_samples=100)  # warm-up (imports, caches)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        forecast(sizes, cluster=clu, uncertainty=True, n_samples=N_SAMPLES, seed=0)
        times.append(time.perf_counter() - start)
    best = min(times)
    scenarios = N_SIZES * N_SAMPLES
    print(f"vectorised Monte Carlo forecast: {N_SIZES} sizes x {N_SAMPLES:,} draws = "
          f"{scenarios:,} scenarios in {best:.3f} s (best of {REPEATS}; median "
          f"{np.median(times):.3f} s); target <= 0.3 s")

    rng = np.random.default_rng(0)
    mfu = DEFAULT_UNCERTAINTY["mfu"].sample(clu.effective_mfu, LOOP_SUBSET, rng)
    pue = DEFAULT_UNCERTAINTY["pue"].sample(clu.pue, LOOP_SUBSET, rng)
    rate = DEFAULT_UNCERTAINTY["failure_rate"].sample(1.97e-5, LOOP_SUBSET, rng)
    size = rng.choice(sizes, LOOP_SUBSET)
    start = time.perf_counter()
    for i in range(LOOP_SUBSET):
        estimate_run(6 * size[i] * 20 * size[i], accelerator=clu.accelerator,
                     n_accelerators=clu.n_accelerators, mfu=mfu[i], pue=pue[i],
                     failure_rate_per_accelerator_hour=rate[i], n_params=size[i])
    loop = time.perf_counter() - start
    extrapolated = loop * scenarios / LOOP_SUBSET
    print(f"plain per-scenario Python loop (estimate_run per scenario): {LOOP_SUBSET:,} "
          f"scenarios in {loop:.2f} s, extrapolated linearly to {scenarios:,}: "
          f"{extrapolated:.0f} s ({extrapolated / best:,.0f}x slower)")


if __name__ == "__main__":
    main()
