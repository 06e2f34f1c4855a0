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

from scaling._validation import (
    as_float_array, check_at_least, check_bool, check_choice, check_fraction, like, scalar,
    whole_number,
)
from scaling.clusters import as_cluster, ring_time_s
from scaling.errors import InfeasibleRunError
from scaling.hardware import PRECISIONS, Accelerator, as_accelerator
from scaling.laws import FLOP_PER_PARAM_PER_TOKEN
from scaling.model_shape import ATTENTION_FLOP_CONVENTIONS, ModelShape, as_model_shape

__all__ = [
    "ADAM_BYTES_PER_PARAM",
    "ATTENTION_EFFICIENCY_RATIO",
    "BATCH_ROUNDING_TOLERANCE",
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
    "ParallelLayout",
    "StepTime",
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
#: :func:`scaling.studies.calibration.calibrate` on the per-GPU throughputs of Narayanan et al. (2021)
#: Table 1 only (data/parallel_benchmarks.csv rows with ``calibration_set == "fit"``); every
#: other published figure is predicted out of sample with these values.
MATMUL_EFFICIENCY = {"default": 0.656}

#: Fraction of the concurrent compute window used to hide data-parallel traffic (bucketed
#: gradient reduction as layers finish, PyTorch DDP / FSDP prefetch / Megatron
#: ``overlap_grad_reduce``). The window is the last micro-batch's backward pass (plus the
#: interleaved cool-down) for per-step traffic, and the forward / backward pass of each
#: micro-batch for ZeRO-2/3 traffic. Assumption, not fitted by :func:`calibrate`: 0.6, chosen
#: by hand between 0.5 and 0.75 while looking at OPT-175B (ZeRO-3) and Narayanan et al.'s
#: Figure 10, so those two figures are not out of sample for this constant.
DP_OVERLAP = 0.6

#: Efficiency of fused attention kernels relative to the matmul efficiency. FlashAttention-2
#: reaches 50-73% of A100 peak forward + backward (Dao 2023, arXiv:2307.08691, abstract);
#: FlashAttention-3 about 75% of H100 peak forward and less backward (Shah et al. 2024,
#: arXiv:2407.08608), below the 80-90% of large GEMMs: 0.75 taken (assumption informed by
#: those reports, not fitted).
ATTENTION_EFFICIENCY_RATIO = 0.75

#: FlashAttention's backward pass executes five matmuls against the forward's two (it
#: recomputes the attention scores): 2.5x the forward FLOP (Dao 2023, arXiv:2307.08691, Sec. 3).
FLASH_BACKWARD_FLOP_RATIO = 2.5

#: Largest relative amount by which a plan may round the global batch up (whole micro-batches
#: on every data-parallel replica). Assumption: 10%, well inside the broad band of near-optimal
#: batch sizes around the fitted optimum (DeepSeek-AI 2024, arXiv:2401.02954, Sec. 3.1,
#: Fig. 3); without a bound the search would inflate a small model's batch to occupy idle
#: accelerators, i.e. step past the batch-size wall by changing the batch.
BATCH_ROUNDING_TOLERANCE = 0.10

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

#: Training tokens per parameter of the compute the batch-size law is evaluated at when
#: neither ``global_batch_tokens`` nor ``compute_flop`` is given: 20, Hoffmann et al.'s
#: (2022) compute-optimal ratio (arXiv:2203.15556, Table 3).
DEFAULT_TOKENS_PER_PARAM = 20.0

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
    20.7
    """
    c = as_float_array("compute_flop", compute_flop)
    return like(DEEPSEEK_BATCH_COEFFICIENT * c ** DEEPSEEK_BATCH_EXPONENT, compute_flop)


# --------------------------------------------------------------------------------------------
# plan
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


def _log2_steps(n):
    return np.ceil(np.log2(np.maximum(n, 1.0)))


def _gemm_time(m, k, n, count, hw: _Hardware, st: _Settings, peak):
    """Roofline time of ``count`` matmuls of (m x k) @ (k x n) [s]."""
    flop = 2.0 * m * k * n * count
    elem = 1.0 if st.fp8 else _ACT_BYTES
    traffic = elem * (m * k + k * n) + _ACT_BYTES * m * n
    return np.maximum(flop / (peak * st.eta), traffic * count / (hw.hbm_bw * HBM_EFFICIENCY))


def _bubble(pp, v, st: _Settings):
    """Pipeline bubble in micro-batch times.

    1F1B with ``v`` interleaved chunks: (p - 1) / v (Narayanan et al. 2021, Sec. 2.2). DualPipe:
    (p/2 - 1)(F&B + B - 3W) (DeepSeek-V3, Table 2) with forward, input-backward and
    weight-backward chunks of equal length (t_mb / 3 each): (p/2 - 1) / 3.
    """
    if st.dualpipe:
        return np.maximum(pp / 2.0 - 1.0, 0.0) / 3.0
    return (pp - 1.0) / v


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
    m = np.ceil(batch_seqs / (dp * mb))               # micro-batches per step (batch rounded up)
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
        attn_fwd = score_flop / (hw.peak_bf16 * st.eta * ATTENTION_EFFICIENCY_RATIO)
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
    # sequence parallelism (Korthikanti et al. 2022) splits norms, residuals and dropout over tp
    sp = np.where(tp > 1, tp, 1.0) if st.sp else np.ones_like(tp)
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

    # rc codes: 0 none, 1 selective, 2.. full recomputation of a fraction of the layers
    rfrac = _RECOMPUTE_FRACTIONS[rc.astype(np.int64)]
    rsel = (rc == 1) & (not st.flash)                 # flash attention already recomputes
    t_gemm = 3.0 * gemm_fwd + rfrac * gemm_fwd
    t_attn = attn_fwd_stage + attn_bwd_stage + (rfrac + np.where(rsel, 1.0, 0.0)) * attn_fwd_stage
    t_elem = 3.0 * t_elem_fwd + rfrac * t_elem_fwd
    t_compute_mb = t_gemm + t_attn
    t_bwd_mb = (2.0 * gemm_fwd + attn_bwd_stage + 2.0 * t_elem_fwd)

    # ---------------- communication ----------------------------------------------------------
    def coll(factor, nbytes, n, stride):
        """Bandwidth and latency time of a collective over ``n`` ranks ``stride`` apart.

        Hierarchical when the group spans several scale-up domains: within each domain over
        the scale-up fabric, then across domains on 1/k of the data per accelerator (k ranks
        of the group per domain, each with its own scale-out NIC). ``factor`` is 2 for an
        all-reduce, 1 for an all-gather or a reduce-scatter.
        """
        k = np.clip(np.floor(hw.domain / stride), 1.0, n)
        n_dom = n / k
        up = hw.up_bw * COLLECTIVE_EFFICIENCY
        out = hw.out_bw * COLLECTIVE_EFFICIENCY
        intra = np.where(k > 1, ring_time_s(nbytes, k, up, passes=factor), 0.0)
        inter = np.where(n_dom > 1, ring_time_s(nbytes, n_dom, k * out, passes=factor), 0.0)
        latency = (np.where(k > 1, factor * _log2_steps(k) * SCALE_UP_LATENCY_S, 0.0)
                   + np.where(n_dom > 1, factor * _log2_steps(n_dom) * SCALE_OUT_LATENCY_S,
                              0.0))
        active = n > 1
        return np.where(active, intra + inter, 0.0), np.where(active, latency, 0.0)

    # tensor parallel: 4 collectives per layer (+2 with full recomputation), each an
    # all-reduce (or RS + AG with sequence parallelism) of the layer's activation
    n_tp_coll = (4.0 + 2.0 * rfrac) * layers_stage
    tp_one_bw, tp_one_lat = coll(2.0, tokens * mc.d * e, tp, 1.0)
    tp_bw_s = n_tp_coll * tp_one_bw
    tp_lat_s = n_tp_coll * tp_one_lat

    # context parallel: all-gather K,V forward, reduce-scatter dK,dV backward (per layer)
    cp_full = mb * mc.seq * mc.kv_elems / np.minimum(tp, mc.kv_heads) * e
    n_cp_coll = (2.0 + rfrac) * layers_stage
    cp_one_bw, cp_one_lat = coll(1.0, cp_full, cp, tp)
    cp_bw_s = n_cp_coll * cp_one_bw
    cp_lat_s = n_cp_coll * cp_one_lat

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
        ep_lat_s = np.where(ep > 1, ep_layers * 4.0 * np.where(
            span <= hw.domain, SCALE_UP_LATENCY_S, SCALE_OUT_LATENCY_S), 0.0)
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
    g = st.grad_bytes
    # once per step: all-reduce (ZeRO 0/1, as reduce-scatter + all-gather) of the gradients;
    # ZeRO-2: the all-gather of updated parameters (its reduce-scatters run per micro-batch)
    # ZeRO-0: all-reduce of gradients (2g); ZeRO-1: reduce-scatter of gradients (g) and
    # all-gather of the updated 16-bit parameters (e); ZeRO-2: only the all-gather per step
    f_step_g = np.select([zero == 0, zero == 1], [2.0, 1.0], 0.0)
    f_step_w = np.select([zero == 1, zero == 2], [1.0, 1.0], 0.0)
    d_bw, d_lat = coll(1.0, params_dense, dp_n, tp)
    x_bw, x_lat = coll(1.0, params_expert, ex_n, tp * ep)
    dp_step_bw_s = (f_step_g * g + f_step_w * e) * (d_bw + x_bw)
    dp_step_lat = np.where(f_step_g + f_step_w > 0, f_step_g + f_step_w, 0.0) * (d_lat + x_lat)
    # per micro-batch: ZeRO-2 reduce-scatter of gradients; ZeRO-3 all-gather of parameters
    # forward and backward and reduce-scatter of gradients (one collective per layer)
    # forward traffic hides behind the forward pass, backward traffic behind the backward
    # (with recomputation) pass
    f_mb_fwd = np.where(zero == 3, e, 0.0)
    f_mb_bwd = np.select([zero == 2, zero == 3], [g, e + g], 0.0)
    t_fwd_compute = gemm_fwd + attn_fwd_stage
    t_bwd_compute = t_compute_mb - t_fwd_compute
    dp_mb_exposed = (np.maximum(f_mb_fwd * (d_bw + x_bw) - st.dp_overlap * t_fwd_compute, 0.0)
                     + np.maximum(f_mb_bwd * (d_bw + x_bw) - st.dp_overlap * t_bwd_compute,
                                  0.0))
    dp_mb_lat = (np.select([zero == 2, zero == 3], [1.0, 3.0], 0.0) * (d_lat + x_lat)
                 * layers_stage)
    # the last micro-batch's backward, plus (with interleaving) the part of the pipeline
    # cool-down in which this accelerator's later chunks have already finished their gradients
    dp_window = t_bwd_mb * (1.0 + _bubble(pp, v, st) * (v - 1.0) / v)

    # pipeline sends: activation forward and gradient backward per virtual stage (sequence-
    # parallel scatter: 1/tp of the activation each); stages are the outermost group
    stage_stride = tp * cp * dp
    send_bytes = tokens * mc.d * e / tp
    link = np.where(stage_stride < hw.domain, hw.up_bw, hw.out_bw) * COLLECTIVE_EFFICIENCY
    hop = np.where(stage_stride < hw.domain, SCALE_UP_LATENCY_S, SCALE_OUT_LATENCY_S)
    pp_bw_s = np.where(pp > 1, 2.0 * v * send_bytes / link, 0.0)
    pp_lat_s = np.where(pp > 1, 2.0 * v * hop, 0.0)

    # ---------------- per micro-batch and per step ------------------------------------------
    t_comm_mb = tp_bw_s + cp_bw_s + ep_exposed + dp_mb_exposed + pp_bw_s
    t_lat_mb = tp_lat_s + cp_lat_s + ep_lat_s + pp_lat_s + dp_mb_lat
    t_mb = t_compute_mb + t_elem + t_comm_mb + t_lat_mb
    bubble_mb = _bubble(pp, v, st)
    local_params = params_dense + params_expert
    shard = np.where(zero >= 1, 1.0, 0.0)
    owned = params_dense / np.where(shard > 0, dp_n, 1.0) \
        + params_expert / np.where(shard > 0, ex_n, 1.0)
    t_opt = _OPTIMIZER_BYTES_PER_PARAM * owned / (hw.hbm_bw * HBM_EFFICIENCY)

    dp_step_exposed = np.maximum(dp_step_bw_s - st.dp_overlap * dp_window, 0.0)
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
    per_tok_kept = np.where(rc == 1, per_tok_sel, per_tok_none)
    per_tok = rfrac * per_tok_rc + (1.0 - rfrac) * per_tok_kept
    # 1F1B keeps min(m, p) micro-batches in flight on the first stage (L layers' worth);
    # interleaving adds (p - 1) / (p v) (Korthikanti et al. 2022, Sec. 4.2.3)
    in_flight = np.minimum(m, pp) * (np.where(v > 1, 1.0 + (pp - 1.0) / (pp * v), 1.0))
    act_layers = layers_stage * in_flight
    mem_act = per_tok * tokens * act_layers
    # full recomputation rebuilds one layer at a time: add one layer's full activations
    mem_act = mem_act + np.where(rfrac > 0, per_tok_none * tokens, 0.0)
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


# --------------------------------------------------------------------------------------------
# hardware and settings
# --------------------------------------------------------------------------------------------

def _matmul_efficiency(acc: Accelerator) -> float:
    """Calibrated achievable matmul efficiency for an accelerator (generation, vendor, default)."""
    for key in (acc.generation, acc.vendor.lower()):
        if key in MATMUL_EFFICIENCY:
            return float(MATMUL_EFFICIENCY[key])
    return float(MATMUL_EFFICIENCY["default"])


def _positive_or_default(name, value, default, *, what):
    if value is None:
        if default is None or (isinstance(default, float) and math.isnan(default)):
            raise ValueError(f"{name} is not in the catalog for {what}; pass {name}=... "
                             f"explicitly")
        return float(default)
    return scalar(name, value)


def _resolve_hardware(acc: Accelerator, precision: str, scale_up_domain_size,
                      scale_up_bandwidth_byte_per_s, scale_out_bandwidth_byte_per_s) -> _Hardware:
    domain = acc.scale_up_domain_size if scale_up_domain_size is None else scale_up_domain_size
    domain = whole_number("scale_up_domain_size", domain)
    up = _positive_or_default("scale_up_bandwidth_byte_per_s", scale_up_bandwidth_byte_per_s,
                              acc.scale_up_bandwidth_byte_per_s, what=acc.name)
    out = _positive_or_default("scale_out_bandwidth_byte_per_s", scale_out_bandwidth_byte_per_s,
                               acc.scale_out_bandwidth_byte_per_s, what=acc.name)
    return _Hardware(peak=acc.peak_flop_per_s(precision), peak_bf16=acc.peak_flop_per_s("bf16"),
                     hbm_bytes=float(acc.memory_bytes),
                     hbm_bw=float(acc.memory_bandwidth_byte_per_s), domain=float(domain),
                     up_bw=up / 2.0, out_bw=out)


def training_state_bytes(n_params, precision: str = "bf16"):
    """Bytes of mixed-precision Adam training state (weights, gradients, optimizer states).

    Parameters
    ----------
    n_params : float or array_like or Series
        Parameters [count].
    precision : {"bf16", "fp8"}
        fp8 training keeps an extra 1-byte fp8 copy of the weights.

    Returns
    -------
    float or ndarray or Series
        Training state [bytes], activations excluded.

    Notes
    -----
    .. math:: M = (2 + 2 + 12)\\, N \\; (+ N \\text{ for fp8})

    (Rajbhandari et al. 2020, arXiv:1910.02054, Sec. 3.1: 16 bytes per parameter).
    """
    check_choice("precision", precision, PRECISIONS)
    n = as_float_array("n_params", n_params)
    per = sum(ADAM_BYTES_PER_PARAM.values()) + (FP8_WEIGHT_COPY_BYTES if precision == "fp8"
                                                 else 0.0)
    return like(n * per, n_params)


def min_accelerators_for_state(model, accelerator, *, precision: str = "bf16") -> int:
    """Fewest accelerators whose memory holds a model's training state, fully sharded.

    Parameters
    ----------
    model : ModelShape or str or float
        A shape, a published model's name, or a parameter count.
    accelerator : Accelerator or str
        The chip (catalog name accepted).
    precision : {"bf16", "fp8"}
        Training precision.

    Returns
    -------
    int
        ``ceil(training state / usable memory per accelerator)``, with the state sharded over
        every accelerator (ZeRO-3) and :data:`MEMORY_RESERVE_FRACTION` of each HBM held back.
        Activations need more; this is the floor below which no plan exists.

    Examples
    --------
    >>> min_accelerators_for_state(1e14, "GB200")
    9558
    """
    acc = as_accelerator(accelerator)
    check_choice("precision", precision, PRECISIONS)
    n = scalar("n_params", model) if isinstance(model, (int, float, np.integer, np.floating)) \
        and not isinstance(model, (bool, np.bool_)) else as_model_shape(model).n_params
    state = float(training_state_bytes(float(n), precision))
    usable = acc.memory_bytes * (1.0 - MEMORY_RESERVE_FRACTION)
    return int(math.ceil(state / usable))


# --------------------------------------------------------------------------------------------
# candidate plans
# --------------------------------------------------------------------------------------------

_MICRO_BATCHES = (1, 2, 4, 8, 16, 32)
_VIRTUAL_STAGES = (1, 2, 4, 8)
_MAX_TP = 64
_DP_HALVINGS = 3


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


#: Shortest sequence chunk per accelerator when context parallelism is searched as memory
#: relief for sequences under 32k tokens [tokens] (assumption: chunks of 1,024 tokens keep the
#: attention matmuls large; Llama 3 splits 131k-token sequences 16 ways, 8k chunks).
_MIN_CONTEXT_CHUNK = 1024


def _candidate_grid(shape: ModelShape, n: int, batch_seqs: int, domain: int, fixed: dict,
                    memory_relief: bool = False):
    """Candidate layouts (tp, pp, dp, cp, ep, micro-batch, interleaving) and options (ZeRO
    stage, recomputation code), each a dict of equal-length int arrays; every layout is
    combined with every option."""
    heads = shape.n_heads
    # tensor parallelism stays inside the scale-up domain, except as memory relief (then it
    # may span domains over the scale-out network, up to _MAX_TP)
    tp_limit = _MAX_TP if memory_relief else max(domain, 1)
    tp_opts = _options("tp", fixed.get("tp"), [t for t in _divisors(heads, _MAX_TP)
                                                if t <= tp_limit and t <= n]
                       or [1])
    pp_opts = _options("pp", fixed.get("pp"), [p for p in _powers_of_two(shape.n_layers)
                                                if p <= n])
    if shape.seq_len >= 32768:
        cp_default = [c for c in _powers_of_two(32) if shape.seq_len // c >= 4096 and c <= n]
    elif memory_relief:
        cp_default = [c for c in _powers_of_two(32)
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
    grid = np.array(np.meshgrid(tp_opts, pp_opts, cp_opts, ep_opts, mb_opts, v_opts,
                                indexing="ij")).reshape(6, -1)
    tp, pp, cp, ep, mb, v = grid
    ok = (tp * pp * cp <= n) & ((v == 1) | ((pp > 1) & (v <= -(-shape.n_layers // pp))))
    if "virtual_stages" in fixed:
        ok |= (v == fixed["virtual_stages"]) & (tp * pp * cp <= n)
    tp, pp, cp, ep, mb, v = (x[ok] for x in (tp, pp, cp, ep, mb, v))
    # data-parallel sizes: the cap set by accelerators and batch, and halvings of it
    if "dp" in fixed:
        dp = np.full((tp.size, 1), int(fixed["dp"]), dtype=np.int64)
    else:
        cap = np.minimum(n // (tp * pp * cp), batch_seqs // mb)
        dp = cap[:, None] // (2 ** np.arange(_DP_HALVINGS))[None, :]
    k = dp.shape[1]
    tp, pp, cp, ep, mb, v = (np.repeat(x, k) for x in (tp, pp, cp, ep, mb, v))
    dp = dp.reshape(-1)
    ok = (dp >= 1) & (tp * pp * cp * dp <= n) & ((dp * cp) % ep == 0) & (dp * mb <= batch_seqs)
    if "dp" not in fixed:
        # drop repeated halvings (dp stuck at 1)
        ok &= ~((dp == 1) & (np.roll(dp, 1) == 1) & (np.arange(dp.size) % k != 0))
    cols = {"tp": tp[ok], "pp": pp[ok], "cp": cp[ok], "ep": ep[ok], "micro_batch": mb[ok],
            "virtual_stages": v[ok], "dp": dp[ok]}
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
    # layouts along one axis, (ZeRO stage, recomputation) along the other: the evaluation
    # broadcasts, so layout-only quantities are computed once per layout
    return cols, {"zero_stage": zr[0], "recompute": zr[1]}


# --------------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------------

#: Step-time components of :class:`StepTime`, in display order.
_TIME_COMPONENTS = ("compute_s", "memory_bound_s", "tensor_parallel_s", "pipeline_send_s",
                    "data_parallel_s", "expert_all_to_all_s", "bubble_s", "latency_s")
_MEMORY_COMPONENTS = ("memory_weights_bytes", "memory_gradients_bytes", "memory_optimizer_bytes",
                      "memory_activations_bytes")


@dataclass(frozen=True, slots=True, kw_only=True)
class StepTime:
    """The fastest parallel plan found for a model on a machine, and what it predicts.

    Attributes
    ----------
    model : ModelShape
    accelerator : Accelerator
    precision : str
    n_accelerators : int
        Accelerators given.
    n_accelerators_used : int
        Accelerators the plan occupies (fewer than given when the batch cannot use more).
    layout : ParallelLayout
    global_batch_tokens : float
        Tokens per optimizer step [tokens].
    micro_batches : int
        Micro-batches per step on each pipeline.
    step_time_s : float
        Predicted time of one optimizer step [s].
    breakdown_s : dict
        Step time by component [s] (sums to ``step_time_s``): compute (matmuls and attention),
        memory-bound (element-wise and optimizer), tensor parallel (incl. context parallel),
        pipeline sends, exposed data parallel, exposed expert all-to-all, pipeline bubble,
        latency.
    memory_bytes : dict
        Memory per accelerator by component [bytes] (weights, gradients, optimizer states,
        activations) on the first pipeline stage.
    memory_capacity_bytes : float
        HBM per accelerator [bytes]; ``usable_memory_bytes`` is it less the reserve.
    model_flop_per_step : float
        Model FLOP of one step, attention counted as ``attention_convention`` [FLOP].
    mfu : float
        Model FLOP utilisation against all accelerators given (idle ones included), dense bf16
        peak.
    mfu_used : float
        The same against the accelerators used.
    tokens_per_s : float
        Training throughput [tokens/s].
    max_useful_accelerators : int
        Accelerators beyond which the global batch leaves data parallelism no room to grow
        (dp = global batch in sequences, micro-batch 1, at this plan's tp x pp x cp).
    limit : str
        What limits the run (plain words).
    notes : tuple of str
        Choices made on the user's behalf.
    n_candidates : int
        Plans evaluated.
    """

    model: ModelShape
    accelerator: Accelerator
    precision: str
    n_accelerators: int
    n_accelerators_used: int
    layout: ParallelLayout
    global_batch_tokens: float
    micro_batches: int
    step_time_s: float
    breakdown_s: dict = field(default_factory=dict)
    memory_bytes: dict = field(default_factory=dict)
    memory_capacity_bytes: float
    usable_memory_bytes: float
    model_flop_per_step: float
    attention_convention: str
    mfu: float
    mfu_used: float
    tokens_per_s: float
    max_useful_accelerators: int
    limit: str
    notes: tuple = ()
    n_candidates: int = 0

    @property
    def peak_flop_per_s(self) -> float:
        """Dense bf16 peak of one accelerator [FLOP/s] (the MFU denominator)."""
        return self.accelerator.peak_flop_per_s("bf16")

    def flop_per_s_per_accelerator(self) -> float:
        """Model FLOP/s per accelerator used [FLOP/s]."""
        return self.model_flop_per_step / self.step_time_s / self.n_accelerators_used

    def to_frame(self):
        """Step-time and memory breakdown, one row per component.

        Returns
        -------
        pandas.DataFrame
            Columns ``kind`` ("time" or "memory"), ``component``, ``value`` [s or bytes],
            ``share`` (of the step time or of the usable memory).
        """
        import pandas as pd

        rows = [{"kind": "time", "component": key.removesuffix("_s"), "value": value,
                 "share": value / self.step_time_s} for key, value in self.breakdown_s.items()]
        rows += [{"kind": "memory", "component": key.removeprefix("memory_").removesuffix(
            "_bytes"), "value": value, "share": value / self.usable_memory_bytes}
            for key, value in self.memory_bytes.items()]
        return pd.DataFrame(rows)

    def summary(self):
        """Key figures as a one-column DataFrame indexed by quantity (units in the names)."""
        import pandas as pd

        layout = self.layout
        values = {
            "model": self.model.name or f"{self.model.n_params:.3g} params",
            "accelerator": self.accelerator.name,
            "precision": self.precision,
            "n_accelerators": self.n_accelerators,
            "n_accelerators_used": self.n_accelerators_used,
            "tp x pp x dp x cp (ep)": f"{layout.tp} x {layout.pp} x {layout.dp} x "
                                      f"{layout.cp} ({layout.ep})",
            "micro_batch": layout.micro_batch,
            "virtual_stages": layout.virtual_stages,
            "zero_stage": layout.zero_stage,
            "recompute": layout.recompute,
            "global_batch_tokens": self.global_batch_tokens,
            "micro_batches": self.micro_batches,
            "step_time_s": self.step_time_s,
            "tokens_per_s": self.tokens_per_s,
            "mfu": self.mfu,
            "mfu_used": self.mfu_used,
            "memory_per_accelerator_bytes": sum(self.memory_bytes.values()),
            "usable_memory_bytes": self.usable_memory_bytes,
            "max_useful_accelerators": self.max_useful_accelerators,
            "limit": self.limit,
        }
        return pd.DataFrame({"value": pd.Series(values, dtype=object)})

    def _repr_html_(self) -> str:
        head = (f"<p><b>Parallel plan</b> for {self.summary().loc['model', 'value']} on "
                f"{self.n_accelerators:,} {self.accelerator.name}: MFU {self.mfu:.1%}, "
                f"step {self.step_time_s:.3g} s. {self.limit}</p>")
        return head + self.summary().to_html() + self.to_frame().to_html(index=False)


# --------------------------------------------------------------------------------------------
# search
# --------------------------------------------------------------------------------------------

def _settings(acc, precision, flash_attention, dropout, schedule, dp_overlap, ep_overlap,
              grad_reduce_bytes, matmul_efficiency, sequence_parallel=True):
    check_choice("schedule", schedule, SCHEDULES)
    eta = _matmul_efficiency(acc) if matmul_efficiency is None else scalar(
        "matmul_efficiency", matmul_efficiency, check_fraction)
    dpo = DP_OVERLAP if dp_overlap is None else scalar(
        "dp_overlap", dp_overlap, check_fraction, include_zero=True)
    if ep_overlap is None:
        epo = 1.0 if schedule == "dualpipe" else 0.0
    else:
        epo = scalar("ep_overlap", ep_overlap, check_fraction, include_zero=True)
    gb = scalar("grad_reduce_bytes", grad_reduce_bytes, check_at_least, minimum=1.0)
    return _Settings(eta=eta, fp8=precision == "fp8",
                     flash=check_bool("flash_attention", flash_attention),
                     dropout=check_bool("dropout", dropout), dp_overlap=dpo, ep_overlap=epo,
                     dualpipe=schedule == "dualpipe", grad_bytes=gb,
                     sp=check_bool("sequence_parallel", sequence_parallel))


def _cluster_fields(cluster):
    """Accelerator, count and scale-out bandwidth of a named cluster or a cluster object."""
    if isinstance(cluster, str):
        cluster = as_cluster(cluster)
    for attr in ("accelerator", "n_accelerators"):
        if not hasattr(cluster, attr):
            raise ValueError("cluster must be a cluster name (scaling.list_clusters()), a "
                             "scaling.Cluster or an object with accelerator and "
                             f"n_accelerators, got {type(cluster).__name__}")
    out = getattr(cluster, "scale_out_bandwidth_byte_per_s", float("nan"))
    return (cluster.accelerator, cluster.n_accelerators,
            None if out is None or math.isnan(out) else float(out))


def _check_layout(fixed: dict, shape: ModelShape, n: int) -> dict:
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
    return out


def plan_parallelism(model, accelerator=None, n_accelerators=None, *, cluster=None,
                     global_batch_tokens=None, compute_flop=None, precision: str = "bf16",
                     scale_up_domain_size=None, scale_up_bandwidth_byte_per_s=None,
                     scale_out_bandwidth_byte_per_s=None, tp=None, pp=None, dp=None, cp=None,
                     ep=None, micro_batch=None, virtual_stages=None, zero_stage=None,
                     recompute=None, recompute_fraction=None, flash_attention: bool = True, dropout: bool = False,
                     sequence_parallel: bool = True, schedule: str = "1f1b", dp_overlap=None, ep_overlap=None,
                     grad_reduce_bytes: float = 2.0, matmul_efficiency=None,
                     attention_convention: str = "causal") -> StepTime:
    """Fastest parallel plan that fits in memory, with its step time, memory and MFU.

    Parameters
    ----------
    model : ModelShape or str or float
        A shape, a published model's name (``data/model_configs.csv``) or a parameter count
        (shape from :func:`scaling.model_shape.shape_from_params`).
    accelerator : Accelerator or str, optional
        The chip; taken from ``cluster`` when omitted.
    n_accelerators : int, optional
        Accelerators available; taken from ``cluster`` when omitted.
    cluster : str or object, optional
        A named cluster of ``data/clusters.csv`` (or an object with ``accelerator``,
        ``n_accelerators`` and ``scale_out_bandwidth_byte_per_s``) supplying the three above.
    global_batch_tokens : float, optional
        Tokens per optimizer step; default :func:`optimal_batch_tokens` of ``compute_flop``
        (default: 20 tokens per parameter, 6ND). Rounded to whole sequences.
    compute_flop : float, optional
        Training compute used by the batch-size law [FLOP].
    precision : {"bf16", "fp8"}
        Matmul precision (fp8 matmuls at the fp8 peak; attention stays bf16).
    scale_up_domain_size, scale_up_bandwidth_byte_per_s, scale_out_bandwidth_byte_per_s
        Override the catalog: accelerators per scale-up domain, total bidirectional scale-up
        bandwidth per accelerator [byte/s], scale-out bandwidth per accelerator per direction
        [byte/s].
    tp, pp, dp, cp, ep, micro_batch, virtual_stages, zero_stage, recompute : optional
        Fix any part of the plan (e.g. a published layout); the rest is searched.
    recompute_fraction : float, optional
        With ``recompute="full"``, fix the fraction of layers recomputed (searched over
        1, 3/4, 1/2, 1/4 otherwise).
    flash_attention : bool
        Fused causal attention kernels (default) or unfused matmuls and softmax (pre-2022).
    dropout : bool
        Dropout masks kept for the backward pass (GPT-3-era models).
    sequence_parallel : bool
        Split norms, residuals and dropout over the tensor-parallel group (Korthikanti et al.
        2022; default) or replicate them (Megatron-LM before 2022).
    schedule : {"1f1b", "dualpipe"}
        Pipeline schedule.
    dp_overlap, ep_overlap : float, optional
        Fraction of the concurrent compute window that hides data-parallel traffic (default
        :data:`DP_OVERLAP`) and expert all-to-all (default 1 for DualPipe, else 0).
    grad_reduce_bytes : float
        Bytes per gradient element reduced across data parallelism (2 = bf16, 4 = fp32).
    matmul_efficiency : float, optional
        Override the calibrated :data:`MATMUL_EFFICIENCY`.
    attention_convention : {"causal", "full", "none"}
        How attention FLOP count in the model FLOP of the MFU.

    Returns
    -------
    StepTime

    Raises
    ------
    scaling.errors.InfeasibleRunError
        No plan fits in memory; the message names the minimum accelerator count that holds the
        training state.
    ValueError
        Bad input (named).

    Notes
    -----
    Every candidate (tp, pp, dp, cp, ep, micro-batch, interleaving, ZeRO stage,
    recomputation) is evaluated at once with numpy; the step time of each is

    .. math:: T = (m + b)\\, t_{mb} + t_{dp}^{exposed} + t_{opt},
              \\qquad b = (p - 1)/v

    (see the module notes for :math:`t_{mb}`), and the plan with the smallest time per
    sequence :math:`T / (m\\,d\\,b)` whose memory fits is returned (whole micro-batches round the
    global batch up by different amounts for different layouts). MFU is model FLOP per step /
    (accelerators x dense bf16 peak x T).
    """
    notes = []
    if cluster is not None:
        c_acc, c_n, c_out = _cluster_fields(cluster)
        accelerator = c_acc if accelerator is None else accelerator
        n_accelerators = c_n if n_accelerators is None else n_accelerators
        if scale_out_bandwidth_byte_per_s is None and c_out is not None:
            scale_out_bandwidth_byte_per_s = c_out
    if accelerator is None or n_accelerators is None:
        raise ValueError("give accelerator and n_accelerators, or a cluster")
    acc = as_accelerator(accelerator)
    check_choice("precision", precision, PRECISIONS)
    n = whole_number("n_accelerators", n_accelerators)
    check_choice("attention_convention", attention_convention, ATTENTION_FLOP_CONVENTIONS)
    shape = as_model_shape(model)
    hw = _resolve_hardware(acc, precision, scale_up_domain_size, scale_up_bandwidth_byte_per_s,
                           scale_out_bandwidth_byte_per_s)
    st = _settings(acc, precision, flash_attention, dropout, schedule, dp_overlap, ep_overlap,
                   grad_reduce_bytes, matmul_efficiency, sequence_parallel)
    if global_batch_tokens is None:
        if compute_flop is None:
            compute_flop = (FLOP_PER_PARAM_PER_TOKEN * shape.n_active_params
                            * DEFAULT_TOKENS_PER_PARAM * shape.n_params)
            notes.append(f"batch from the DeepSeek LLM law at {DEFAULT_TOKENS_PER_PARAM:g} "
                         "tokens per parameter (pass compute_flop or global_batch_tokens to "
                         "change it)")
        global_batch_tokens = float(optimal_batch_tokens(scalar("compute_flop", compute_flop)))
    batch_tokens = scalar("global_batch_tokens", global_batch_tokens)
    batch_seqs = max(1, int(round(batch_tokens / shape.seq_len)))
    fixed = _check_layout({k: v for k, v in dict(
        tp=tp, pp=pp, dp=dp, cp=cp, ep=ep, micro_batch=micro_batch,
        virtual_stages=virtual_stages, zero_stage=zero_stage, recompute=recompute,
        recompute_fraction=recompute_fraction).items() if v is not None}, shape, n)
    mc = _model_consts(shape)
    usable = hw.hbm_bytes * (1.0 - MEMORY_RESERVE_FRACTION)

    def search(memory_relief):
        layouts, options = _candidate_grid(shape, n, batch_seqs, int(hw.domain), fixed,
                                           memory_relief)
        if layouts["tp"].size == 0:
            raise InfeasibleRunError(
                f"no parallel layout of {shape.name or 'the model'} fits {n} accelerators with "
                f"the constraints given ({fixed})")
        col = {key: val[:, None] for key, val in layouts.items()}
        row = {key: val[None, :] for key, val in options.items()}
        res = _evaluate(mc, hw, st, float(batch_seqs), col["tp"], col["pp"], col["dp"],
                        col["cp"], col["ep"], col["micro_batch"], col["virtual_stages"],
                        row["zero_stage"], row["recompute"])
        shape2d = (layouts["tp"].size, options["zero_stage"].size)
        res = {key: np.broadcast_to(val, shape2d) for key, val in res.items()}
        rounded = res["micro_batches"] * np.broadcast_to(
            (layouts["dp"] * layouts["micro_batch"])[:, None], shape2d)
        batch_ok = rounded <= (1.0 + BATCH_ROUNDING_TOLERANCE) * batch_seqs
        if not batch_ok.any():  # a fixed layout: keep it, the rounding is the user's choice
            batch_ok = np.ones(shape2d, dtype=bool)
        return layouts, options, res, shape2d, (res["memory_bytes"] <= usable) & batch_ok

    layouts, options, res, shape2d, fits = search(False)
    if not fits.any():
        # memory relief, searched only when no plan fits without it: context parallelism for
        # sequences under 32k tokens (all-gathers of keys and values) and tensor parallelism
        # across scale-up domains (its collectives then cross the scale-out network)
        layouts, options, res, shape2d, fits = search(True)
        notes.append("memory relief: context parallelism for short sequences and tensor "
                     "parallelism beyond the scale-up domain were searched")
    if not fits.any():
        floor = min_accelerators_for_state(shape, acc, precision=precision)
        smallest = float(np.min(res["memory_bytes"]))
        raise InfeasibleRunError(
            f"no parallel plan of {shape.name or f'{shape.n_params:.3g}-parameter model'} fits "
            f"in memory on {n:,} {acc.name} ({acc.memory_bytes / 1e9:.0f} GB each, "
            f"{usable / 1e9:.0f} GB usable): the best plan still needs "
            f"{smallest / 1e9:.0f} GB per accelerator. The training state alone "
            f"({float(training_state_bytes(shape.n_params, precision)) / 1e12:.3g} TB) needs at "
            f"least {floor:,} {acc.name} fully sharded (ZeRO-3), more with activations"
            + (f"; with {n:,} given, the activations are what does not fit: more accelerators "
               f"do not help at {shape.seq_len:,}-token sequences, shorter sequences, more "
               "memory per accelerator or a larger scale-up domain (wider tensor "
               "parallelism) would" if n >= floor else "")
            + (f"; constraints given: {fixed}" if fixed else ""))
    # the fastest plan per token: whole micro-batches on every replica round the global batch
    # up by different amounts, so step times of different layouts are not comparable
    seqs = res["micro_batches"] * np.broadcast_to(
        (layouts["dp"] * layouts["micro_batch"])[:, None], shape2d)
    step = np.where(fits, res["step_time_s"] / seqs, np.inf)
    best = np.unravel_index(int(np.argmin(step)), shape2d)
    pick = {key: int(val[best[0]]) for key, val in layouts.items()}
    pick.update({key: int(val[best[1]]) for key, val in options.items()})
    layout = ParallelLayout(tp=pick["tp"], pp=pick["pp"], dp=pick["dp"], cp=pick["cp"],
                            ep=pick["ep"], micro_batch=pick["micro_batch"],
                            virtual_stages=pick["virtual_stages"], zero_stage=pick["zero_stage"],
                            recompute=RECOMPUTE_MODES[min(pick["recompute"], 2)],
                            recompute_fraction=float(_RECOMPUTE_FRACTIONS[pick["recompute"]])
                            if pick["recompute"] >= 2 else 1.0)
    step_s = float(res["step_time_s"][best])
    breakdown = {key: float(res[key][best]) for key in _TIME_COMPONENTS}
    memory = {key: float(res[key][best]) for key in _MEMORY_COMPONENTS}
    # whole micro-batches on every replica: the batch is rounded up to m x dp x micro-batch
    micro = int(res["micro_batches"][best])
    tokens_step = micro * layout.dp * layout.micro_batch * shape.seq_len
    if micro * layout.dp * layout.micro_batch != batch_seqs:
        notes.append(f"global batch rounded from {batch_seqs:,} to "
                     f"{micro * layout.dp * layout.micro_batch:,} sequences (whole micro-batches "
                     f"on each of the {layout.dp:,} data-parallel replicas)")
    model_flop = tokens_step * float(shape.flop_per_token(attention=attention_convention))
    used = layout.n_accelerators
    mfu_used = model_flop / (used * hw.peak_bf16 * step_s)
    mfu = model_flop / (n * hw.peak_bf16 * step_s)
    wall = layout.tp * layout.pp * layout.cp * batch_seqs
    limit = _describe_limit(layout, n, used, wall, batch_seqs, breakdown, step_s)
    if used < n:
        notes.append(f"{n - used:,} of the {n:,} accelerators given stay idle: the plan uses "
                     f"{used:,}; MFU counts all {n:,}")
    return StepTime(
        model=shape, accelerator=acc, precision=precision, n_accelerators=n,
        n_accelerators_used=used, layout=layout, global_batch_tokens=float(tokens_step),
        micro_batches=micro, step_time_s=step_s,
        breakdown_s=breakdown, memory_bytes=memory, memory_capacity_bytes=hw.hbm_bytes,
        usable_memory_bytes=usable, model_flop_per_step=model_flop,
        attention_convention=attention_convention, mfu=mfu, mfu_used=mfu_used,
        tokens_per_s=tokens_step / step_s, max_useful_accelerators=int(wall), limit=limit,
        notes=tuple(notes), n_candidates=int(shape2d[0] * shape2d[1]))


_COMPONENT_WORDS = {
    "memory_bound_s": "memory-bound element-wise work (small matrices per accelerator)",
    "tensor_parallel_s": "tensor-parallel communication",
    "pipeline_send_s": "pipeline sends",
    "data_parallel_s": "data-parallel gradient communication",
    "expert_all_to_all_s": "expert all-to-all",
    "bubble_s": "the pipeline bubble",
    "latency_s": "communication latency",
}


def _describe_limit(layout, n, used, wall, batch_seqs, breakdown, step_s) -> str:
    overheads = {k: v for k, v in breakdown.items() if k != "compute_s"}
    worst = max(overheads, key=overheads.get)
    share = overheads[worst] / step_s
    text = (f"Compute is {breakdown['compute_s'] / step_s:.0%} of the step; the largest "
            f"overhead is {_COMPONENT_WORDS[worst]} ({share:.0%}).")
    if used < n and (n - used) >= _IDLE_WALL_FRACTION * n and wall < n:
        text = (f"Batch-size wall: the global batch of {batch_seqs:,} sequences keeps "
                f"{n - used:,} of {n:,} accelerators idle (at most {wall:,} useful with "
                f"tp x pp x cp = {layout.tp * layout.pp * layout.cp}). " + text)
    elif used < n:
        text = (f"{n - used:,} of {n:,} accelerators idle (the best layout does not divide "
                "the count). " + text)
    return text


#: Idle share of the accelerators given from which the limit text names the batch-size wall
#: (below it, idle accelerators are the remainder of a layout that does not divide the count).
_IDLE_WALL_FRACTION = 0.01
