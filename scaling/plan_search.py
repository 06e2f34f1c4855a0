"""The plan search: the fastest parallel layout of a training run, and its step time.

:func:`plan_parallelism` takes a model and a machine, sets the global batch (given, or from
DeepSeek LLM's batch-size law, :func:`optimal_batch_tokens`), builds every candidate layout
(tp, pp, dp, cp, ep, micro-batch, interleaving, ZeRO stage, recomputation;
:mod:`scaling.layout_grid`, as far as ``layout_search`` allows), evaluates them
all at once with the step-time model of :mod:`scaling.parallelism`, keeps those that fit in
memory and returns the fastest as a :class:`StepTime`: the layout, its step time by component,
memory per accelerator, throughput and per-step model FLOP utilisation (MFU). It reads as a
list of named steps: resolve the inputs, build the candidates, evaluate them, pick the fastest
that fits, describe what limits it, build the result.

References
----------
DeepSeek-AI (2024), "DeepSeek LLM", arXiv:2401.02954, Sec. 3.1 (batch-size law).
"""

from __future__ import annotations

import math
from types import MappingProxyType
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from scaling._validation import (
    as_float_array, check_at_least, check_bool, check_choice, check_fraction, like, scalar,
    whole_number,
)
from scaling.catalog import PRECISIONS, Accelerator, cluster_row
from scaling.errors import InfeasibleRunError
from scaling.hardware import _model_flop_utilisation, as_accelerator
from scaling.kernels import attention_kernel_efficiency
from scaling.laws import FLOP_PER_PARAM_PER_TOKEN
from scaling.layout_grid import (
    BATCH_ROUNDING_TOLERANCE, DEFAULT_LAYOUT_SEARCH, candidate_grid, check_layout_search,
)
from scaling.model_shape import ATTENTION_FLOP_CONVENTIONS, ModelShape, as_model_shape
from scaling.parallelism import (
    _RECOMPUTE_FRACTIONS, DP_OVERLAP, MATMUL_EFFICIENCY, RECOMPUTE_MODES, SCHEDULES,
    ParallelLayout, _evaluate, _Hardware, _Model, _model_consts, _Settings,
)
from scaling.plan_checks import check_batch, check_batch_covers_dp, check_goodput, check_layout
from scaling.training_state import (
    MEMORY_RESERVE_FRACTION, OPTIMIZER_STATE_BYTES_PER_PARAM, OPTIMIZERS,
    min_accelerators_for_state, training_state_bytes,
)
from scaling.results import Result

__all__ = [
    "BATCH_ROUNDING_TOLERANCE",
    "GIVEN_LAYOUT_FIELDS",
    "LAYOUT_SEARCH_GAP",
    "check_layout_gap",
    "DEEPSEEK_BATCH_COEFFICIENT",
    "DEEPSEEK_BATCH_EXPONENT",
    "StepTime",
    "optimal_batch_tokens",
    "plan_parallelism",
]

# --------------------------------------------------------------------------------------------
# the global batch
# --------------------------------------------------------------------------------------------

#: DeepSeek LLM's fitted optimal batch size B_opt = 0.2920 C^0.3271 [tokens], C in FLOP
#: (DeepSeek-AI 2024, "DeepSeek LLM", arXiv:2401.02954, Sec. 3.1, Eq. 1; fitted on 1e17-3e20
#: FLOP; C there counts non-embedding FLOP incl. attention, close to 6ND at scale).
DEEPSEEK_BATCH_COEFFICIENT = 0.2920
#: Exponent of the DeepSeek LLM batch-size law (arXiv:2401.02954, Sec. 3.1).
DEEPSEEK_BATCH_EXPONENT = 0.3271

#: Training tokens per parameter of the compute the batch-size law is evaluated at when
#: neither ``global_batch_tokens`` nor ``compute_flop`` is given: 20, Hoffmann et al.'s
#: (2022) compute-optimal ratio (arXiv:2203.15556, Table 3).
DEFAULT_TOKENS_PER_PARAM = 20.0


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
# candidate layouts
# --------------------------------------------------------------------------------------------

#: How much longer the layouts teams run take per step than the fastest plan the search finds
#: (geometric mean of searched / published per-step MFU on the per-step rows that publish
#: :data:`GIVEN_LAYOUT_FIELDS`, outside the calibration set, from the model's two predictions
#: only: :func:`scaling.studies.calibration.layout_gap`). Applied unless all of
#: :data:`GIVEN_LAYOUT_FIELDS` are given; the whole-run efficiency presets are fitted with it.
LAYOUT_SEARCH_GAP = 1.099
GIVEN_LAYOUT_FIELDS = ("tp", "pp", "dp")


def check_layout_gap(value, *, name: str = "layout_gap") -> float:
    """A layout gap as given, checked: one number >= 1 (1 is the fastest plan).

    Parameters
    ----------
    value : float
        Step time of the layout run over that of the fastest plan found.
    name : str
        The argument's name in the error message.

    Returns
    -------
    float
    """
    return scalar(name, value, check_at_least, minimum=1.0,
                  why="a slowdown against the fastest plan; 1 is the fastest plan")

# --------------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------------

#: Step-time components of :class:`StepTime` (keys of the step-time evaluation), in display
#: order [s].
_TIME_COMPONENTS = ("compute_s", "memory_bound_s", "tensor_parallel_s", "pipeline_send_s",
                    "data_parallel_s", "expert_all_to_all_s", "bubble_s", "latency_s")
#: Memory components per accelerator of :class:`StepTime` [bytes].
_MEMORY_COMPONENTS = ("memory_weights_bytes", "memory_gradients_bytes", "memory_optimizer_bytes",
                      "memory_activations_bytes")


@dataclass(frozen=True, slots=True, kw_only=True)
class StepTime(Result):
    """The fastest parallel layout found for a model on a machine, and its step time.

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
        latency, and the layout gap (the fastest plan's step time x (``layout_gap`` - 1)).
    memory_bytes : dict
        Memory per accelerator by component [bytes] (weights, gradients, optimizer states,
        activations) on the first pipeline stage.
    memory_capacity_bytes : float
        HBM per accelerator [bytes]; ``usable_memory_bytes`` is it less the reserve.
    model_flop_per_step : float
        Model FLOP of one step, attention counted as ``attention_convention`` [FLOP].
    mfu : float
        Per-step model FLOP utilisation [fraction]: the model FLOP of one step
        (``model_flop_per_step``, attention counted per ``attention_convention``) per second
        of step time, against the dense bf16 peak of every accelerator given, idle ones
        included (:func:`scaling.hardware.model_flop_utilisation`). This is the convention of
        published per-step MFU figures (PaLM, Megatron-LM); the bf16 peak is the denominator
        for fp8 runs too. It is not the chain's whole-run MFU (``RunEstimate.mfu``: 6ND model
        FLOP, the peak at the run's precision, the whole-run efficiency).
    mfu_used : float
        The same against the accelerators used (``n_accelerators_used``) [fraction].
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

    def __post_init__(self) -> None:
        # read-only views: a StepTime is cached and shared, so a caller cannot change it
        for name in ("breakdown_s", "memory_bytes"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

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
# resolving the inputs
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
    """The machine as the step-time model reads it: catalog figures unless overridden."""
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


def _settings(acc, precision, flash_attention, dropout, schedule, dp_overlap, ep_overlap,
              grad_reduce_bytes, matmul_efficiency, sequence_parallel=True,
              optimizer="adam", attention_kernel="default") -> _Settings:
    """The run settings as the step-time model reads them, checked, defaults filled in."""
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
    flash = check_bool("flash_attention", flash_attention)
    attention_eff = attention_kernel_efficiency(attention_kernel, acc.generation, eta)
    if attention_kernel != "default" and not flash:
        raise ValueError(f"attention_kernel={attention_kernel!r} names a fused kernel, but "
                         "flash_attention=False; leave attention_kernel at 'default' or "
                         "pass flash_attention=True")
    return _Settings(eta=eta, fp8=precision == "fp8", flash=flash, attention_eff=attention_eff,
                     dropout=check_bool("dropout", dropout), dp_overlap=dpo, ep_overlap=epo,
                     dualpipe=schedule == "dualpipe", grad_bytes=gb,
                     sp=check_bool("sequence_parallel", sequence_parallel),
                     optimizer=check_choice("optimizer", optimizer, OPTIMIZERS))


def _cluster_fields(cluster):
    """Accelerator, count and scale-out bandwidth of a named cluster or a cluster object."""
    if isinstance(cluster, str):   # a catalog name: its row (the Cluster is built above)
        row = cluster_row(cluster)
        out = row["scale_out_bandwidth_byte_per_s"]
        return (row["accelerator"], row["n_accelerators"],
                None if math.isnan(out) else float(out))
    for attr in ("accelerator", "n_accelerators"):
        if not hasattr(cluster, attr):
            raise ValueError("cluster must be a cluster name (scaling.list_clusters()), a "
                             "scaling.Cluster or an object with accelerator and "
                             f"n_accelerators, got {type(cluster).__name__}")
    out = getattr(cluster, "scale_out_bandwidth_byte_per_s", float("nan"))
    return (cluster.accelerator, cluster.n_accelerators,
            None if out is None or math.isnan(out) else float(out))


def _machine(accelerator, n_accelerators, cluster, scale_out_bandwidth_byte_per_s):
    """Accelerator, count (unchecked) and scale-out bandwidth: as given, else the cluster's."""
    if cluster is not None:
        c_acc, c_n, c_out = _cluster_fields(cluster)
        accelerator = c_acc if accelerator is None else accelerator
        n_accelerators = c_n if n_accelerators is None else n_accelerators
        if scale_out_bandwidth_byte_per_s is None and c_out is not None:
            scale_out_bandwidth_byte_per_s = c_out
    if accelerator is None or n_accelerators is None:
        raise ValueError("give accelerator and n_accelerators, or a cluster")
    return as_accelerator(accelerator), n_accelerators, scale_out_bandwidth_byte_per_s


def _batch_sequences(shape: ModelShape, global_batch_tokens, compute_flop, notes: list) -> int:
    """Global batch in whole sequences: as given, or from the batch-size law at the compute
    given (by default at :data:`DEFAULT_TOKENS_PER_PARAM` tokens per parameter, 6ND)."""
    if global_batch_tokens is None:
        if compute_flop is None:
            compute_flop = (FLOP_PER_PARAM_PER_TOKEN * shape.n_active_params
                            * DEFAULT_TOKENS_PER_PARAM * shape.n_params)
            notes.append(f"batch from the DeepSeek LLM law at {DEFAULT_TOKENS_PER_PARAM:g} "
                         "tokens per parameter (pass compute_flop or global_batch_tokens to "
                         "change it)")
        global_batch_tokens = float(optimal_batch_tokens(scalar("compute_flop", compute_flop)))
    batch_tokens = check_batch(scalar("global_batch_tokens", global_batch_tokens), shape)
    return max(1, int(round(batch_tokens / shape.seq_len)))


class _Problem(NamedTuple):
    """The checked inputs of one plan search."""

    shape: ModelShape
    model: _Model
    accelerator: Accelerator
    n: int
    precision: str
    hardware: _Hardware
    settings: _Settings
    batch_seqs: int
    fixed: dict
    usable_bytes: float
    layout_search: str


# --------------------------------------------------------------------------------------------
# search
# --------------------------------------------------------------------------------------------

class _Found(NamedTuple):
    """Candidates evaluated: layouts along one axis and options (ZeRO stage, recomputation)
    along the other; the step-time model's components, sequences per step (the batch rounded
    up to whole micro-batches) and whether it fits, each of shape ``grid_shape``."""

    layouts: dict
    options: dict
    components: dict
    grid_shape: tuple
    sequences: np.ndarray
    fits: np.ndarray


def _search(problem: _Problem, memory_relief: bool) -> _Found:
    """Build the candidates, evaluate them all at once, and mark those that fit in memory and
    round the batch up by at most :data:`BATCH_ROUNDING_TOLERANCE`."""
    layouts, options = candidate_grid(problem.shape, problem.n, problem.batch_seqs,
                                      int(problem.hardware.domain), problem.fixed,
                                      memory_relief, problem.layout_search)
    if layouts["tp"].size == 0:
        raise InfeasibleRunError(
            f"no parallel layout of {problem.shape.name or 'the model'} fits {problem.n} "
            f"accelerators with the constraints given ({problem.fixed})")
    col = {key: val[:, None] for key, val in layouts.items()}
    row = {key: val[None, :] for key, val in options.items()}
    components = _evaluate(problem.model, problem.hardware, problem.settings,
                           float(problem.batch_seqs), col["tp"], col["pp"], col["dp"],
                           col["cp"], col["ep"], col["micro_batch"], col["virtual_stages"],
                           row["zero_stage"], row["recompute"])
    grid_shape = (layouts["tp"].size, options["zero_stage"].size)
    components = {key: np.broadcast_to(val, grid_shape) for key, val in components.items()}
    sequences = components["micro_batches"] * np.broadcast_to(
        (layouts["dp"] * layouts["micro_batch"])[:, None], grid_shape)
    batch_ok = sequences <= (1.0 + BATCH_ROUNDING_TOLERANCE) * problem.batch_seqs
    if not batch_ok.any():  # a fixed layout: keep it, the rounding is the user's choice
        batch_ok = np.ones(grid_shape, dtype=bool)
    fits = (components["memory_bytes"] <= problem.usable_bytes) & batch_ok
    return _Found(layouts=layouts, options=options, components=components,
                  grid_shape=grid_shape, sequences=sequences, fits=fits)


def _no_fit_error(problem: _Problem, found: _Found) -> InfeasibleRunError:
    """Why no candidate fits in memory, with the fewest accelerators holding the state."""
    shape, acc, n, fixed = problem.shape, problem.accelerator, problem.n, problem.fixed
    smallest = float(np.min(found.components["memory_bytes"]))
    optimizer = problem.settings.optimizer
    state = float(training_state_bytes(shape.n_params, problem.precision)) - shape.n_params * (
        OPTIMIZER_STATE_BYTES_PER_PARAM["adam"] - OPTIMIZER_STATE_BYTES_PER_PARAM[optimizer])
    floor = (min_accelerators_for_state(shape, acc, precision=problem.precision)
             if optimizer == "adam" else math.ceil(state / problem.usable_bytes))
    return InfeasibleRunError(
        f"no parallel plan of the {shape.n_params:.3g}-parameter model"
        f"{f' {shape.name!r}' if shape.name else ''} fits "
        f"in memory on {n:,} {acc.name} ({acc.memory_bytes / 1e9:.0f} GB each, "
        f"{problem.usable_bytes / 1e9:.0f} GB usable): the best plan still needs "
        f"{smallest / 1e9:.0f} GB per accelerator. The training state alone "
        f"({state / 1e12:.3g} TB with {optimizer.title()}) needs at "
        f"least {floor:,} {acc.name} fully sharded (ZeRO-3), more with activations"
        + (f"; with {n:,} given, the activations are what does not fit: more accelerators "
           f"do not help at {shape.seq_len:,}-token sequences, shorter sequences, more "
           "memory per accelerator or a larger scale-up domain (wider tensor "
           "parallelism) would" if n >= floor else "")
        + (f"; constraints given: {fixed}" if fixed else ""))


def _search_with_relief(problem: _Problem, notes: list) -> _Found:
    """Search; if nothing fits, search again with memory relief; if still nothing, raise."""
    found = _search(problem, False)
    if not found.fits.any():
        # memory relief, searched only when no plan fits without it: context parallelism for
        # sequences under 32k tokens (all-gathers of keys and values) and tensor parallelism
        # across scale-up domains (its collectives then cross the scale-out network)
        found = _search(problem, True)
        notes.append("memory relief: several sequences per micro-batch split over context-"
                     "parallel ranks were searched" if problem.layout_search == "fine" else
                     "memory relief: context parallelism for short sequences and tensor "
                     "parallelism beyond the scale-up domain were searched")
    if not found.fits.any():
        raise _no_fit_error(problem, found)
    return found


def _fastest_feasible(found: _Found, goodput=None) -> tuple:
    """Index (layout, option) of the fitting candidate with the smallest time per sequence
    (divided by the job's goodput on the accelerators the layout occupies, when given).

    Whole micro-batches on every replica round the global batch up by different amounts, so
    step times of different layouts are not comparable; times per sequence are.
    """
    per_sequence = found.components["step_time_s"] / found.sequences
    if goodput is not None:
        lay = found.layouts
        replica = (lay["tp"] * lay["pp"] * lay["cp"] * lay["ep"]).astype(float)
        with np.errstate(divide="ignore", over="ignore"):
            per_sequence = per_sequence / np.asarray(
                goodput(_used(found).astype(float), replica))[:, None]
    step = np.where(found.fits, per_sequence, np.inf)
    return np.unravel_index(int(np.argmin(step)), found.grid_shape)


def _layout_at(found: _Found, best: tuple) -> ParallelLayout:
    """The candidate at ``best`` as a :class:`ParallelLayout`."""
    pick = {key: int(val[best[0]]) for key, val in found.layouts.items()}
    pick.update({key: int(val[best[1]]) for key, val in found.options.items()})
    return ParallelLayout(tp=pick["tp"], pp=pick["pp"], dp=pick["dp"], cp=pick["cp"],
                          ep=pick["ep"], micro_batch=pick["micro_batch"],
                          virtual_stages=pick["virtual_stages"], zero_stage=pick["zero_stage"],
                          recompute=RECOMPUTE_MODES[min(pick["recompute"], 2)],
                          recompute_fraction=float(_RECOMPUTE_FRACTIONS[pick["recompute"]])
                          if pick["recompute"] >= 2 else 1.0)


def _result(problem: _Problem, found: _Found, best: tuple, attention_convention: str,
            notes: list, for_goodput: bool = False, gap: float = 1.0) -> StepTime:
    """The :class:`StepTime` of the candidate at ``best``: layout, step time by component,
    memory, throughput, per-step MFU and what limits it."""
    shape, n, batch_seqs = problem.shape, problem.n, problem.batch_seqs
    layout = _layout_at(found, best)
    res = found.components
    step_s = float(res["step_time_s"][best]) * gap
    breakdown = {key: float(res[key][best]) for key in _TIME_COMPONENTS}
    breakdown["layout_gap_s"] = step_s * (1.0 - 1.0 / gap)
    memory = {key: float(res[key][best]) for key in _MEMORY_COMPONENTS}
    # whole micro-batches on every replica: the batch is rounded up to m x dp x micro-batch
    micro = int(res["micro_batches"][best])
    sequences = micro * layout.dp * layout.micro_batch
    tokens_step = sequences * shape.seq_len
    if sequences != batch_seqs:
        notes.append(f"global batch rounded from {batch_seqs:,} to {sequences:,} sequences "
                     f"(whole micro-batches on each of the {layout.dp:,} data-parallel "
                     "replicas)")
    model_flop = tokens_step * float(shape.flop_per_token(attention=attention_convention))
    used = layout.n_accelerators
    peak = problem.hardware.peak_bf16
    mfu_used = float(_model_flop_utilisation(model_flop / step_s, used, peak))
    mfu = float(_model_flop_utilisation(model_flop / step_s, n, peak))
    wall = layout.tp * layout.pp * layout.cp * batch_seqs
    # the largest overhead among the plan's physical components (the layout gap is not one)
    physical = {k: v for k, v in breakdown.items() if k != "layout_gap_s"}
    limit = _describe_limit(layout, n, used, wall, batch_seqs, physical, step_s,
                            for_goodput=for_goodput)
    if gap > 1.0:
        limit += (f" The layout gap (a team's layout against the fastest plan) takes "
                  f"{breakdown['layout_gap_s'] / step_s:.0%} of the step.")
    if used < n:
        notes.append(f"{n - used:,} of the {n:,} accelerators given stay idle: the plan uses "
                     f"{used:,}; MFU counts all {n:,}")
    return StepTime(
        model=shape, accelerator=problem.accelerator, precision=problem.precision,
        n_accelerators=n, n_accelerators_used=used, layout=layout,
        global_batch_tokens=float(tokens_step), micro_batches=micro, step_time_s=step_s,
        breakdown_s=breakdown, memory_bytes=memory,
        memory_capacity_bytes=problem.hardware.hbm_bytes,
        usable_memory_bytes=problem.usable_bytes, model_flop_per_step=model_flop,
        attention_convention=attention_convention, mfu=mfu, mfu_used=mfu_used,
        tokens_per_s=tokens_step / step_s, max_useful_accelerators=int(wall), limit=limit,
        notes=tuple(notes), n_candidates=int(found.grid_shape[0] * found.grid_shape[1]))


def plan_parallelism(model, accelerator=None, n_accelerators=None, *, cluster=None,
                     global_batch_tokens=None, compute_flop=None, precision: str = "bf16",
                     scale_up_domain_size=None, scale_up_bandwidth_byte_per_s=None,
                     scale_out_bandwidth_byte_per_s=None, tp=None, pp=None, dp=None, cp=None,
                     ep=None, micro_batch=None, virtual_stages=None, zero_stage=None,
                     recompute=None, recompute_fraction=None, flash_attention: bool = True,
                     dropout: bool = False, sequence_parallel: bool = True,
                     schedule: str = "1f1b", dp_overlap=None, ep_overlap=None,
                     grad_reduce_bytes: float = 2.0, matmul_efficiency=None,
                     attention_convention: str = "causal",
                     optimizer: str = "adam", goodput=None,
                     attention_kernel: str = "default", layout_gap=None,
                     layout_search: str = DEFAULT_LAYOUT_SEARCH) -> StepTime:
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
    optimizer : {"adam", "lion"}
        Optimizer whose states are held and updated
        (:data:`scaling.training_state.OPTIMIZER_STATE_BYTES_PER_PARAM`; default Adam).
    goodput : callable, optional
        ``goodput(n_in_use, replica_size)``, the job's goodput on the accelerators a layout
        occupies (e.g. :class:`scaling.reliability.JobGoodput`); the plan then minimises the
        time per sequence divided by it, so that where failures of more accelerators would
        cost more than they add a layout occupying fewer wins. None: per-step time only.
    attention_kernel : {"default", "flash2", "flash3", "triton"}
        The fused attention kernel (:data:`scaling.kernels.ATTENTION_KERNELS`): the package's
        generic assumption (default) or a published kernel at its measured efficiency
        (:data:`scaling.kernels.ATTENTION_KERNEL_EFFICIENCY`), e.g. "triton" for MosaicML
        llm-foundry's 2023 benchmarks.
    layout_gap : float, optional
        Step time of the layout run over that of the fastest plan found, >= 1 (1: the
        fastest plan): default :data:`LAYOUT_SEARCH_GAP` when tp, pp and dp are searched
        (not all given), else 1.
    layout_search : {"practical", "fine"}
        How far the search may split the run (:data:`scaling.layout_grid.LAYOUT_SEARCHES`):
        the layouts frameworks run today (default), or the finest split the model can cost
        (context parallelism at every sequence length, tensor parallelism across scale-up
        domains up to one attention head per accelerator), for bounds at scales no run has
        reached.

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

    (see :mod:`scaling.parallelism` for :math:`t_{mb}`), and the plan with the smallest time per
    sequence :math:`T / (m\\,d\\,b)` whose memory fits is returned (whole micro-batches round the
    global batch up by different amounts for different layouts). Its step time is then
    :math:`g\\,T`, with :math:`g` the layout gap (:data:`LAYOUT_SEARCH_GAP` for a searched plan,
    1 for a given one). MFU is :func:`scaling.hardware.model_flop_utilisation` of the model FLOP
    per step over :math:`g\\,T`, against the accelerators given at their dense bf16 peak.
    """
    notes = []
    acc, n, scale_out_bandwidth_byte_per_s = _machine(
        accelerator, n_accelerators, cluster, scale_out_bandwidth_byte_per_s)
    check_choice("precision", precision, PRECISIONS)
    n = whole_number("n_accelerators", n)
    check_choice("attention_convention", attention_convention, ATTENTION_FLOP_CONVENTIONS)
    shape = as_model_shape(model)
    hw = _resolve_hardware(acc, precision, scale_up_domain_size, scale_up_bandwidth_byte_per_s,
                           scale_out_bandwidth_byte_per_s)
    st = _settings(acc, precision, flash_attention, dropout, schedule, dp_overlap, ep_overlap,
                   grad_reduce_bytes, matmul_efficiency, sequence_parallel, optimizer,
                   attention_kernel)
    batch_seqs = _batch_sequences(shape, global_batch_tokens, compute_flop, notes)
    fixed = check_layout({k: v for k, v in dict(
        tp=tp, pp=pp, dp=dp, cp=cp, ep=ep, micro_batch=micro_batch,
        virtual_stages=virtual_stages, zero_stage=zero_stage, recompute=recompute,
        recompute_fraction=recompute_fraction).items() if v is not None}, shape, n)
    check_batch_covers_dp(batch_seqs, fixed)
    searched = not set(GIVEN_LAYOUT_FIELDS) <= set(fixed)
    gap = (LAYOUT_SEARCH_GAP if searched else 1.0) if layout_gap is None else check_layout_gap(
        layout_gap)
    problem = _Problem(shape=shape, model=_model_consts(shape), accelerator=acc, n=n,
                       precision=precision, hardware=hw, settings=st, batch_seqs=batch_seqs,
                       fixed=fixed, usable_bytes=hw.hbm_bytes * (1.0 - MEMORY_RESERVE_FRACTION),
                       layout_search=check_layout_search(layout_search))
    found = _search_with_relief(problem, notes)
    best = _fastest_feasible(found, check_goodput(goodput))
    fewer_for_goodput = goodput is not None and (
        _used(found)[best[0]] < _used(found)[_fastest_feasible(found)[0]])
    return _result(problem, found, best, attention_convention, notes, fewer_for_goodput, gap)


def _used(found: _Found) -> np.ndarray:
    """Accelerators each candidate layout occupies, tp x pp x cp x dp."""
    lay = found.layouts
    return lay["tp"] * lay["pp"] * lay["cp"] * lay["dp"]


# --------------------------------------------------------------------------------------------
# what limits the run
# --------------------------------------------------------------------------------------------

_COMPONENT_WORDS = {
    "memory_bound_s": "memory-bound element-wise work (small matrices per accelerator)",
    "tensor_parallel_s": "tensor-parallel communication",
    "pipeline_send_s": "pipeline sends",
    "data_parallel_s": "data-parallel gradient communication",
    "expert_all_to_all_s": "expert all-to-all",
    "bubble_s": "the pipeline bubble",
    "latency_s": "communication latency",
}


def _describe_limit(layout, n, used, wall, batch_seqs, breakdown, step_s,
                    for_goodput: bool = False) -> str:
    overheads = {k: v for k, v in breakdown.items() if k != "compute_s"}
    worst = max(overheads, key=overheads.get)
    share = overheads[worst] / step_s
    text = (f"Compute is {breakdown['compute_s'] / step_s:.0%} of the step; the largest "
            f"overhead is {_COMPONENT_WORDS[worst]} ({share:.0%}).")
    if used < n and for_goodput:
        text = (f"{n - used:,} of {n:,} accelerators idle: a layout on more would lose more "
                "to failures (goodput) than it gains in throughput. " + text)
    elif used < n and (n - used) >= _IDLE_WALL_FRACTION * n and wall < n:
        text = (f"Batch-size wall: the global batch of {batch_seqs:,} sequences keeps "
                f"{n - used:,} of {n:,} accelerators idle (at most {wall:,} useful with "
                f"tp x pp x cp = {layout.tp * layout.pp * layout.cp}). " + text)
    elif used < n and (n - used) >= _IDLE_WALL_FRACTION * n:
        text = (f"{n - used:,} of {n:,} accelerators idle: whole micro-batches of the global "
                f"batch of {batch_seqs:,} sequences fill {used:,} of them in the best layout. "
                + text)
    elif used < n:
        text = (f"{n - used:,} of {n:,} accelerators idle (the best layout does not divide "
                "the count). " + text)
    return text


#: Idle share of the accelerators given from which the limit text names the batch-size wall
#: (below it, idle accelerators are the remainder of a layout that does not divide the count).
_IDLE_WALL_FRACTION = 0.01
