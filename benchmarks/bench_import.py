"""How long ``import scaling`` takes in a fresh interpreter (target <= 0.3 s).

Prints the median of several cold starts, with the interpreter's own start-up subtracted.
"""

import statistics
import subprocess
import sys
import time

REPEATS = 7


def _median_time(code: str) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    bare = _median_time("pass")
    with_scaling = _median_time("import scaling")
    first_use = _median_time("import scaling; scaling.compute_optimal(1e24)")
    print(f"python start-up            : {bare * 1e3:7.1f} ms")
    print(f"import scaling (net)       : {(with_scaling - bare) * 1e3:7.1f} ms  (target <= 300 ms)")
    print(f"import + compute_optimal   : {(first_use - bare) * 1e3:7.1f} ms  (loads numpy/pandas)")


if __name__ == "__main__":
    main()
