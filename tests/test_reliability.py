"""Tests for scaling.reliability and scaling.checkpointing: failure rates, checkpoint
intervals and goodput.

Reference values:
- Llama 3 paper (Grattafiori et al. 2024, arXiv:2407.21783), §3.3.4 and Table 5: 419
  unexpected interruptions in 54 days on 16,384 H100, "one every ~3.1 h".
- Issue 4 check / hardware_costs.md §4.3 (derived from Young 1974): M ~ 3.1 h and a 1-minute
  save give a Young interval of ~19 min; a 5-minute save gives ~43 min.
- Kokolis et al. (2025, arXiv:2410.21680) projections from RSC-1's rate: job MTTF 1.8 h at
  16,384 GPUs and 0.23 h at 131,072 GPUs (as quoted by secondary summaries).
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from scaling import checkpointing as ckpt
from scaling import reliability as rel
from scaling.studies import reliability as study

HOUR_S = 3600.0


def job_goodput(n, **kwargs):
    """The goodput of the one goodput stage (one synchronous job by default)."""
    return rel.job_goodput(n, **kwargs)[2]


# --- published numbers -----------------------------------------------------------------------

def test_llama3_2024_table5_counts_sum_to_419_unexpected_interruptions():
    counts = [count for _, count in rel.LLAMA3_INTERRUPTIONS["by_component"].values()]
    assert sum(counts) == rel.LLAMA3_INTERRUPTIONS["unexpected_interruptions"] == 419
    table = study.llama3_interruptions_table()
    assert table["count"].sum() == 419
    np.testing.assert_allclose(table["share"].sum(), 1.0, rtol=1e-12)
    # GPU-category rows of Table 5: 148 + 72 + 19 + 17 + 6 + 6. (The paper's "58.7%" for GPU
    # issues sums its printed percentages, whose "Faulty GPU 30.1%" disagrees with 148/419.)
    gpu = table.loc[table["category"] == "GPU", "count"].sum()
    assert gpu == 268


def test_llama3_2024_466_interruptions_47_planned_and_over_90_percent_effective_time():
    """§3.3.4: "466 job interruptions ... 47 were planned ... The remaining 419 were
    unexpected"; "higher than 90% effective training time"."""
    llama = rel.LLAMA3_INTERRUPTIONS
    assert llama["planned_interruptions"] == 47
    assert llama["planned_interruptions"] + llama["unexpected_interruptions"] == 466
    assert llama["effective_training_time_fraction_lower_bound"] == 0.90
    assert (llama["days"], llama["n_accelerators"], llama["accelerator"]) == (
        54.0, 16384, "H100-SXM")
    assert rel.LLAMA3_ACCELERATOR_HOURS == 54 * 24 * 16384


def test_llama3_2024_interruption_every_3_1_hours():
    # "419 unexpected interruptions ... ~ one every 3.1 h"; printed to 0.1 h
    np.testing.assert_allclose(rel.mtbf_s(16384) / HOUR_S, 3.1, atol=0.05)


def test_llama3_2024_young_interval_19_min_at_1_min_save():
    # Issue 4: Llama 3 scale (MTBF ~3.1 h, 1 min save) -> Young interval ~19 min (2 s.f.)
    interval = ckpt.young_interval_s(60.0, rel.mtbf_s(16384))
    np.testing.assert_allclose(interval / 60.0, 19.0, atol=0.5)


def test_young1974_llama3_scale_5_min_save_43_min():
    # hardware_costs.md §4.3 worked example: delta = 5 min -> ~43 min (2 s.f.)
    interval = ckpt.young_interval_s(300.0, rel.mtbf_s(16384))
    np.testing.assert_allclose(interval / 60.0, 43.0, atol=0.5)


def test_kokolis2025_rsc1_rate_projects_mttf_at_16k_and_131k_gpus():
    rate = rel.failure_rate_per_accelerator_hour("meta_rsc1")
    # 1.8 h and 0.23 h are printed to 2 significant figures
    np.testing.assert_allclose(rel.mtbf_s(16384, rate) / HOUR_S, 1.8, atol=0.05)
    np.testing.assert_allclose(rel.mtbf_s(131072, rate) / HOUR_S, 0.23, atol=0.005)


def test_kokolis2025_measured_1024_gpu_job_mttf_7_9_hours():
    rate = rel.failure_rate_per_accelerator_hour("meta_rsc_1024_gpu_jobs")
    np.testing.assert_allclose(rel.mtbf_s(1024, rate) / HOUR_S, 7.9, rtol=1e-12)


def test_default_rate_is_llama3():
    expected = 419 / (54 * 24 * 16384)
    np.testing.assert_allclose(rel.DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR, expected,
                               rtol=1e-12)


def test_every_failure_rate_and_restart_time_has_a_source():
    for name, (value, source) in {**rel.FAILURE_RATES, **ckpt.RESTART_TIMES_S}.items():
        assert value > 0, name
        assert isinstance(source, str) and len(source) > 20, name


def test_reliability_csv_matches_llama3_table5():
    from scaling.data import load_table

    table = load_table("reliability")
    llama = table[(table["study"] == "llama3_405b") & (table["category"] != "Planned")]
    by_component = {row.component: row.interruptions for row in llama.itertuples()}
    expected = {name: count
                for name, (_, count) in rel.LLAMA3_INTERRUPTIONS["by_component"].items()}
    assert by_component == expected
    assert (table["source"].str.len() > 20).all()


# --- intervals --------------------------------------------------------------------------------

@pytest.mark.parametrize("ratio", [1e-8, 1e-6, 1e-4, 1e-2, 0.1, 0.5, 1.0, 3.0])
def test_optimal_interval_maximises_daly2006_model(ratio):
    mtbf = 10_000.0
    delta = ratio * mtbf
    best = ckpt.optimal_interval_s(delta, mtbf)
    numeric = minimize_scalar(lambda tau: -ckpt.restart_goodput(mtbf, delta, 0.0, tau),
                              bounds=(1e-9 * mtbf, 5 * mtbf), method="bounded",
                              options={"xatol": 1e-10 * mtbf})
    # flat optimum: compare the goodput (1e-9) and the location (1e-4)
    np.testing.assert_allclose(ckpt.restart_goodput(mtbf, delta, 0.0), -numeric.fun, rtol=1e-9)
    np.testing.assert_allclose(best, numeric.x, rtol=1e-4)


@pytest.mark.parametrize("ratio", [1e-6, 1e-4, 1e-3, 1e-2, 0.1, 0.5])
def test_daly2006_higher_order_interval_matches_exact_optimum(ratio):
    mtbf = 5_000.0
    exact = ckpt.optimal_interval_s(ratio * mtbf, mtbf)
    daly = ckpt.daly_interval_s(ratio * mtbf, mtbf)
    # Daly's expansion is accurate to O((delta/M)^(3/2)) relative
    np.testing.assert_allclose(daly, exact, rtol=0.01)


@pytest.mark.parametrize("ratio", [1e-6, 1e-4, 1e-2])
def test_young1974_is_the_small_checkpoint_limit(ratio):
    mtbf = 5_000.0
    exact = ckpt.optimal_interval_s(ratio * mtbf, mtbf)
    young = ckpt.young_interval_s(ratio * mtbf, mtbf)
    # relative error of Young's interval is about sqrt(2 delta / M) / 3
    np.testing.assert_allclose(young, exact, rtol=math.sqrt(2 * ratio))


def test_daly2006_interval_is_mtbf_when_checkpoint_exceeds_twice_mtbf():
    assert ckpt.daly_interval_s(300.0, 100.0) == 100.0


# --- goodput ----------------------------------------------------------------------------------

def test_goodput_matches_seeded_poisson_simulation():
    """Event simulation of checkpoint/restart with Poisson failures (Daly's assumptions)."""
    rng = np.random.default_rng(20240723)
    mtbf, delta, restart, tau = 1.0, 0.05, 0.1, 0.3
    n_segments = 40_000
    wall = 0.0
    pending_restart = False
    done = 0
    while done < n_segments:
        if pending_restart:
            t = rng.exponential(mtbf)
            if t < restart:
                wall += t
                continue
            wall += restart
            pending_restart = False
        t = rng.exponential(mtbf)
        if t < tau + delta:
            wall += t
            pending_restart = True
        else:
            wall += tau + delta
            done += 1
    simulated = n_segments * tau / wall
    predicted = ckpt.restart_goodput(mtbf, delta, restart, tau)
    # 40,000 segments: standard error of the simulated goodput is about 0.4%
    np.testing.assert_allclose(simulated, predicted, rtol=0.015)


def test_first_order_agrees_at_small_scale_and_breaks_at_large_scale():
    table = study.reliability_table([1000, 1_000_000], checkpoint_time_s=60.0,
                                    restart_time_s=150.0).set_index("n_accelerators")
    small, huge = table.loc[1000], table.loc[1_000_000]
    np.testing.assert_allclose(small["goodput_first_order"],
                               ckpt.restart_goodput(rel.mtbf_s(1000), 60.0, 150.0), atol=1e-3)
    assert small["first_order_valid"]
    assert huge["goodput_first_order"] < 0
    assert 0 < ckpt.restart_goodput(rel.mtbf_s(1_000_000), 60.0, 150.0) < 0.5
    assert 0 < huge["goodput"] < 0.5
    assert not huge["first_order_valid"]


def test_first_order_is_the_expansion_at_youngs_interval():
    m, delta, restart = 5e4, 60.0, 150.0
    tau = ckpt.young_interval_s(delta, m)
    expected = tau / (tau + delta) * (1 - (restart + (tau + delta) / 2) / m)
    assert study._goodput_first_order(m, delta, restart) == pytest.approx(expected, rel=1e-15)


def test_goodput_collapses_but_stays_positive_at_ten_million_accelerators():
    g = job_goodput(1e7)
    assert 0 < g < 1e-3


@settings(max_examples=200, deadline=None)
@given(
    mtbf=st.floats(1e-2, 1e9),
    delta=st.floats(1e-3, 1e5),
    restart=st.floats(0.0, 1e5),
    tau=st.one_of(st.none(), st.floats(1e-3, 1e7)),
)
def test_goodput_is_in_unit_interval(mtbf, delta, restart, tau):
    g = ckpt.restart_goodput(mtbf, delta, restart, tau)
    assert 0.0 <= g <= 1.0
    if mtbf > 1e3 * (delta + restart) and tau is None:
        assert g > 0.0


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 10_000_000),
    rate=st.floats(1e-7, 1e-3),
    factor=st.floats(1.001, 100.0),
    delta=st.floats(1.0, 3600.0),
    restart=st.floats(0.0, 3600.0),
    tau=st.one_of(st.none(), st.floats(1.0, 1e5)),
)
def test_more_failures_lower_goodput(n, rate, factor, delta, restart, tau):
    kwargs = dict(checkpoint_time_s=delta, restart_time_s=restart)
    low = ckpt.restart_goodput(rel.mtbf_s(n, rate), delta, restart, tau)
    high = ckpt.restart_goodput(rel.mtbf_s(n, rate * factor), delta, restart, tau)
    assert high <= low
    more_chips = job_goodput(math.ceil(n * factor), failure_rate_per_accelerator_hour=rate,
                             **kwargs)
    fewer_chips = job_goodput(n, failure_rate_per_accelerator_hour=rate, **kwargs)
    assert more_chips <= fewer_chips


def test_longer_checkpoints_and_restarts_lower_goodput():
    m = rel.mtbf_s(16384)
    g = ckpt.restart_goodput(m, np.array([10.0, 60.0, 600.0]), 150.0)
    assert np.all(np.diff(g) < 0)
    g = ckpt.restart_goodput(m, 60.0, np.array([0.0, 150.0, 1800.0]))
    assert np.all(np.diff(g) < 0)


def test_llama3_scale_defaults_give_about_ninety_percent():
    # Llama 3 reported > 90% effective training time; with a 1-minute blocking save and the
    # 150 s restart default the model gives ~89%, so Llama 3's pauses must have been shorter.
    g = job_goodput(16384)
    assert 0.85 < g < 0.92
    needed = ckpt.required_checkpoint_time_s(0.90, rel.mtbf_s(16384), ckpt.DEFAULT_RESTART_TIME_S)
    assert 0 < needed < 60.0


# --- inverse problems -------------------------------------------------------------------------

@pytest.mark.parametrize("target", [0.5, 0.9, 0.99])
@pytest.mark.parametrize("n", [1e3, 1e5])
def test_required_checkpoint_time_round_trips(target, n):
    m = rel.mtbf_s(n)
    delta = ckpt.required_checkpoint_time_s(target, m, 30.0)
    if np.isnan(delta):
        assert math.exp(-30.0 / m) <= target
    else:
        np.testing.assert_allclose(ckpt.restart_goodput(m, delta, 30.0), target, rtol=1e-9)


def test_required_checkpoint_time_is_nan_when_restarts_alone_miss_the_target():
    m = rel.mtbf_s(1e6)  # ~3 minutes
    assert np.isnan(ckpt.required_checkpoint_time_s(0.9, m, 600.0))


def test_required_restart_time_round_trips_and_nan_when_infeasible():
    m = rel.mtbf_s(16384)
    restart = ckpt.required_restart_time_s(0.9, m, 20.0)
    np.testing.assert_allclose(ckpt.restart_goodput(m, 20.0, restart), 0.9, rtol=1e-9)
    assert np.isnan(ckpt.required_restart_time_s(0.99, m, 600.0))


def test_required_mtbf_and_max_accelerators_round_trip():
    targets = np.array([0.5, 0.8, 0.9, 0.95])
    m = ckpt.required_mtbf_s(targets, 60.0, 150.0)
    np.testing.assert_allclose(ckpt.restart_goodput(m, 60.0, 150.0), targets, rtol=1e-9)
    n = rel.max_accelerators(targets, 60.0, 150.0)
    # the continuous count through the stage functions
    np.testing.assert_allclose(ckpt.restart_goodput(rel.mtbf_s(n), 60.0, 150.0), targets, rtol=1e-9)
    assert np.all(np.diff(n) < 0)


def test_superlinear_scaling_exponent_raises_interruptions_above_reference():
    ref = rel.LLAMA3_INTERRUPTIONS["n_accelerators"]
    linear = rel.interruption_rate_per_s(4 * ref)
    faster = rel.interruption_rate_per_s(4 * ref, scaling_exponent=1.2)
    same = rel.interruption_rate_per_s(ref, scaling_exponent=1.2)
    np.testing.assert_allclose(same, rel.interruption_rate_per_s(ref), rtol=1e-12)
    np.testing.assert_allclose(faster / linear, 4 ** 0.2, rtol=1e-12)
    n = rel.max_accelerators(0.9, scaling_exponent=1.2)
    np.testing.assert_allclose(ckpt.restart_goodput(rel.mtbf_s(n, scaling_exponent=1.2),
                                           ckpt.DEFAULT_CHECKPOINT_TIME_S,
                                           ckpt.DEFAULT_RESTART_TIME_S), 0.9, rtol=1e-9)


def test_lost_cost():
    np.testing.assert_allclose(rel.lost_cost_usd(1e8, 0.9), 1e7, rtol=1e-12)
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        rel.lost_cost_usd(1e8, 1.2)


# --- kinds, configuration, table --------------------------------------------------------------

def test_scalar_array_and_series_in_same_kind_out():
    assert isinstance(rel.mtbf_s(1000), float)
    assert isinstance(ckpt.restart_goodput(1e4, 60.0, 150.0), float)
    arr = ckpt.restart_goodput(np.array([1e4, 1e5]), 60.0, 150.0)
    assert isinstance(arr, np.ndarray) and arr.shape == (2,)
    series = pd.Series([1e3, 1e4, 1e5], index=["a", "b", "c"])
    out = job_goodput(series)
    assert isinstance(out, pd.Series) and list(out.index) == ["a", "b", "c"]
    np.testing.assert_allclose(out.to_numpy(), [job_goodput(v) for v in series], rtol=1e-12)


def test_assumptions_forward_to_functions():
    a = rel.ReliabilityAssumptions(checkpoint_time_s=30.0, restart_time_s=300.0)
    assert a.mtbf_s(4096) == rel.mtbf_s(4096)
    assert a.interval_s(4096) == ckpt.optimal_interval_s(30.0, rel.mtbf_s(4096))
    assert a.goodput(4096) == job_goodput(4096, checkpoint_time_s=30.0, restart_time_s=300.0)
    # one synchronous job without spares: the synchronous-restart model at its optimum
    assert a.goodput(4096) == ckpt.restart_goodput(rel.mtbf_s(4096), 30.0, 300.0)
    with pytest.raises(ValueError, match="restart_time_s"):
        rel.ReliabilityAssumptions(restart_time_s=-1.0)


def test_reliability_table_columns_and_monotone():
    table = study.reliability_table([1e3, 1e4, 1e5, 1e6])
    assert list(table.columns) == [
        "n_accelerators", "interruptions_per_day", "mtbf_s", "young_interval_s",
        "daly_interval_s", "optimal_interval_s", "goodput", "goodput_first_order",
        "first_order_valid", "lost_fraction",
    ]
    assert table["goodput"].is_monotonic_decreasing
    assert table["first_order_valid"].dtype == bool


def test_checkpoint_time_from_storage_model():
    n = 405e9
    expected = ckpt.checkpoint_write_time_s(ckpt.checkpoint_bytes(n), 2e12)
    np.testing.assert_allclose(ckpt.checkpoint_time_s(n), expected, rtol=1e-12)
    assert 0 < ckpt.checkpoint_time_s(n) < 60.0
    np.testing.assert_allclose(ckpt.checkpoint_time_s(n, 7e12, bytes_per_param=16.0),
                               n * 16.0 / 7e12, rtol=1e-12)
    # the assumptions use the storage model when the size is known, else the 60 s default
    assumptions = rel.ReliabilityAssumptions()
    np.testing.assert_allclose(assumptions.pause_s(n), expected, rtol=1e-12)
    assert assumptions.pause_s() == ckpt.DEFAULT_CHECKPOINT_TIME_S == 60.0


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("call, match", [
    (lambda: rel.mtbf_s(0), r"n_accelerators must be positive \(> 0\)"),
    (lambda: rel.mtbf_s(float("nan")), "NaN"),
    (lambda: rel.mtbf_s(100, -1e-5), "failure_rate_per_accelerator_hour"),
    (lambda: ckpt.restart_goodput(1e4, -1.0, 10.0), r"checkpoint_time_s must be >= 0"),
    (lambda: ckpt.restart_goodput(1e4, 60.0, -1.0), "restart_time_s must be >= 0"),
    (lambda: ckpt.restart_goodput(float("inf"), 60.0, 1.0), r"mtbf_s must be positive \(> 0\) and finite, got inf"),
    (lambda: ckpt.restart_goodput(1e4, 60.0, 1.0, interval_s=0.0), "interval_s"),
    (lambda: ckpt.required_checkpoint_time_s(1.0, 1e4, 10.0), r"target_goodput must be in \(0, 1\)"),
    (lambda: ckpt.required_mtbf_s(0.0), "target_goodput"),
    (lambda: rel.failure_rate_per_accelerator_hour("nope"), "llama3_405b"),
    (lambda: ckpt.young_interval_s("a", 1.0), "checkpoint_time_s must be a number"),
])
def test_bad_input_raises_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_charts_build_from_library_tables():
    alt = pytest.importorskip("altair")
    import scaling.plots.reliability as rplots
    from scaling.plots.sensitivity import tornado_chart

    table = study.reliability_table([1e3, 1e5, 1e6])
    charts = [
        rplots.interruptions_chart(study.llama3_interruptions_table()),
        rplots.goodput_chart(table, threshold=0.9),
        rplots.interval_chart(table),
        tornado_chart(study.goodput_sensitivity([1e6]), output_title="goodput"),
        rplots.requirements_chart(
            pd.DataFrame({"n_accelerators": [1e3, 1e5], "series": "x",
                          "checkpoint_time_s": [900.0, 1.0]}),
            "checkpoint_time_s", "checkpoint pause [s]"),
    ]
    for chart in charts:
        assert isinstance(chart, alt.TopLevelMixin)
        chart.to_dict()
    with pytest.raises(ValueError, match="goodput_first_order"):
        rplots.goodput_chart(table.drop(columns=["goodput_first_order"]))


def test_goodput_sensitivity_swings_and_unknown_assumption():
    table = study.goodput_sensitivity([1e5])
    assert set(table["input"]) == set(study.SENSITIVITY_RANGES)
    assert table["n_accelerators"].dtype.kind == "f" and (table["n_accelerators"] == 1e5).all()
    row = table.set_index("input").loc["restart_time_s"]
    np.testing.assert_allclose(row["output_high"],
                               job_goodput(1e5, restart_time_s=1800.0), rtol=1e-12)
    np.testing.assert_allclose(row["output_base"], job_goodput(1e5), rtol=1e-12)
    assert (table["swing"] >= 0).all()
    np.testing.assert_allclose(table["swing"], (table["output_high"] - table["output_low"]).abs(),
                               rtol=1e-12)
    two = study.goodput_sensitivity([1e4, 1e6])
    assert list(two["n_accelerators"].unique()) == [1e4, 1e6]
    with pytest.raises(ValueError, match="'bogus'.*checkpoint_time_s"):
        study.goodput_sensitivity([1e5], ranges={"bogus": (1, 2)})


# --- per-cluster resilience and the elastic alternative (issue 9) -----------------------------

def test_resilience_notes_replica_of_128_gpus_fails_every_16_5_days_and_costs_almost_nothing():
    """data/resilience_NOTES.md s4 (derived from Llama 3's rate): a 128-GPU replica fails
    every ~16.5 days; with 20-150 s rejoins the capacity out is 0.001-0.01% of the fleet."""
    rate = rel.DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR
    assert 1 / (rate * 128) / 24 == pytest.approx(16.5, abs=0.1)
    for rejoin, lost in ((20.0, 1.4e-5), (150.0, 1.05e-4)):
        g = rel.elastic_goodput(1_000_000, 128, rate, rejoin)
        assert 1 - g == pytest.approx(lost, rel=0.05)
    with_overhead = rel.elastic_goodput(1_000_000, 128, rate, 20.0,
                                        checkpoint_overhead_fraction=0.0071)
    assert with_overhead == pytest.approx(0.9929, abs=1e-4)


def test_job_goodput_chooses_the_recovery_model_by_name():
    n = np.array([16384.0, 1_000_000.0])
    synchronous = rel.job_goodput(n, restart_time_s=20.0, recovery="restart")
    interval, good = ckpt.optimal_checkpointing(rel.mtbf_s(n), ckpt.DEFAULT_CHECKPOINT_TIME_S,
                                                20.0)
    np.testing.assert_array_equal(synchronous[1], interval)
    np.testing.assert_array_equal(synchronous[2], good)
    elastic = rel.job_goodput(n, restart_time_s=20.0, recovery="elastic",
                              checkpoint_overhead_fraction=0.0071)
    np.testing.assert_array_equal(elastic[2], rel.elastic_goodput(
        n, rel.DEFAULT_REPLICA_SIZE, rejoin_time_s=20.0, checkpoint_overhead_fraction=0.0071))
    assert np.isnan(elastic[1]).all()
    # an array of names chooses element-wise (runs on several clusters at once)
    mixed = rel.job_goodput(n, restart_time_s=20.0, recovery=["restart", "elastic"])
    assert mixed[2][0] == synchronous[2][0]
    assert mixed[2][1] == rel.elastic_goodput(1_000_000, rel.DEFAULT_REPLICA_SIZE,
                                              rejoin_time_s=20.0)
    with pytest.raises(ValueError, match="did you mean 'elastic'"):
        rel.job_goodput(n, recovery="elastc")


def test_zero_checkpoint_pause_leaves_only_restarts():
    m = rel.mtbf_s(400_000)
    interval, g = ckpt.optimal_checkpointing(m, 0.0, 20.0)
    assert interval == 0.0
    assert g == pytest.approx(math.exp(-20.0 / m), rel=1e-12)


def test_named_clusters_carry_their_resilience_rows():
    import scaling

    stargate = scaling.cluster("stargate-abilene")
    assert stargate.resilience.recovery == "elastic"
    assert stargate.resilience.restart_time_s == 20.0
    assert stargate.resilience.checkpoint_time_s == 0.0
    frontier = scaling.cluster("frontier").resilience
    assert frontier.recovery == "restart" and frontier.restart_time_s == 1800.0
    resolved = rel.ReliabilityAssumptions().resolve(stargate.resilience)
    assert resolved.recovery == "elastic" and resolved.hot_spare_fraction == 0.00045
    # set fields win; cluster_resilience=False gives the package defaults
    mine = rel.ReliabilityAssumptions(restart_time_s=60.0).resolve(stargate.resilience)
    assert mine.restart_time_s == 60.0 and mine.recovery == "elastic"
    plain = rel.ReliabilityAssumptions(cluster_resilience=False).resolve(stargate.resilience)
    assert plain.recovery == "restart" and plain.restart_time_s == ckpt.DEFAULT_RESTART_TIME_S
    assert plain.checkpoint_time_s is None and plain.hot_spare_fraction == 0.0


def test_stargate_runs_elastic_by_default_and_would_stall_as_one_synchronous_job():
    import scaling

    run = scaling.estimate_run(2.1e25, cluster="stargate-2024")
    spare = scaling.cluster("stargate-2024").resilience.hot_spare_fraction
    expected = rel.elastic_goodput(1_000_000, run.step_time.layout.tp * run.step_time.layout.pp
                                   * run.step_time.layout.cp * run.step_time.layout.ep,
                                   rejoin_time_s=20.0,
                                   checkpoint_overhead_fraction=0.0071) * (1 - spare)
    assert run.goodput == pytest.approx(float(expected), rel=1e-12)
    assert math.isnan(run.checkpoint_interval_s)
    synchronous = scaling.estimate_run(2.1e25, cluster="stargate-2024",
                                       assumptions=scaling.Assumptions().replace(
                                           cluster_resilience=False))
    # as one synchronous job it would stall on all million chips, so the chain keeps the best
    # count up to the million (issue 15): far fewer chips in use, and still slower
    assert synchronous.time_s > 3 * run.time_s
    assert synchronous.n_accelerators_used < 0.5 * 1_000_000 < run.n_accelerators_used


@pytest.mark.parametrize("kwargs, match", [
    ({"recovery": "pray"}, "recovery"), ({"hot_spare_fraction": 1.0}, "hot_spare_fraction"),
    ({"replica_size": 0}, "replica_size"), ({"cluster_resilience": "yes"}, "cluster_resilience"),
    ({"checkpoint_time_s": -1.0}, "checkpoint_time_s"),
])
def test_reliability_assumptions_refuse_bad_resilience_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        rel.ReliabilityAssumptions(**kwargs)


@pytest.mark.parametrize("fields", [
    {},
    {"recovery": "elastic", "restart_time_s": 20.0, "hot_spare_fraction": 0.02,
     "checkpoint_overhead_fraction": 0.0071},
    {"recovery": "restart", "checkpoint_time_s": 30.0, "hot_spare_fraction": 0.05},
], ids=["defaults", "elastic-with-spares", "restart-with-spares"])
def test_reliability_assumptions_goodput_is_the_chain_goodput_stage(fields):
    # one goodput stage (job_goodput): the assumptions' own method and the chain agree, for
    # elastic recovery and spares too (before, the method ignored both)
    import scaling

    assumed = rel.ReliabilityAssumptions(**fields)
    run = scaling.estimate_run(1e25, accelerator="H100-SXM", n_accelerators=100_000,
                               assumptions=scaling.Assumptions(mfu=0.4, reliability=assumed))
    assert assumed.goodput(100_000) == pytest.approx(run.goodput, rel=1e-12)
    if fields.get("recovery") == "elastic":
        expected = (1 - 0.02) * rel.elastic_goodput(
            100_000, rel.DEFAULT_REPLICA_SIZE, rejoin_time_s=20.0,
            checkpoint_overhead_fraction=0.0071)
        assert assumed.goodput(100_000) == pytest.approx(expected, rel=1e-12)
