"""Tests of the forecast chain (scaling.chain, scaling.forecasting) against published runs and
invariants."""

import dataclasses
import inspect
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from scaling import checkpointing, laws, reliability
from scaling.assumptions import Assumptions
from scaling.chain import RunEstimate, estimate_run, training_time_s
from scaling.forecasting import Forecast, forecast, forecast_for_loss, largest_trainable
from scaling.studies.forecasts import forecast_sensitivity
from scaling.uncertainty import DEFAULT_UNCERTAINTY, LAW_PRIOR, Uncertain, law_draws
import scaling.clusters as cluster_module
import scaling.hardware as hardware_module

# Llama 3.1 405B: 3.8e25 FLOP on up to 16,384 H100-80GB, 30.84M H100-hours
# (Llama Team 2024, arXiv:2407.21783, Sec. 3.3; meta-llama/llama-models MODEL_CARD.md).
GRATTAFIORI2024_LLAMA31_405B = {"compute_flop": 3.8e25, "n_accelerators": 16384,
                                "n_params": 405e9, "accelerator_hours": 30.84e6}
# PaLM 540B: 2.53e24 FLOP, 6,144 TPU v4 for 1,200 h + 3,072 for 336 h (= 8.4M chip-hours),
# 46.2% MFU (Chowdhery et al. 2022, arXiv:2204.02311, Sec. 4, Table 3 and Table 20).
CHOWDHERY2022_PALM_540B = {"compute_flop": 2.53e24, "n_accelerators": 6144, "mfu": 0.462,
                           "n_params": 540e9, "chip_hours": 1200 * 6144 + 336 * 3072}


# --------------------------------------------------------------------------------------------
# must-show reproductions
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n_params", [GRATTAFIORI2024_LLAMA31_405B["n_params"], None])
def test_grattafiori2024_llama31_405b_accelerator_hours_within_1p25x(n_params):
    """With the generation-default MFU (the Hopper value is Llama 3's own, so in sample)."""
    ref = GRATTAFIORI2024_LLAMA31_405B
    run = estimate_run(ref["compute_flop"], accelerator="H100-SXM",
                       n_accelerators=ref["n_accelerators"], n_params=n_params,
                       assumptions=Assumptions(mfu_model="generation_default"))
    ratio = run.accelerator_hours / ref["accelerator_hours"]
    assert 1 / 1.25 <= ratio <= 1.25, ratio


@pytest.mark.xfail(strict=True, reason=(
    "honest miss: the step-time default predicts Llama 3.1 405B's 30.84M H100-hours 1.49x "
    "too high; its per-step MFU (0.35 with the layout gap, 0.38 without; Table 4: 38-43%) is "
    "about right, but the default whole-run efficiency (median_published_run, 0.70 over 35 "
    "runs) is below this run's; the large_lab_production preset gives 1.18x"))
def test_grattafiori2024_llama31_405b_accelerator_hours_within_1p25x_step_time():
    ref = GRATTAFIORI2024_LLAMA31_405B
    run = estimate_run(ref["compute_flop"], accelerator="H100-SXM",
                       n_accelerators=ref["n_accelerators"], n_params=ref["n_params"],
                       model="Llama 3 405B",
                       assumptions=Assumptions(global_batch_tokens=16e6))
    ratio = run.accelerator_hours / ref["accelerator_hours"]
    assert 1 / 1.25 <= ratio <= 1.25, ratio


def test_chowdhery2022_palm_540b_chip_hours_with_given_mfu():
    """PaLM with its published 46.2% MFU, goodput included.

    The failure-free chip-hours are exactly C / (peak x MFU) = 5.53M. The reported 8.4M are
    the whole run (a 3,072-chip phase, batch-size ramp, ~20 loss-spike rollbacks, PaLM
    Sec. 5.1): an effective utilisation of 30.4%, which the steady-state MFU does not capture.
    Tolerance: 1.5x (the issue's worst-case backtest target); we land at 0.67x.
    """
    ref = CHOWDHERY2022_PALM_540B
    run = estimate_run(ref["compute_flop"], accelerator="TPU-v4",
                       n_accelerators=ref["n_accelerators"], n_params=ref["n_params"],
                       assumptions=Assumptions(mfu=ref["mfu"]))
    failure_free_h = ref["compute_flop"] / (275e12 * ref["mfu"]) / 3600
    np.testing.assert_allclose(run.accelerator_hours * run.goodput, failure_free_h, rtol=1e-9)
    assert 0.95 < run.goodput < 1.0
    ratio = run.accelerator_hours / ref["chip_hours"]
    assert 1 / 1.5 <= ratio <= 1.5, ratio
    np.testing.assert_allclose(run.accelerator_hours, 5.65e6, rtol=0.01)


def test_llama3_checkpoint_interval_about_19_minutes():
    """Issue 4 check: Llama 3 scale (MTBF ~3.1 h) with a 1-minute save -> ~19 min interval."""
    run = estimate_run(3.8e25, accelerator="H100-SXM", n_accelerators=16384,
                       assumptions=Assumptions().replace(checkpoint_time_s=60.0))
    np.testing.assert_allclose(run.mtbf_s / 3600, 3.1, rtol=0.01)
    assert 17 * 60 <= run.checkpoint_interval_s <= 21 * 60


def test_epoch_h100_hyperscaler_wall_power_per_gpu():
    """700 W x 1.82 x 0.75 x 1.10 = 1,051 W (Cottier et al. 2024, Epoch cost repo)."""
    run = estimate_run(1e24, accelerator="H100-SXM", n_accelerators=1000)
    np.testing.assert_allclose(run.facility_power_w / 1000, 700 * 1.82 * 0.75 * 1.10, rtol=1e-3)


def test_training_time_s_docstring_value():
    days = training_time_s(3.8e25, 16384 * 989e12 * 0.40) / 86400
    np.testing.assert_allclose(days, 67.9, atol=0.05)


# --------------------------------------------------------------------------------------------
# composition: each quantity is the documented function of the others
# --------------------------------------------------------------------------------------------

def test_estimate_run_step_time_mfu_is_the_plan_throughput_times_run_efficiency():
    from scaling.throughput import RUN_EFFICIENCY

    run = estimate_run(1e25, accelerator="H100-SXM", n_accelerators=8192, n_params=3e11)
    chip = hardware_module.accelerator("H100-SXM")
    assert run.throughput.source == "step_time"
    expected = (RUN_EFFICIENCY * 6 * run.model.n_active_params * run.step_time.tokens_per_s
                / (8192 * chip.peak_bf16_flop_per_s))
    np.testing.assert_allclose(run.mfu, expected, rtol=1e-12)
    assert run.n_accelerators_used == run.step_time.n_accelerators_used
    assert set(run.step_time_breakdown()["kind"]) == {"time", "memory"}
    with pytest.raises(ValueError, match="no layout"):
        estimate_run(1e25, accelerator="H100-SXM", n_accelerators=8192,
                     assumptions=Assumptions(mfu=0.4)).step_time_breakdown()


def test_estimate_run_chain_identities():
    run = estimate_run(1e25, accelerator="H100-SXM", n_accelerators=8192, n_params=3e11,
                       assumptions=Assumptions(mfu_model="generation_default"))
    chip = hardware_module.accelerator("H100-SXM")
    assert run.mfu == chip.default_mfu
    np.testing.assert_allclose(run.compute_time_s, 1e25 / (8192 * chip.peak_bf16_flop_per_s
                                                           * chip.default_mfu), rtol=1e-12)
    np.testing.assert_allclose(run.time_s, run.compute_time_s / run.goodput, rtol=1e-12)
    np.testing.assert_allclose(run.accelerator_hours, 8192 * run.time_s / 3600, rtol=1e-12)
    np.testing.assert_allclose(run.energy_j, run.facility_power_w * run.time_s, rtol=1e-12)
    np.testing.assert_allclose(run.amortized_cost_usd,
                               run.amortized_hardware_cost_usd + run.energy_cost_usd, rtol=1e-12)
    np.testing.assert_allclose(run.rental_cost_usd,
                               run.accelerator_hours * chip.rental_usd_per_hour, rtol=1e-12)
    expected_goodput = checkpointing.restart_goodput(reliability.mtbf_s(8192),
                                                     checkpointing.checkpoint_time_s(3e11))
    np.testing.assert_allclose(run.goodput, expected_goodput, rtol=1e-12)


def test_estimate_run_accepts_accelerator_object_and_alias():
    chip = hardware_module.accelerator("H100-SXM")
    a = estimate_run(1e24, accelerator=chip, n_accelerators=1024)
    b = estimate_run(1e24, accelerator="H100 SXM5 80GB", n_accelerators=1024)
    # n_params is NaN when not given (NaN != NaN), so compare the frames exactly
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame(), check_exact=True)
    assert (estimate_run(1e24, accelerator=chip, n_accelerators=1024, n_params=1e11)
            == estimate_run(1e24, accelerator="H100 SXM5 80GB", n_accelerators=1024,
                            n_params=1e11))


def test_rental_cost_nan_without_rental_price():
    run = estimate_run(1e24, accelerator="Gaudi3", n_accelerators=1024)
    assert math.isnan(run.rental_cost_usd)
    assert run.amortized_cost_usd > 0


def test_include_failures_false_gives_goodput_one():
    run = estimate_run(1e24, accelerator="H100-SXM", n_accelerators=1024,
                       assumptions=Assumptions(include_failures=False))
    assert run.goodput == 1.0
    assert run.time_s == run.compute_time_s


def test_run_estimate_is_frozen_and_frames():
    run = estimate_run(1e24, accelerator="H100-SXM", n_accelerators=1024)
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.time_s = 1.0
    frame = run.to_frame()
    assert len(frame) == 1 and frame.loc[0, "accelerator"] == "H100-SXM"
    assert frame.loc[0, "time_days"] == pytest.approx(run.time_s / 86400)
    assert "amortized_cost_usd" in run.summary().index


def test_estimate_run_vectorised_over_compute():
    constant = Assumptions(mfu_model="generation_default")
    run = estimate_run(np.array([1e23, 1e24, 1e25]), accelerator="H100-SXM", n_accelerators=1024,
                       assumptions=constant)
    assert run.to_frame().shape[0] == 3
    np.testing.assert_allclose(np.diff(np.log10(run.time_s)), 1.0, rtol=1e-12)
    # with the step-time model each element gets its own plan, as one run at a time would
    compute = np.array([1e23, 1e24])
    both = estimate_run(compute, accelerator="H100-SXM", n_accelerators=1024)
    assert isinstance(both.step_time, tuple) and len(both.step_time) == 2
    for i, c in enumerate(compute):
        one = estimate_run(c, accelerator="H100-SXM", n_accelerators=1024)
        np.testing.assert_allclose(both.time_s[i], one.time_s, rtol=1e-12)


# --------------------------------------------------------------------------------------------
# forecast over sizes
# --------------------------------------------------------------------------------------------

def test_forecast_compute_optimal_tokens_match_besiroglu2024_test_vector():
    """scaling_laws.md Sec. 8: at C = 5.76e23, N* = 7.225e10, D* = 1.329e12 (Besiroglu)."""
    frame = forecast([7.225e10], cluster="llama3-16k").to_frame()
    np.testing.assert_allclose(frame.loc[0, "n_tokens"], 1.329e12, rtol=2e-3)
    np.testing.assert_allclose(frame.loc[0, "compute_flop"], 5.76e23, rtol=3e-3)


def test_forecast_sizes_are_on_the_compute_optimal_frontier():
    sizes = np.array([7e10, 4e11, 1e12])
    frame = forecast(sizes, cluster="llama3-16k").to_frame()
    np.testing.assert_allclose(frame["compute_flop"], 6 * sizes * frame["n_tokens"], rtol=1e-12)
    opt = laws.compute_optimal(frame["compute_flop"].to_numpy())
    np.testing.assert_allclose(opt.n_params, sizes, rtol=1e-9)
    np.testing.assert_allclose(frame["loss"], laws.chinchilla_loss(sizes, frame["n_tokens"]),
                               rtol=1e-12)


def test_forecast_row_equals_estimate_run():
    clu = cluster_module.cluster("llama3-16k")
    row = forecast([4e11], cluster=clu).to_frame().iloc[0]
    # the cluster's resilience row (data/resilience.csv) given explicitly to a bare accelerator
    res = clu.resilience
    same = Assumptions(pue=clu.pue).replace(
        checkpoint_time_s=res.checkpoint_time_s, restart_time_s=res.restart_time_s,
        recovery=res.recovery, hot_spare_fraction=res.hot_spare_fraction,
        checkpoint_overhead_fraction=res.checkpoint_overhead_fraction)
    run = estimate_run(row["compute_flop"], accelerator=clu.accelerator,
                       n_accelerators=clu.n_accelerators, n_params=4e11, assumptions=same)
    on_cluster = estimate_run(row["compute_flop"], cluster=clu, n_params=4e11)
    for column in ("time_s", "accelerator_hours", "goodput", "energy_j", "amortized_cost_usd",
                   "rental_cost_usd", "facility_power_w"):
        np.testing.assert_allclose(row[column], getattr(run, column), rtol=1e-12)
        np.testing.assert_allclose(row[column], getattr(on_cluster, column), rtol=1e-12)


def test_forecast_token_policies():
    frame = forecast([1e10, 1e11], cluster="llama3-16k", tokens_per_param=20).to_frame()
    np.testing.assert_allclose(frame["n_tokens"], [2e11, 2e12], rtol=1e-12)
    frame = forecast([1e10, 1e11], cluster="llama3-16k", n_tokens=1e12).to_frame()
    np.testing.assert_allclose(frame["n_tokens"], 1e12, rtol=1e-12)
    with pytest.raises(ValueError, match="at most one"):
        forecast([1e10], cluster="llama3-16k", tokens_per_param=20, n_tokens=1e12)


def test_forecast_columns_are_unit_suffixed():
    frame = forecast([1e10], cluster="llama3-16k").to_frame()
    for column in ("n_params", "n_tokens", "compute_flop", "loss", "time_s", "time_days",
                   "accelerator_hours", "energy_j", "energy_mwh", "facility_power_w",
                   "peak_facility_power_w", "amortized_cost_usd", "rental_cost_usd", "goodput"):
        assert column in frame.columns
    assert not any("flops" in c for c in frame.columns)


def test_forecast_uncertainty_columns_ordered_and_seeded():
    kwargs = dict(cluster="llama3-16k", uncertainty=True, n_samples=400)
    a = forecast([7e10, 1e12], seed=3, **kwargs).to_frame()
    b = forecast([7e10, 1e12], seed=3, **kwargs).to_frame()
    c = forecast([7e10, 1e12], seed=4, **kwargs).to_frame()
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["time_s"], c["time_s"])
    for q in ("time_s", "energy_j", "amortized_cost_usd", "rental_cost_usd", "loss", "n_tokens",
              "goodput", "accelerator_hours"):
        assert (a[f"{q}_ci_lower"] < a[q]).all() and (a[q] < a[f"{q}_ci_upper"]).all(), q
    np.testing.assert_allclose(a["time_days_ci_upper"], a["time_s_ci_upper"] / 86400, rtol=1e-12)


def test_forecast_uncertainty_interval_matches_numpy_quantiles():
    result = forecast([4e11], cluster="llama3-16k", uncertainty=True, n_samples=300,
                      keep_samples=True)
    samples = result.samples["time_s"][0]
    lo, mid, hi = np.quantile(samples, [0.05, 0.5, 0.95])
    row = result.to_frame().iloc[0]
    np.testing.assert_allclose([row["time_s_ci_lower"], row["time_s"], row["time_s_ci_upper"]],
                               [lo, mid, hi], rtol=1e-12)


def test_forecast_uncertainty_switch_off_one_input():
    off = {name: None for name in DEFAULT_UNCERTAINTY}
    frame = forecast([4e11], cluster="llama3-16k", uncertainty=off, n_samples=50,
                     law={"E": 1.8172, "A": 482.01, "B": 2085.43, "alpha": 0.3478,
                          "beta": 0.3658}).to_frame()
    # only the law prior remains: time still uncertain through the tokens, MFU is not (it is
    # searched once, at the central law's workload)
    central = forecast([4e11], cluster="llama3-16k",
                       law={"E": 1.8172, "A": 482.01, "B": 2085.43, "alpha": 0.3478,
                            "beta": 0.3658}).to_frame()
    assert frame.loc[0, "mfu"] == central.loc[0, "mfu"]
    assert "mfu_ci_lower" not in frame.columns
    assert frame.loc[0, "time_s_ci_lower"] < frame.loc[0, "time_s_ci_upper"]
    with pytest.raises(ValueError, match="uncertain input 'nope'.*valid names: mfu, "):
        forecast([4e11], cluster="llama3-16k", uncertainty={"nope": None})


def test_forecast_uses_fit_bootstrap_draws_when_given():
    class FakeFit:
        """Stands in for scaling.fit.FitResult: .params and .sample_params()."""
        params = dict(E=1.8172, A=482.01, B=2085.43, alpha=0.3478, beta=0.3658)

        def sample_params(self, n, seed=0):
            return {k: np.full(n, v) for k, v in self.params.items()}

    frame = forecast([4e11], cluster="llama3-16k", law=FakeFit(), n_samples=50,
                     uncertainty={name: None for name in DEFAULT_UNCERTAINTY}).to_frame()
    # identical draws: no spread at all
    assert frame.loc[0, "time_s_ci_lower"] == pytest.approx(frame.loc[0, "time_s_ci_upper"])


def test_law_prior_reproduces_besiroglu2024_se_of_allocation_exponent():
    """Besiroglu et al. (2024): SE(a) = 0.02 for a = beta / (alpha + beta)."""
    draws = law_draws("besiroglu2024", 20000, np.random.default_rng(0))
    a = draws["beta"] / (draws["alpha"] + draws["beta"])
    assert 0.017 <= a.std() <= 0.023
    assert LAW_PRIOR["source"]


def test_uncertain_sampling_percentiles_and_truncation():
    dist = Uncertain(p5_ratio=0.5, p95_ratio=2.0, source="test")
    x = dist.sample(10.0, 200_000, np.random.default_rng(1))
    np.testing.assert_allclose(np.quantile(x, [0.05, 0.95]), [5.0, 20.0], rtol=0.02)
    mfu = DEFAULT_UNCERTAINTY["mfu"].sample(0.9, 100_000, np.random.default_rng(2))
    assert mfu.max() <= 1.0 and mfu.min() > 0
    pue = DEFAULT_UNCERTAINTY["pue"].sample(1.1, 10_000, np.random.default_rng(3))
    assert pue.min() > 1.0
    with pytest.raises(ValueError):
        Uncertain(p5_ratio=2.0, p95_ratio=1.0, source="x")


def test_every_default_uncertainty_has_a_source():
    for name, dist in DEFAULT_UNCERTAINTY.items():
        assert isinstance(dist, Uncertain) and len(dist.source) > 40, name


def test_forecast_is_frozen():
    result = forecast([1e10], cluster="llama3-16k")
    assert isinstance(result, Forecast)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.seed = 1


# --------------------------------------------------------------------------------------------
# inverse questions
# --------------------------------------------------------------------------------------------

def test_largest_trainable_meets_deadline_and_grows_with_it():
    deadlines = np.array([30.0, 90.0]) * 86400
    frame = largest_trainable("llama3-16k", deadline_s=deadlines).to_frame()
    np.testing.assert_allclose(frame["time_s"], deadlines, rtol=1e-6)
    assert frame["n_params"].iloc[1] > frame["n_params"].iloc[0]
    opt = laws.compute_optimal(frame["compute_flop"].to_numpy())
    np.testing.assert_allclose(opt.n_params, frame["n_params"], rtol=1e-9)


def test_forecast_for_loss_reaches_the_target():
    frame = forecast_for_loss([1.95, 1.90], cluster="llama3-16k").to_frame()
    np.testing.assert_allclose(frame["loss"], [1.95, 1.90], rtol=1e-9)
    assert frame["amortized_cost_usd"].iloc[1] > frame["amortized_cost_usd"].iloc[0]
    with pytest.raises(ValueError, match="irreducible"):
        forecast_for_loss(1.5, cluster="llama3-16k")


# --------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, match", [
    (dict(compute_flop=0.0), "compute_flop"),
    (dict(compute_flop=-1e24), "compute_flop"),
    (dict(compute_flop=float("nan")), "NaN"),
    (dict(n_accelerators=0), "n_accelerators"),
    (dict(n_accelerators=-5), "n_accelerators"),
    (dict(n_accelerators=0.5), "n_accelerators must be a whole number"),
    (dict(mfu=0.0), r"\(0, 1\]"),
    (dict(mfu=1.2), r"\(0, 1\]"),
    (dict(mfu=float("nan")), r"\(0, 1\]"),
    (dict(accelerator="H900"), "valid names: .*H100-SXM"),
    (dict(accelerator="A100-SXM4-80GB", precision="fp8"), "fp8"),
    (dict(n_params=float("nan")), "NaN"),
])
def test_estimate_run_bad_input(kwargs, match):
    args = dict(compute_flop=1e24, accelerator="H100-SXM", n_accelerators=1024)
    args.update(kwargs)
    compute = args.pop("compute_flop")
    # mfu and precision are fields of the assumptions bundle
    chosen = {k: args.pop(k) for k in ("mfu", "precision") if k in args}
    with pytest.raises(ValueError, match=match):
        estimate_run(compute, assumptions=Assumptions(**chosen), **args)


@pytest.mark.parametrize("kwargs, match", [
    (dict(cluster="nope"), "valid names: .*llama3-16k"),
    (dict(n_params=[1e10, -1.0]), "n_params"),
    (dict(n_params=[float("nan")]), "NaN"),
    (dict(mfu=1.5), r"\(0, 1\]"),
    (dict(law="kaplan"), "valid names"),
    (dict(uncertainty=True, n_samples=1), "n_samples"),
])
def test_forecast_bad_input(kwargs, match):
    args = dict(n_params=[1e10], cluster="llama3-16k")
    args.update(kwargs)
    sizes = args.pop("n_params")
    chosen = {k: args.pop(k) for k in ("mfu",) if k in args}
    with pytest.raises(ValueError, match=match):
        forecast(sizes, assumptions=Assumptions(**chosen), **args)


def test_largest_trainable_bad_deadline():
    with pytest.raises(ValueError, match="deadline_s"):
        largest_trainable("llama3-16k", deadline_s=0.0)


# --------------------------------------------------------------------------------------------
# packaging
# --------------------------------------------------------------------------------------------

def test_import_is_light():
    code = ("import sys, scaling.forecasting, scaling.chain; "
            "assert 'altair' not in sys.modules and 'statsmodels' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_scaling_forecast_and_estimate_run_are_plain_functions():
    import scaling

    assert scaling.forecast is forecast and inspect.isfunction(scaling.forecast)
    assert scaling.estimate_run is estimate_run and inspect.isfunction(scaling.estimate_run)
    assert "cluster" in inspect.signature(scaling.forecast).parameters
    assert "assumptions" in inspect.signature(scaling.estimate_run).parameters
    assert isinstance(scaling.forecast([1e10], cluster="llama3-16k"), Forecast)
    assert isinstance(scaling.estimate_run(1e24, accelerator="H100-SXM", n_accelerators=1024),
                      RunEstimate)


def test_fixed_law_switch_and_sensitivity():
    only_mfu = {name: None for name in DEFAULT_UNCERTAINTY if name != "mfu"}
    frame = forecast([4e11], cluster="llama3-16k", uncertainty={**only_mfu, "law": None},
                     n_samples=200).to_frame()
    # fixed law: tokens have no interval; MFU alone moves the time by its P5-P95 spread
    assert "n_tokens_ci_lower" not in frame.columns
    ratio = frame.loc[0, "time_s_ci_upper"] / frame.loc[0, "time_s_ci_lower"]
    spread = DEFAULT_UNCERTAINTY["mfu"]
    np.testing.assert_allclose(ratio, spread.p95_ratio / spread.p5_ratio, rtol=0.15)
    table = forecast_sensitivity(4e11, cluster="llama3-16k", quantity="time_s")
    assert set(table["input"]) == {"law", *DEFAULT_UNCERTAINTY}
    # prices cannot move the time; swings (|high - low|) are sorted
    prices = table.set_index("input").loc[["price_usd", "electricity_usd_per_kwh"]]
    np.testing.assert_allclose(prices["swing"], 0.0, atol=0.0)
    np.testing.assert_allclose(prices["output_low"], prices["output_base"], rtol=1e-12)
    assert table["swing"].is_monotonic_decreasing
    np.testing.assert_allclose(table["swing"], (table["output_high"] - table["output_low"]).abs(),
                               rtol=1e-12)
    # the MFU row moves the time by the P5-P95 spread around the base MFU (t ~ 1/MFU)
    mfu = table.set_index("input").loc["mfu"]
    np.testing.assert_allclose(mfu["output_low"] / mfu["output_high"],
                               spread.p95_ratio / spread.p5_ratio, rtol=1e-9)
    with pytest.raises(ValueError, match="one model size"):
        forecast_sensitivity([1e10, 1e11], cluster="llama3-16k")
