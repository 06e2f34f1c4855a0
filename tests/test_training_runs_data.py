"""Checks on data/training_runs.csv, the backtest table of real training runs."""

import numpy as np
import pandas as pd
import pytest

from scaling.data import data_path, load_table

COLUMNS = [
    "name", "year", "n_params", "n_active_params", "n_tokens", "compute_flop", "accelerator",
    "n_accelerators", "precision", "wall_clock_days", "accelerator_hours", "mfu_reported",
    "reported_cost_usd", "cost_kind", "source", "notes",
]
POSITIVE = ["n_params", "n_active_params", "n_tokens", "compute_flop", "n_accelerators",
            "wall_clock_days", "accelerator_hours", "reported_cost_usd"]

#: |C / (6 N D) - 1| allowed where N and D are given: Hoffmann et al. (2022) App. F Table A4
#: finds exact FLOP counts within 0.99-1.10x of 6ND, and Epoch rounds FLOP to 2 significant
#: figures (+-3%); DeepSeek-V3's 3.4e24 also includes post-training.
SIX_ND_RTOL = 0.10

#: Hours cannot exceed days x 24 x count by more than the rounding of a wall-clock figure
#: printed to two significant figures ("~33 days" covers 32.5-33.5, i.e. +-1.5%) plus a
#: margin for "~" figures: 5%.
HOURS_SLACK = 0.05


@pytest.fixture(scope="module")
def runs():
    return load_table("training_runs")


def test_schema(runs):
    assert list(runs.columns) == COLUMNS
    assert runs["name"].is_unique
    assert len(runs) >= 7
    for column in COLUMNS[1:14]:
        if column not in ("accelerator", "precision", "cost_kind"):
            assert pd.api.types.is_numeric_dtype(runs[column]), column


def test_issue4_backtest_rows_present(runs):
    for name in ["GPT-3 175B", "OPT-175B", "BLOOM-176B", "PaLM 540B", "Llama 3.1 405B",
                 "DeepSeek-V3", "MT-NLG 530B"]:
        assert name in set(runs["name"]), name


def test_every_row_has_a_source_with_a_reference(runs):
    assert runs["source"].notna().all()
    assert runs["notes"].notna().all()
    for source in runs["source"]:
        assert ("arXiv:" in source) or ("http" in source), source


def test_values_positive_and_plausible(runs):
    for column in POSITIVE:
        values = runs[column].dropna()
        assert (values > 0).all(), column
    mfu = runs["mfu_reported"].dropna()
    assert ((mfu > 0) & (mfu <= 1)).all()
    assert runs["year"].between(2017, 2026).all()
    assert set(runs["precision"].dropna()) <= {"bf16", "fp8", "fp16"}
    has_cost = runs["reported_cost_usd"].notna()
    assert runs.loc[has_cost, "cost_kind"].notna().all()
    # every run has a time: wall clock or accelerator-hours
    assert (runs["wall_clock_days"].notna() | runs["accelerator_hours"].notna()).all()


def test_compute_consistent_with_6nd(runs):
    active = runs["n_active_params"].fillna(runs["n_params"])
    ratio = runs["compute_flop"] / (6.0 * active * runs["n_tokens"])
    known = ratio.dropna()
    assert len(known) == len(runs)
    np.testing.assert_allclose(known.to_numpy(), 1.0, rtol=SIX_ND_RTOL)


def test_hours_do_not_exceed_days_times_count(runs):
    both = runs.dropna(subset=["wall_clock_days", "accelerator_hours"])
    ceiling = both["wall_clock_days"] * 24.0 * both["n_accelerators"] * (1.0 + HOURS_SLACK)
    assert (both["accelerator_hours"] <= ceiling).all()


def test_accelerators_exist_in_catalog(runs):
    try:
        catalog = pd.read_csv(data_path("accelerators.csv"))
    except FileNotFoundError:
        pytest.skip("data/accelerators.csv (hardware engineer) not written yet")
    unknown = set(runs["accelerator"]) - set(catalog["name"])
    assert not unknown, f"unknown accelerator keys {unknown}; catalog has {list(catalog['name'])}"


def test_implied_whole_run_utilisation_is_physical(runs):
    """C / (hours x 3600 x dense bf16 peak) must lie in (0.1, 0.6): catches unit slips."""
    catalog = pd.read_csv(data_path("accelerators.csv")).set_index("name")
    hours = runs["accelerator_hours"].fillna(
        runs["wall_clock_days"] * 24.0 * runs["n_accelerators"])
    peak = runs["accelerator"].map(catalog["peak_bf16_flop_per_s"])
    utilisation = runs["compute_flop"] / (hours * 3600.0 * peak)
    assert utilisation.between(0.1, 0.6).all(), utilisation.to_dict()


def test_gpt3_patterson2021_hours_are_count_times_days(runs):
    gpt3 = runs.set_index("name").loc["GPT-3 175B"]
    np.testing.assert_allclose(gpt3["accelerator_hours"],
                               gpt3["n_accelerators"] * gpt3["wall_clock_days"] * 24,
                               rtol=0.005)  # 3.55M printed to 3 s.f.


def test_palm2022_chip_hours_from_phases(runs):
    palm = runs.set_index("name").loc["PaLM 540B"]
    np.testing.assert_allclose(palm["accelerator_hours"], 1200 * 6144 + 336 * 3072, rtol=0.005)
