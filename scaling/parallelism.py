"""Step time of parallel training from first principles.

How long one optimizer step takes on a given machine follows from what each accelerator has
to compute, move through its memory and exchange over the network, for a chosen parallel
layout (:class:`ParallelLayout`): tensor (tp) x pipeline (pp) x data (dp) parallel, plus
expert (ep) and context (cp) parallel, a micro-batch size, pipeline interleaving,
optimizer-state sharding (ZeRO) and activation recomputation. This module evaluates that step
time and the memory per accelerator, vectorised over arrays of candidate layouts, as a list of
named steps (compute, memory-bound work, pipeline bubble, communication, memory);
:func:`scaling.plan_search.plan_parallelism` searches the candidates for the fastest layout
that fits in memory and returns its :class:`~scaling.plan_search.StepTime`.

The model, per micro-batch on one accelerator
---------------------------------------------
* **Compute:** every matrix multiplication (attention projections, MLP or experts, output
  logits) is timed by a roofline, ``max(FLOP / (peak x eta), bytes / (HBM x eta_hbm))``, so
  small or skinny matrices are memory-bound; ``eta`` is the achievable matmul efficiency, the
  one constant calibrated on published runs (:data:`MATMUL_EFFICIENCY`). Attention scores run
  as fused kernels (FlashAttention: causal, compute-bound, backward recomputes the scores, 2.5x
  the forward FLOP, at the kernel's efficiency of :mod:`scaling.kernels`) or, for older runs,
  as unfused batched matmuls plus a memory-bound softmax.
* **Memory-bound work:** norms, residual adds, activation functions, rotary embeddings, MoE
  token permutation, fp8 casts and the loss, at the achievable HBM bandwidth; backward twice
  the forward traffic; the optimizer update once per step.
* **Tensor parallel:** Megatron-LM's two all-reduces (or all-gather + reduce-scatter pairs with
  sequence parallelism) per layer forward and two backward, plus two more with full
  recomputation, over the scale-up domain (NVLink/NVSwitch, NVL72, TPU ICI) when the tensor
  group fits in it, not overlapped.
* **Context parallel:** all-gather of keys and values per layer forward and reduce-scatter of
  their gradients backward (Llama 3's scheme), not overlapped.
* **Expert parallel:** dispatch and combine all-to-alls per MoE layer, forward and backward,
  off-domain share at scale-out bandwidth; hidden behind compute by the ``ep_overlap``
  fraction.
* **Pipeline:** activations sent between stages (twice per virtual stage), and the bubble
  ``(p - 1) / v`` micro-batch times (1F1B with ``v`` interleaved stages, Narayanan et al.
  2021), or DeepSeek's DualPipe bubble.
* **Data parallel:** gradient reduction (all-reduce, or reduce-scatter + all-gather under
  ZeRO) once per step, or per micro-batch for ZeRO-2 gradients and ZeRO-3 parameters; hidden
  behind one micro-batch's backward pass by the ``dp_overlap`` fraction.
* **Latency:** every collective and pipeline send pays a fixed latency that grows with the
  logarithm of the group size (tree/ring algorithms), never hidden.

Step time = (m + bubble) x t_microbatch + exposed data-parallel time + optimizer update, with
m micro-batches per step. Memory per accelerator (the first pipeline stage, which holds the
input embedding and the most in-flight activations) is weights, gradients and Adam states in
mixed precision (16 bytes per parameter, divided by the ZeRO stage's sharding, Rajbhandari et
al. 2020) plus activations (Korthikanti et al. 2022), against the HBM capacity less a reserve.

References
----------
Narayanan et al. (2021), "Efficient Large-Scale Language Model Training on GPU Clusters Using
Megatron-LM", SC'21, arXiv:2104.04473.
Korthikanti et al. (2022), "Reducing Activation Recomputation in Large Transformer Models",
arXiv:2205.05198.
Rajbhandari et al. (2020), "ZeRO: Memory Optimizations Toward Training Trillion Parameter
Models", arXiv:1910.02054.
Dao (2023), "FlashAttention-2", arXiv:2307.08691.
Llama Team (2024), "The Llama 3 Herd of Models", arXiv:2407.21783, Sec. 3.3.
DeepSeek-AI (2024), "DeepSeek-V3 Technical Report", arXiv:2412.19437, Sec. 3.2.
Isaev et al. (2023), "Calculon: a Methodology and Tool for High-Level Co-Design of Systems and
Large Language Models", SC'23 (an analytical model of the same kind).
Erdil & Schneider-Joseph (2024), "Data movement limits to frontier model training",
arXiv:2411.01137 (latency and batch-size walls).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from scaling._validation import (
    check_choice, check_fraction, elementwise, scalar, whole_number,
)
from scaling.model_shape import ModelShape
from scaling.training_state import (
    ADAM_BYTES_PER_PARAM, FP8_WEIGHT_COPY_BYTES, OPTIMIZER_STATE_BYTES_PER_PARAM,
)

__all__ = [
    "ring_time_s",
    "COLLECTIVE_EFFICIENCY",
    "DP_OVERLAP",
    "FLASH_BACKWARD_FLOP_RATIO",
    "HBM_EFFICIENCY",
    "MATMUL_EFFICIENCY",
    "RECOMPUTE_MODES",
    "SCALE_OUT_LATENCY_S",
    "SCALE_UP_LATENCY_S",
    "SCHEDULES",
    "ParallelLayout",
]

# --------------------------------------------------------------------------------------------
# constants (each with its source or its status as an assumption)
# --------------------------------------------------------------------------------------------


#: Achievable fraction of peak HBM bandwidth for streaming element-wise kernels. Assumption:
#: STREAM-like kernels reach roughly 80-90% of datasheet bandwidth on A100/H100; 0.8 taken.
HBM_EFFICIENCY = 0.8

#: Achievable fraction of link bandwidth for large collectives. DeepSeek-V3 reports about
#: 160 GB/s achievable of H800 NVLink's 200 GB/s per direction (arXiv:2412.19437, Sec. 3.2.2):
#: 0.8, used for every fabric.
COLLECTIVE_EFFICIENCY = 0.8

#: Fixed latency of one collective step inside the scale-up domain [s]. Assumption of the order
#: of NCCL's small-message latency over NVLink (a few microseconds per step); a collective over
#: n ranks pays it ceil(log2 n) times (tree / recursive-halving algorithms).
SCALE_UP_LATENCY_S = 5e-6

#: Fixed latency of one collective step or pipeline send over the scale-out network [s].
#: Assumption of the order of InfiniBand/RoCE end-to-end latency through a multi-tier Clos
#: (switch hops plus NIC and software); see Erdil & Schneider-Joseph (2024), arXiv:2411.01137,
#: for why such latencies set a wall on how far one run can scale.
SCALE_OUT_LATENCY_S = 15e-6

#: Achievable matmul efficiency (fraction of dense peak that large matrix multiplications
#: reach inside a training step), by accelerator vendor family. Calibrated by
#: :func:`scaling.studies.calibration.calibrate` on the per-GPU throughputs of Narayanan et
#: al. (2021) Table 1 only (data/parallel_benchmarks.csv rows with
#: ``calibration_set == "fit"``); every other published figure is predicted out of sample with
#: these values.
MATMUL_EFFICIENCY = {"default": 0.656}

#: Fraction of the concurrent compute window used to hide data-parallel traffic (bucketed
#: gradient reduction as layers finish, PyTorch DDP / FSDP prefetch / Megatron
#: ``overlap_grad_reduce``). The window is the last micro-batch's backward pass (plus the
#: interleaved cool-down) for per-step traffic, and the forward / backward pass of each
#: micro-batch for ZeRO-2/3 traffic. Assumption, not fitted by :func:`calibrate`: 0.6, chosen
#: by hand between 0.5 and 0.75 while looking at OPT-175B (ZeRO-3) and Narayanan et al.'s
#: Figure 10, so those two figures are not out of sample for this constant.
DP_OVERLAP = 0.6

#: FlashAttention's backward pass executes five matmuls against the forward's two (it
#: recomputes the attention scores): 2.5x the forward FLOP (Dao 2023, arXiv:2307.08691, Sec. 3).
FLASH_BACKWARD_FLOP_RATIO = 2.5

#: Activation recomputation modes (Korthikanti et al. 2022): none, selective (attention scores
#: only) and full (each layer's input kept, the layer recomputed in the backward pass).
RECOMPUTE_MODES = ("none", "selective", "full")

#: Pipeline schedules: Megatron-LM's 1F1B (with ``virtual_stages`` interleaving) and
#: DeepSeek-V3's DualPipe (bidirectional, computation-communication overlap, arXiv:2412.19437
#: Sec. 3.2.1).
SCHEDULES = ("1f1b", "dualpipe")

#: Bytes per element of activations (bf16) and of fp32 logits for the loss.
_ACT_BYTES = 2.0
_LOGIT_BYTES = 4.0
#: Optimizer update traffic per locally owned parameter [bytes]: Adam reads the fp32 master,
#: momentum, variance and fp32 gradient (16) and writes master, momentum, variance and the
#: 16-bit weight (14); Lion reads master, momentum and gradient (12) and writes master,
#: momentum and the 16-bit weight (10).
_OPTIMIZER_TRAFFIC_BYTES_PER_PARAM = {"adam": 30.0, "lion": 22.0}

_ZERO_STAGES = (0, 1, 2, 3)

#: Integer fields of a parallel layout, each a whole number >= 1.
_LAYOUT_FIELDS = ("tp", "pp", "dp", "cp", "ep", "micro_batch", "virtual_stages")


def _zero_stage(name: str, value) -> int:
    """A ZeRO stage: one of :data:`_ZERO_STAGES` (True/False and 1.5 refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or int(value) not in _ZERO_STAGES:
        raise ValueError(f"{name} must be one of 0, 1, 2, 3 (no sharding, ZeRO-1, -2, -3), "
                         f"got {value!r}")
    return int(value)

#: Fractions of layers recomputed in full, searched (Megatron-LM ``--recompute-num-layers``
#: recomputes a chosen number of each stage's layers).
_FULL_FRACTIONS = (1.0, 0.75, 0.5, 0.25)
#: Recompute fraction by candidate code: 0 none, 1 selective, then full on _FULL_FRACTIONS.
_RECOMPUTE_FRACTIONS = np.array((0.0, 0.0) + _FULL_FRACTIONS)


# --------------------------------------------------------------------------------------------
# layout
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelLayout:
    """One parallel layout of a training run.

    Parameters
    ----------
    tp, pp, dp : int
        Tensor-, pipeline- and data-parallel sizes.
    cp : int
        Context-parallel size (sequence split across accelerators for attention).
    ep : int
        Expert-parallel size (experts spread over ``ep`` of the data-parallel ranks).
    micro_batch : int
        Sequences per micro-batch on one pipeline.
    virtual_stages : int
        Interleaved pipeline chunks per accelerator (1 = plain 1F1B).
    zero_stage : {0, 1, 2, 3}
        Sharding over the data-parallel group: none, optimizer states (ZeRO-1, Megatron's
        distributed optimizer), plus gradients (ZeRO-2), plus parameters (ZeRO-3 / FSDP).
    recompute : {"none", "selective", "full"}
        Activation recomputation.
    recompute_fraction : float
        With ``recompute="full"``, the fraction of each stage's layers recomputed (the others
        keep their activations), in (0, 1].
    """

    tp: int = 1
    pp: int = 1
    dp: int = 1
    cp: int = 1
    ep: int = 1
    micro_batch: int = 1
    virtual_stages: int = 1
    zero_stage: int = 1
    recompute: str = "none"
    recompute_fraction: float = 1.0

    def __post_init__(self) -> None:
        for attr in _LAYOUT_FIELDS:
            object.__setattr__(self, attr, whole_number(f"ParallelLayout.{attr}",
                                                        getattr(self, attr)))
        object.__setattr__(self, "zero_stage", _zero_stage("ParallelLayout.zero_stage",
                                                           self.zero_stage))
        check_choice("ParallelLayout.recompute", self.recompute, RECOMPUTE_MODES)
        object.__setattr__(self, "recompute_fraction", scalar(
            "ParallelLayout.recompute_fraction", self.recompute_fraction, check_fraction))

    @property
    def n_accelerators(self) -> int:
        """Accelerators the plan occupies: tp x pp x dp x cp (ep is carved out of dp)."""
        return self.tp * self.pp * self.dp * self.cp


# --------------------------------------------------------------------------------------------
# internal descriptions of the model, the machine and the run settings
# --------------------------------------------------------------------------------------------

class _Model(NamedTuple):
    n_layers: float
    n_moe_layers: float
    d: float
    heads: float
    kv_heads: float
    qk_dim: float
    v_dim: float
    kv_elems: float          # key + value elements stored per token
    attn_params: float       # per layer
    attn_out_params: float   # output projection per layer
    dense_mlp_params: float  # per dense layer
    ffn: float               # dense MLP width
    mlp_mats: float          # 3 gated, 2 plain
    expert_params: float
    expert_ffn: float
    n_experts: float
    top_k: float
    n_shared: float
    vocab: float
    seq: float
    tied: bool
    matmul_params_per_token: float

    @property
    def moe_frac(self) -> float:
        """Share of the layers that are mixture-of-experts layers."""
        return self.n_moe_layers / self.n_layers


def _model_consts(shape: ModelShape) -> _Model:
    out_params = shape.attention_width * shape.d_model
    return _Model(
        n_layers=float(shape.n_layers), n_moe_layers=float(shape.n_moe_layers),
        d=float(shape.d_model), heads=float(shape.n_heads), kv_heads=float(shape.n_kv_heads),
        qk_dim=float(shape.qk_head_dim), v_dim=float(shape.value_head_dim),
        kv_elems=float(shape.kv_width), attn_params=float(shape.attention_params_per_layer),
        attn_out_params=float(out_params), dense_mlp_params=float(shape.dense_mlp_params),
        ffn=float(shape.d_ff), mlp_mats=3.0 if shape.gated_mlp else 2.0,
        expert_params=float(shape.expert_params), expert_ffn=float(shape.moe_d_ff),
        n_experts=float(shape.n_experts), top_k=float(shape.top_k),
        n_shared=float(shape.n_shared_experts), vocab=float(shape.vocab_size),
        seq=float(shape.seq_len), tied=bool(shape.tie_embeddings),
        matmul_params_per_token=float(shape.matmul_params_per_token),
    )


class _Hardware(NamedTuple):
    peak: float              # matmul peak at the run's precision [FLOP/s]
    peak_bf16: float         # dense bf16 peak (MFU denominator)
    hbm_bytes: float
    hbm_bw: float
    domain: float            # scale-up domain size
    up_bw: float             # per direction, per accelerator [byte/s]
    out_bw: float            # per direction, per accelerator [byte/s]


class _Settings(NamedTuple):
    eta: float
    fp8: bool
    flash: bool
    dropout: bool
    dp_overlap: float
    ep_overlap: float
    dualpipe: bool
    grad_bytes: float
    sp: bool
    attention_eff: float               # fused attention, fraction of the bf16 peak
    optimizer: str = "adam"


def _log2_steps(n):
    return np.ceil(np.log2(np.maximum(n, 1.0)))


def _gemm_time(m, k, n, count, hw: _Hardware, st: _Settings, peak):
    """Roofline time of ``count`` matmuls of (m x k) @ (k x n) [s]."""
    flop = 2.0 * m * k * n * count
    elem = 1.0 if st.fp8 else _ACT_BYTES
    traffic = elem * (m * k + k * n) + _ACT_BYTES * m * n
    return np.maximum(flop / (peak * st.eta), traffic * count / (hw.hbm_bw * HBM_EFFICIENCY))


# --------------------------------------------------------------------------------------------
# the step-time evaluation, as named steps over arrays of candidate layouts
# --------------------------------------------------------------------------------------------

class _Candidates(NamedTuple):
    """Candidate layouts as float arrays that broadcast together (layouts along one axis,
    ZeRO stage and recomputation along the other), and what follows from the layout alone."""

    tp: np.ndarray
    pp: np.ndarray
    dp: np.ndarray
    cp: np.ndarray
    ep: np.ndarray
    mb: np.ndarray               # sequences per micro-batch
    v: np.ndarray                # interleaved pipeline chunks
    zero: np.ndarray             # ZeRO stage
    rc: np.ndarray               # recomputation code (0 none, 1 selective, 2.. full)
    tokens: np.ndarray           # tokens per micro-batch per accelerator
    micro_batches: np.ndarray    # micro-batches per step (the batch rounded up)
    layers: np.ndarray           # layers held by one accelerator
    rfrac: np.ndarray            # fraction of layers recomputed in full
    sp: np.ndarray               # sequence-parallel split of norms, residuals and dropout
    dp_ranks: np.ndarray         # ranks reducing dense gradients: dp x cp
    expert_dp_ranks: np.ndarray  # ranks reducing expert gradients: dp x cp / ep


def _candidates(mc: _Model, st: _Settings, batch_seqs, tp, pp, dp, cp, ep, mb, v, zero,
                rc) -> _Candidates:
    """The candidates as float arrays, with tokens, micro-batches and layers of each."""
    tp, pp, dp, cp, ep, mb, v, zero, rc = (np.asarray(x, dtype=np.float64)
                                          for x in (tp, pp, dp, cp, ep, mb, v, zero, rc))
    return _Candidates(
        tp=tp, pp=pp, dp=dp, cp=cp, ep=ep, mb=mb, v=v, zero=zero, rc=rc,
        tokens=mb * mc.seq / cp, micro_batches=np.ceil(batch_seqs / (dp * mb)),
        layers=np.ceil(mc.n_layers / (pp * v)) * v,
        rfrac=_RECOMPUTE_FRACTIONS[rc.astype(np.int64)],
        # sequence parallelism (Korthikanti et al. 2022) splits norms, residuals and dropout
        sp=np.where(tp > 1, tp, 1.0) if st.sp else np.ones_like(tp),
        dp_ranks=dp * cp, expert_dp_ranks=dp * cp / ep)


class _Params(NamedTuple):
    per_layer: float               # dense parameters of one layer (attention, MLP, router)
    dense: np.ndarray              # dense parameters held per accelerator
    expert: np.ndarray             # expert parameters held per accelerator


def _local_params(mc: _Model, c: _Candidates) -> _Params:
    """Parameters held per accelerator (first pipeline stage: embedding included) [count]."""
    moe_frac = mc.moe_frac
    per_layer = (mc.attn_params + (1.0 - moe_frac) * mc.dense_mlp_params
                 + moe_frac * (mc.n_shared * mc.expert_params + mc.d * mc.n_experts))
    embed = mc.vocab * mc.d * np.where((c.pp == 1) & (not mc.tied), 2.0, 1.0)
    return _Params(per_layer=per_layer, dense=(per_layer * c.layers + embed) / c.tp,
                   expert=moe_frac * mc.n_experts * mc.expert_params * c.layers / (c.ep * c.tp))


def _owned_params(params: _Params, c: _Candidates, from_stage: int):
    """Parameters per accelerator after sharding over data parallelism from ZeRO stage
    ``from_stage`` on (dense over dp x cp ranks, experts over dp x cp / ep) [count]."""
    return (params.dense / np.where(c.zero >= from_stage, c.dp_ranks, 1.0)
            + params.expert / np.where(c.zero >= from_stage, c.expert_dp_ranks, 1.0))


# ---- compute (matmuls by roofline, attention scores) ---------------------------------------

def _mlp_gemm_time(tokens, width, count, mc: _Model, hw: _Hardware, st: _Settings, tp):
    """Forward roofline time of ``count`` MLPs (gated or plain) of ``width`` split over tp [s]."""
    return (_gemm_time(tokens, mc.d, (mc.mlp_mats - 1.0) * width / tp, count, hw, st, hw.peak)
            + _gemm_time(tokens, width / tp, mc.d, count, hw, st, hw.peak))


def _moe_time_fwd(mc: _Model, hw: _Hardware, st: _Settings, c: _Candidates):
    """Forward time of one MoE layer's routed experts, shared experts and router [s]."""
    local_experts = mc.n_experts / c.ep
    tok_per_expert = c.tokens * mc.top_k * c.ep / mc.n_experts
    t_experts = _mlp_gemm_time(tok_per_expert, mc.expert_ffn, local_experts, mc, hw, st, c.tp)
    t_shared = 0.0
    if mc.n_shared:
        t_shared = _mlp_gemm_time(c.tokens, mc.n_shared * mc.expert_ffn, 1.0, mc, hw, st, c.tp)
    t_router = _gemm_time(c.tokens, mc.d, mc.n_experts, 1.0, hw, st, hw.peak_bf16)
    return t_experts + t_shared + t_router


def _matmul_time_fwd(mc: _Model, hw: _Hardware, st: _Settings, c: _Candidates):
    """Forward time of one micro-batch's matmuls on one accelerator's layers [s]: attention
    projections, MLP or experts, and (spread over the stages) the output logits."""
    attn_in_n = (mc.attn_params - mc.attn_out_params) / mc.d / c.tp
    t_attn_proj = (_gemm_time(c.tokens, mc.d, attn_in_n, 1.0, hw, st, hw.peak)
                   + _gemm_time(c.tokens, mc.heads * mc.v_dim / c.tp, mc.d, 1.0, hw, st,
                                hw.peak))
    t_mlp = _mlp_gemm_time(c.tokens, mc.ffn, 1.0, mc, hw, st, c.tp)
    if mc.n_moe_layers:
        t_mlp = (1.0 - mc.moe_frac) * t_mlp + mc.moe_frac * _moe_time_fwd(mc, hw, st, c)
    t_logits = _gemm_time(c.tokens, mc.d, mc.vocab / c.tp, 1.0, hw, st, hw.peak) / c.pp
    return (t_attn_proj + t_mlp) * c.layers + t_logits


def _attention_time(mc: _Model, hw: _Hardware, st: _Settings, c: _Candidates):
    """Forward and backward time of the attention scores (bf16) on one accelerator's layers:
    fused causal kernels (FlashAttention), or unfused batched matmuls [s]."""
    heads_local = mc.heads / c.tp
    if st.flash:
        score_flop = 2.0 * c.tokens * mc.seq * 0.5 * heads_local * (mc.qk_dim + mc.v_dim)
        fwd = score_flop / (hw.peak_bf16 * st.attention_eff)
        bwd = FLASH_BACKWARD_FLOP_RATIO * fwd
    else:
        n_seq = c.mb / c.cp
        s = mc.seq
        qk = _gemm_time(s, mc.qk_dim, s, heads_local * n_seq, hw, st, hw.peak_bf16)
        av = _gemm_time(s, s, mc.v_dim, heads_local * n_seq, hw, st, hw.peak_bf16)
        fwd = qk + av
        bwd = 2.0 * fwd
    return fwd * c.layers, bwd * c.layers


class _Compute(NamedTuple):
    gemm_fwd: np.ndarray         # matmuls, forward
    attention_bwd: np.ndarray    # attention scores, backward
    per_micro_batch: np.ndarray  # matmuls and attention: forward, backward, recomputation
    forward: np.ndarray          # the forward part of it (window hiding ZeRO-3 gathers)
    backward: np.ndarray         # the rest (window hiding per-micro-batch gradient traffic)


def _compute_time(mc: _Model, hw: _Hardware, st: _Settings, c: _Candidates) -> _Compute:
    """Compute time of one micro-batch on one accelerator [s].

    Backward is twice the forward for matmuls; recomputation repeats the forward of the
    fraction of layers recomputed in full, and selective recomputation the attention scores
    (unless fused kernels already recompute them).
    """
    gemm_fwd = _matmul_time_fwd(mc, hw, st, c)
    attn_fwd, attn_bwd = _attention_time(mc, hw, st, c)
    rsel = (c.rc == 1) & (not st.flash)
    t_gemm = 3.0 * gemm_fwd + c.rfrac * gemm_fwd
    t_attn = attn_fwd + attn_bwd + (c.rfrac + np.where(rsel, 1.0, 0.0)) * attn_fwd
    per_micro_batch = t_gemm + t_attn
    forward = gemm_fwd + attn_fwd
    return _Compute(gemm_fwd=gemm_fwd, attention_bwd=attn_bwd, per_micro_batch=per_micro_batch,
                    forward=forward, backward=per_micro_batch - forward)


# ---- memory-bound work (element-wise kernels, optimizer update) ----------------------------

def _elementwise_bytes_fwd(mc: _Model, st: _Settings, c: _Candidates):
    """HBM traffic of one micro-batch's element-wise work, forward, on one accelerator
    [bytes]: norms, residual adds, rotary embeddings, activation functions, MoE token
    permutation, unfused softmax and dropout, fp8 casts and the loss."""
    e, moe_frac = _ACT_BYTES, mc.moe_frac
    norm_resid = 10.0 * mc.d * e / c.sp               # 2 norms (read+write) + 2 residual adds
    rope = 2.0 * e * (mc.heads * mc.qk_dim + mc.kv_elems / 2.0) / c.tp
    act_dense = (3.0 if mc.mlp_mats == 3.0 else 2.0) * mc.ffn / c.tp * e
    act_moe = 0.0
    if mc.n_moe_layers:
        act_moe = ((3.0 if mc.mlp_mats == 3.0 else 2.0) * (mc.top_k + mc.n_shared)
                   * mc.expert_ffn / c.tp * e + 4.0 * mc.top_k * mc.d * e)
    elem_per_token = (norm_resid + rope + (1.0 - moe_frac) * act_dense + moe_frac * act_moe)
    # unfused attention: softmax read+write, dropout mask write, dropout output write: 4e + 1
    # bytes per score
    score_bytes = 0.0 if st.flash else (
        (4.0 * e + 1.0) * mc.seq * mc.seq * (mc.heads / c.tp) * (c.mb / c.cp))
    elem_bytes = (elem_per_token * c.tokens + score_bytes) * c.layers
    if st.fp8:
        # casts to fp8: activations into each linear layer (3 bytes per element: read 2,
        # write 1) forward, and output gradients backward (counted in the factor 3 below)
        cast_per_token = 3.0 * (2.0 * mc.d / c.sp + mc.heads * mc.v_dim / c.tp
                                + (1.0 - moe_frac) * mc.ffn / c.tp
                                + moe_frac * (mc.top_k + mc.n_shared) * (mc.d + mc.expert_ffn)
                                / c.tp)
        elem_bytes = elem_bytes + cast_per_token * c.tokens * c.layers
    loss_bytes = 3.0 * _LOGIT_BYTES * mc.vocab / c.tp * c.tokens / c.pp
    return elem_bytes + loss_bytes


class _MemoryBound(NamedTuple):
    forward: np.ndarray          # element-wise work of one micro-batch, forward
    per_micro_batch: np.ndarray  # forward, backward (twice the traffic) and recomputation
    optimizer: np.ndarray        # Adam update, once per step


def _memory_bound_time(mc: _Model, hw: _Hardware, st: _Settings, c: _Candidates,
                       params: _Params) -> _MemoryBound:
    """Memory-bound time of one micro-batch (forward, backward at twice the traffic,
    recomputation) and of the optimizer update, at the achievable HBM bandwidth [s]."""
    bandwidth = hw.hbm_bw * HBM_EFFICIENCY
    forward = _elementwise_bytes_fwd(mc, st, c) / bandwidth
    optimizer = (_OPTIMIZER_TRAFFIC_BYTES_PER_PARAM[st.optimizer]
                 * _owned_params(params, c, 1) / bandwidth)
    return _MemoryBound(forward=forward, per_micro_batch=3.0 * forward + c.rfrac * forward,
                        optimizer=optimizer)


# ---- the pipeline bubble -------------------------------------------------------------------

def _bubble(pp, v, st: _Settings):
    """Pipeline bubble in micro-batch times.

    1F1B with ``v`` interleaved chunks: (p - 1) / v (Narayanan et al. 2021, Sec. 2.2). DualPipe:
    (p/2 - 1)(F&B + B - 3W) (DeepSeek-V3, Table 2) with forward, input-backward and
    weight-backward chunks of equal length (t_mb / 3 each): (p/2 - 1) / 3.
    """
    if st.dualpipe:
        return np.maximum(pp / 2.0 - 1.0, 0.0) / 3.0
    return (pp - 1.0) / v


# ---- communication -------------------------------------------------------------------------

def _collective(hw: _Hardware, factor, nbytes, n, stride):
    """Bandwidth and latency time of a collective over ``n`` ranks ``stride`` apart [s].

    Hierarchical when the group spans several scale-up domains: within each domain over the
    scale-up fabric, then across domains on 1/k of the data per accelerator (k ranks of the
    group per domain, each with its own scale-out NIC). ``factor`` is 2 for an all-reduce, 1
    for an all-gather or a reduce-scatter.
    """
    k = np.clip(np.floor(hw.domain / stride), 1.0, n)
    n_dom = n / k
    up = hw.up_bw * COLLECTIVE_EFFICIENCY
    out = hw.out_bw * COLLECTIVE_EFFICIENCY
    intra = np.where(k > 1, ring_time_s(nbytes, k, up, passes=factor), 0.0)
    inter = np.where(n_dom > 1, ring_time_s(nbytes, n_dom, k * out, passes=factor), 0.0)
    latency = (np.where(k > 1, factor * _log2_steps(k) * SCALE_UP_LATENCY_S, 0.0)
               + np.where(n_dom > 1, factor * _log2_steps(n_dom) * SCALE_OUT_LATENCY_S, 0.0))
    active = n > 1
    return np.where(active, intra + inter, 0.0), np.where(active, latency, 0.0)


def _tensor_context_parallel(mc: _Model, hw: _Hardware, c: _Candidates):
    """Tensor- and context-parallel collectives of one micro-batch, not overlapped: bandwidth
    and latency time of each [s].

    Tensor parallel: 4 collectives per layer (+2 with full recomputation), each an all-reduce
    (or reduce-scatter + all-gather with sequence parallelism) of the layer's activation.
    Context parallel: all-gather of keys and values forward, reduce-scatter of their gradients
    backward, per layer.
    """
    n_tp_coll = (4.0 + 2.0 * c.rfrac) * c.layers
    tp_bw, tp_lat = _collective(hw, 2.0, c.tokens * mc.d * _ACT_BYTES, c.tp, 1.0)
    cp_full = c.mb * mc.seq * mc.kv_elems / np.minimum(c.tp, mc.kv_heads) * _ACT_BYTES
    n_cp_coll = (2.0 + c.rfrac) * c.layers
    cp_bw, cp_lat = _collective(hw, 1.0, cp_full, c.cp, c.tp)
    return n_tp_coll * tp_bw, n_tp_coll * tp_lat, n_cp_coll * cp_bw, n_cp_coll * cp_lat


def _expert_all_to_all(mc: _Model, hw: _Hardware, st: _Settings, c: _Candidates,
                       compute_mb):
    """Expert-parallel dispatch and combine all-to-alls of one micro-batch, forward and
    backward per MoE layer: exposed bandwidth time (``ep_overlap`` of ``compute_mb`` hides
    it) and latency [s]."""
    if mc.n_moe_layers:
        e = _ACT_BYTES
        span = c.tp * c.ep
        in_domain = np.minimum(span, hw.domain) / span
        remote = (c.ep - 1.0) / c.ep
        disp_bytes = 1.0 if st.fp8 else e
        per_layer = c.tokens * mc.top_k * mc.d * remote * (2.0 * disp_bytes + 2.0 * e)
        off = per_layer * (1.0 - in_domain)
        on = per_layer * in_domain
        ep_layers = c.layers * mc.moe_frac
        bandwidth = np.where(c.ep > 1, ep_layers * np.maximum(
            off / (hw.out_bw * COLLECTIVE_EFFICIENCY),
            on / (hw.up_bw * COLLECTIVE_EFFICIENCY)), 0.0)
        latency = np.where(c.ep > 1, ep_layers * 4.0 * np.where(
            span <= hw.domain, SCALE_UP_LATENCY_S, SCALE_OUT_LATENCY_S), 0.0)
    else:
        bandwidth = np.zeros_like(c.tp)
        latency = np.zeros_like(c.tp)
    return np.maximum(bandwidth - st.ep_overlap * compute_mb, 0.0), latency


def _pipeline_sends(mc: _Model, hw: _Hardware, c: _Candidates):
    """Pipeline sends of one micro-batch: activation forward and gradient backward per virtual
    stage (sequence-parallel scatter: 1/tp of the activation each), stages being the
    outermost group; bandwidth and latency time [s]."""
    near = c.tp * c.cp * c.dp < hw.domain
    send_bytes = c.tokens * mc.d * _ACT_BYTES / c.tp
    link = np.where(near, hw.up_bw, hw.out_bw) * COLLECTIVE_EFFICIENCY
    hop = np.where(near, SCALE_UP_LATENCY_S, SCALE_OUT_LATENCY_S)
    return (np.where(c.pp > 1, 2.0 * c.v * send_bytes / link, 0.0),
            np.where(c.pp > 1, 2.0 * c.v * hop, 0.0))


class _DataParallel(NamedTuple):
    per_micro_batch: np.ndarray  # exposed ZeRO-2/3 traffic of one micro-batch
    latency_mb: np.ndarray       # its latency
    per_step: np.ndarray         # exposed once-per-step gradient (and parameter) traffic
    latency_step: np.ndarray     # its latency


def _data_parallel(hw: _Hardware, st: _Settings, c: _Candidates, params: _Params,
                   compute: _Compute, memory_bound: _MemoryBound, bubble) -> _DataParallel:
    """Data-parallel gradient (and ZeRO-3 parameter) traffic, dense parameters over dp x cp
    ranks and experts over dp x cp / ep, hidden by ``dp_overlap`` of the concurrent compute
    [s].

    Once per step: ZeRO-0 all-reduces the gradients (2g bytes per element); ZeRO-1
    reduce-scatters them (g) and all-gathers the updated 16-bit parameters (e); ZeRO-2 only
    all-gathers (its reduce-scatters run per micro-batch). Per micro-batch: ZeRO-2
    reduce-scatters gradients; ZeRO-3 all-gathers parameters forward and backward and
    reduce-scatters gradients (one collective per layer), forward traffic behind the forward
    pass and backward traffic behind the backward pass. The per-step traffic hides behind the
    last micro-batch's backward plus (with interleaving) the part of the pipeline cool-down
    in which this accelerator's later chunks have already finished their gradients.
    """
    e, g, zero = _ACT_BYTES, st.grad_bytes, c.zero
    d_bw, d_lat = _collective(hw, 1.0, params.dense, c.dp_ranks, c.tp)
    x_bw, x_lat = _collective(hw, 1.0, params.expert, c.expert_dp_ranks, c.tp * c.ep)
    bandwidth, latency = d_bw + x_bw, d_lat + x_lat
    f_step_g = np.select([zero == 0, zero == 1], [2.0, 1.0], 0.0)
    f_step_w = np.select([zero == 1, zero == 2], [1.0, 1.0], 0.0)
    f_mb_fwd = np.where(zero == 3, e, 0.0)
    f_mb_bwd = np.select([zero == 2, zero == 3], [g, e + g], 0.0)
    per_micro_batch = (
        np.maximum(f_mb_fwd * bandwidth - st.dp_overlap * compute.forward, 0.0)
        + np.maximum(f_mb_bwd * bandwidth - st.dp_overlap * compute.backward, 0.0))
    latency_mb = np.select([zero == 2, zero == 3], [1.0, 3.0], 0.0) * latency * c.layers
    backward_mb = 2.0 * compute.gemm_fwd + compute.attention_bwd + 2.0 * memory_bound.forward
    window = backward_mb * (1.0 + bubble * (c.v - 1.0) / c.v)
    per_step = np.maximum((f_step_g * g + f_step_w * e) * bandwidth - st.dp_overlap * window,
                          0.0)
    latency_step = np.where(f_step_g + f_step_w > 0, f_step_g + f_step_w, 0.0) * latency
    return _DataParallel(per_micro_batch=per_micro_batch, latency_mb=latency_mb,
                         per_step=per_step, latency_step=latency_step)


class _Communication(NamedTuple):
    tensor_parallel: np.ndarray  # tensor and context parallel, per micro-batch
    expert: np.ndarray           # exposed expert all-to-all, per micro-batch
    data_parallel: np.ndarray    # exposed data parallel, per micro-batch
    pipeline: np.ndarray         # pipeline sends, per micro-batch
    per_micro_batch: np.ndarray  # the four above
    latency_mb: np.ndarray       # latency of every collective and send, per micro-batch
    data_parallel_step: _DataParallel


def _communication_time(mc: _Model, hw: _Hardware, st: _Settings, c: _Candidates,
                        params: _Params, compute: _Compute, memory_bound: _MemoryBound,
                        bubble) -> _Communication:
    """Communication time (tensor/context parallel, expert all-to-all, data parallel,
    pipeline sends) and the fixed latency of each collective and send, never hidden [s]."""
    tp_bw, tp_lat, cp_bw, cp_lat = _tensor_context_parallel(mc, hw, c)
    ep_exposed, ep_lat = _expert_all_to_all(mc, hw, st, c, compute.per_micro_batch)
    pp_bw, pp_lat = _pipeline_sends(mc, hw, c)
    dp = _data_parallel(hw, st, c, params, compute, memory_bound, bubble)
    tensor = tp_bw + cp_bw
    return _Communication(
        tensor_parallel=tensor, expert=ep_exposed, data_parallel=dp.per_micro_batch,
        pipeline=pp_bw, per_micro_batch=tensor + ep_exposed + dp.per_micro_batch + pp_bw,
        latency_mb=tp_lat + cp_lat + ep_lat + pp_lat + dp.latency_mb, data_parallel_step=dp)


# ---- memory per accelerator (first pipeline stage) -----------------------------------------

def _activation_bytes_per_token(mc: _Model, st: _Settings, c: _Candidates):
    """Activations kept per token per layer without recomputation, attention scores excluded
    [bytes] (Korthikanti et al. 2022, Sec. 4, generalised to GQA, gated MLPs and experts).

    For a GPT layer with dropout this is their ``34 h`` bytes per token: each of the two layer
    norms keeps its bf16 input (2h), the attention block 11h and the MLP 19h.
    """
    e = _ACT_BYTES
    lin_in = 0.5 if st.fp8 else 1.0                   # fp8-cached linear inputs
    mask = 1.0 if st.dropout else 0.0
    attn_tok = (mc.d * e / c.sp                       # norm input (bf16: d elements)
                + lin_in * 2.0 * mc.d / c.sp * 1.0    # QKV input (bf16: 2d bytes)
                + e * (mc.heads * mc.qk_dim + mc.kv_elems) / np.minimum(c.tp, mc.heads)
                + lin_in * e * mc.heads * mc.v_dim / c.tp   # output-projection input
                + mask * mc.d / c.sp)
    mlp_dense_tok = (mc.d * e / c.sp + lin_in * 2.0 * mc.d / c.sp
                     + e * (mc.mlp_mats - 1.0) * mc.ffn / c.tp + lin_in * e * mc.ffn / c.tp
                     + mask * mc.d / c.sp)
    mlp_moe_tok = 0.0
    if mc.n_moe_layers:
        assigned = mc.top_k + mc.n_shared
        mlp_moe_tok = (mc.d * e / c.sp + lin_in * 2.0 * mc.d / c.sp
                       + assigned * (lin_in * e * mc.d + e * (mc.mlp_mats - 1.0) * mc.expert_ffn
                                     + lin_in * e * mc.expert_ffn) / c.tp
                       + mask * mc.d / c.sp)
    return attn_tok + (1.0 - mc.moe_frac) * mlp_dense_tok + mc.moe_frac * mlp_moe_tok


def _activation_memory(mc: _Model, st: _Settings, c: _Candidates):
    """Activations held on the first pipeline stage [bytes].

    1F1B keeps min(m, p) micro-batches in flight there (its layers' worth); interleaving adds
    (p - 1) / (p v) (Korthikanti et al. 2022, Sec. 4.2.3). Layers recomputed in full keep only
    their input, and rebuild one layer at a time (one layer's full activations on top).
    """
    per_tok_full = _activation_bytes_per_token(mc, st, c)
    scores = 0.0 if st.flash else 5.0 * mc.heads / c.tp * mc.seq / c.cp
    per_tok_none = per_tok_full + scores
    per_tok_rc = 2.0 * mc.d * _ACT_BYTES / c.sp       # full recomputation keeps the layer input
    per_tok_kept = np.where(c.rc == 1, per_tok_full, per_tok_none)
    per_tok = c.rfrac * per_tok_rc + (1.0 - c.rfrac) * per_tok_kept
    in_flight = np.minimum(c.micro_batches, c.pp) * (
        np.where(c.v > 1, 1.0 + (c.pp - 1.0) / (c.pp * c.v), 1.0))
    memory = per_tok * c.tokens * (c.layers * in_flight)
    memory = memory + np.where(c.rfrac > 0, per_tok_none * c.tokens, 0.0)
    return memory + np.where(c.pp == 1, c.tokens * mc.vocab / c.tp * _LOGIT_BYTES, 0.0)


class _Memory(NamedTuple):
    weights: np.ndarray
    gradients: np.ndarray
    optimizer: np.ndarray
    activations: np.ndarray


def _memory_per_accelerator(mc: _Model, st: _Settings, c: _Candidates,
                            params: _Params) -> _Memory:
    """Memory per accelerator on the first pipeline stage [bytes].

    Weights, gradients and optimizer states in mixed precision (:data:`ADAM_BYTES_PER_PARAM`;
    the optimizer's states from :data:`OPTIMIZER_STATE_BYTES_PER_PARAM`, plus
    an fp8 weight copy; DualPipe holds two copies of the weights) sharded over data
    parallelism by the ZeRO stage (optimizer states from ZeRO-1, gradients from ZeRO-2,
    weights from ZeRO-3, which gathers one layer's full parameters plus one prefetched), and
    the activations.
    """
    w_bytes = ADAM_BYTES_PER_PARAM["weights"] + (FP8_WEIGHT_COPY_BYTES if st.fp8 else 0.0)
    w_copies = 2.0 if st.dualpipe else 1.0
    gathered = np.where(c.zero == 3, 2.0 * _ACT_BYTES * (
        params.per_layer + mc.moe_frac * mc.n_experts * mc.expert_params / c.ep) / c.tp, 0.0)
    return _Memory(
        weights=w_copies * (w_bytes * _owned_params(params, c, 3)) + gathered,
        gradients=ADAM_BYTES_PER_PARAM["gradients"] * _owned_params(params, c, 2),
        optimizer=OPTIMIZER_STATE_BYTES_PER_PARAM[st.optimizer] * _owned_params(params, c, 1),
        activations=_activation_memory(mc, st, c))


# ---- the evaluation ------------------------------------------------------------------------

def _assemble(c: _Candidates, params: _Params, compute: _Compute,
              memory_bound: _MemoryBound, comm: _Communication, bubble,
              memory: _Memory) -> dict:
    """The step time and its breakdown, and memory by component, of each candidate.

    Step time = (m + bubble) x t_mb + exposed once-per-step data-parallel time and its latency
    + optimizer update, with t_mb one micro-batch's compute, memory-bound, communication and
    latency time.
    """
    m = c.micro_batches
    dp_step = comm.data_parallel_step
    t_mb = compute.per_micro_batch + memory_bound.per_micro_batch + comm.per_micro_batch \
        + comm.latency_mb
    return {
        "memory_weights_bytes": memory.weights, "memory_gradients_bytes": memory.gradients,
        "memory_optimizer_bytes": memory.optimizer,
        "memory_activations_bytes": memory.activations,
        "memory_bytes": memory.weights + memory.gradients + memory.optimizer
        + memory.activations,
        "micro_batches": m,
        "compute_s": m * compute.per_micro_batch,
        "memory_bound_s": m * memory_bound.per_micro_batch + memory_bound.optimizer,
        "tensor_parallel_s": m * comm.tensor_parallel,
        "pipeline_send_s": m * comm.pipeline,
        "data_parallel_s": m * comm.data_parallel + dp_step.per_step,
        "expert_all_to_all_s": m * comm.expert,
        "bubble_s": bubble * t_mb,
        "latency_s": m * comm.latency_mb + dp_step.latency_step,
        "step_time_s": ((m + bubble) * t_mb + dp_step.per_step + dp_step.latency_step
                        + memory_bound.optimizer),
        "local_params": params.dense + params.expert,
    }


def _evaluate(mc: _Model, hw: _Hardware, st: _Settings, batch_seqs, tp, pp, dp, cp, ep, mb, v,
              zero, rc) -> dict:
    """Memory and step-time components of candidate layouts (all arrays broadcast together).

    The model as named steps, each vectorised over the candidates (pvlib's
    ``ModelChain.run_model`` is the pattern): the candidates' geometry and the parameters each
    accelerator holds, then compute, memory-bound work, the pipeline bubble, communication
    (partly hidden behind compute), memory per accelerator, and the step time assembled from
    them.

    Returns
    -------
    dict
        ``memory_{weights,gradients,optimizer,activations}_bytes`` and their sum
        ``memory_bytes`` [bytes]; ``micro_batches``; the step-time components (``compute_s``,
        ``memory_bound_s``, ``tensor_parallel_s``, ``pipeline_send_s``, ``data_parallel_s``,
        ``expert_all_to_all_s``, ``bubble_s``, ``latency_s``) and their sum ``step_time_s``
        [s]; ``local_params`` [count]. One array each (broadcast shape of the inputs).
    """
    c = _candidates(mc, st, batch_seqs, tp, pp, dp, cp, ep, mb, v, zero, rc)
    params = _local_params(mc, c)
    compute = _compute_time(mc, hw, st, c)
    memory_bound = _memory_bound_time(mc, hw, st, c, params)
    bubble = _bubble(c.pp, c.v, st)
    comm = _communication_time(mc, hw, st, c, params, compute, memory_bound, bubble)
    memory = _memory_per_accelerator(mc, st, c, params)
    return _assemble(c, params, compute, memory_bound, comm, bubble, memory)


@elementwise
def ring_time_s(message_bytes, n_ranks, bandwidth_byte_per_s, *, passes=2.0):
    """Bandwidth term of a ring collective: the one home of the formula [s].

    Unvalidated numpy arithmetic for callers that have checked their inputs (the plan search
    of :mod:`scaling.parallelism` evaluates it over arrays of candidate plans, with
    ``n_ranks`` >= 1 possibly fractional: ranks per scale-up domain averaged over domains).

    Parameters
    ----------
    message_bytes, n_ranks, bandwidth_byte_per_s : numeric
        Bytes per rank [byte], participants (>= 1) and per-rank bandwidth [byte/s].
    passes : numeric
        2 for an all-reduce (reduce-scatter then all-gather), 1 for either half alone.

    Notes
    -----
    .. math:: t = p \\frac{n - 1}{n} \\frac{S}{B}
    """
    return passes * (n_ranks - 1.0) / n_ranks * message_bytes / bandwidth_byte_per_s
