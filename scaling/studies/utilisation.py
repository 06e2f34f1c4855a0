"""What limits utilisation, for notebook 09: where a step's time goes on named systems, how
the step time scales with the accelerator count (the batch-size and latency walls), and what
faster interconnect buys.

Built on :mod:`scaling.parallelism` (the plan search) and :mod:`scaling.throughput` (the
chain's whole-run efficiency).
"""

from __future__ import annotations

import math

from scaling import laws
from scaling.clusters import as_cluster
from scaling.errors import InfeasibleRunError
from scaling.hardware import as_accelerator
from scaling.model_shape import as_model_shape
from scaling.plan_search import optimal_batch_tokens, plan_parallelism
from scaling.assumptions import Assumptions
from scaling.chain import training_time_s
from scaling.hardware import sustained_flop_per_s
from scaling.throughput import of_step_time, throughput_model

__all__ = ["BREAKDOWN_COMPONENTS", "EFFICIENT_FRACTION", "breakdown_table",
           "interconnect_table", "largest_useful_accelerators", "scaling_curve"]


#: Step-time components in display order, with the words the tables use.
BREAKDOWN_COMPONENTS = {
    "compute_s": "compute", "memory_bound_s": "memory-bound", "tensor_parallel_s":
    "tensor-parallel", "pipeline_send_s": "pipeline sends", "data_parallel_s": "data-parallel",
    "bubble_s": "bubble", "expert_all_to_all_s": "all-to-all", "latency_s": "latency",
    "layout_gap_s": "layout gap",
}


def _compute_for(shape, compute_flop, law):
    if compute_flop is not None:
        return float(compute_flop)
    n = float(shape.n_active_params)
    return float(laws.training_flop(n, laws.optimal_tokens_for_params(n, law)))


def _breakdown_row(step, compute_flop, precision):
    """One row of the tables: the layout, its step time and shares, and the chain's MFU."""
    tm = throughput_model(accelerator=step.accelerator, assumptions=_STEP_TIME.replace(
        precision=precision))
    through = of_step_time(tm, step)
    layout = step.layout
    peak = step.accelerator.peak_flop_per_s(precision)
    row = {"model": step.model.name or f"{step.model.n_params:.3g}",
           "n_params": float(step.model.n_params), "compute_flop": compute_flop,
           "accelerator": step.accelerator.name, "n_accelerators": step.n_accelerators,
           "n_accelerators_used": step.n_accelerators_used,
           "layout": (f"tp{layout.tp} pp{layout.pp} dp{layout.dp}"
                      + (f" cp{layout.cp}" if layout.cp > 1 else "")
                      + (f" ep{layout.ep}" if layout.ep > 1 else "")),
           "global_batch_tokens": step.global_batch_tokens,
           "step_time_s": step.step_time_s, "step_mfu": through.step_mfu, "mfu": through.mfu,
           "training_time_s": float(training_time_s(compute_flop, sustained_flop_per_s(
               peak, step.n_accelerators, through.mfu))),
           "limit": step.limit}
    for key, label in BREAKDOWN_COMPONENTS.items():
        row[f"{label} share"] = step.breakdown_s[key] / step.step_time_s
    return row


#: The assumptions of the tables' whole-run MFU: the step-time model (the chain's default).
_STEP_TIME = Assumptions(mfu_model="step_time")


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
        ``accelerator``, ``n_accelerators``, ``n_accelerators_used``, ``layout``,
        ``global_batch_tokens``, ``step_time_s``, ``step_mfu`` (per step) and ``mfu`` (the
        chain's whole-run MFU; both against the precision's dense peak, :math:`C = 6ND`),
        ``training_time_s`` (failure-free, at that MFU),
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
            machine = throughput_model(accelerator=clu.accelerator, cluster=clu,
                                       assumptions=_STEP_TIME.replace(precision=precision))
            try:
                through = machine.evaluate(c, clu.n_accelerators, model=shape)
            except InfeasibleRunError as error:
                rows.append({"model": shape.name, "system": clu.name,
                             "n_params": float(shape.n_params), "compute_flop": c,
                             "accelerator": clu.accelerator.name,
                             "n_accelerators": clu.n_accelerators, "limit": str(error)})
                continue
            rows.append({"system": clu.name, **_breakdown_row(through.step_time, c,
                                                              precision)})
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
        Override the catalog's interconnect (:func:`scaling.plan_search.plan_parallelism`).

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
