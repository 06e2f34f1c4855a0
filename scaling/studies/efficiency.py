"""The whole-run efficiency fitted on published runs: what the data say, the presets, and
how well its bands cover runs they never saw (notebook 04).

:mod:`scaling.efficiency` defines the efficiency :math:`\\eta` and the presets; this study
builds them from ``data/training_runs.csv``:

1. :func:`scaling.studies.backtesting.efficiency_runs` (where the runs are predicted): per
   developer-reported run (``time_basis`` in
   :data:`scaling.studies.backtesting.CALIBRATION_TIME_BASES`), the chain's accelerator-hours
   at :math:`\\eta = 1` (step-time model, default assumptions, failure goodput included, so
   failures are counted once, there), the reported hours and :math:`\\ln\\eta_i`, with the
   candidate explanations: what the reported time counts (accelerator-hours counted by the
   developer, or days), the job's size, its year and TPU against GPU.
2. :func:`fit_run_efficiency`: ordinary least squares of :math:`\\ln\\eta` on those
   (statsmodels), each coefficient with its 90% interval; an effect whose interval holds 0 is
   one the data cannot tell from none. Then the presets: the geometric mean and residual
   spread of each preset's runs (:data:`scaling.efficiency.RUN_EFFICIENCY_PRESETS`).
3. :func:`leave_one_out_bands`: every run predicted by the default preset refitted without
   it, with its P5-P95 (the Monte Carlo's distribution), whether the band covers the report,
   and its probability integral transform; :func:`coverage_table` compares coverage with the
   nominal level at 50-95%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from scaling.efficiency import (
    DEFAULT_RUN_EFFICIENCY, LARGE_LAB_MIN_ACCELERATORS, LARGE_LAB_TIME_BASES,
)
from scaling._validation import unknown_name
from scaling.results import NOT_A_COLUMN, Result

__all__ = ["BAND_LEVEL", "COVERAGE_LEVELS", "EFFICIENCY_TERMS", "RunEfficiencyFit", "coverage_table",
           "fit_run_efficiency", "leave_one_out_bands", "preset_members"]

#: Candidate explanations of ln(efficiency), as statsmodels formula terms -> what each means.
EFFICIENCY_TERMS = {
    "counted_hours": "the developer counted accelerator-hours (1) rather than days (0)",
    "log2_accelerators": "the job's size, log2 of its accelerators",
    "years_since_2020": "the run's year, minus 2020 (software generation)",
    "tpu": "TPU (1) rather than GPU (0)",
}

#: Nominal levels of the central intervals whose out-of-sample coverage is measured.
COVERAGE_LEVELS = (0.5, 0.8, 0.9, 0.95)

#: Level of the coefficient intervals of :func:`fit_run_efficiency` and of the presets'
#: prediction band (P5-P95) [fraction].
BAND_LEVEL = 0.90


def preset_members(frame) -> dict:
    """Which runs of an :func:`scaling.studies.backtesting.efficiency_runs` table define each preset (boolean Series)."""
    large = (frame["time_basis"].isin(LARGE_LAB_TIME_BASES)
             & (frame["n_accelerators"] >= LARGE_LAB_MIN_ACCELERATORS))
    return {"median_published_run": frame["name"].notna(), "large_lab_production": large}


def _preset_row(name, logs, names) -> dict:
    """A preset from the ln(efficiency) of its runs: geometric mean, spread, 90% band."""
    from scipy import stats

    n = logs.size
    sd = float(np.std(logs, ddof=1))
    half = float(stats.t.ppf(0.5 + BAND_LEVEL / 2.0, n - 1) * sd * math.sqrt(1.0 + 1.0 / n))
    return {"preset": name, "run_efficiency": float(np.exp(logs.mean())), "log_sd": sd,
            "band_log_halfwidth": half, "n_runs": int(n), "runs": "; ".join(names)}


@dataclass(frozen=True, slots=True, kw_only=True)
class RunEfficiencyFit(Result):
    """The whole-run efficiency fitted on published runs (immutable).

    Attributes
    ----------
    frame : pandas.DataFrame
        The runs (:func:`scaling.studies.backtesting.efficiency_runs`).
    coefficients : pandas.DataFrame
        One row per term (``Intercept`` and :data:`EFFICIENCY_TERMS`): ``estimate`` (effect
        on ln efficiency), ``ci_low``/``ci_high`` (90%), ``p_value``, ``distinguishable``
        (the interval excludes 0) and ``meaning``.
    presets : pandas.DataFrame
        One row per preset: ``preset``, ``run_efficiency``, ``log_sd``,
        ``band_log_halfwidth``, ``n_runs``, ``runs`` (what ``data/run_efficiency.csv``
        holds).
    residual_log_sd : float
        Residual standard deviation of the regression with every term.
    r_squared : float
    """

    frame: object = field(repr=False, metadata=NOT_A_COLUMN)
    coefficients: object = field(repr=False, metadata=NOT_A_COLUMN)
    presets: object = field(repr=False, metadata=NOT_A_COLUMN)
    residual_log_sd: float
    r_squared: float
    n_runs: int

    def to_frame(self):
        """The coefficient table."""
        return self.coefficients.copy()


def fit_run_efficiency(frame) -> RunEfficiencyFit:
    """Fit ln(whole-run efficiency) on the developer-reported runs, and the presets.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`scaling.studies.backtesting.efficiency_runs`.

    Returns
    -------
    RunEfficiencyFit

    Notes
    -----
    :math:`\\ln\\eta_i = \\beta_0 + \\sum_k \\beta_k x_{ik} + \\varepsilon_i`, ordinary least
    squares (``statsmodels.formula.api.ols``); the presets are intercept-only fits on their
    runs.
    """
    import pandas as pd
    import statsmodels.formula.api as smf

    model = smf.ols("ln_efficiency ~ " + " + ".join(EFFICIENCY_TERMS), data=frame).fit()
    ci = model.conf_int(alpha=1.0 - BAND_LEVEL)
    coefficients = pd.DataFrame({
        "term": model.params.index, "estimate": model.params.to_numpy(),
        "ci_low": ci[0].to_numpy(), "ci_high": ci[1].to_numpy(),
        "p_value": model.pvalues.to_numpy()})
    coefficients["distinguishable"] = (coefficients["ci_low"] > 0) | (coefficients["ci_high"] < 0)
    coefficients["meaning"] = coefficients["term"].map(
        {"Intercept": "ln efficiency of a GPU run counted in days, 1 accelerator, 2020",
         **EFFICIENCY_TERMS})
    rows = [_preset_row(name, frame.loc[member, "ln_efficiency"].to_numpy(),
                        frame.loc[member, "name"].tolist())
            for name, member in preset_members(frame).items()]
    return RunEfficiencyFit(frame=frame, coefficients=coefficients,
                            presets=pd.DataFrame(rows), residual_log_sd=float(
                                math.sqrt(model.scale)), r_squared=float(model.rsquared),
                            n_runs=int(model.nobs))


def leave_one_out_bands(frame, *, preset: str = DEFAULT_RUN_EFFICIENCY):
    """Each run predicted by a preset refitted without it, with its P5-P95 band.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`scaling.studies.backtesting.efficiency_runs`.
    preset : str
        Which preset's runs are refitted (a run outside them is predicted by the fit on all
        of them).

    Returns
    -------
    pandas.DataFrame
        ``name``, ``reported_hours``, ``run_efficiency`` (fitted without the run),
        ``predicted_hours``, ``p5_hours``, ``p95_hours``, ``ratio`` (predicted / reported),
        ``covered`` (P5 <= reported <= P95) and ``pit`` (the Student-t predictive
        distribution's cumulative probability at the reported hours; uniform if the bands are
        calibrated). The Monte Carlo draws a log-normal with the same P5 and P95
        (:func:`scaling.uncertainty.mfu_spread`), so ``covered`` is its coverage; the PIT at
        other levels is the t distribution's.
    """
    import pandas as pd
    from scipy import stats

    members = preset_members(frame)
    if preset not in members:
        raise unknown_name("preset", preset, members)
    member = members[preset].to_numpy()
    logs = frame["ln_efficiency"].to_numpy()
    rows = []
    for i in range(len(frame)):
        others = member.copy()
        others[i] = False
        fit = _preset_row(preset, logs[others], [])
        n, sd = fit["n_runs"], fit["log_sd"]
        scale = sd * math.sqrt(1.0 + 1.0 / n)
        hours = frame["unit_hours"].iat[i] / fit["run_efficiency"]
        reported = frame["reported_hours"].iat[i]
        # hours are inversely proportional to the efficiency: ln(hours) ~ t around the centre
        z = (math.log(reported) - math.log(hours)) / scale
        rows.append({"name": frame["name"].iat[i], "reported_hours": reported,
                     "run_efficiency": fit["run_efficiency"], "predicted_hours": hours,
                     "p5_hours": hours * math.exp(-fit["band_log_halfwidth"]),
                     "p95_hours": hours * math.exp(fit["band_log_halfwidth"]),
                     "ratio": hours / reported, "pit": float(stats.t.cdf(z, n - 1)),
                     "log_scale": scale, "df": n - 1})
    out = pd.DataFrame(rows)
    out["covered"] = (out["p5_hours"] <= out["reported_hours"]) & (
        out["reported_hours"] <= out["p95_hours"])
    return out


def coverage_table(bands, levels=COVERAGE_LEVELS):
    """Out-of-sample coverage of central intervals against their nominal level.

    Parameters
    ----------
    bands : pandas.DataFrame
        :func:`leave_one_out_bands`.
    levels : sequence of float
        Nominal levels in (0, 1).

    Returns
    -------
    pandas.DataFrame
        ``nominal``, ``covered`` (share of runs inside the central interval of that level,
        from each run's ``pit``), ``n_runs``.
    """
    import pandas as pd

    levels = [float(v) for v in levels]
    if not all(0.0 < v < 1.0 for v in levels):
        raise ValueError(f"levels must be nominal coverages in (0, 1), got {levels}")
    pit = bands["pit"].to_numpy()
    rows = [{"nominal": float(level),
             "covered": float(np.mean(np.abs(pit - 0.5) <= level / 2.0)),
             "n_runs": int(pit.size)} for level in levels]
    return pd.DataFrame(rows)
