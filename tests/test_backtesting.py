"""Backtest of the default assumptions against real training runs (data/training_runs.csv)."""

import numpy as np
import pytest

import scaling
from scaling.backtesting import COST_KINDS, Backtest, backtest, fold_error
from scaling.data import load_table
from scaling.hardware import accelerator


@pytest.fixture(scope="module")
def result():
    return backtest()


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
    (33 runs, 32 with reported accelerator-hours; issue 9) the constant-MFU defaults give
    1.21x, just outside it: pinned so that the step-time model of issue 9 shows its gain."""
    summary = result.summary()
    assert summary.loc["accelerator_hours", "n_runs"] == 32
    np.testing.assert_allclose(summary.loc["accelerator_hours", "median_fold_error"], 1.206,
                               rtol=0.01)


def test_worst_misses_are_pinned():
    """The worst-case targets (1.5x) are NOT met with the defaults; pin the figures so any
    change to the defaults shows up here. DBRX is 3.6x short on both hours and days: its
    'three months' include post-training and evaluation (an upper bound on pre-training time,
    flagged in data/training_runs.csv). Among the other runs the worst miss on both hours and
    days is Phi-3-medium, predicted 1.82x too fast (the Hopper default MFU against an implied
    whole-run utilisation of 0.22 on 512 H100)."""
    frame = backtest().to_frame().set_index("name")
    summary = backtest().summary()
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
    with pytest.raises(ValueError, match="missing columns"):
        backtest(runs.drop(columns=["n_params"]))


def test_cost_kinds_cover_the_table():
    kinds = set(load_table("training_runs")["cost_kind"].dropna())
    assert kinds <= set(COST_KINDS)


def test_scaling_backtest_is_the_function():
    assert scaling.backtest is backtest
    assert isinstance(scaling.backtest(), Backtest)


def test_implied_utilisation_is_compute_over_reported_hours_times_peak(result):
    """PaLM: 2.53e24 / (8.4M chip-h x 3600 x 275e12) = 30.4% whole-run utilisation."""
    row = result.to_frame().set_index("name").loc["PaLM 540B"]
    np.testing.assert_allclose(row["implied_utilisation"], 0.304, atol=0.001)
    np.testing.assert_allclose(row["predicted_utilisation"], row["mfu"] * row["goodput"],
                               rtol=1e-12)
