"""What moves a run's wall-clock time on a named system (notebook 05).

Three views of the same question, each through the forecast chain
(:func:`scaling.studies.systems.estimate_reference_run`, :func:`scaling.chain.run_chain`):

* :func:`time_by_mfu_and_precision`: the time over a grid of MFU and precision;
* :func:`run_time_sensitivity`: one assumption at a time, low/high (a tornado table, through
  the one sensitivity function :func:`scaling.uncertainty.sensitivity`);
* :func:`run_time_samples` / :func:`run_time_quantiles`: a seeded Monte Carlo interval over
  the reference run's compute, the MFU and the failure rate (:class:`RunUncertainty`).

The spreads are read from :data:`scaling.uncertainty.DEFAULT_UNCERTAINTY` and the restart
times from :data:`scaling.checkpointing.RESTART_TIMES_S` when a function runs, so that
:func:`scaling.data.reload` reaches them.

References
----------
.. [1] Epoch AI, "Data on Notable AI Models", https://epoch.ai/data/ai-models (GPT-4 row:
   2.1e25 FLOP, 90% CI 8.2e24-4.4e25).
.. [2] DeepSeek-AI, "DeepSeek-V3 Technical Report", arXiv:2412.19437, 2024.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scaling import checkpointing, laws, uncertainty as mc
from scaling._validation import (
    as_names, as_numeric_array, check_choice, check_fraction, unknown_name, whole_number,
)
from scaling.assumptions import as_assumptions
from scaling.chain import run_chain, setup
from scaling.clusters import as_cluster
from scaling.catalog import PRECISIONS
from scaling.studies.systems import (
    DEFAULT_REFERENCE_RUN, DEFAULT_SYSTEMS, _assumptions_for, _reference, _reference_mfu,
    _reference_table, _systems, estimate_reference_run, reference_compute_flop,
)
from scaling.uncertainty import (
    CI_LEVEL, PROBABILITIES, Case, Uncertain, percentiles, sample_inputs, sensitivity,
)
from scaling._validation import as_rng

__all__ = [
    "DEEPSEEK_V3_FP8_MFU",
    "SLOW_RESTART_TIME_S",
    "RunUncertainty",
    "time_by_mfu_and_precision",
    "run_time_sensitivity",
    "run_time_samples",
    "run_time_quantiles",
]

#: MFU DeepSeek-V3 reached in FP8 training, as a fraction of the H800's dense **fp8** peak:
#: ~385 causal TFLOP/s of 1,979 = 0.195 (DeepSeek-AI 2024, arXiv:2412.19437, Sec. 3.1 and
#: Table 1; as tabulated in the project's hardware_costs reference, Sec. 3). The one
#: published frontier-scale fp8 run: its fp8 throughput equals ~39% of the bf16 dense peak,
#: i.e. no faster than a good bf16 run.
DEEPSEEK_V3_FP8_MFU = 0.195

#: Slow restart after an interruption [s]: 30 minutes, the upper end of the range
#: :mod:`scaling.reliability` documents for conventional checkpoint-restart (rescheduling,
#: communicator set-up, checkpoint load "can take many minutes"). An illustrative bound, not
#: a published measurement; the fast ends are FlashRecovery's 150 s (default) and
#: TrainMover's 20 s (:data:`scaling.checkpointing.RESTART_TIMES_S`).
SLOW_RESTART_TIME_S = 1800.0


# --------------------------------------------------------------------------------------------
# a grid and a tornado
# --------------------------------------------------------------------------------------------

def time_by_mfu_and_precision(cluster_names=DEFAULT_SYSTEMS, *, compute_flop=None,
                              mfu=(0.2, 0.3, 0.4, 0.5), precisions=("bf16", "fp8"),
                              law=laws.DEFAULT_LAW, assumptions=None):
    """Wall-clock time of one run on each system over a grid of MFU and precision.

    Parameters
    ----------
    cluster_names : sequence of str or Cluster
        Systems.
    compute_flop : float or None
        Run compute [FLOP]; None uses GPT-4 (Epoch AI's estimate).
    mfu : sequence of float
        MFU values, each in (0, 1], applied to the dense peak of each precision.
    precisions : sequence of {"bf16", "fp8"}
        Precisions; combinations a chip does not support (fp8 on MI250X) are left out.
    law, assumptions :
        As in :func:`scaling.studies.systems.estimate_reference_run` (the grid overrides their
        MFU and precision).

    Returns
    -------
    pandas.DataFrame
        Tidy: ``system``, ``precision``, ``mfu``, ``goodput``, ``sustained_flop_per_s``
        [FLOP/s], ``time_s`` [s], ``time_days`` [days].
    """
    import pandas as pd

    ref = _reference(compute_flop)
    mfus = np.atleast_1d(check_fraction("mfu", mfu))
    precisions = as_names("precisions (bf16, fp8)", precisions, name="precisions")
    for precision in precisions:
        check_choice("precisions", precision, PRECISIONS)
    base = as_assumptions(assumptions)
    rows = []
    for name in _systems(cluster_names):
        system = as_cluster(name)
        for precision in precisions:
            if precision == "fp8" and math.isnan(system.accelerator.peak_fp8_flop_per_s):
                continue
            for u in mfus:
                run = estimate_reference_run(
                    system, compute_flop=ref, law=law,
                    assumptions=base.at_constant_mfu(mfu=float(u), precision=precision))
                rows.append({"system": system.name, "precision": precision, "mfu": float(u),
                             "goodput": run.goodput,
                             "sustained_flop_per_s": run.sustained_flop_per_s,
                             "time_s": run.time_s, "time_days": run.time_days})
    return pd.DataFrame(rows)


def run_time_sensitivity(system="stargate-abilene", *, compute_flop=None, law=laws.DEFAULT_LAW,
                         assumptions=None):
    """One assumption at a time: how far each moves a run's wall-clock time (a tornado table).

    Parameters
    ----------
    system : str or Cluster
        The system.
    compute_flop : float or None
        Central run compute [FLOP]; None uses GPT-4 (Epoch AI's estimate). The "training
        compute" row then uses Epoch's 90% interval; for another value it is omitted.
    law : str or Mapping
        Chinchilla parameter set (sets the checkpoint size).
    assumptions : Assumptions, optional
        The baseline.

    Returns
    -------
    pandas.DataFrame
        :func:`scaling.sensitivity`'s table of ``time_days`` [days]: one row per
        assumption, sorted by swing (``|high - low|`` in days), with ``low_setting``,
        ``high_setting`` (descriptions), ``output_low``, ``output_high``, ``output_base``
        and ``source``.

    Notes
    -----
    Cases: MFU (the reference run's predicted MFU, held as a constant in every case) at the
    5th/95th percentile of ``scaling.DEFAULT_UNCERTAINTY["mfu"]``; fp8 at the bf16 MFU vs fp8
    at DeepSeek-V3's fp8 MFU (:data:`DEEPSEEK_V3_FP8_MFU`); no failures vs the slow restart
    (:data:`SLOW_RESTART_TIME_S`); failure rate at the 5th/95th percentile of
    ``DEFAULT_UNCERTAINTY["failure_rate_per_accelerator_hour"]``; TrainMover's 20 s restart
    vs the 150 s default.
    """
    clu = as_cluster(system)
    a = as_assumptions(assumptions)
    ref = _reference(compute_flop)
    base_mfu, _, _ = _reference_mfu(clu, a, law, ref)
    rel = a.reliability.resolve(clu.resilience)
    base = {"compute_flop": ref, "mfu": base_mfu, "precision": a.precision,
            "include_failures": a.include_failures,
            "failure_rate_per_accelerator_hour": rel.failure_rate_per_accelerator_hour,
            "restart_time_s": rel.restart_time_s}
    ranges, sources = _time_cases(clu.accelerator, base, with_compute_interval=compute_flop is None)

    def days(*, compute_flop, **changes):
        return estimate_reference_run(clu, compute_flop=compute_flop, law=law,
                                      assumptions=a.at_constant_mfu(**changes)).time_days

    frame = sensitivity(days, base, ranges, sources=sources)
    frame.attrs["baseline_time_days"] = float(frame["output_base"].iloc[0])
    frame.attrs["system"] = clu.name
    return frame


def _time_cases(chip, base, *, with_compute_interval):
    """The low/high :class:`~scaling.uncertainty.Case` of each assumption
    :func:`run_time_sensitivity` moves, and the source of each (read at call time, so that
    :func:`scaling.data.reload` reaches the spreads and restart times)."""
    mfu_spread = mc.DEFAULT_UNCERTAINTY["mfu"]
    rate_spread = mc.DEFAULT_UNCERTAINTY["failure_rate_per_accelerator_hour"]
    mfu_low, mfu_high = mfu_spread.interval(base["mfu"])
    rate_low, rate_high = rate_spread.interval(base["failure_rate_per_accelerator_hour"])
    ranges = {
        "MFU": (Case(settings={"mfu": mfu_high}, label=f"MFU {mfu_high:.3g}"),
                Case(settings={"mfu": mfu_low}, label=f"MFU {mfu_low:.3g}")),
        "failure rate": (
            Case(settings={"failure_rate_per_accelerator_hour": rate_low},
                 label=f"{rate_spread.p5_ratio:g}x Llama 3's"),
            Case(settings={"failure_rate_per_accelerator_hour": rate_high},
                 label=f"{rate_spread.p95_ratio:g}x")),
        "restart time": (
            Case(settings={"include_failures": False}, label="no failures (goodput 1)"),
            Case(settings={"restart_time_s": SLOW_RESTART_TIME_S},
                 label=f"{SLOW_RESTART_TIME_S:g} s restarts")),
    }
    trainmover = checkpointing.RESTART_TIMES_S["trainmover2024"]
    if base["restart_time_s"] > trainmover[0]:  # a faster restart than the baseline's
        ranges["fast restart"] = (
            Case(settings={"restart_time_s": trainmover[0]}, label=f"{trainmover[0]:g} s restarts"),
            Case(settings={}, label=f"{base['restart_time_s']:g} s (baseline)"))
    sources = {
        "MFU": mfu_spread.source, "failure rate": rate_spread.source,
        "restart time": "SLOW_RESTART_TIME_S (illustrative); goodput model of scaling.reliability",
        "fast restart": trainmover[1],
    }
    if not math.isnan(chip.peak_fp8_flop_per_s):
        ranges["precision"] = (
            Case(settings={"precision": "fp8"}, label=f"fp8 at MFU {base['mfu']:.3g}"),
            Case(settings={"precision": "fp8", "mfu": DEEPSEEK_V3_FP8_MFU},
                 label=f"fp8 at DeepSeek-V3's MFU {DEEPSEEK_V3_FP8_MFU:g}"))
        sources["precision"] = "DEEPSEEK_V3_FP8_MFU: DeepSeek-AI 2024, arXiv:2412.19437"
    if with_compute_interval:
        table = _reference_table().loc[DEFAULT_REFERENCE_RUN]
        ranges["training compute"] = (
            Case(settings={"compute_flop": table["compute_flop_lower"]},
                 label=f"{table['compute_flop_lower']:.2g} FLOP (P5)"),
            Case(settings={"compute_flop": table["compute_flop_upper"]},
                 label=f"{table['compute_flop_upper']:.2g} FLOP (P95)"))
        sources["training compute"] = table["source"]
    return ranges, sources


# --------------------------------------------------------------------------------------------
# a Monte Carlo interval
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class RunUncertainty:
    """Distributions of the inputs that move a run's wall-clock time most.

    Parameters
    ----------
    run : str
        Reference run whose compute interval is sampled (``data/reference_runs.csv``).
        Compute follows a two-piece log-normal with median ``compute_flop`` and the
        published interval as its 5th/95th percentiles (Epoch's 90% CI for GPT-4).
    mfu : Uncertain or None
        Multiplier on the system's MFU; None uses ``scaling.DEFAULT_UNCERTAINTY["mfu"]``
        (the step-time model's out-of-sample residual spread).
    failure_rate : Uncertain or None
        Multiplier on the failure rate; None uses
        ``DEFAULT_UNCERTAINTY["failure_rate_per_accelerator_hour"]`` (0.5x-2x, Meta's RSC
        fleets).
    """

    run: str = DEFAULT_REFERENCE_RUN
    mfu: object = None
    failure_rate: object = None

    def __post_init__(self) -> None:
        table = _reference_table()
        if self.run not in table.index:
            raise unknown_name("reference run", self.run, list(table.index))
        spreads = mc.DEFAULT_UNCERTAINTY  # read now, so that scaling.data.reload() reaches it
        defaults = {"mfu": spreads["mfu"],
                    "failure_rate": spreads["failure_rate_per_accelerator_hour"]}
        for attr, default in defaults.items():
            value = getattr(self, attr)
            if value is None:
                object.__setattr__(self, attr, default)
            elif not isinstance(value, Uncertain):
                raise ValueError(f"{attr} must be a scaling.Uncertain or None, got "
                                 f"{type(value).__name__}")

    def compute(self) -> Uncertain:
        """The run's compute as an :class:`Uncertain` around its central estimate."""
        row = _reference_table().loc[self.run]
        median = row["compute_flop"]
        lower, upper, level = (row["compute_flop_lower"], row["compute_flop_upper"],
                               row["compute_ci_level"])
        if any(math.isnan(v) for v in (lower, upper, level)):
            raise ValueError(f"reference run {self.run!r} has no published compute interval")
        if not math.isclose(level, CI_LEVEL):
            raise ValueError(f"reference run {self.run!r}: only {CI_LEVEL:.0%} intervals are "
                             f"supported, got {level}")
        return Uncertain(p5_ratio=lower / median, p95_ratio=upper / median, median_ratio=1.0,
                         source=row["source"])


def run_time_samples(cluster_name, *, uncertainty=None, n_samples=20_000, seed=0,
                     law=laws.DEFAULT_LAW, precision=None, assumptions=None):
    """Monte Carlo samples of a reference run's wall-clock time on one system.

    Parameters
    ----------
    cluster_name : str or Cluster
        The system.
    uncertainty : RunUncertainty or None
        Input distributions; None uses the documented defaults.
    n_samples : int
        Number of draws, > 0.
    seed : int
        Seed of ``numpy.random.default_rng``.
    law : str or Mapping
        Chinchilla parameter set (sets the checkpoint size).
    precision, assumptions :
        As in :func:`scaling.studies.systems.estimate_reference_run`.

    Returns
    -------
    pandas.DataFrame
        One row per draw: ``compute_flop`` [FLOP], ``mfu``,
        ``failure_rate_per_accelerator_hour``, ``goodput``, ``time_s`` [s], ``time_days``
        [days].

    Notes
    -----
    The draws go through :func:`scaling.uncertainty.sample_inputs` and
    :func:`scaling.chain.run_chain`, vectorised over the draws.
    """
    import pandas as pd

    n_samples = whole_number("n_samples", n_samples)
    spec = RunUncertainty() if uncertainty is None else uncertainty
    if not isinstance(spec, RunUncertainty):
        raise ValueError("uncertainty must be a RunUncertainty or None")
    system = as_cluster(cluster_name)
    a = _assumptions_for(system.accelerator, assumptions, precision)
    rng = as_rng(seed)
    compute = spec.compute().sample(reference_compute_flop(spec.run), n_samples, rng)
    n_opt = np.asarray(laws.compute_optimal(compute, law=law).n_params, dtype=float)
    # MFU of the central run (one layout search), drawn around it like the others
    machine = setup(system, a)
    ref = reference_compute_flop(spec.run)
    central = machine.evaluate_throughput(ref, system.n_accelerators, n_params=float(
        laws.compute_optimal(ref, law=law).n_params))
    inputs = machine.inputs(compute, system.n_accelerators, n_params=n_opt,
                            throughput=central)
    drawn = sample_inputs({"mfu": spec.mfu, "failure_rate_per_accelerator_hour":
                           spec.failure_rate}, inputs, n_samples, rng)
    inputs.update({name: value[0] for name, value in drawn.items()})
    values = run_chain(inputs, include_failures=a.include_failures)
    return pd.DataFrame({
        "compute_flop": compute, "mfu": inputs["mfu"],
        "failure_rate_per_accelerator_hour": inputs["failure_rate_per_accelerator_hour"],
        "goodput": values["goodput"], "time_s": values["time_s"],
        "time_days": values["time_days"],
    })


def run_time_quantiles(cluster_names=DEFAULT_SYSTEMS, *, quantiles=PROBABILITIES,
                       uncertainty=None, n_samples=20_000, seed=0, law=laws.DEFAULT_LAW,
                       precision=None, assumptions=None):
    """Percentiles of a reference run's wall-clock time on each system [days].

    Parameters
    ----------
    cluster_names : sequence of str or Cluster
        Systems.
    quantiles : sequence of float
        Quantiles in [0, 1] (default P5, P50, P95).
    uncertainty, n_samples, seed, law, precision, assumptions :
        As in :func:`run_time_samples` (the same seed for every system: common random
        numbers, so systems differ only by their hardware).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``system``; one column ``time_days_p<100q>`` per quantile (e.g.
        ``time_days_p5``, ``time_days_p50``, ``time_days_p95``) [days].
    """
    import pandas as pd

    qs = np.atleast_1d(as_numeric_array("quantiles", quantiles))
    if ((qs < 0) | (qs > 1)).any():
        raise ValueError(f"quantiles must be in [0, 1], got {quantiles!r}")
    rows = {}
    for name in _systems(cluster_names):
        samples = run_time_samples(name, uncertainty=uncertainty, n_samples=n_samples,
                                   seed=seed, law=law, precision=precision,
                                   assumptions=assumptions)
        key = name if isinstance(name, str) else name.name
        values = percentiles(samples["time_days"].to_numpy(), qs)
        rows[key] = {f"time_days_p{100 * q:g}": float(v) for q, v in zip(qs, values)}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "system"
    return frame
