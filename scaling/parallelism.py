"""Step time of parallel training from first principles, and the plan search over it.

How long one optimizer step takes on a given machine follows from what each accelerator has
to compute, move through its memory and exchange over the network, for a chosen parallel
plan: tensor (tp) x pipeline (pp) x data (dp) parallel, plus expert (ep) and context (cp)
parallel, a micro-batch size, pipeline interleaving, optimizer-state sharding (ZeRO) and
activation recomputation. :func:`plan_parallelism` searches those plans (vectorised over all
candidates at once) for the fastest one that fits in memory and returns it with its memory
per accelerator, step-time breakdown and predicted model FLOP utilisation (MFU).

The model, per micro-batch on one accelerator
---------------------------------------------
* **Compute:** every matrix multiplication (attention projections, MLP or experts, output
  logits) is timed by a roofline, ``max(FLOP / (peak x eta), bytes / (HBM x eta_hbm))``, so
  small or skinny matrices are memory-bound; ``eta`` is the achievable matmul efficiency, the
  one constant calibrated on published runs (:data:`MATMUL_EFFICIENCY`). Attention scores run
  as fused kernels (FlashAttention: causal, compute-bound, backward recomputes the scores, 2.5x
  the forward FLOP) or, for older runs, as unfused batched matmuls plus a memory-bound softmax.
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
DeepSeek-AI (2024), "DeepSeek LLM", arXiv:2401.02954, Sec. 3.1 (batch-size law).
Isaev et al. (2023), "Calculon: a Methodology and Tool for High-Level Co-Design of Systems and
Large Language Models", SC'23 (an analytical model of the same kind).
Erdil & Schneider-Joseph (2024), "Data movement limits to frontier model training",
arXiv:2411.01137 (latency and batch-size walls).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from scaling._validation import as_float_array, check_at_least, check_fraction, like
from scaling.errors import InfeasibleRunError
from scaling.hardware import Accelerator, as_accelerator
from scaling.model_shape import ModelShape, as_model_shape

__all__ = [
    "ADAM_BYTES_PER_PARAM",
    "COLLECTIVE_EFFICIENCY",
    "DEEPSEEK_BATCH_COEFFICIENT",
    "DEEPSEEK_BATCH_EXPONENT",
    "DP_OVERLAP",
    "FLASH_BACKWARD_FLOP_RATIO",
    "HBM_EFFICIENCY",
    "MATMUL_EFFICIENCY",
    "MEMORY_RESERVE_FRACTION",
    "RECOMPUTE_MODES",
    "SCALE_OUT_LATENCY_S",
    "SCALE_UP_LATENCY_S",
    "SCHEDULES",
    "ParallelPlan",
    "ParallelismResult",
    "min_accelerators_for_state",
    "optimal_batch_tokens",
    "plan_parallelism",
    "training_state_bytes",
]

# --------------------------------------------------------------------------------------------
# constants (each with its source or its status as an assumption)
# --------------------------------------------------------------------------------------------

#: DeepSeek LLM's fitted optimal batch size B_opt = 0.2920 C^0.3271 [tokens], C in FLOP
#: (DeepSeek-AI 2024, "DeepSeek LLM", arXiv:2401.02954, Sec. 3.1, Eq. 1; fitted on 1e17-3e20
#: FLOP; C there counts non-embedding FLOP incl. attention, close to 6ND at scale).
DEEPSEEK_BATCH_COEFFICIENT = 0.2920
#: Exponent of the DeepSeek LLM batch-size law (arXiv:2401.02954, Sec. 3.1).
DEEPSEEK_BATCH_EXPONENT = 0.3271

#: Bytes per parameter of mixed-precision Adam training state: 2 (16-bit weights) + 2 (16-bit
#: gradients) + 12 (fp32 master weights, momentum, variance), Rajbhandari et al. (2020),
#: arXiv:1910.02054, Sec. 3.1 ("16 Psi").
ADAM_BYTES_PER_PARAM = {"weights": 2.0, "gradients": 2.0, "optimizer": 12.0}

#: Extra bytes per parameter when training in fp8: a 1-byte fp8 copy of the weights used by the
#: fp8 matmuls (NVIDIA Transformer Engine keeps bf16/fp32 masters plus fp8 casts; DeepSeek-V3,
#: arXiv:2412.19437, Sec. 3.3, keeps master weights and gradients in higher precision).
FP8_WEIGHT_COPY_BYTES = 1.0

#: Fraction of HBM held back from the training state for the CUDA/XLA context, communication
#: buffers, workspaces and allocator fragmentation. Assumption (not a measured figure): TPU
#: v5p reports 95 of 96 GiB usable to frameworks (Cloud TPU v5p docs) before any framework
#: overhead; GPU frameworks typically lose several GB more.
MEMORY_RESERVE_FRACTION = 0.10

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
#: :func:`scaling.utilisation.calibrate` on the per-GPU throughputs of Narayanan et al. (2021)
#: Table 1 only (data/parallel_benchmarks.csv rows with ``calibration_set == "fit"``); every
#: other published figure is predicted out of sample with these values.
MATMUL_EFFICIENCY = {"default": 0.7}

#: Fraction of one micro-batch's backward pass during which data-parallel gradient traffic can
#: run concurrently (bucketed reduction as layers finish, PyTorch DDP / Megatron
#: ``overlap_grad_reduce``). Assumption: 0.5.
DP_OVERLAP = 0.5

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
#: Adam update traffic per locally owned parameter: read fp32 master, momentum, variance and
#: fp32 gradient (16 bytes), write master, momentum, variance and the 16-bit weight (14 bytes).
_OPTIMIZER_BYTES_PER_PARAM = 30.0

_ZERO_STAGES = (0, 1, 2, 3)


# --------------------------------------------------------------------------------------------
# batch size law
# --------------------------------------------------------------------------------------------

def optimal_batch_tokens(compute_flop):
    """Global batch size from DeepSeek LLM's fitted law [tokens].

    Parameters
    ----------
    compute_flop : float or array_like or Series
        Training compute [FLOP], > 0.

    Returns
    -------
    float or ndarray or Series
        Optimal global batch [tokens].

    Notes
    -----
    .. math:: B_{opt} = 0.2920\\, C^{0.3271}

    fitted on compute budgets of 1e17-3e20 FLOP (DeepSeek-AI 2024, arXiv:2401.02954, Sec. 3.1);
    used far outside that range it is an extrapolation. It gives about 19M tokens at 8e23 FLOP
    (DeepSeek LLM 67B used 18.9M) and 68M at Llama 3 405B's 3.8e25 FLOP (Llama used 16M).

    Examples
    --------
    >>> round(optimal_batch_tokens(1e24) / 1e6, 1)
    20.4
    """
    c = as_float_array("compute_flop", compute_flop)
    return like(DEEPSEEK_BATCH_COEFFICIENT * c ** DEEPSEEK_BATCH_EXPONENT, compute_flop)


# --------------------------------------------------------------------------------------------
# plan
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelPlan:
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

    def __post_init__(self) -> None:
        for attr in ("tp", "pp", "dp", "cp", "ep", "micro_batch", "virtual_stages"):
            value = getattr(self, attr)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"ParallelPlan.{attr} must be an integer >= 1, got {value!r}")
            object.__setattr__(self, attr, int(value))
        if self.zero_stage not in _ZERO_STAGES:
            raise ValueError(f"ParallelPlan.zero_stage must be one of {_ZERO_STAGES}, "
                             f"got {self.zero_stage!r}")
        if self.recompute not in RECOMPUTE_MODES:
            raise ValueError(f"ParallelPlan.recompute must be one of {RECOMPUTE_MODES}, "
                             f"got {self.recompute!r}")

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


def _log2_steps(n):
    return np.ceil(np.log2(np.maximum(n, 1.0)))


def _gemm_time(m, k, n, count, hw: _Hardware, st: _Settings, peak):
    """Roofline time of ``count`` matmuls of (m x k) @ (k x n) [s]."""
    flop = 2.0 * m * k * n * count
    elem = 1.0 if st.fp8 else _ACT_BYTES
    traffic = elem * (m * k + k * n) + _ACT_BYTES * m * n
    return np.maximum(flop / (peak * st.eta), traffic * count / (hw.hbm_bw * HBM_EFFICIENCY))


def _evaluate(mc: _Model, hw: _Hardware, st: _Settings, batch_seqs, tp, pp, dp, cp, ep, mb, v,
              zero, rc):
    """Memory and step-time components of candidate plans (all arrays broadcast together)."""
    f = np.float64
    tp, pp, dp, cp, ep, mb, v, zero, rc = (np.asarray(x, dtype=f)
                                          for x in (tp, pp, dp, cp, ep, mb, v, zero, rc))
    L, Lm = mc.n_layers, mc.n_moe_layers
    moe_frac = Lm / L
    e = _ACT_BYTES
    tokens = mb * mc.seq / cp                        # tokens per micro-batch per accelerator
    m = np.ceil(batch_seqs / (dp * mb))               # micro-batches per step
    layers_stage = np.ceil(L / (pp * v)) * v          # layers held by one accelerator
    peak = hw.peak

    # ---------------- compute: matmuls (per layer, forward, one accelerator) ---------------
    attn_in_n = (mc.attn_params - mc.attn_out_params) / mc.d / tp
    t_attn_proj = (_gemm_time(tokens, mc.d, attn_in_n, 1.0, hw, st, peak)
                   + _gemm_time(tokens, mc.heads * mc.v_dim / tp, mc.d, 1.0, hw, st, peak))
    t_dense_mlp = (_gemm_time(tokens, mc.d, (mc.mlp_mats - 1.0) * mc.ffn / tp, 1.0, hw, st, peak)
                   + _gemm_time(tokens, mc.ffn / tp, mc.d, 1.0, hw, st, peak))
    if Lm:
        local_experts = mc.n_experts / ep
        tok_per_expert = tokens * mc.top_k * ep / mc.n_experts
        t_experts = (_gemm_time(tok_per_expert, mc.d, (mc.mlp_mats - 1.0) * mc.expert_ffn / tp,
                                local_experts, hw, st, peak)
                     + _gemm_time(tok_per_expert, mc.expert_ffn / tp, mc.d, local_experts, hw,
                                  st, peak))
        shared_ffn = mc.n_shared * mc.expert_ffn
        t_shared = 0.0
        if mc.n_shared:
            t_shared = (_gemm_time(tokens, mc.d, (mc.mlp_mats - 1.0) * shared_ffn / tp, 1.0, hw,
                                   st, peak)
                        + _gemm_time(tokens, shared_ffn / tp, mc.d, 1.0, hw, st, peak))
        t_router = _gemm_time(tokens, mc.d, mc.n_experts, 1.0, hw, st, hw.peak_bf16)
        t_mlp = (1.0 - moe_frac) * t_dense_mlp + moe_frac * (t_experts + t_shared + t_router)
    else:
        t_mlp = t_dense_mlp
    t_logits = _gemm_time(tokens, mc.d, mc.vocab / tp, 1.0, hw, st, peak) / pp
    gemm_fwd = (t_attn_proj + t_mlp) * layers_stage + t_logits

    # attention scores (bf16), per layer forward
    heads_local = mc.heads / tp
    if st.flash:
        score_flop = 2.0 * tokens * mc.seq * 0.5 * heads_local * (mc.qk_dim + mc.v_dim)
        attn_fwd = score_flop / (hw.peak_bf16 * st.eta)
        attn_bwd = FLASH_BACKWARD_FLOP_RATIO * attn_fwd
        score_bytes_fwd = 0.0
    else:
        n_seq = mb / cp
        s = mc.seq
        qk = _gemm_time(s, mc.qk_dim, s, heads_local * n_seq, hw, st, hw.peak_bf16)
        av = _gemm_time(s, s, mc.v_dim, heads_local * n_seq, hw, st, hw.peak_bf16)
        attn_fwd = qk + av
        attn_bwd = 2.0 * attn_fwd
        # softmax read+write, dropout mask write, dropout output write: 4e + 1 bytes per score
        score_bytes_fwd = (4.0 * e + 1.0) * s * s * heads_local * n_seq
    attn_fwd_stage = attn_fwd * layers_stage
    attn_bwd_stage = attn_bwd * layers_stage

    # ---------------- memory-bound element-wise traffic (forward, per layer) ---------------
    sp = np.where(tp > 1, tp, 1.0)                    # sequence parallel splits norms/residuals
    norm_resid = 10.0 * mc.d * e / sp                 # 2 norms (read+write) + 2 residual adds
    rope = 2.0 * e * (mc.heads * mc.qk_dim + mc.kv_elems / 2.0) / tp
    act_dense = (3.0 if mc.mlp_mats == 3.0 else 2.0) * mc.ffn / tp * e
    act_moe = 0.0
    if Lm:
        act_moe = ((3.0 if mc.mlp_mats == 3.0 else 2.0) * (mc.top_k + mc.n_shared)
                   * mc.expert_ffn / tp * e + 4.0 * mc.top_k * mc.d * e)
    elem_per_token = (norm_resid + rope + (1.0 - moe_frac) * act_dense + moe_frac * act_moe)
    elem_bytes_fwd = (elem_per_token * tokens + score_bytes_fwd) * layers_stage
    if st.fp8:
        # casts to fp8: activations into each linear layer (3 bytes per element: read 2,
        # write 1) forward, and output gradients backward (counted in the factor 3 below)
        cast_per_token = 3.0 * (2.0 * mc.d / sp + mc.heads * mc.v_dim / tp
                                + (1.0 - moe_frac) * mc.ffn / tp
                                + moe_frac * (mc.top_k + mc.n_shared) * (mc.d + mc.expert_ffn)
                                / tp)
        elem_bytes_fwd = elem_bytes_fwd + cast_per_token * tokens * layers_stage
    loss_bytes = 3.0 * _LOGIT_BYTES * mc.vocab / tp * tokens / pp
    t_elem_fwd = (elem_bytes_fwd + loss_bytes) / (hw.hbm_bw * HBM_EFFICIENCY)

    recompute_full = rc == 2
    recompute_sel = rc == 1
    t_gemm = 3.0 * gemm_fwd + np.where(recompute_full, gemm_fwd, 0.0)
    t_attn = (attn_fwd_stage + attn_bwd_stage
              + np.where(recompute_full | (recompute_sel & (not st.flash)), attn_fwd_stage, 0.0))
    t_elem = 3.0 * t_elem_fwd + np.where(recompute_full, t_elem_fwd, 0.0)
    t_compute_mb = t_gemm + t_attn
    t_bwd_mb = (2.0 * gemm_fwd + attn_bwd_stage + 2.0 * t_elem_fwd)

    # ---------------- communication ----------------------------------------------------------
    def bw(group_span):
        """Per-direction bandwidth of a group spanning ``group_span`` consecutive ranks."""
        return np.where(group_span <= hw.domain, hw.up_bw, hw.out_bw) * COLLECTIVE_EFFICIENCY

    def lat(group_span):
        return np.where(group_span <= hw.domain, SCALE_UP_LATENCY_S, SCALE_OUT_LATENCY_S)

    # tensor parallel: 4 collectives per layer (+2 with full recomputation), each moving the
    # layer's activation; ring all-reduce (or RS+AG) volume 2 (t-1)/t per rank
    n_tp_coll = (4.0 + np.where(recompute_full, 2.0, 0.0)) * layers_stage
    tp_msg = tokens * mc.d * e
    tp_bw_s = np.where(tp > 1, n_tp_coll * 2.0 * (tp - 1.0) / tp * tp_msg / bw(tp), 0.0)
    tp_lat_s = np.where(tp > 1, n_tp_coll * 2.0 * _log2_steps(tp) * lat(tp), 0.0)

    # context parallel: all-gather K,V forward, reduce-scatter dK,dV backward (per layer)
    cp_span = tp * cp
    cp_msg = (cp - 1.0) / cp * mb * mc.seq * mc.kv_elems / np.minimum(tp, mc.kv_heads) * e
    n_cp_coll = (2.0 + np.where(recompute_full, 1.0, 0.0)) * layers_stage
    cp_bw_s = np.where(cp > 1, n_cp_coll * cp_msg / bw(cp_span), 0.0)
    cp_lat_s = np.where(cp > 1, n_cp_coll * _log2_steps(cp) * lat(cp_span), 0.0)

    # expert parallel all-to-all: dispatch + combine, forward and backward, per MoE layer
    if Lm:
        span = tp * ep
        in_domain = np.minimum(span, hw.domain) / span
        remote = (ep - 1.0) / ep
        disp_bytes = 1.0 if st.fp8 else e
        per_layer = tokens * mc.top_k * mc.d * remote * (2.0 * disp_bytes + 2.0 * e)
        off = per_layer * (1.0 - in_domain)
        on = per_layer * in_domain
        ep_layers = layers_stage * moe_frac
        ep_bw_s = np.where(ep > 1, ep_layers * np.maximum(
            off / (hw.out_bw * COLLECTIVE_EFFICIENCY),
            on / (hw.up_bw * COLLECTIVE_EFFICIENCY)), 0.0)
        ep_lat_s = np.where(ep > 1, ep_layers * 4.0 * lat(span), 0.0)
    else:
        ep_bw_s = np.zeros_like(tp)
        ep_lat_s = np.zeros_like(tp)
    ep_exposed = np.maximum(ep_bw_s - st.ep_overlap * t_compute_mb, 0.0)

    # parameters held per accelerator (first stage: embedding included)
    dense_per_layer = (mc.attn_params + (1.0 - moe_frac) * mc.dense_mlp_params
                       + moe_frac * (mc.n_shared * mc.expert_params + mc.d * mc.n_experts))
    embed = mc.vocab * mc.d * np.where((pp == 1) & (not mc.tied), 2.0, 1.0)
    params_dense = (dense_per_layer * layers_stage + embed) / tp
    params_expert = moe_frac * mc.n_experts * mc.expert_params * layers_stage / (ep * tp)

    # data parallel: gradients of dense params over dp*cp ranks, experts over dp*cp/ep ranks
    dp_n = dp * cp
    ex_n = dp * cp / ep
    dp_span = tp * cp * dp
    g = st.grad_bytes
    ring_dense = np.where(dp_n > 1, (dp_n - 1.0) / dp_n * params_dense, 0.0)
    ring_exp = np.where(ex_n > 1, (ex_n - 1.0) / ex_n * params_expert, 0.0)
    dp_bw = bw(dp_span)
    dp_lat_unit = lat(dp_span)
    # once-per-step traffic: all-reduce (ZeRO 0/1) = RS + AG; ZeRO-2: the AG of parameters
    step_volume = np.select([zero <= 1, zero == 2], [2.0 * g, e], 0.0) * (ring_dense + ring_exp)
    dp_step_bw_s = step_volume / dp_bw
    # per-micro-batch traffic: ZeRO-2 reduce-scatter of gradients; ZeRO-3 AG fwd + AG bwd + RS
    mb_volume = np.select([zero == 2, zero == 3], [g, 2.0 * e + g], 0.0) * (ring_dense + ring_exp)
    dp_mb_bw_s = mb_volume / dp_bw
    dp_mb_exposed = np.maximum(dp_mb_bw_s - st.dp_overlap * t_compute_mb, 0.0)
    n_dp_coll = np.where(dp_n > 1, 1.0, 0.0)
    # once per step: reduce-scatter + all-gather (ZeRO 0/1) or all-gather (ZeRO-2), each
    # 2 log2(n) latency steps; per micro-batch: one collective per layer (ZeRO-2 RS, ZeRO-3
    # AG + AG + RS)
    dp_step_lat = (n_dp_coll * np.select([zero <= 1, zero == 2], [2.0, 1.0], 0.0)
                   * 2.0 * _log2_steps(dp_n) * dp_lat_unit)
    dp_mb_lat = n_dp_coll * np.select([zero == 2, zero == 3], [1.0, 3.0], 0.0) \
        * _log2_steps(dp_n) * dp_lat_unit * layers_stage
    dp_step_exposed = np.maximum(dp_step_bw_s - st.dp_overlap * t_bwd_mb, 0.0)

    # pipeline sends: activation (sequence-parallel scatter) forward and gradient backward, per
    # virtual stage; stages are the outermost group (cross the scale-out network unless the
    # whole job fits in one domain)
    pp_span = tp * cp * dp * pp
    send_bytes = tokens * mc.d * e / tp
    pp_bw_s = np.where(pp > 1, 2.0 * v * send_bytes / bw(pp_span), 0.0)
    pp_lat_s = np.where(pp > 1, 2.0 * v * lat(pp_span), 0.0)

    # ---------------- per micro-batch and per step ------------------------------------------
    t_comm_mb = tp_bw_s + cp_bw_s + ep_exposed + dp_mb_exposed + pp_bw_s
    t_lat_mb = tp_lat_s + cp_lat_s + ep_lat_s + pp_lat_s + dp_mb_lat
    t_mb = t_compute_mb + t_elem + t_comm_mb + t_lat_mb
    if st.dualpipe:
        # DualPipe bubble (PP/2 - 1)(F&B + B - 3W) with F = B = W = t_mb / 3 -> (PP/2 - 1)/3
        bubble_mb = np.maximum(pp / 2.0 - 1.0, 0.0) / 3.0
    else:
        bubble_mb = (pp - 1.0) / v
    local_params = params_dense + params_expert
    shard = np.where(zero >= 1, 1.0, 0.0)
    owned = params_dense / np.where(shard > 0, dp_n, 1.0) \
        + params_expert / np.where(shard > 0, ex_n, 1.0)
    t_opt = _OPTIMIZER_BYTES_PER_PARAM * owned / (hw.hbm_bw * HBM_EFFICIENCY)

    step = ((m + bubble_mb) * t_mb + dp_step_exposed + dp_step_lat + t_opt)

    # ---------------- memory (first pipeline stage) ------------------------------------------
    w_bytes = ADAM_BYTES_PER_PARAM["weights"] + (FP8_WEIGHT_COPY_BYTES if st.fp8 else 0.0)
    w_copies = 2.0 if st.dualpipe else 1.0

    def sharded(nbytes, stage_from):
        div_d = np.where(zero >= stage_from, dp_n, 1.0)
        div_e = np.where(zero >= stage_from, ex_n, 1.0)
        return nbytes * (params_dense / div_d + params_expert / div_e)

    mem_weights = w_copies * sharded(w_bytes, 3)
    mem_grads = sharded(ADAM_BYTES_PER_PARAM["gradients"], 2)
    mem_optim = sharded(ADAM_BYTES_PER_PARAM["optimizer"], 1)
    # ZeRO-3 gathers one layer's full parameters (plus one prefetched)
    gathered = np.where(zero == 3, 2.0 * e * (dense_per_layer + moe_frac * mc.n_experts
                                             * mc.expert_params / ep) / tp, 0.0)
    mem_weights = mem_weights + gathered

    # activations per token per layer (Korthikanti et al. 2022, Sec. 4, generalised)
    lin_in = 0.5 if st.fp8 else 1.0                   # fp8-cached linear inputs
    mask = 1.0 if st.dropout else 0.0
    attn_tok = (2.0 * mc.d * e / sp                   # norm input
                + lin_in * 2.0 * mc.d / sp * 1.0      # QKV input (bf16: 2d bytes)
                + e * (mc.heads * mc.qk_dim + mc.kv_elems) / np.minimum(tp, mc.heads)
                + lin_in * e * mc.heads * mc.v_dim / tp   # output-projection input
                + mask * mc.d / sp)
    mlp_dense_tok = (2.0 * mc.d * e / sp + lin_in * 2.0 * mc.d / sp
                     + e * (mc.mlp_mats - 1.0) * mc.ffn / tp + lin_in * e * mc.ffn / tp
                     + mask * mc.d / sp)
    mlp_moe_tok = 0.0
    if Lm:
        assigned = mc.top_k + mc.n_shared
        mlp_moe_tok = (2.0 * mc.d * e / sp + lin_in * 2.0 * mc.d / sp
                       + assigned * (lin_in * e * mc.d + e * (mc.mlp_mats - 1.0) * mc.expert_ffn
                                     + lin_in * e * mc.expert_ffn) / tp
                       + mask * mc.d / sp)
    per_tok_full = attn_tok + (1.0 - moe_frac) * mlp_dense_tok + moe_frac * mlp_moe_tok
    scores = 0.0 if st.flash else 5.0 * mc.heads / tp * mc.seq / cp
    per_tok_none = per_tok_full + scores
    per_tok_sel = per_tok_full
    per_tok_rc = 2.0 * mc.d * e / sp                  # full recomputation keeps the layer input
    per_tok = np.select([rc == 0, rc == 1], [per_tok_none, per_tok_sel], per_tok_rc)
    # 1F1B keeps min(m, p) micro-batches in flight on the first stage (L layers' worth);
    # interleaving adds (p - 1) / (p v) (Korthikanti et al. 2022, Sec. 4.2.3)
    in_flight = np.minimum(m, pp) * (np.where(v > 1, 1.0 + (pp - 1.0) / (pp * v), 1.0))
    act_layers = layers_stage * in_flight
    mem_act = per_tok * tokens * act_layers
    # full recomputation rebuilds one layer at a time: add one layer's full activations
    mem_act = mem_act + np.where(recompute_full, per_tok_none * tokens, 0.0)
    mem_act = mem_act + np.where(pp == 1, tokens * mc.vocab / tp * _LOGIT_BYTES, 0.0)

    memory = mem_weights + mem_grads + mem_optim + mem_act
    return {
        "memory_weights_bytes": mem_weights, "memory_gradients_bytes": mem_grads,
        "memory_optimizer_bytes": mem_optim, "memory_activations_bytes": mem_act,
        "memory_bytes": memory,
        "micro_batches": m,
        "compute_s": m * (t_gemm + t_attn),
        "memory_bound_s": m * t_elem + t_opt,
        "tensor_parallel_s": m * (tp_bw_s + cp_bw_s),
        "pipeline_send_s": m * pp_bw_s,
        "data_parallel_s": m * dp_mb_exposed + dp_step_exposed,
        "expert_all_to_all_s": m * ep_exposed,
        "bubble_s": bubble_mb * t_mb,
        "latency_s": m * t_lat_mb + dp_step_lat,
        "step_time_s": step,
        "local_params": local_params,
    }
