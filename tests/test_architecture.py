"""The contracts of issue 8: plain names, one chain, one assumptions bundle, one engine."""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys
import types

import numpy as np
import pandas as pd
import pytest

import scaling
from scaling import uncertainty as mc
from scaling.chain import RUN_COLUMNS, RunEstimate
from scaling.forecasting import FORECAST_COLUMNS
from scaling.units import SECONDS_PER_DAY

LLAMA31_405B_FLOP = 3.8e25  # Llama Team (2024), arXiv:2407.21783, Sec. 3.3 / model card
LLAMA31_405B_PARAMS = 405e9


# --------------------------------------------------------------------------------------------
# plain names
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", scaling.__all__)
def test_public_callables_are_plain_functions_or_classes_with_real_signatures(name):
    value = getattr(scaling, name)
    if isinstance(value, types.ModuleType):
        assert not callable(value), f"module scaling.{name} must not be callable"
        return
    if not callable(value):
        return
    assert inspect.isfunction(value) or inspect.isclass(value), name
    if inspect.isclass(value) and issubclass(value, Exception):
        return
    params = inspect.signature(value).parameters
    kinds = {p.kind for p in params.values()}
    assert inspect.Parameter.VAR_POSITIONAL not in kinds, f"{name} hides its arguments"
    if inspect.isfunction(value):
        assert inspect.Parameter.VAR_KEYWORD not in kinds, f"{name} hides keywords"
        assert value.__doc__ and value.__doc__.strip(), f"{name} has no docstring"


def test_no_module_shares_its_name_with_a_public_function():
    modules = {n for n in scaling.__all__ if isinstance(getattr(scaling, n), types.ModuleType)}
    functions = {n for n in scaling.__all__
                 if inspect.isfunction(getattr(scaling, n)) or inspect.isclass(getattr(scaling, n))}
    assert not modules & functions
    for name in ("forecast", "cluster", "backtest", "estimate_run"):
        assert inspect.isfunction(getattr(scaling, name))


def test_import_scaling_is_lazy():
    code = ("import sys, time; t = time.perf_counter(); import scaling; "
            "dt = time.perf_counter() - t; "
            "heavy = [m for m in ('pandas', 'scipy', 'statsmodels', 'altair') if m in sys.modules]; "
            "print(heavy, dt)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    heavy, _ = out.stdout.rsplit(" ", 1)
    assert heavy == "[]"


# --------------------------------------------------------------------------------------------
# one chain: the same run through every entry point
# --------------------------------------------------------------------------------------------

def _llama_through_every_entry_point(assumptions):
    # plan_training sizes a cluster of bare accelerators, so the cluster here carries no
    # resilience row of its own (data/resilience.csv) for the runs to be the same run
    cluster = dataclasses.replace(scaling.cluster("llama3-16k"), resilience=None)
    tokens = LLAMA31_405B_FLOP / (6 * LLAMA31_405B_PARAMS)
    direct = scaling.estimate_run(LLAMA31_405B_FLOP, cluster=cluster,
                                  n_params=LLAMA31_405B_PARAMS, assumptions=assumptions)
    swept = scaling.forecast([LLAMA31_405B_PARAMS], cluster=cluster, n_tokens=tokens,
                             assumptions=assumptions).to_frame().iloc[0]
    deadline = direct.time_s * (1 + 1e-5)  # between 16,384 and one server fewer
    plan = scaling.plan_training(LLAMA31_405B_PARAMS, tokens, deadline_s=deadline,
                                 accelerator=cluster.accelerator, assumptions=assumptions)
    at_plan = scaling.estimate_run(LLAMA31_405B_FLOP, accelerator=cluster.accelerator,
                                   n_accelerators=plan.n_accelerators,
                                   n_params=LLAMA31_405B_PARAMS, assumptions=assumptions)
    system = scaling.studies.systems.estimate_reference_run(
        cluster, compute_flop=LLAMA31_405B_FLOP, n_params=LLAMA31_405B_PARAMS,
        assumptions=assumptions)
    return direct, swept, plan, at_plan, system


@pytest.mark.parametrize("assumptions", [
    scaling.Assumptions(pue=1.10),
    scaling.Assumptions(pue=1.10, mfu_model="generation_default"),
    scaling.Assumptions(pue=1.25, mfu=0.43).replace(restart_time_s=20.0,
                                                     electricity_usd_per_kwh=0.05),
], ids=["defaults", "generation-default", "changed"])
def test_llama31_405b_identical_through_every_entry_point(assumptions):
    direct, swept, plan, at_plan, system = _llama_through_every_entry_point(assumptions)
    for quantity in ("time_s", "energy_j", "amortized_cost_usd", "mfu"):
        expected = getattr(direct, quantity)
        assert swept[quantity] == pytest.approx(expected, rel=1e-9)
        assert getattr(system, quantity) == pytest.approx(expected, rel=1e-9)
        assert getattr(plan.run, quantity) == pytest.approx(getattr(at_plan, quantity),
                                                             rel=1e-9)
    assert plan.time_s <= direct.time_s * (1 + 1e-5)
    if assumptions.mfu is not None or assumptions.mfu_model != "step_time":
        # with a constant MFU the time falls monotonically with the count: the plan is the
        # same run
        assert plan.n_accelerators == 16384
        assert plan.time_s == pytest.approx(direct.time_s, rel=1e-9)
        assert plan.energy_j == pytest.approx(direct.energy_j, rel=1e-9)
    else:
        # the step-time MFU changes with the count (parallel plan), so the time is not
        # monotone in the count: the plan is a whole-server count that meets the deadline
        # while one server fewer does not
        fewer = scaling.estimate_run(LLAMA31_405B_FLOP, accelerator="H100-SXM",
                                     n_accelerators=plan.n_accelerators - 8,
                                     n_params=LLAMA31_405B_PARAMS, assumptions=assumptions)
        assert abs(plan.n_accelerators - 16384) <= 0.2 * 16384
        assert fewer.time_s > plan.deadline_s


def test_backtest_and_largest_trainable_go_through_the_chain():
    runs = scaling.data.load_table("training_runs")
    table = scaling.backtest().to_frame().set_index("name")
    row = runs.iloc[0]
    # what the backtest tells the step-time model: the published model and batch
    direct = scaling.estimate_run(row["compute_flop"], accelerator=row["accelerator"],
                                  n_accelerators=row["n_accelerators"], n_params=row["n_params"],
                                  model=scaling.studies.backtesting.run_model(row),
                                  assumptions=scaling.Assumptions(
                                      global_batch_tokens=row["global_batch_tokens"]))
    assert table.loc[row["name"], "predicted_accelerator_hours"] == pytest.approx(
        direct.accelerator_hours, rel=1e-12)
    best = scaling.largest_trainable("llama3-16k", deadline_s=90 * SECONDS_PER_DAY).to_frame()
    again = scaling.estimate_run(best["compute_flop"].iloc[0], cluster="llama3-16k",
                                 n_params=best["n_params"].iloc[0])
    assert again.time_s == pytest.approx(90 * SECONDS_PER_DAY, rel=1e-9)


def test_wall_power_has_one_home():
    cluster = scaling.cluster("xai-colossus")
    run = scaling.estimate_run(1e25, cluster=cluster)
    assert run.facility_power_w == pytest.approx(cluster.average_facility_power_w(), rel=1e-12)
    assert run.peak_facility_power_w == pytest.approx(cluster.peak_facility_power_w(), rel=1e-12)


# --------------------------------------------------------------------------------------------
# the assumptions bundle
# --------------------------------------------------------------------------------------------

def test_assumptions_replace_routes_nested_fields_and_suggests_names():
    a = scaling.Assumptions().replace(mfu=0.5, restart_time_s=20.0, electricity_usd_per_kwh=0.1)
    assert a.mfu == 0.5
    assert a.reliability.restart_time_s == 20.0
    assert a.prices.electricity_usd_per_kwh == 0.1
    with pytest.raises(ValueError, match="restart_time_s"):
        scaling.Assumptions().replace(restart_time=20.0)


@pytest.mark.parametrize("kwargs", [{"mfu": 1.5}, {"mfu": "0.4"}, {"pue": 0.9},
                                    {"precision": "fp4"}, {"include_failures": 1}])
def test_assumptions_refuse_bad_values_by_name(kwargs):
    (name,) = kwargs
    with pytest.raises(ValueError, match=name):
        scaling.Assumptions(**kwargs)


def test_cluster_mfu_and_pue_apply_unless_the_assumptions_set_them():
    frontier = scaling.cluster("frontier")
    run = scaling.estimate_run(1e24, cluster=frontier)
    assert run.pue == frontier.pue
    assert run.throughput.source == "step_time"
    fixed = dataclasses.replace(frontier, mfu=0.3)
    run = scaling.estimate_run(1e24, cluster=fixed)
    assert run.mfu == 0.3 and run.throughput.source == "cluster"
    run = scaling.estimate_run(1e24, cluster=frontier,
                               assumptions=scaling.Assumptions(mfu_model="generation_default"))
    assert run.mfu == frontier.accelerator.default_mfu
    run = scaling.estimate_run(1e24, cluster=frontier, assumptions=scaling.Assumptions(pue=1.3))
    assert run.pue == 1.3


@pytest.mark.parametrize("name, assumptions", [
    ("llama3-16k", None),
    ("frontier", scaling.Assumptions(mfu_model="generation_default")),
    ("stargate-abilene", scaling.Assumptions(precision="fp8")),
])
def test_cluster_and_run_estimate_report_the_same_mfu_for_the_same_run(name, assumptions):
    """Issue 14: a Cluster forwards to the one throughput resolution, so what its summary shows
    for a run is the MFU the chain uses for that run."""
    machine = scaling.cluster(name)
    compute, size = 2.1e25, 4.0e11
    run = scaling.estimate_run(compute, cluster=machine, n_params=size, assumptions=assumptions)
    shown = machine.to_dict(compute, n_params=size, assumptions=assumptions)
    assert shown["mfu"] == run.mfu
    assert shown["sustained_flop_per_s"] == run.sustained_flop_per_s
    assert shown["mfu_source"] == run.throughput.source
    assert machine.throughput(compute, n_params=size, assumptions=assumptions).step_time is (
        run.step_time)
    # without a run the summary shows no MFU unless the cluster sets its own
    assert "mfu" not in machine.to_dict()
    assert dataclasses.replace(machine, mfu=0.3).to_dict()["mfu"] == 0.3


# --------------------------------------------------------------------------------------------
# results share one contract
# --------------------------------------------------------------------------------------------

def test_run_estimate_columns_follow_its_fields():
    run = scaling.estimate_run(1e24, cluster="llama3-16k")
    fields = [f.name for f in dataclasses.fields(RunEstimate) if f.metadata.get("column", True)]
    assert tuple(fields) == RUN_COLUMNS
    assert list(run.to_frame().columns) == fields
    summary = run.summary()
    assert list(summary.columns) == ["value", "unit"]
    assert summary.loc["time_days", "unit"] == "days"
    assert "<table" in run._repr_html_()
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.time_s = 1.0


def test_forecast_columns_are_the_workload_then_the_run_fields():
    frame = scaling.forecast([1e11, 1e12], cluster="llama3-16k").to_frame()
    assert tuple(frame.columns) == FORECAST_COLUMNS
    uncertain = scaling.forecast([1e11], cluster="llama3-16k", uncertainty=True,
                                 n_samples=200).to_frame()
    for name in ("time_s", "loss", "amortized_cost_usd", "goodput"):
        assert uncertain[f"{name}_ci_lower"].iloc[0] <= uncertain[name].iloc[0] \
            <= uncertain[f"{name}_ci_upper"].iloc[0]
    assert "n_accelerators_ci_lower" not in uncertain.columns  # fixed inputs get no interval


@pytest.mark.parametrize("result", [
    lambda: scaling.cluster("frontier"),
    lambda: scaling.estimate_run(1e24, cluster="frontier"),
    lambda: scaling.size_cluster("GB200", power_w=1e9),
    lambda: scaling.backtest(),
    lambda: scaling.forecast([1e11], cluster="frontier"),
])
def test_every_result_has_frames_and_a_notebook_view(result):
    value = result()
    assert isinstance(value.to_frame(), pd.DataFrame)
    assert isinstance(value.summary(), pd.DataFrame)
    assert "<table" in value._repr_html_()


# --------------------------------------------------------------------------------------------
# one uncertainty engine
# --------------------------------------------------------------------------------------------

def test_z_constant_is_the_normal_quantile_of_the_interval():
    assert mc.Z_CI == pytest.approx(1.6448536269514722, rel=1e-12)
    assert mc.PROBABILITIES == pytest.approx((0.05, 0.5, 0.95))


@pytest.mark.parametrize("shape", [(7,), (3, 1000), (2, 5, 11)])
def test_percentiles_match_numpy(shape):
    x = np.random.default_rng(0).lognormal(size=shape)
    ours = mc.percentiles(x)
    theirs = np.percentile(x, [5, 50, 95], axis=-1)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_uncertain_reproduces_its_percentiles_and_two_piece_median():
    rng = np.random.default_rng(1)
    gpt4 = mc.Uncertain(p5_ratio=8.2e24 / 2.1e25, p95_ratio=4.4e25 / 2.1e25, median_ratio=1.0,
                        source="Epoch AI, GPT-4 compute, 90% CI")
    draws = gpt4.sample(2.1e25, 200_000, rng)
    lo, mid, hi = mc.percentiles(draws)
    assert lo == pytest.approx(8.2e24, rel=0.02)
    assert mid == pytest.approx(2.1e25, rel=0.02)
    assert hi == pytest.approx(4.4e25, rel=0.02)
    assert gpt4.quantile(2.1e25, 0.05) == pytest.approx(8.2e24, rel=1e-9)


def test_truncated_inputs_never_leave_their_bounds():
    rng = np.random.default_rng(2)
    network = mc.DEFAULT_UNCERTAINTY["network_cost_overhead"].sample(1.235, 100_000, rng)
    mfu = mc.DEFAULT_UNCERTAINTY["mfu"].sample(0.9, 100_000, rng)
    assert network.min() >= 1.0
    assert mfu.max() <= 1.0


def test_monte_carlo_is_reproducible_with_a_seed():
    one = scaling.forecast([1e12], cluster="frontier", uncertainty=True, n_samples=500, seed=3)
    two = scaling.forecast([1e12], cluster="frontier", uncertainty=True, n_samples=500, seed=3)
    pd.testing.assert_frame_equal(one.to_frame(), two.to_frame())


def test_forecast_percentiles_come_from_the_kept_samples():
    fc = scaling.forecast([1e11, 1e12], cluster="frontier", uncertainty=True, n_samples=400,
                          keep_samples=True)
    table = fc.percentiles("time_days")
    frame = fc.to_frame()
    np.testing.assert_allclose(table["p50"].to_numpy(), frame["time_days"].to_numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(table["p95"].to_numpy(),
                               frame["time_days_ci_upper"].to_numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match="time_day"):
        fc.percentiles("time_day")


# --------------------------------------------------------------------------------------------
# one sensitivity function
# --------------------------------------------------------------------------------------------

def test_sensitivity_swing_is_the_absolute_range_of_the_output():
    table = scaling.sensitivity(lambda x, y: x * y, {"x": 2.0, "y": 3.0},
                                {"x": (1.0, 4.0), "y": (2.0, 3.5)})
    assert list(table["input"]) == ["x", "y"]
    assert list(table["swing"]) == [9.0, 3.0]
    assert table["output_base"].iloc[0] == 6.0


def test_sensitivity_cases_change_several_settings_under_a_label():
    table = scaling.sensitivity(lambda x, y: x + y, {"x": 1.0, "y": 1.0},
                                {"both": (scaling.uncertainty.Case(settings={"x": 0.0, "y": 0.0}, label="none"),
                                          scaling.uncertainty.Case(settings={"x": 2.0, "y": 2.0}, label="two"))})
    assert table.loc[0, "low_setting"] == "none"
    assert table.loc[0, "swing"] == 4.0
    with pytest.raises(ValueError, match="did you mean 'x'"):
        scaling.sensitivity(lambda x: x, {"x": 1.0}, {"xx": (0.0, 1.0)})


def test_forecast_sensitivity_ranks_the_inputs_of_the_default_uncertainty():
    table = scaling.forecast_sensitivity(1e12, cluster="llama3-16k", quantity="time_s")
    assert {"law", "mfu", "failure_rate_per_accelerator_hour"} <= set(table["input"])
    assert (table["swing"].diff().dropna() <= 0).all()
    assert table.set_index("input").loc["electricity_usd_per_kwh", "swing"] == 0.0


def test_tornado_chart_takes_any_sensitivity_table():
    from scaling.plots.sensitivity import tornado_chart

    table = scaling.sensitivity(lambda x: {"a": x, "b": 2 * x}, {"x": 1.0}, {"x": (0.5, 2.0)})
    assert tornado_chart(table).to_dict()["facet"]
    single = scaling.sensitivity(lambda x: x, {"x": 1.0}, {"x": (0.5, 2.0)})
    assert tornado_chart(single, log=True).to_dict()


# --------------------------------------------------------------------------------------------
# catalogs reload after an edit
# --------------------------------------------------------------------------------------------

def test_catalogs_reload_after_a_csv_edit(tmp_path, monkeypatch):
    from scaling import data

    original = data.data_path("rack_power.csv")
    copy = tmp_path / "rack_power.csv"
    copy.write_text(original.read_text())
    monkeypatch.setattr(data, "data_path",
                        lambda name: copy if name == "rack_power.csv" else original.parent / name)
    data.reload()
    before = scaling.clusters.default_rack_power_w("air")
    text = copy.read_text().replace(f"{before:.0f}" if f"{before:.0f}" in copy.read_text()
                                    else repr(before), "12345")
    copy.write_text(text)
    import os
    stat = copy.stat()
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert scaling.clusters.default_rack_power_w("air") == 12345.0
    monkeypatch.undo()
    data.reload()
    assert scaling.clusters.default_rack_power_w("air") == before


def test_printing_a_result_shows_its_summary_not_its_fields():
    text = str(scaling.estimate_run(1e24, accelerator="H100", n_accelerators=1024,
                                    n_params=7e10))
    assert text.startswith("RunEstimate\n") and "time_days" in text and "days" in text
    assert "Accelerator(" not in text
