"""Capex, amortisation, energy, rental and the inverse sizing question."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

import scaling
from scaling.clusters import average_power_per_accelerator_w, cluster, energy_j
from scaling.cost import (
    EPOCH_DEPRECIATION_RATE_PER_YEAR, EPOCH_NETWORK_COST_OVERHEAD, PriceAssumptions, amortized_hardware_cost_usd, break_even_time_s, break_even_occupancy, capex_breakdown_usd, cluster_capex_usd, committed_use_discount, depreciated_value_usd, discounted_rental_usd_per_hour, electricity_price_usd_per_kwh, energy_cost_usd, ownership_cost_usd, rental_cost_over_time_usd, rental_cost_usd,
)
from scaling.studies.hardware import cluster_cost_breakdown
from scaling.errors import InfeasibleRunError
from scaling.studies.budgets import size_cluster
from scaling.units import SECONDS_PER_HOUR, SECONDS_PER_MONTH, SECONDS_PER_YEAR

# Epoch cost repo model_costs.csv (2023 USD): Llama 3.1-405B amortised hardware + energy
EPOCH_LLAMA31_405B_AMORTIZED_USD = 51.0e6
LLAMA31_405B_H100_HOURS = 30.84e6
# DeepSeek-V3 Technical Report, arXiv:2412.19437, Table 1
DEEPSEEK_V3_H800_HOURS = 2.788e6
DEEPSEEK_V3_USD_PER_HOUR = 2.0
DEEPSEEK_V3_COST_USD = 5.576e6
DEEPSEEK_V3_N_GPUS = 2048
# CBRE North America Data Center Trends H2 2024: $184.06 per kW per month.
CBRE_H2_2024_USD_PER_KW_MONTH = 184.06
# AWS p4de A100 80GB per GPU (Aug 2022) via Epoch's price data
AWS_P4DE_ON_DEMAND, AWS_P4DE_1YR, AWS_P4DE_3YR = 5.12, 3.00, 1.81


def test_cottier2024_llama31_405b_amortized_hardware_and_energy_within_1p5x_of_51m():
    """Amortised cost of 30.84M H100-hours vs Epoch's $51M.

    Per GPU: $33,750 (DGX H100 ~$270k / 8, May 2023, a complete server so no extra server
    overhead) x network overhead 1.235 = $41.7k; charged at Epoch's 0.322/yr depreciation
    rate for 30.84M hours = $47.3M; energy 30.84M h x 1.051 kW x $0.0806/kWh (2023) = $2.6M.
    Epoch depreciated the hardware value to training start and reported 2023 dollars, which
    we do not replicate, hence the 1.5x tolerance."""
    h100 = scaling.accelerator("H100-SXM")
    capex_per_gpu = cluster_capex_usd(1, h100.price_usd,
                                      price_includes_server=h100.price_includes_server)
    hardware = amortized_hardware_cost_usd(capex_per_gpu, LLAMA31_405B_H100_HOURS * 3600.0)
    power_w = average_power_per_accelerator_w(h100.tdp_w, h100.chip_to_server_power,
                                              h100.server_power_fraction, 1.10)
    energy = energy_j(power_w * LLAMA31_405B_H100_HOURS, 3600.0)
    electricity = energy_cost_usd(energy, electricity_price_usd_per_kwh(2023))
    total = hardware + electricity
    assert 1 / 1.5 <= total / EPOCH_LLAMA31_405B_AMORTIZED_USD <= 1.5
    assert electricity / total == pytest.approx(0.05, abs=0.03)  # Epoch: energy is 2-6%


def test_deepseek2024_v3_rental_2_usd_per_h800_hour_5p576m():
    cost = rental_cost_usd(DEEPSEEK_V3_H800_HOURS, DEEPSEEK_V3_USD_PER_HOUR)
    assert cost == pytest.approx(DEEPSEEK_V3_COST_USD, rel=1e-12)
    chip = scaling.accelerator("H800-SXM")
    assert rental_cost_usd(DEEPSEEK_V3_H800_HOURS, chip.rental_usd_per_hour) == cost


def test_stargate_2024_100b_at_gb200_prices_buys_millions_of_chips_and_gigawatts():
    """The Information (Mar 2024): ~$100B, 'millions of chips', multi-GW (Epoch: up to 5 GW).
    At $41.7k per GB200 (NVL72 rack price / 72), x1.235 network and $10/W facility:
    ~1.47M GB200, ~2.7 GW provisioned."""
    sized = size_cluster("GB200", budget_usd=100e9)
    assert sized.binding == "budget"
    assert 1e6 <= sized.n_accelerators <= 5e6
    assert 1e9 <= sized.peak_facility_power_w <= 5e9
    assert sized.capex_usd == pytest.approx(100e9, rel=1e-4)
    assert sized.capex_usd <= 100e9
    assert sized.hardware_capex_usd + sized.facility_capex_usd == pytest.approx(sized.capex_usd)
    assert sized.n_racks == pytest.approx(sized.peak_it_power_w / 120e3, abs=1)


def test_size_cluster_power_envelope_and_binding_constraint():
    # 1.2 GW (Stargate Abilene) of GB200 at PUE 1.10
    by_power = size_cluster("GB200", power_w=1.2e9)
    assert by_power.binding == "power"
    assert by_power.peak_facility_power_w <= 1.2e9
    assert by_power.peak_facility_power_w == pytest.approx(1.2e9, rel=1e-5)
    both = size_cluster("GB200", budget_usd=100e9, power_w=1.2e9)
    assert both.binding == "power" and both.n_accelerators == by_power.n_accelerators
    assert both.sustained_flop_per_s == pytest.approx(both.n_accelerators * 2.5e15 * both.mfu)
    assert 0 < both.mfu < 0.6
    as_cluster = both.to_cluster("abilene-like")
    assert as_cluster.n_accelerators == both.n_accelerators
    assert as_cluster.peak_facility_power_w() == pytest.approx(both.peak_facility_power_w)


def test_size_cluster_bad_input():
    with pytest.raises(ValueError, match="give budget_usd, power_w or both"):
        size_cluster("H100-SXM")
    with pytest.raises(ValueError, match="budget_usd must be positive"):
        size_cluster("H100-SXM", budget_usd=-1.0)
    with pytest.raises(ValueError, match="NaN"):
        size_cluster("H100-SXM", power_w=float("nan"))
    with pytest.raises(ValueError, match="no purchase price"):
        size_cluster("B300", budget_usd=1e9)
    with pytest.raises(InfeasibleRunError, match="budget_usd=100.0 buys not even one H100-SXM"):
        size_cluster("H100-SXM", budget_usd=100.0)
    with pytest.raises(ValueError, match="unknown accelerator"):
        size_cluster("H1000", power_w=1e6)
    assert size_cluster("B300", budget_usd=1e9, price_usd=50_000.0).n_accelerators > 0


def test_capex_breakdown_components():
    parts = capex_breakdown_usd(1000, 20_000.0, it_power_w=2e6)
    assert parts["chips_usd"] == 20e6
    assert parts["servers_usd"] == pytest.approx(20e6 * 0.64)
    assert parts["network_usd"] == pytest.approx(20e6 * 1.64 * (EPOCH_NETWORK_COST_OVERHEAD - 1))
    assert parts["facility_usd"] == pytest.approx(20e6)
    hardware = parts["chips_usd"] + parts["servers_usd"] + parts["network_usd"]
    assert parts["hardware_usd"] == pytest.approx(hardware)
    assert parts["total_usd"] == pytest.approx(hardware + parts["facility_usd"])
    # Epoch: interconnect is 19% of cluster (chips + servers + network) cost
    assert parts["network_usd"] / hardware == pytest.approx(0.19)
    server_priced = capex_breakdown_usd(1000, 20_000.0, price_includes_server=True)
    assert server_priced["servers_usd"] == 0.0


@pytest.mark.parametrize("price", [float("nan"), 0.0, -1.0])
def test_nan_or_non_positive_prices_refused(price):
    if price != 0.0:  # a purchase price of 0 is hardware written off (next test)
        with pytest.raises(ValueError, match="price_usd"):
            cluster_capex_usd(8, price)
    with pytest.raises(ValueError, match="rental_usd_per_hour"):
        rental_cost_usd(100.0, price)


def test_written_off_hardware_has_no_capex():
    # Straight-line valuation past the lifetime values hardware at 0 (scaling.valuation).
    assert cluster_capex_usd(8, 0.0) == 0.0


def test_amortization_depreciation_and_straight_line():
    assert EPOCH_DEPRECIATION_RATE_PER_YEAR == pytest.approx(0.322, abs=5e-4)
    # Epoch: cost per chip-hour = price x 0.322 / 8,766 h, i.e. straight line over ~3.1 years
    assert 1 / EPOCH_DEPRECIATION_RATE_PER_YEAR == pytest.approx(3.1, abs=0.05)
    one_year = amortized_hardware_cost_usd(1e6, SECONDS_PER_YEAR)
    assert one_year == pytest.approx(0.322e6, rel=2e-3)
    straight = PriceAssumptions(amortization="straight_line", lifetime_years=4.0)
    assert straight.amortization_rate_per_year == pytest.approx(0.25)
    assert straight.amortized_hardware_cost_usd(1e6, SECONDS_PER_YEAR) == pytest.approx(0.25e6)
    assert amortized_hardware_cost_usd(1e6, SECONDS_PER_YEAR,
                                       straight.amortization_rate_per_year) == \
        pytest.approx(0.25e6)
    assert PriceAssumptions().amortized_hardware_cost_usd(1e6, SECONDS_PER_YEAR) == one_year
    series = amortized_hardware_cost_usd(pd.Series([1e6, 2e6]), SECONDS_PER_YEAR)
    assert isinstance(series, pd.Series)
    assert depreciated_value_usd(1e4, 1.0) == pytest.approx(1e4 * 10 ** -0.14)


def test_energy_cost_and_electricity_table():
    assert energy_cost_usd(3.6e6, 0.08) == pytest.approx(0.08)
    assert electricity_price_usd_per_kwh(2023) == 0.0806
    np.testing.assert_allclose(electricity_price_usd_per_kwh(np.array([2021, 2022])),
                               [0.0718, 0.0832])
    with pytest.raises(ValueError, match="available: 2015-2025"):
        electricity_price_usd_per_kwh(2030)
    with pytest.raises(ValueError, match="NaN"):
        energy_cost_usd(1e9, float("nan"))


def test_epoch_cud_reproduces_published_aws_p4de_committed_prices():
    """Epoch's AWS discounts (41% / 64%) applied to the $5.12 on-demand p4de price land on
    the published $3.00 and $1.81 committed prices within 2.5% (Epoch's discounts are
    whole-percent averages across AWS instance types, not fitted to this one)."""
    assert discounted_rental_usd_per_hour(AWS_P4DE_ON_DEMAND, "1yr", "aws") == \
        pytest.approx(AWS_P4DE_1YR, rel=0.025)
    assert discounted_rental_usd_per_hour(AWS_P4DE_ON_DEMAND, "3yr", "aws") == \
        pytest.approx(AWS_P4DE_3YR, rel=0.025)
    assert committed_use_discount("on_demand", "google") == 0.0
    with pytest.raises(ValueError, match="unknown provider"):
        committed_use_discount("1yr", "oracle")
    with pytest.raises(ValueError, match="unknown term .5yr.; did you mean"):
        committed_use_discount("5yr")
    prices = PriceAssumptions(rental_discount="3yr", rental_provider="google")
    assert prices.discounted_usd_per_hour(3.22) == pytest.approx(3.22 * 0.44)


@pytest.mark.parametrize("kwargs, message", [
    ({"amortization": "declining"},
     "amortization 'declining'; did you mean 'depreciation'.*valid names: depreciation, "
     "straight_line"),
    ({"server_cost_overhead": 0.9}, "server_cost_overhead must be >= 1"),
    ({"network_cost_overhead": float("nan")}, "network_cost_overhead must be >= 1"),
    ({"electricity_usd_per_kwh": float("nan")}, "electricity_usd_per_kwh must be positive"),
    ({"lifetime_years": 0.0}, "lifetime_years must be positive"),
    ({"facility_capex_usd_per_w": -1.0}, "facility_capex_usd_per_w must be >= 0"),
    ({"rental_discount": "spot"}, "rental_discount 'spot'.*valid names: on_demand, 1yr, 3yr"),
    ({"rental_provider": "oracle"}, "rental_provider 'oracle'.*valid names: aws, google"),
])
def test_price_assumptions_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PriceAssumptions(**kwargs)


def test_cluster_cost_breakdown_frontier_and_energy():
    frontier = cluster("frontier")
    parts = cluster_cost_breakdown(frontier, time_s=SECONDS_PER_YEAR)
    hardware = parts["chips_usd"] + parts["servers_usd"] + parts["network_usd"]
    # Epoch's generic overheads on a $14.5k list price overstate DOE's ~$600M contract price
    assert 1.0 < hardware / frontier.reported_capex_usd < 2.0
    assert parts["energy_j"] == pytest.approx(frontier.average_facility_power_w() * SECONDS_PER_YEAR)
    with pytest.raises(ValueError, match="no purchase price"):
        cluster_cost_breakdown(dataclasses.replace(frontier, accelerator="MI355X"))
    # a catalog name is accepted and gives the same breakdown; anything else is refused
    assert cluster_cost_breakdown("frontier") == cluster_cost_breakdown(frontier)
    with pytest.raises(ValueError, match="cluster must be a name"):
        cluster_cost_breakdown(42)
    with pytest.raises(ValueError, match="unknown cluster 'frontiers'.*valid names"):
        cluster_cost_breakdown("frontiers")


def test_cottier2024_llama31_405b_cluster_hardware_acquisition_near_896m():
    """Epoch's hardware acquisition cost for Llama 3.1-405B's cluster: $896M (2023 USD).
    Our chips + network for 16,384 H100 at the DGX price: $683M, within 1.5x."""
    parts = cluster_cost_breakdown(cluster("llama3-16k"))
    hardware = parts["chips_usd"] + parts["servers_usd"] + parts["network_usd"]
    assert 1 / 1.5 <= hardware / 896e6 <= 1.5


def test_compare_clusters_seed_systems_first():
    from scaling.studies.systems import SEED_SYSTEMS, compare_clusters

    table = compare_clusters()
    assert tuple(table["name"][:4]) == SEED_SYSTEMS
    assert table["name"].is_unique and len(table) >= 9
    row = table.set_index("name").loc["frontier"]
    assert row["reported_power_w"] == 21e6 and row["reported_capex_usd"] == 600e6
    assert (table["sustained_flop_per_s"] < table["peak_flop_per_s"]).all()
    with pytest.raises(ValueError, match="unknown cluster"):
        compare_clusters(["nope"])


# --------------------------------------------------------------------------------------------
# owning against renting over time
# --------------------------------------------------------------------------------------------

def test_deepseek_v3_rental_cost_5_576_musd():
    time_s = DEEPSEEK_V3_H800_HOURS / DEEPSEEK_V3_N_GPUS * SECONDS_PER_HOUR
    cost = rental_cost_over_time_usd(time_s, DEEPSEEK_V3_N_GPUS, DEEPSEEK_V3_USD_PER_HOUR)
    np.testing.assert_allclose(cost, DEEPSEEK_V3_COST_USD, rtol=1e-3)


def test_cbre_h2_2024_colocation_rent_per_kw_month():
    one_month = ownership_cost_usd(SECONDS_PER_MONTH, 0.0, 1e3, 0.0, 1.0,
                                   colocation_usd_per_kw_month=CBRE_H2_2024_USD_PER_KW_MONTH,
                                   electricity_usd_per_kwh=0.08)
    np.testing.assert_allclose(one_month, CBRE_H2_2024_USD_PER_KW_MONTH, rtol=1e-12)


def test_ownership_energy_term_is_kwh_times_price():
    # 1 MW for one hour at $0.08/kWh and full use = $80
    cost = ownership_cost_usd(SECONDS_PER_HOUR, 0.0, 0.0, 1e6, 1.0,
                              colocation_usd_per_kw_month=0.0, electricity_usd_per_kwh=0.08)
    np.testing.assert_allclose(cost, 80.0, rtol=1e-12)


def test_break_even_time_equalises_the_costs():
    capex, own_rate, rent_rate = 4e6, 0.01, 0.06
    t = break_even_time_s(capex, own_rate, rent_rate)
    np.testing.assert_allclose(capex + own_rate * t, rent_rate * t, rtol=1e-12)
    assert break_even_time_s(capex, 0.06, 0.05) == math.inf


def test_break_even_occupancy_equalises_horizon_costs():
    capex, fixed, energy, rent, horizon = 4e6, 0.008, 0.003, 0.09, 3 * SECONDS_PER_YEAR
    u = break_even_occupancy(capex, fixed, energy, rent, horizon)
    assert 0 < u < 1
    np.testing.assert_allclose(capex + fixed * horizon + u * energy * horizon,
                               u * rent * horizon, rtol=1e-12)
    assert break_even_occupancy(capex, fixed, 0.1, 0.09, horizon) == math.inf
    # resale lowers the bar
    assert break_even_occupancy(capex, fixed, energy, rent, horizon, resale_usd=1e6) < u
