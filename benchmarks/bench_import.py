"""How long ``import scaling`` takes in a fresh interpreter, against ``import json``.

Prints the best of several cold starts of each (the least disturbed by other load), with the interpreter's own start-up
subtracted, and the ratio to the standard library's ``json`` measured in the same run (issue 8:
``import scaling`` stays lazy and under 50 ms). No assertion: figures only.
"""

import subprocess
import sys
import time

REPEATS = 15


def _best_time(code: str) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    bare = _best_time("pass")
    json_ = _best_time("import json") - bare
    scaling_ = _best_time("import scaling") - bare
    first_use = _best_time("import scaling; scaling.compute_optimal(1e24)") - bare
    print(f"python start-up              : {bare * 1e3:7.1f} ms")
    print(f"import json (reference)      : {json_ * 1e3:7.1f} ms")
    print(f"import scaling (net)         : {scaling_ * 1e3:7.1f} ms  "
          f"({scaling_ / max(json_, 1e-4):.2f}x import json; target <= 50 ms)")
    print(f"import + compute_optimal     : {first_use * 1e3:7.1f} ms  (loads numpy)")


if __name__ == "__main__":
    main()
