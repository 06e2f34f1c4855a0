"""The whole-run efficiency as a fitted distribution with presets (issue 15)."""

import math

import numpy as np
import pytest

import scaling
from scaling import Assumptions, estimate_run
from scaling.efficiency import (
    LARGE_LAB_MIN_ACCELERATORS, resolve_run_efficiency, run_efficiency_presets,
)
from scaling.studies import efficiency as study
from scaling.studies.backtesting import efficiency_runs


@pytest.fixture(scope="module")
def runs():
    return efficiency_runs()


@pytest.fixture(scope="module")
def fit(runs):
    return study.fit_run_efficiency(runs)


def test_presets_refit_from_the_developer_reported_runs(fit):
    """data/run_efficiency.csv holds what the fit gives (4 decimals) and the runs behind it."""
    presets = run_efficiency_presets()
    for row in fit.presets.to_dict("records"):
        preset = presets[row["preset"]]
        for name in ("run_efficiency", "log_sd", "band_log_halfwidth"):
            assert getattr(preset, name) == pytest.approx(row[name], abs=1e-4), name
        assert preset.n_runs == row["n_runs"]
        assert preset.runs == tuple(row["runs"].split("; "))


def test_large_lab_preset_is_its_criterion(runs):
    large = runs[runs["in_large_lab_production"]]
    assert (large["n_accelerators"] >= LARGE_LAB_MIN_ACCELERATORS).all()
    assert set(large["time_basis"]) == {"gpu_hours_reported"}
    assert {"Llama 3.1 405B", "DeepSeek-V3", "Falcon-180B", "LLaMA-65B"} <= set(large["name"])


def test_which_effects_the_data_can_tell_apart(fit):
    """Time basis, job size, year and TPU: none is distinguishable from zero at 90% on these
    runs (the README and notebook 04 say so); pinned so that new runs that change it show."""
    table = fit.coefficients.set_index("term")
    assert list(table.index) == ["Intercept", *study.EFFICIENCY_TERMS]
    assert not table.loc[list(study.EFFICIENCY_TERMS), "distinguishable"].any()
    assert (table["ci_low"] < table["estimate"]).all() and (
        table["estimate"] < table["ci_high"]).all()
    assert fit.n_runs == 35


def test_monte_carlo_draws_the_default_presets_predictive_distribution():
    preset = run_efficiency_presets()["median_published_run"]
    spread = scaling.DEFAULT_UNCERTAINTY["mfu"]
    assert spread.p95_ratio == pytest.approx(math.exp(preset.band_log_halfwidth), rel=1e-12)
    assert spread.p5_ratio == pytest.approx(math.exp(-preset.band_log_halfwidth), rel=1e-12)


def test_leave_one_out_coverage_near_nominal(runs):
    bands = study.leave_one_out_bands(runs)
    table = study.coverage_table(bands).set_index("nominal")["covered"]
    assert 0.85 <= table[0.9] <= 0.95
    assert 0.7 <= table[0.8] <= 0.9


@pytest.mark.parametrize("name", ["Llama 3.1 405B", "DeepSeek-V3"])
def test_grattafiori2024_and_deepseek2024_inside_the_default_band(runs, name):
    """Llama 3.1 405B's 30.84M H100-hours (Grattafiori et al. 2024, arXiv:2407.21783) and
    DeepSeek-V3's 2.788M H800-hours (DeepSeek-AI 2024, arXiv:2412.19437, Table 1) each lie
    inside the default P5-P95 predicted without them."""
    row = study.leave_one_out_bands(runs).set_index("name").loc[name]
    assert row["p5_hours"] <= row["reported_hours"] <= row["p95_hours"]


@pytest.mark.parametrize("name", ["Llama 3.1 405B", "DeepSeek-V3"])
def test_grattafiori2024_and_deepseek2024_within_1p25x_under_the_large_lab_preset(runs, name):
    """Under the well-tuned large-lab preset, refitted without the run itself."""
    row = study.leave_one_out_bands(runs, preset="large_lab_production").set_index(
        "name").loc[name]
    assert max(row["ratio"], 1 / row["ratio"]) <= 1.25


def test_run_efficiency_setting_is_resolved_once_and_scales_mfu():
    base = estimate_run(3.8e25, cluster="llama3-16k", n_params=405e9)
    lab = estimate_run(3.8e25, cluster="llama3-16k", n_params=405e9,
                       assumptions=Assumptions(run_efficiency="large_lab_production"))
    ratio = (run_efficiency_presets()["large_lab_production"].run_efficiency
             / run_efficiency_presets()["median_published_run"].run_efficiency)
    assert lab.mfu / base.mfu == pytest.approx(ratio, rel=1e-9)
    explicit = estimate_run(3.8e25, cluster="llama3-16k", n_params=405e9,
                            assumptions=Assumptions(run_efficiency=0.9))
    assert explicit.mfu == pytest.approx(0.9 * base.throughput.step_mfu, rel=1e-9)


def test_bad_run_efficiency_named_in_the_users_terms():
    with pytest.raises(ValueError, match="did you mean 'large_lab_production'"):
        Assumptions(run_efficiency="large_lab")
    with pytest.raises(ValueError, match=r"run_efficiency must be in \(0, 1\]"):
        Assumptions(run_efficiency=1.5)
    with pytest.raises(ValueError, match="run_efficiency"):
        Assumptions(run_efficiency=-1)
    assert resolve_run_efficiency(1.0) == 1.0


def test_run_efficiency_with_a_constant_mfu_is_refused():
    """A constant MFU is already a whole run's: an efficiency beside it would be ignored, so
    it is refused in the user's terms (the default preset beside it is fine)."""
    with pytest.raises(ValueError, match="run_efficiency=.*step-time model only.*mfu=0.4"):
        Assumptions(mfu=0.4, run_efficiency="large_lab_production")
    with pytest.raises(ValueError, match="mfu_model='generation_default'"):
        Assumptions(mfu_model="generation_default", run_efficiency=0.9)
    assert Assumptions(mfu=0.4).mfu == 0.4


def test_moe_active_parameters_need_the_total_and_a_model_fixes_the_size():
    with pytest.raises(ValueError, match="n_active_params needs n_params"):
        estimate_run(3.3e24, accelerator="H800", n_accelerators=2048, n_active_params=37e9)
    frame = scaling.forecast(None, model="Mixtral 8x22B", accelerator="H100",
                             n_accelerators=2048).to_frame()
    shape = scaling.model_shape.named_shape("Mixtral 8x22B")
    assert frame["n_params"][0] == shape.n_params
    np.testing.assert_allclose(frame["compute_flop"], 6 * shape.n_active_params
                               * frame["n_tokens"], rtol=1e-12)


def test_coverage_table_reads_the_pit():
    import pandas as pd

    bands = pd.DataFrame({"pit": np.linspace(0.025, 0.975, 20)})
    table = study.coverage_table(bands, levels=[0.5, 0.9]).set_index("nominal")["covered"]
    assert table[0.5] == pytest.approx(0.5, abs=0.06)
    assert table[0.9] == pytest.approx(0.9, abs=0.06)


# ---- per-step measurements (issue 15, item 4): measured, pinned, misses listed ------------------

@pytest.fixture(scope="module")
def per_step():
    from scaling.studies import calibration

    return (calibration.per_step_summary(calibration.per_step_check()),
            calibration.per_step_summary(calibration.per_step_check(own_search=True)))


def test_per_step_rows_cover_the_known_miss_classes(per_step):
    published, _ = per_step
    assert published.loc["all", "n_rows"] >= 60
    assert {"fp8", "long context (>= 32k tokens)", "FSDP, Hopper", "FSDP, Ampere",
            "3D parallel (papers)", "TPU slices (ICI + DCN)"} <= set(published.index)


def test_mosaicml_llm_foundry_per_step_figures_pinned(per_step):
    """Out of sample on MosaicML's llm-foundry MPT benchmarks and the 3D-parallel papers: pinned
    so that a change of the step-time model shows here (notebook 04, section 4, and the README
    quote them). The published-layout figures are out of sample (the layout gap touches only
    the two rows that publish no tp, pp and dp) and meet issue 15's median target (1.12x). The own-search bias meets its 5% target in
    sample only: the layout gap is fitted on these rows' two predictions (no reported figure);
    fitted on one table and checked on the other it is not met
    (test_layout_gap_held_out_by_table)."""
    published, own = per_step
    assert published.loc["all", "median_fold_error"] == pytest.approx(1.061, abs=0.005)
    assert published.loc["all", "median_fold_error"] <= 1.12      # issue 15's target
    assert own.loc["all", "median_fold_error"] == pytest.approx(1.088, abs=0.005)
    assert own.loc["all", "median_fold_error"] <= 1.12
    assert own.loc["all", "geometric_mean_ratio"] == pytest.approx(1.024, abs=0.01)
    assert published.loc["all", "n_feasible"] == 220
    assert published.loc["fp8", "geometric_mean_ratio"] > 1.15     # the fp8 miss that remains


def test_maxtext_v5e_slices_are_a_listed_miss():
    """MaxText's TPU v5e benchmarks (1-32 slices of 256 chips joined over the data-center
    network): with the published layout most configurations do not fit the model's memory on
    16 GB chips, and those that fit are predicted too slow with no cost from more slices (the
    reported MFU falls from 0.59 to 0.55 for 16B from 2 to 32 slices; the model stays at 0.46).
    Pinned as the honest state; the own search does better (bias about 0.92)."""
    from scaling.studies import calibration

    check = calibration.per_step_check(("maxtext_benchmarks",))
    assert (~check["feasible"]).sum() >= 12
    fits = check[check["feasible"]]
    assert (fits["ratio"] < 0.9).all()
    flat = fits[fits["name"].str.startswith("MaxText 16B")]["predicted_mfu"]
    assert flat.max() / flat.min() < 1.01
    own = calibration.per_step_summary(calibration.per_step_check(("maxtext_benchmarks",),
                                                                   own_search=True))
    assert own.loc["all", "geometric_mean_ratio"] == pytest.approx(0.92, abs=0.03)


def test_layout_gap_held_out_by_table():
    """The gap fitted on MosaicML's FSDP rows alone, checked on the 3D-parallel papers, and the
    other way round: the own-search bias is then 1.16 and 0.94, outside 5%. The gap depends on
    the regime (FSDP on one node vs 3D parallelism at scale); one constant sits between."""
    from scaling.studies import calibration

    bias = calibration.layout_gap_held_out()["geometric_mean_ratio"]
    assert bias["parallel_benchmarks"] == pytest.approx(1.16, abs=0.03)
    assert bias["llm_foundry_benchmarks"] == pytest.approx(0.94, abs=0.03)


def test_triton_kernel_across_its_papers_range():
    """The Triton FlashAttention's slowdown is read at the geometric middle of Dao's (2023)
    1.3-2.5x; anywhere in that range the published-layout median stays within 1.14x (the
    middle: 1.05x), so the result does not hang on the reading."""
    from scaling import kernels
    from scaling.studies import calibration

    base = kernels.ATTENTION_KERNEL_EFFICIENCY
    try:
        for slowdown in (1.3, 2.5):
            kernels.ATTENTION_KERNEL_EFFICIENCY = {
                **base, ("triton", "ampere"): kernels._FLASH2_AMPERE / slowdown,
                ("triton", "hopper"): kernels._FLASH2_HOPPER / slowdown}
            check = calibration.per_step_check(("llm_foundry_benchmarks",))
            median = calibration.per_step_summary(check).loc["all", "median_fold_error"]
            assert median <= 1.14, slowdown
    finally:
        kernels.ATTENTION_KERNEL_EFFICIENCY = base


def test_layout_search_gap_is_its_fit():
    """LAYOUT_SEARCH_GAP is what :func:`calibration.layout_gap` gives (3 decimals): searched
    over published-layout per-step MFU, predictions only."""
    from scaling.plan_search import LAYOUT_SEARCH_GAP
    from scaling.studies import calibration

    fit = calibration.layout_gap()
    assert LAYOUT_SEARCH_GAP == pytest.approx(fit["gap"], abs=5e-4)
    assert fit["n_rows"] >= 200
    assert all(1.0 <= gap < 1.35 for gap in fit["by_class"].values())


def test_layout_gap_applies_to_a_searched_plan_only():
    from scaling.plan_search import LAYOUT_SEARCH_GAP, plan_parallelism

    searched = plan_parallelism("MPT-7B", "H100-SXM", 64)
    fastest = plan_parallelism("MPT-7B", "H100-SXM", 64, layout_gap=1.0)
    assert searched.step_time_s == pytest.approx(LAYOUT_SEARCH_GAP * fastest.step_time_s)
    assert sum(searched.breakdown_s.values()) == pytest.approx(searched.step_time_s)
    given = plan_parallelism("MPT-7B", "H100-SXM", 64, **{
        k: getattr(fastest.layout, k) for k in ("tp", "pp", "dp", "micro_batch")})
    assert given.breakdown_s["layout_gap_s"] == 0.0
    assert given.step_time_s == pytest.approx(fastest.step_time_s)
    # a layout whose tp, pp and dp are still searched keeps the gap
    partial = plan_parallelism("MPT-7B", "H100-SXM", 64, zero_stage=fastest.layout.zero_stage)
    assert partial.breakdown_s["layout_gap_s"] > 0.0
    assert "layout gap" in searched.limit and "layout gap" not in given.limit


@pytest.mark.parametrize("kwargs, match", [
    ({"layout_gap": 0.9}, "layout_gap must be >= 1.*fastest plan"),
    ({"layout_gap": float("nan")}, "layout_gap"),
    ({"layout_gap": "x"}, "layout_gap"),
    ({"attention_kernel": "flash4"}, "attention_kernel.*flash"),
    ({"attention_kernel": "flash3", "accelerator": "A100-SXM4-80GB"}, "no published efficiency on ampere"),
])
def test_step_time_knobs_refuse_bad_values_by_name(kwargs, match):
    from scaling.plan_search import plan_parallelism

    args = {"accelerator": "H100-SXM", **kwargs}
    with pytest.raises(ValueError, match=match):
        plan_parallelism("MPT-7B", n_accelerators=64, **args)


def test_layout_gap_with_a_constant_mfu_is_refused():
    with pytest.raises(ValueError, match="layout_gap=1.2 applies to the step-time model only"):
        scaling.Assumptions(mfu=0.4, layout_gap=1.2)


def test_flashattention_papers_kernel_efficiencies():
    """Dao (2023, arXiv:2307.08691): FlashAttention-2 reaches 50-73% of A100 peak and is
    1.3-2.5x faster than the Triton FlashAttention; Shah et al. (2024, arXiv:2407.08608):
    FlashAttention-2 reaches 35% of H100 peak and FlashAttention-3 is 1.5-2.0x faster."""
    from scaling.kernels import attention_kernel_efficiency as eff

    assert 0.50 <= eff("flash2", "ampere", 0.656) <= 0.73
    assert eff("flash2", "hopper", 0.656) == pytest.approx(0.35)
    assert 1.5 <= eff("flash3", "hopper", 0.656) / eff("flash2", "hopper", 0.656) <= 2.0
    for generation in ("ampere", "hopper"):
        slower = eff("flash2", generation, 0.656) / eff("triton", generation, 0.656)
        assert 1.3 <= slower <= 2.5
    assert eff("default", "blackwell", 0.656) == pytest.approx(0.75 * 0.656)
    with pytest.raises(ValueError, match="no published efficiency on blackwell.*'default'"):
        eff("flash3", "blackwell", 0.656)
    with pytest.raises(ValueError, match="attention_kernel"):
        eff("flash4", "hopper", 0.656)


def test_mosaicml_long_context_miss_is_its_attention_kernel(per_step):
    """The long-context rows (>= 32k tokens) were over-predicted 1.47x (geometric mean) with
    the package's generic kernel; with the Triton FlashAttention that MosaicML's benchmarks
    ran, read from the kernels' papers (not fitted to these rows), they are within 5%."""
    published, _ = per_step
    row = published.loc["long context (>= 32k tokens)"]
    assert row["geometric_mean_ratio"] == pytest.approx(1.0, abs=0.05)
    assert row["median_fold_error"] < 1.1


def test_named_attention_kernel_needs_fused_attention():
    from scaling.plan_search import plan_parallelism

    with pytest.raises(ValueError, match="flash_attention=False"):
        plan_parallelism(7e9, "H100-SXM", 8, attention_kernel="triton", flash_attention=False)
    fast = plan_parallelism("MPT-7B", "H100-SXM", 8, attention_kernel="flash3")
    slow = plan_parallelism("MPT-7B", "H100-SXM", 8, attention_kernel="triton")
    assert slow.step_time_s > fast.step_time_s


def test_lion_keeps_fewer_optimizer_bytes_than_adam():
    """MPT-30B on 8 H100 at 8k tokens trained with decoupled LionW (llm-foundry); with Adam's
    12 bytes per parameter of states no plan with its published layout fits, with Lion's 8 it
    does (Chen et al. 2023, arXiv:2302.06675)."""
    from scaling.errors import InfeasibleRunError
    from scaling.model_shape import as_model_shape
    from scaling.plan_search import plan_parallelism

    shape = as_model_shape("MPT-30B", seq_len=8192)
    layout = dict(global_batch_tokens=8 * 8192, tp=1, pp=1, dp=8, cp=1, micro_batch=1,
                  zero_stage=3, recompute="full", recompute_fraction=1.0)
    with pytest.raises(InfeasibleRunError):
        plan_parallelism(shape, "H100-SXM", 8, optimizer="adam", **layout)
    lion = plan_parallelism(shape, "H100-SXM", 8, optimizer="lion", **layout)
    assert lion.memory_bytes["memory_optimizer_bytes"] == pytest.approx(
        8 / 12 * plan_parallelism(shape, "H100-SXM", 16, optimizer="adam", **{
            **layout, "dp": 16, "global_batch_tokens": 16 * 8192}).memory_bytes[
            "memory_optimizer_bytes"] * 2, rel=1e-9)
    with pytest.raises(ValueError, match="optimizer"):
        plan_parallelism(shape, "H100-SXM", 8, optimizer="sgd", **layout)


def test_studies_that_vary_the_mfu_accept_step_time_only_fields():
    """A study that sets a constant MFU (a sensitivity case, a baseline) resets the step-time
    model's own fields instead of refusing the user's assumptions."""
    from scaling.studies import run_time

    for a in (scaling.Assumptions(layout_gap=1.0),
              scaling.Assumptions(run_efficiency="large_lab_production")):
        frame = run_time.run_time_sensitivity("llama3-16k", assumptions=a)
        assert frame["output_base"].notna().all()
        assert a.at_constant_mfu(mfu=0.4).layout_gap is None
    with pytest.raises(ValueError, match="mfu_model"):
        scaling.Assumptions(mfu_model="bogus", run_efficiency=0.8)
