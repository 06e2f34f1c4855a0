"""Benchmark: one parallel-plan search (scaling.plan_search.plan_parallelism).

For a few (model, cluster) pairs, prints the vectorised search time (best of 5 after a
warm-up) and the number of candidate plans, beside a reference in the same process: a plain
Python loop that evaluates the same candidates one at a time with the same model function.
The loop is timed on a subset of LOOP_SUBSET candidates and extrapolated linearly (stated in
the output). Target of issue 9: <= 50 ms per search. No assertion: figures only.
"""

import time

import numpy as np

from scaling import parallelism as P
from scaling import plan_search as S
from scaling.hardware import as_accelerator
from scaling.layout_grid import candidate_grid
from scaling.model_shape import as_model_shape

CASES = [
    ("Llama 3 405B", "llama3-16k", {"global_batch_tokens": 16 * 2**20}),
    ("DeepSeek-V3", None, {"accelerator": "H800-SXM", "n_accelerators": 2048,
                           "precision": "fp8", "global_batch_tokens": 15360 * 4096}),
    (1e12, "stargate-abilene", {}),
    (1e9, None, {"accelerator": "H100-SXM", "n_accelerators": 512}),
]
REPEATS = 5
LOOP_SUBSET = 2000


def _loop_reference(model, kwargs, cluster):
    """Seconds per candidate of a plain Python loop over the same candidates."""
    shape = as_model_shape(model)
    if cluster is not None:
        acc, n, out = S._cluster_fields(cluster)
    else:
        acc, n, out = kwargs["accelerator"], kwargs["n_accelerators"], None
    acc = as_accelerator(acc)
    precision = kwargs.get("precision", "bf16")
    hw = S._resolve_hardware(acc, precision, None, None, out)
    st = S._settings(acc, precision, True, False, "1f1b", None, None, 2.0, None)
    batch = kwargs.get("global_batch_tokens") or float(S.optimal_batch_tokens(
        6.0 * shape.n_active_params * 20.0 * shape.n_params))
    seqs = max(1, int(round(batch / shape.seq_len)))
    layouts, options = candidate_grid(shape, n, seqs, int(hw.domain), {})
    mc = P._model_consts(shape)
    total = layouts["tp"].size * options["zero_stage"].size
    rng = np.random.default_rng(0)
    picks = rng.integers(0, total, size=min(LOOP_SUBSET, total))
    n_opt = options["zero_stage"].size
    start = time.perf_counter()
    best = np.inf
    for k in picks:
        i, j = divmod(int(k), n_opt)
        res = P._evaluate(mc, hw, st, float(seqs), layouts["tp"][i], layouts["pp"][i],
                          layouts["dp"][i], layouts["cp"][i], layouts["ep"][i],
                          layouts["micro_batch"][i], layouts["virtual_stages"][i],
                          options["zero_stage"][j], options["recompute"][j])
        if res["memory_bytes"] <= hw.hbm_bytes * 0.9:
            best = min(best, float(res["step_time_s"]))
    return (time.perf_counter() - start) / len(picks), total


def main():
    for model, cluster, kwargs in CASES:
        call = dict(kwargs)
        if cluster is not None:
            call["cluster"] = cluster
        S.plan_parallelism(model, **call)  # warm-up (imports, caches)
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            result = S.plan_parallelism(model, **call)
            times.append(time.perf_counter() - start)
        best = min(times)
        per_candidate, total = _loop_reference(model, kwargs, cluster)
        loop = per_candidate * total
        label = f"{model if isinstance(model, str) else f'{model:.0e} params'} on " \
                f"{cluster or str(kwargs['n_accelerators']) + ' ' + kwargs['accelerator']}"
        print(f"{label}: vectorised search over {result.n_candidates:,} candidate plans in "
              f"{best * 1e3:.1f} ms (best of {REPEATS}; target <= 50 ms); plain Python loop "
              f"over the same candidates {loop:.1f} s (timed on {min(LOOP_SUBSET, total):,}, "
              f"extrapolated; {loop / best:,.0f}x slower); MFU {result.mfu:.3f}")


if __name__ == "__main__":
    main()
