"""The throughput stage's utilisation: the step-time model wired into the chain, and calibrated.

Where the chain gets its MFU
----------------------------
:func:`chain_utilisation` is the one place the forecast chain (:func:`scaling.chain.chain_inputs`)
asks for model FLOP utilisation. In order:

1. ``Assumptions(mfu=...)``: a constant, the explicit override;
2. the cluster's own ``mfu`` when it has one;
3. ``Assumptions(utilisation="generation_default")``: the accelerator generation's documented
   constant (``data/mfu_defaults.csv``), the package's behaviour before issue 9;
4. ``Assumptions(utilisation="step_time")`` (default): the step-time model. For the run's model
   (a :class:`~scaling.model_shape.ModelShape`, a published configuration's name, or a shape
   derived from ``n_params``; for an unknown size the compute-optimal size of the compute under
   :data:`scaling.laws.DEFAULT_LAW`), the accelerator and count, the cluster's scale-out
   bandwidth, the global batch of DeepSeek LLM's batch-size law for the run's compute
   (:func:`scaling.plan_search.optimal_batch_tokens`; ``Assumptions(global_batch_tokens=...)``
   overrides it) and the precision, :func:`scaling.plan_search.plan_parallelism` finds the
   fastest plan that fits in memory (:class:`~scaling.errors.InfeasibleRunError` naming the
   minimum accelerator count when none does). The chain's MFU is that plan's token throughput
   expressed in the chain's convention (:math:`C = 6ND`, against the dense peak of the run's
   precision, every accelerator given counted, idle ones included) times the calibrated
   whole-run efficiency :data:`RUN_EFFICIENCY`:

   .. math:: \\mathrm{MFU} = \\eta_{run}\\,\\frac{6 N_{active}\\,\\dot D}{n\\,P_{peak}}

   Searches are cached on their exact inputs (:func:`run_utilisation`).

References
----------
Narayanan et al. (2021), arXiv:2104.04473, Eq. 3 (Megatron-LM's FLOP count, recomputation
included).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scaling import laws
from scaling.errors import InfeasibleRunError
from scaling.hardware import as_accelerator
from scaling.model_shape import (  # MIN_DERIVED_PARAMS: the smallest derived shape (re-exported)
    MIN_DERIVED_PARAMS, as_model_shape, shape_from_params,
)
from scaling.plan_search import StepTime, optimal_batch_tokens, plan_parallelism
from scaling.uncertainty import STEP_TIME_MFU_LOG_SD

__all__ = [
    "CALIBRATION_GRID",
    "CONSTANT_MFU_BASELINE",
    "METRICS",
    "MFU_LOG_SD",
    "MIN_DERIVED_PARAMS",
    "RUN_EFFICIENCY",
    "UTILISATION_METHODS",
    "BREAKDOWN_COMPONENTS",
    "EFFICIENT_FRACTION",
    "RunUtilisation",
    "Utilisation",
    "breakdown_table",
    "calibrate",
    "calibrate_run_efficiency",
    "chain_utilisation",
    "clear_cache",
    "largest_useful_accelerators",
    "leave_one_out",
    "megatron_flop_per_token",
    "parallel_benchmarks",
    "predict_runs",
    "run_utilisation",
    "scaling_curve",
]

#: How the chain sets utilisation when neither ``Assumptions.mfu`` nor the cluster's ``mfu`` is
#: set: ``"step_time"`` (default), the step-time model of :mod:`scaling.parallelism` for the
#: run's model, machine and batch (issue 9); ``"generation_default"``, the accelerator
#: generation's constant from ``data/mfu_defaults.csv`` (published large runs per generation,
#: else Epoch AI's 0.375 imputation; the package's behaviour before issue 9).
UTILISATION_METHODS = ("step_time", "generation_default")

#: Fraction of the step-time model's per-step throughput that whole published training runs
#: realise after the chain's failure goodput (evaluation, data stalls, restarts the failure
#: model does not count, batch ramp-ups, software less tuned than Megatron-LM's benchmark).
#: Fitted by :func:`calibrate_run_efficiency` (the geometric mean of reported over predicted
#: accelerator-hours) on the 28 runs of ``data/training_runs.csv`` whose time the developers
#: report (``time_basis`` in :data:`scaling.studies.backtesting.DEVELOPER_TIME_BASES`);
#: ``test_run_efficiency_refits_from_the_developer_reported_runs`` recomputes it. Its
#: leave-one-out errors are ``scaling.backtest(method="leave_one_out")``.
RUN_EFFICIENCY = 0.610

#: Standard deviation of ln(predicted / reported accelerator-hours) of the step-time model out
#: of sample (leave-one-out on the same runs); defined with the Monte Carlo spreads as
#: :data:`scaling.uncertainty.STEP_TIME_MFU_LOG_SD`, which sets
#: ``DEFAULT_UNCERTAINTY["mfu"]`` (log-normal around the prediction).
MFU_LOG_SD = STEP_TIME_MFU_LOG_SD


# --------------------------------------------------------------------------------------------
# the chain's utilisation
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class RunUtilisation:
    """The step-time model's utilisation of one run, in the chain's convention.

    Attributes
    ----------
    mfu : float
        Whole-run MFU the chain uses: ``run_efficiency`` x 6 N_active x tokens/s / (accelerators
        given x dense peak at the run's precision). [fraction]
    step_mfu : float
        The same per training step, before the whole-run efficiency. [fraction]
    run_efficiency : float
        :data:`RUN_EFFICIENCY` (or the value given). [fraction]
    n_accelerators, n_accelerators_used : int
        Accelerators given and used by the plan (fewer when the batch cannot use them all).
    replica_size : int
        Accelerators per data-parallel replica, tp x pp x cp x ep. [count]
    limit : str
        What limits the run, in words (:attr:`StepTime.limit`).
    plan : StepTime
        The plan, its memory and step-time breakdown (per-step MFU in the PaLM convention).
    """

    mfu: float
    step_mfu: float
    run_efficiency: float
    n_accelerators: int
    n_accelerators_used: int
    replica_size: int
    limit: str
    plan: StepTime


#: (shape, accelerator fields, count, precision, batch sequences, scale-out, efficiency) ->
#: RunUtilisation or the InfeasibleRunError raised; emptied past :data:`_CACHE_LIMIT` entries.
_CACHE: dict = {}
_CACHE_LIMIT = 50_000


def clear_cache() -> None:
    """Forget every cached plan search (:func:`run_utilisation`)."""
    _CACHE.clear()


def _accelerator_key(acc) -> tuple:
    return (acc.name, acc.peak_bf16_flop_per_s, repr(acc.peak_fp8_flop_per_s), acc.memory_bytes,
            acc.memory_bandwidth_byte_per_s, repr(acc.scale_up_bandwidth_byte_per_s),
            acc.scale_up_domain_size, repr(acc.scale_out_bandwidth_byte_per_s))


def run_utilisation(compute_flop, *, model, accelerator, n_accelerators, precision="bf16",
                    scale_out_bandwidth_byte_per_s=None, global_batch_tokens=None,
                    run_efficiency=None) -> RunUtilisation:
    """The step-time model's whole-run MFU of one run (plan search, cached on exact inputs).

    Parameters
    ----------
    compute_flop : float
        Training compute [FLOP]; sets the global batch through DeepSeek LLM's law unless
        ``global_batch_tokens`` is given.
    model : ModelShape or str or float
        The model: a shape, a published configuration's name or a parameter count.
    accelerator : Accelerator or str
    n_accelerators : int
        Accelerators given (a whole number; idle ones are charged).
    precision : {"bf16", "fp8"}
    scale_out_bandwidth_byte_per_s : float, optional
        The cluster's scale-out bandwidth per accelerator [byte/s]; default the
        accelerator's catalog value.
    global_batch_tokens : float, optional
        Tokens per optimizer step; default :func:`scaling.plan_search.optimal_batch_tokens`
        of ``compute_flop``.
    run_efficiency : float, optional
        Default :data:`RUN_EFFICIENCY`.

    Returns
    -------
    RunUtilisation

    Raises
    ------
    InfeasibleRunError
        No plan fits in memory; the message names the minimum accelerator count.

    Notes
    -----
    .. math:: \\mathrm{MFU} = \\eta_{run}\\,\\frac{6 N_{active}\\,\\dot D}{n\\,P_{peak}}

    with :math:`\\dot D` the plan's tokens per second (:func:`plan_parallelism`). A search takes
    1-40 ms; repeated inputs are answered from a cache.
    """
    acc = as_accelerator(accelerator)
    shape = as_model_shape(model)
    n = int(n_accelerators)
    eta = RUN_EFFICIENCY if run_efficiency is None else float(run_efficiency)
    if global_batch_tokens is None:
        global_batch_tokens = float(optimal_batch_tokens(float(compute_flop)))
    seqs = max(1, int(round(float(global_batch_tokens) / shape.seq_len)))
    out = None if scale_out_bandwidth_byte_per_s is None or math.isnan(
        float(scale_out_bandwidth_byte_per_s)) else float(scale_out_bandwidth_byte_per_s)
    key = (shape, _accelerator_key(acc), n, precision, seqs, out)
    cached = _CACHE.get(key)
    if cached is None:
        try:
            cached = plan_parallelism(shape, acc, n, global_batch_tokens=seqs * shape.seq_len,
                                      precision=precision, scale_out_bandwidth_byte_per_s=out)
        except InfeasibleRunError as error:
            cached = error
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[key] = cached
    if isinstance(cached, InfeasibleRunError):
        raise InfeasibleRunError(str(cached))
    result = cached
    step = 6.0 * shape.n_active_params * result.tokens_per_s / (
        n * acc.peak_flop_per_s(precision))
    layout = result.layout
    return RunUtilisation(
        mfu=eta * step, step_mfu=step, run_efficiency=eta, n_accelerators=n,
        n_accelerators_used=result.n_accelerators_used,
        replica_size=layout.tp * layout.pp * layout.cp * layout.ep, limit=result.limit,
        plan=result)


@dataclass(frozen=True, slots=True, kw_only=True)
class Utilisation:
    """The chain's utilisation inputs for one call of :func:`chain_utilisation`.

    Attributes
    ----------
    method : str
        ``"assumptions"`` (a constant ``Assumptions.mfu``), ``"cluster"`` (the cluster's
        ``mfu``), ``"generation_default"`` or ``"step_time"``.
    mfu : float or ndarray
        Whole-run MFU, broadcast like the inputs. [fraction]
    n_accelerators_used : float or ndarray
        Accelerators the plan uses (the count given for constant MFUs). [count]
    replica_size : float or ndarray
        Accelerators per data-parallel replica (NaN without a plan). [count]
    runs : tuple of RunUtilisation
        One per distinct run (empty for constant MFUs), in the order first met.
    index : ndarray or None
        For each element of the broadcast inputs, its position in ``runs`` (-1 where no plan
        fits, with ``on_infeasible="nan"``).
    infeasible : tuple of str
        Why no plan fits, one message per infeasible run (``on_infeasible="nan"``).
    """

    method: str
    mfu: object
    n_accelerators_used: object
    replica_size: object
    runs: tuple = ()
    index: object = None
    infeasible: tuple = ()

    @property
    def feasible(self):
        """True where a plan fits (always True for constant MFUs)."""
        if self.index is None:
            return True
        return np.asarray(self.index) >= 0


def _shape_for(n_params, compute_flop, model, seq_len=None):
    if model is not None:
        return as_model_shape(model)
    size = n_params
    if size is None or math.isnan(size):
        size = float(laws.compute_optimal(compute_flop).n_params)
        what = (f"the compute-optimal size of {compute_flop:.3g} FLOP under "
                f"{laws.DEFAULT_LAW} ({size:.3g} parameters)")
    else:
        what = f"n_params={size:.3g}"
    if size < MIN_DERIVED_PARAMS:
        raise ValueError(
            f"the step-time utilisation needs a model of at least {MIN_DERIVED_PARAMS:.0e} "
            f"parameters to derive its shape, got {what}; pass model=... (a ModelShape), "
            "Assumptions(mfu=...) or Assumptions(utilisation='generation_default')")
    return shape_from_params(size)


def chain_utilisation(compute_flop, *, accelerator, n_accelerators, assumptions, n_params=None,
                      model=None, cluster=None, on_infeasible="raise") -> Utilisation:
    """The chain's MFU (and plan) for its inputs: constant, generation default or step time.

    Parameters
    ----------
    compute_flop : float or ndarray
        Training compute [FLOP] (broadcast against ``n_params`` and ``n_accelerators``).
    accelerator : Accelerator
    n_accelerators : float or ndarray
        Accelerators [count]; non-integer requirements are searched at the nearest count.
    assumptions : Assumptions
        Its ``mfu``, ``utilisation``, ``precision`` and ``global_batch_tokens``.
    n_params : float or ndarray, optional
        Model size [parameters]; None: the compute-optimal size of each compute under
        :data:`scaling.laws.DEFAULT_LAW` (for the model shape only).
    model : ModelShape or str, optional
        The model (overrides the shape derived from ``n_params``; MoE models use their
        active parameters).
    cluster : Cluster, optional
        Its ``mfu`` (when set) and scale-out bandwidth.
    on_infeasible : {"raise", "nan"}
        Where no plan fits in memory: raise :class:`~scaling.errors.InfeasibleRunError`, or
        give NaN MFU there and record the reason (model-size sweeps).

    Returns
    -------
    Utilisation
        See the module notes for the order of precedence.
    """
    if on_infeasible not in ("raise", "nan"):
        raise ValueError(f"on_infeasible must be 'raise' or 'nan', got {on_infeasible!r}")
    a = assumptions
    n_arr = np.asarray(n_accelerators, dtype=float)
    if a.mfu is not None or (cluster is not None and cluster.mfu is not None):
        method = "assumptions" if a.mfu is not None else "cluster"
        value = float(a.mfu if a.mfu is not None else cluster.mfu)
        return Utilisation(method=method, mfu=value, n_accelerators_used=n_arr,
                           replica_size=math.nan)
    if a.utilisation == "generation_default":
        return Utilisation(method="generation_default", mfu=float(accelerator.default_mfu),
                           n_accelerators_used=n_arr, replica_size=math.nan)
    c_arr = np.asarray(compute_flop, dtype=float)
    p_arr = np.asarray(np.nan if n_params is None else n_params, dtype=float)
    shape = np.broadcast_shapes(c_arr.shape, p_arr.shape, n_arr.shape)
    c_b, p_b, n_b = (np.broadcast_to(x, shape).ravel() for x in (c_arr, p_arr, n_arr))
    out = None if cluster is None else cluster.scale_out_bandwidth_byte_per_s
    fixed_shape = None if model is None else as_model_shape(model)
    runs, where, index, failed = [], {}, np.empty(c_b.size, dtype=np.int64), {}
    for i, (c, p, n) in enumerate(zip(c_b, p_b, n_b)):
        count = max(1, int(round(n)))
        shape_i = fixed_shape if fixed_shape is not None else _shape_for(
            None if math.isnan(p) else p, c, None)
        batch = a.global_batch_tokens
        key = (shape_i, count, c if batch is None else batch)
        if key not in where:
            try:
                run = run_utilisation(
                    c, model=shape_i, accelerator=accelerator, n_accelerators=count,
                    precision=a.precision, scale_out_bandwidth_byte_per_s=out,
                    global_batch_tokens=batch)
            except InfeasibleRunError as error:
                if on_infeasible == "raise":
                    raise
                where[key] = -1
                failed[str(error)] = None
            else:
                where[key] = len(runs)
                runs.append(run)
        index[i] = where[key]

    def pick(attr):
        return np.array([getattr(runs[k], attr) if k >= 0 else math.nan for k in index],
                        dtype=float).reshape(shape)

    mfu, used, replica = pick("mfu"), pick("n_accelerators_used"), pick("replica_size")
    if mfu.ndim == 0:
        mfu, used, replica = float(mfu), float(used), float(replica)
    return Utilisation(method="step_time", mfu=mfu, n_accelerators_used=used,
                       replica_size=replica, runs=tuple(runs), index=index.reshape(shape),
                       infeasible=tuple(failed))


# --------------------------------------------------------------------------------------------
# what limits utilisation: tables for notebook 09
# --------------------------------------------------------------------------------------------


