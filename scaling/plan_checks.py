"""Checks of the parts of a parallel plan a caller fixes, by name, against the model and the
count (:func:`scaling.plan_search.plan_parallelism` calls them at its door).

Megatron-LM's requirements (Narayanan et al. 2021, arXiv:2104.04473, Sec. 2-3): tensor
parallelism splits the attention heads; pipeline parallelism holds at least one layer per
stage, and an interleaved schedule's virtual stages split the layers evenly (``n_layers``
divisible by ``pp x virtual_stages``, or two short of it: Llama 3 405B's 126 layers on 16
stages of 8 virtual stages hold one layer fewer in the first and the last, Grattafiori et al.
2024, arXiv:2407.21783, Sec. 3.3.2); context parallelism splits each sequence into equal
chunks (``seq_len`` divisible by ``cp``, Megatron-Core's context parallelism); expert
parallelism splits the experts. A global batch holds at least one sequence, and at least one
sequence per data-parallel replica.
"""

from __future__ import annotations

import math

from scaling._validation import check_choice, check_fraction, scalar, whole_number
from scaling.laws import FLOP_PER_PARAM_PER_TOKEN
from scaling.model_shape import ModelShape
from scaling.parallelism import _LAYOUT_FIELDS, RECOMPUTE_MODES, _zero_stage

__all__ = ["check_batch", "check_batch_covers_dp", "check_run_batch", "check_goodput", "check_layout"]


def check_batch(global_batch_tokens: float, shape: ModelShape) -> float:
    """A global batch of at least one whole sequence [tokens], else ValueError by name."""
    if global_batch_tokens < shape.seq_len:
        raise ValueError(f"global_batch_tokens={global_batch_tokens:g} is smaller than one "
                         f"sequence of {shape.name or 'the model'} ({shape.seq_len:,} tokens, "
                         f"seq_len); give at least {shape.seq_len:,} tokens per step")
    return global_batch_tokens


def check_run_batch(global_batch_tokens: float, shape: ModelShape, compute_flop: float) -> None:
    """A global batch the user gave: at least one sequence and at most the run's tokens,
    :math:`C / (6 N_{active})`; else ValueError by name."""
    check_batch(global_batch_tokens, shape)
    tokens = compute_flop / (FLOP_PER_PARAM_PER_TOKEN * shape.n_active_params)
    if global_batch_tokens > tokens:
        raise ValueError(f"global_batch_tokens={global_batch_tokens:g} is more than the whole "
                         f"run trains ({tokens:.3g} tokens: compute_flop / (6 x active "
                         "parameters)); one step cannot hold more than the run")


def check_batch_covers_dp(batch_sequences: int, fixed: dict) -> None:
    """Refuse a fixed ``dp`` larger than the batch's sequences (one per replica at least)."""
    dp = fixed.get("dp")
    if dp is not None and batch_sequences < dp:
        raise ValueError(f"dp={dp} data-parallel replicas need at least one sequence each, but "
                         f"the global batch holds {batch_sequences:,} (global_batch_tokens); "
                         f"give a batch of at least {dp:,} sequences or dp <= "
                         f"{batch_sequences:,}")


def check_goodput(goodput):
    """None, or a callable ``goodput(n_in_use, replica_size)``; else ValueError by name."""
    if goodput is not None and not callable(goodput):
        raise ValueError("goodput must be a callable goodput(n_in_use, replica_size) -> "
                         "fraction (e.g. scaling.fewer.job_goodput_of(...)) or None, got "
                         f"{goodput!r}")
    return goodput


def _check_divides(out: dict, shape: ModelShape, label: str) -> None:
    """Sequence and layer splits that must come out whole."""
    cp = out.get("cp", 1)
    if shape.seq_len % cp:
        raise ValueError(f"cp={cp} must divide the {shape.seq_len:,}-token sequence of {label} "
                         "(context parallelism gives each rank an equal chunk of every "
                         f"sequence, seq_len); divisors up to 64: "
                         f"{[k for k in range(1, 65) if shape.seq_len % k == 0]}")
    pp, virtual = out.get("pp"), out.get("virtual_stages", 1)
    chunks = None if pp is None else pp * virtual
    if chunks and virtual > 1 and shape.n_layers % chunks and (shape.n_layers + 2) % chunks:
        raise ValueError(f"virtual_stages={virtual} with pp={pp} must split the "
                         f"{shape.n_layers} layers of {label} into {chunks} equal chunks "
                         "(n_layers divisible by pp x virtual_stages, or two short of it: "
                         "the first and last chunk one layer fewer, as Llama 3 405B)")


def check_layout(fixed: dict, shape: ModelShape, n: int) -> dict:
    """The parts of a plan the caller fixed, checked by name against the model and the count.

    Whole numbers >= 1 for the layout sizes; tensor parallelism must split the attention
    heads (Megatron-LM's requirement), pipeline parallelism at most one layer per stage,
    expert parallelism the experts; the fixed sizes together must fit the accelerators given.
    """
    out = dict(fixed)
    for key in _LAYOUT_FIELDS:
        if key in out:
            out[key] = whole_number(key, out[key])
    if "zero_stage" in out:
        out["zero_stage"] = _zero_stage("zero_stage", out["zero_stage"])
    if "recompute" in out:
        check_choice("recompute", out["recompute"], RECOMPUTE_MODES)
    if "recompute_fraction" in out:
        out["recompute_fraction"] = scalar("recompute_fraction", out["recompute_fraction"],
                                           check_fraction)
    sizes = {key: out[key] for key in ("tp", "pp", "dp", "cp") if key in out}
    product = math.prod(sizes.values())
    if product > n:
        raise ValueError(f"the fixed layout {' x '.join(sizes)} = "
                         f"{' x '.join(str(v) for v in sizes.values())} = {product:,} needs more "
                         f"than the {n:,} accelerators given (n_accelerators)")
    label = shape.name or "the model"
    if "tp" in out and shape.n_heads % out["tp"]:
        raise ValueError(f"tp={out['tp']} must divide the {shape.n_heads} attention heads of "
                         f"{label} (each tensor-parallel rank holds whole heads); divisors: "
                         f"{[k for k in range(1, shape.n_heads + 1) if shape.n_heads % k == 0]}")
    if "pp" in out and out["pp"] > shape.n_layers:
        raise ValueError(f"pp={out['pp']} pipeline stages exceed the {shape.n_layers} layers of "
                         f"{label}; give pp <= {shape.n_layers}")
    if "ep" in out and out["ep"] > 1 and (not shape.is_moe or shape.n_experts % out["ep"]):
        raise ValueError(f"ep={out['ep']} must divide the {shape.n_experts} experts of {label}"
                         + (" (a dense model has none: ep=1)" if not shape.is_moe else ""))
    if out.get("virtual_stages", 1) > 1 and out.get("pp", 2) == 1:
        raise ValueError("virtual_stages > 1 needs pp > 1 (interleaving splits pipeline stages)")
    _check_divides(out, shape, label)
    return out
