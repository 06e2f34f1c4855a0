"""Backtest of the default assumptions against real training runs (data/training_runs.csv),
and the out-of-sample (leave-one-out) backtest of the step-time utilisation (issue 9)."""

import numpy as np
import pytest

import scaling
from scaling.assumptions import Assumptions
from scaling.studies.backtesting import (
    CALIBRATION_TIME_BASES, COST_KINDS, LOO_TARGET_MEDIAN_FACTOR, LOO_TARGET_SHARE_WITHIN, Backtest, LeaveOneOut, backtest, fold_error,
)
from scaling.data import load_table
from scaling.efficiency import resolve_run_efficiency
from scaling.hardware import accelerator

#: The generation-default MFU (data/mfu_defaults.csv): the package's behaviour before issue 9
#: and the baseline the step-time model is compared with.
GENERATION_DEFAULT = Assumptions(mfu_model="generation_default")


def RUN_EFFICIENCY():
    """The default preset's whole-run efficiency (data/run_efficiency.csv)."""
    return resolve_run_efficiency("median_published_run")


@pytest.fixture(scope="module")
def result():
    return backtest(assumptions=GENERATION_DEFAULT)


@pytest.fixture(scope="module")
def loo():
    return backtest(method="leave_one_out")


def test_one_row_per_curated_run(result):
    runs = load_table("training_runs")
    frame = result.to_frame()
    assert list(frame["name"]) == list(runs["name"])


def test_uses_default_mfu_never_the_reported_one(result):
    frame = result.to_frame()
    defaults = [accelerator(name).default_mfu for name in frame["accelerator"]]
    np.testing.assert_array_equal(frame["mfu"], defaults)


def test_ratios_are_predicted_over_reported(result):
    frame = result.to_frame()
    for q in ("accelerator_hours", "days", "cost_usd"):
        np.testing.assert_allclose(frame[f"{q}_ratio"],
                                   frame[f"predicted_{q}"] / frame[f"reported_{q}"], rtol=1e-12)


def test_gpt3_brown2020_patterson2021_v100_hours(result):
    """GPT-3: 3.55M V100-hours (Patterson et al. 2021 via Epoch). The Volta default MFU (0.20)
    comes from this very run, so this row checks the chain, not the MFU default."""
    row = result.to_frame().set_index("name").loc["GPT-3 175B"]
    assert 1 / 1.1 <= row["accelerator_hours_ratio"] <= 1.1


def test_deepseek_v3_rental_cost_compared_with_rental(result):
    """DeepSeek-V3's $5.576M is 2.788M H800-hours x $2 (arXiv:2412.19437 Table 1)."""
    row = result.to_frame().set_index("name").loc["DeepSeek-V3"]
    assert row["predicted_cost_column"] == "rental_cost_usd"
    np.testing.assert_allclose(row["cost_usd_ratio"], row["accelerator_hours_ratio"], rtol=1e-12)


def test_accelerator_hours_median_pinned_on_the_widened_table(result):
    """Issue 4's target was a median fold error within 1.2x on 7 runs. On the widened table
    (40 runs, 39 with reported accelerator-hours; issues 9 and 15) the constant-MFU defaults
    give 1.27x: pinned so that the step-time model shows its gain."""
    summary = result.summary()
    assert summary.loc["accelerator_hours", "n_runs"] == 39
    np.testing.assert_allclose(summary.loc["accelerator_hours", "median_fold_error"], 1.268,
                               rtol=0.01)


def test_worst_misses_are_pinned():
    """The worst-case targets (1.5x) are NOT met with the defaults; pin the figures so any
    change to the defaults shows up here. DBRX is 3.6x short on both hours and days: its
    'three months' include post-training and evaluation (an upper bound on pre-training time,
    flagged in data/training_runs.csv). Among the other runs the worst miss on both hours and
    days is Phi-3-medium, predicted 1.82x too fast (the Hopper default MFU against an implied
    whole-run utilisation of 0.22 on 512 H100)."""
    frame = backtest(assumptions=GENERATION_DEFAULT).to_frame().set_index("name")
    summary = backtest(assumptions=GENERATION_DEFAULT).summary()
    assert summary.loc["accelerator_hours", "worst_run"] == "DBRX"
    np.testing.assert_allclose(summary.loc["accelerator_hours", "worst_fold_error"], 3.62,
                               rtol=0.02)
    assert summary.loc["days", "worst_run"] == "DBRX"
    for quantity in ("accelerator_hours_ratio", "days_ratio"):
        folds = frame[quantity].drop("DBRX").dropna().apply(fold_error)
        assert folds.idxmax() == "Phi-3-medium"
        np.testing.assert_allclose(folds.max(), 1.82, rtol=0.02)


def test_summary_consistent_with_long_form(result):
    long = result.to_long()
    summary = result.summary()
    for quantity, part in long.groupby("quantity"):
        assert summary.loc[quantity, "n_runs"] == len(part)
        np.testing.assert_allclose(summary.loc[quantity, "median_ratio"],
                                   np.median(part["ratio"]), rtol=1e-12)
        np.testing.assert_allclose(summary.loc[quantity, "worst_fold_error"],
                                   part["fold_error"].max(), rtol=1e-12)


def test_fold_error():
    np.testing.assert_allclose(fold_error(np.array([0.5, 2.0, 1.0, np.nan])),
                               [2.0, 2.0, 1.0, np.nan])
    assert fold_error(0.8) == pytest.approx(1.25)
    with pytest.raises(ValueError):
        fold_error(-1.0)


def test_bad_tables():
    runs = load_table("training_runs")
    bad = runs.copy()
    bad.loc[0, "cost_kind"] = "guess"
    with pytest.raises(ValueError, match="unknown cost_kind .*valid names"):
        backtest(bad)
    bad = runs.copy()
    bad.loc[0, "accelerator"] = "H900"
    with pytest.raises(ValueError, match="accelerator 'H900'.*valid names: .*H100-SXM"):
        backtest(bad)
    with pytest.raises(ValueError, match=r"runs table needs columns .*missing \['n_params'\]"):
        backtest(runs.drop(columns=["n_params"]))


def test_cost_kinds_cover_the_table():
    kinds = set(load_table("training_runs")["cost_kind"].dropna())
    assert kinds <= set(COST_KINDS)


def test_scaling_backtest_is_the_function():
    assert scaling.backtest is backtest
    assert isinstance(scaling.backtest(), Backtest)
    assert isinstance(scaling.backtest(method="leave_one_out"), LeaveOneOut)
    with pytest.raises(ValueError, match="method"):
        backtest(method="in_sample")


def test_backtests_are_results_holding_their_run_table(loo):
    from scaling.results import Result
    from scaling.studies.backtesting import CostBacktest

    assert issubclass(CostBacktest, Result) and isinstance(loo, Result)
    table = loo.to_frame()
    assert table.equals(loo.frame) and table is not loo.frame
    assert loo._repr_html_() == loo.summary()._repr_html_()


def test_default_backtest_uses_the_step_time_model_with_each_runs_published_model():
    frame = backtest().to_frame().set_index("name")
    deepseek = frame.loc["DeepSeek-V3"]
    assert deepseek["n_accelerators_used"] <= deepseek["n_accelerators"]
    runs = load_table("training_runs").set_index("name")
    run = scaling.estimate_run(runs.loc["DeepSeek-V3", "compute_flop"], accelerator="H800-SXM",
                               n_accelerators=2048, n_params=runs.loc["DeepSeek-V3", "n_params"],
                               model="DeepSeek-V3",
                               assumptions=Assumptions(precision="fp8",
                                                       global_batch_tokens=62914560.0))
    np.testing.assert_allclose(deepseek["predicted_accelerator_hours"], run.accelerator_hours,
                               rtol=1e-12)


# --------------------------------------------------------------------------------------------
# out of sample: leave-one-out on the developer-reported runs (issue 9)
# --------------------------------------------------------------------------------------------

def test_leave_one_out_keeps_the_developer_reported_runs(loo):
    runs = load_table("training_runs")
    kept = runs[runs["time_basis"].isin(CALIBRATION_TIME_BASES)]
    assert list(loo.to_frame()["name"]) == list(kept["name"])
    assert len(kept) == 35
    assert {e.split(" (")[0] for e in loo.excluded} == {
        "GPT-3 175B", "MT-NLG 530B", "OPT-175B", "GLM-130B", "DBRX"}


def test_leave_one_out_predictions_never_see_their_own_run(loo):
    frame = loo.to_frame()
    unit = frame["unit_efficiency_hours"].to_numpy()
    logs = np.log(unit / frame["reported_accelerator_hours"].to_numpy())
    for i in (0, 13, 34):
        eta = np.exp(np.delete(logs, i).mean())
        np.testing.assert_allclose(frame.loc[i, "run_efficiency"], eta, rtol=1e-12)
        np.testing.assert_allclose(frame.loc[i, "step_time_hours"], unit[i] / eta, rtol=1e-12)
    assert frame["run_efficiency"].nunique() == len(frame)


def test_unit_hours_are_the_chain_at_efficiency_one(loo):
    """The hours the efficiency is fitted on are the chain's, step-time model, failures
    included, at run_efficiency=1: the default backtest's hours times the default preset."""
    frame = loo.to_frame()
    step = backtest(load_table("training_runs").query("name in @frame.name"))
    np.testing.assert_allclose(step.to_frame()["predicted_accelerator_hours"] * RUN_EFFICIENCY(),
                               frame["unit_efficiency_hours"], rtol=1e-9)


def test_run_efficiency_refits_from_the_developer_reported_runs(loo):
    assert loo.run_efficiency == pytest.approx(RUN_EFFICIENCY(), abs=1e-4)


def test_leave_one_out_accelerator_hours_figures_pinned_beside_baselines(loo):
    """The out-of-sample accelerator-hours of the step-time model on the 35
    developer-reported runs, beside the generation-default MFU, a constant 0.4 and a constant
    refitted leave-one-out (pinned; notebook 04 and the README quote them)."""
    summary = loo.summary()
    figures = {
        "step-time model (leave-one-out)": (1.243, 1.426, 30 / 35),
        "generation-default MFU": (1.290, 1.602, 24 / 35),
        "constant MFU 0.4": (1.220, 1.440, 28 / 35),
        "constant MFU refitted (leave-one-out)": (1.236, 1.395, 33 / 35),
    }
    for method, (median, p80, share) in figures.items():
        assert summary.loc[method, "n_runs"] == 35
        assert summary.loc[method, "median_fold_error"] == pytest.approx(median, abs=0.002)
        assert summary.loc[method, "p80_fold_error"] == pytest.approx(p80, abs=0.002)
        assert summary.loc[method, "share_within_1.5x"] == pytest.approx(share, abs=1e-9)


def test_default_band_covers_at_its_nominal_rate_out_of_sample(loo):
    """Issue 15: the default P5-P95 covers 85-95% of the runs it never saw."""
    coverage = loo.coverage().set_index("nominal")["covered"]
    assert 0.85 <= coverage[0.9] <= 0.95
    assert loo.to_frame()["step_time_covered"].mean() == pytest.approx(coverage[0.9])


@pytest.mark.xfail(strict=True, reason=(
    "honest miss: out of sample the step-time model reaches a median fold error of 1.24x "
    "(80th percentile 1.43x, 86% of runs within 1.5x), not 1.2x and 90%; the whole-run "
    "efficiency varies 0.4-1.0 between teams in ways none of the recorded explanations "
    "(time basis, job size, year, TPU) distinguishes, and a constant MFU refitted on the same "
    "runs does about as well"))
def test_out_of_sample_backtest_meets_issue9_targets_on_the_widened_table(loo):
    summary = loo.summary()
    step = summary.loc["step-time model (leave-one-out)"]
    assert step["median_fold_error"] <= LOO_TARGET_MEDIAN_FACTOR
    assert step["share_within_1.5x"] >= LOO_TARGET_SHARE_WITHIN
    for baseline in ("generation-default MFU", "constant MFU 0.4"):
        assert step["median_fold_error"] < summary.loc[baseline, "median_fold_error"]


def test_implied_realised_mfu_is_compute_over_reported_hours_times_peak(result):
    """PaLM: 2.53e24 / (8.4M chip-h x 3600 x 275e12) = 30.4% whole-run utilisation."""
    row = result.to_frame().set_index("name").loc["PaLM 540B"]
    np.testing.assert_allclose(row["implied_realised_mfu"], 0.304, atol=0.001)
    np.testing.assert_allclose(row["predicted_realised_mfu"], row["mfu"] * row["goodput"],
                               rtol=1e-12)
