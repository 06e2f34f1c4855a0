"""Accelerator catalog model and throughput."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

import scaling
from scaling.hardware import accelerator, sustained_flop_per_s
from scaling.catalog import EPOCH_MEDIAN_MFU, Accelerator, list_accelerators

# Published runs (hardware_costs.md section 3) used to check the per-generation MFU defaults.
LLAMA31_405B_FLOP = 3.8e25          # arXiv:2407.21783
LLAMA31_405B_H100_HOURS = 30.84e6   # meta-llama/llama-models MODEL_CARD.md
GPT3_FLOP = 3.14e23                 # arXiv:2005.14165 Table D.1
GPT3_V100_HOURS = 3.55e6            # Epoch AI, Data on Notable AI Models
DEEPSEEK_V3_FLOP = 3.4e24           # Epoch (incl. post-training)
DEEPSEEK_V3_H800_HOURS = 2.788e6    # arXiv:2412.19437 Table 1


def test_accelerator_builds_every_catalog_row():
    frame = list_accelerators()
    for name in frame["name"]:
        chip = accelerator(name)
        assert isinstance(chip, Accelerator)
        assert chip.name == name
    assert "default_mfu" in frame.columns and frame["default_mfu"].notna().all()


def test_public_names_resolve_from_package():
    assert scaling.accelerator("H100-SXM") is scaling.hardware.accelerator("H100-SXM")
    assert scaling.Accelerator is Accelerator


def test_unknown_accelerator_lists_valid_names():
    with pytest.raises(ValueError, match="unknown accelerator 'H1000'.*H100-SXM.*TPU-v4"):
        accelerator("H1000")
    with pytest.raises(ValueError, match="valid names"):
        accelerator(["H100-SXM"])


def test_aliases_resolve_to_catalog_keys():
    assert accelerator("H100 SXM5 80GB").name == "H100-SXM"
    assert accelerator("A100 SXM4 80GB").name == "A100-SXM4-80GB"
    assert accelerator("V100").name == "V100-SXM2-32GB"


def test_peak_precision_dense_and_sparse_explicit():
    h100 = accelerator("H100-SXM")
    assert h100.peak_flop_per_s() == 989e12
    assert h100.peak_flop_per_s("fp8") == 1979e12
    assert h100.peak_flop_per_s("bf16", sparse=True) == 1979e12
    with pytest.raises(ValueError, match="no fp8"):
        accelerator("A100-SXM4-80GB").peak_flop_per_s("fp8")
    with pytest.raises(ValueError, match="unknown precision .*did you mean"):
        h100.peak_flop_per_s("fp16")
    with pytest.raises(ValueError, match="bf16 only"):
        h100.peak_flop_per_s("fp8", sparse=True)
    # chips without structured sparsity return the dense peak
    assert accelerator("TPU-v4").peak_flop_per_s(sparse=True) == 275e12


def test_default_mfu_per_generation_from_published_runs():
    assert accelerator("TPU-v4").default_mfu == 0.462     # PaLM, arXiv:2204.02311 Table 3
    assert accelerator("H100-SXM").default_mfu == 0.40    # Llama 3, arXiv:2407.21783 Table 4
    assert accelerator("H800-SXM").default_mfu == accelerator("H200-SXM").default_mfu
    assert accelerator("V100-SXM2-32GB").default_mfu == 0.20
    assert accelerator("B200").default_mfu == EPOCH_MEDIAN_MFU


@pytest.mark.parametrize("name, compute_flop, reported_hours", [
    ("H100-SXM", LLAMA31_405B_FLOP, LLAMA31_405B_H100_HOURS),
    ("V100-SXM2-32GB", GPT3_FLOP, GPT3_V100_HOURS),
    ("H800-SXM", DEEPSEEK_V3_FLOP, DEEPSEEK_V3_H800_HOURS),
])
def test_default_mfu_reproduces_reported_accelerator_hours_within_1p2x(
        name, compute_flop, reported_hours):
    """Generation defaults (never tuned per model) land within 1.2x of reported chip-hours,
    before any goodput loss is added."""
    chip = accelerator(name)
    hours = compute_flop / sustained_flop_per_s(chip.peak_flop_per_s(), 1, chip.default_mfu) / 3600.0
    assert 1 / 1.2 <= reported_hours / hours <= 1.2


def test_sustained_flop_per_s_equation_and_kinds():
    assert sustained_flop_per_s(989e12, 16384, 0.4) == pytest.approx(989e12 * 16384 * 0.4)
    assert isinstance(sustained_flop_per_s(989e12, 8, 0.5), float)
    array = sustained_flop_per_s(989e12, np.array([1, 2, 4]), 0.5)
    assert isinstance(array, np.ndarray)
    np.testing.assert_allclose(array, 989e12 * 0.5 * np.array([1, 2, 4]))
    series = sustained_flop_per_s(989e12, pd.Series([1, 2], index=["a", "b"]), 0.5)
    assert isinstance(series, pd.Series) and list(series.index) == ["a", "b"]


@pytest.mark.parametrize("mfu", [0.0, -0.1, 1.01, float("nan")])
def test_sustained_rejects_mfu_outside_unit_interval(mfu):
    with pytest.raises(ValueError, match="mfu"):
        sustained_flop_per_s(989e12, 8, mfu)


@pytest.mark.parametrize("count", [0, -8, float("nan")])
def test_sustained_rejects_non_positive_counts(count):
    with pytest.raises(ValueError, match="n_accelerators"):
        sustained_flop_per_s(989e12, count, 0.4)


def test_accelerator_frozen_and_replace_validates():
    h100 = accelerator("H100-SXM")
    with pytest.raises(dataclasses.FrozenInstanceError):
        h100.tdp_w = 1.0
    custom = dataclasses.replace(h100, name="H100-500W", tdp_w=500.0)
    assert custom.tdp_w == 500.0 and h100.tdp_w == 700.0
    with pytest.raises(ValueError, match="tdp_w must be positive"):
        dataclasses.replace(h100, tdp_w=-1.0)
    with pytest.raises(ValueError, match="dense must be <= sparse"):
        dataclasses.replace(h100, peak_bf16_sparse_flop_per_s=1e12)
    with pytest.raises(ValueError, match="default_mfu"):
        dataclasses.replace(h100, default_mfu=1.5)
    with pytest.raises(ValueError, match="chip_to_server_power"):
        dataclasses.replace(h100, chip_to_server_power=0.5)
    with pytest.raises(ValueError, match="ISO date"):
        dataclasses.replace(h100, release_date="Sept 2022")
    with pytest.raises(ValueError, match="price_usd"):
        dataclasses.replace(h100, price_usd=-5.0)


def test_release_year_and_efficiency_trend():
    frame = list_accelerators()
    assert accelerator("H100-SXM").release_year == pytest.approx(2022.72, abs=0.01)
    nvidia = frame[frame["vendor"] == "NVIDIA"].sort_values("release_date")
    per_w = nvidia["peak_bf16_flop_per_s"] / nvidia["tdp_w"]
    # Each NVIDIA generation (V100 -> A100 -> H100 -> B200) improves bf16 FLOP/s per W
    flagship = per_w[nvidia["name"].isin(["V100-SXM2-32GB", "A100-SXM4-80GB", "H100-SXM", "B200"])]
    assert flagship.is_monotonic_increasing


def test_accelerator_landscape_per_watt_and_per_dollar():
    from scaling.studies.hardware import accelerator_landscape

    table = accelerator_landscape()
    assert len(table) == len(list_accelerators())
    row = table.set_index("name").loc["H100-SXM"]
    assert row["peak_flop_per_s_per_w"] == pytest.approx(989e12 / 700)
    assert row["peak_flop_per_s_per_usd"] == pytest.approx(989e12 / 33_750)
    assert table["release_date"].is_monotonic_increasing
    fp8 = accelerator_landscape("fp8")
    assert "A100-SXM4-80GB" not in set(fp8["name"]) and "H100-SXM" in set(fp8["name"])
    with pytest.raises(ValueError, match="precision"):
        accelerator_landscape("int8")


def test_hardware_charts_build_with_tooltips():
    import scaling.plots.hardware as charts
    from scaling.clusters import cluster
    from scaling.studies.hardware import cluster_cost_breakdown
    from scaling.studies.systems import compare_clusters
    from scaling.studies.hardware import accelerator_landscape

    spec = charts.landscape_chart(accelerator_landscape()).to_dict()
    assert "tooltip" in str(spec) and "log" in str(spec)
    with pytest.raises(ValueError, match="unknown metric .*did you mean"):
        charts.landscape_chart(accelerator_landscape(), metric="flops")
    systems = charts.named_systems_chart(compare_clusters()).to_dict()
    assert "hconcat" in systems
    breakdown = cluster_cost_breakdown(cluster("llama3-16k"), time_s=54 * 86400.0)
    assert "cost [USD]" in str(charts.capex_breakdown_chart(breakdown).to_dict())
    with pytest.raises(ValueError, match="_usd"):
        charts.capex_breakdown_chart({"energy_j": 1.0})
