"""No shared mutable state reachable by a caller (issue 17, item 5).

Mutating any frame, array or mapping a public getter returns leaves the next call's answer
unchanged; and :func:`scaling.data.reload` after editing a ``data/*.csv`` changes the answers
that depend on it (the tables are read from a copy of ``data/`` in a temporary folder).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scaling
from scaling import data, laws, reliability, rental, uncertainty, valuation

H100 = "H100-SXM"


def _dated_cost():
    return scaling.estimate_run(1e24, accelerator=H100, n_accelerators=4096,
                                assumptions=scaling.Assumptions(as_of=2025.0)
                                ).amortized_cost_usd


def _run():
    return scaling.estimate_run(1e24, accelerator=H100, n_accelerators=4096, n_params=7e10)


def _mutate_frame(frame):
    numeric = frame.select_dtypes("number").columns
    try:
        frame[numeric] /= 1000.0
    except Exception:
        pass
    try:
        frame.iloc[:, 0] = None
    except Exception:
        pass
    frame.columns = [f"{c}_renamed" for c in frame.columns]   # relabelled in place


#: (name, getter of a frame) whose frames callers may change.
FRAMES = [
    ("list_accelerators", scaling.list_accelerators),
    ("list_clusters", scaling.list_clusters),
    ("price_history", valuation.price_history),
    ("rental_quotes", rental.rental_quotes),
    ("rental_quotes[H100]", lambda: rental.rental_quotes(H100)),
    ("fit_rental_decline.coefficients", lambda: rental.fit_rental_decline().coefficients),
    ("load_table", lambda: data.load_table("accelerators")),
    ("RunEstimate.to_frame", lambda: _run().to_frame()),
    ("Forecast.frame", lambda: scaling.forecast(7e10, accelerator=H100,
                                                n_accelerators=1024).frame),
    ("Forecast.to_frame", lambda: scaling.forecast(7e10, accelerator=H100,
                                                   n_accelerators=1024).to_frame()),
    ("backtest.frame", lambda: scaling.backtest().to_frame()),
]


@pytest.mark.parametrize("name, getter", FRAMES, ids=[f[0] for f in FRAMES])
def test_changing_a_returned_frame_changes_nothing_else(name, getter):
    before = getter().copy()
    cost_before = _dated_cost()
    _mutate_frame(getter())
    pd.testing.assert_frame_equal(getter(), before)
    assert _dated_cost() == cost_before


def test_dividing_the_price_history_does_not_make_later_runs_cheaper():
    before = _dated_cost()
    prices = valuation.price_history()
    prices["price_usd"] /= 1000.0
    assert _dated_cost() == before


def _try(action):
    try:
        action()
    except (TypeError, AttributeError, ValueError):
        pass   # refused: read-only


#: (name, getter of a mapping) of published constants and cached results.
MAPPINGS = [
    ("LAW_PARAMETERS", lambda: scaling.LAW_PARAMETERS),
    ("LAW_PARAMETERS[law]", lambda: scaling.LAW_PARAMETERS[laws.DEFAULT_LAW]),
    ("DEFAULT_UNCERTAINTY", lambda: scaling.DEFAULT_UNCERTAINTY),
    ("FAILURE_RATES", lambda: reliability.FAILURE_RATES),
    ("LLAMA3_INTERRUPTIONS", lambda: reliability.LLAMA3_INTERRUPTIONS),
    ("LAW_PRIOR", lambda: uncertainty.LAW_PRIOR),
    ("acquisition_price", lambda: valuation.acquisition_price(H100)),
    ("step_time.memory_bytes", lambda: _run().step_time.memory_bytes),
    ("step_time.breakdown_s", lambda: _run().step_time.breakdown_s),
    ("throughput.step_time.memory_bytes", lambda: _run().throughput.step_time.memory_bytes),
    ("plan_parallelism.memory_bytes", lambda: scaling.plan_parallelism(
        "Llama 3 70B", H100, 1024).memory_bytes),
    ("chain_prices", lambda: valuation.chain_prices(scaling.accelerator(H100),
                                                    scaling.Assumptions())),
    ("price_index", lambda: valuation.price_index("ppi")),
]


def _snapshot(mapping):
    return {k: (dict(v) if hasattr(v, "items") else v) for k, v in mapping.items()}


@pytest.mark.parametrize("name, getter", MAPPINGS, ids=[m[0] for m in MAPPINGS])
def test_changing_a_returned_mapping_changes_nothing_else(name, getter):
    before = _snapshot(getter())
    mapping = getter()
    key = next(iter(mapping))
    _try(lambda: mapping.clear())
    _try(lambda: mapping.__setitem__(key, None))
    _try(lambda: mapping.pop(key))
    assert _snapshot(getter()) == before


#: (name, getter of an array) cached arrays.
ARRAYS = [
    ("RunEstimate.time_s", lambda: scaling.estimate_run(
        [1e23, 1e24], accelerator=H100, n_accelerators=4096).time_s),
    ("Accelerator fields", lambda: np.asarray([scaling.accelerator(H100).memory_bytes])),
]


@pytest.mark.parametrize("name, getter", ARRAYS, ids=[a[0] for a in ARRAYS])
def test_changing_a_returned_array_changes_nothing_else(name, getter):
    before = np.array(getter(), copy=True)
    array = getter()
    _try(lambda: array.__setitem__(slice(None), 0.0))
    np.testing.assert_array_equal(getter(), before)


def test_run_estimate_and_its_plan_are_immutable():
    run = _run()
    with pytest.raises((AttributeError, TypeError)):
        run.time_s = 0.0
    with pytest.raises(TypeError):
        run.step_time.memory_bytes["weights"] = 0.0
    assert _run().step_time.memory_bytes == run.step_time.memory_bytes


# ---------------------------------------------------------------------------------------
# reload() after editing each table
# ---------------------------------------------------------------------------------------

@pytest.fixture
def tables(tmp_path, monkeypatch):
    """A copy of data/ that data.load_table and data.load_rows read; reload()ed after."""
    folder = tmp_path / "data"
    shutil.copytree(data.data_path("accelerators.csv").parent, folder)
    monkeypatch.setattr(data, "data_path", lambda filename: folder / filename)
    data.reload()
    yield folder
    monkeypatch.undo()
    data.reload()


def _scale_column(folder: Path, table: str, column: str, factor: float, where=None):
    path = folder / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows = frame.index if where is None else frame.index[where(frame)]
    for row in rows:
        text = frame.at[row, column]
        if text.strip().isdigit():      # a whole number stays one (a count, a width)
            frame.at[row, column] = str(int(text) * int(factor))
        elif text.strip():
            frame.at[row, column] = repr(float(text.replace("_", "")) * factor)
    frame.to_csv(path, index=False)


def _forecast_value(column, **kwargs):
    return float(scaling.forecast(7e10, accelerator=H100, n_accelerators=4096,
                                  **kwargs).frame[column].iloc[0])


#: table -> (column scaled by 3, answer that depends on it).
DEPENDENTS = {
    "accelerators": ("tdp_w", lambda: _run().energy_j),
    "accelerator_prices": ("price_usd", _dated_cost),
    "cloud_prices": ("usd_per_hour", lambda: rental.rental_quotes(H100)["usd_per_hour"].sum()),
    "law_parameters": ("E_nats_per_token", lambda: scaling.chinchilla_loss(7e10, 1.4e12)),
    "reliability": ("rate_per_accelerator_hour",
                    lambda: reliability.FAILURE_RATES[list(reliability.FAILURE_RATES)[-1]][0]),
    "monte_carlo_spreads": (None, lambda: repr(scaling.DEFAULT_UNCERTAINTY)),
    "electricity_prices": (None, lambda: scaling.estimate_run(
        1e24, accelerator=H100, n_accelerators=4096,
        assumptions=scaling.Assumptions(as_of=2024.0)).energy_cost_usd),
    "grid_carbon_intensity": (None, lambda: _run().emissions_tco2e),
    "clusters": ("n_accelerators", lambda: scaling.cluster("llama3-16k").n_accelerators),
    "ppi_data_processing": ("ppi_index", lambda: sum(valuation.price_index("ppi").values())),
    "cpi_us": ("cpi_u_index", lambda: valuation.dollar_factor(2020.0, dollars=2023,
                                                               deflator="cpi")),
    "committed_use_discounts": ("discount_1yr",
                                lambda: scaling.cost.committed_use_discount("1yr", "aws")),
    "mfu_defaults": ("mfu", lambda: scaling.accelerator(H100).default_mfu),
    "run_efficiency": ("run_efficiency", lambda: scaling.efficiency.resolve_run_efficiency(
        "median_published_run")),
    "rack_power": ("rack_power_w", lambda: scaling.clusters.default_rack_power_w("liquid")),
    "resilience": ("restart_time_s", lambda: scaling.chain.setup(
        scaling.clusters.as_machine("llama3-16k"), scaling.Assumptions()).constants[
            "restart_time_s"]),
    "reference_runs": ("compute_flop",
                       lambda: scaling.studies.systems.reference_compute_flop()),
    "batch_size_laws": ("value", lambda: scaling.batch_size.global_batch_tokens(
        1e24, "kaplan2020_critical")),
    "law_prior": ("E_se_nats_per_token", lambda: repr(dict(scaling.uncertainty.LAW_PRIOR))),
    "limits": ("tokens", lambda: scaling.budget.data_stock_tokens()),
    "kaplan2020": ("n_c_params", lambda: repr(dict(scaling.laws.KAPLAN2020))),
    "muennighoff2023_decay": ("r_star_params",
                              lambda: repr(dict(scaling.laws.MUENNIGHOFF2023_DECAY))),
    "published_trends": ("doubling_time_years", lambda: repr(
        scaling.studies.trends.published_doubling_times().to_dict())),
    "system_benchmarks": ("flop_per_s",
                          lambda: repr(scaling.studies.systems.reported_benchmarks())),
    "parallel_benchmarks": ("global_batch_tokens", lambda: float(
        scaling.studies.calibration.parallel_benchmarks()["global_batch_tokens"].sum())),
    "model_configs": ("n_layers", lambda: scaling.model_shape.as_model_shape(
        "Llama 3 8B").n_layers),
    "llm_foundry_benchmarks": ("global_batch_tokens", lambda: float(
        data.load_table("llm_foundry_benchmarks")["global_batch_tokens"].sum())),
    "maxtext_benchmarks": ("global_batch_tokens", lambda: float(
        data.load_table("maxtext_benchmarks")["global_batch_tokens"].sum())),
    "training_runs": ("compute_flop", lambda: float(
        scaling.studies.backtesting._runs_table(None)["compute_flop"].sum())),
}
#: Tables no library answer reads (sourced reference, checked by their own tests and quoted in
#: docstrings and prose), so editing them changes no answer by design.
REFERENCE_ONLY = ("facility_capex", "pue", "reported_emissions")
#: Factor a column is scaled by (3 unless a fraction must stay a fraction).
FACTORS = {"committed_use_discounts": 0.5, "mfu_defaults": 0.5, "run_efficiency": 0.5}


def _first_numeric_column(folder, table):
    frame = pd.read_csv(folder / f"{table}.csv")
    numeric = [c for c in frame.select_dtypes("number").columns
               if c not in ("year", "n_accelerators") and frame[c].notna().any()]
    return numeric[-1] if numeric else None


@pytest.mark.parametrize("table", sorted(DEPENDENTS))
def test_reload_after_editing_a_table_changes_its_answers(tables, table):
    column, answer = DEPENDENTS[table]
    before = answer()
    column = column or _first_numeric_column(tables, table)
    _scale_column(tables, table, column, FACTORS.get(table, 3.0))
    data.reload()
    after = answer()
    assert not np.all(np.asarray(after) == np.asarray(before)), (
        f"editing data/{table}.csv ({column}) and reload() left the answer at {before}")


def test_every_data_table_is_reload_tested_or_reference_only():
    names = {path.stem for path in data.data_path("accelerators.csv").parent.glob("*.csv")}
    assert names == set(DEPENDENTS) | set(REFERENCE_ONLY)
