"""The step-time model in the forecast chain (issue 9): what the predicted MFU does that a
constant cannot, and the must-show refusals."""

import dataclasses
import math
import time

import numpy as np
import pytest

import scaling
from scaling.errors import InfeasibleRunError
from scaling.training_state import min_accelerators_for_state
from scaling.units import SECONDS_PER_DAY
from scaling.throughput import RUN_EFFICIENCY, clear_cache, throughput_model


def test_tenth_of_the_scale_out_bandwidth_trains_a_large_model_measurably_slower():
    """Issue 9: 'a cluster with a tenth of the network bandwidth trains exactly as fast' with a
    constant MFU. With the step-time model it does not (405B on 16,384 H100, 400 -> 40 Gb/s per
    GPU scale-out)."""
    fast = scaling.cluster("llama3-16k")
    slow = dataclasses.replace(fast, name="llama3-16k at 40 Gb/s",
                               scale_out_bandwidth_byte_per_s=fast.scale_out_bandwidth_byte_per_s
                               / 10)
    a = scaling.estimate_run(3.8e25, cluster=fast, model="Llama 3 405B")
    b = scaling.estimate_run(3.8e25, cluster=slow, model="Llama 3 405B")
    assert b.time_s > 1.1 * a.time_s
    constant = scaling.Assumptions(mfu_model="generation_default")
    assert scaling.estimate_run(3.8e25, cluster=slow, model="Llama 3 405B",
                                assumptions=constant).time_s == pytest.approx(
        scaling.estimate_run(3.8e25, cluster=fast, model="Llama 3 405B",
                             assumptions=constant).time_s, rel=1e-12)


def test_7b_model_on_a_million_accelerators_is_capped_by_the_batch_wall():
    """Issue 9: 'the forecast happily spreads a 7B model over a million accelerators'. The
    compute-optimal 7B run's global batch (DeepSeek LLM's law) keeps most of a million GB200
    idle: the run says so and charges them (MFU against all given)."""
    compute = 6 * 7e9 * float(scaling.laws.optimal_tokens_for_params(7e9))
    run = scaling.estimate_run(compute, accelerator="GB200", n_accelerators=1_000_000,
                               n_params=7e9)
    assert run.n_accelerators_used < 0.2 * 1_000_000
    assert "Batch-size wall" in run.throughput.limit
    assert run.mfu < 0.05
    # more accelerators past the wall do not make it faster
    fewer = scaling.estimate_run(compute, accelerator="GB200",
                                 n_accelerators=int(run.n_accelerators_used), n_params=7e9)
    assert fewer.compute_time_s == pytest.approx(run.compute_time_s, rel=0.02)


def test_1e16_parameter_model_on_8_h100_is_refused_with_the_minimum_count():
    """Issue 9: 'a 1e16-parameter model "trains" on 8 H100s (no memory check)'."""
    assert min_accelerators_for_state(1e16, "H100-SXM") == math.ceil(16e16 / (80e9 * 0.9))
    # the derived shape holds 1e16 parameters to 1e-4
    floor = min_accelerators_for_state(scaling.model_shape.shape_from_params(1e16), "H100-SXM")
    assert floor == pytest.approx(2.2222e6, rel=1e-4)
    with pytest.raises(InfeasibleRunError, match=f"at least {floor:,} H100-SXM"):
        scaling.estimate_run(1e30, accelerator="H100-SXM", n_accelerators=8, n_params=1e16)


def test_mixture_of_experts_run_uses_its_active_parameters():
    """DeepSeek-V3 (671B total, 37B active) is modelled as what it is: 6 x active N per token."""
    run = scaling.estimate_run(3.4e24, accelerator="H800-SXM", n_accelerators=2048,
                               model="DeepSeek-V3",
                               assumptions=scaling.Assumptions(precision="fp8"))
    assert run.n_params == pytest.approx(671e9, rel=0.01)  # the checkpoint holds them all
    assert run.step_time.layout.ep > 1
    expected = (RUN_EFFICIENCY * 6 * run.model.n_active_params * run.step_time.tokens_per_s
                / (2048 * scaling.accelerator("H800-SXM").peak_flop_per_s("fp8")))
    assert run.mfu == pytest.approx(expected, rel=1e-12)


def test_unknown_size_uses_the_compute_optimal_model():
    run = scaling.estimate_run(1e24, accelerator="H100-SXM", n_accelerators=4096)
    optimal = float(scaling.compute_optimal(1e24).n_params)
    assert run.model.n_params == pytest.approx(optimal, rel=0.01)
    assert math.isnan(run.n_params)  # the checkpoint keeps its documented default


def test_utilisation_choices_and_constant_override():
    base = dict(accelerator="H100-SXM", n_accelerators=1024, n_params=7e10)
    step = scaling.estimate_run(1e24, **base)
    default = scaling.estimate_run(1e24, **base, assumptions=scaling.Assumptions(
        mfu_model="generation_default"))
    fixed = scaling.estimate_run(1e24, **base, assumptions=scaling.Assumptions(mfu=0.4))
    assert step.throughput.source == "step_time" and step.step_time is not None
    assert default.mfu == scaling.accelerator("H100-SXM").default_mfu and default.step_time is None
    assert fixed.mfu == 0.4 and fixed.throughput.source == "assumptions"
    with pytest.raises(ValueError, match="mfu_model 'steptime'.*did you mean 'step_time'"):
        scaling.Assumptions(mfu_model="steptime")
    with pytest.raises(ValueError, match="step-time model needs a model of at least"):
        scaling.estimate_run(1e10, accelerator="H100-SXM", n_accelerators=8)


def test_global_batch_override_moves_the_batch_wall():
    compute = 6 * 7e9 * 1.4e11
    law = scaling.estimate_run(compute, accelerator="H100-SXM", n_accelerators=8192,
                               n_params=7e9)
    big = scaling.estimate_run(compute, accelerator="H100-SXM", n_accelerators=8192,
                               n_params=7e9,
                               assumptions=scaling.Assumptions(global_batch_tokens=64e6))
    # a four-times larger batch than the law's keeps the replicas busy: no pipeline bubble
    assert big.mfu > 2 * law.mfu
    assert big.step_time.layout.pp < law.step_time.layout.pp


def test_layout_search_is_cached_on_exact_inputs():
    clear_cache()
    shape = scaling.model_shape.shape_from_params(3e11)
    machine = throughput_model(accelerator=scaling.accelerator("H100-SXM"),
                               assumptions=scaling.Assumptions())
    start = time.perf_counter()
    first = machine.evaluate(5e24, 16384, model=shape)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    again = machine.evaluate(5e24, 16384, model=shape)
    warm = time.perf_counter() - start
    assert again.step_time is first.step_time
    assert warm < cold


def test_infeasible_sizes_in_a_monte_carlo_sweep_are_nan_with_a_note():
    fc = scaling.forecast([1e12, 1e14], cluster="llama3-16k", uncertainty=True, n_samples=50)
    frame = fc.to_frame()
    assert np.isfinite(frame.loc[0, "time_s"]) and np.isnan(frame.loc[1, "time_s"])
    assert len(fc.notes) == 1 and "1e+14" in fc.notes[0] and "H100-SXM" in fc.notes[0]
    with pytest.raises(InfeasibleRunError, match="at least"):
        scaling.forecast([1e14], cluster="llama3-16k")


def test_largest_trainable_reproduces_the_deadline_with_the_step_time_model():
    deadline = 60 * SECONDS_PER_DAY
    row = scaling.largest_trainable("llama3-16k", deadline_s=deadline).to_frame().iloc[0]
    assert row["time_s"] <= deadline * (1 + 1e-9)
    again = scaling.estimate_run(row["compute_flop"], cluster="llama3-16k",
                                 n_params=row["n_params"])
    assert again.time_s == pytest.approx(row["time_s"], rel=1e-12)


def test_throughput_broadcasts_and_indexes_its_layouts():
    machine = throughput_model(accelerator=scaling.accelerator("H100-SXM"),
                               assumptions=scaling.Assumptions())
    through = machine.evaluate(np.array([[1e23], [1e24]]), 1024,
                               n_params=np.array([[1e10], [3e10]]))
    assert np.shape(through.mfu) == (2, 1) and len(through.step_times) == 2
    assert through.index.tolist() == [[0], [1]]


def test_deadline_sizing_says_whether_failures_or_the_batch_wall_stop_it():
    year = scaling.units.SECONDS_PER_YEAR
    with pytest.raises(InfeasibleRunError, match="goodput is .*recovery='elastic'"):
        scaling.forecast_for_deadline([1e14], deadline_s=year, accelerator="GB200")
    elastic = scaling.Assumptions().replace(recovery="elastic", restart_time_s=20.0)
    frame = scaling.forecast_for_deadline([1e14], deadline_s=year, accelerator="GB200",
                                          assumptions=elastic).to_frame()
    assert year * (1 - 1e-3) <= frame.loc[0, "time_s"] <= year * (1 + 1e-9)
    assert frame.loc[0, "goodput"] > 0.95
    with pytest.raises(InfeasibleRunError, match="batch-size wall"):
        scaling.forecast_for_deadline([7e9], deadline_s=3600.0, accelerator="H100-SXM",
                                      assumptions=scaling.Assumptions(include_failures=False))


def test_the_throughput_of_a_step_found_outside_the_cache_is_the_chains():
    """of_step_time (notebook 09's tables) gives the Throughput the chain would for the same
    layout: its step MFU, run MFU, accelerators used and replica size."""
    from scaling.plan_search import plan_parallelism
    from scaling.throughput import of_step_time, throughput_model

    tm = throughput_model(accelerator=scaling.accelerator("H100-SXM"),
                          assumptions=scaling.Assumptions())
    step = plan_parallelism(model=7e10, accelerator="H100-SXM", n_accelerators=1024)
    through = of_step_time(tm, step)
    layout = step.layout
    assert through.n_accelerators_used == step.n_accelerators_used
    assert through.replica_size == layout.tp * layout.pp * layout.cp * layout.ep
    assert through.mfu == pytest.approx(tm.run_efficiency * through.step_mfu, rel=1e-12)
    assert 0 < through.mfu <= through.step_mfu <= 1
