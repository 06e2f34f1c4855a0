"""Property tests (hypothesis) of the forecast chain's monotonicity and invariants."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scaling import laws
from scaling.assumptions import Assumptions
from scaling.chain import estimate_run
from scaling.errors import InfeasibleRunError
from scaling.forecasting import forecast

#: These properties are of the chain's arithmetic; the step-time utilisation refuses runs whose
#: model does not fit (InfeasibleRunError), so a constant generation MFU is used here.
CONSTANT_MFU = Assumptions(mfu_model="generation_default")

COMPUTE = st.floats(min_value=1e20, max_value=1e27)
# More accelerators shorten a run only while the job MTBF stays well above the restart time; at
# Llama 3's failure rate and a 150 s restart, n x goodput peaks near 1e6 accelerators, past which
# the chain leaves the rest idle (scaling.fewer).
COUNT = st.integers(min_value=1, max_value=10_000_000)
#: Counts for the step-time model: up to a million (its plan search runs per count).
STEP_COUNT = st.integers(min_value=8, max_value=1_000_000)
MFU = st.floats(min_value=0.05, max_value=1.0)
PRICED = st.sampled_from(["H100-SXM", "A100-SXM4-80GB", "H800-SXM", "TPU-v4", "MI300X", "B200"])
RATE = st.floats(min_value=1e-7, max_value=1e-3)
SIZE = st.floats(min_value=4e7, max_value=1e13)   # model_shape.MIN_DERIVED_PARAMS up

PROFILE = settings(max_examples=60, deadline=None)


@PROFILE
@given(compute=COMPUTE, n1=COUNT, n2=COUNT, mfu=MFU)
def test_more_accelerators_never_slower(compute, n1, n2, mfu):
    """More accelerators never take longer (issue 15): below the count where failures cost more
    goodput than accelerators add throughput, strictly less; past it the chain uses that many
    and leaves the rest idle (scaling.fewer), so the time stops falling but never rises."""
    small, large = sorted((n1, n2))
    if small == large:
        return
    a = Assumptions(mfu=mfu)
    t_small = estimate_run(compute, accelerator="H100-SXM", n_accelerators=small,
                           assumptions=a).time_s
    t_large = estimate_run(compute, accelerator="H100-SXM", n_accelerators=large,
                           assumptions=a).time_s
    assert t_large <= t_small * (1 + 1e-9)    # float noise of the best-count search
    if large <= 300_000:   # well below the peak of n x goodput (~1e6 at Llama 3's rates)
        assert t_large < t_small


@settings(max_examples=40, deadline=None)
@given(compute=st.floats(min_value=1e21, max_value=1e27), n1=STEP_COUNT, n2=STEP_COUNT,
       chip=st.sampled_from(["H100-SXM", "A100-SXM4-80GB", "TPU-v5p", "B200", "GB200"]),
       size=st.sampled_from([None, 7e9, 70e9, "Llama 3 405B"]),
       failures=st.booleans())
def test_step_time_more_accelerators_never_slower(compute, n1, n2, chip, size, failures):
    """The same with the step-time model, over models, counts and machines: a larger count is
    offered every layout of a smaller one's grid, and the best count up to it is kept."""
    small, large = sorted((n1, n2))
    a = Assumptions(include_failures=failures)
    kwargs = ({"model": size} if isinstance(size, str)
              else {} if size is None else {"n_params": size})
    try:
        t_small = estimate_run(compute, accelerator=chip, n_accelerators=small, assumptions=a,
                               **kwargs).time_s
    except InfeasibleRunError:
        return      # the model does not fit the smaller machine: nothing to compare
    t_large = estimate_run(compute, accelerator=chip, n_accelerators=large, assumptions=a,
                           **kwargs).time_s
    assert t_large <= t_small * (1 + 1e-9)


@PROFILE
@given(compute=COMPUTE, n=COUNT, r1=RATE, r2=RATE)
def test_more_failures_never_faster(compute, n, r1, r2):
    """A higher failure rate never shortens a run; goodput stays in (0, 1]. (The goodput itself
    may rise: the chain may then use fewer accelerators, whose failures cost less.)"""
    low, high = sorted((r1, r2))
    if high <= low * (1 + 1e-9):
        return
    runs = [estimate_run(compute, accelerator="H100-SXM", n_accelerators=n,
                         assumptions=CONSTANT_MFU.replace(
                             failure_rate_per_accelerator_hour=rate)) for rate in (low, high)]
    assert runs[1].time_s >= runs[0].time_s * (1 - 1e-12)
    assert all(0 < run.goodput <= 1 for run in runs)


@PROFILE
@given(compute=COMPUTE, law=st.sampled_from(sorted(laws.LAW_PARAMETERS)))
def test_compute_optimal_n_and_d_satisfy_6nd_equals_c(compute, law):
    opt = laws.compute_optimal(compute, law)
    assert math.isclose(6 * opt.n_params * opt.n_tokens, compute, rel_tol=1e-10)


@PROFILE
@given(sizes=st.lists(SIZE, min_size=1, max_size=5))
def test_forecast_rows_satisfy_6nd_equals_c(sizes):
    frame = forecast(sizes, cluster="llama3-16k").to_frame()
    np.testing.assert_allclose(frame["compute_flop"], 6 * frame["n_params"] * frame["n_tokens"],
                               rtol=1e-12)
    opt = laws.compute_optimal(frame["compute_flop"].to_numpy())
    np.testing.assert_allclose(opt.n_params, frame["n_params"], rtol=1e-8)


@PROFILE
@given(compute=COMPUTE, n=COUNT, mfu=MFU, chip=PRICED, n_params=SIZE)
def test_costs_and_energies_positive_and_finite(compute, n, mfu, chip, n_params):
    run = estimate_run(compute, accelerator=chip, n_accelerators=n, n_params=n_params,
                       assumptions=Assumptions(mfu=mfu))
    for value in (run.time_s, run.energy_j, run.facility_power_w, run.amortized_cost_usd,
                  run.amortized_hardware_cost_usd, run.energy_cost_usd, run.accelerator_hours):
        assert math.isfinite(value) and value > 0
    if not math.isnan(run.rental_usd_per_hour):
        assert math.isfinite(run.rental_cost_usd) and run.rental_cost_usd > 0


@PROFILE
@given(compute=COMPUTE, n=COUNT, factor=st.floats(min_value=1.01, max_value=100.0))
def test_time_and_cost_scale_linearly_with_compute_at_fixed_model(compute, n, factor):
    a = estimate_run(compute, accelerator="H100-SXM", n_accelerators=n, n_params=1e11,
                     assumptions=CONSTANT_MFU)
    b = estimate_run(compute * factor, accelerator="H100-SXM", n_accelerators=n, n_params=1e11,
                     assumptions=CONSTANT_MFU)
    assert math.isclose(b.time_s / a.time_s, factor, rel_tol=1e-9)
    assert math.isclose(b.amortized_cost_usd / a.amortized_cost_usd, factor, rel_tol=1e-9)
