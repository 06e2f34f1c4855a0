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
   (:func:`scaling.parallelism.optimal_batch_tokens`; ``Assumptions(global_batch_tokens=...)``
   overrides it) and the precision, :func:`scaling.parallelism.plan_parallelism` finds the
   fastest plan that fits in memory (:class:`~scaling.errors.InfeasibleRunError` naming the
   minimum accelerator count when none does). The chain's MFU is that plan's token throughput
   expressed in the chain's convention (:math:`C = 6ND`, against the dense peak of the run's
   precision, every accelerator given counted, idle ones included) times the calibrated
   whole-run efficiency :data:`RUN_EFFICIENCY`:

   .. math:: \\mathrm{MFU} = \\eta_{run}\\,\\frac{6 N_{active}\\,\\dot D}{n\\,P_{peak}}

   Searches are cached on their exact inputs (:func:`run_utilisation`).

Two calibrated constants
------------------------
* :data:`scaling.parallelism.MATMUL_EFFICIENCY`, the achievable matmul efficiency of one
  training step, fitted by :func:`calibrate` on Narayanan et al.'s (2021) per-GPU throughputs
  (per-step figures);
* :data:`RUN_EFFICIENCY`, the fraction of that per-step throughput whole published runs
  realise once the chain's failure goodput is paid (evaluation, data stalls, restarts the
  failure model does not count, ramp-ups, software less tuned than Megatron-LM's benchmark),
  fitted by :func:`calibrate_run_efficiency` on the developer-reported runs of
  ``data/training_runs.csv``. Its leave-one-out errors are
  :func:`scaling.backtest` with ``method="leave_one_out"``.

:func:`leave_one_out` reports the per-step calibration out of sample beside two baselines: the
package's constant MFU per accelerator generation (``data/mfu_defaults.csv``) and a constant
MFU of 0.4.

The runs table
--------------
:func:`parallel_benchmarks` loads ``data/parallel_benchmarks.csv``; any table with these
columns works (e.g. a widened ``data/training_runs.csv``):

* required: ``name``, ``accelerator``, ``n_accelerators``, and either ``model`` (a name in
  ``data/model_configs.csv``) or ``n_params`` (a dense shape is derived);
* the figure to reproduce: ``metric`` in {``"mfu"``, ``"megatron_tflop_per_s"``,
  ``"accelerator_hours"``} with ``reported_value``; without a ``metric`` column,
  ``accelerator_hours`` (with ``n_tokens``) or else ``mfu_reported`` is used;
* optional (blank = searched or default): ``global_batch_tokens``, ``seq_len``, ``precision``,
  ``tp``, ``pp``, ``dp``, ``cp``, ``ep``, ``micro_batch``, ``virtual_stages``, ``zero_stage``,
  ``recompute``, ``recompute_fraction``, ``flash_attention``, ``dropout``,
  ``sequence_parallel``, ``schedule``, ``grad_reduce_bytes``, ``scale_up_domain_size``,
  ``scale_out_bandwidth_byte_per_s``, ``attention_convention``, ``n_tokens``,
  ``calibration_set`` (``"fit"`` rows are the calibration set).

Metrics are compared as MFU (model FLOP per step over accelerators x dense bf16 peak x step
time, attention counted per the row's convention); a fold error in MFU is the same fold error
in accelerator-hours for a fixed amount of training compute.

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
from scaling._validation import unknown_name
from scaling.clusters import as_cluster
from scaling.data import load_table
from scaling.errors import InfeasibleRunError
from scaling.hardware import as_accelerator
from scaling.model_shape import (  # MIN_DERIVED_PARAMS: the smallest derived shape (re-exported)
    MIN_DERIVED_PARAMS, ModelShape, as_model_shape, shape_from_params,
)
from scaling.parallelism import ParallelismResult, optimal_batch_tokens, plan_parallelism
from scaling.results import fold_error
from scaling.uncertainty import STEP_TIME_MFU_LOG_SD
from scaling.units import SECONDS_PER_HOUR

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
#: report (``time_basis`` in :data:`scaling.backtesting.DEVELOPER_TIME_BASES`);
#: ``test_run_efficiency_refits_from_the_developer_reported_runs`` recomputes it. Its
#: leave-one-out errors are ``scaling.backtest(method="leave_one_out")``.
RUN_EFFICIENCY = 0.610

#: Standard deviation of ln(predicted / reported accelerator-hours) of the step-time model out
#: of sample (leave-one-out on the same runs); defined with the Monte Carlo spreads as
#: :data:`scaling.uncertainty.STEP_TIME_MFU_LOG_SD`, which sets
#: ``DEFAULT_UNCERTAINTY["mfu"]`` (log-normal around the prediction).
MFU_LOG_SD = STEP_TIME_MFU_LOG_SD

#: Figures a run can be checked against.
METRICS = ("mfu", "megatron_tflop_per_s", "accelerator_hours")

#: The naive baseline of issue 9: every run at MFU 0.4.
CONSTANT_MFU_BASELINE = 0.4

#: Matmul efficiencies tried by :func:`calibrate` (the minimum is refined by a parabola
#: through the best grid point and its neighbours).
CALIBRATION_GRID = np.round(np.arange(0.30, 1.0001, 0.01), 4)

_PLAN_COLUMNS = ("tp", "pp", "dp", "cp", "ep", "micro_batch", "virtual_stages", "zero_stage")
_FLOAT_OPTIONS = ("global_batch_tokens", "grad_reduce_bytes", "scale_out_bandwidth_byte_per_s",
                  "recompute_fraction")
_BOOL_OPTIONS = ("flash_attention", "dropout", "sequence_parallel")


def parallel_benchmarks():
    """Published throughput, MFU and accelerator-hour figures with their parallel layouts.

    Returns
    -------
    pandas.DataFrame
        ``data/parallel_benchmarks.csv`` (columns documented in the module notes).
    """
    return load_table("parallel_benchmarks")


def megatron_flop_per_token(shape) -> float:
    """FLOP per token by Narayanan et al.'s (2021) Eq. 3 (full recomputation counted) [FLOP].

    Notes
    -----
    .. math:: F = 96\\, l h^2 \\left(1 + \\frac{s}{6h} + \\frac{V}{16 l h}\\right)

    per token for a GPT with ``l`` layers, width ``h``, context ``s`` and vocabulary ``V``.
    """
    s = as_model_shape(shape)
    l, h, v, seq = s.n_layers, s.d_model, s.vocab_size, s.seq_len
    return 96.0 * l * h * h * (1.0 + seq / (6.0 * h) + v / (16.0 * l * h))


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _row_setup(row):
    """Shape and plan_parallelism keyword arguments of one run (a pandas row)."""
    get = row.get
    if "model" in row.index and not _blank(get("model")):
        shape = as_model_shape(get("model"))
    elif "n_params" in row.index and not _blank(get("n_params")):
        shape = shape_from_params(float(get("n_params")))
    else:
        raise ValueError(f"run {get('name')!r}: needs a 'model' or an 'n_params' value")
    if "seq_len" in row.index and not _blank(get("seq_len")):
        shape = as_model_shape(shape, seq_len=int(float(get("seq_len"))))
    precision = get("precision")
    precision = "fp8" if isinstance(precision, str) and precision.strip().lower() == "fp8" \
        else "bf16"
    kwargs = {"accelerator": get("accelerator"), "n_accelerators": int(get("n_accelerators")),
              "precision": precision}
    for column in _PLAN_COLUMNS:
        if column in row.index and not _blank(get(column)):
            kwargs[column] = int(float(get(column)))
    for column in _FLOAT_OPTIONS:
        if column in row.index and not _blank(get(column)):
            kwargs[column] = float(get(column))
    for column in _BOOL_OPTIONS:
        if column in row.index and not _blank(get(column)):
            kwargs[column] = _truthy(get(column))
    for column in ("recompute", "schedule", "attention_convention"):
        if column in row.index and not _blank(get(column)):
            kwargs[column] = str(get(column))
    if "scale_up_domain_size" in row.index and not _blank(get("scale_up_domain_size")):
        kwargs["scale_up_domain_size"] = int(float(get("scale_up_domain_size")))
    if "global_batch_tokens" not in kwargs and "compute_flop" in row.index \
            and not _blank(get("compute_flop")):
        kwargs["compute_flop"] = float(get("compute_flop"))
    return shape, kwargs


def _reported(row, shape, convention: str):
    """(metric, reported value, reported MFU) of a run."""
    get = row.get
    acc = as_accelerator(get("accelerator"))
    peak = acc.peak_flop_per_s("bf16")
    metric = get("metric") if "metric" in row.index and not _blank(get("metric")) else None
    if metric is None:
        if "accelerator_hours" in row.index and not _blank(get("accelerator_hours")):
            metric, value = "accelerator_hours", float(get("accelerator_hours"))
        elif "mfu_reported" in row.index and not _blank(get("mfu_reported")):
            metric, value = "mfu", float(get("mfu_reported"))
        else:
            raise ValueError(f"run {get('name')!r}: no metric, accelerator_hours or mfu_reported")
    else:
        value = float(get("reported_value"))
    if metric not in METRICS:
        raise unknown_name(f"metric (run {get('name')!r})", metric, METRICS)
    model_per_token = float(shape.flop_per_token(attention=convention))
    if metric == "mfu":
        mfu = value
    elif metric == "megatron_tflop_per_s":
        mfu = value * model_per_token / megatron_flop_per_token(shape) / peak
    else:
        tokens = _tokens(row)
        mfu = tokens * model_per_token / (value * SECONDS_PER_HOUR * peak)
    return metric, value, mfu


def _tokens(row) -> float:
    if "n_tokens" in row.index and not _blank(row.get("n_tokens")):
        return float(row.get("n_tokens"))
    raise ValueError(f"run {row.get('name')!r}: accelerator_hours needs n_tokens")


def _predict_row(row, matmul_efficiency):
    shape, kwargs = _row_setup(row)
    result = plan_parallelism(shape, matmul_efficiency=matmul_efficiency, **kwargs)
    return shape, kwargs, result


def _fixed_plan_kwargs(result) -> dict:
    plan = result.plan
    out = {k: getattr(plan, k) for k in ("tp", "pp", "dp", "cp", "ep", "micro_batch",
                                          "virtual_stages", "zero_stage", "recompute")}
    if plan.recompute == "full":
        out["recompute_fraction"] = plan.recompute_fraction
    return out


def _mfu_on_grid(row, grid, base_efficiency):
    """Predicted MFU of one run at each matmul efficiency of ``grid``, plan held fixed.

    The plan is the one searched at ``base_efficiency``; holding it keeps the fit smooth.
    """
    shape, kwargs, result = _predict_row(row, base_efficiency)
    kwargs = {**kwargs, **_fixed_plan_kwargs(result)}
    return np.array([plan_parallelism(shape, matmul_efficiency=float(eta), **kwargs).mfu
                     for eta in grid])


def _fit_from_grid(grid, log_pred, log_rep):
    """Efficiency minimising the squared log error, from predictions on a grid."""
    sse = ((log_pred - log_rep[:, None]) ** 2).sum(axis=0)
    i = int(np.argmin(sse))
    if 0 < i < len(grid) - 1:
        y0, y1, y2 = sse[i - 1], sse[i], sse[i + 1]
        denom = y0 - 2.0 * y1 + y2
        step = grid[1] - grid[0]
        shift = 0.5 * (y0 - y2) / denom if denom > 0 else 0.0
        return float(grid[i] + shift * step), float(np.sqrt(sse[i] / len(log_rep)))
    return float(grid[i]), float(np.sqrt(sse[i] / len(log_rep)))


def _fit_rows(runs):
    if "calibration_set" not in runs.columns:
        return runs.index
    return runs.index[runs["calibration_set"].astype(str).str.strip() == "fit"]


def calibrate(runs=None, *, grid=None) -> dict:
    """Fit the achievable matmul efficiency to published runs.

    Parameters
    ----------
    runs : pandas.DataFrame, optional
        Runs table (module notes); default :func:`parallel_benchmarks`. Rows whose
        ``calibration_set`` is ``"fit"`` are used (all rows if the column is absent).
    grid : array_like, optional
        Efficiencies tried; default :data:`CALIBRATION_GRID`.

    Returns
    -------
    dict
        ``matmul_efficiency`` (the fit), ``log_rmse`` (root-mean-square of ln(predicted /
        reported MFU) on the fit rows), ``n_runs`` and ``runs`` (their names).

    Notes
    -----
    Least squares in log space, :math:`\\min_\\eta \\sum_i \\ln^2(\\hat u_i(\\eta) / u_i)`, with each
    run's parallel plan searched once at the current constant and then held fixed.
    """
    table = parallel_benchmarks() if runs is None else runs
    grid = CALIBRATION_GRID if grid is None else np.asarray(grid, dtype=float)
    fit_index = _fit_rows(table)
    if len(fit_index) == 0:
        raise ValueError("calibrate needs at least one run with calibration_set == 'fit'")
    log_pred, log_rep = [], []
    for idx in fit_index:
        row = table.loc[idx]
        shape, kwargs = _row_setup(row)
        _, _, mfu = _reported(row, shape, kwargs.get("attention_convention", "causal"))
        log_rep.append(math.log(mfu))
        log_pred.append(np.log(_mfu_on_grid(row, grid, None)))
    eta, rmse = _fit_from_grid(grid, np.array(log_pred), np.array(log_rep))
    return {"matmul_efficiency": eta, "log_rmse": rmse, "n_runs": len(fit_index),
            "runs": [str(table.loc[i, "name"]) for i in fit_index]}


def calibrate_run_efficiency(predicted_hours_at_unit_efficiency, reported_hours) -> dict:
    """Fit the whole-run efficiency to published runs' accelerator-hours.

    Parameters
    ----------
    predicted_hours_at_unit_efficiency : array_like
        The chain's accelerator-hours of each run with the step-time utilisation at a
        whole-run efficiency of 1 (goodput included) [accelerator-hours].
    reported_hours : array_like
        The developers' accelerator-hours of the same runs [accelerator-hours].

    Returns
    -------
    dict
        ``run_efficiency`` (the fit), ``log_rmse`` (root-mean-square of ln(predicted /
        reported) in sample at the fit) and ``n_runs``.

    Notes
    -----
    Hours are inversely proportional to the efficiency, so least squares in log space,
    :math:`\\min_\\eta \\sum_i \\ln^2(h_i / (\\eta\\, r_i))`, is solved by the geometric mean

    .. math:: \\eta = \\exp\\Big(\\frac{1}{n}\\sum_i \\ln\\frac{h_i}{r_i}\\Big)

    :func:`scaling.backtest` with ``method="leave_one_out"`` fits it once per left-out run.
    """
    h = np.asarray(predicted_hours_at_unit_efficiency, dtype=float)
    r = np.asarray(reported_hours, dtype=float)
    if h.shape != r.shape or h.size == 0:
        raise ValueError("predicted and reported hours must be non-empty arrays of one shape")
    if not (np.isfinite(h).all() and np.isfinite(r).all() and (h > 0).all() and (r > 0).all()):
        raise ValueError("hours must be positive and finite")
    logs = np.log(h / r)
    eta = float(np.exp(logs.mean()))
    return {"run_efficiency": eta,
            "log_rmse": float(np.sqrt(np.mean((logs - logs.mean()) ** 2))),
            "n_runs": int(h.size)}


def predict_runs(runs=None, *, matmul_efficiency=None):
    """Predicted against reported figures for every run.

    Parameters
    ----------
    runs : pandas.DataFrame, optional
        Runs table (module notes); default :func:`parallel_benchmarks`.
    matmul_efficiency : float, optional
        Override the calibrated constant.

    Returns
    -------
    pandas.DataFrame
        Per run: ``name``, ``metric``, ``reported_value``, ``predicted_value``,
        ``reported_mfu``, ``predicted_mfu``, ``ratio`` (predicted / reported value),
        ``fold_error`` (max of ratio and its inverse), the plan (``tp``, ``pp``, ``dp``,
        ``cp``, ``ep``, ``micro_batch``, ``virtual_stages``, ``zero_stage``, ``recompute``),
        ``n_accelerators_used`` and ``limit``.
    """
    import pandas as pd

    table = parallel_benchmarks() if runs is None else runs
    records = []
    for idx in table.index:
        row = table.loc[idx]
        shape, kwargs, result = _predict_row(row, matmul_efficiency)
        metric, value, mfu = _reported(row, shape, result.attention_convention)
        predicted = _value_from_mfu(row, shape, metric, result.mfu)
        plan = result.plan
        records.append({
            "name": row.get("name"), "metric": metric, "reported_value": value,
            "predicted_value": predicted, "reported_mfu": mfu, "predicted_mfu": result.mfu,
            "ratio": predicted / value, "fold_error": fold_error(result.mfu / mfu),
            "tp": plan.tp, "pp": plan.pp, "dp": plan.dp, "cp": plan.cp, "ep": plan.ep,
            "micro_batch": plan.micro_batch, "virtual_stages": plan.virtual_stages,
            "zero_stage": plan.zero_stage, "recompute": plan.recompute,
            "n_accelerators_used": result.n_accelerators_used, "limit": result.limit,
        })
    return pd.DataFrame(records)


def _value_from_mfu(row, shape, metric, mfu):
    acc = as_accelerator(row.get("accelerator"))
    peak = acc.peak_flop_per_s("bf16")
    convention = row.get("attention_convention") if "attention_convention" in row.index \
        and not _blank(row.get("attention_convention")) else "causal"
    model_per_token = float(shape.flop_per_token(attention=convention))
    if metric == "mfu":
        return mfu
    if metric == "megatron_tflop_per_s":
        return mfu * peak * megatron_flop_per_token(shape) / model_per_token
    return _tokens(row) * model_per_token / (mfu * peak * SECONDS_PER_HOUR)


def leave_one_out(runs=None, *, grid=None):
    """Out-of-sample predictions for every run, beside two constant-MFU baselines.

    Each calibration run is predicted by a fit on the other calibration runs; every other run
    is predicted by the fit on all calibration runs (it never saw them either).

    Parameters
    ----------
    runs : pandas.DataFrame, optional
        Runs table (module notes); default :func:`parallel_benchmarks`.
    grid : array_like, optional
        Efficiencies tried; default :data:`CALIBRATION_GRID`.

    Returns
    -------
    pandas.DataFrame
        Per run: ``name``, ``in_calibration_set``, ``matmul_efficiency`` (of the fit used),
        ``reported_mfu``, ``predicted_mfu``, ``fold_error``, ``generation_default_mfu`` and
        ``generation_default_fold_error`` (the package's constant MFU per generation),
        ``constant_mfu`` and ``constant_fold_error`` (MFU 0.4). Fold errors in MFU equal fold
        errors in accelerator-hours at fixed training compute.
    """
    import pandas as pd

    table = parallel_benchmarks() if runs is None else runs
    grid = CALIBRATION_GRID if grid is None else np.asarray(grid, dtype=float)
    fit_index = list(_fit_rows(table))
    # predictions on the grid for every run (plans searched once at the current constant)
    log_pred, log_rep, meta = {}, {}, {}
    for idx in table.index:
        row = table.loc[idx]
        shape, kwargs = _row_setup(row)
        _, _, mfu = _reported(row, shape, kwargs.get("attention_convention", "causal"))
        log_rep[idx] = math.log(mfu)
        log_pred[idx] = np.log(_mfu_on_grid(row, grid, None))
        meta[idx] = (row, mfu)
    records = []
    for idx in table.index:
        train = [i for i in fit_index if i != idx]
        if not train:
            raise ValueError("leave_one_out needs at least two calibration runs")
        eta, _ = _fit_from_grid(grid, np.array([log_pred[i] for i in train]),
                                np.array([log_rep[i] for i in train]))
        predicted = float(np.exp(np.interp(eta, grid, log_pred[idx])))
        row, mfu = meta[idx]
        default = as_accelerator(row.get("accelerator")).default_mfu
        records.append({
            "name": row.get("name"), "in_calibration_set": idx in fit_index,
            "matmul_efficiency": eta, "reported_mfu": mfu, "predicted_mfu": predicted,
            "fold_error": fold_error(predicted / mfu),
            "generation_default_mfu": default,
            "generation_default_fold_error": fold_error(default / mfu),
            "constant_mfu": CONSTANT_MFU_BASELINE,
            "constant_fold_error": fold_error(CONSTANT_MFU_BASELINE / mfu),
        })
    return pd.DataFrame(records)


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
        What limits the run, in words (:attr:`ParallelismResult.limit`).
    plan : ParallelismResult
        The plan, its memory and step-time breakdown (per-step MFU in the PaLM convention).
    """

    mfu: float
    step_mfu: float
    run_efficiency: float
    n_accelerators: int
    n_accelerators_used: int
    replica_size: int
    limit: str
    plan: ParallelismResult


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
        Tokens per optimizer step; default :func:`scaling.parallelism.optimal_batch_tokens`
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
    plan = result.plan
    return RunUtilisation(
        mfu=eta * step, step_mfu=step, run_efficiency=eta, n_accelerators=n,
        n_accelerators_used=result.n_accelerators_used,
        replica_size=plan.tp * plan.pp * plan.cp * plan.ep, limit=result.limit, plan=result)


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

#: Step-time components in display order, with the words the tables use.
BREAKDOWN_COMPONENTS = {
    "compute_s": "compute", "memory_bound_s": "memory-bound", "tensor_parallel_s":
    "tensor-parallel", "pipeline_send_s": "pipeline sends", "data_parallel_s": "data-parallel",
    "bubble_s": "bubble", "expert_all_to_all_s": "all-to-all", "latency_s": "latency",
}


def _compute_for(shape, compute_flop, law):
    if compute_flop is not None:
        return float(compute_flop)
    n = float(shape.n_active_params)
    return float(laws.training_flop(n, laws.optimal_tokens_for_params(n, law)))


def _breakdown_row(result, compute_flop, precision):
    row = {"model": result.model.name or f"{result.model.n_params:.3g}",
           "n_params": float(result.model.n_params), "compute_flop": compute_flop,
           "accelerator": result.accelerator.name, "n_accelerators": result.n_accelerators,
           "n_accelerators_used": result.n_accelerators_used,
           "plan": (f"tp{result.plan.tp} pp{result.plan.pp} dp{result.plan.dp}"
                    + (f" cp{result.plan.cp}" if result.plan.cp > 1 else "")
                    + (f" ep{result.plan.ep}" if result.plan.ep > 1 else "")),
           "global_batch_tokens": result.global_batch_tokens,
           "step_time_s": result.step_time_s, "step_mfu": result.mfu,
           "mfu": RUN_EFFICIENCY * 6.0 * result.model.n_active_params * result.tokens_per_s
           / (result.n_accelerators * result.accelerator.peak_flop_per_s(precision)),
           "training_time_s": compute_flop / (6.0 * result.model.n_active_params
                                              * result.tokens_per_s) / RUN_EFFICIENCY,
           "limit": result.limit}
    for key, label in BREAKDOWN_COMPONENTS.items():
        row[f"{label} share"] = result.breakdown_s[key] / result.step_time_s
    return row


def breakdown_table(models, clusters, *, compute_flop=None, law=laws.DEFAULT_LAW,
                    precision="bf16"):
    """Step-time breakdown of models on named systems (one plan search per pair).

    Parameters
    ----------
    models : sequence of ModelShape, str or float
        Models (shapes, published names or parameter counts).
    clusters : sequence of str or Cluster
        Systems (accelerator, count and scale-out bandwidth).
    compute_flop : float, optional
        Training compute of every run [FLOP] (sets the batch); default each model's
        compute-optimal compute under ``law``.
    law : str or Mapping
        Law of the compute-optimal compute.
    precision : {"bf16", "fp8"}

    Returns
    -------
    pandas.DataFrame
        One row per (model, system): ``model``, ``system``, ``n_params``, ``compute_flop``,
        ``accelerator``, ``n_accelerators``, ``n_accelerators_used``, ``plan``,
        ``global_batch_tokens``, ``step_time_s``, ``step_mfu`` (per step, dense bf16 peak),
        ``mfu`` (the chain's whole-run MFU), ``training_time_s`` (failure-free, at that MFU),
        ``limit`` (in words) and the share of the step of each component of
        :data:`BREAKDOWN_COMPONENTS` (``"compute share"``, ``"bubble share"``, ...); a
        model that does not fit a system has NaN figures and the reason in ``limit``.
    """
    import pandas as pd

    rows = []
    for system in clusters:
        clu = as_cluster(system)
        for model in models:
            shape = as_model_shape(model)
            c = _compute_for(shape, compute_flop, law)
            try:
                run = run_utilisation(c, model=shape, accelerator=clu.accelerator,
                                      n_accelerators=clu.n_accelerators, precision=precision,
                                      scale_out_bandwidth_byte_per_s=clu.
                                      scale_out_bandwidth_byte_per_s)
            except InfeasibleRunError as error:
                rows.append({"model": shape.name, "system": clu.name,
                             "n_params": float(shape.n_params), "compute_flop": c,
                             "accelerator": clu.accelerator.name,
                             "n_accelerators": clu.n_accelerators, "limit": str(error)})
                continue
            rows.append({"system": clu.name, **_breakdown_row(run.plan, c, precision)})
    frame = pd.DataFrame(rows)
    front = ["model", "system"]
    return frame[front + [c for c in frame.columns if c not in front]]


def scaling_curve(model, accelerator, counts, *, compute_flop=None, law=laws.DEFAULT_LAW,
                  precision="bf16", scale_out_bandwidth_byte_per_s=None,
                  scale_up_domain_size=None, scale_up_bandwidth_byte_per_s=None):
    """One run's step-time model as the accelerator count grows.

    Parameters
    ----------
    model : ModelShape or str or float
    accelerator : Accelerator or str
    counts : sequence of int
        Accelerator counts to plan for.
    compute_flop : float, optional
        Training compute [FLOP]; default the model's compute-optimal compute under ``law``
        (it sets the global batch, DeepSeek LLM's law).
    law, precision :
        As in :func:`breakdown_table`.
    scale_out_bandwidth_byte_per_s, scale_up_domain_size, scale_up_bandwidth_byte_per_s :
        Override the catalog's interconnect (:func:`scaling.parallelism.plan_parallelism`).

    Returns
    -------
    pandas.DataFrame
        One row per count, the columns of :func:`breakdown_table` (without ``system``);
        ``training_time_s`` is the failure-free time of the run at the chain's whole-run
        MFU. Counts where nothing fits have NaN figures.
    """
    import pandas as pd

    acc = as_accelerator(accelerator)
    shape = as_model_shape(model)
    c = _compute_for(shape, compute_flop, law)
    rows = []
    for count in counts:
        try:
            result = plan_parallelism(
                shape, acc, int(count), global_batch_tokens=float(optimal_batch_tokens(c)),
                precision=precision, scale_out_bandwidth_byte_per_s=scale_out_bandwidth_byte_per_s,
                scale_up_domain_size=scale_up_domain_size,
                scale_up_bandwidth_byte_per_s=scale_up_bandwidth_byte_per_s)
        except InfeasibleRunError as error:
            rows.append({"model": shape.name, "n_accelerators": int(count),
                         "limit": str(error)})
            continue
        rows.append(_breakdown_row(result, c, precision))
    return pd.DataFrame(rows)


#: A count is "efficient" while the run's MFU there is at least this fraction of its best MFU
#: over all counts tried (presentation choice: half, the point where each accelerator does
#: half the useful work it could).
EFFICIENT_FRACTION = 0.5


def largest_useful_accelerators(models, accelerator, *, max_accelerators=2**26,
                                law=laws.DEFAULT_LAW, precision="bf16"):
    """How many accelerators one run can use, per model: the batch-size and latency walls.

    Parameters
    ----------
    models : sequence of ModelShape, str or float
        Models; each trains on its compute-optimal compute under ``law``.
    accelerator : Accelerator or str
    max_accelerators : int
        Largest count tried (powers of two from 8 up to it).
    law, precision :
        As in :func:`breakdown_table`.

    Returns
    -------
    pandas.DataFrame
        One row per model: ``model``, ``n_params``, ``compute_flop``,
        ``global_batch_tokens``, ``batch_sequences``; ``efficient_accelerators`` (the
        largest count at which the whole-run MFU is at least :data:`EFFICIENT_FRACTION` of
        its best) with ``efficient_training_time_s``; ``fastest_accelerators`` (the count
        with the shortest training time; more do not help), ``fastest_training_time_s``,
        ``n_accelerators_used`` and ``mfu`` there, and ``limit`` there (in words).

    Notes
    -----
    Past the batch-size wall the plan cannot add data-parallel replicas (the global batch is
    DeepSeek LLM's law for the compute) and extra accelerators idle; before it, pipeline
    bubbles, communication and fixed latencies (Erdil & Schneider-Joseph 2024,
    arXiv:2411.01137) make each doubling buy less. Times are failure-free.
    """
    import pandas as pd

    rows = []
    counts = [2**k for k in range(3, int(math.log2(max_accelerators)) + 1)]
    for model in models:
        curve = scaling_curve(model, accelerator, counts, law=law, precision=precision)
        curve = curve.dropna(subset=["training_time_s"]).reset_index(drop=True)
        if curve.empty:
            continue
        efficient = curve[curve["mfu"] >= EFFICIENT_FRACTION * curve["mfu"].max()].iloc[-1]
        fastest = curve.loc[curve["training_time_s"].idxmin()]
        rows.append({
            "model": fastest["model"], "n_params": fastest["n_params"],
            "compute_flop": fastest["compute_flop"],
            "global_batch_tokens": fastest["global_batch_tokens"],
            "batch_sequences": fastest["global_batch_tokens"] / as_model_shape(model).seq_len,
            "efficient_accelerators": int(efficient["n_accelerators"]),
            "efficient_training_time_s": efficient["training_time_s"],
            "fastest_accelerators": int(fastest["n_accelerators"]),
            "fastest_training_time_s": fastest["training_time_s"],
            "n_accelerators_used": int(fastest["n_accelerators_used"]),
            "mfu": fastest["mfu"], "limit": fastest["limit"],
        })
    return pd.DataFrame(rows)


def interconnect_table(model, cluster, *, scale_out_factors=(0.1, 0.25, 0.5, 1.0, 2.0, 4.0),
                       scale_up_domains=None, compute_flop=None, law=laws.DEFAULT_LAW,
                       precision="bf16"):
    """What faster (or slower) interconnect buys one run on one system.

    Parameters
    ----------
    model : ModelShape or str or float
    cluster : str or Cluster
        The system (accelerator, count, scale-out bandwidth per accelerator).
    scale_out_factors : sequence of float
        Multipliers of the system's scale-out bandwidth (1 = as built).
    scale_up_domains : sequence of int, optional
        Scale-up domain sizes to try at the built scale-out bandwidth (e.g. 8 for an HGX
        board, 72 for an NVL72 rack), with the accelerator's scale-up bandwidth; default
        none.
    compute_flop, law, precision :
        As in :func:`breakdown_table`.

    Returns
    -------
    pandas.DataFrame
        One row per variant: ``variant``, ``scale_out_bandwidth_byte_per_s``,
        ``scale_up_domain_size``, then the columns of :func:`breakdown_table` and
        ``speedup`` (training time as built / this variant's).
    """
    import pandas as pd

    clu = as_cluster(cluster)
    acc = clu.accelerator
    built = clu.scale_out_bandwidth_byte_per_s
    if built is None or math.isnan(built):
        built = acc.scale_out_bandwidth_byte_per_s
    variants = [(f"scale-out x{f:g}", built * f, acc.scale_up_domain_size)
                for f in scale_out_factors]
    variants += [(f"scale-up domain {d}", built, int(d)) for d in (scale_up_domains or ())]
    rows = []
    for label, out, domain in variants:
        curve = scaling_curve(model, acc, [clu.n_accelerators], compute_flop=compute_flop,
                              law=law, precision=precision, scale_out_bandwidth_byte_per_s=out,
                              scale_up_domain_size=domain)
        rows.append({"variant": label, "scale_out_bandwidth_byte_per_s": out,
                     "scale_up_domain_size": domain, **curve.iloc[0].to_dict()})
    frame = pd.DataFrame(rows)
    reference = frame.loc[frame["variant"] == "scale-out x1", "training_time_s"]
    base = float(reference.iloc[0]) if len(reference) else float(frame["training_time_s"].iloc[0])
    frame["speedup"] = base / frame["training_time_s"]
    return frame
