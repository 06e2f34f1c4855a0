"""Transformer shapes: layers, width, heads, experts, and what they cost per token.

A :class:`ModelShape` is one decoder-only transformer (dense or mixture-of-experts, standard or
grouped-query or multi-head latent attention). Its properties count parameters (total and
active) and training FLOP per token, attention included. Published configurations live in
``data/model_configs.csv`` (one row per model, a ``source`` on every row);
:func:`named_shape` builds a shape from it and :func:`shape_from_params` derives one from a
parameter count by the rule fitted to that table (:func:`fit_shape_rule`).

Counting conventions
--------------------
* Parameters are the weight matrices: attention projections, MLP (or experts and router),
  embeddings. Norm weights and biases (O(layers x width), < 0.1% at 1B) are left out.
* One multiply-accumulate is 2 FLOP; the backward pass costs twice the forward (Kaplan et al.
  2020; Hoffmann et al. 2022, App. F). Training FLOP per token is 6 x (weights used in matrix
  multiplications per token) + 3 x the forward attention-score FLOP. Attention-score FLOP can be
  counted ``"full"`` (every query against every key, the PaLM and Megatron-LM convention),
  ``"causal"`` (half, what a causal kernel executes) or ``"none"`` (the 6N convention).

References
----------
Kaplan et al. (2020), "Scaling Laws for Neural Language Models", arXiv:2001.08361.
Narayanan et al. (2021), "Efficient Large-Scale Language Model Training on GPU Clusters Using
Megatron-LM", arXiv:2104.04473 (Eq. 3).
Chowdhery et al. (2022), "PaLM: Scaling Language Modeling with Pathways", arXiv:2204.02311,
App. B (model FLOP per token 6N + 12 L H Q T).
DeepSeek-AI (2024), "DeepSeek-V2", arXiv:2405.04434 (multi-head latent attention).
"""

from __future__ import annotations

import functools
import math
from types import MappingProxyType
from dataclasses import dataclass, replace

import numpy as np

from scaling._validation import (
    as_float_array, check_bool, check_choice, check_at_least, like, scalar, unknown_name,
    whole_number,
)
from scaling.data import cached, load_table

__all__ = [
    "ATTENTION_KINDS",
    "ATTENTION_FLOP_CONVENTIONS",
    "DEFAULT_HEAD_DIM",
    "DEFAULT_KV_HEADS",
    "DERIVED_SIZE_RTOL",
    "DEFAULT_SEQ_LEN",
    "DEFAULT_VOCAB_SIZE",
    "MIN_DERIVED_PARAMS",
    "DERIVED_NAME_PREFIX",
    "SHAPE_RULE",
    "TIE_EMBEDDINGS_BELOW_PARAMS",
    "ModelShape",
    "as_model_shape",
    "fit_shape_rule",
    "is_derived",
    "model_configs",
    "named_shape",
    "shape_from_params",
]

#: Attention layouts: ``"gqa"`` covers multi-head (kv heads = heads), grouped-query and
#: multi-query attention; ``"mla"`` is DeepSeek's multi-head latent attention.
ATTENTION_KINDS = ("gqa", "mla")

#: How attention-score FLOP enter a FLOP-per-token count (see module notes).
ATTENTION_FLOP_CONVENTIONS = ("full", "causal", "none")

#: Head width of derived shapes [count]: 128, used by LLaMA, Llama 2/3, Mistral, Qwen2.5,
#: GPT-3 6.7B+ and Megatron-LM's larger models (data/model_configs.csv).
DEFAULT_HEAD_DIM = 128

#: Key-value heads of derived shapes: grouped-query attention with 8 KV heads, as in
#: Llama 2 70B, Llama 3 (all sizes), Mistral 7B and Mixtral (data/model_configs.csv).
DEFAULT_KV_HEADS = 8
#: Largest relative miss of a derived shape's parameter count (:func:`shape_from_params`)
#: before it is refused: 10%, the package's tolerance between a model's name and a count
#: (:data:`scaling.training_state.MODEL_SIZE_RTOL`).
DERIVED_SIZE_RTOL = 0.10

#: Vocabulary of derived shapes: Llama 3's 128,256 tokens (arXiv:2407.21783, Table 3).
DEFAULT_VOCAB_SIZE = 128_256

#: Training context of derived shapes: Llama 3's 8,192-token pre-training stage
#: (arXiv:2407.21783, Sec. 3.4.1).
DEFAULT_SEQ_LEN = 8192

#: Derived shapes tie input and output embeddings below this size [parameters]: Llama 3.2 1B
#: and 3B tie them, Llama 3 8B and larger do not (data/model_configs.csv).
TIE_EMBEDDINGS_BELOW_PARAMS = 5e9

#: Smallest model a shape is derived for [parameters]: below 4e7 the depth rule, fitted on
#: published models from about 1e8 parameters up, and the fixed vocabulary (the tied
#: embeddings of 128,256 tokens hold 1.6e7-3.3e7 parameters at the widths of such models) no
#: longer give a transformer within :data:`DERIVED_SIZE_RTOL` of the count (3.2e7-3.6e7 miss
#: it; issue 17 refused what was silently 70% too large below that).
MIN_DERIVED_PARAMS = 4e7

#: MLP width of derived shapes relative to d_model for a gated (SwiGLU) MLP: 3.5, the median
#: of the gated dense models in data/model_configs.csv (LLaMA 2.69, Llama 3 3.25-3.5,
#: Mistral 3.5, Qwen2.5 3.6-5.3, PaLM 4). Adjusted per shape so the parameters match N.
_GATED_FFN_RATIO = 3.5

#: Depth rule n_layers = a * N^b fitted by :func:`fit_shape_rule` to the dense rows of
#: data/model_configs.csv (ordinary least squares in log-log space, N = reported parameters).
#: ``test_shape_rule_constants_refit_from_table`` recomputes it from the table.
SHAPE_RULE = MappingProxyType({"depth_coefficient": 0.08013, "depth_exponent": 0.2687})

#: Derived depths are rounded to a multiple of a grain that grows with depth, so that the
#: layers split evenly over power-of-two pipeline stages (published depths are mostly such
#: multiples: 32, 40, 48, 60, 64, 80, 96, 128 in data/model_configs.csv). (depth from, grain).
_DEPTH_GRAINS = ((64.0, 16), (24.0, 8), (12.0, 4), (0.0, 1))

#: Heads of very wide derived shapes are a multiple of the power of two nearest below
#: heads / 4, capped at 64 (e.g. 128 heads: a multiple of 32; 330 heads: 320), so the
#: plan search finds power-of-two tensor-parallel sizes up to an NVL72 domain (published wide
#: models: 96, 128, 160 heads).
_HEAD_GRAIN_DIVISOR = 4.0
_MAX_HEAD_GRAIN = 64

_NAN = float("nan")


# --------------------------------------------------------------------------------------------
# ModelShape
# --------------------------------------------------------------------------------------------

def _whole(label: str, value, *, allow_zero: bool = False) -> int:
    """A shape's integer field: :func:`scaling._validation.whole_number` (integral floats such
    as 4096.0 from a table are accepted, fractions, text and booleans refused)."""
    return whole_number(label, value, minimum=0 if allow_zero else 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelShape:
    """A decoder-only transformer's shape (dense or mixture-of-experts).

    Parameters
    ----------
    n_layers, d_model : int
        Transformer blocks and residual width [count].
    n_heads : int
        Query heads [count].
    n_kv_heads : int or None
        Key-value heads (grouped-query attention); None means ``n_heads`` (multi-head).
    head_dim : int or None
        Width of one head [count]; None means ``d_model // n_heads``. For ``"mla"`` it is the
        non-rotary query/key width.
    d_ff : int
        Hidden width of a dense MLP [count] (the dense layers of an MoE model).
    vocab_size, seq_len : int
        Vocabulary [tokens] and training context length [tokens].
    gated_mlp : bool
        Three-matrix gated MLP (SwiGLU/GeGLU) if True, two-matrix (GELU) if False.
    tie_embeddings : bool
        Input and output embeddings share one matrix.
    n_experts, top_k, n_shared_experts : int
        Routed experts per MoE layer, routed experts used per token, and always-used shared
        experts; ``n_experts = 0`` is a dense model.
    moe_d_ff : int
        Hidden width of one expert [count].
    n_dense_layers : int
        Leading layers with a dense MLP in an MoE model; the other layers are MoE.
    attention : {"gqa", "mla"}
        Standard (multi-head / grouped-query / multi-query) or multi-head latent attention.
    q_lora_rank, kv_lora_rank, qk_rope_head_dim, v_head_dim : int
        Multi-head latent attention widths (query and key-value compression ranks, decoupled
        rotary key width, value head width); ``v_head_dim = 0`` means ``head_dim``.
    name : str
        Label.

    Notes
    -----
    Parameters of one layer (widths :math:`d`, heads :math:`h`, head width :math:`d_h`, KV heads
    :math:`g`, MLP width :math:`f`):

    .. math:: P_{attn} = 2 d h d_h + 2 d g d_h, \\qquad P_{mlp} = (3 \\text{ or } 2)\\, d f

    and the model adds the embeddings :math:`V d` (once if tied, twice if not). An MoE layer has
    :math:`E + S` experts of :math:`(3 \\text{ or } 2) d f_e` weights and a router of
    :math:`d E`; a token uses :math:`k + S` of them.
    """

    n_layers: int
    d_model: int
    n_heads: int
    n_kv_heads: int | None = None
    head_dim: int | None = None
    d_ff: int
    vocab_size: int = DEFAULT_VOCAB_SIZE
    seq_len: int = DEFAULT_SEQ_LEN
    gated_mlp: bool = True
    tie_embeddings: bool = False
    n_experts: int = 0
    top_k: int = 0
    n_shared_experts: int = 0
    moe_d_ff: int = 0
    n_dense_layers: int = 0
    attention: str = "gqa"
    q_lora_rank: int = 0
    kv_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    v_head_dim: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        label = f"ModelShape {self.name!r}:" if self.name else "ModelShape:"
        for attr in ("n_layers", "d_model", "n_heads", "d_ff", "vocab_size", "seq_len"):
            object.__setattr__(self, attr, _whole(f"{label} {attr}", getattr(self, attr)))
        for attr in ("n_experts", "top_k", "n_shared_experts", "moe_d_ff", "n_dense_layers",
                     "q_lora_rank", "kv_lora_rank", "qk_rope_head_dim", "v_head_dim"):
            object.__setattr__(self, attr, _whole(f"{label} {attr}", getattr(self, attr),
                                                  allow_zero=True))
        for attr in ("gated_mlp", "tie_embeddings"):
            object.__setattr__(self, attr, check_bool(f"{label} {attr}", getattr(self, attr)))
        if not isinstance(self.name, str):
            raise ValueError(f"ModelShape name must be a string, got {self.name!r}")
        kv = self.n_heads if self.n_kv_heads is None else _whole(
            f"{label} n_kv_heads", self.n_kv_heads)
        object.__setattr__(self, "n_kv_heads", kv)
        if self.head_dim is None:
            if self.d_model % self.n_heads:
                raise ValueError(f"{label} d_model {self.d_model} is not a multiple of n_heads "
                                 f"{self.n_heads}; give head_dim explicitly")
            object.__setattr__(self, "head_dim", self.d_model // self.n_heads)
        else:
            object.__setattr__(self, "head_dim", _whole(f"{label} head_dim", self.head_dim))
        check_choice(f"{label} attention", self.attention, ATTENTION_KINDS)
        if self.attention == "gqa" and self.n_heads % kv:
            raise ValueError(f"{label} n_heads {self.n_heads} must be a multiple of "
                             f"n_kv_heads {kv}")
        if self.attention == "mla" and self.kv_lora_rank == 0:
            raise ValueError(f"{label} attention 'mla' needs kv_lora_rank > 0")
        given = [a for a in _MLA_FIELDS if getattr(self, a)]
        if self.attention != "mla" and given:
            raise ValueError(f"{label} {', '.join(given)} apply to attention='mla' (multi-head "
                             f"latent attention) only, not {self.attention!r}: give "
                             "attention='mla' or leave them 0")
        if self.n_experts:
            if not 1 <= self.top_k <= self.n_experts:
                raise ValueError(f"{label} top_k must be in [1, n_experts={self.n_experts}], "
                                 f"got {self.top_k}")
            if self.moe_d_ff == 0:
                raise ValueError(f"{label} an MoE model (n_experts > 0) needs moe_d_ff > 0")
            if self.n_dense_layers >= self.n_layers:
                raise ValueError(f"{label} n_dense_layers {self.n_dense_layers} leaves no MoE "
                                 f"layer of {self.n_layers}")
        elif self.top_k or self.n_shared_experts or self.moe_d_ff or self.n_dense_layers:
            raise ValueError(f"{label} top_k, n_shared_experts, moe_d_ff and n_dense_layers "
                             "describe a mixture of experts and need n_experts > 0 (a dense "
                             "model leaves them 0)")

    # ---- widths ------------------------------------------------------------------------

    @property
    def is_moe(self) -> bool:
        """True for a mixture-of-experts model."""
        return self.n_experts > 0

    @property
    def n_moe_layers(self) -> int:
        """Layers whose MLP is a mixture of experts [count]."""
        return self.n_layers - self.n_dense_layers if self.is_moe else 0

    @property
    def qk_head_dim(self) -> int:
        """Query/key width of one head used in the attention scores [count]."""
        return self.head_dim + (self.qk_rope_head_dim if self.attention == "mla" else 0)

    @property
    def value_head_dim(self) -> int:
        """Value width of one head [count]."""
        return self.v_head_dim or self.head_dim

    @property
    def attention_width(self) -> int:
        """Width of the attention output, heads x value width [count]."""
        return self.n_heads * self.value_head_dim

    @property
    def kv_width(self) -> int:
        """Width of the keys plus values held per token [count] (the latent for MLA)."""
        if self.attention == "mla":
            return self.kv_lora_rank + self.qk_rope_head_dim
        return 2 * self.n_kv_heads * self.head_dim

    @property
    def _mlp_matrices(self) -> int:
        return 3 if self.gated_mlp else 2

    # ---- parameters --------------------------------------------------------------------

    @property
    def attention_params_per_layer(self) -> int:
        """Weights of one layer's attention projections [count]."""
        d, h = self.d_model, self.n_heads
        if self.attention == "gqa":
            return 2 * d * h * self.head_dim + 2 * d * self.n_kv_heads * self.head_dim
        q_out = h * self.qk_head_dim
        q = (d * self.q_lora_rank + self.q_lora_rank * q_out) if self.q_lora_rank else d * q_out
        kv_down = d * (self.kv_lora_rank + self.qk_rope_head_dim)
        kv_up = self.kv_lora_rank * h * (self.head_dim + self.value_head_dim)
        return q + kv_down + kv_up + h * self.value_head_dim * d

    @property
    def dense_mlp_params(self) -> int:
        """Weights of one dense MLP [count]."""
        return self._mlp_matrices * self.d_model * self.d_ff

    @property
    def expert_params(self) -> int:
        """Weights of one expert [count] (0 for a dense model)."""
        return self._mlp_matrices * self.d_model * self.moe_d_ff

    @property
    def embedding_params(self) -> int:
        """Input plus output embedding weights [count] (one matrix if tied)."""
        return self.vocab_size * self.d_model * (1 if self.tie_embeddings else 2)

    @property
    def n_params_nonembedding(self) -> int:
        """All weights except the embeddings [count]."""
        dense_layers = self.n_layers - self.n_moe_layers
        moe = self.n_moe_layers * ((self.n_experts + self.n_shared_experts) * self.expert_params
                                   + self.d_model * self.n_experts)
        return (self.n_layers * self.attention_params_per_layer
                + dense_layers * self.dense_mlp_params + moe)

    @property
    def n_params(self) -> int:
        """Total parameters [count]."""
        return self.n_params_nonembedding + self.embedding_params

    @property
    def n_active_params(self) -> int:
        """Parameters used per token [count] (= ``n_params`` for a dense model)."""
        if not self.is_moe:
            return self.n_params
        unused = self.n_moe_layers * (self.n_experts - self.top_k) * self.expert_params
        return self.n_params - unused

    @property
    def n_expert_params(self) -> int:
        """Weights of the routed experts, the part sharded by expert parallelism [count]."""
        return self.n_moe_layers * self.n_experts * self.expert_params

    @property
    def matmul_params_per_token(self) -> int:
        """Weights a token multiplies through, output logits included, input lookup not."""
        active_nonembedding = self.n_active_params - self.embedding_params
        return active_nonembedding + self.vocab_size * self.d_model

    # ---- FLOP --------------------------------------------------------------------------

    def attention_flop_per_token(self, seq_len=None, convention: str = "full"):
        """Forward attention-score FLOP per token over all layers [FLOP].

        Parameters
        ----------
        seq_len : int or array_like, optional
            Context length [tokens]; default ``self.seq_len``.
        convention : {"full", "causal", "none"}
            Count every query-key pair, half of them, or none (see module notes).

        Notes
        -----
        .. math:: F_{attn} = 2\\, L\\, s\\, h\\, (d_{qk} + d_v) \\times c

        with :math:`c = 1` (full), 1/2 (causal) or 0; for standard attention this is
        :math:`4 L s d`, Megatron-LM's and PaLM's :math:`12 L H Q T / 3` per token forward.
        """
        check_choice("convention", convention, ATTENTION_FLOP_CONVENTIONS)
        s = as_float_array("seq_len", self.seq_len if seq_len is None else seq_len)
        factor = {"full": 1.0, "causal": 0.5, "none": 0.0}[convention]
        flop = (2.0 * self.n_layers * s * self.n_heads
                * (self.qk_head_dim + self.value_head_dim) * factor)
        return like(flop, seq_len)

    def flop_per_token(self, seq_len=None, attention: str = "full"):
        """Training (forward + backward) model FLOP per token [FLOP].

        Parameters
        ----------
        seq_len : int or array_like, optional
            Context length [tokens]; default ``self.seq_len``.
        attention : {"full", "causal", "none"}
            Attention-score convention; ``"none"`` gives 6 x matmul weights.

        Notes
        -----
        .. math:: F = 6\\, P_{matmul} + 3\\, F_{attn}

        For a dense GPT this is Narayanan et al.'s (2021) Eq. 3 without recomputation,
        :math:`72 l h^2 (1 + s / 6h) + 6 V h`, and PaLM's :math:`6N + 12 L H Q T`.
        """
        attn = self.attention_flop_per_token(seq_len, attention)
        return like(6.0 * self.matmul_params_per_token + 3.0 * np.asarray(attn, dtype=float),
                    seq_len)

    def to_frame(self):
        """One-row DataFrame of the shape and its derived counts."""
        import pandas as pd

        row = {f: getattr(self, f) for f in self.__dataclass_fields__}
        row.update(n_params=self.n_params, n_active_params=self.n_active_params,
                   flop_per_token=self.flop_per_token())
        return pd.DataFrame([row])


# --------------------------------------------------------------------------------------------
# published configurations
# --------------------------------------------------------------------------------------------

_INT_COLUMNS = ("n_layers", "d_model", "n_heads", "n_kv_heads", "head_dim", "d_ff", "vocab_size",
                "seq_len", "n_experts", "top_k", "n_shared_experts", "moe_d_ff",
                "n_dense_layers", "q_lora_rank", "kv_lora_rank", "qk_rope_head_dim",
                "v_head_dim")


@cached
def _config_table():
    frame = load_table("model_configs")
    for column in ("gated_mlp", "tie_embeddings"):
        frame[column] = frame[column].astype(str).str.strip().str.lower().map(
            {"true": True, "false": False})
        if frame[column].isna().any():
            raise ValueError(f"model_configs.csv column {column} must hold True/False")
    for column in _INT_COLUMNS:
        frame[column] = frame[column].astype(int)
    return frame


def model_configs():
    """Published model configurations (``data/model_configs.csv``), one row per model.

    Returns
    -------
    pandas.DataFrame
        The table plus ``n_params`` and ``n_active_params`` computed from each shape
        (compare with ``n_params_reported``). ``seq_len`` is the pretraining sequence length
        (the shape's); ``max_context_tokens`` the published context window, longer where a
        model was extended or serves longer contexts than it trained on (Mixtral's 32k and
        64k windows; its training length is not published and 8,192 is assumed).
    """
    frame = _config_table().copy()
    shapes = [named_shape(name) for name in frame["name"]]
    frame["n_params"] = [s.n_params for s in shapes]
    frame["n_active_params"] = [s.n_active_params for s in shapes]
    return frame


def named_shape(name: str) -> ModelShape:
    """The :class:`ModelShape` of a published model in ``data/model_configs.csv``.

    Parameters
    ----------
    name : str
        Row name, e.g. ``"Llama 3 405B"`` or ``"DeepSeek-V3"`` (case-insensitive).

    Raises
    ------
    ValueError
        Unknown name; the message lists the closest valid ones.
    """
    frame = _config_table()
    names = list(frame["name"])
    lookup = {n.lower(): n for n in names}
    if not isinstance(name, str) or name.strip().lower() not in lookup:
        raise unknown_name("model (data/model_configs.csv)", name, names)
    row = frame.loc[frame["name"] == lookup[name.strip().lower()]].iloc[0]
    kwargs = {c: int(row[c]) for c in _INT_COLUMNS}
    return ModelShape(name=row["name"], gated_mlp=bool(row["gated_mlp"]),
                      tie_embeddings=bool(row["tie_embeddings"]), attention=row["attention"],
                      **kwargs)


# --------------------------------------------------------------------------------------------
# shape from a parameter count
# --------------------------------------------------------------------------------------------

def fit_shape_rule(configs=None) -> dict:
    """Fit the depth rule n_layers = a N^b to published dense configurations.

    Parameters
    ----------
    configs : pandas.DataFrame, optional
        Columns ``n_layers``, ``n_params_reported``, ``n_experts`` (and optionally
        ``in_depth_rule``); default ``data/model_configs.csv``. Mixture-of-experts rows, and
        rows whose ``in_depth_rule`` is False, are left out: the MPT benchmark configurations
        (MosaicML llm-foundry, added with the per-step benchmarks of issue 15) are checked
        against the rule, not fitted into it, so that every derived shape stays as it was.

    Returns
    -------
    dict
        ``depth_coefficient`` (a), ``depth_exponent`` (b), ``n_models``, and
        ``depth_log_residual_sd`` (standard deviation of ln(L / rule)).

    Notes
    -----
    Ordinary least squares of :math:`\\ln L` on :math:`\\ln N`. Kaplan et al. (2020, Fig. 5)
    find loss nearly flat over a wide range of aspect ratios, so one power law for depth,
    with width then set by the parameter count, is the simplest rule the data support.
    """
    table = _config_table() if configs is None else configs
    dense = table[table["n_experts"].astype(int) == 0]
    if "in_depth_rule" in dense.columns:   # the rows the rule was fitted on (issue 9)
        dense = dense[dense["in_depth_rule"].astype(str).str.strip().str.lower() == "true"]
    x = np.log(dense["n_params_reported"].astype(float).to_numpy())
    y = np.log(dense["n_layers"].astype(float).to_numpy())
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (intercept + slope * x)
    return {"depth_coefficient": float(np.exp(intercept)), "depth_exponent": float(slope),
            "n_models": int(len(dense)), "depth_log_residual_sd": float(residual.std(ddof=2))}


def _round_to(value: float, multiple: int) -> int:
    return max(multiple, int(round(value / multiple)) * multiple)


def shape_from_params(n_params, *, seq_len: int = DEFAULT_SEQ_LEN,
                      vocab_size: int = DEFAULT_VOCAB_SIZE, head_dim: int = DEFAULT_HEAD_DIM,
                      n_kv_heads: int | None = None, rule: dict | None = None) -> ModelShape:
    """A dense model shape with ``n_params`` parameters, by the rule fitted to published models.

    Parameters
    ----------
    n_params : float
        Total parameters [count], >= :data:`MIN_DERIVED_PARAMS` (4e7).
    seq_len, vocab_size : int
        Training context [tokens] and vocabulary [tokens] (defaults: Llama 3's).
    head_dim, n_kv_heads : int
        Head width and key-value heads (defaults: 128 and 8, grouped-query attention). The
        default 8 becomes the largest divisor of a narrow model's heads; a value given must
        divide them (else ValueError).
    rule : dict, optional
        ``depth_coefficient`` and ``depth_exponent``; default :data:`SHAPE_RULE`.

    Returns
    -------
    ModelShape
        A SwiGLU, grouped-query, pre-norm decoder whose parameter count is within 1% of
        ``n_params`` for N >= 1e8 (the MLP width absorbs the rounding of the other widths).

    Raises
    ------
    ValueError
        A shape whose size misses ``n_params`` by more than :data:`DERIVED_SIZE_RTOL` or whose
        MLP is narrower than the model (a vocabulary too large for the count).

    Notes
    -----
    1. Depth :math:`L = \\mathrm{round}(a N^b)` (:data:`SHAPE_RULE`, fitted by
       :func:`fit_shape_rule`).
    2. Width :math:`d` solves :math:`N = L (2 + 2g/h + 3 r) d^2 + c V d` with MLP ratio
       :math:`r = 3.5` and :math:`c = 1` (tied, below :data:`TIE_EMBEDDINGS_BELOW_PARAMS`) or 2,
       rounded to a multiple of ``head_dim`` so that the heads are whole (of
       ``head_dim x n_kv_heads`` once d >= 4 x that, so the heads split into the KV groups).
    3. The MLP width :math:`f` is then set so the parameters equal :math:`N` (to a multiple of
       64).
    """
    if rule is None:
        try:   # a frozen shape per size: sweeps and Monte Carlo runs ask for the same sizes
            return _derived_shape(n_params, seq_len, vocab_size, head_dim, n_kv_heads)
        except TypeError as error:   # unhashable input: derive it below, to refuse it there
            if "unhashable" not in str(error):
                raise
    return _shape_from_params(n_params, seq_len=seq_len, vocab_size=vocab_size,
                              head_dim=head_dim, n_kv_heads=n_kv_heads, rule=rule)


@functools.lru_cache(maxsize=4096)
def _derived_shape(n_params, seq_len, vocab_size, head_dim, n_kv_heads) -> ModelShape:
    return _shape_from_params(n_params, seq_len=seq_len, vocab_size=vocab_size,
                              head_dim=head_dim, n_kv_heads=n_kv_heads, rule=None)


def _shape_from_params(n_params, *, seq_len, vocab_size, head_dim, n_kv_heads, rule):
    """:func:`shape_from_params`, uncached."""
    n = scalar("n_params", n_params, check_at_least, minimum=MIN_DERIVED_PARAMS,
               why="a derived shape; pass a ModelShape for smaller models")
    seq_len = whole_number("seq_len", seq_len)
    vocab_size = whole_number("vocab_size", vocab_size)
    head_dim = whole_number("head_dim", head_dim)
    default_kv = n_kv_heads is None
    n_kv_heads = whole_number("n_kv_heads", DEFAULT_KV_HEADS if default_kv else n_kv_heads)
    coef = SHAPE_RULE if rule is None else rule
    depth = coef["depth_coefficient"] * n ** coef["depth_exponent"]
    grain = next(g for limit, g in _DEPTH_GRAINS if depth >= limit)
    layers = max(2, int(round(depth / grain)) * grain)
    tied = n < TIE_EMBEDDINGS_BELOW_PARAMS
    n_embed = 1 if tied else 2
    # attention per layer for width d with h = d / head_dim heads and g kv heads:
    # 2 d^2 + 2 d g head_dim  -> quadratic in d with the MLP 3 r d^2
    a = layers * (2.0 + 3.0 * _GATED_FFN_RATIO)
    b = layers * 2.0 * n_kv_heads * head_dim + n_embed * vocab_size
    d = (-b + math.sqrt(b * b + 4.0 * a * n)) / (2.0 * a)
    # whole heads; wide models keep the heads a multiple of the KV heads (and so of an 8-way
    # tensor-parallel split), and very wide ones a multiple of a power of two near a quarter of
    # the heads (at most 64), so that power-of-two tensor-parallel splits exist
    heads = d / head_dim
    if heads >= 4 * n_kv_heads:
        power = 2 ** int(math.floor(math.log2(heads / _HEAD_GRAIN_DIVISOR)))
        grain = head_dim * max(n_kv_heads, min(_MAX_HEAD_GRAIN, power))
    else:
        grain = head_dim
    d_model = _round_to(d, grain)
    n_heads = d_model // head_dim
    kv = math.gcd(n_heads, n_kv_heads)
    if kv != n_kv_heads and not default_kv:
        raise ValueError(f"n_kv_heads={n_kv_heads} does not divide the {n_heads} attention "
                         f"heads of a {n:.3g}-parameter model (head_dim {head_dim}); give a "
                         f"divisor of {n_heads} or a ModelShape")
    attention = 2 * d_model * d_model + 2 * d_model * kv * head_dim
    remaining = n - n_embed * vocab_size * d_model - layers * attention
    d_ff = _round_to(remaining / (layers * 3.0 * d_model), 64)
    shape = ModelShape(name=f"{DERIVED_NAME_PREFIX} {n:.3g}", n_layers=layers, d_model=d_model,
                       n_heads=n_heads, n_kv_heads=kv, head_dim=head_dim, d_ff=d_ff,
                       vocab_size=vocab_size, seq_len=seq_len, gated_mlp=True,
                       tie_embeddings=tied)
    _check_derived(shape, n)
    return shape


def _check_derived(shape: ModelShape, n: float) -> None:
    """Refuse a derived shape whose size misses the count asked for, or whose MLP is narrower
    than the model (the embeddings take most of a small model with a large vocabulary)."""
    if abs(shape.n_params / n - 1.0) > DERIVED_SIZE_RTOL or shape.d_ff < shape.d_model:
        embed = shape.vocab_size * shape.d_model * (1 if shape.tie_embeddings else 2)
        raise ValueError(f"n_params={n:.3g}: no transformer of this rule fits it with "
                         f"vocab_size={shape.vocab_size:,} (its embeddings alone hold "
                         f"{embed:.3g} parameters); the nearest has {shape.n_params:.3g} "
                         f"parameters and d_ff {shape.d_ff} (d_model {shape.d_model}). Give a "
                         "smaller vocab_size, a larger n_params or a ModelShape")


#: Fields of multi-head latent attention (DeepSeek-V2/V3), 0 for other attention kinds.
_MLA_FIELDS = ("q_lora_rank", "kv_lora_rank", "qk_rope_head_dim", "v_head_dim")


#: Name prefix of the shapes :func:`shape_from_params` derives ("derived 7e+10").
DERIVED_NAME_PREFIX = "derived"


def is_derived(shape: ModelShape) -> bool:
    """True for a shape derived from a parameter count (:func:`shape_from_params`), False for
    a published configuration or a shape built by hand."""
    return (shape.name or "").startswith(DERIVED_NAME_PREFIX + " ")


def as_model_shape(model, *, seq_len: int | None = None) -> ModelShape:
    """A :class:`ModelShape` from a shape, a published model's name, or a parameter count.

    Parameters
    ----------
    model : ModelShape or str or float
        A shape; a name in ``data/model_configs.csv``; or a parameter count, turned into a
        shape by :func:`shape_from_params`.
    seq_len : int, optional
        Override the training context length [tokens].

    Raises
    ------
    ValueError
        Anything else, or an unknown name.
    """
    if seq_len is not None:
        seq_len = whole_number("seq_len", seq_len)
    if isinstance(model, ModelShape):
        shape = model
    elif isinstance(model, str):
        shape = named_shape(model)
    elif isinstance(model, (int, float, np.integer, np.floating)) and not isinstance(
            model, (bool, np.bool_)):
        shape = shape_from_params(float(model), **({} if seq_len is None else
                                                   {"seq_len": seq_len}))
    else:
        raise ValueError(f"model must be a ModelShape, a model name (data/model_configs.csv) "
                         f"or a parameter count, got {type(model).__name__} {model!r}")
    if seq_len is not None and shape.seq_len != seq_len:
        shape = replace(shape, seq_len=seq_len)
    return shape
