"""Issue 17, item 7: a property-based campaign (hypothesis) over the public API.

Valid inputs drawn at random give physically possible answers: finite, positive times, energies
and costs; MFU and goodput in (0, 1]; whole accelerator counts; ordered P5 <= P50 <= P95
intervals. Invalid inputs drawn at random raise the package's own error type (``ValueError``, or
its subclass ``InfeasibleRunError``) naming the argument, never a numpy/pandas/Python error.

Examples per property are stated in each ``settings`` (:data:`VALID`, :data:`INVALID`,
:data:`SLOW`); ``make test`` runs them all, deterministically (``derandomize=True``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scaling
from scaling.apps import explorer
from scaling.assumptions import Assumptions
from scaling.cost import PriceAssumptions
from scaling.errors import InfeasibleRunError
from scaling.reliability import ReliabilityAssumptions

#: Examples per property: valid-input properties, invalid-input properties, slow properties
#: (Monte Carlo or the budget search per example).
VALID, INVALID, SLOW = 60, 150, 8
_COMMON = dict(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

CHIPS = st.sampled_from(["H100-SXM", "A100-SXM4-80GB", "H200-SXM", "B200", "GB200", "MI300X",
                         "TPU-v5p", "TPU-v4"])
CLUSTERS = st.sampled_from(["llama3-16k", "eos-mlperf", "azure-eagle", "frontier",
                            "stargate-abilene"])
COMPUTE = st.floats(min_value=1e20, max_value=1e27)
COUNT = st.integers(min_value=8, max_value=200_000)
MFU = st.floats(min_value=0.05, max_value=1.0)
AS_OF = st.one_of(st.none(), st.floats(min_value=2025.0, max_value=2035.0))
CONSTANT = st.builds(lambda mfu, as_of: Assumptions(mfu=mfu, as_of=as_of), MFU, AS_OF)


def _physical(run) -> None:
    """The invariants every run must satisfy."""
    assert 0 < float(run.mfu) <= 1
    assert 0 < float(run.goodput) <= 1
    assert float(run.n_accelerators) == int(run.n_accelerators) >= 1
    assert 1 <= float(run.n_accelerators_used) <= float(run.n_accelerators)
    for name in ("time_s", "accelerator_hours", "energy_j", "facility_power_w",
                 "amortized_cost_usd", "emissions_tco2e"):
        value = float(getattr(run, name))
        assert math.isfinite(value) and value > 0, (name, value)
    rent = float(run.rental_cost_usd)
    assert math.isnan(rent) or rent > 0


@settings(max_examples=VALID, **_COMMON)
@given(compute=COMPUTE, chip=CHIPS, count=COUNT, a=CONSTANT)
def test_any_valid_run_is_physically_possible(compute, chip, count, a):
    try:
        run = scaling.estimate_run(compute, accelerator=chip, n_accelerators=count,
                                   assumptions=a)
    except InfeasibleRunError:     # e.g. a chip used before its release: refused by name
        return
    _physical(run)


@settings(max_examples=VALID // 2, **_COMMON)
@given(compute=st.floats(min_value=1e21, max_value=1e26), cluster=CLUSTERS,
       efficiency=st.sampled_from(["median_published_run", "large_lab_production", 0.5]))
def test_any_step_time_run_on_a_named_cluster_is_physically_possible(compute, cluster,
                                                                     efficiency):
    try:
        run = scaling.estimate_run(compute, cluster=cluster,
                                   assumptions=Assumptions(run_efficiency=efficiency))
    except InfeasibleRunError:
        return
    _physical(run)
    assert float(run.throughput.step_mfu) <= 1


@settings(max_examples=SLOW, **_COMMON)
@given(size=st.floats(min_value=1e9, max_value=1e12), cluster=CLUSTERS,
       seed=st.integers(min_value=0, max_value=2 ** 16))
def test_forecast_intervals_are_ordered(size, cluster, seed):
    frame = scaling.forecast([size], cluster=cluster, uncertainty=True, n_samples=200,
                             seed=seed).to_frame()
    for column in frame.columns:
        if column.endswith("_ci_lower"):
            base = column[: -len("_ci_lower")]
            lo, mid, hi = (frame[c].to_numpy(dtype=float)
                           for c in (column, base, base + "_ci_upper"))
            ok = np.isnan(mid) | ((lo <= mid * (1 + 1e-12)) & (mid <= hi * (1 + 1e-12)))
            assert ok.all(), column


@settings(max_examples=SLOW, **_COMMON)
@given(budget=st.floats(min_value=2e5, max_value=2e8),
       days=st.floats(min_value=7.0, max_value=180.0), chip=st.sampled_from(
           ["H100-SXM", "B200", "TPU-v5p"]))
def test_a_budget_never_buys_more_than_it_has(budget, days, chip):
    try:
        plan = scaling.model_for_budget(budget, deadline_s=days * 86400, accelerator=chip,
                                        n_samples=50)
    except InfeasibleRunError:
        return
    assert plan.cost_usd <= budget * (1 + 1e-9)
    assert plan.time_days <= days * (1 + 1e-6)
    assert plan.n_accelerators == int(plan.n_accelerators) >= 1
    assert plan.loss_ci_lower <= plan.loss <= plan.loss_ci_upper
    assert plan.binds in scaling.solve.BINDS


# ---- invalid inputs -----------------------------------------------------------------------

#: Values that are never a valid number for a physical quantity.
GARBAGE = st.one_of(st.just(math.nan), st.just(math.inf), st.just(-math.inf),
                    st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False),
                    st.text(max_size=5), st.booleans(),
                    st.lists(st.sampled_from([math.nan, -1.0, 0.0]), min_size=2, max_size=3))
#: Fields of the assumptions that are physical numbers (no None, no choice).
NUMBER_FIELDS = st.sampled_from([
    ("mfu", Assumptions), ("pue", Assumptions), ("global_batch_tokens", Assumptions),
    ("carbon_intensity_g_per_kwh", Assumptions), ("carbon_free_energy_fraction", Assumptions),
    ("failure_rate_per_accelerator_hour", ReliabilityAssumptions),
    ("restart_time_s", ReliabilityAssumptions), ("checkpoint_time_s", ReliabilityAssumptions),
    ("hot_spare_fraction", ReliabilityAssumptions), ("replica_size", ReliabilityAssumptions),
    ("electricity_usd_per_kwh", PriceAssumptions), ("rental_usd_per_hour", PriceAssumptions),
    ("accelerator_price_usd", PriceAssumptions), ("lifetime_years", PriceAssumptions),
    ("server_cost_overhead", PriceAssumptions),
])


def _refused_by_name(call, name) -> None:
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    assert name in message, message
    for leak in ("could not convert", "ufunc", "has no attribute", "not subscriptable",
                 "truth value", "only length-1", "unsupported operand"):
        assert leak not in message, message


@settings(max_examples=INVALID, **_COMMON)
@given(field=NUMBER_FIELDS, value=GARBAGE)
def test_a_garbage_assumption_is_refused_by_name(field, value):
    name, kind = field
    _refused_by_name(lambda: kind(**{name: value}), name)


@settings(max_examples=INVALID, **_COMMON)
@given(argument=st.sampled_from(["compute_flop", "n_accelerators", "n_params"]),
       value=GARBAGE)
def test_a_garbage_run_argument_is_refused_by_name(argument, value):
    kwargs = {"compute_flop": 1e23, "accelerator": "H100-SXM", "n_accelerators": 64,
              argument: value}
    _refused_by_name(lambda: scaling.estimate_run(kwargs.pop("compute_flop"), **kwargs),
                     argument)


@settings(max_examples=INVALID // 2, **_COMMON)
@given(argument=st.sampled_from(["n_params", "n_tokens", "mfu", "pue", "price_usd",
                                 "rental_usd_per_hour", "electricity_usd_per_kwh",
                                 "restart_time_s", "n_accelerators"]), value=GARBAGE)
def test_a_garbage_what_if_dial_is_refused_by_name(argument, value):
    kwargs = {"n_params": 8e9, "accelerator": "H100-SXM", "n_accelerators": 64,
              argument: value}
    _refused_by_name(lambda: explorer.what_if(**kwargs), argument)


@settings(max_examples=INVALID // 2, **_COMMON)
@given(argument=st.sampled_from(["budget_usd", "deadline_s", "inference_tokens"]),
       value=GARBAGE)
def test_a_garbage_budget_is_refused_by_name(argument, value):
    kwargs = {"budget_usd": 1e6, "deadline_s": 86400.0, "accelerator": "H100-SXM",
              argument: value}
    if argument == "inference_tokens" and isinstance(value, float) and value == -math.inf:
        value = -1.0
    _refused_by_name(lambda: scaling.model_for_budget(kwargs.pop("budget_usd"), **kwargs),
                     argument)
