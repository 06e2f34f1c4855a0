"""Benchmark: a cold ``forecast`` against a warm one doing the same work (issue 14: <= 3x).

In each of several fresh interpreters, after ``import scaling`` and the third-party libraries
(their import is timed by ``bench_import.py``):

(a) cold: the first ``scaling.forecast(1e12, cluster="llama3-16k")`` of the process. It reads
    the curated tables it needs, builds the catalog's accelerator and cluster, resolves the
    assumptions and searches the parallel layout;
(b) warm: the same call again after ``scaling.throughput.clear_cache()``, so that it searches
    the layout again: the same work, with the tables and catalog objects already read.

The ratio (a)/(b) is the cost of a first call; its median over the interpreters is printed
beside the fully cached repeat (the layout remembered too). No assertion: figures only.

Usage: SCALING_DATA_DIR=... python benchmarks/bench_cold.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys

N_PROCESSES = 9

CHILD = """
import time
import numpy, pandas, scipy.optimize, scipy.special, scipy.stats
import scaling
import scaling.chain, scaling.forecasting
from scaling.throughput import clear_cache

def timed():
    start = time.perf_counter()
    scaling.forecast(1e12, cluster="llama3-16k")
    return time.perf_counter() - start

cold = timed()
clear_cache()
warm = timed()
cached = timed()
print(cold, warm, cached)
"""


def main() -> None:
    runs = []
    for _ in range(N_PROCESSES):
        out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                             check=True)
        runs.append([float(x) for x in out.stdout.split()])
    cold, warm, cached = (statistics.median(r[k] for r in runs) for k in range(3))
    ratios = sorted(r[0] / r[1] for r in runs)
    print(f"forecast(1e12, cluster='llama3-16k'), median of {N_PROCESSES} fresh interpreters:")
    print(f"  cold (first call: tables, catalog, layout search)   {cold * 1e3:7.1f} ms")
    print(f"  warm (same work: layout searched again)             {warm * 1e3:7.1f} ms")
    print(f"  cached repeat (layout remembered)                   {cached * 1e3:7.1f} ms")
    print(f"  ratio cold / warm  median {statistics.median(ratios):.2f}x "
          f"(range {ratios[0]:.2f}-{ratios[-1]:.2f}; issue 14: <= 3x)")


if __name__ == "__main__":
    main()
