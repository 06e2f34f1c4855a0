"""Pandas in, pandas out (issue 17, item 4).

``tests/test_series_contract.py`` checks one Series in, the same index out. Here:

- two Series with the same labels in another order are paired by label, not by position, and
  Series whose labels differ are refused with a message naming both arguments;
- the facade's entry points that take numbers (``scaling.__all__``) keep a Series' labels:
  ``estimate_run`` returns Series fields and a frame indexed by them, ``forecast`` and its
  relatives a frame indexed by them, or they refuse a Series where one number goes;
- laws, cost, emissions and inference functions do the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scaling
from scaling import checkpointing, clusters, cost, emissions, inference, laws, reliability

H100 = "H100-SXM"
INDEX = pd.Index(["small", "medium", "large"], name="run")


def s(*values, index=INDEX):
    return pd.Series(values, index=index, dtype=float)


def shuffled(series):
    """The same labels and values in another order."""
    return series.iloc[[2, 0, 1]]


#: (name, function of two arguments, first Series, second Series): binary functions.
BINARY = [
    ("laws.chinchilla_loss", laws.chinchilla_loss, s(1e9, 1e10, 1e11), s(1e11, 1e12, 1e13)),
    ("laws.training_flop", laws.training_flop, s(1e9, 1e10, 1e11), s(1e11, 1e12, 1e13)),
    ("laws.kaplan_loss", laws.kaplan_loss, s(1e8, 1e9, 1e10), s(1e10, 1e11, 1e12)),
    ("laws.effective_tokens", laws.effective_tokens, s(1e11, 4e11, 1e12), s(5e10, 8e10, 1e11)),
    ("laws.effective_params", laws.effective_params, s(1e9, 1e10, 1e11), s(1e11, 2e11, 4e11)),
    ("scaling.chinchilla_loss", scaling.chinchilla_loss, s(1e9, 1e10, 1e11),
     s(1e11, 1e12, 1e13)),
    ("scaling.training_flop", scaling.training_flop, s(1e9, 1e10, 1e11), s(1e11, 1e12, 1e13)),
    ("clusters.energy_j", clusters.energy_j, s(1e6, 1e7, 1e8), s(3600.0, 7200.0, 86400.0)),
    ("clusters.peak_it_power_w", lambda a, b: clusters.peak_it_power_w(a, b, 1.8), s(8, 1024, 16384),
     s(700.0, 1000.0, 1200.0)),
    ("clusters.allreduce_time_s", lambda a, b: clusters.allreduce_time_s(a, b, 5e10),
     s(1e9, 1e10, 1e11), s(2, 64, 1024)),
    ("cost.rental_cost_usd", cost.rental_cost_usd, s(1e3, 1e6, 1e7), s(2.0, 3.0, 4.0)),
    ("cost.energy_cost_usd", cost.energy_cost_usd, s(1e9, 1e12, 1e15), s(0.05, 0.08, 0.1)),
    ("cost.amortized_hardware_cost_usd", cost.amortized_hardware_cost_usd, s(1e6, 1e8, 1e9),
     s(1e5, 1e6, 1e7)),
    ("cost.break_even_time_s", lambda a, b: cost.break_even_time_s(a, b, 4.0),
     s(1e5, 1e6, 1e7), s(0.5, 1.0, 2.0)),
    ("emissions.emissions_tco2e", emissions.emissions_tco2e, s(1e9, 1e12, 1e15),
     s(100.0, 400.0, 800.0)),
    ("emissions.market_based_intensity_g_per_kwh", emissions.market_based_intensity_g_per_kwh,
     s(100.0, 400.0, 800.0), s(0.0, 0.5, 0.9)),
    ("inference.lifetime_flop", lambda a, b: inference.lifetime_flop(a, 1e12, b),
     s(1e9, 1e10, 1e11), s(1e12, 1e13, 1e14)),
    ("inference.usd_per_flop", lambda a, b: inference.usd_per_flop(a, b, 0.4),
     s(1.0, 2.0, 3.0), s(4e14, 9.89e14, 2e15)),
    ("checkpointing.young_interval_s", checkpointing.young_interval_s, s(30.0, 60.0, 120.0),
     s(1e3, 1e4, 1e5)),
    ("checkpointing.checkpoint_bytes", checkpointing.checkpoint_bytes, s(1e9, 1e10, 1e11),
     s(12.0, 14.0, 16.0)),
    ("reliability.mtbf_s", reliability.mtbf_s, s(1024, 16384, 100_000), s(1e-5, 2e-5, 4e-5)),
    ("reliability.lost_cost_usd", reliability.lost_cost_usd, s(1e6, 1e7, 1e8),
     s(0.8, 0.9, 0.95)),
]


@pytest.mark.parametrize("name, function, first, second", BINARY, ids=[b[0] for b in BINARY])
def test_two_series_are_paired_by_label(name, function, first, second):
    aligned = function(first, second)
    reordered = function(first, shuffled(second))
    assert isinstance(reordered, pd.Series), f"{name} returned {type(reordered).__name__}"
    assert reordered.index.equals(first.index), name
    assert np.allclose(reordered.to_numpy(), aligned.to_numpy(), rtol=1e-12), (
        f"{name} paired the Series by position")


@pytest.mark.parametrize("name, function, first, second", BINARY, ids=[b[0] for b in BINARY])
def test_series_with_other_labels_are_refused(name, function, first, second):
    other = second.set_axis(pd.Index(["a", "b", "c"], name="run"))
    with pytest.raises(ValueError, match="label") as info:
        function(first, other)
    assert "small" in str(info.value) or "'a'" in str(info.value), str(info.value)


def test_a_series_and_an_array_are_paired_by_position():
    out = laws.chinchilla_loss(s(1e9, 1e10, 1e11), np.array([1e11, 1e12, 1e13]))
    assert isinstance(out, pd.Series) and out.index.equals(INDEX)


# ---------------------------------------------------------------------------------------
# The facade's entry points
# ---------------------------------------------------------------------------------------

def test_estimate_run_series_in_series_out():
    compute = s(1e23, 1e24, 1e25)
    run = scaling.estimate_run(compute, accelerator=H100, n_accelerators=4096)
    for field in ("time_s", "energy_j", "amortized_cost_usd", "mfu", "goodput"):
        value = getattr(run, field)
        assert isinstance(value, pd.Series), f"{field} is {type(value).__name__}"
        assert value.index.equals(INDEX), field
    assert run.to_frame().index.equals(INDEX)
    single = scaling.estimate_run(1e24, accelerator=H100, n_accelerators=4096)
    assert np.isclose(run.time_s["medium"], single.time_s, rtol=1e-9)


def test_estimate_run_pairs_compute_and_params_by_label():
    compute, n_params = s(1e23, 1e24, 1e25), s(1e10, 3e10, 7e10)
    aligned = scaling.estimate_run(compute, accelerator=H100, n_accelerators=4096,
                                   n_params=n_params)
    reordered = scaling.estimate_run(compute, accelerator=H100, n_accelerators=4096,
                                     n_params=shuffled(n_params))
    assert np.allclose(np.asarray(reordered.time_s), np.asarray(aligned.time_s), rtol=1e-9)
    assert reordered.to_frame()["n_params"].equals(aligned.to_frame()["n_params"])


def test_estimate_run_series_of_counts_keeps_its_labels():
    counts = pd.Series([1024, 2048, 4096], index=INDEX)
    run = scaling.estimate_run(1e24, accelerator=H100, n_accelerators=counts)
    assert run.to_frame().index.equals(INDEX)
    assert isinstance(run.time_s, pd.Series) and run.time_s.index.equals(INDEX)


@pytest.mark.parametrize("name, call", [
    ("forecast", lambda x: scaling.forecast(x, accelerator=H100, n_accelerators=4096)),
    ("forecast[uncertainty]", lambda x: scaling.forecast(
        x, accelerator=H100, n_accelerators=4096, uncertainty=True, n_samples=50)),
    ("forecast_for_deadline", lambda x: scaling.forecast_for_deadline(
        x, deadline_s=90 * 86400.0, accelerator=H100)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_forecasts_keep_the_labels_of_the_sizes(name, call):
    sizes = s(1e9, 1e10, 7e10)
    result = call(sizes)
    frame = result.to_frame()
    assert frame.index.equals(INDEX), f"{name}: {frame.index}"
    assert np.allclose(frame["n_params"].to_numpy(), sizes.to_numpy())
    assert result.frame.index.equals(INDEX)


def test_forecast_for_loss_keeps_the_labels_of_the_losses():
    frame = scaling.forecast_for_loss(s(2.4, 2.2, 2.1), accelerator=H100,
                                      n_accelerators=4096).to_frame()
    assert frame.index.equals(INDEX)


def test_largest_trainable_keeps_the_labels_of_the_deadlines():
    frame = scaling.largest_trainable(accelerator=H100, n_accelerators=4096,
                                      deadline_s=s(30, 60, 90) * 86400.0).to_frame()
    assert frame.index.equals(INDEX)


def test_compute_optimal_and_inference_optimal_keep_labels():
    optimum = scaling.compute_optimal(s(1e22, 1e23, 1e24))
    for part in optimum:
        assert isinstance(part, pd.Series) and part.index.equals(INDEX)
    best = scaling.inference_optimal(s(2.2, 2.4, 2.6), 1e13)
    assert isinstance(best.n_params, pd.Series) and best.n_params.index.equals(INDEX)
    reordered = scaling.inference_optimal(s(2.2, 2.4, 2.6), shuffled(s(1e12, 1e13, 1e14)))
    aligned = scaling.inference_optimal(s(2.2, 2.4, 2.6), s(1e12, 1e13, 1e14))
    assert np.allclose(np.asarray(reordered.n_params), np.asarray(aligned.n_params))


@pytest.mark.parametrize("name, call", [
    ("model_for_budget", lambda x: scaling.model_for_budget(
        x, deadline_s=90 * 86400.0, accelerator=H100, n_accelerators=1024)),
    ("size_cluster", lambda x: scaling.size_cluster(H100, budget_usd=x)),
    ("plan_training", lambda x: scaling.plan_training(x, 1e12, deadline_s=90 * 86400.0,
                                                      accelerator=H100)),
    ("forecast_sensitivity", lambda x: scaling.forecast_sensitivity(
        x, accelerator=H100, n_accelerators=1024)),
    ("forecast_for_deadline[deadline_s]", lambda x: scaling.forecast_for_deadline(
        7e10, deadline_s=x * 86400.0, accelerator=H100)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_one_number_entry_points_refuse_a_series_by_name(name, call):
    with pytest.raises(ValueError, match="single number|one model size|scalar"):
        call(s(1e8, 1e9, 1e10) if name != "forecast_for_deadline[deadline_s]"
             else s(30.0, 60.0, 90.0))


def test_fit_chinchilla_pairs_series_by_label():
    points = scaling.data.load_chinchilla_points()
    points.index = [f"run{i}" for i in range(len(points))]
    n, d, loss = points["n_params"], points["n_tokens"], points["loss"]
    aligned = scaling.fit_chinchilla(n, d, loss)
    reordered = scaling.fit_chinchilla(n, d.iloc[::-1], loss.sample(frac=1.0, random_state=1))
    assert np.isclose(reordered.params["E"], aligned.params["E"], rtol=1e-6)


def test_limits_pair_series_by_label():
    """studies.limits' functions of two arrays pair Series by label (issue 17, item 4)."""
    import pandas as pd

    from scaling.studies import limits

    tokens = pd.Series([1e13, 3e13], index=["x", "y"])
    unique = pd.Series([2e14, 1e14], index=["y", "x"])
    epochs = limits.epochs_needed(tokens, unique)
    assert list(epochs.index) == ["x", "y"]
    assert epochs["x"] == pytest.approx(0.1) and epochs["y"] == pytest.approx(0.15)
    compute = pd.Series([1e25, 1e26], index=["y", "x"])
    days = pd.Series([100 * 86400.0, 30 * 86400.0], index=["x", "y"])
    by_label = limits.accelerators_needed(compute, days, accelerator="H100-SXM")
    one = limits.accelerators_needed(1e26, 100 * 86400.0, accelerator="H100-SXM")
    assert by_label["x"] == pytest.approx(float(one))
