"""Tests of scaling.studies.outlook: the next decade's questions, year by year."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import scaling
from scaling.studies import outlook

FAILURE_FREE = scaling.Assumptions(include_failures=False)


@pytest.fixture(scope="module")
def runs():
    return outlook.future_runs([1e12, 1e14], [2027, 2030], assumptions=FAILURE_FREE,
                               n_samples=400, seed=0)


def test_future_runs_have_bands_and_get_cheaper_with_the_year(runs):
    assert list(runs["year"]) == [2027, 2027, 2030, 2030]
    for quantity in outlook.FUTURE_RUN_QUANTITIES:
        low, mid, high = (runs[quantity + s] for s in ("_ci_lower", "", "_ci_upper"))
        assert (low < mid).all() and (mid < high).all(), quantity
    big = runs[runs["n_params"] == 1e14].set_index("year")
    assert big.loc[2030, "capex_usd"] < big.loc[2027, "capex_usd"]
    assert big.loc[2030, "peak_flop_per_s"] > big.loc[2027, "peak_flop_per_s"]
    # The deadline is met by the fewest accelerators that meet it: the run on the count found
    # takes at most a year (less where the layout changes there), one fewer takes longer.
    chip = scaling.accelerator("typical-2030")
    year = scaling.units.SECONDS_PER_YEAR
    dated = FAILURE_FREE.replace(as_of=2030)
    central = scaling.forecast_for_deadline([1e14], deadline_s=year, accelerator=chip,
                                            assumptions=dated).to_frame().iloc[0]
    assert central["time_s"] <= year * (1 + 1e-9)
    fewer = scaling.estimate_run(central["compute_flop"], accelerator=chip, n_params=1e14,
                                 n_accelerators=math.floor(central["n_accelerators"]) - 1,
                                 assumptions=dated)
    assert fewer.time_s > year
    undrawn = outlook.future_runs([1e14], [2030], assumptions=FAILURE_FREE, uncertainty=False)
    assert undrawn["n_accelerators"].iloc[0] == pytest.approx(central["n_accelerators"])
    assert "n_accelerators_ci_lower" not in undrawn.columns


def test_first_year_within_budget_reads_each_band():
    table = pd.DataFrame({
        "year": [2030, 2031, 2032, 2030, 2031, 2032], "n_params": [1.0] * 3 + [2.0] * 3,
        "capex_usd": [300.0, 150.0, 90.0, 900, 800, 700],
        "capex_usd_ci_lower": [120.0, 80.0, 50.0, 500, 400, 300],
        "capex_usd_ci_upper": [900.0, 400.0, 200.0, 2000, 1900, 1800]})
    out = outlook.first_year_within_budget(table, 100.0).set_index("n_params")
    assert out.loc[1.0, "first_year"] == 2032
    assert out.loc[1.0, "first_year_optimistic"] == 2031
    assert math.isnan(out.loc[1.0, "first_year_pessimistic"])
    assert out.loc[2.0].isna().all()
    with pytest.raises(ValueError, match="unknown cost 'price_usd'; did you mean 'capex_usd'"):
        outlook.first_year_within_budget(table, 100.0, cost="price_usd")


def test_frontier_compute_trend_against_sevilla_roldan_2024():
    # Training compute of frontier models grows 4.5x per year (4-5x), Sevilla & Roldan 2024.
    trend = outlook.frontier_compute_trend([2025, 2026])
    assert trend["compute_flop"].iloc[1] / trend["compute_flop"].iloc[0] == pytest.approx(4.5)
    assert trend["compute_flop_ci_upper"].iloc[1] / trend["compute_flop_ci_upper"].iloc[0] == \
        pytest.approx(5.0, rel=1e-3)
    assert trend["compute_flop_ci_lower"].iloc[1] / trend["compute_flop_ci_lower"].iloc[0] == \
        pytest.approx(4.0, rel=1e-3)
    assert "Sevilla" in trend["source"].iloc[0]


def test_a_fixed_site_grows_with_hardware_only():
    site = outlook.site_outlook([2026, 2030])
    assert (site["peak_facility_power_w"] <= 1e9 * (1 + 1e-9)).all()
    assert (site["capex_usd"] <= 1e11 * (1 + 1e-9)).all()
    assert site["compute_flop"].iloc[1] > site["compute_flop"].iloc[0]
    assert site["share_of_frontier"].iloc[1] < site["share_of_frontier"].iloc[0]
    with pytest.raises(ValueError, match="whole calendar years"):
        outlook.site_outlook([2026.5])


def test_emissions_by_region_scale_with_the_grid():
    table = outlook.emissions_by_region(["SE", "us-tx", "IN"], compute_flop=1e25,
                                        cluster="llama3-16k")
    assert list(table["region"]) == ["SE", "US-TX", "IN"]
    assert np.allclose(table["energy_mwh"], table["energy_mwh"].iloc[0])
    ratio = table["emissions_tco2e"] / table["carbon_intensity_g_per_kwh"]
    assert np.allclose(ratio, ratio.iloc[0])
    assert (table["market_emissions_tco2e"] == 0).all()
