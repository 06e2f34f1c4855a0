"""Dates in range (issue 16, item 4): a chip is not used before its release, a date before the
dated data is refused, a date beyond the trends' horizon warns, and every interval of a trend
fit is ordered (lower <= central <= upper) whatever the year."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scaling
from scaling import dates, trends
from scaling.data import load_table
from scaling.errors import ExtrapolationWarning, InfeasibleRunError
from scaling.studies import outlook
from scaling.studies import trends as trend_tables

H100 = "H100-SXM"


def _run(accelerator, as_of):
    return scaling.estimate_run(1e23, accelerator=accelerator, n_accelerators=1024,
                                assumptions=scaling.Assumptions(as_of=as_of))


# --------------------------------------------------------------------------------------------
# a chip used before its release date
# --------------------------------------------------------------------------------------------

def test_a_chip_used_before_its_release_date_is_refused_naming_the_date():
    # Issue 16: "a B300 used in 2015" was priced and run.
    with pytest.raises(InfeasibleRunError) as info:
        _run("B300", 2015)
    message = str(info.value)
    assert message.startswith("as_of=2015 (2015-01-01)")  # the argument first (the CLI's flag)
    assert "before B300 was released (2025-08-22)" in message
    assert "as_of from 2025-08-22 on" in message and "as_of=None" in message


def test_a_chip_on_its_release_date_runs():
    released = scaling.accelerator(H100).release_date
    assert _run(H100, released).time_days > 0


def test_a_projected_chip_is_refused_before_its_year_and_usable_from_1_january():
    # Issue 16: "a 2030 projected chip can be bought in 2024".
    with pytest.raises(InfeasibleRunError, match=r"before typical-2030 exists \(projected for "
                                                 r"2030, usable from 2030-01-01\)"):
        _run("typical-2030", 2024)
    # The package prices a site of year Y at as_of=Y (1 January) with typical-Y chips.
    assert _run("typical-2030", 2030).hardware_capex_usd > 0


def test_the_release_check_is_the_chains_door_for_every_entry_point():
    dated = scaling.Assumptions(as_of=2020)
    with pytest.raises(InfeasibleRunError, match="before H100-SXM was released"):
        scaling.forecast([7e10], accelerator=H100, n_accelerators=1024, assumptions=dated)
    with pytest.raises(InfeasibleRunError, match="before H100-SXM was released"):
        scaling.forecast_for_deadline([7e10], deadline_s=1e7, accelerator=H100,
                                      assumptions=dated)
    with pytest.raises(InfeasibleRunError, match="before GB200 was released"):
        scaling.estimate_run(1e24, cluster="stargate-abilene", assumptions=dated)


def test_without_a_date_nothing_changes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        undated = _run("B300", None)
        projected = _run("typical-2030", None)
    assert undated.time_days > 0 and projected.time_days > 0


# --------------------------------------------------------------------------------------------
# a date before the earliest data
# --------------------------------------------------------------------------------------------

def test_a_date_before_the_earliest_data_is_refused_naming_the_range():
    # Issue 16: "as_of=1950 runs an H100 that rents for $1.9M an hour".
    for when in (1950, 1800, "2014-12-31"):
        with pytest.raises(ValueError) as info:
            scaling.Assumptions(as_of=when)
        message = str(info.value)
        assert message.startswith("as_of must be a date between 2015 and 2200")
        assert "2015 is the first year of the dated data" in message
        assert "electricity price, PPI and CPI tables" in message
    assert scaling.Assumptions(as_of=2015).as_of == 2015.0


def test_the_data_range_is_the_range_of_the_dated_tables():
    years = [load_table(name)["year"] for name in ("electricity_prices", "ppi_data_processing",
                                                   "cpi_us")]
    assert dates.FIRST_DATA_YEAR == max(int(y.min()) for y in years)
    assert dates.LAST_DATA_YEAR == min(int(y.max()) for y in years)
    releases = [scaling.accelerator(name).release_year
                for name in scaling.list_accelerators()["name"]]
    assert dates.FIRST_DATA_YEAR <= min(releases)
    assert math.floor(max(releases)) == dates.LAST_DATA_YEAR


def test_frontier_compute_trend_before_its_data_is_refused():
    with pytest.raises(ValueError, match=r"years must be from 2010 on, the first year of the "
                                         r"data of the frontier training compute trend "
                                         r"\(2010-2024\).*got 1950"):
        outlook.frontier_compute_trend([1950])


def test_a_hardware_trend_before_its_first_chip_is_refused():
    fit = trends.hardware_trends().fit("peak_flop_per_s")
    with pytest.raises(ValueError, match="year must be from 2018 on"):
        fit.predict(2017.9)
    assert len(fit.predict(2018.0)) == 1
    # the typical accelerator starts where every trend has data (the first priced chip, 2020)
    with pytest.raises(ValueError, match="between 2020 .from then on every trend has data"):
        trends.typical_accelerator(2019)
    assert trends.typical_accelerator(2020).price_usd > 0


# --------------------------------------------------------------------------------------------
# a date beyond the trends' horizon
# --------------------------------------------------------------------------------------------

def test_the_horizon_is_the_last_data_year_plus_the_span_of_the_records():
    assert dates.HORIZON_YEAR == dates.LAST_DATA_YEAR + dates.EXTRAPOLATION_SPAN_YEARS == 2040
    assert trends.MAX_TREND_YEAR == dates.HORIZON_YEAR  # the typical accelerator's last year
    periods = load_table("published_trends").set_index("quantity")["period"]
    first, last = (int(y) for y in periods["ml_hardware_value_depreciation"].split("-"))
    assert last - first == dates.EXTRAPOLATION_SPAN_YEARS


def test_a_date_beyond_the_horizon_warns_naming_it():
    # Issue 16: "as_of=2199 values 1,024 H100 at about 1e-17 USD".
    with pytest.warns(ExtrapolationWarning) as record:
        run = _run(H100, 2199)
    assert len(record) == 1
    message = str(record[0].message)
    assert message.startswith("as_of=2199 is beyond the end of 2040, the horizon")
    assert "data to 2025 plus 15 years" in message
    assert record[0].filename == __file__  # the user's line, not the package's
    assert run.hardware_capex_usd < 1e-10  # still answered: a warning, not a refusal


def test_dates_up_to_the_end_of_the_horizon_year_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaling.Assumptions(as_of="2040-12-31")
        outlook.frontier_compute_trend(range(2010, 2041))
        trends.hardware_trends().fit("memory_bytes").predict([2018.0, 2040.9])


def test_a_date_past_the_end_of_the_readable_range_is_refused():
    # The choice for "absurdly far out": after 2200 (dates.YEAR_RANGE) a date is refused.
    with pytest.raises(ValueError, match="as_of must be a date between 2015 and 2200"):
        scaling.Assumptions(as_of=2201)


def test_trends_beyond_the_horizon_warn_naming_it():
    with pytest.warns(ExtrapolationWarning, match="years=2050 is beyond the end of 2040, the "
                                                  "horizon of the frontier training compute"):
        outlook.frontier_compute_trend([2030, 2050])
    fit = trends.hardware_trends().fit("peak_flop_per_s_per_usd")
    with pytest.warns(ExtrapolationWarning, match="year=2041.5 is beyond the end of 2040") as record:
        fit.predict(2041.5)
    assert len(record) == 1
    with pytest.raises(ValueError, match="between 2020 .* and 2040"):
        trends.typical_accelerator(2041)  # no chip is built beyond the horizon


# --------------------------------------------------------------------------------------------
# intervals from trend fits are ordered
# --------------------------------------------------------------------------------------------

def _ordered(low, mid, high):
    low, mid, high = (np.asarray(v, dtype=float) for v in (low, mid, high))
    return bool(np.all(low <= mid) and np.all(mid <= high))


def test_the_frontier_trend_interval_before_its_anchor_is_ordered():
    # Issue 16: frontier_compute_trend([1950]) gave a lower end above the upper end; before
    # the 2024 anchor the 5x curve is the lower one.
    row = outlook.frontier_compute_trend([2015]).iloc[0]
    assert row["compute_flop_ci_lower"] < row["compute_flop"] < row["compute_flop_ci_upper"]


@pytest.mark.filterwarnings("ignore::scaling.errors.ExtrapolationWarning")
@settings(max_examples=80, deadline=None)
@given(years=st.lists(st.integers(2010, 2200), min_size=1, max_size=5))
def test_frontier_compute_trend_intervals_are_ordered_in_every_year(years):
    table = outlook.frontier_compute_trend(years)
    assert _ordered(table["compute_flop_ci_lower"], table["compute_flop"],
                    table["compute_flop_ci_upper"])


@pytest.mark.filterwarnings("ignore::scaling.errors.ExtrapolationWarning")
@settings(max_examples=80, deadline=None)
@given(share=st.floats(0.0, 1.0), quantity=st.sampled_from(trends.QUANTITIES),
       basis=st.sampled_from(trends.BASES), level=st.floats(0.5, 0.99))
def test_hardware_trend_prediction_intervals_are_ordered_in_every_year(share, quantity, basis,
                                                                       level):
    fit = trends.hardware_trends().fit(quantity)
    first = math.floor(fit.year_min)  # the first year of its data (earlier is refused)
    year = first + share * (dates.YEAR_RANGE[1] - first)
    table = fit.predict(year, basis=basis, level=level)
    assert _ordered(table["lower"], table["estimate"], table["upper"])


@settings(max_examples=200, deadline=None)
@given(bounds=st.lists(st.floats(-0.5, 0.5), min_size=3, max_size=3))
def test_doubling_time_intervals_are_ordered_whatever_the_slope_interval(bounds):
    low, slope, high = sorted(bounds)
    lower, upper = trends.doubling_interval(slope, low, high)
    central = math.inf if slope == 0 else math.log10(2.0) / slope
    assert lower <= central <= upper


def test_fitted_doubling_time_intervals_are_ordered():
    for fit in trends.hardware_trends().fits:
        low, high = fit.doubling_time_ci_years
        assert low <= fit.doubling_time_years <= high


def test_typical_accelerator_bands_hold_the_central_chip():
    table = trend_tables.typical_accelerator_table([2025, 2030, 2040], n=500, seed=0)
    assert _ordered(table["lower"], table["central"], table["upper"])
