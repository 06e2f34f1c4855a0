"""Integrity of the tables for issues 9, 10 and 14: data/resilience.csv,
grid_carbon_intensity.csv, published_trends.csv, cpi_us.csv, reported_emissions.csv, and the
constant tables moved out of the code (law_parameters.csv, kaplan2020.csv,
muennighoff2023_decay.csv, law_prior.csv, monte_carlo_spreads.csv, reliability.csv).

Each row must name a source; values must be in their units' physical range; published figures
that later stages reproduce are pinned against the source named in each test.
"""

import math

import numpy as np
import pandas as pd
import pytest

from scaling.data import data_path, load_table

NEW_TABLES = ["resilience", "grid_carbon_intensity", "published_trends", "cpi_us",
              "reported_emissions"]
CLUSTER_KEYS = ["stargate-2024", "stargate-abilene", "frontier", "eos-mlperf", "eos-top500",
                "azure-eagle", "xai-colossus", "meta-24k", "llama3-16k"]

#: Physical range of a location-based grid intensity [gCO2e/kWh]: Sweden's hydro/nuclear grid
#: is ~13-45 (Ember via codecarbon), coal-heavy grids reach ~1,000 (lignite ~1,100).
GRID_RANGE_G_PER_KWH = (5.0, 1200.0)


@pytest.fixture(scope="module")
def catalog_names():
    return set(pd.read_csv(data_path("accelerators.csv"))["name"])


@pytest.mark.parametrize("table", NEW_TABLES)
def test_every_row_has_a_source_that_says_something(table):
    frame = load_table(table)  # refuses empty sources
    assert len(frame) > 0
    assert (frame["source"].astype(str).str.len() > 20).all()
    assert frame["source"].str.contains("http|arXiv|codecarbon|Bureau").all()


# --- resilience -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def resilience():
    return load_table("resilience")


def test_resilience_has_one_row_per_named_cluster(resilience):
    clusters = load_table("clusters")
    keys = resilience.loc[resilience["kind"] == "cluster", "key"]
    assert sorted(keys) == sorted(clusters["name"]) == sorted(CLUSTER_KEYS)
    assert resilience["key"].is_unique
    assert set(resilience["kind"]) == {"cluster", "reference"}
    assert (resilience["kind"] == "reference").sum() >= 10


def test_resilience_cluster_rows_complete_and_say_what_they_assume(resilience):
    clusters = resilience[resilience["kind"] == "cluster"]
    for column in ["restart_time_s", "checkpoint_pause_s", "hot_spare_fraction", "goodput",
                   "job_mttf_h", "checkpoint_approach", "assumed_from", "notes"]:
        assert clusters[column].notna().all(), column
    # every assumption names reference rows that exist
    references = set(resilience.loc[resilience["kind"] == "reference", "key"])
    for assumed in clusters["assumed_from"]:
        assert {key.strip() for key in assumed.split(";")} <= references, assumed


def test_resilience_units_are_sane(resilience, catalog_names):
    for column, (low, high) in {"restart_time_s": (1, 7200), "checkpoint_pause_s": (0, 3600),
                                "checkpoint_overhead_fraction": (0, 0.5),
                                "hot_spare_fraction": (0, 0.2), "goodput": (0.3, 1.0),
                                "job_mttf_h": (0.01, 1000),
                                "replica_recovery_time_s": (1, 7200)}.items():
        values = resilience[column].dropna()
        assert values.between(low, high).all(), column
    assert set(resilience["accelerator"].dropna()) <= catalog_names
    counts = resilience["n_accelerators"].dropna()
    assert (counts == np.round(counts)).all() and (counts > 0).all()


def test_resilience_published_goodputs():
    """Gemini 1.0 (arXiv:2312.11805 §3): 97%; ByteRobust (arXiv:2509.16293): 97% ETTR;
    Llama 3 (arXiv:2407.21783 §3.3.4): >90%; Google Cloud A3 Mega: >90%; OPT-175B: 59%."""
    table = load_table("resilience").set_index("key")
    expected = {"gemini1_ultra": 0.97, "byterobust_9600": 0.97, "llama3_405b": 0.90,
                "gcp_a3mega_goodput": 0.90, "opt_175b": 0.59}
    for key, goodput in expected.items():
        assert table.loc[key, "goodput"] == goodput, key
    assert table.loc["flashrecovery2025", "restart_time_s"] == 150
    assert table.loc["trainmover2024", "restart_time_s"] == 20


def test_resilience_job_mttf_is_llama3_rate_scaled_by_count(resilience):
    """Cluster job MTTF = 1 / (419 / (54 d x 24 h x 16,384 GPUs) x count): ~3.1 h at 16,384."""
    rate = 419 / (54 * 24 * 16384)
    clusters = resilience[resilience["kind"] == "cluster"]
    np.testing.assert_allclose(clusters["job_mttf_h"], 1 / (rate * clusters["n_accelerators"]),
                               rtol=1e-3)
    llama = clusters.set_index("key").loc["llama3-16k", "job_mttf_h"]
    np.testing.assert_allclose(llama, 54 * 24 / 419, rtol=1e-3)


# --- grid carbon intensity -------------------------------------------------------------------

@pytest.fixture(scope="module")
def grid():
    return load_table("grid_carbon_intensity")


def test_grid_intensity_units_and_keys(grid):
    assert grid["carbon_intensity_g_per_kwh"].between(*GRID_RANGE_G_PER_KWH).all()
    assert grid["year"].between(2015, 2026).all()
    assert not grid.duplicated(["region", "year", "series"]).any()
    preferred = grid[grid["preferred"]]
    assert not preferred.duplicated(["region", "year"]).any()
    # every (region, year) has exactly one preferred row
    assert len(preferred) == len(grid.drop_duplicates(["region", "year"]))


def test_grid_covers_the_regions_of_the_named_clusters_and_runs(grid):
    needed = {"WORLD", "US", "US-TX", "US-TN", "US-VA", "US-IA", "US-OR", "US-OH", "US-AZ",
              "US-GA", "US-OK", "US-NC", "FR", "FI", "CN", "TW"}
    assert needed <= set(grid["region"])
    runs = load_table("training_runs")
    assert set(runs["region"].dropna()) <= set(grid["region"])


def test_egrid2023_state_conversion_from_lb_per_mwh(grid):
    """EPA eGRID2023 (codecarbon 3.3.2): Texas 771.179 lb/MWh = 349.8 g/kWh."""
    texas = grid[(grid["region"] == "US-TX") & (grid["series"] == "egrid2023_state")]
    np.testing.assert_allclose(texas["carbon_intensity_g_per_kwh"], 771.179 * 0.45359237,
                               rtol=1e-4)


def test_paper_grid_factors_reproduce_published_emissions(grid):
    """Patterson et al. 2021: 1,287 MWh x 0.429 = 552 tCO2e (GPT-3); Luccioni et al. 2022:
    433.196 MWh x 57 g/kWh = 24.7 t (BLOOM, dynamic power)."""
    factor = grid[grid["series"] == "paper_factor"].set_index(["region", "year"])
    np.testing.assert_allclose(
        1287 * factor.loc[("US", 2020), "carbon_intensity_g_per_kwh"] / 1000, 552.1, rtol=0.002)
    np.testing.assert_allclose(
        433.196 * factor.loc[("FR", 2022), "carbon_intensity_g_per_kwh"] / 1000, 24.7, rtol=0.002)


# --- published trends --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trends():
    return load_table("published_trends")


def test_trends_units_and_intervals(trends):
    assert trends["doubling_time_years"].between(0.1, 10).all()
    both = trends.dropna(subset=["ci_lower", "ci_upper"])
    assert (both["ci_lower"] <= both["doubling_time_years"]).all()
    assert (both["doubling_time_years"] <= both["ci_upper"]).all()
    np.testing.assert_allclose(trends["growth_factor_per_year"],
                               2 ** (1 / trends["doubling_time_years"]), rtol=1e-3)


def test_hobbhahn_besiroglu_2022_table1(trends):
    """FLOP/s per $: all GPUs 2.46 y [2.24, 2.72]; ML GPUs 2.07 y [1.54, 3.13]."""
    gpu = trends[trends["quantity"] == "gpu_flop_per_s_per_usd"].set_index("precision_scope")
    row = gpu.loc["all GPUs, FP32 (n=470)"]
    assert (row["doubling_time_years"], row["ci_lower"], row["ci_upper"]) == (2.46, 2.24, 2.72)
    row = gpu.loc["ML GPUs, FP32 (n=26)"]
    assert (row["doubling_time_years"], row["ci_lower"], row["ci_upper"]) == (2.07, 1.54, 3.13)


def test_trend_quantities_needed_by_issue10(trends):
    needed = {"gpu_flop_per_s_per_usd", "ml_hardware_flop_per_s_per_watt",
              "frontier_training_compute", "leading_ai_supercomputer_chips",
              "ml_hardware_value_depreciation"}
    assert needed <= set(trends["quantity"])
    frontier = trends.set_index("quantity").loc["frontier_training_compute"]
    assert 4.0 <= frontier["growth_factor_per_year"] <= 5.0
    epoch = trends.set_index("quantity").loc["ml_hardware_value_depreciation"]
    np.testing.assert_allclose(epoch["doubling_time_years"], math.log10(2) / 0.14, rtol=1e-3)


# --- CPI ---------------------------------------------------------------------------------------

def test_cpi_u_annual_averages_bls():
    cpi = load_table("cpi_us").set_index("year")
    assert list(cpi.index) == list(range(2015, 2026))
    assert cpi["cpi_u_index"].is_monotonic_increasing
    assert cpi.loc[2023, "cpi_u_index"] == 304.702   # BLS CUUR0000SA0 annual average
    ratio = cpi.loc[2023, "cpi_u_index"] / cpi.loc[2020, "cpi_u_index"]
    np.testing.assert_allclose(ratio, 1.1773, rtol=1e-4)  # 17.7% cumulative 2020-23


# --- reported emissions --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def emissions():
    return load_table("reported_emissions")


def test_reported_emissions_units_and_keys(emissions, catalog_names):
    assert not emissions.duplicated(["name", "scope"]).any()
    assert (emissions["emissions_tco2e"] > 0).all()
    for column in ["accelerator_hours", "power_per_accelerator_w", "energy_mwh"]:
        assert (emissions[column].dropna() > 0).all(), column
    assert emissions["pue"].dropna().between(1.0, 2.0).all()
    assert emissions["carbon_intensity_kg_per_kwh"].dropna().between(0.005, 1.2).all()
    assert set(emissions["accelerator"].dropna()) <= catalog_names
    assert set(emissions["scope"]) <= {"location_based", "datacenter_net", "dynamic_power_only",
                                       "total_incl_idle_infrastructure_embodied", "unspecified",
                                       "unspecified_offset"}


def test_reported_emissions_agree_with_training_runs(emissions):
    runs = load_table("training_runs").set_index("name")
    flagged = emissions[emissions["in_training_runs"]]
    assert set(flagged["name"]) <= set(runs.index)
    assert set(runs["reported_emissions_tco2e"].dropna().index) <= set(flagged["name"])
    primary = flagged.drop_duplicates("name")  # first row per run is the one in training_runs
    for row in primary.itertuples():
        assert runs.loc[row.name, "reported_emissions_tco2e"] == row.emissions_tco2e, row.name


def test_meta_model_card_totals(emissions):
    """Llama 2 card/paper: 3,311,616 GPU-h and 539.00 t; Llama 3 card: 7.7M h and 2,290 t;
    Llama 3.1 card: 39.3M h and 11,390 t (location-based)."""
    table = emissions.set_index("name")
    llama2 = table.loc[["Llama 2 7B", "Llama 2 13B", "Llama 2 34B", "Llama 2 70B"]]
    assert llama2["accelerator_hours"].sum() == 3311616
    np.testing.assert_allclose(llama2["emissions_tco2e"].sum(), 539.00, atol=0.03)
    llama3 = table.loc[["Llama 3 8B", "Llama 3 70B"]]
    np.testing.assert_allclose(llama3["accelerator_hours"].sum(), 7.7e6, rtol=1e-9)
    assert llama3["emissions_tco2e"].sum() == 2290
    llama31 = table.loc[["Llama 3.1 8B", "Llama 3.1 70B", "Llama 3.1 405B"]]
    np.testing.assert_allclose(llama31["accelerator_hours"].sum(), 39.3e6, rtol=0.001)
    assert llama31["emissions_tco2e"].sum() == 11390
    assert (llama31["market_based_tco2e"] == 0).all()


def test_llama1_touvron2023_table15_consistent(emissions):
    """GPU-h x 400 W x PUE 1.1 = MWh; MWh x 0.385 = tCO2e (Table 15 prints whole units, truncated:
    65B is 449.8 MWh, printed 449)."""
    llama = emissions[emissions["name"].str.startswith("LLaMA-")]
    assert len(llama) == 4
    energy = llama["accelerator_hours"] * 0.4 * 1.1 / 1000
    np.testing.assert_allclose(energy, llama["energy_mwh"], atol=1.0)
    np.testing.assert_allclose(llama["energy_mwh"] * 0.385, llama["emissions_tco2e"], atol=0.6)


# --- constant tables moved out of the code (issue 14) ---------------------------------------

#: Each table: its exact columns. Every row has a source naming a paper, a URL or a
#: publication (EIA, Epoch).
CONSTANT_TABLES = {
    "law_parameters": ["law", "E_nats_per_token", "A", "B", "log_E", "log_A", "log_B", "alpha",
                       "beta", "source"],
    "kaplan2020": ["constants", "alpha_n", "n_c_params", "alpha_d", "d_c_tokens", "source"],
    "muennighoff2023_decay": ["r_star_tokens_epochs", "r_star_params", "source"],
    "law_prior": ["E_se_nats_per_token", "alpha_se", "beta_se", "pivot_n_params",
                  "pivot_n_tokens", "source"],
    "monte_carlo_spreads": ["input", "quoted_p5", "quoted_p95", "quoted_central", "applies_to",
                            "lower_bound", "upper_bound", "source"],
}


@pytest.mark.parametrize("table", sorted(CONSTANT_TABLES))
def test_constant_tables_have_their_columns_and_a_source_on_every_row(table):
    frame = load_table(table)  # refuses empty sources
    assert list(frame.columns) == CONSTANT_TABLES[table]
    assert len(frame) > 0
    assert (frame["source"].astype(str).str.len() > 20).all()
    assert frame["source"].str.contains("http|arXiv|EIA|Epoch").all()
    numbers = frame.drop(columns=["source"]).select_dtypes("number").to_numpy(dtype=float)
    assert (numbers[~np.isnan(numbers)] > 0).all(), table


def test_reliability_table_schema_and_llama3_rows():
    table = load_table("reliability")
    assert list(table.columns) == ["study", "component", "category", "interruptions",
                                   "accelerator", "n_accelerators", "observation_days",
                                   "rate_per_accelerator_hour", "source", "notes"]
    assert (table["source"].str.len() > 20).all()
    assert table["source"].str.contains("http|arXiv").all()
    llama = table[table["study"] == "llama3_405b"]
    planned = llama["category"] == "Planned"
    assert planned.sum() == 1 and llama.loc[planned, "rate_per_accelerator_hour"].isna().all()
    assert llama.loc[~planned, "rate_per_accelerator_hour"].notna().all()
    assert llama[["accelerator", "n_accelerators", "observation_days"]].nunique().max() == 1
    others = table[table["study"] != "llama3_405b"]
    assert others["study"].is_unique and (others["rate_per_accelerator_hour"] > 0).all()


@pytest.mark.parametrize("table", sorted(CONSTANT_TABLES) + ["reliability", "resilience"])
def test_constant_tables_parse_to_the_exact_numbers_written(table):
    """pandas reads every number as Python's float() does: the tables give the numbers the
    code held, bit for bit."""
    import csv

    frame = load_table(table)
    with open(data_path(f"{table}.csv"), newline="", encoding="utf-8") as handle:
        for i, row in enumerate(csv.DictReader(handle)):
            for column, text in row.items():
                if column != "source" and frame[column].dtype.kind == "f" and text:
                    assert frame[column].iloc[i] == float(text), (table, i, column)


def test_law_parameters_table_gives_a_value_or_its_log_for_each_constant():
    laws = load_table("law_parameters").set_index("law")
    assert laws.index.is_unique
    assert {"hoffmann2022", "hoffmann2022_tex", "besiroglu2024", "muennighoff2023"} <= set(
        laws.index)
    for value, log in [("E_nats_per_token", "log_E"), ("A", "log_A"), ("B", "log_B")]:
        assert (laws[value].notna() ^ laws[log].notna()).all(), value
    exponents = laws[["alpha", "beta"]].to_numpy(dtype=float)
    assert ((exponents > 0.1) & (exponents < 1.0)).all()


def test_monte_carlo_spreads_are_intervals_around_their_centre():
    spreads = load_table("monte_carlo_spreads")
    assert spreads["input"].is_unique and "mfu" not in set(spreads["input"])
    assert (spreads["quoted_p5"] <= spreads["quoted_p95"]).all()
    assert set(spreads["applies_to"]) <= {"value", "excess"}
    ratios = spreads["quoted_p95"] / spreads["quoted_p5"]
    assert ratios.between(1.0, 10.0).all()


def _edited(table, edit, tmp_path, monkeypatch):
    """Point the loader at an edited copy of data/<table>.csv and reload the caches."""
    from scaling import data

    original = data.data_path(f"{table}.csv")
    copy = tmp_path / f"{table}.csv"
    frame = pd.read_csv(original, keep_default_na=False, dtype=str)
    edit(frame)
    frame.to_csv(copy, index=False)
    monkeypatch.setattr(data, "data_path", lambda name: copy if name == f"{table}.csv"
                        else original.parent / name)
    data.reload()


def _set(column, value, **where):
    def edit(frame):
        mask = np.ones(len(frame), dtype=bool)
        for key, wanted in where.items():
            mask &= frame[key] == wanted
        assert mask.sum() == 1
        frame.loc[mask, column] = value
    return edit


@pytest.fixture
def restore_tables():
    from scaling import data

    yield
    data.reload()


def test_an_edited_law_table_changes_the_answer_after_reload(tmp_path, monkeypatch,
                                                             restore_tables):
    import scaling
    from scaling import data, laws

    before = laws.chinchilla_loss(1e9, 2e10)
    _edited("law_parameters", _set("E_nats_per_token", "2.0", law="besiroglu2024"), tmp_path,
            monkeypatch)
    assert scaling.LAW_PARAMETERS["besiroglu2024"]["E"] == 2.0
    assert laws.chinchilla_loss(1e9, 2e10) == pytest.approx(before - 1.8172 + 2.0, rel=1e-12)
    monkeypatch.undo()
    data.reload()
    assert laws.chinchilla_loss(1e9, 2e10) == before


def test_edited_kaplan_and_decay_tables_change_the_answer_after_reload(tmp_path, monkeypatch,
                                                                       restore_tables):
    from scaling import laws

    loss = laws.kaplan_loss(1e9, 1e10)
    tokens = laws.effective_tokens(1e11, 1e10)
    _edited("kaplan2020", _set("d_c_tokens", "1e14", constants="summary"), tmp_path,
            monkeypatch)
    assert laws.KAPLAN2020["summary"]["d_c"] == 1e14
    assert laws.kaplan_loss(1e9, 1e10) > loss
    monkeypatch.undo()
    _edited("muennighoff2023_decay", _set("r_star_tokens_epochs", "1.0",
                                          r_star_params="5.309743"), tmp_path, monkeypatch)
    assert laws.effective_tokens(1e11, 1e10) < tokens


def test_edited_monte_carlo_tables_change_the_answer_after_reload(tmp_path, monkeypatch,
                                                                  restore_tables):
    import scaling
    from scaling import uncertainty

    _edited("monte_carlo_spreads", _set("quoted_p95", "3.0", input="pue"), tmp_path,
            monkeypatch)
    assert scaling.DEFAULT_UNCERTAINTY["pue"].p95_ratio == 3.0
    assert uncertainty.uncertainty_spec(True)["pue"].p95_ratio == 3.0
    monkeypatch.undo()
    _edited("law_prior", _set("alpha_se", "0.05", beta_se="0.02"), tmp_path, monkeypatch)
    assert uncertainty.LAW_PRIOR["alpha_se"] == 0.05


def test_edited_reliability_tables_change_the_answer_after_reload(tmp_path, monkeypatch,
                                                                  restore_tables):
    from scaling import checkpointing, reliability
    from scaling.studies import reliability as study

    mtbf = reliability.mtbf_s(16384)
    _edited("reliability", _set("interruptions", "150", study="llama3_405b",
                                component="Faulty GPU"), tmp_path, monkeypatch)
    assert reliability.LLAMA3_INTERRUPTIONS["unexpected_interruptions"] == 421
    assert reliability.DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR == 421 / (54 * 24 * 16384)
    assert reliability.mtbf_s(16384) == pytest.approx(mtbf * 419 / 421, rel=1e-12)
    assert reliability.ReliabilityAssumptions().failure_rate_per_accelerator_hour == (
        421 / (54 * 24 * 16384))
    monkeypatch.undo()
    _edited("reliability", _set("rate_per_accelerator_hour", "1e-5", study="meta_rsc2"),
            tmp_path, monkeypatch)
    assert reliability.FAILURE_RATES["meta_rsc2"][0] == 1e-5
    assert study.SENSITIVITY_RANGES["failure_rate_per_accelerator_hour"][0] == 1e-5
    monkeypatch.undo()
    goodput = checkpointing.restart_goodput(mtbf, 60.0)
    _edited("resilience", _set("restart_time_s", "100.0", key="flashrecovery2025"), tmp_path,
            monkeypatch)
    assert checkpointing.DEFAULT_RESTART_TIME_S == 100.0
    assert checkpointing.restart_goodput(mtbf, 60.0) > goodput
    assert reliability.ReliabilityAssumptions().restart_s == 100.0
