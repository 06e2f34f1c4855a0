"""The what-if explorer (scaling.apps.explorer) and its charts (scaling.plots.explore)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

import scaling
import scaling.plots.explore as explore_plots
from scaling.apps import explorer
from scaling.studies import explorer as explorer_tables
from scaling import reliability
from scaling.errors import InfeasibleRunError

H100 = "H100-SXM"


def test_what_if_is_the_chain_run():
    w = explorer.what_if(7e10, n_tokens=1.4e12, accelerator=H100, n_accelerators=1024,
                         mfu=0.4, pue=1.2, restart_time_s=60.0)
    a = scaling.Assumptions(mfu=0.4, pue=1.2).replace(restart_time_s=60.0)
    run = scaling.estimate_run(6 * 7e10 * 1.4e12, accelerator=H100, n_accelerators=1024,
                               n_params=7e10, assumptions=a)
    assert w.time_days == pytest.approx(run.time_days, rel=1e-12)
    assert w.energy_mwh == pytest.approx(run.energy_mwh, rel=1e-12)
    assert w.amortized_cost_usd == pytest.approx(run.amortized_cost_usd, rel=1e-12)
    assert w.rental_cost_usd == pytest.approx(run.rental_cost_usd, rel=1e-12)
    # the capex by component adds up to the chain's hardware and facility capex
    parts = w.chips_usd + w.servers_usd + w.network_usd + w.facility_usd
    assert parts == pytest.approx(run.hardware_capex_usd + run.facility_capex_usd, rel=1e-12)
    table = w.cost_breakdown()
    assert list(table["part"].unique()) == list(explorer.COST_PARTS)
    assert set(w.summary().index) == {"time_days", "facility_power_w", "energy_mwh",
                                      "amortized_cost_usd", "rental_cost_usd"}


def test_what_if_budget_is_split_compute_optimally():
    w = explorer.what_if(compute_flop=1e24, cluster="llama3-16k")
    n, d = scaling.compute_optimal(1e24)
    assert w.n_params == pytest.approx(n) and w.n_tokens == pytest.approx(d)
    assert w.n_accelerators == scaling.cluster("llama3-16k").n_accelerators
    with pytest.raises(ValueError, match="compute_flop alone"):
        explorer.what_if(7e10, compute_flop=1e24, cluster="llama3-16k")
    with pytest.raises(ValueError, match="n_params .* or compute_flop"):
        explorer.what_if(cluster="llama3-16k")


def test_what_if_overrides_prices_and_keeps_nan_money_without_them():
    no_rent = explorer.what_if(7e10, accelerator="GB200", n_accelerators=72)
    assert math.isnan(no_rent.rental_cost_usd) and no_rent.amortized_cost_usd > 0
    rented = explorer.what_if(7e10, accelerator="GB200", n_accelerators=72,
                              rental_usd_per_hour=6.0)
    assert rented.rental_cost_usd == pytest.approx(
        6.0 * rented.accelerator_hours * scaling.Assumptions().prices.discounted_usd_per_hour(1.0))
    unpriced = explorer.what_if(7e10, accelerator="TPU-v7", n_accelerators=256)
    assert math.isnan(unpriced.chips_usd) and math.isnan(unpriced.amortized_cost_usd)
    assert unpriced.time_days > 0


def test_what_if_refuses_impossible_runs_in_the_users_terms():
    with pytest.raises(InfeasibleRunError, match="no parallel plan"):
        explorer.what_if(1e14, accelerator=H100, n_accelerators=64)
    with pytest.raises(ValueError, match="n_accelerators must be a whole number"):
        explorer.what_if(7e10, accelerator=H100, n_accelerators=10.5)


def test_mfu_slider_rescaling_is_exact():
    """The MFU chart rescales time and cost by MFU_0 G_0 / (MFU G_fixed) in the browser."""
    sizes = [1e10, 1e11, 1e12]
    table = explorer_tables.size_sweep(sizes, ["llama3-16k", "frontier"])
    at_03 = explorer_tables.size_sweep(sizes, ["llama3-16k", "frontier"],
                                assumptions=scaling.Assumptions(mfu=0.3))
    for quantity in ("time_days", "amortized_cost_usd", "rental_cost_usd"):
        expected = (table[quantity] * table["mfu"] * table["goodput"]
                    / (0.3 * table["goodput_at_fixed_mfu"]))
        np.testing.assert_allclose(at_03[quantity], expected, rtol=1e-9, equal_nan=True)


def test_goodput_grid_is_the_reliability_table():
    grid = explorer_tables.goodput_grid([1024, 16384], restart_times_s=[0.0, 150.0],
                                 failure_rate_multipliers=[1.0, 2.0])
    assert len(grid) == 8
    row = grid.query("n_accelerators == 16384 and restart_time_s == 150 and "
                     "failure_rate_multiplier == 2").iloc[0]
    assert row["goodput"] == pytest.approx(reliability.job_goodput(
        16384, failure_rate_per_accelerator_hour=2 * reliability.
        DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR, restart_time_s=150.0)[2])
    with pytest.raises(ValueError, match="n_accelerators must be a whole number"):
        explorer_tables.goodput_grid([10.5], restart_times_s=[0.0], failure_rate_multipliers=[1.0])


def _bound(chart) -> list[dict]:
    spec = chart.to_dict()
    found = []

    def walk(node):
        if isinstance(node, dict):
            for param in node.get("params", []) or []:
                if isinstance(param.get("bind"), dict):
                    found.append(param)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def test_slider_charts_bind_parameters_to_inputs():
    table = explorer_tables.size_sweep([1e10, 1e11], "llama3-16k")
    mfu = _bound(explore_plots.mfu_slider_chart(table, mfu=0.35))
    assert [p["name"] for p in mfu] == [explore_plots.MFU_PARAM]
    assert mfu[0]["bind"]["input"] == "range" and mfu[0]["value"] == 0.35
    grid = explorer_tables.goodput_grid([1024, 16384, 100_000], restart_times_s=[0.0, 30.0, 60.0],
                                 failure_rate_multipliers=[0.5, 1.0, 2.0])
    goodput = _bound(explore_plots.goodput_slider_chart(grid, restart_time_s=40.0))
    names = {p["name"]: p for p in goodput}
    assert set(names) == {explore_plots.RESTART_PARAM, explore_plots.FAILURE_PARAM}
    assert names[explore_plots.RESTART_PARAM]["value"] == 30.0  # the nearest grid value
    assert names[explore_plots.RESTART_PARAM]["bind"]["input"] == "range"
    # 0.5, 1, 2 are not evenly spaced: a drop-down of exactly those values
    assert names[explore_plots.FAILURE_PARAM]["bind"]["input"] == "select"
    with pytest.raises(ValueError, match="quantity"):
        explore_plots.mfu_slider_chart(table, quantities=["time_day"])


def test_slider_charts_render_with_vl_convert():
    import vl_convert

    table = explorer_tables.size_sweep([1e10, 1e11], "llama3-16k")
    grid = explorer_tables.goodput_grid([1024, 16384], restart_times_s=[0.0, 150.0],
                                 failure_rate_multipliers=[1.0, 2.0])
    w = explorer.what_if(7e10, accelerator="GB200", n_accelerators=72)
    for chart in (explore_plots.mfu_slider_chart(table), explore_plots.goodput_slider_chart(grid),
                  explore_plots.run_cost_chart(w.cost_breakdown())):
        assert vl_convert.vegalite_to_svg(chart.to_json()).startswith("<svg")


def test_widget_redraws_and_explains_impossible_settings():
    pytest.importorskip("ipywidgets")
    box = explorer.widget(n_params=7e10, accelerator=H100, n_accelerators=1024, mfu=0.4)
    controls = {c.description: c for c in box.children[:-1]}
    out = box.children[-1]
    assert controls["MFU"].value == "fixed"
    controls["accelerators [count]"].value = 2048
    assert out.outputs, "the output area was not redrawn"
    controls["MFU"].value = "chain"      # the step-time model: the model must fit in memory
    controls["accelerators [count]"].value = 64
    controls["model size [parameters]"].value = 1e14     # on 64 H100
    texts = " ".join(o.get("text", "") for o in out.outputs if o.get("output_type") == "stream")
    assert "InfeasibleRunError" in texts and "no parallel plan" in texts


def test_what_if_is_a_result_with_the_base_summary():
    w = explorer.what_if(7e10, accelerator=H100, n_accelerators=1024, mfu=0.4)
    assert isinstance(w, scaling.results.Result)
    assert "summary" not in vars(explorer.WhatIf)  # the base's, from the marked fields
    assert list(w.summary()["unit"]) == ["days", "W", "MWh", "USD", "USD"]
    frame = w.to_frame()
    assert len(frame) == 1 and "run" not in frame.columns and frame["n_accelerators"][0] == 1024


def test_run_cost_chart_takes_the_table():
    w = explorer.what_if(7e10, accelerator="GB200", n_accelerators=72)
    spec = str(explore_plots.run_cost_chart(w.cost_breakdown()).to_dict())
    assert "no catalog price for: this run, rented" in spec
    with pytest.raises(ValueError, match="table must be a pandas.DataFrame .*cost_breakdown"):
        explore_plots.run_cost_chart(w)


def _shown(box) -> str:
    """What the widget's output area shows: the summary's text, or the error it printed."""
    (first, *_) = box.children[-1].outputs
    return first["data"]["text/plain"] if "data" in first else first["text"]


def _controls(box) -> dict:
    return {c.description: c for c in box.children[:-1]}


def _summary(**machine) -> str:
    return repr(explorer.what_if(7e10, **machine).summary())


def test_widget_names_the_machine_as_what_if_does():
    pytest.importorskip("ipywidgets")
    box = explorer.widget(n_params=7e10, cluster="llama3-16k")
    controls = _controls(box)
    assert controls["machine"].value == "cluster"
    assert controls["accelerators [count]"].value == 16384  # the cluster's own
    assert _shown(box) == _summary(cluster="llama3-16k")
    controls["accelerators [count]"].value = 8192  # part of the cluster
    assert _shown(box) == _summary(cluster="llama3-16k", n_accelerators=8192)
    controls["cluster"].value = "frontier"  # the count follows the new cluster
    assert controls["accelerators [count]"].value == 37632
    assert _shown(box) == _summary(cluster="frontier")
    controls["machine"].value = "accelerator"
    controls["accelerator"].value = H100
    controls["accelerators [count]"].value = 1024
    assert _shown(box) == _summary(accelerator=H100, n_accelerators=1024)
    controls["machine"].value = "cluster"  # back to the cluster, with its own count
    assert _shown(box) == _summary(cluster="frontier")


def test_widget_starts_on_any_of_the_three_names():
    pytest.importorskip("ipywidgets")
    chips = explorer.widget(n_params=7e10, accelerator="GB200", n_accelerators=72)
    assert _controls(chips)["machine"].value == "accelerator"
    assert _shown(chips) == _summary(accelerator="GB200", n_accelerators=72)
    mine = replace(scaling.cluster("frontier"), name="mine", pue=1.3)
    given = explorer.widget(n_params=7e10, cluster=mine)
    assert _controls(given)["cluster"].value is mine
    assert _shown(given) == _summary(cluster=mine)
    typical = explorer.widget(n_params=7e10, accelerator="typical-2030", n_accelerators=4096)
    assert _shown(typical) == _summary(accelerator="typical-2030", n_accelerators=4096)
    default = explorer.widget(n_params=7e10)
    assert _shown(default) == _summary(accelerator=H100, n_accelerators=1024)
    with pytest.raises(ValueError, match="not both"):
        explorer.widget(cluster="frontier", accelerator=H100)
    with pytest.raises(ValueError, match="n_accelerators is required"):
        explorer.widget(accelerator=H100)


def test_widget_leaves_untouched_dials_to_the_machine_and_the_date():
    pytest.importorskip("ipywidgets")
    box = explorer.widget(n_params=7e10, accelerator=H100, n_accelerators=1024)
    _controls(box)["date of the run"].value = 2023.0  # that year's electricity price
    assert _shown(box) == _summary(accelerator=H100, n_accelerators=1024, as_of=2023.0)


# issue 16 (item 7): the date dial takes what the notebook's parameters cell says it takes


@pytest.mark.parametrize("as_of, year", [(2024.5, 2024.5), ("2024-03", scaling.dates.as_year("2024-03")),
                                         ("2027", 2027.0)])
def test_what_if_reads_a_decimal_year_and_year_month(as_of, year):
    run = explorer.what_if(7e10, accelerator=H100, n_accelerators=1024, as_of=as_of)
    same = explorer.what_if(7e10, accelerator=H100, n_accelerators=1024, as_of=year)
    assert repr(run.summary()) == repr(same.summary())


@pytest.mark.parametrize("as_of, label", [(2024.5, "2024.5"), ("2024-03", "2024-03 (2024.16)"),
                                          (2030, "2030"), ("2030", "2030")])
def test_widget_date_dial_starts_on_a_decimal_year_or_year_month(as_of, label):
    pytest.importorskip("ipywidgets")
    box = explorer.widget(n_params=7e10, accelerator=H100, n_accelerators=1024, as_of=as_of)
    dial = _controls(box)["date of the run"]
    year = scaling.dates.as_year(as_of)
    assert dial.value == year and dial.label == label
    assert _shown(box) == _summary(accelerator=H100, n_accelerators=1024, as_of=year)
    years = [value for _, value in dial.options[1:]]
    assert years == sorted(years)  # the given date sits in its place among the years
    dial.value = 2023.0  # the dial still moves to the yearly options
    assert _shown(box) == _summary(accelerator=H100, n_accelerators=1024, as_of=2023.0)


@pytest.mark.parametrize("as_of, message", [("soon", "could not read 'soon'"),
                                            (1800, "between"), ("2024-13", "as_of")])
def test_widget_date_dial_refuses_what_is_not_a_date(as_of, message):
    pytest.importorskip("ipywidgets")
    with pytest.raises(ValueError, match=message):
        explorer.widget(n_params=7e10, accelerator=H100, n_accelerators=1024, as_of=as_of)
