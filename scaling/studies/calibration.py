"""Calibration of the step-time model on published runs, and its out-of-sample errors.

Two calibrated constants
------------------------
* :data:`scaling.parallelism.MATMUL_EFFICIENCY`, the achievable matmul efficiency of one
  training step, fitted by :func:`calibrate` on Narayanan et al.'s (2021) per-GPU throughputs
  (per-step figures);
* the whole-run efficiency, the fraction of that per-step throughput whole published runs
  realise once the chain's failure goodput is paid, fitted as a distribution with presets by
  :func:`scaling.studies.efficiency.fit_run_efficiency` (:mod:`scaling.efficiency`); its
  leave-one-out errors are :func:`scaling.backtest` with ``method="leave_one_out"``.

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
  ``scale_out_bandwidth_byte_per_s``, ``attention_convention``, ``optimizer``,
  ``attention_kernel`` (:data:`scaling.kernels.ATTENTION_KERNELS`), ``n_tokens``,
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

import numpy as np

from scaling._validation import unknown_name
from scaling.data import load_table
from scaling.hardware import as_accelerator
from scaling.model_shape import as_model_shape, shape_from_params
from scaling.plan_search import GIVEN_LAYOUT_FIELDS, plan_parallelism
from scaling.results import fold_error
from scaling.units import SECONDS_PER_HOUR

__all__ = [
    "CALIBRATION_GRID", "CONSTANT_MFU_BASELINE", "METRICS", "calibrate", "layout_gap",
    "layout_gap_held_out",
    "leave_one_out", "megatron_flop_per_token",
    "parallel_benchmarks", "per_step_check", "per_step_summary", "predict_runs",
    "LAYOUT_GAP_TABLES", "LONG_CONTEXT_TOKENS", "PER_STEP_TABLES", "PER_STEP_TARGET_BIAS",
    "PER_STEP_TARGET_MEDIAN_FACTOR",
]


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
    for column in ("recompute", "schedule", "attention_convention", "optimizer",
                   "attention_kernel"):
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
    layout = result.layout
    out = {k: getattr(layout, k) for k in ("tp", "pp", "dp", "cp", "ep", "micro_batch",
                                          "virtual_stages", "zero_stage", "recompute")}
    if layout.recompute == "full":
        out["recompute_fraction"] = layout.recompute_fraction
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
        layout = result.layout
        records.append({
            "name": row.get("name"), "metric": metric, "reported_value": value,
            "predicted_value": predicted, "reported_mfu": mfu, "predicted_mfu": result.mfu,
            "ratio": predicted / value, "fold_error": fold_error(result.mfu / mfu),
            "tp": layout.tp, "pp": layout.pp, "dp": layout.dp, "cp": layout.cp,
            "ep": layout.ep,
            "micro_batch": layout.micro_batch, "virtual_stages": layout.virtual_stages,
            "zero_stage": layout.zero_stage, "recompute": layout.recompute,
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
# per-step measurements by class, with the published layout and with the package's own search
# --------------------------------------------------------------------------------------------

#: Per-step tables checked by :func:`per_step_check`: the 3D-parallel runs and papers of
#: ``data/parallel_benchmarks.csv``, MosaicML's MPT benchmarks with PyTorch FSDP
#: (``data/llm_foundry_benchmarks.csv``, 216 rows: 125M-70B, 0.5k-65k tokens, A100 and H100,
#: bf16 and fp8) and MaxText's TPU v5e benchmarks on 1-32 slices of 256 chips
#: (``data/maxtext_benchmarks.csv``, 24 rows: 16B-128B).
PER_STEP_TABLES = ("parallel_benchmarks", "llm_foundry_benchmarks", "maxtext_benchmarks")

#: Tables the layout gap is fitted on: those where nearly every published layout fits the
#: model's memory. MaxText's TPU v5e rows (``data/maxtext_benchmarks.csv``, 16 GB chips, 1-32
#: slices) are a known miss class (most do not fit; no cost from more slices), listed, not fitted.
LAYOUT_GAP_TABLES = ("parallel_benchmarks", "llm_foundry_benchmarks")

#: Layout columns dropped for the package's own plan search.
_LAYOUT_COLUMNS = _PLAN_COLUMNS + ("recompute", "recompute_fraction")

#: Targets of issue 15 for the per-step rows out of sample: median fold error within 1.12x,
#: and the own plan search's geometric-mean bias within 5%.
PER_STEP_TARGET_MEDIAN_FACTOR = 1.12
PER_STEP_TARGET_BIAS = 0.05

#: Sequences from this length on are the "long context" class [tokens].
LONG_CONTEXT_TOKENS = 32768


def _per_step_class(row) -> str:
    """Which known miss a per-step row belongs to, in words: whole TPU slices joined over the
    data-center network (a row giving the slice as its scale-up domain), fp8, long context,
    sharded data parallelism alone (PyTorch FSDP / ZeRO-2 or -3, no tensor or pipeline
    parallelism) on Hopper or Ampere, or 3D parallelism."""
    def number(column, default=math.nan):
        value = row.get(column)
        return default if _blank(value) else float(value)

    if str(row.get("accelerator")).startswith("TPU") and number("scale_up_domain_size") > 0 \
            and number("n_accelerators") >= number("scale_up_domain_size"):
        return "TPU slices (ICI + DCN)"
    if str(row.get("precision")).strip().lower() == "fp8":
        return "fp8"
    if number("seq_len", 0.0) >= LONG_CONTEXT_TOKENS:
        return "long context (>= 32k tokens)"
    fsdp = number("zero_stage") >= 2 and number("tp", 1.0) == 1 and number("pp", 1.0) == 1
    hopper = str(row.get("accelerator")).startswith(("H100", "H800", "H200"))
    if fsdp:
        return "FSDP, Hopper" if hopper else "FSDP, Ampere"
    return "3D parallel (papers)"


def per_step_check(tables=PER_STEP_TABLES, *, own_search: bool = False, layout_gap=None):
    """Predicted against reported per-step MFU for every row of the per-step tables.

    Parameters
    ----------
    tables : sequence of str
        Names of curated tables with the columns of ``data/parallel_benchmarks.csv``.
    own_search : bool
        False: each row's published layout (tp, pp, dp, micro-batch, ZeRO stage,
        recomputation) is fixed; True: the package's own plan search chooses them.
    layout_gap : float, optional
        Passed to :func:`scaling.plan_search.plan_parallelism` (default: its own, i.e.
        :data:`scaling.plan_search.LAYOUT_SEARCH_GAP` for the own search).

    Returns
    -------
    pandas.DataFrame
        Per row: ``table``, ``name``, ``class`` (:func:`_per_step_class`), ``accelerator``,
        ``precision``, ``seq_len``, ``reported_mfu``, ``predicted_mfu`` (NaN where no plan
        fits in memory), ``ratio`` (predicted / reported), ``fold_error``, ``feasible``,
        ``layout_given`` (the row publishes tp, pp and dp; otherwise the published-layout
        prediction searches the rest and gets the layout gap) and ``in_calibration_set`` (the
        rows the matmul efficiency is fitted on; every other row is out of sample).
    """
    import pandas as pd

    from scaling.errors import InfeasibleRunError

    records = []
    for name in tables:
        table = load_table(name)
        fitted = set(_fit_rows(table)) if name == "parallel_benchmarks" else set()
        for idx in table.index:
            row = table.loc[idx]
            if own_search:
                row = row.drop([c for c in _LAYOUT_COLUMNS if c in row.index])
            shape, kwargs = _row_setup(row)
            _, _, reported = _reported(row, shape, kwargs.get("attention_convention", "causal"))
            if layout_gap is not None:
                kwargs["layout_gap"] = layout_gap
            try:
                predicted = plan_parallelism(shape, **kwargs).mfu
            except InfeasibleRunError:
                predicted = math.nan
            published = table.loc[idx]
            records.append({
                "table": name, "name": row.get("name"), "class": _per_step_class(published),
                "layout_given": all(c in table.columns and not _blank(published[c])
                                    for c in GIVEN_LAYOUT_FIELDS),
                "accelerator": row.get("accelerator"), "precision": kwargs["precision"],
                "seq_len": shape.seq_len, "reported_mfu": reported, "predicted_mfu": predicted,
                "in_calibration_set": idx in fitted})
    frame = pd.DataFrame(records)
    frame["feasible"] = frame["predicted_mfu"].notna()
    frame["ratio"] = frame["predicted_mfu"] / frame["reported_mfu"]
    frame["fold_error"] = np.maximum(frame["ratio"], 1.0 / frame["ratio"])
    return frame


def layout_gap(tables=LAYOUT_GAP_TABLES) -> dict:
    """How much faster the plan search's fastest plan is than the layout a team ran.

    Every per-step row whose tp, pp and dp are published, outside the matmul efficiency's
    calibration set, is predicted twice by the step-time model, with its published layout and
    with the package's own search (no gap applied to either); no reported figure enters.

    Parameters
    ----------
    tables : sequence of str
        Per-step tables (default :data:`LAYOUT_GAP_TABLES`).

    Returns
    -------
    dict
        ``gap`` (geometric mean of searched / published MFU over the rows where both fit: the
        value of :data:`scaling.plan_search.LAYOUT_SEARCH_GAP`), ``log_sd``, ``n_rows`` and
        ``by_class`` (the geometric mean per class of :func:`_per_step_class`).
    """
    published = per_step_check(tables, layout_gap=1.0)
    searched = per_step_check(tables, own_search=True, layout_gap=1.0)
    both = (published["feasible"] & searched["feasible"] & published["layout_given"]
            & ~published["in_calibration_set"])
    log_ratio = np.log(searched.loc[both, "predicted_mfu"] / published.loc[both, "predicted_mfu"])
    by_class = np.exp(log_ratio.groupby(published.loc[both, "class"]).mean())
    return {"gap": float(np.exp(log_ratio.mean())), "log_sd": float(log_ratio.std(ddof=1)),
            "n_rows": int(both.sum()), "by_class": {k: float(v) for k, v in by_class.items()}}


def layout_gap_held_out(tables=LAYOUT_GAP_TABLES):
    """The own search's bias on each table with the layout gap fitted on the others only.

    Parameters
    ----------
    tables : sequence of str
        Per-step tables, at least two (default :data:`LAYOUT_GAP_TABLES`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``table``: ``gap`` (:func:`layout_gap` of the other tables) and
        ``geometric_mean_ratio`` (the own search's bias on the table at that gap).
    """
    import pandas as pd

    rows = []
    for table in tables:
        gap = layout_gap(tuple(t for t in tables if t != table))["gap"]
        check = per_step_check((table,), own_search=True, layout_gap=gap)
        rows.append({"table": table, "gap": gap, "geometric_mean_ratio": float(
            per_step_summary(check).loc["all", "geometric_mean_ratio"])})
    return pd.DataFrame(rows).set_index("table")


def per_step_summary(frame):
    """Per class and overall, out of sample: rows, rows with a plan that fits, and on those rows
    the median and 80th percentile fold error, the geometric-mean ratio (the bias), and the
    constant-MFU baseline's median fold error (:data:`CONSTANT_MFU_BASELINE`, same rows).

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`per_step_check`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``class`` ("all" last).
    """
    import pandas as pd

    test = frame[~frame["in_calibration_set"]]
    rows = []
    for label, part in [*test.groupby("class", sort=True), ("all", test)]:
        fit = part[part["feasible"]]
        constant = np.maximum(CONSTANT_MFU_BASELINE / fit["reported_mfu"],
                              fit["reported_mfu"] / CONSTANT_MFU_BASELINE)
        rows.append({
            "class": label, "n_rows": len(part), "n_feasible": len(fit),
            "median_fold_error": float(fit["fold_error"].median()),
            "p80_fold_error": float(fit["fold_error"].quantile(0.8)),
            "geometric_mean_ratio": float(np.exp(np.log(fit["ratio"]).mean())),
            "constant_median_fold_error": float(constant.median())})
    return pd.DataFrame(rows).set_index("class")
