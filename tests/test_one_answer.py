"""One question, one answer (issue 14): every entry point that answers "how many accelerators
finish this compute by this time" or "how much compute fits this time" is the one inverse,
scaling.solve, and agrees with the forward chain it inverts."""

from __future__ import annotations

import math

import pytest

import scaling
from scaling import laws, solve
from scaling.chain import setup
from scaling.clusters import as_machine
from scaling.studies import limits
from scaling.units import SECONDS_PER_DAY

#: (compute [FLOP], accelerator, deadline [s]): 1e22 to 1e27 FLOP, a week to 100 days.
CASES = [
    (1e22, "H100-SXM", 7 * SECONDS_PER_DAY),
    (1e23, "A100-SXM4-80GB", 14 * SECONDS_PER_DAY),
    (1e24, "H100-SXM", 30 * SECONDS_PER_DAY),
    (3.8e25, "H100-SXM", 54 * SECONDS_PER_DAY),  # Llama 3.1 405B's compute in 54 days
    (1e27, "GB200", 100 * SECONDS_PER_DAY),
]
CONSTANT = scaling.Assumptions(mfu_model="generation_default")


def _ids(case):
    return f"{case[0]:.0e}-{case[1]}"


def _machine(accelerator, assumptions=None):
    return setup(as_machine(accelerator=accelerator, count_required=False),
                 scaling.Assumptions() if assumptions is None else assumptions)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_every_entry_point_gives_the_same_count_for_a_deadline(case):
    """The compute-optimal model of C on one accelerator by a deadline, asked four ways: the
    solver, forecast_for_deadline, plan_training (before rounding to servers) and the
    power-wall function. They agree to 1e-3 (they are the same code, so exactly)."""
    compute, accelerator, deadline = case
    size = float(laws.compute_optimal(compute).n_params)
    tokens = compute / (laws.FLOP_PER_PARAM_PER_TOKEN * size)
    direct = solve.accelerators_for_deadline(_machine(accelerator), compute, deadline,
                                             n_params=size).value
    frame = scaling.forecast_for_deadline([size], deadline_s=deadline, accelerator=accelerator,
                                          n_tokens=tokens).to_frame().iloc[0]
    assert frame["n_accelerators"] == math.ceil(frame["n_accelerators_required"] - 1e-9)
    assert frame["time_s"] <= deadline * (1 + 1e-9)   # whole accelerators meet it too
    counts = {
        "forecast_for_deadline": frame["n_accelerators_required"],
        "plan_training": scaling.plan_training(
            size, tokens, deadline_s=deadline,
            accelerator=accelerator).n_accelerators_for_deadline,
        "accelerators_needed": limits.accelerators_needed(compute, deadline,
                                                          accelerator=accelerator),
    }
    for name, count in counts.items():
        assert count == pytest.approx(direct, rel=1e-3), name
        assert count == pytest.approx(direct, rel=1e-12), name


@pytest.mark.parametrize("case", CASES, ids=_ids)
@pytest.mark.parametrize("assumptions", [CONSTANT, scaling.Assumptions()],
                         ids=["constant-mfu", "step-time"])
def test_the_inverse_returns_the_count_the_forward_chain_started_from(case, assumptions):
    """Feed the forward chain's time on n accelerators back into the inverse: it returns n.

    With the step-time model the count is the one the inverse found for the case, rounded up
    to a whole count; a layout that leaves accelerators idle runs as fast on the ones it uses,
    so the inverse returns the accelerators the layout occupies (the fewest that take that
    time)."""
    compute, accelerator, deadline = case
    size = float(laws.compute_optimal(compute).n_params)
    machine = _machine(accelerator, assumptions)
    start = math.ceil(solve.accelerators_for_deadline(machine, compute, deadline,
                                                      n_params=size).value)
    run = scaling.estimate_run(compute, accelerator=accelerator, n_accelerators=start,
                               n_params=size, assumptions=assumptions)
    back = solve.accelerators_for_deadline(machine, compute, run.time_s, n_params=size)
    assert back.value == pytest.approx(run.n_accelerators_used, rel=1e-9)
    assert back.values["time_s"] == pytest.approx(run.time_s, rel=1e-9)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_the_compute_inverse_returns_the_compute_the_forward_chain_started_from(case):
    """With a constant MFU the time is continuous and increasing in the compute: the largest
    compute-optimal run within a forward run's time is that run."""
    compute, accelerator, deadline = case
    count = 1024
    size = float(laws.compute_optimal(compute).n_params)
    run = scaling.estimate_run(compute, accelerator=accelerator, n_accelerators=count,
                               n_params=size, assumptions=CONSTANT)
    back = solve.compute_for_deadline(_machine(accelerator, CONSTANT), run.time_s,
                                      n_accelerators=count)
    assert back.value == pytest.approx(compute, rel=1e-9)


@pytest.mark.parametrize("name", ["llama3-16k", "xai-colossus"])
def test_every_entry_point_gives_the_same_compute_for_a_deadline(name):
    """The largest compute-optimal run a cluster trains in 100 days, asked three ways: the
    solver, largest_trainable, and the power-wall function on the accelerators the cluster's
    provisioned power holds (the same count)."""
    cluster = scaling.cluster(name)
    deadline = 100 * SECONDS_PER_DAY
    machine = setup(cluster, scaling.Assumptions())
    direct = solve.compute_for_deadline(machine, deadline).value
    largest = scaling.largest_trainable(cluster, deadline_s=deadline).to_frame().iloc[0]
    assert largest["compute_flop"] == pytest.approx(direct, rel=1e-9)
    assert largest["time_s"] <= deadline * (1 + 1e-9)
    envelope = float(machine.facility_power_w(cluster.n_accelerators))
    in_envelope = limits.compute_in_envelope_flop(envelope, deadline, accelerator=cluster)
    assert in_envelope == pytest.approx(direct, rel=1e-9)


def test_a_forward_entry_point_and_the_inverse_share_the_machine_naming():
    """A catalog name, a Cluster and an accelerator with a count name the same machine."""
    by_name = scaling.estimate_run(1e24, cluster="llama3-16k", n_params=7e10)
    by_object = scaling.estimate_run(1e24, cluster=scaling.cluster("llama3-16k"), n_params=7e10)
    assert by_name.time_s == by_object.time_s
    bare = scaling.forecast(7e10, accelerator="H100", n_accelerators=16384,
                            n_tokens=1e24 / (6 * 7e10)).to_frame().iloc[0]
    assert bare["time_s"] == pytest.approx(scaling.estimate_run(
        1e24, accelerator="H100-SXM", n_accelerators=16384, n_params=7e10).time_s, rel=1e-12)


def test_llama31_405b_on_16k_h100_is_one_answer_through_every_forward_entry_point(tmp_path):
    """Llama 3.1 405B (3.8e25 FLOP; Meta, "The Llama 3 Herd of Models", 2024) on the 16,384
    H100 of llama3-16k: estimate_run, forecast, the explorer's what_if, the CLI's ``run`` and
    the cluster's own summary give identical numbers (rel < 1e-9)."""
    import pandas as pd

    from scaling.apps import cli
    from scaling.apps.explorer import what_if

    compute, n_params, name = 3.8e25, 405e9, "llama3-16k"
    n_tokens = compute / (6 * n_params)
    run = scaling.estimate_run(compute, cluster=name, n_params=n_params)
    csv = tmp_path / "run.csv"
    assert cli.main(["run", "--flop", "3.8e25", "--cluster", name, "--params", "405e9",
                     "--out", str(csv)]) == 0
    answers = {
        "estimate_run(Cluster)": scaling.estimate_run(
            compute, cluster=scaling.cluster(name), n_params=n_params).to_frame().iloc[0],
        "estimate_run(part of the cluster)": scaling.estimate_run(
            compute, cluster=as_machine(cluster=name, n_accelerators=16384),
            n_params=n_params).to_frame().iloc[0],
        "forecast": scaling.forecast(n_params, cluster=name,
                                     n_tokens=n_tokens).to_frame().iloc[0],
        "what_if": what_if(n_params, n_tokens=n_tokens, cluster=name).to_frame().iloc[0],
        "scaling run": pd.read_csv(csv).iloc[0],
    }
    for entry, row in answers.items():
        for column in ("mfu", "goodput", "time_days", "amortized_cost_usd"):
            assert row[column] == pytest.approx(getattr(run, column), rel=1e-9), (entry, column)
    summary = scaling.cluster(name).to_dict(compute, n_params=n_params)
    assert summary["mfu"] == pytest.approx(run.mfu, rel=1e-9)
