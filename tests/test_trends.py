"""Tests of scaling.trends: fitted hardware trends and the typical accelerator of a year."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import scaling
from scaling import trends as tr
from scaling.studies import trends as study
from scaling.cost import EPOCH_SERVER_COST_OVERHEAD

# Published doubling times, typed from the sources (the data helper's
# data/published_trends.csv has the same columns).
PUBLISHED = pd.DataFrame([
    # Hobbhahn & Besiroglu (2022), "Trends in GPU price-performance", Epoch AI, Table 1
    # (95% CIs): ML GPUs n=26; all GPUs n=470.
    {"quantity": "peak_flop_per_s_per_usd", "precision": "fp32/fp16 (ML GPUs)",
     "doubling_time_years": 2.07, "ci_lower": 1.54, "ci_upper": 3.13,
     "source": "Hobbhahn & Besiroglu 2022, Trends in GPU price-performance, Table 1"},
    {"quantity": "peak_flop_per_s_per_usd", "precision": "fp32 (all GPUs)",
     "doubling_time_years": 2.46, "ci_lower": 2.24, "ci_upper": 2.72,
     "source": "Hobbhahn & Besiroglu 2022, Trends in GPU price-performance, Table 1"},
    # Hobbhahn, Heim & Aydos (2023), "Trends in Machine Learning Hardware", Epoch AI:
    # energy efficiency ~3 years, memory capacity ~4 years, bandwidth ~4.1 years (no CI given).
    {"quantity": "peak_flop_per_s_per_w", "precision": "ML GPUs",
     "doubling_time_years": 3.0, "ci_lower": math.nan, "ci_upper": math.nan,
     "source": "Epoch AI 2023, Trends in Machine Learning Hardware"},
    {"quantity": "memory_bytes", "precision": "all",
     "doubling_time_years": 4.0, "ci_lower": math.nan, "ci_upper": math.nan,
     "source": "Epoch AI 2023, Trends in Machine Learning Hardware"},
    {"quantity": "training_compute_flop", "precision": "all",
     "doubling_time_years": 0.5, "ci_lower": math.nan, "ci_upper": math.nan,
     "source": "not a hardware quantity: must be left out"},
])


def synthetic_catalog(slope=0.15, n=30, noise=0.05, seed=1):
    """A catalog whose every quantity follows log10 q = a + slope * (year - 2015) + noise."""
    rng = np.random.default_rng(seed)
    years = np.linspace(2015.0, 2025.0, n)
    base = slope * (years - 2015.0)

    def draw(level):
        return 10.0 ** (level + base + rng.normal(0.0, noise, n))

    dates = [f"{int(y)}-{1 + int((y % 1) * 12):02d}-01" for y in years]
    peak = draw(14.0)
    return pd.DataFrame({
        "name": [f"chip-{i}" for i in range(n)], "release_date": dates,
        "peak_bf16_flop_per_s": peak, "peak_fp8_flop_per_s": 2.0 * peak,
        "tdp_w": peak / draw(12.0), "tdp_estimated": False,
        "price_usd": peak / draw(10.0), "price_includes_server": False,
        "memory_bytes": draw(10.0), "memory_bandwidth_byte_per_s": draw(12.0),
    })


# --------------------------------------------------------------------------------------------
# fitting
# --------------------------------------------------------------------------------------------

def test_ols_recovers_a_known_doubling_time():
    catalog = synthetic_catalog(slope=0.15)
    truth = math.log10(2) / 0.15  # 2.007 years
    for quantity in ("peak_flop_per_s", "memory_bytes"):
        fit = tr.fit_trend(quantity, catalog=catalog)
        low, high = fit.doubling_time_ci_years
        assert low < truth < high
        assert fit.doubling_time_years == pytest.approx(truth, rel=0.05)
        assert fit.residual_std_log10 == pytest.approx(0.05, rel=0.35)
        assert fit.n == 30


def test_fit_matches_a_direct_least_squares_solution():
    fit = tr.fit_trend("peak_flop_per_s")
    frame = fit.to_frame()
    slope, intercept = np.polyfit(frame["release_year"], frame["log10_value"], 1)
    assert fit.slope_log10_per_year == pytest.approx(slope, rel=1e-9)
    assert fit.intercept_log10 == pytest.approx(intercept, rel=1e-9)
    assert frame["residual_log10"].abs().max() > 0


def test_price_performance_against_hobbhahn_besiroglu_2022_ml_gpus():
    # Published: FLOP/s per $ of ML GPUs doubles every 2.07 years [1.54, 3.13] (95%).
    fit = tr.fit_trend("peak_flop_per_s_per_usd", precision="bf16")
    low, high = fit.doubling_time_ci_years
    assert low <= 2.07 <= high
    assert 1.54 <= fit.doubling_time_years <= 3.13
    # ... and Epoch's 0.14 orders of magnitude per year (Cottier et al. 2024's depreciation).
    assert fit.slope_ci_log10_per_year[0] <= 0.14 <= fit.slope_ci_log10_per_year[1]


def test_energy_efficiency_against_epoch_2023_trends_in_ml_hardware():
    # Published: FLOP/s per W of ML GPUs doubles every ~3 years (no interval given).
    fit = tr.fit_trend("peak_flop_per_s_per_w", precision="bf16")
    low, high = fit.doubling_time_ci_years
    assert low <= 3.0 <= high


def test_server_inclusive_prices_are_put_on_a_chip_basis():
    fit = tr.fit_trend("peak_flop_per_s_per_usd")
    frame = fit.to_frame().set_index("name")
    h100 = scaling.accelerator("H100-SXM")
    assert h100.price_includes_server
    expected = h100.peak_bf16_flop_per_s / (h100.price_usd / EPOCH_SERVER_COST_OVERHEAD)
    assert frame.loc["H100-SXM", "value"] == pytest.approx(expected, rel=1e-12)
    a100 = scaling.accelerator("A100-SXM4-40GB")
    assert frame.loc["A100-SXM4-40GB", "value"] == pytest.approx(
        a100.peak_bf16_flop_per_s / a100.price_usd, rel=1e-12)
    indicator = tr.fit_trend("peak_flop_per_s_per_usd", server_adjustment="indicator")
    assert np.isfinite(indicator.server_effect_log10)
    assert math.isnan(fit.server_effect_log10)


def test_estimated_tdps_are_left_out_of_the_efficiency_fit_by_default():
    names = tr.fit_trend("peak_flop_per_s_per_w").names
    assert "TPU-v5p" not in names and "H100-SXM" in names
    assert "TPU-v5p" in tr.fit_trend("peak_flop_per_s_per_w", include_estimated_tdp=True).names


def test_frontier_is_the_running_record_of_peak():
    bf16 = tr.frontier_accelerators("bf16")
    assert bf16[:3] == ("V100-SXM2-32GB", "A100-SXM4-40GB", "A100-SXM4-80GB")
    assert {"H100-SXM", "MI300X", "B200", "GB200", "MI355X"} <= set(bf16)
    assert not {"H200-SXM", "TPU-v7", "B300", "TPU-v5e"} & set(bf16)
    assert tr.frontier_accelerators("fp8")[0] == "H100-SXM"


def test_prediction_interval_contains_the_estimate_and_widens_out_of_range():
    fit = tr.fit_trend("peak_flop_per_s")
    table = fit.predict([2022.0, 2035.0], level=0.9)
    assert (table["lower"] < table["estimate"]).all() and (table["estimate"] < table["upper"]).all()
    assert table["log10_std"].iloc[1] > table["log10_std"].iloc[0]
    frontier = fit.predict(2025.0, basis="frontier")
    average = fit.predict(2025.0, basis="average")
    assert frontier["log10_estimate"].iloc[0] - average["log10_estimate"].iloc[0] == \
        pytest.approx(fit.frontier_offset_log10)
    assert isinstance(fit.estimate(2025.0), float)
    assert isinstance(fit.estimate(np.array([2025.0, 2026.0])), np.ndarray)


def test_fit_results_report():
    fit = tr.fit_trend("peak_flop_per_s_per_usd")
    summary = fit.summary()
    assert summary.loc[0, "doubling_time_years"] == pytest.approx(fit.doubling_time_years)
    assert "doubles every" in fit._repr_html_()
    trends = tr.hardware_trends("bf16")
    assert list(trends.summary()["quantity"]) == list(tr.QUANTITIES)
    assert set(trends.to_frame()["quantity"]) == set(tr.QUANTITIES)
    corr = np.asarray(trends.residual_correlation)
    np.testing.assert_allclose(np.diag(corr), 1.0)
    assert np.linalg.eigvalsh(corr).min() > 0
    assert "Hardware trends" in trends._repr_html_()
    from scaling.results import Result

    assert isinstance(fit, Result) and isinstance(trends, Result)


def test_fit_refuses_bad_requests():
    with pytest.raises(ValueError, match="did you mean 'memory_bytes'"):
        tr.fit_trend("memory_byte")
    with pytest.raises(ValueError, match="unknown precision 'fp16'"):
        tr.fit_trend("peak_flop_per_s", precision="fp16")
    catalog = scaling.list_accelerators()
    few = catalog[catalog["name"].isin(["H100-SXM", "B200", "A100-SXM4-40GB"])]
    with pytest.raises(ValueError, match="at least 5"):
        tr.fit_trend("peak_flop_per_s", catalog=few)
    recent = catalog[catalog["release_date"] >= "2024-06-01"]
    with pytest.raises(ValueError, match="span"):
        tr.fit_trend("peak_flop_per_s", catalog=recent)
    with pytest.raises(ValueError, match="missing"):
        tr.fit_trend("peak_flop_per_s", catalog=catalog.drop(columns=["tdp_w"]))


# --------------------------------------------------------------------------------------------
# published comparison and out-of-sample check
# --------------------------------------------------------------------------------------------

def test_compare_doubling_times_side_by_side():
    out = study.compare_doubling_times(PUBLISHED)
    assert "training_compute_flop" not in set(out["quantity"])
    row = out[(out["quantity"] == "peak_flop_per_s_per_usd")
              & (out["fitted_precision"] == "bf16")
              & (out["published_doubling_time_years"] == 2.07)].iloc[0]
    fit = tr.fit_trend("peak_flop_per_s_per_usd")
    assert row["fitted_doubling_time_years"] == pytest.approx(fit.doubling_time_years)
    assert row["ratio"] == pytest.approx(fit.doubling_time_years / 2.07)
    assert row["intervals_overlap"] == True  # noqa: E712 (object column)
    bandwidth = out[out["quantity"] == "memory_bandwidth_byte_per_s"]
    assert bandwidth["published_doubling_time_years"].isna().all()
    assert bandwidth["intervals_overlap"].isna().all()
    with pytest.raises(ValueError, match="missing"):
        study.compare_doubling_times(PUBLISHED.drop(columns=["source"]))


def test_trend_backtest_beats_no_progress_on_an_exact_trend():
    out = study.trend_backtest(2022.0, catalog=synthetic_catalog(noise=0.0))
    assert len(out) > 0
    assert out["trend_fold_error"].max() < 1.05
    assert (out["naive_fold_error"] > out["trend_fold_error"]).all()


def test_trend_backtest_on_the_catalog_reports_both_errors():
    out = study.trend_backtest(2024.0)
    assert set(out["name"]) >= {"B200", "GB200"}
    assert (out["trend_fold_error"] >= 1).all() and (out["naive_fold_error"] >= 1).all()
    # Efficiency is the trend that carries information a year or two out.
    per_w = out[out["quantity"] == "peak_flop_per_s_per_w"]
    assert per_w["trend_fold_error"].median() < per_w["naive_fold_error"].median()


# --------------------------------------------------------------------------------------------
# typical accelerator
# --------------------------------------------------------------------------------------------

def test_typical_2025_accelerator_resembles_the_2025_flagships():
    chip = tr.typical_accelerator(2025)
    gb200 = scaling.accelerator("GB200")
    assert chip.name == "typical-2025" and chip.release_date == "2025-07-01"
    assert 1 / 1.3 < chip.peak_bf16_flop_per_s / gb200.peak_bf16_flop_per_s < 1.3
    assert 1 / 1.3 < chip.tdp_w / gb200.tdp_w < 1.3
    assert 1 / 1.5 < chip.memory_bytes / gb200.memory_bytes < 1.5
    assert 1 / 1.3 < chip.memory_bandwidth_byte_per_s / gb200.memory_bandwidth_byte_per_s < 1.3
    chip_basis = gb200.price_usd / EPOCH_SERVER_COST_OVERHEAD
    assert 1 / 2 < chip.price_usd / chip_basis < 2
    assert not chip.price_includes_server
    assert chip.peak_fp8_flop_per_s == pytest.approx(2.0 * chip.peak_bf16_flop_per_s)
    assert chip.default_mfu > 0


def test_typical_accelerator_is_consistent_with_the_fits():
    trends = tr.hardware_trends("bf16")
    chip = tr.typical_accelerator(2030, trends=trends)
    when = scaling.dates.as_year("2030-07-01")
    peak = trends.fit("peak_flop_per_s").estimate(when, basis="frontier")
    per_usd = trends.fit("peak_flop_per_s_per_usd").estimate(when, basis="frontier")
    per_w = trends.fit("peak_flop_per_s_per_w").estimate(when, basis="frontier")
    assert chip.peak_bf16_flop_per_s == pytest.approx(peak)
    assert chip.price_usd == pytest.approx(peak / per_usd)
    assert chip.tdp_w == pytest.approx(peak / per_w)
    later = tr.typical_accelerator(2035, trends=trends)
    assert later.peak_bf16_flop_per_s > chip.peak_bf16_flop_per_s
    assert later.peak_bf16_flop_per_s / later.price_usd > chip.peak_bf16_flop_per_s / chip.price_usd
    average = tr.typical_accelerator(2030, basis="average")
    assert average.name == "typical-average-2030"
    assert average.peak_bf16_flop_per_s < chip.peak_bf16_flop_per_s
    fp8 = tr.typical_accelerator(2027, precision="fp8")
    assert fp8.peak_bf16_flop_per_s == pytest.approx(fp8.peak_fp8_flop_per_s / 2.0)


def test_typical_accelerator_refuses_bad_years():
    with pytest.raises(ValueError, match="whole calendar year"):
        tr.typical_accelerator(2030.5)
    with pytest.raises(ValueError, match="between 2020 .from then on every trend has data. and 2040"):
        tr.typical_accelerator(2045)
    with pytest.raises(ValueError, match="calendar year"):
        tr.typical_accelerator("2030")
    with pytest.raises(ValueError, match="fitted for 'bf16'"):
        tr.typical_accelerator(2030, precision="fp8", trends=tr.hardware_trends("bf16"))
    with pytest.raises(ValueError, match="unknown basis .best."):
        tr.typical_accelerator(2030, basis="best")


def test_draws_are_seeded_centred_and_match_the_prediction_interval():
    trends = tr.hardware_trends("bf16")
    draws = tr.typical_accelerator_draws(2030, 20_000, 7, trends=trends)
    again = tr.typical_accelerator_draws(2030, 20_000, 7, trends=trends)
    pd.testing.assert_frame_equal(draws, again)
    chip = tr.typical_accelerator(2030, trends=trends)
    assert np.median(draws["peak_bf16_flop_per_s"]) == pytest.approx(
        chip.peak_bf16_flop_per_s, rel=0.03)
    interval = trends.fit("peak_flop_per_s").predict(
        scaling.dates.as_year("2030-07-01"), basis="frontier", level=0.9)
    low, high = np.quantile(draws["peak_bf16_flop_per_s"], [0.05, 0.95])
    assert low == pytest.approx(interval["lower"].iloc[0], rel=0.05)
    assert high == pytest.approx(interval["upper"].iloc[0], rel=0.05)
    corr = np.corrcoef(np.log10(draws["peak_flop_per_s_per_usd"]),
                       np.log10(draws["peak_flop_per_s_per_w"]))[0, 1]
    assert corr == pytest.approx(trends.correlation_frame().loc[
        "peak_flop_per_s_per_usd", "peak_flop_per_s_per_w"], abs=0.05)
    np.testing.assert_allclose(draws["price_usd"],
                               draws["peak_bf16_flop_per_s"] / draws["peak_flop_per_s_per_usd"])


def test_draws_refuse_bad_counts():
    with pytest.raises(ValueError, match="n must be"):
        tr.typical_accelerator_draws(2030, 0)
    with pytest.raises(ValueError, match="n must be"):
        tr.typical_accelerator_draws(2030, 10.5)
    with pytest.raises(ValueError, match="seed"):
        tr.typical_accelerator_draws(2030, 10, seed="x")


def test_typical_accelerator_table_has_bands_per_year():
    table = study.typical_accelerator_table([2027, 2030], n=2000)
    assert set(table["year"]) == {2027, 2030}
    assert (table["lower"] < table["median"]).all() and (table["median"] < table["upper"]).all()
    peak = table[table["quantity"] == "peak_bf16_flop_per_s"].set_index("year")
    assert peak.loc[2030, "upper"] / peak.loc[2030, "lower"] > \
        peak.loc[2027, "upper"] / peak.loc[2027, "lower"]


# --------------------------------------------------------------------------------------------
# the curated published table, caching
# --------------------------------------------------------------------------------------------

def test_fitted_doubling_times_beside_hobbhahn_besiroglu_2022_and_epoch_2023():
    # data/published_trends.csv: ML GPUs' FLOP/s per $ doubles every 2.07 years [1.54, 3.13]
    # (Hobbhahn & Besiroglu 2022, Table 1, 95% CI); FLOP/s per W of ML GPUs every ~3.0 years
    # (Hobbhahn, Heim & Aydos 2023). Fitted on the catalog (bf16): 2.13 years [1.31, 5.74]
    # and 3.41 years [2.78, 4.42], each interval holding the published value.
    published = study.published_doubling_times()
    assert set(published["quantity"]) <= set(tr.QUANTITIES)
    assert published["source"].str.len().gt(20).all()
    table = study.compare_doubling_times()
    bf16 = table[table["fitted_precision"] == "bf16"]
    usd = bf16[(bf16["quantity"] == "peak_flop_per_s_per_usd")
               & (bf16["published_precision"] == "ML GPUs, FP32 (n=26)")].iloc[0]
    assert usd["published_doubling_time_years"] == 2.07
    assert usd["fitted_doubling_time_years"] == pytest.approx(2.13, abs=0.01)
    assert (usd["fitted_ci_lower"], usd["fitted_ci_upper"]) == pytest.approx((1.31, 5.74),
                                                                           abs=0.01)
    assert usd["intervals_overlap"] == True  # noqa: E712 (object column)
    watt = bf16[(bf16["quantity"] == "peak_flop_per_s_per_w")
                & (bf16["published_precision"] == "ML GPUs, FP32")].iloc[0]
    assert watt["published_doubling_time_years"] == 3.0
    assert watt["fitted_ci_lower"] <= 3.0 <= watt["fitted_ci_upper"]
    assert watt["fitted_doubling_time_years"] == pytest.approx(3.41, abs=0.01)


def test_default_trends_are_cached_until_the_catalog_reloads():
    first = tr.hardware_trends("bf16")
    assert tr.hardware_trends("bf16") is first
    assert tr.typical_accelerator(2030) is tr.typical_accelerator(2030)
    scaling.data.reload()
    again = tr.hardware_trends("bf16")
    assert again is not first and again == first
