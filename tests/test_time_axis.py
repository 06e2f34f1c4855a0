"""The time axis of the chain (issue 10): prices as of a date, constant dollars, the cost
backtest against Epoch AI's estimates at each run's own date, and forecasts on the typical
accelerator of a future year with the trend uncertainty carried through the Monte Carlo."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scaling
from scaling import trends, uncertainty as mc, valuation
from scaling.studies.backtesting import (
    TARGET_MEDIAN_FACTOR, TARGET_WORST_FACTOR, cost_backtest,
)
from scaling.chain import chain_inputs
from scaling.units import SECONDS_PER_YEAR

LLAMA31_405B_FLOP = 3.8e25  # Llama Team (2024), arXiv:2407.21783


#: Price tests isolate prices: utilisation at the generation defaults (no step-time model, which
#: needs a real model size rather than the 1 FLOP these price look-ups use).
PLAIN = "generation_default"

# --------------------------------------------------------------------------------------------
# as_of = None is today's behaviour; a date prices the run then
# --------------------------------------------------------------------------------------------

def test_undated_inputs_are_the_catalog_prices():
    chip = scaling.accelerator("H100-SXM")
    inputs = chain_inputs(1e25, accelerator=chip, n_accelerators=8,
                          assumptions=scaling.Assumptions(mfu_model=PLAIN))
    assert inputs["price_usd"] == chip.price_usd
    assert inputs["price_includes_server"] == chip.price_includes_server
    assert inputs["electricity_usd_per_kwh"] == scaling.cost.DEFAULT_ELECTRICITY_USD_PER_KWH
    assert inputs["rental_usd_per_hour"] == chip.rental_usd_per_hour
    assert math.isnan(inputs["projection_year"])


@pytest.mark.parametrize("as_of", [2024.1752224503764, "2024-03-05", "2024-03-05T00:00"])
def test_as_of_is_read_once_in_any_form(as_of):
    a = scaling.Assumptions(as_of=as_of)
    assert a.as_of == pytest.approx(scaling.dates.as_year("2024-03-05"))
    assert scaling.Assumptions().replace(as_of=as_of).as_of == a.as_of


def test_dated_inputs_follow_cottier2024_acquisition_rule_for_llama31_405b():
    # H100: the family's earliest DGX price, $44,489.88 (DGX H100, 2022-09-29, Epoch's price
    # table), acquired at release + 90 days (2022-12-19), depreciated 0.14 OOM/year to the
    # run's start 2024-03-05: 44,489.88 x 10^(-0.14 x 1.21) = $30,106 per GPU, server included.
    a = scaling.Assumptions(as_of="2024-03-05")
    inputs = chain_inputs(LLAMA31_405B_FLOP, accelerator=scaling.accelerator("H100-SXM"),
                          n_accelerators=16384, assumptions=a)
    acquired = scaling.accelerator("H100-SXM").release_year + 90 / 365.25
    expected = 44489.88 * 10 ** (-0.14 * (a.as_of - acquired))
    assert inputs["price_usd"] == pytest.approx(expected, rel=1e-9)
    assert inputs["price_includes_server"] is True
    assert inputs["electricity_usd_per_kwh"] == 0.0771  # EIA 2024, data/electricity_prices.csv
    assert inputs["rental_usd_per_hour"] == 3.49  # Lambda on-demand of 2024-01


def test_electricity_and_rental_of_the_year_hold_the_nearest_year_outside_the_tables():
    chip = scaling.accelerator("H100-SXM")
    at = {year: chain_inputs(1.0, accelerator=chip, n_accelerators=1,
                             assumptions=scaling.Assumptions(as_of=year, mfu_model=PLAIN))
          for year in (2022.8, 2023.8, 2030)}
    # (a date before the table's first year, 2015, is refused: tests/test_dates_in_range.py)
    assert at[2022.8]["electricity_usd_per_kwh"] == 0.0832  # 2022's
    assert at[2030]["electricity_usd_per_kwh"] == 0.0826  # 2025, the last
    assert at[2023.8]["rental_usd_per_hour"] == 1.99  # Lambda 2023-06, before 2024-01's 3.49
    assert at[2022.8]["rental_usd_per_hour"] == 1.99  # before any quote: the earliest
    # An electricity price set by the user is kept whatever the date.
    mine = scaling.Assumptions(as_of=2030, mfu_model=PLAIN).replace(electricity_usd_per_kwh=0.05)
    assert chain_inputs(1.0, accelerator=chip, n_accelerators=1,
                        assumptions=mine)["electricity_usd_per_kwh"] == 0.05


def test_constant_dollars_with_the_ppi_epoch_uses():
    # FRED PCU518210518210 annual averages: 2020 114.050, 2023 118.126 -> x1.0357.
    chip = scaling.accelerator("A100-SXM4-40GB")
    nominal = scaling.estimate_run(1e23, accelerator=chip, n_accelerators=512,
                                   assumptions=scaling.Assumptions(as_of=2020.5))
    real = scaling.estimate_run(1e23, accelerator=chip, n_accelerators=512,
                                assumptions=scaling.Assumptions(as_of=2020.5, dollars=2023))
    assert real.amortized_cost_usd / nominal.amortized_cost_usd == pytest.approx(
        118.126 / 114.050, rel=1e-6)
    assert real.energy_j == nominal.energy_j
    cpi = scaling.Assumptions(as_of=2020.5, dollars=2023, deflator="cpi")
    assert scaling.estimate_run(1e23, accelerator=chip, n_accelerators=512, assumptions=cpi
                                ).amortized_cost_usd / nominal.amortized_cost_usd == \
        pytest.approx(304.702 / 258.811, rel=1e-6)  # BLS CPI-U


def test_time_axis_settings_refuse_bad_values_by_name():
    with pytest.raises(ValueError, match="as_of"):
        scaling.Assumptions(as_of="next year")
    with pytest.raises(ValueError, match="dollars must be 'nominal' or a base year"):
        scaling.Assumptions(dollars=1990)
    with pytest.raises(ValueError, match="unknown valuation 'straightline'"):
        scaling.Assumptions(valuation="straightline")
    with pytest.raises(ValueError, match="unknown deflator"):
        scaling.Assumptions(deflator="gdp")
    with pytest.raises(ValueError, match="needs as_of"):
        scaling.estimate_run(1e23, accelerator="H100-SXM", n_accelerators=8,
                             assumptions=scaling.Assumptions(dollars=2023))


def test_valuation_methods_and_a_changed_price():
    chip = scaling.accelerator("H100-SXM")

    def price(**settings):
        return chain_inputs(1.0, accelerator=settings.pop("chip", chip), n_accelerators=1,
                            assumptions=scaling.Assumptions(as_of=2026, mfu_model=PLAIN,
                                                            **settings))["price_usd"]

    assert price(valuation="none") == 44489.88
    straight = price(valuation="straight_line")
    age = 2026 - (chip.release_year + 90 / 365.25)
    assert straight == pytest.approx(44489.88 * (1 - age / 5.0))
    assert price() < straight < price(valuation="none")
    # A catalog chip whose price was changed scales the dated price by the same ratio.
    cheaper = dataclasses.replace(chip, price_usd=chip.price_usd / 2)
    assert price(chip=cheaper) == pytest.approx(price() / 2)


PRICED = ["V100-SXM2-32GB", "A100-SXM4-40GB", "A100-SXM4-80GB", "H100-SXM", "H200-SXM", "B200",
          "GB200", "MI300X", "TPU-v3", "TPU-v4", "typical-2030"]


@pytest.mark.filterwarnings("ignore::scaling.errors.ExtrapolationWarning")  # up to 2048
@settings(max_examples=60, deadline=None)
@given(share=st.floats(0.0, 1.0), later_by=st.floats(0.0, 12.0),
       name=st.sampled_from(PRICED),
       method=st.sampled_from(valuation.VALUATION_METHODS),
       dollars=st.sampled_from(["nominal", 2023]))
def test_a_later_as_of_never_makes_the_same_hardware_dearer(share, later_by, name, method,
                                                             dollars):
    # from the chip's release (an earlier date is refused) to 2036, then up to 12 years later
    start = max(scaling.accelerator(name).available_year, 2016.0)
    first = start + share * (2036.0 - start)

    def run(when):
        a = scaling.Assumptions(as_of=when, valuation=method, dollars=dollars)
        return scaling.estimate_run(1e24, accelerator=name, n_accelerators=1024, n_params=7e10,
                                    assumptions=a)

    early, late = run(first), run(first + later_by)
    assert late.hardware_capex_usd <= early.hardware_capex_usd * (1 + 1e-12)
    assert late.amortized_hardware_cost_usd <= early.amortized_hardware_cost_usd * (1 + 1e-12)


# --------------------------------------------------------------------------------------------
# the cost backtest against Cottier et al. (2024) at each run's own date
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def costs():
    return cost_backtest()


def test_cost_against_cottier2024_epoch_estimates_at_training_dates(costs):
    """Issue 10: median fold error <= 1.2x and worst <= 1.5x, each run at its own date.

    Charged for the reported accelerator-hours (Epoch's own basis: the target is about dollars
    per hour), 13 runs: median fold error 1.01x. Every run but Falcon-180B is within 1.24x;
    Falcon-180B is 0.36x because Epoch's estimate implies ~2.8x the 7.0M GPU-hours its
    developer reported (see the next test), not because of the dollars per hour.
    """
    summary = costs.summary()
    reported = summary.loc["dated, reported hours"]
    assert reported["n_runs"] == 13
    assert reported["median_fold_error"] <= TARGET_MEDIAN_FACTOR
    assert reported["median_fold_error"] == pytest.approx(1.014, abs=0.005)
    frame = costs.to_frame().set_index("name")
    folds = pd.Series(scaling.studies.backtesting.fold_error(frame["reported_hours_ratio"].to_numpy()),
                      index=frame.index)
    assert folds.drop("Falcon-180B").max() <= TARGET_WORST_FACTOR
    assert folds.drop("Falcon-180B").max() == pytest.approx(1.238, abs=0.005)  # LLaMA-65B
    assert reported["worst_run"] == "Falcon-180B"
    # The chain's own hours (the step-time utilisation) add its hours error, which the target
    # is not about: see notebook 04 for the hours backtest.
    predicted = summary.loc["dated, predicted hours"]
    assert predicted["median_fold_error"] > reported["median_fold_error"]
    # Naive baseline: undated catalog prices (7 runs have one): median 1.33x, worst 2.54x.
    undated = summary.loc["undated catalog prices, reported hours"]
    assert undated["median_fold_error"] > reported["median_fold_error"]
    assert undated["worst_fold_error"] > 2.5


def test_falcon180b_miss_is_in_epochs_hours_not_dollars_per_hour(costs):
    # Even undepreciated (valuation="none"), Falcon's hardware at Epoch's own DGX A100 price
    # cannot cost Epoch's $10.4M over the reported 7.0M GPU-hours: Epoch's estimate implies
    # more chip-hours than the developer reported.
    row = costs.to_frame().set_index("name").loc["Falcon-180B"]
    a = scaling.Assumptions(as_of=row["training_start"], dollars=2023, valuation="none")
    run = scaling.estimate_run(3.76e24, accelerator="A100-SXM4-40GB", n_accelerators=4096,
                               assumptions=a)
    most_per_hour = run.amortized_cost_usd / run.accelerator_hours
    assert most_per_hour * row["reported_accelerator_hours"] < row["epoch_cost_usd"]
    implied_hours = row["epoch_cost_usd"] / row["usd_per_accelerator_hour"]
    assert implied_hours / row["reported_accelerator_hours"] == pytest.approx(2.82, abs=0.02)


def test_dated_backtest_passes_each_runs_training_date():
    runs = scaling.data.load_table("training_runs").iloc[:2]
    plain = scaling.Assumptions(mfu_model=PLAIN)
    dated = scaling.backtest(runs, dated=True, assumptions=plain).to_frame().set_index("name")
    row = runs.iloc[0]
    direct = scaling.estimate_run(row["compute_flop"], accelerator=row["accelerator"],
                                  n_accelerators=row["n_accelerators"], n_params=row["n_params"],
                                  assumptions=plain.replace(as_of=row["training_start"]))
    assert dated.loc[row["name"], "predicted_cost_usd"] == pytest.approx(
        direct.amortized_cost_usd, rel=1e-12)
    undated = scaling.backtest(runs, assumptions=plain).to_frame().set_index("name")
    assert math.isnan(undated.loc[row["name"], "predicted_cost_usd"])  # V100: no catalog price


# --------------------------------------------------------------------------------------------
# the typical accelerator of a future year, through the Monte Carlo
# --------------------------------------------------------------------------------------------

def test_typical_accelerators_are_usable_wherever_an_accelerator_is():
    chip = scaling.accelerator("typical-2030")
    assert chip == trends.typical_accelerator(2030)
    assert chip.projection_year == 2030
    assert (chip.projection_precision, chip.projection_basis) == ("bf16", "frontier")
    assert scaling.accelerator("typical-average-2030").projection_basis == "average"
    cluster = scaling.Cluster(name="site", accelerator="typical-2030", n_accelerators=1000)
    assert cluster.accelerator == chip
    with pytest.raises(ValueError, match="between"):
        scaling.accelerator("typical-2099")


def test_estimate_run_as_of_2030_on_a_typical_accelerator_forecasts_with_bands():
    """Issue 10: as_of=2030 on the typical 2030 accelerator gives P5-P95 bands."""
    a = scaling.Assumptions(as_of=2030)
    central = scaling.estimate_run(1e28, accelerator="typical-2030", n_accelerators=100_000,
                                   n_params=1e13, assumptions=a)
    cluster = scaling.Cluster(name="100k typical-2030", accelerator="typical-2030",
                              n_accelerators=100_000)
    fc = scaling.forecast([1e12, 1e13], cluster=cluster, assumptions=a, uncertainty=True,
                          n_samples=1000, seed=0).to_frame()
    for quantity in ("time_days", "amortized_cost_usd", "energy_mwh", "emissions_tco2e",
                     "peak_flop_per_s", "hardware_capex_usd"):
        low, mid, high = (fc[quantity + s] for s in ("_ci_lower", "", "_ci_upper"))
        assert (low < mid).all() and (mid < high).all(), quantity
    # The peak band is the trend's: P5-P95 of the typical 2030 chip's draws.
    draws = trends.typical_accelerator_draws(2030, 20_000, 1)["peak_bf16_flop_per_s"]
    assert fc["peak_flop_per_s_ci_lower"].iloc[0] == pytest.approx(np.quantile(draws, 0.05),
                                                                   rel=0.08)
    assert fc["peak_flop_per_s_ci_upper"].iloc[0] == pytest.approx(np.quantile(draws, 0.95),
                                                                   rel=0.08)
    assert central.peak_flop_per_s == cluster.accelerator.peak_bf16_flop_per_s
    # forecast_for_deadline: the cluster a year-long 100T run needs in 2030, with bands.
    need = scaling.forecast_for_deadline([1e14], deadline_s=SECONDS_PER_YEAR,
                                         accelerator="typical-2030", assumptions=a.replace(
                                             include_failures=False),
                                         uncertainty=True, n_samples=500, seed=0).to_frame()
    assert (need["n_accelerators_ci_lower"] < need["n_accelerators_ci_upper"]).all()


def test_projection_draws_are_joint_and_replace_the_catalog_price_spread():
    chip = scaling.accelerator("typical-2030")
    inputs = chain_inputs(1e27, accelerator=chip, n_accelerators=1000)
    spec = mc.uncertainty_spec(True)
    drawn = mc.sample_inputs(spec, inputs, 4000, np.random.default_rng(0), accelerator=chip)
    peak = drawn["peak_flop_per_s"][0] / inputs["peak_flop_per_s"]
    price = drawn["price_usd"][0] / inputs["price_usd"]
    tdp = drawn["tdp_w"][0] / inputs["tdp_w"]
    # Price and TDP follow from the peak over the efficiency draws: correlated with it.
    assert np.corrcoef(np.log(peak), np.log(price))[0, 1] > 0.3
    assert np.corrcoef(np.log(peak), np.log(tdp))[0, 1] > 0.3
    fixed = mc.sample_inputs({**spec, mc.HARDWARE_TREND: None}, inputs, 10,
                             np.random.default_rng(0), accelerator=chip)
    assert "peak_flop_per_s" not in fixed and "price_usd" in fixed
    with pytest.raises(ValueError, match="pass accelerator="):
        mc.sample_inputs(spec, inputs, 10, np.random.default_rng(0))
    with pytest.raises(ValueError, match="hardware_trend"):
        mc.uncertainty_spec({"hardware_trend": 0.5})


def test_catalog_chips_draw_exactly_as_before():
    chip = scaling.accelerator("H100-SXM")
    inputs = chain_inputs(1e25, accelerator=chip, n_accelerators=16384)
    spec = mc.uncertainty_spec(True)
    with_chip = mc.sample_inputs(spec, inputs, 50, np.random.default_rng(3), accelerator=chip)
    without = mc.sample_inputs(spec, inputs, 50, np.random.default_rng(3))
    assert with_chip.keys() == without.keys()
    for name in with_chip:
        np.testing.assert_array_equal(with_chip[name], without[name])


def test_cli_run_prints_emissions_and_takes_a_date(capsys):
    from scaling.apps.cli import main

    assert main(["run", "--flop", "1e28", "--accelerator", "typical-2030", "--count", "100000",
                 "--as-of", "2030", "--region", "US-TX"]) == 0
    out = capsys.readouterr().out
    assert "emissions [tCO2e]" in out and "carbon_intensity [gCO2e/kWh]" in out
    assert "350" in out  # eGRID 2023 Texas, 349.8 g/kWh
    assert main(["forecast", "--cluster", "stargate-abilene", "--params", "1e12"]) == 0
    assert "emissions" in capsys.readouterr().out
    assert main(["run", "--flop", "1e25", "--accelerator", "H100-SXM", "--count", "8",
                 "--as-of", "soon"]) == 2



# --------------------------------------------------------------------------------------------
# the tables behind the time axis
# --------------------------------------------------------------------------------------------

def test_dated_price_table_follows_epoch_hardware_prices():
    prices = valuation.price_history()
    assert set(prices["accelerator"]) <= set(scaling.list_accelerators()["name"])
    assert prices.groupby("accelerator")["family"].nunique().eq(1).all()
    assert set(prices["basis"]) <= {"server_share", "single_unit", "release_estimate"}
    assert prices["source"].str.contains("training-cost-trends").all()
    # Epoch's DGX release prices per GPU: DGX-1 V100 $149,000 / 8, DGX A100 $199,000 / 8.
    first = prices[prices["includes_server"]].groupby("family")["price_usd"].first()
    assert first["V100"] == 149_000 / 8 and first["A100"] == 199_000 / 8
    # TPU-equivalent release prices of cost_analysis_standalone.py.
    tpu = prices[prices["basis"] == "release_estimate"].set_index("accelerator")["price_usd"]
    assert tpu.to_dict() == {"TPU-v3": 5276.0, "TPU-v4": 5167.0}


def test_ppi_table_is_the_annual_mean_of_fred_pcu518210518210():
    ppi = valuation.price_index("ppi")
    # FRED monthly 2023: 117.190 ... 119.029, mean 118.126.
    assert ppi[2023] == pytest.approx(118.126, abs=5e-4)
    years = sorted(ppi)
    assert years == list(range(2015, 2026))
    assert all(ppi[a] < ppi[b] for a, b in zip(years, years[1:]))  # monotone: no appreciation
    assert valuation.dollar_factor(2040, 2023) == pytest.approx(118.126 / ppi[2025])
