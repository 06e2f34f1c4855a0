"""Integrity of the curated hardware, cluster and price tables (data/*.csv)."""

from datetime import date

import numpy as np
import pytest

from scaling.data import load_table

REQUIRED_ACCELERATORS = [
    "A100-SXM4-40GB", "A100-SXM4-80GB", "H100-SXM", "H800-SXM", "H200-SXM", "B200", "GB200",
    "B300", "GB300", "MI250X", "MI300X", "MI325X", "MI355X", "TPU-v3", "TPU-v4", "TPU-v5e",
    "TPU-v5p", "TPU-v6e", "Trainium2", "Gaudi3", "V100-SXM2-32GB", "TPU-v7",
]
REQUIRED_CLUSTERS = [
    "stargate-2024", "stargate-abilene", "frontier", "eos-mlperf", "eos-top500", "azure-eagle",
    "xai-colossus", "meta-24k", "llama3-16k",
]
MY_TABLES = [
    "accelerators", "clusters", "mfu_defaults", "electricity_prices", "cloud_prices",
    "committed_use_discounts", "pue", "facility_capex", "rack_power",
]


@pytest.fixture(scope="module")
def accelerators():
    return load_table("accelerators")


@pytest.mark.parametrize("table", MY_TABLES)
def test_every_row_has_a_source(table):
    frame = load_table(table)  # load_table refuses empty sources; check they say something
    assert (frame["source"].astype(str).str.len() > 20).all()


def test_accelerator_keys_unique_and_complete(accelerators):
    assert accelerators["name"].is_unique
    assert set(REQUIRED_ACCELERATORS) <= set(accelerators["name"])


def test_aliases_do_not_collide(accelerators):
    seen = set(accelerators["name"].str.lower())
    for aliases in accelerators["aliases"]:
        for alias in aliases.split(";"):
            key = alias.strip().lower()
            assert key not in seen, f"alias {alias!r} collides"
            seen.add(key)


@pytest.mark.parametrize("column", [
    "peak_bf16_flop_per_s", "memory_bytes", "memory_bandwidth_byte_per_s", "tdp_w",
    "chip_to_server_power", "server_power_fraction",
])
def test_physical_values_positive_and_present(accelerators, column):
    values = accelerators[column].astype(float)
    assert values.notna().all()
    assert (values > 0).all()


@pytest.mark.parametrize("column", [
    "peak_fp8_flop_per_s", "peak_bf16_sparse_flop_per_s", "scale_up_bandwidth_byte_per_s",
    "price_usd",
])
def test_optional_values_positive_where_present(accelerators, column):
    values = accelerators[column].astype(float).dropna()
    assert (values > 0).all()


def test_dense_peak_not_above_sparse_peak(accelerators):
    dense = accelerators["peak_bf16_flop_per_s"].astype(float)
    sparse = accelerators["peak_bf16_sparse_flop_per_s"].astype(float)
    assert (dense <= sparse).all()
    flagged = accelerators["structured_sparsity"].astype(bool)
    # vendors headline 2:4 sparsity as exactly twice the dense peak
    np.testing.assert_allclose(sparse[flagged] / dense[flagged], 2.0, rtol=1e-3)
    np.testing.assert_allclose(sparse[~flagged], dense[~flagged])


def test_fp8_peak_at_least_bf16_where_present(accelerators):
    has = accelerators["peak_fp8_flop_per_s"].notna()
    assert (accelerators.loc[has, "peak_fp8_flop_per_s"]
            >= accelerators.loc[has, "peak_bf16_flop_per_s"]).all()


def test_nvidia_h100_datasheet_989_tflops_dense_bf16_and_700_w(accelerators):
    row = accelerators.set_index("name").loc["H100-SXM"]
    assert row["peak_bf16_flop_per_s"] == pytest.approx(989e12, rel=1e-3)
    assert row["peak_fp8_flop_per_s"] == pytest.approx(1979e12, rel=1e-3)
    assert row["tdp_w"] == 700
    assert row["memory_bytes"] == 80e9


def test_release_dates_are_iso_and_price_dates_present(accelerators):
    for value in accelerators["release_date"]:
        date.fromisoformat(value)
    priced = accelerators["price_usd"].notna()
    assert accelerators.loc[priced, "price_source"].str.len().gt(10).all()


def test_tpu_tdps_are_flagged_as_estimates(accelerators):
    """Google publishes no TPU TDP (hardware_costs.md: n/f); every TPU value is an estimate."""
    tpus = accelerators[accelerators["vendor"] == "Google"]
    assert len(tpus) == 6
    assert tpus["tdp_estimated"].astype(bool).all()
    assert tpus["tdp_source"].str.contains("Estimate").all()


def test_every_generation_has_a_sourced_default_mfu(accelerators):
    mfu = load_table("mfu_defaults")
    assert mfu["generation"].is_unique
    assert set(accelerators["generation"]) <= set(mfu["generation"])
    assert ((mfu["mfu"] > 0) & (mfu["mfu"] <= 1)).all()
    assert set(mfu["basis"]) <= {"published", "imputation"}
    # imputed generations use Epoch's median exactly, published ones cite a paper
    assert (mfu.loc[mfu["basis"] == "imputation", "mfu"] == 0.375).all()
    assert mfu.loc[mfu["basis"] == "published", "source"].str.contains("arXiv").all()


def test_cluster_table_keys_statuses_and_accelerators(accelerators):
    clusters = load_table("clusters")
    assert clusters["name"].is_unique
    assert set(REQUIRED_CLUSTERS) <= set(clusters["name"])
    assert set(clusters["accelerator"]) <= set(accelerators["name"])
    assert set(clusters["status"]) <= {"reported", "estimate", "rumour"}
    assert set(clusters["cooling"]) <= {"air", "liquid"}
    assert (clusters["pue"] >= 1).all()
    assert (clusters["n_accelerators"] > 0).all()
    # every system says which of its figures are estimates
    assert clusters["estimated_fields"].str.len().gt(5).all()
    assert clusters.set_index("name").loc["stargate-2024", "status"] == "rumour"


def test_eia_us_industrial_electricity_2023_8p06_cents():
    prices = load_table("electricity_prices").set_index("year")["electricity_usd_per_kwh"]
    assert prices.loc[2023] == pytest.approx(0.0806, abs=5e-5)
    assert prices.index.is_unique and list(prices.index) == sorted(prices.index)
    assert ((prices > 0.05) & (prices < 0.12)).all()


def test_epoch_default_committed_use_discounts():
    cud = load_table("committed_use_discounts").set_index("provider")
    assert cud.loc["aws", "discount_1yr"] == 0.41 and cud.loc["aws", "discount_3yr"] == 0.64
    assert cud.loc["google", "discount_1yr"] == 0.37 and cud.loc["azure", "discount_3yr"] == 0.49
    assert (cud["discount_1yr"] < cud["discount_3yr"]).all()


def test_pue_and_rack_tables_physical():
    pue = load_table("pue")
    assert (pue["pue"] >= 1).all()
    racks = load_table("rack_power").set_index("cooling")["rack_power_w"]
    assert racks["liquid"] > racks["air"] > 0
    capex = load_table("facility_capex").set_index("item")["usd_per_w"]
    assert capex["facility-build-low"] < capex["facility-build-central"] < capex["facility-build-high"]


def test_cloud_prices_refer_to_catalog_and_terms(accelerators):
    prices = load_table("cloud_prices")
    assert set(prices["accelerator"]) <= set(accelerators["name"])
    assert set(prices["price_type"]) <= {"on_demand", "1yr", "3yr"}
    assert (prices["usd_per_hour"] > 0).all()


def test_cloud_prices_positive_and_reference_prices_feed_the_catalog():
    import scaling

    prices = load_table("cloud_prices")
    assert (prices["usd_per_hour"].astype(float) > 0).all()
    reference = prices[prices["catalog_reference"].astype(str) == "True"]
    assert reference["accelerator"].is_unique
    assert set(reference["accelerator"]) <= set(load_table("accelerators")["name"])
    for row in reference.itertuples():
        assert scaling.accelerator(row.accelerator).rental_usd_per_hour == float(row.usd_per_hour)
    # Lambda's on-demand H100 SXM price of Jan 2024 (Epoch AI price database)
    assert scaling.accelerator("H100-SXM").rental_usd_per_hour == 3.49


def test_catalog_objects_and_catalog_tables_agree():
    """Accelerator and Cluster objects are built from the CSV rows (scaling.data.load_rows,
    the fast lookup path); list_accelerators / list_clusters are DataFrames of the same
    files: every shared field agrees."""
    import math

    import scaling
    from scaling.catalog import list_accelerators, list_clusters

    def same(a, b):
        if isinstance(a, float) and math.isnan(a):
            return isinstance(b, float) and math.isnan(b)
        return a == b

    for row in list_accelerators().to_dict("records"):
        chip = scaling.accelerator(row["name"])
        for field in ("vendor", "generation", "peak_bf16_flop_per_s", "peak_fp8_flop_per_s",
                      "memory_bytes", "memory_bandwidth_byte_per_s", "tdp_w", "tdp_estimated",
                      "scale_up_domain_size", "scale_out_bandwidth_byte_per_s", "price_usd",
                      "price_date", "price_includes_server", "rental_usd_per_hour",
                      "default_mfu", "chip_to_server_power", "server_power_fraction",
                      "release_date", "source"):
            assert same(getattr(chip, field), row[field]), (row["name"], field)
    for row in list_clusters().to_dict("records"):
        machine = scaling.cluster(row["name"])
        for field in ("n_accelerators", "pue", "reported_power_w", "reported_capex_usd",
                      "capex_scope", "network", "scale_out_bandwidth_byte_per_s", "status",
                      "year", "source", "region"):
            assert same(getattr(machine, field), row[field]), (row["name"], field)
        assert machine.accelerator.name == scaling.accelerator(row["accelerator"]).name
