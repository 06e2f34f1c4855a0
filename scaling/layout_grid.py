"""The candidate layouts a plan search tries: the search space of :mod:`scaling.plan_search`.

A layout is (tp, pp, dp, cp, ep, micro-batch, interleaving); an option is (ZeRO stage,
recomputation). :func:`candidate_grid` lists every combination that fits the count and the
batch, as equal-length integer arrays that the step-time model evaluates at once.

How far the search may split a run is a named assumption, ``layout_search``
(:data:`LAYOUT_SEARCHES`), resolved once per search:

* ``"practical"`` (default): the layouts frameworks run today. A data-parallel replica keeps
  whole sequences (context parallelism only for sequences of 32k tokens or more, or as memory
  relief when nothing else fits), and tensor parallelism stays inside the scale-up domain
  (beyond it only as memory relief). The package's per-step and whole-run calibrations
  (notebook 04) are made with it;
* ``"fine"``: the finest split the step-time model can cost, for bounds at scales no run has
  reached (the reconstruction of Erdil & Schneider-Joseph 2024 in
  :mod:`scaling.studies.walls`). Context parallelism is searched at every sequence length, in
  chunks of at least :data:`FINE_CONTEXT_CHUNK_TOKENS` tokens per accelerator, and tensor
  parallelism may span scale-up domains (its collectives then cross the scale-out network),
  up to one attention head per accelerator (the finest split of Megatron-style tensor
  parallelism, which divides the heads; the practical search stops at 64). Each split is
  costed by the same step-time model (:mod:`scaling.parallelism`: key-value all-gathers of
  context parallelism, tensor-parallel collectives at the scale-out bandwidth and latency);
  the search only widens: its grid holds the practical one, so it never finds a slower plan.

References
----------
Shah et al. (2024), "FlashAttention-3", arXiv:2407.08608, Sec. 3 (128-row tiles on Hopper).
Erdil & Schneider-Joseph (2024), "Data movement limits to frontier model training",
arXiv:2411.01137 (a token-level split of the batch at the scale of its walls).
"""

from __future__ import annotations

import math

import numpy as np

from scaling._validation import unknown_name
from scaling.model_shape import ModelShape
from scaling.parallelism import _RECOMPUTE_FRACTIONS, _ZERO_STAGES, RECOMPUTE_MODES

__all__ = [
    "BATCH_ROUNDING_TOLERANCE",
    "DEFAULT_LAYOUT_SEARCH",
    "FINE_CONTEXT_CHUNK_TOKENS",
    "LAYOUT_SEARCHES",
    "candidate_grid",
    "check_layout_search",
]

#: Largest relative amount by which a plan may round the global batch up (whole micro-batches
#: on every data-parallel replica). Assumption: 10%, well inside the broad band of near-optimal
#: batch sizes around the fitted optimum (DeepSeek-AI 2024, arXiv:2401.02954, Sec. 3.1,
#: Fig. 3); without a bound the search would inflate a small model's batch to occupy idle
#: accelerators, i.e. step past the batch-size wall by changing the batch.
BATCH_ROUNDING_TOLERANCE = 0.10


#: How far a plan search may split a run (module notes).
LAYOUT_SEARCHES = ("practical", "fine")
#: The default search: the layouts frameworks run today, the one every calibration uses.
DEFAULT_LAYOUT_SEARCH = "practical"
#: Shortest sequence chunk per accelerator of the ``"fine"`` search [tokens]: one 128-row tile
#: of a Hopper tensor-core matmul or FlashAttention-3 block (Shah et al. 2024,
#: arXiv:2407.08608, Sec. 3); a shorter chunk leaves the tile part empty.
FINE_CONTEXT_CHUNK_TOKENS = 128


def check_layout_search(value, *, name: str = "layout_search") -> str:
    """A layout search as given, checked: one of :data:`LAYOUT_SEARCHES`.

    Parameters
    ----------
    value : object
        The search asked for.
    name : str
        The argument's name in the error message.

    Returns
    -------
    str
        ``value``, unchanged.

    Raises
    ------
    ValueError
        Anything else, with the valid names and the closest one.
    """
    if not isinstance(value, str) or value not in LAYOUT_SEARCHES:
        raise unknown_name(name, value, LAYOUT_SEARCHES)
    return value


#: Micro-batch sizes searched [sequences] and pipeline interleavings searched [chunks].
_MICRO_BATCHES = (1, 2, 4, 8, 16, 32)
_VIRTUAL_STAGES = (1, 2, 4, 8)
#: Widest tensor parallelism searched (a divisor of the attention heads) [accelerators];
#: the ``"fine"`` search goes up to the heads themselves.
_MAX_TP = 64
#: Data-parallel sizes searched: the cap set by accelerators and batch, and this many halvings
#: of it in all; plus the sizes below the cap that keep the batch rounding inside
#: :data:`BATCH_ROUNDING_TOLERANCE` (:func:`_rounding_fits`).
_DP_HALVINGS = 3
#: Sequences from this length on search context parallelism by default [tokens], in chunks of
#: at least ``_LONG_CONTEXT_CHUNK`` tokens per accelerator, over at most ``_MAX_CP`` ranks
#: (assumptions).
_LONG_SEQUENCE = 32768
_LONG_CONTEXT_CHUNK = 4096
_MAX_CP = 32
#: Shortest sequence chunk per accelerator when context parallelism is searched as memory
#: relief for sequences under 32k tokens [tokens] (assumption: chunks of 1,024 tokens keep the
#: attention matmuls large; Llama 3 splits 131k-token sequences 16 ways, 8k chunks).
_MIN_CONTEXT_CHUNK = 1024


def _divisors(n: int, limit: int) -> list[int]:
    return [k for k in range(1, min(n, limit) + 1) if n % k == 0]


def _powers_of_two(limit: int) -> list[int]:
    out, k = [], 1
    while k <= limit:
        out.append(k)
        k *= 2
    return out


def _options(name, fixed, default):
    if fixed is None:
        return np.asarray(default, dtype=np.int64)
    return np.asarray([int(fixed)], dtype=np.int64)


def _size_options(shape: ModelShape, n: int, batch_seqs: int, domain: int, fixed: dict,
                  memory_relief: bool, fine: bool):
    """Sizes searched for tp, pp, cp, ep, micro-batch and interleaving (or the fixed one)."""
    # tensor parallelism stays inside the scale-up domain, except as memory relief or in the
    # fine search (then it may span domains over the scale-out network, up to _MAX_TP)
    widest = shape.n_heads if fine else _MAX_TP
    tp_limit = widest if memory_relief or fine else max(domain, 1)
    tp_opts = _options("tp", fixed.get("tp"), [t for t in _divisors(shape.n_heads, widest)
                                                if t <= tp_limit and t <= n]
                       or [1])
    pp_opts = _options("pp", fixed.get("pp"), [p for p in _powers_of_two(shape.n_layers)
                                                if p <= n])
    if fine:
        cp_default = [c for c in _powers_of_two(max(1, shape.seq_len
                                                    // FINE_CONTEXT_CHUNK_TOKENS))
                      if c <= n]
    elif shape.seq_len >= _LONG_SEQUENCE:
        cp_default = [c for c in _powers_of_two(_MAX_CP)
                      if shape.seq_len // c >= _LONG_CONTEXT_CHUNK and c <= n]
    elif memory_relief:
        cp_default = [c for c in _powers_of_two(_MAX_CP)
                      if shape.seq_len // c >= _MIN_CONTEXT_CHUNK and c <= n]
    else:
        cp_default = [1]
    cp_opts = _options("cp", fixed.get("cp"), cp_default)
    if shape.is_moe:
        ep_default = [e for e in _powers_of_two(shape.n_experts) if shape.n_experts % e == 0]
    else:
        ep_default = [1]
    ep_opts = _options("ep", fixed.get("ep"), ep_default)
    mb_opts = _options("micro_batch", fixed.get("micro_batch"),
                       [b for b in _MICRO_BATCHES if b <= batch_seqs] or [1])
    v_opts = _options("virtual_stages", fixed.get("virtual_stages"), _VIRTUAL_STAGES)
    return tp_opts, pp_opts, cp_opts, ep_opts, mb_opts, v_opts


def _layout_grid(shape: ModelShape, n: int, batch_seqs: int, domain: int, fixed: dict,
                 memory_relief: bool, fine: bool) -> dict:
    """Candidate layouts (tp, pp, dp, cp, ep, micro-batch, interleaving) that fit the count and
    the batch, a dict of equal-length int arrays."""
    grid = np.array(np.meshgrid(*_size_options(shape, n, batch_seqs, domain, fixed,
                                               memory_relief, fine),
                                indexing="ij")).reshape(6, -1)
    tp, pp, cp, ep, mb, v = grid
    ok = (tp * pp * cp <= n) & ((v == 1) | ((pp > 1) & (v <= -(-shape.n_layers // pp))))
    if fine and not memory_relief and shape.seq_len < _LONG_SEQUENCE and not (
            {"cp", "micro_batch"} & set(fixed)):
        # a short sequence split over context-parallel ranks is a micro-batch of its own; the
        # other combinations are searched as memory relief (so the fine grid holds the
        # practical one: never a slower plan)
        ok &= (cp == 1) | (mb == 1)
    if "virtual_stages" in fixed:
        ok |= (v == fixed["virtual_stages"]) & (tp * pp * cp <= n)
    tp, pp, cp, ep, mb, v = (x[ok] for x in (tp, pp, cp, ep, mb, v))
    # data-parallel sizes: the cap set by accelerators and batch, and halvings of it
    if "dp" in fixed:
        dp = np.full((tp.size, 1), int(fixed["dp"]), dtype=np.int64)
    else:
        cap = np.minimum(n // (tp * pp * cp), batch_seqs // mb)
        dp = np.concatenate([cap[:, None] // (2 ** np.arange(_DP_HALVINGS))[None, :],
                             _rounding_fits(cap, mb, batch_seqs)], axis=1)
    k = dp.shape[1]
    # a size met earlier in its row (halvings stuck at 1, a cap that already fits) is dropped
    repeated = np.array([(dp[:, j:j + 1] == dp[:, :j]).any(axis=1) for j in range(k)]).T
    tp, pp, cp, ep, mb, v = (np.repeat(x, k) for x in (tp, pp, cp, ep, mb, v))
    dp, repeated = dp.reshape(-1), repeated.reshape(-1)
    ok = (dp >= 1) & (tp * pp * cp * dp <= n) & ((dp * cp) % ep == 0) & (dp * mb <= batch_seqs)
    ok &= ~repeated
    return {"tp": tp[ok], "pp": pp[ok], "cp": cp[ok], "ep": ep[ok], "micro_batch": mb[ok],
            "virtual_stages": v[ok], "dp": dp[ok]}


def _rounding_fits(cap, mb, batch_seqs: int):
    """Data-parallel sizes up to ``cap`` that round the batch up by at most
    :data:`BATCH_ROUNDING_TOLERANCE`: for the fewest micro-batches ``cap`` allows, m, and for
    m + 1, the largest size with m (or m + 1) micro-batches whose rounding stays inside it.

    Without them a count whose cap rounds the batch up too far would lose the layout one
    replica smaller, which a smaller count had: more accelerators would plan slower.
    """
    cap = np.maximum(cap, 1)
    most = (1.0 + BATCH_ROUNDING_TOLERANCE) * batch_seqs
    first = -(-batch_seqs // (cap * mb))                      # ceil: micro-batches at cap
    fits = [np.minimum(cap, np.floor(most / ((first + k) * mb)).astype(np.int64))
            for k in (0, 1)]
    return np.stack(fits, axis=1)


def _option_grid(fixed: dict) -> dict:
    """Candidate (ZeRO stage, recomputation code) pairs, a dict of equal-length int arrays."""
    zero_opts = _options("zero_stage", fixed.get("zero_stage"), _ZERO_STAGES)
    all_rc = tuple(range(len(_RECOMPUTE_FRACTIONS)))
    wanted = fixed.get("recompute")
    if wanted is None:
        rc_opts = np.asarray(all_rc)
    elif wanted == "full":
        frac = fixed.get("recompute_fraction")
        rc_opts = np.asarray([c for c in all_rc[2:] if frac is None
                              or math.isclose(_RECOMPUTE_FRACTIONS[c], frac)]
                             or [2])
    else:
        rc_opts = np.asarray([RECOMPUTE_MODES.index(wanted)])
    zr = np.array(np.meshgrid(zero_opts, rc_opts, indexing="ij")).reshape(2, -1)
    return {"zero_stage": zr[0], "recompute": zr[1]}


def candidate_grid(shape: ModelShape, n: int, batch_seqs: int, domain: int, fixed: dict,
                   memory_relief: bool = False, layout_search: str = DEFAULT_LAYOUT_SEARCH):
    """Candidate layouts and options (ZeRO stage, recomputation code), each a dict of
    equal-length int arrays; every layout is combined with every option.

    Layouts go along one axis and options along the other: the evaluation broadcasts, so
    layout-only quantities are computed once per layout.

    Parameters
    ----------
    shape : ModelShape
    n : int
        Accelerators available [count].
    batch_seqs : int
        Global batch [sequences].
    domain : int
        Accelerators per scale-up domain [count].
    fixed : dict
        Layout fields given (checked); the rest are searched.
    memory_relief : bool
        Also search context parallelism for short sequences and tensor parallelism beyond the
        scale-up domain (when nothing fits without them).
    layout_search : {"practical", "fine"}
        How far the search may split the run (module notes).

    Returns
    -------
    tuple of dict
        The layouts (``tp``, ``pp``, ``cp``, ``ep``, ``micro_batch``, ``virtual_stages``,
        ``dp``) and the options (``zero_stage``, ``recompute``), int arrays.
    """
    fine = check_layout_search(layout_search) == "fine"
    return (_layout_grid(shape, n, batch_seqs, domain, fixed, memory_relief, fine),
            _option_grid(fixed))


