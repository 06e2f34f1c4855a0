"""Tests of scaling.studies.systems: named systems side by side, against published figures."""


import numpy as np
import pandas as pd
import pytest

import scaling
from scaling.studies import budgets, run_time, systems
from scaling.assumptions import Assumptions

# Epoch AI, "Data on Notable AI Models" (https://epoch.ai/data/ai-models), GPT-4 row:
# 2.1e25 FLOP, 90% CI 8.2e24-4.4e25; two significant figures -> rtol 5e-2 on percentiles.
EPOCH_GPT4_COMPUTE_FLOP = 2.1e25
EPOCH_GPT4_P5_FLOP = 8.2e24
EPOCH_GPT4_P95_FLOP = 4.4e25

# SemiAnalysis figures recorded by Epoch for GPT-4: ~25,000 A100, 90-100 days, MFU 32-36%.
SEMIANALYSIS_GPT4_A100 = 25_000
SEMIANALYSIS_GPT4_DAYS = (90.0, 100.0)
SEMIANALYSIS_GPT4_MFU = (0.32, 0.36)

# NVIDIA GTC 2022: Eos, 4,608 H100 (576 DGX H100), "18.4 exaflops of AI" (3 s.f.).
NVIDIA2022_EOS_AI_FLOP_PER_S = 18.4e18
NVIDIA2022_EOS_N_H100 = 4608

# NVIDIA GB200 NVL72 product page: 1,440 PFLOPS FP4 (sparse) per 72-GPU rack (3 s.f.).
NVIDIA_GB200_NVL72_FP4_SPARSE_FLOP_PER_S = 1.44e18
NVIDIA_GB200_NVL72_GPUS = 72

# TOP500: Frontier June 2022 Rmax 1.102 EF; Eagle November 2023 Rmax 561.2 PF.
TOP500_FRONTIER_RMAX = 1.102e18
TOP500_EAGLE_RMAX = 561.2e15

FAST = {"n_samples": 4000, "seed": 1}


@pytest.fixture(scope="module")
def comparison():
    return systems.compare_systems()


# ----------------------------------------------------------------------------- reference runs

def test_reference_runs_table_has_sourced_gpt4_estimate():
    table = systems.reference_runs()
    assert table.loc["gpt-4", "compute_flop"] == EPOCH_GPT4_COMPUTE_FLOP
    assert table.loc["gpt-4", "compute_flop_lower"] == EPOCH_GPT4_P5_FLOP
    assert table.loc["gpt-4", "compute_flop_upper"] == EPOCH_GPT4_P95_FLOP
    assert "epoch.ai/data/ai-models" in table.loc["gpt-4", "source"]
    assert systems.reference_compute_flop() == EPOCH_GPT4_COMPUTE_FLOP


def test_unknown_reference_run_lists_valid_runs():
    with pytest.raises(ValueError, match="gpt-4"):
        systems.reference_compute_flop("gpt-5")


def test_semianalysis_gpt4_a100_cluster_takes_90_to_100_days():
    """The chain reproduces GPT-4's reported 90-100 days on ~25,000 A100 at 32-36% MFU."""
    cluster = scaling.Cluster(name="gpt-4 (SemiAnalysis)", accelerator="A100-SXM4-80GB",
                              n_accelerators=SEMIANALYSIS_GPT4_A100)
    mid_mfu = float(np.mean(SEMIANALYSIS_GPT4_MFU))
    days = systems.estimate_reference_run(cluster,
                                          assumptions=Assumptions(mfu=mid_mfu)).time_days
    # the reported range is itself approximate: accept it widened by 5%
    assert SEMIANALYSIS_GPT4_DAYS[0] * 0.95 <= days <= SEMIANALYSIS_GPT4_DAYS[1] * 1.05
    ideal = systems.estimate_reference_run(
        cluster, assumptions=Assumptions(mfu=mid_mfu, include_failures=False))
    expected = EPOCH_GPT4_COMPUTE_FLOP / (SEMIANALYSIS_GPT4_A100 * 312e12 * mid_mfu) / 86400
    np.testing.assert_allclose(ideal.time_days, expected, rtol=1e-12)


# ----------------------------------------------------------------------------- headlines

def test_nvidia2022_eos_18p4_exaflops_is_sparse_fp8():
    """18.4 'AI exaflops' = 4,608 H100 x 2 (2:4 sparsity) x dense fp8 peak, not bf16."""
    h100 = scaling.accelerator("H100-SXM")
    sparse_fp8 = NVIDIA2022_EOS_N_H100 * 2 * h100.peak_flop_per_s("fp8")
    np.testing.assert_allclose(sparse_fp8, NVIDIA2022_EOS_AI_FLOP_PER_S, rtol=0.01)
    dense_bf16 = NVIDIA2022_EOS_N_H100 * h100.peak_flop_per_s("bf16")
    assert NVIDIA2022_EOS_AI_FLOP_PER_S / dense_bf16 == pytest.approx(4.0, rel=0.01)


def test_nvidia_gb200_nvl72_headline_is_sparse_fp4():
    """1,440 PFLOPS per NVL72 rack = 72 x 4 x dense fp8 (fp4 doubles fp8, sparsity doubles)."""
    gb200 = scaling.accelerator("GB200")
    np.testing.assert_allclose(NVIDIA_GB200_NVL72_GPUS * 4 * gb200.peak_flop_per_s("fp8"),
                               NVIDIA_GB200_NVL72_FP4_SPARSE_FLOP_PER_S, rtol=5e-3)
    bench = [b for b in systems.reported_benchmarks() if b.system == "stargate-abilene"][0]
    per_gpu = bench.flop_per_s / bench.n_accelerators
    np.testing.assert_allclose(per_gpu * NVIDIA_GB200_NVL72_GPUS,
                               NVIDIA_GB200_NVL72_FP4_SPARSE_FLOP_PER_S, rtol=5e-3)


def test_top500_fp64_ranking_inverts_in_bf16_and_fp8():
    """Frontier leads Eagle 2:1 in FP64 HPL, ties it in dense bf16, trails it 1:2 in fp8."""
    table = systems.precision_comparison(["frontier", "azure-eagle"])

    def value(system, measure, precision):
        rows = table[(table.system == system) & (table.measure == measure)
                     & (table.precision == precision)]
        assert len(rows) == 1
        return float(rows.flop_per_s.iloc[0])

    fp64 = value("frontier", "TOP500 HPL Rmax", "fp64") / value("azure-eagle", "TOP500 HPL Rmax",
                                                                  "fp64")
    np.testing.assert_allclose(fp64, TOP500_FRONTIER_RMAX / TOP500_EAGLE_RMAX, rtol=1e-12)
    assert fp64 == pytest.approx(1.96, abs=0.01)
    bf16 = value("frontier", "dense peak", "bf16") / value("azure-eagle", "dense peak", "bf16")
    assert bf16 == pytest.approx(1.01, abs=0.01)
    fp8 = value("frontier", "dense peak", "bf16") / value("azure-eagle", "dense peak", "fp8")
    assert fp8 == pytest.approx(0.506, abs=0.005)
    assert not ((table.system == "frontier") & (table.precision == "fp8")).any()


def test_precision_comparison_ratios_and_scaling():
    table = systems.precision_comparison(["eos-top500", "eos-mlperf"])
    sustained = table[table.measure.str.startswith("sustained")]
    np.testing.assert_allclose(sustained.ratio_to_sustained_bf16, 1.0, rtol=1e-12)
    peak = table[(table.measure == "dense peak") & (table.precision == "bf16")]
    # the sustained rate is the reference run's (a compute-optimal GPT-4-scale run) MFU
    mfu = [systems.estimate_reference_run(name).mfu for name in ("eos-top500", "eos-mlperf")]
    np.testing.assert_allclose(peak.ratio_to_sustained_bf16, 1 / np.array(mfu), rtol=1e-12)
    headline = table[table.headline]
    assert list(headline.system) == ["eos-top500"]
    assert headline.scaled_from.iloc[0] == ""
    # every published figure carries a source
    assert (table.source.str.len() > 20).all()


def test_reported_benchmark_validates():
    with pytest.raises(ValueError, match="flop_per_s"):
        systems.ReportedBenchmark(system="x", measure="m", precision="fp64", sparse=False,
                                  flop_per_s=float("nan"), n_accelerators=1, headline=True,
                                  source="some source")


# ----------------------------------------------------------------------------- compare_systems

def test_compare_systems_rows_and_columns(comparison):
    assert list(comparison.index) == list(systems.DEFAULT_SYSTEMS)
    for column in ("n_params_30d", "n_params_100d", "n_tokens_30d", "goodput_100d",
                   "reference_time_days", "modelled_power_w", "modelled_capex_usd",
                   "headline_flop_per_s", "naive_reference_time_days"):
        assert column in comparison.columns
    assert (comparison.n_params_100d > comparison.n_params_30d).all()
    assert (comparison.compute_flop_100d > comparison.compute_flop_30d).all()
    assert np.isnan(comparison.loc["frontier", "peak_fp8_flop_per_s"])


def test_compare_systems_time_is_compute_over_sustained_times_goodput(comparison):
    row = comparison.loc["azure-eagle"]
    np.testing.assert_allclose(
        row.reference_time_s,
        row.reference_compute_flop / (row.sustained_flop_per_s * row.reference_goodput),
        rtol=1e-12)
    h100 = scaling.accelerator("H100-SXM")
    np.testing.assert_allclose(row.sustained_flop_per_s,
                               14_400 * h100.peak_flop_per_s("bf16") * row.mfu, rtol=1e-12)
    assert row.mfu_source == "step_time" and row.mfu_limit
    assert row.recovery == "restart" and row.restart_time_s == 150.0


def test_compare_systems_trainable_model_is_compute_optimal(comparison):
    for day in (30, 100):
        compute = comparison[f"compute_flop_{day}d"].to_numpy()
        optimum = scaling.compute_optimal(compute)
        np.testing.assert_allclose(comparison[f"n_params_{day}d"], optimum.n_params, rtol=1e-9)
        np.testing.assert_allclose(6 * comparison[f"n_params_{day}d"]
                                   * comparison[f"n_tokens_{day}d"], compute, rtol=1e-9)


def test_compare_systems_without_failures_matches_plain_division():
    table = systems.compare_systems(["frontier"], days=(30,),
                                    assumptions=Assumptions(include_failures=False,
                                                            mfu_model="generation_default"))
    row = table.loc["frontier"]
    assert row.reference_goodput == 1.0
    np.testing.assert_allclose(row.compute_flop_30d, row.sustained_flop_per_s * 30 * 86400,
                               rtol=1e-9)


def test_compare_systems_naive_headline_time(comparison):
    row = comparison.loc["frontier"]
    np.testing.assert_allclose(row.naive_reference_time_days,
                               EPOCH_GPT4_COMPUTE_FLOP / TOP500_FRONTIER_RMAX / 86400, rtol=1e-12)
    assert np.isnan(comparison.loc["stargate-2024", "naive_reference_time_days"])


def test_compare_systems_precision_best_uses_fp8_where_available():
    table = systems.compare_systems(["frontier", "azure-eagle"], precision="best", days=(30,))
    assert table.loc["frontier", "precision"] == "bf16"
    assert table.loc["azure-eagle", "precision"] == "fp8"
    with pytest.raises(ValueError, match="fp8"):
        systems.compare_systems(["frontier"], precision="fp8", days=(30,))
    with pytest.raises(ValueError, match="precision 'fp4'.*valid names: bf16, fp8, best"):
        systems.compare_systems(["frontier"], precision="fp4", days=(30,))


@pytest.mark.parametrize("bad", [0.0, 1.5, float("nan")])
def test_compare_systems_refuses_bad_mfu(bad):
    with pytest.raises(ValueError, match="mfu"):
        systems.compare_systems(["frontier"], days=(30,), assumptions=Assumptions(mfu=bad))


def test_compare_systems_refuses_bad_days_and_unknown_cluster():
    with pytest.raises(ValueError, match="days"):
        systems.compare_systems(["frontier"], days=(0,))
    with pytest.raises(ValueError, match="cluster 'hal-9000'.*valid names: .*frontier"):
        systems.compare_systems(["hal-9000"])
    with pytest.raises(ValueError, match="compute_flop"):
        systems.compare_systems(["frontier"], reference_compute_flop=-1.0)


# ----------------------------------------------------------------------------- sensitivity

def test_time_by_mfu_and_precision_scales_inversely_with_mfu():
    table = run_time.time_by_mfu_and_precision(["frontier", "azure-eagle"], mfu=(0.2, 0.4))
    assert set(zip(table.system, table.precision)) == {
        ("frontier", "bf16"), ("azure-eagle", "bf16"), ("azure-eagle", "fp8")}
    eagle = table[(table.system == "azure-eagle") & (table.precision == "bf16")]
    np.testing.assert_allclose(eagle.time_days.iloc[0] / eagle.time_days.iloc[1], 2.0, rtol=1e-12)
    fp8 = table[(table.system == "azure-eagle") & (table.precision == "fp8")]
    ratio = eagle.time_days.to_numpy() / fp8.time_days.to_numpy()
    np.testing.assert_allclose(ratio, 1979 / 989, rtol=1e-12)
    with pytest.raises(ValueError, match="precisions"):
        run_time.time_by_mfu_and_precision(["frontier"], precisions=("fp4",))


def test_run_time_sensitivity_cases():
    table = run_time.run_time_sensitivity("azure-eagle")
    assert set(table.input) == {"MFU", "failure rate", "restart time", "fast restart",
                                "precision", "training compute"}
    # swing is |high - low| in days (it was the max/min ratio)
    assert (table.swing > 0).all()
    np.testing.assert_allclose(table.swing, (table.output_high - table.output_low).abs(),
                               rtol=1e-12)
    assert list(table.swing) == sorted(table.swing, reverse=True)
    compute = table.set_index("input").loc["training compute"]
    base = table.attrs["baseline_time_days"]
    np.testing.assert_allclose(table.output_base, base, rtol=1e-12)
    # the baseline is the reference run with its predicted MFU held as a constant: the same
    # run with every accelerator in the job (the step-time layout leaves 64 of 14,400 idle,
    # whose failures do not interrupt it)
    reference = systems.estimate_reference_run("azure-eagle")
    np.testing.assert_allclose(base, systems.estimate_reference_run(
        "azure-eagle", assumptions=scaling.Assumptions(mfu=reference.mfu)).time_days,
        rtol=1e-12)
    np.testing.assert_allclose(base, reference.time_days, rtol=0.01)
    # time is nearly proportional to compute (goodput moves only through checkpoint size)
    np.testing.assert_allclose(compute.output_high / base,
                               EPOCH_GPT4_P95_FLOP / EPOCH_GPT4_COMPUTE_FLOP, rtol=0.02)
    precision = table.set_index("input").loc["precision"]
    mfu = systems.estimate_reference_run("azure-eagle").mfu
    np.testing.assert_allclose(precision.output_high / precision.output_low,
                               mfu / run_time.DEEPSEEK_V3_FP8_MFU, rtol=1e-9)
    assert (table.source.str.len() > 0).all()
    frontier = run_time.run_time_sensitivity("frontier", compute_flop=1e25)
    assert "precision" not in set(frontier.input)
    assert "training compute" not in set(frontier.input)


# ----------------------------------------------------------------------------- Monte Carlo

def test_sampler_reproduces_epoch_gpt4_compute_interval():
    samples = run_time.run_time_samples("azure-eagle", n_samples=200_000, seed=0)
    p5, p50, p95 = np.quantile(samples.compute_flop, [0.05, 0.5, 0.95])
    np.testing.assert_allclose([p5, p50, p95],
                               [EPOCH_GPT4_P5_FLOP, EPOCH_GPT4_COMPUTE_FLOP, EPOCH_GPT4_P95_FLOP],
                               rtol=0.02)


def test_run_time_samples_are_seeded_and_consistent():
    a = run_time.run_time_samples("frontier", **FAST)
    b = run_time.run_time_samples("frontier", **FAST)
    pd.testing.assert_frame_equal(a, b)
    c = run_time.run_time_samples("frontier", n_samples=4000, seed=2)
    assert not np.allclose(a.time_s, c.time_s)
    peak = scaling.accelerator("MI250X").peak_flop_per_s("bf16")
    np.testing.assert_allclose(a.time_s, a.compute_flop / (37_632 * peak * a.mfu * a.goodput),
                               rtol=1e-12)
    assert ((a.goodput > 0) & (a.goodput <= 1)).all()


def test_run_time_quantiles_bracket_the_median():
    table = run_time.run_time_quantiles(["frontier", "azure-eagle"], **FAST)
    assert list(table.columns) == ["time_days_p5", "time_days_p50", "time_days_p95"]
    assert (table.time_days_p5 < table.time_days_p50).all()
    assert (table.time_days_p50 < table.time_days_p95).all()
    with pytest.raises(ValueError, match="quantiles"):
        run_time.run_time_quantiles(["frontier"], quantiles=(1.5,), **FAST)
    with pytest.raises(ValueError, match="n_samples"):
        run_time.run_time_samples("frontier", n_samples=0)


def test_run_uncertainty_reads_the_default_spreads_at_call_time(monkeypatch):
    from scaling import uncertainty

    spread = uncertainty.Uncertain(p5_ratio=0.5, p95_ratio=1.5, source="an edited table")
    edited = {**uncertainty.DEFAULT_UNCERTAINTY, "mfu": spread}
    monkeypatch.setitem(uncertainty._TABLES, "DEFAULT_UNCERTAINTY", lambda: edited)
    assert run_time.RunUncertainty().mfu is spread


def test_run_uncertainty_validates():
    with pytest.raises(ValueError, match="reference run 'gpt-9'.*valid names: .*gpt-4"):
        run_time.RunUncertainty(run="gpt-9")
    with pytest.raises(ValueError, match="Uncertain"):
        run_time.RunUncertainty(mfu=0.3)
    # the restart time is an assumption of the chain now, not of the Monte Carlo spec
    with pytest.raises(ValueError, match="restart_time_s"):
        Assumptions().replace(restart_time_s=-1.0)
    compute = run_time.RunUncertainty().compute()
    assert compute.median_ratio == 1.0
    assert compute.p5_ratio == pytest.approx(EPOCH_GPT4_P5_FLOP / EPOCH_GPT4_COMPUTE_FLOP)
    assert compute.p95_ratio == pytest.approx(EPOCH_GPT4_P95_FLOP / EPOCH_GPT4_COMPUTE_FLOP)
    # Frontier's own restart time is 30 minutes (data/resilience.csv)
    default = run_time.run_time_samples("frontier", **FAST)
    fast = run_time.run_time_samples("frontier", **FAST,
                                    assumptions=Assumptions().replace(restart_time_s=150.0))
    assert (default.goodput < fast.goodput).all()


# ----------------------------------------------------------------------------- budgets

def test_budget_scenarios_binding_constraint():
    table = budgets.budget_scenarios("GB200", budget_usd=1e11, power_w=1e9, days=(30,))
    assert table.loc["budget", "capex_usd"] <= 1e11
    assert table.loc["power", "peak_facility_power_w"] <= 1e9
    both = table.loc["both"]
    assert both.n_accelerators == min(table.loc["budget", "n_accelerators"],
                                      table.loc["power", "n_accelerators"])
    assert both.binding == "power"
    assert (table.n_params_30d > 0).all()
    with pytest.raises(ValueError):
        budgets.budget_scenarios("GB200", budget_usd=-1.0)


# ----------------------------------------------------------------------------- plots

def test_plots_build_charts(comparison):
    from scaling.plots import systems as charts

    specs = [
        charts.flop_per_s_chart(systems.precision_comparison()).to_dict(),
        charts.time_sensitivity_chart(run_time.time_by_mfu_and_precision(["frontier"]),
                                      reported_days=95).to_dict(),
        charts.trainable_model_chart(comparison).to_dict(),
        charts.time_interval_chart(run_time.run_time_quantiles(["frontier"], **FAST)).to_dict(),
    ]
    assert all("$schema" in spec for spec in specs)
    with pytest.raises(ValueError, match="needs columns"):
        charts.trainable_model_chart(comparison, days=(7,))
