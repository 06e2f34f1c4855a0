"""Enterprise right-sizing: accelerators for a deadline, racks, cooling, buy vs rent, pilot."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

import scaling
from scaling.assumptions import Assumptions
from scaling.chain import accelerators_at_mfu
from scaling.assumptions import EPOCH_OTHER_PUE
from scaling.clusters import default_rack_power_w
from scaling.cost import PriceAssumptions
from scaling.studies.planning import (
    RENTAL_OPTIONS, SENSITIVITY_PARAMETERS, PlanAssumptions, PilotPlan, TrainingPlan,
    break_even_table, buy_vs_rent, buy_vs_rent_sensitivity, compare_accelerators, pilot_plan,
    plan_training,
)
from scaling.units import SECONDS_PER_DAY

# ---- published reference values -----------------------------------------------------------
# Patterson et al. 2021 (arXiv:2104.10350) via Epoch: GPT-3 175B, 3.14e23 FLOP, 10,000 V100
# for 14.8 days at 24.6 TFLOP/s sustained per GPU (peak 125 TFLOP/s).
GPT3_COMPUTE_FLOP = 3.14e23
GPT3_N_GPUS = 10_000
GPT3_DAYS = 14.8
GPT3_SUSTAINED_FLOP_PER_S = 24.6e12
V100_PEAK_FLOP_PER_S = 125e12
# CBRE North America Data Center Trends H2 2024: $184.06 per kW per month.
CBRE_H2_2024_USD_PER_KW_MONTH = 184.06

LAMBDA_PRICES = PriceAssumptions(rental_provider="lambda")
# An enterprise in a colocation facility: Epoch's non-hyperscaler PUE 1.25 (what
# PlanAssumptions used to default to; notebook 07 passes the same bundle).
ENTERPRISE = Assumptions(pue=EPOCH_OTHER_PUE, prices=LAMBDA_PRICES)


@pytest.fixture(scope="module")
def plan_8b():
    """Pretrain 8B on 2T tokens in 30 days on H100 with the catalog price."""
    return plan_training(8e9, 2e12, deadline_s=30 * SECONDS_PER_DAY, accelerator="H100-SXM",
                         assumptions=ENTERPRISE)


# ---- step 2: accelerators -----------------------------------------------------------------

def test_patterson2021_gpt3_10000_v100_in_14_8_days():
    n = accelerators_at_mfu(GPT3_COMPUTE_FLOP, GPT3_DAYS * SECONDS_PER_DAY,
                                  V100_PEAK_FLOP_PER_S,
                                  GPT3_SUSTAINED_FLOP_PER_S / V100_PEAK_FLOP_PER_S)
    # inputs printed to 3 significant figures -> ~1% combined
    np.testing.assert_allclose(n, GPT3_N_GPUS, rtol=1e-2)


def test_accelerators_for_deadline_goodput_divides():
    base = accelerators_at_mfu(1e24, 1e6, 1e15, 0.5)
    np.testing.assert_allclose(accelerators_at_mfu(1e24, 1e6, 1e15, 0.5, 0.8),
                               base / 0.8, rtol=1e-12)


def test_input_kinds_are_preserved():
    series = pd.Series([1e23, 2e23], index=["a", "b"])
    out = accelerators_at_mfu(series, 1e6, 1e15, 0.4)
    assert isinstance(out, pd.Series) and list(out.index) == ["a", "b"]
    arr = accelerators_at_mfu(np.array([1e23, 2e23]), 1e6, 1e15, 0.4)
    assert isinstance(arr, np.ndarray)
    np.testing.assert_allclose(arr, out.to_numpy(), rtol=1e-12)
    assert isinstance(accelerators_at_mfu(1e23, 1e6, 1e15, 0.4), float)


@pytest.mark.parametrize("kwargs, message", [
    (dict(mfu=0.0), "mfu"),
    (dict(mfu=1.2), "mfu"),
    (dict(goodput=float("nan")), "NaN"),
    (dict(deadline_s=-1.0), "deadline_s"),
])
def test_accelerators_for_deadline_refuses_bad_input(kwargs, message):
    args = dict(compute_flop=1e23, deadline_s=1e6, peak_flop_per_s=1e15, mfu=0.4)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        accelerators_at_mfu(**args)


# ---- step 3: power and cooling ------------------------------------------------------------

def test_plan_assumptions_defaults_are_the_sourced_ones():
    defaults = PlanAssumptions()
    assert defaults.training_state_bytes_per_param == 16.0  # ZeRO, arXiv:1910.02054 §3.1
    assert defaults.colocation_usd_per_kw_month == CBRE_H2_2024_USD_PER_KW_MONTH
    assert defaults.air_cooling_max_rack_power_w == default_rack_power_w("air")


def test_plan_assumptions_validate():
    # the PUE moved from PlanAssumptions to the chain's Assumptions
    with pytest.raises(ValueError, match="pue must be >= 1"):
        Assumptions(pue=0.9)
    with pytest.raises(TypeError, match="pue"):
        PlanAssumptions(pue=1.25)
    with pytest.raises(ValueError, match="servers_per_rack"):
        PlanAssumptions(servers_per_rack=0)
    with pytest.raises(ValueError, match="colocation"):
        PlanAssumptions(colocation_usd_per_kw_month=float("nan"))


# ---- step 4: buy or rent ------------------------------------------------------------------

# ---- composition --------------------------------------------------------------------------

def test_plan_meets_deadline_with_whole_servers(plan_8b):
    plan = plan_8b
    assert isinstance(plan, TrainingPlan)
    assert plan.compute_flop == pytest.approx(6 * 8e9 * 2e12, rel=1e-12)
    assert plan.n_accelerators % 8 == 0
    assert plan.n_accelerators >= plan.n_accelerators_for_deadline
    assert plan.n_accelerators - 8 < plan.n_accelerators_for_deadline
    assert plan.time_s <= plan.deadline_s
    assert 0 < plan.goodput <= 1
    assert plan.n_racks == math.ceil(plan.n_servers / 4)
    # 4 x 10.2 kW per rack is above the 30 kW air ceiling; 2 per rack is the air layout
    assert plan.cooling == "liquid" and plan.servers_per_air_rack == 2
    np.testing.assert_allclose(plan.facility_power_w, plan.it_power_w * 1.25, rtol=1e-12)
    np.testing.assert_allclose(plan.energy_j, plan.average_facility_power_w * plan.time_s,
                               rtol=1e-12)
    # the plan's time, power and energy are the chain's for that cluster
    assert plan.accelerator == "H100-SXM" and plan.run.n_accelerators == plan.n_accelerators
    for name in ("time_s", "goodput", "energy_j"):
        assert getattr(plan, name) == getattr(plan.run, name)
    assert plan.capex_usd == plan.run.hardware_capex_usd


def test_fine_tune_costs_6nd_and_respects_the_memory_floor():
    # 70B on very few tokens: memory (70e9 x 16 B / 80 GB = 14 H100) binds, not the deadline
    plan = plan_training(70e9, 1e8, deadline_s=30 * SECONDS_PER_DAY, accelerator="H100-SXM",
                         assumptions=ENTERPRISE)
    assert plan.compute_flop == pytest.approx(6 * 70e9 * 1e8, rel=1e-12)
    np.testing.assert_allclose(plan.n_accelerators_for_memory, 14.0, rtol=1e-12)
    assert plan.n_accelerators == 16


def test_plan_committed_prices_use_the_provider_discounts(plan_8b):
    od = plan_8b.rental_usd_per_hour["on_demand"]
    np.testing.assert_allclose(plan_8b.rental_usd_per_hour["1yr"], od * (1 - 0.34), rtol=1e-12)
    np.testing.assert_allclose(plan_8b.rental_usd_per_hour["3yr"], od * (1 - 0.56), rtol=1e-12)


def test_plan_without_catalog_prices_keeps_the_hardware_and_leaves_money_unknown():
    """TPU-v7 has no price and is not sold; a price given (a sensitivity) still cannot buy it,
    so the buying side stays NaN while the rent is priced; a sold chip given a price is."""
    plan = plan_training(8e9, 2e12, deadline_s=30 * SECONDS_PER_DAY, accelerator="TPU-v7")
    assert plan.n_accelerators > 0 and plan.time_s <= 30 * SECONDS_PER_DAY
    assert math.isnan(plan.capex_usd) and math.isnan(plan.run_rental_cost_usd)
    assert math.isnan(plan.break_even_occupancy)
    assert plan.break_even(0.7)["break_even_months"].isna().all()
    priced = plan_training(8e9, 2e12, deadline_s=30 * SECONDS_PER_DAY,
                           accelerator=dataclasses.replace(scaling.accelerator("TPU-v7"),
                                                           price_usd=30_000.0),
                           rental_usd_per_hour=4.0)
    assert priced.chip.price_usd == 30_000.0
    assert math.isnan(priced.capex_usd) and priced.run_rental_cost_usd > 0
    assert priced.pilot(fraction=0.25, duration_s=SECONDS_PER_DAY).rental_cost_usd > 0
    sold = plan_training(8e9, 2e12, deadline_s=30 * SECONDS_PER_DAY,
                         accelerator=dataclasses.replace(scaling.accelerator("B300"),
                                                         price_usd=50_000.0),
                         rental_usd_per_hour=6.0)
    assert sold.capex_usd > 0 and 0 < sold.break_even_occupancy


def test_plan_unknown_accelerator_lists_names():
    with pytest.raises((ValueError, KeyError), match="H100"):
        plan_training(8e9, 2e12, deadline_s=1e6, accelerator="NoSuchChip")


def test_buy_vs_rent_curves(plan_8b):
    frame = buy_vs_rent(plan_8b, occupancy=0.7)
    assert set(frame["option"]) == {"own", *RENTAL_OPTIONS}
    start = frame[frame["month"] == 0].set_index("option")["cost_usd"]
    assert start["own"] == pytest.approx(plan_8b.capex_usd)
    assert (start.drop("own") == 0).all()
    for _, group in frame.groupby("option"):
        assert np.all(np.diff(group["cost_usd"].to_numpy()) >= 0)
    # the method forwards to the function
    pd.testing.assert_frame_equal(plan_8b.buy_vs_rent(0.7), frame)


def test_break_even_table_consistent_with_curves(plan_8b):
    table = break_even_table(plan_8b, occupancy=0.7).set_index("option")
    months = table.loc["on_demand", "break_even_months"]
    assert 0 < months < np.inf
    curves = buy_vs_rent(plan_8b, occupancy=0.7, months=[months])
    at = curves.set_index("option")["cost_usd"]
    np.testing.assert_allclose(at["own"], at["on_demand"], rtol=1e-9)
    # break-even occupancy: owning and on-demand rent cost the same over 3 years
    u = plan_8b.break_even_occupancy
    if u <= 1:
        row = break_even_table(plan_8b, occupancy=u).set_index("option").loc["on_demand"]
        np.testing.assert_allclose(row["own_minus_rent_usd"], 0.0, atol=1e-6 * row["own_cost_usd"])


def test_resale_credit_lowers_the_cost_of_owning(plan_8b):
    credited = plan_training(8e9, 2e12, deadline_s=30 * SECONDS_PER_DAY, accelerator="H100-SXM",
                             assumptions=ENTERPRISE,
                             plan_assumptions=PlanAssumptions(credit_resale_value=True))
    assert credited.capex_usd == plan_8b.capex_usd
    # Epoch: value falls 0.14 OOM per year -> 10**-0.42 = 38% left after 3 years
    np.testing.assert_allclose(credited.resale_usd(), plan_8b.capex_usd * 10 ** -0.42,
                               rtol=1e-9)
    assert credited.break_even_occupancy < plan_8b.break_even_occupancy


def test_compare_accelerators_one_row_each():
    table = compare_accelerators(8e9, 2e12, deadline_s=30 * SECONDS_PER_DAY,
                                 accelerators=["H100-SXM", "B200"], occupancy=0.7,
                                 rental_usd_per_hour={"B200": 5.0}, assumptions=ENTERPRISE)
    assert list(table["accelerator"]) == ["H100-SXM", "B200"]
    # B200 has 2.27x the bf16 peak at a lower default MFU: fewer accelerators
    assert table.loc[1, "n_accelerators"] < table.loc[0, "n_accelerators"]
    assert {"own_cost_usd", "rent_on_demand_cost_usd", "break_even_months"} <= set(table)


# ---- pilot and sensitivity ----------------------------------------------------------------

def test_pilot_plan(plan_8b):
    pilot = pilot_plan(plan_8b, fraction=0.125, duration_s=7 * SECONDS_PER_DAY)
    assert isinstance(pilot, PilotPlan)
    assert pilot.n_accelerators == 16 and pilot.n_servers == 2
    np.testing.assert_allclose(pilot.fraction_of_target_tokens,
                               pilot.compute_flop / (6 * plan_8b.n_params * plan_8b.n_tokens),
                               rtol=1e-12)
    np.testing.assert_allclose(pilot.rental_cost_usd,
                               16 * 7 * 24 * plan_8b.rental_usd_per_hour["on_demand"],
                               rtol=1e-12)
    # the compute-optimal model for the pilot's budget obeys C = 6ND
    np.testing.assert_allclose(6 * pilot.optimal_n_params * pilot.optimal_n_tokens,
                               pilot.compute_flop, rtol=1e-9)
    with pytest.raises(ValueError, match="fraction"):
        pilot_plan(plan_8b, fraction=1.5, duration_s=1.0)


def test_buy_vs_rent_sensitivity_rows_and_directions(plan_8b):
    table = buy_vs_rent_sensitivity(plan_8b, occupancy=0.7, ranges={
        "mfu": (0.3, 0.5), "rental_usd_per_hour": (2.0, 5.0), "occupancy": (0.3, 1.0)})
    # one row per input and output (the generic sensitivity table)
    assert len(table) == 3 * 6
    assert set(table["output"]) == {"n_accelerators", "capex_usd", "run_rental_cost_usd",
                                    "break_even_occupancy", "break_even_months",
                                    "own_minus_rent_usd"}
    by = table.set_index(["input", "output"])
    mfu = by.loc[("mfu", "n_accelerators")]
    assert mfu["output_low"] > mfu["output_high"]
    assert mfu["output_base"] == plan_8b.n_accelerators
    # dearer rent makes owning relatively cheaper; more use makes owning cheaper
    rent = by.loc[("rental_usd_per_hour", "own_minus_rent_usd")]
    assert rent["output_high"] < rent["output_low"]
    use = by.loc[("occupancy", "own_minus_rent_usd")]
    assert use["output_high"] < use["output_low"]
    # occupancy does not change the cluster
    assert by.loc[("occupancy", "n_accelerators"), "swing"] == 0
    with pytest.raises(ValueError, match="ranges key 'moon_phase'.*valid names: mfu"):
        buy_vs_rent_sensitivity(plan_8b, occupancy=0.7, ranges={"moon_phase": (0, 1)})
    assert set(SENSITIVITY_PARAMETERS) >= {"mfu", "rental_usd_per_hour", "occupancy"}
