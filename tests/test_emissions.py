"""Tests of scaling.emissions against published training emissions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scaling import emissions as em
from scaling.units import J_PER_KWH, J_PER_MWH, SECONDS_PER_HOUR

#: Pounds to grams (exact: 1 lb = 453.59237 g).
G_PER_LB = 453.59237

# A small carbon-intensity table typed from the sources (the data helper's
# data/grid_carbon_intensity.csv has these columns).
INTENSITY = pd.DataFrame([
    # Patterson et al. 2021 §2.4: US average mix 0.429 kgCO2e/kWh [USE21] (EPA eGRID, 2018 data).
    {"region": "US", "year": 2018, "carbon_intensity_g_per_kwh": 429.0,
     "source": "Patterson et al. 2021, arXiv:2104.10350, §2.4 (EPA eGRID 2018 US average)"},
    # EIA FAQ 'How much carbon dioxide is produced per kilowatthour of U.S. electricity
    # generation?': 2022, 0.86 lb CO2/kWh (utility-scale generation, all sources).
    {"region": "US", "year": 2022, "carbon_intensity_g_per_kwh": 0.86 * G_PER_LB,
     "source": "EIA FAQ id=74: 2022 US 0.86 lb CO2/kWh"},
    # Luccioni et al. 2022: French grid 57 gCO2eq/kWh (Jean Zay, 2022).
    {"region": "France", "year": 2022, "carbon_intensity_g_per_kwh": 57.0,
     "source": "Luccioni et al. 2022, arXiv:2211.02001"},
])


# --------------------------------------------------------------------------------------------
# the conversion, with each paper's own energy and intensity
# --------------------------------------------------------------------------------------------

def test_gpt3_against_patterson2021_table4():
    # Table 4: 1,287 MWh x 0.429 kgCO2e/kWh = 552.1 tCO2e (published to 0.1 t).
    out = em.emissions_tco2e(1287 * J_PER_MWH, 429.0)
    assert out == pytest.approx(552.1, abs=0.1)


def test_bloom_dynamic_against_luccioni2022():
    # 1,082,990 GPU-hours x 400 W = 433,196 kWh; x 57 gCO2eq/kWh = 24.69 t ("24.7 tonnes").
    out = em.emissions_tco2e(433_196 * J_PER_KWH, 57.0)
    assert out == pytest.approx(24.7, abs=0.05)


def test_llama31_405b_location_based_against_model_card():
    # Model card: 30.84M H100-80GB hours at 700 W -> 8,930 tCO2eq location-based; the card
    # gives no intensity, so the US 2022 EIA average (0.86 lb/kWh = 390 g/kWh) stands in.
    # Tolerance 1.3x (issue 10). Measured: 8,422 t, 0.94x.
    energy = 30.84e6 * 700.0 * SECONDS_PER_HOUR
    intensity = em.carbon_intensity_g_per_kwh("US", 2024, INTENSITY)
    out = em.emissions_tco2e(energy, intensity)
    assert 8930 / 1.3 <= out <= 8930 * 1.3
    assert out == pytest.approx(8422, rel=0.001)
    # Market-based: Meta matches 100% of its electricity with renewables -> 0 tCO2eq.
    market = em.market_based_intensity_g_per_kwh(intensity, 1.0)
    assert em.emissions_tco2e(energy, market) == 0.0


# --------------------------------------------------------------------------------------------
# run helper: each publication's own accounting boundary, then the package's facility model
# --------------------------------------------------------------------------------------------

def test_run_emissions_gpt3_patterson2021_boundary():
    # 10,000 V100 x 14.8 days at 330 W measured system power (300 W TDP x 1.1), PUE 1.10.
    run = em.run_emissions("V100-SXM2-32GB", n_accelerators=10_000, hours=14.8 * 24,
                           pue=1.10, boundary="accelerator", chip_to_server_power=330 / 300,
                           carbon_intensity_g_per_kwh=429.0)
    assert run.energy_mwh == pytest.approx(1287, rel=0.01)
    assert run.location_tco2e == pytest.approx(552.1, rel=0.01)


def test_run_emissions_gpt3_facility_model_within_issue_tolerance():
    # Epoch's energy model: 300 W x 1.67 x 0.75 x PUE 1.10 = 413 W per V100 (vs 363 W
    # measured): 630 tCO2e, 1.14x Patterson's 552.
    run = em.run_emissions("V100-SXM2-32GB", n_accelerators=10_000, hours=14.8 * 24,
                           pue=1.10, carbon_intensity_g_per_kwh=429.0)
    assert 552.1 / 1.3 <= run.location_tco2e <= 552.1 * 1.3
    assert run.power_per_accelerator_w == pytest.approx(300 * 1.67 * 0.75 * 1.10)


def test_run_emissions_bloom_dynamic_luccioni2022_boundary():
    run = em.run_emissions("A100-SXM4-80GB", accelerator_hours=1_082_990, pue=1.0,
                           boundary="accelerator", region="France", year="2022-03-11",
                           table=INTENSITY)
    assert run.energy_j / J_PER_KWH == pytest.approx(433_196, abs=1)
    assert run.location_tco2e == pytest.approx(24.69, abs=0.01)
    assert run.region == "France" and run.year_used == 2022
    assert "Luccioni" in run.intensity_source


def test_run_emissions_bloom_facility_model_against_luccioni2022_operational_total():
    # Facility model at Jean Zay's PUE 1.2: 400 W x 2.03 x 0.75 x 1.2 = 731 W per A100,
    # 45.1 t. Luccioni et al.'s operational total (dynamic 24.7 t + idle/infrastructure
    # 14.6 t = 39.3 t; 50.5 t with 11.2 t embodied) is the like-for-like figure: 1.15x.
    run = em.run_emissions("A100-SXM4-80GB", accelerator_hours=1_082_990, pue=1.2,
                           region="France", year=2022, table=INTENSITY)
    assert 39.3 / 1.3 <= run.location_tco2e <= 39.3 * 1.3
    assert run.location_tco2e > 24.7 * 1.3  # ... but not the dynamic-only 24.7 t


def test_run_emissions_llama31_model_card_boundary_and_market():
    run = em.run_emissions("H100-SXM", accelerator_hours=30.84e6, pue=1.0,
                           boundary="accelerator", region="US", year=2024, table=INTENSITY,
                           carbon_free_energy_fraction=1.0)
    assert 8930 / 1.3 <= run.location_tco2e <= 8930 * 1.3
    assert run.market_tco2e == 0.0
    assert run.year_used == 2022  # nearest year in the table
    facility = em.run_emissions("H100-SXM", accelerator_hours=30.84e6, pue=1.10,
                                carbon_intensity_g_per_kwh=run.location_intensity_g_per_kwh)
    assert facility.location_tco2e > run.location_tco2e


def test_run_emissions_forms_agree_and_report():
    by_count = em.run_emissions("H100-SXM", n_accelerators=1000, hours=24.0, pue=1.1,
                                carbon_intensity_g_per_kwh=400.0)
    by_hours = em.run_emissions("H100-SXM", accelerator_hours=24_000.0, pue=1.1,
                                carbon_intensity_g_per_kwh=400.0)
    assert by_count.energy_j == pytest.approx(by_hours.energy_j)
    assert by_count.location_tco2e == pytest.approx(by_hours.location_tco2e)
    assert list(by_count.summary()["quantity"])[0] == "accelerator_hours"
    assert by_count.to_frame().loc[0, "energy_mwh"] == pytest.approx(by_count.energy_mwh)
    assert "tCO2e" in by_count._repr_html_()


@pytest.mark.parametrize("kwargs, message", [
    (dict(pue=0.9, accelerator_hours=1.0, carbon_intensity_g_per_kwh=1.0), "pue must be >= 1"),
    (dict(pue=1.1, carbon_intensity_g_per_kwh=1.0), "give n_accelerators and hours"),
    (dict(pue=1.1, accelerator_hours=1.0, n_accelerators=2, hours=1.0,
          carbon_intensity_g_per_kwh=1.0), "not both"),
    (dict(pue=1.1, n_accelerators=2.5, hours=1.0, carbon_intensity_g_per_kwh=1.0),
     "whole number"),
    (dict(pue=1.1, accelerator_hours=1.0), "give carbon_intensity_g_per_kwh, or region"),
    (dict(pue=1.1, accelerator_hours=1.0, carbon_intensity_g_per_kwh=1.0, region="US",
          table=INTENSITY), "not both"),
    (dict(pue=1.1, accelerator_hours=1.0, carbon_intensity_g_per_kwh=1.0, boundary="chip"),
     "unknown boundary .chip.; valid names: facility"),
    (dict(pue=1.1, accelerator_hours=1.0, carbon_intensity_g_per_kwh=1.0,
          carbon_free_energy_fraction=1.5), r"in \[0, 1\]"),
])
def test_run_emissions_refuses_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        em.run_emissions("H100-SXM", **kwargs)


# --------------------------------------------------------------------------------------------
# pieces
# --------------------------------------------------------------------------------------------

def test_emissions_keep_the_kind_of_inputs_and_refuse_negatives():
    series = pd.Series([1.0, 2.0], index=["a", "b"]) * J_PER_MWH
    out = em.emissions_tco2e(series, 500.0)
    assert isinstance(out, pd.Series) and list(out) == [0.5, 1.0]
    assert isinstance(em.emissions_tco2e(np.array([J_PER_MWH]), [100.0]), np.ndarray)
    assert em.emissions_tco2e(0.0, 400.0) == 0.0
    with pytest.raises(ValueError, match="energy_j"):
        em.emissions_tco2e(-1.0, 400.0)
    with pytest.raises(ValueError, match="carbon_intensity_g_per_kwh"):
        em.emissions_tco2e(1.0, float("nan"))


def test_market_based_intensity():
    assert em.market_based_intensity_g_per_kwh(400.0, 0.25) == 300.0
    np.testing.assert_allclose(em.market_based_intensity_g_per_kwh(400.0, [0.0, 1.0]),
                               [400.0, 0.0])


def test_lookup_exact_nearest_and_ties():
    assert em.carbon_intensity_g_per_kwh("France", 2022, INTENSITY) == 57.0
    assert em.carbon_intensity_g_per_kwh("us", "2018-06-01", INTENSITY) == 429.0
    # 2020 is two years from both 2018 and 2022: the earlier year wins.
    assert em.carbon_intensity_g_per_kwh("US", 2020, INTENSITY) == 429.0
    # A forecast year takes the latest year in the table.
    assert em.carbon_intensity_g_per_kwh("US", 2035, INTENSITY) == pytest.approx(0.86 * G_PER_LB)
    years = pd.Series([2018, 2022], index=["old", "new"])
    out = em.carbon_intensity_g_per_kwh("US", years, INTENSITY)
    assert isinstance(out, pd.Series) and list(out.index) == ["old", "new"]
    record = em.carbon_intensity_record("US", 2025, INTENSITY)
    assert record["requested_year"] == 2025 and record["year_used"] == 2022
    assert record["source"].startswith("EIA")


def test_lookup_refuses_unknown_regions_and_far_years():
    with pytest.raises(ValueError, match="did you mean 'France'") as info:
        em.carbon_intensity_g_per_kwh("Frnace", 2022, INTENSITY)
    assert "Valid regions: France, US" in str(info.value)
    with pytest.raises(ValueError, match="within 1 years of 2024"):
        em.carbon_intensity_g_per_kwh("US", 2024, INTENSITY, max_year_gap=1)
    with pytest.raises(ValueError, match="missing"):
        em.carbon_intensity_g_per_kwh("US", 2022, INTENSITY.drop(columns=["year"]))
    with pytest.raises(ValueError, match="more than one"):
        em.carbon_intensity_g_per_kwh("US", 2022, pd.concat([INTENSITY, INTENSITY]))
    with pytest.raises(ValueError, match="region must be"):
        em.carbon_intensity_g_per_kwh(None, 2022, INTENSITY)
