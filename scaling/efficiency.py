"""Whole-run efficiency: the share of the step-time model's per-step throughput a whole run
realises, as a distribution fitted on published runs, with named presets.

The step-time model (:mod:`scaling.plan_search`) predicts one training step of a layout; the
chain multiplies it by the failure goodput (:mod:`scaling.reliability`: interruptions,
restarts, checkpoints, counted there and only there). What still separates that from the
accelerator-hours developers report is the *whole-run efficiency* :math:`\\eta`: evaluation
and data stalls, batch and learning-rate ramp-ups, restarts and slow nodes beyond the
failure model, a software stack less tuned than the benchmark's, a plan other than the
fastest, and what the reported time includes (accelerator-hours counted by the developer,
or calendar days that include pauses). Per run, with :math:`h_i` the chain's
accelerator-hours at :math:`\\eta = 1` and :math:`r_i` the reported ones,

.. math:: \\ln \\eta_i = \\ln(h_i / r_i).

:func:`scaling.studies.efficiency.fit_run_efficiency` fits :math:`\\ln\\eta` on the
developer-reported runs of ``data/training_runs.csv`` (ordinary least squares, statsmodels),
reports what the data can and cannot tell apart, and builds the presets of
``data/run_efficiency.csv`` (recomputed by ``tests/test_efficiency.py``):

* ``"median_published_run"`` (the default): the geometric mean over every
  developer-reported run, the median of a log-normal efficiency;
* ``"large_lab_production"``: runs whose developer counted the accelerator-hours on at least
  2,048 accelerators (production stacks of large labs: LLaMA, Llama 2, Llama 3.1 405B,
  Falcon-180B, DeepSeek-V3).

Each preset carries the residual spread of its runs. The Monte Carlo draws the whole-run
efficiency from the default preset's predictive distribution (Student t on
:math:`\\ln\\eta`, matched at P5 and P95 by a log-normal: ``DEFAULT_UNCERTAINTY["mfu"]`` of
:mod:`scaling.uncertainty`), so that a P5-P95 band of accelerator-hours covers a new
published run with probability 0.9 (measured leave-one-out by
``scaling.backtest(method="leave_one_out")``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from scaling._validation import check_fraction, scalar, unknown_name
from scaling.data import cached_until_reload, cell_count, cell_number, load_rows

__all__ = ["DEFAULT_RUN_EFFICIENCY", "EfficiencyPreset", "LARGE_LAB_MIN_ACCELERATORS",
           "LARGE_LAB_TIME_BASES", "RUN_EFFICIENCY_PRESETS", "resolve_run_efficiency",
           "run_efficiency_presets"]

#: The preset the chain uses unless ``Assumptions(run_efficiency=...)`` says otherwise: a new
#: run is forecast as the median published run, neither the best lab's nor the worst.
DEFAULT_RUN_EFFICIENCY = "median_published_run"

#: Runs of the ``"large_lab_production"`` preset: the developer counted the accelerator-hours
#: (``time_basis``) of a job on at least this many accelerators [count].
LARGE_LAB_MIN_ACCELERATORS = 2048
LARGE_LAB_TIME_BASES = ("gpu_hours_reported",)


@dataclass(frozen=True, slots=True, kw_only=True)
class EfficiencyPreset:
    """A named whole-run efficiency and the runs that define it (a row of
    ``data/run_efficiency.csv``).

    Attributes
    ----------
    name : str
    run_efficiency : float
        Geometric mean of :math:`h_i / r_i` over the runs [fraction].
    log_sd : float
        Residual standard deviation of :math:`\\ln\\eta_i` over the runs (n - 1 degrees of
        freedom).
    band_log_halfwidth : float
        Half-width of the 90% prediction interval of :math:`\\ln\\eta` for a new run:
        :math:`t_{0.95,\\,n-1}\\, s \\sqrt{1 + 1/n}`.
    n_runs : int
    criterion : str
        Which runs define it, in words.
    runs : tuple of str
    source : str
    """

    name: str
    run_efficiency: float
    log_sd: float
    band_log_halfwidth: float
    n_runs: int
    criterion: str
    runs: tuple
    source: str


def _presets() -> Mapping[str, EfficiencyPreset]:
    out = {}
    for row in load_rows("run_efficiency"):
        name = row["preset"].strip()
        out[name] = EfficiencyPreset(
            name=name,
            run_efficiency=scalar("run_efficiency", cell_number(
                row, "run_efficiency", table="run_efficiency"), check_fraction),
            log_sd=cell_number(row, "log_sd", table="run_efficiency"),
            band_log_halfwidth=cell_number(row, "band_log_halfwidth", table="run_efficiency"),
            n_runs=cell_count(row, "n_runs", table="run_efficiency"),
            criterion=row["criterion"].strip(),
            runs=tuple(r.strip() for r in row["runs"].split(";") if r.strip()),
            source=row["source"].strip())
    return MappingProxyType(out)


@cached_until_reload
def run_efficiency_presets() -> Mapping[str, EfficiencyPreset]:
    """The presets of ``data/run_efficiency.csv`` by name (read-only)."""
    return _presets()


def __getattr__(name: str):
    if name == "RUN_EFFICIENCY_PRESETS":
        return run_efficiency_presets()
    raise AttributeError(f"module 'scaling.efficiency' has no attribute {name!r}")


def resolve_run_efficiency(value, *, name: str = "run_efficiency") -> float:
    """The whole-run efficiency a setting means [fraction].

    Parameters
    ----------
    value : str or float
        A preset name (:data:`RUN_EFFICIENCY_PRESETS`) or a number in (0, 1].

    Returns
    -------
    float

    Raises
    ------
    ValueError
        An unknown preset (the presets listed, the closest named) or a number outside (0, 1].

    Examples
    --------
    >>> resolve_run_efficiency(0.8)
    0.8
    """
    if isinstance(value, str):
        presets = run_efficiency_presets()
        if value not in presets:
            error = unknown_name(f"{name} (a whole-run efficiency preset)", value, presets)
            raise ValueError(f"{error}; or give a number in (0, 1]")
        return presets[value].run_efficiency
    return float(scalar(name, value, check_fraction))
