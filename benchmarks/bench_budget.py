"""Benchmark: what a budget buys against one deadline inverse of its answer.

Both in the same process, after a warm-up of the catalog and the layout search:

(a) ``scaling.model_for_budget(50e6, deadline_s=90 days, accelerator="H100-SXM",
    as_of="2027-07")`` without the bands' Monte Carlo share (``n_samples=100``): the budget
    search (:func:`scaling.solve.compute_for_budget`), each trial one count inverse with its
    layout searches, then the bands;
(b) the reference: one ``scaling.forecast_for_deadline`` of the model it finds (the same
    inverse, once, with bands of the same draws).

The ratio (a)/(b) is the number of inverses the budget's search costs. The layout cache is
cleared before each timing, so both search layouts cold. No assertion: figures only.

Usage: SCALING_DATA_DIR=... python benchmarks/bench_budget.py
"""

from __future__ import annotations

import time

import scaling
from scaling.throughput import clear_cache
from scaling.units import SECONDS_PER_DAY

DEADLINE_S = 90 * SECONDS_PER_DAY
ASSUMPTIONS = scaling.Assumptions(as_of="2027-07")


def budget():
    return scaling.model_for_budget(50e6, deadline_s=DEADLINE_S, accelerator="H100-SXM",
                                    assumptions=ASSUMPTIONS, n_samples=100)


def timed(call):
    clear_cache()
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def main() -> None:
    budget()                                     # warm-up: tables, catalog, statsmodels fit
    t_budget, plan = timed(budget)
    t_one, _ = timed(lambda: scaling.forecast_for_deadline(
        [plan.n_params], n_tokens=[plan.n_tokens], deadline_s=DEADLINE_S,
        accelerator="H100-SXM", assumptions=ASSUMPTIONS, uncertainty=True, n_samples=100))
    print(f"model_for_budget: {t_budget:.2f} s; one forecast_for_deadline of its answer: "
          f"{t_one:.2f} s; ratio {t_budget / t_one:.1f}x "
          f"({plan.n_params / 1e9:.0f}B, {plan.n_accelerators:,.0f} H100, binds {plan.binds})")


if __name__ == "__main__":
    main()
