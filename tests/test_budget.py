"""Budget to model (issue 16, item 1) and dated rental prices (item 2).

The planner's question "$50M, H100s rented from mid-2027, 90 days: what is the best model?"
is answered by ``scaling.model_for_budget``, the ``scaling budget`` command and notebook 12
run by papermill, with the same numbers.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import nbformat
import numpy as np
import pytest

import scaling
from scaling import rental, solve
from scaling.apps import cli
from scaling.units import SECONDS_PER_DAY

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "12_what_a_budget_buys.ipynb"
QUESTION = {"budget_usd": 50e6, "deadline_s": 90 * SECONDS_PER_DAY, "accelerator": "H100-SXM",
            "as_of": "2027-07"}
SAMPLES = 300


@pytest.fixture(scope="module")
def plan():
    return scaling.model_for_budget(QUESTION["budget_usd"], deadline_s=QUESTION["deadline_s"],
                                    accelerator=QUESTION["accelerator"], as_of=QUESTION["as_of"],
                                    n_samples=SAMPLES)


def test_the_50m_question_fits_every_wall_and_a_larger_model_does_not(plan):
    assert plan.binds == "dollars"
    assert plan.cost_usd <= 50e6
    assert plan.time_days <= 90
    assert plan.n_accelerators == int(plan.n_accelerators)         # whole accelerators
    assert plan.loss_ci_lower <= plan.loss <= plan.loss_ci_upper
    assert plan.cost_usd_ci_lower <= plan.cost_usd <= plan.cost_usd_ci_upper
    assert plan.compute_flop == pytest.approx(6 * plan.n_params * plan.n_tokens)
    # the next larger compute, one tolerance step up, costs more than the budget
    machine = scaling.chain.setup(scaling.clusters.as_machine(accelerator="H100-SXM",
                                                              n_accelerators=1),
                                  scaling.Assumptions(as_of="2027-07"))
    larger = plan.compute_flop * (1 + 2 * solve.BUDGET_RTOL)
    size = float(scaling.compute_optimal(larger).n_params)
    needed = solve.whole_counts(machine, solve.accelerators_for_deadline(
        machine, larger, QUESTION["deadline_s"], n_params=size), larger, n_params=size)
    assert float(needed.values["rental_cost_usd"]) > 50e6


def test_the_budget_answer_is_forecast_for_deadlines_answer(plan):
    """One question, one answer: the count and cost are the deadline inverse's for the model."""
    again = scaling.forecast_for_deadline([plan.n_params], n_tokens=[plan.n_tokens],
                                          deadline_s=QUESTION["deadline_s"],
                                          accelerator="H100-SXM",
                                          assumptions=scaling.Assumptions(as_of="2027-07"))
    row = again.frame.iloc[0]
    assert row["n_accelerators"] == plan.n_accelerators
    assert row["rental_cost_usd"] == pytest.approx(plan.cost_usd, rel=1e-12)
    assert row["loss"] == pytest.approx(plan.loss, rel=1e-12)


def test_the_cli_gives_the_same_numbers(plan, tmp_path, capsys):
    out = tmp_path / "budget.json"
    code = cli.main(["budget", "--usd", "5e7", "--days", "90", "--accelerator", "H100-SXM",
                     "--as-of", "2027-07", "--samples", str(SAMPLES), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    (row,) = json.loads(out.read_text())
    for name in ("n_params", "n_tokens", "compute_flop", "loss", "n_accelerators", "time_days",
                 "cost_usd", "cost_usd_ci_lower", "cost_usd_ci_upper"):
        assert row[name] == pytest.approx(getattr(plan, name), rel=1e-8), name  # JSON: 9 digits
    assert row["binds"] == plan.binds
    assert "binds" in capsys.readouterr().out


def test_notebook_12_under_papermill_gives_the_same_numbers(plan, tmp_path):
    import papermill

    executed = tmp_path / "12.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(executed), kernel_name="python3",
                               progress_bar=False, cwd=str(NOTEBOOK.parent),
                               parameters={"BUDGET_USD": 50e6, "DEADLINE_DAYS": 90,
                                           "ACCELERATOR": "H100-SXM", "AS_OF": "2027-07",
                                           "N_SAMPLES": SAMPLES, "SEED": 0})
    notebook = nbformat.read(executed, as_version=4)
    printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code"
                      for o in c.get("outputs", []) if o.get("output_type") == "stream")
    printed = " ".join(printed.split())
    assert f"the best model is {plan.n_params / 1e9:,.0f}B parameters" in printed
    assert f"{plan.n_tokens / 1e12:.2f}T tokens" in printed
    assert f"It runs on {plan.n_accelerators:,.0f} H100-SXM for {plan.time_days:.1f} days" in printed
    assert f"costs ${plan.cost_usd / 1e6:.1f}M" in printed
    assert f"loss {plan.loss:.3f}" in printed


def test_owning_buys_more_and_a_tpu_cannot_be_owned():
    own = scaling.model_for_budget(5e6, deadline_s=30 * SECONDS_PER_DAY, accelerator="H100-SXM",
                                   pricing="own", as_of="2027-07", n_samples=100)
    rent = scaling.model_for_budget(5e6, deadline_s=30 * SECONDS_PER_DAY,
                                    accelerator="H100-SXM", as_of="2027-07", n_samples=100)
    assert own.n_params > rent.n_params
    with pytest.raises(ValueError, match=r"TPU-v5p is not sold.*Rent it instead"):
        scaling.model_for_budget(5e6, deadline_s=30 * SECONDS_PER_DAY, accelerator="TPU-v5p",
                                 pricing="own")
    with pytest.raises(ValueError, match=r"budget_usd: TPU-v5p is not sold"):
        scaling.size_cluster("TPU-v5p", budget_usd=15e6)
    rented = scaling.model_for_budget(5e6, deadline_s=30 * SECONDS_PER_DAY,
                                      accelerator="TPU-v5p", n_samples=100)
    assert rented.cost_usd <= 5e6


def test_a_cluster_too_small_for_the_deadline_binds_the_deadline():
    plan = scaling.model_for_budget(5e8, deadline_s=30 * SECONDS_PER_DAY, cluster="llama3-16k",
                                    n_samples=100)
    assert plan.binds == "deadline" and plan.n_accelerators <= 16_384
    assert plan.cost_usd < 5e8
    assert "16,384 available" in plan.reason


def test_the_data_wall_binds_when_tokens_are_scarce():
    plan = scaling.model_for_budget(5e7, deadline_s=90 * SECONDS_PER_DAY,
                                    accelerator="H100-SXM", max_tokens=1e12, n_samples=100)
    assert plan.binds == "data" and plan.n_tokens <= 1e12


def test_the_inference_aware_model_is_smaller_and_trained_longer(plan):
    aware = scaling.model_for_budget(50e6, deadline_s=QUESTION["deadline_s"],
                                     accelerator="H100-SXM", as_of="2027-07",
                                     inference_tokens=1e13, n_samples=100)
    assert aware.n_params < plan.n_params and aware.n_tokens > plan.n_tokens
    assert aware.lifetime_flop == pytest.approx(aware.compute_flop + 2 * aware.n_params * 1e13)


@pytest.mark.parametrize("kwargs, message", [
    ({"budget_usd": -1.0}, "budget_usd"),
    ({"pricing": "buy"}, "pricing"),
    ({"as_of": "2027-07", "assumptions": scaling.Assumptions(as_of=2030)}, "contradicts"),
])
def test_bad_budget_input_is_refused_in_the_users_terms(kwargs, message):
    args = {"budget_usd": 5e6, "deadline_s": 30 * SECONDS_PER_DAY, "accelerator": "H100-SXM",
            **kwargs}
    with pytest.raises(ValueError, match=message):
        scaling.model_for_budget(args.pop("budget_usd"), **args)


# --------------------------------------------------------------------------------------------
# dated rental prices
# --------------------------------------------------------------------------------------------

def test_rent_in_2027_is_below_2024s_by_the_fitted_decline_with_its_source_rows():
    quotes = rental.reference_quotes("H100-SXM")
    assert set(quotes["provider"]) == {"lambda"}
    then = quotes[quotes["year"] <= 2024.5].iloc[-1]           # the quote of mid-2024
    last = quotes.iloc[-1]                                       # the last quote of the series
    assert then["usd_per_hour"] == 3.49 and "lambda" in then["source"].lower()
    assert last["date"] == "2025-02-28" and "web.archive.org" in last["source"]
    fit = rental.fit_rental_decline()
    expected = last["usd_per_hour"] * math.exp(fit.rate_per_year * (2027.5 - last["year"]))
    assert rental.rental_usd_per_hour_at("H100-SXM", 2027.5) == pytest.approx(expected)
    assert rental.rental_usd_per_hour_at("H100-SXM", 2024.5) == 3.49
    assert expected < 3.49
    run = scaling.estimate_run(1e23, accelerator="H100-SXM", n_accelerators=64,
                               assumptions=scaling.Assumptions(as_of=2027.5))
    assert run.rental_usd_per_hour == pytest.approx(expected)     # as_of moves the chain's rent


def test_the_decline_is_fitted_with_statsmodels_and_its_interval_is_ordered():
    fit = rental.fit_rental_decline()
    assert fit.rate_low_per_year < fit.rate_per_year < fit.rate_high_per_year
    assert fit.n_quotes >= 100 and fit.n_accelerators >= 10
    assert {"estimate", "standard_error", "p5", "p95"} <= set(fit.coefficients.columns)
    for year in np.linspace(2025.0, 2040.0, 7):
        low, mid, high = rental.rental_band_usd_per_hour("H100-SXM", year)
        assert low <= mid <= high


def test_every_rental_quote_has_a_source_a_date_and_a_positive_price():
    for price_type in ("on_demand", "1yr", "3yr"):
        quotes = rental.rental_quotes(price_type=price_type)
        assert (quotes["usd_per_hour"] > 0).all()
        assert quotes["source"].str.strip().str.len().gt(20).all()
        assert quotes["year"].between(2015, 2027).all()


def test_current_tpus_have_rental_prices_from_googles_lists():
    for name, price in (("TPU-v5e", 1.20), ("TPU-v5p", 4.20), ("TPU-v6e", 2.70)):
        chip = scaling.accelerator(name)
        assert chip.rental_usd_per_hour == price and not chip.sold


@pytest.mark.parametrize("budget_usd, deadline_s", [(0.5, 86400.0), (50e6, 60.0)])
def test_a_budget_too_small_or_a_deadline_too_short_is_infeasible_in_its_own_terms(
        budget_usd, deadline_s):
    with pytest.raises(scaling.InfeasibleRunError, match=r"budget_usd=.*no model fits"):
        scaling.model_for_budget(budget_usd, deadline_s=deadline_s, accelerator="H100-SXM",
                                 n_samples=50)


def test_plan_training_uses_an_explicit_rent_as_given():
    from scaling.studies import planning

    a = scaling.Assumptions(rental_usd_per_hour=1.0)
    plan = planning.plan_training(7e10, 1.4e12, deadline_s=30 * SECONDS_PER_DAY,
                                  accelerator="H100-SXM", assumptions=a)
    run = scaling.forecast([7e10], n_tokens=[1.4e12], accelerator="H100-SXM",
                           n_accelerators=plan.n_accelerators, assumptions=a).frame.iloc[0]
    assert set(plan.rental_usd_per_hour.values()) == {1.0}
    assert plan.run_rental_cost_usd == pytest.approx(run["rental_cost_usd"], rel=1e-9)
