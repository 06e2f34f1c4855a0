"""Tests of scaling.valuation: dates, hardware value at a date, constant dollars."""

from __future__ import annotations

import dataclasses
import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scaling
from scaling import dates, valuation as v

# BLS CPI-U, U.S. city average, all items, annual averages (1982-84=100), series CUUR0000SA0
# (https://www.bls.gov/cpi/): 2020 258.811, 2023 304.702.
CPI_U = pd.DataFrame({"year": [2020, 2023], "cpi": [258.811, 304.702],
                      "source": ["BLS CPI-U annual average 2020", "BLS CPI-U annual average 2023"]})


# --------------------------------------------------------------------------------------------
# as_year
# --------------------------------------------------------------------------------------------

def test_as_year_matches_accelerator_release_year_convention():
    chip = scaling.accelerator("H100-SXM")
    assert dates.as_year(chip.release_date) == pytest.approx(chip.release_year, abs=1e-12)


@pytest.mark.parametrize("value, expected", [
    (2024.5, 2024.5),
    (2030, 2030.0),
    ("2024", 2024.0),
    ("2024.25", 2024.25),
    ("2024-01-01", 2024.0),
    ("2024-03", 2024 + 60 / 365.25),            # 1 March of a leap year: day 61
    (date(2023, 7, 2), 2023 + 182 / 365.25),
    (datetime(2023, 1, 1, 12), 2023 + 0.5 / 365.25),
    ("2023-01-01T12:00", 2023 + 0.5 / 365.25),
    (np.datetime64("2024-01-01"), 2024.0),
    (pd.Timestamp("2024-01-01"), 2024.0),
])
def test_as_year_forms(value, expected):
    assert dates.as_year(value) == pytest.approx(expected, abs=1e-12)


def test_as_year_keeps_the_kind_of_collections():
    array = dates.as_year(["2020-01-01", 2021.5, date(2022, 1, 1)])
    assert isinstance(array, np.ndarray)
    np.testing.assert_allclose(array, [2020.0, 2021.5, 2022.0])
    series = dates.as_year(pd.Series(["2024", "2025-01-01"], index=["a", "b"]))
    assert isinstance(series, pd.Series) and list(series.index) == ["a", "b"]
    assert isinstance(dates.as_year(2024), float)


@pytest.mark.parametrize("bad, message", [
    ("2024-13-01", "could not read '2024-13-01'"),
    ("soon", "could not read 'soon'"),
    (None, "got None"),
    (float("nan"), "got NaN"),
    (True, "boolean"),
    (20245, "between 1950 and 2200"),
    (pd.NaT, "NaT"),
    ({"year": 2024}, "got dict"),
])
def test_as_year_refuses_bad_input_naming_the_argument(bad, message):
    with pytest.raises(ValueError, match="as_of") as info:
        dates.as_year(bad)
    assert message in str(info.value)


def test_calendar_year_and_year_to_date_round_trip():
    assert dates.calendar_year("2023-12-31") == 2023
    np.testing.assert_array_equal(dates.calendar_year([2024.99, "2025-01-01"]), [2024, 2025])
    for day in (date(2030, 7, 1), date(2024, 2, 29), date(2023, 12, 31)):
        assert dates.year_to_date(dates.as_year(day)) == day


# --------------------------------------------------------------------------------------------
# value at a date
# --------------------------------------------------------------------------------------------

def test_price_performance_value_is_cottier2024_depreciate_by_hardware_progress():
    # training-cost-trends cost_analysis_standalone.py: years = days / 365.25;
    # end = 10 ** (log10(price) - 0.14 * years). One Julian year: x 10**-0.14 = 0.7244.
    value = v.hardware_value_usd(10_000.0, 2021.0, 2020.0)
    assert value == pytest.approx(10_000.0 * 10 ** -0.14, rel=1e-12)
    assert value == pytest.approx(7244.36, abs=0.01)


def test_acquisition_anchor_follows_cottier2024_rules():
    h100 = scaling.accelerator("H100-SXM")  # released 2022-09-20, priced 2023-05
    # The price date is later than release + 90 d, so it is the anchor.
    assert v.accelerator_value_usd(h100, "2023-05-01") == pytest.approx(h100.price_usd)
    # A price dated before release + 90 days is moved to release + 90 days.
    early = dataclasses.replace(h100, price_date="2022-01")
    anchor = h100.release_year + 90 / 365.25
    assert v.accelerator_value_usd(early, anchor + 1.0) == pytest.approx(
        h100.price_usd * 10 ** -0.14, rel=1e-9)
    # Undated (TPU-equivalent) prices are anchored at release, as Epoch does for TPUs.
    tpu = scaling.accelerator("TPU-v4")
    assert tpu.price_date == ""
    assert v.accelerator_value_usd(tpu, tpu.release_year + 2.0) == pytest.approx(
        tpu.price_usd * 10 ** -0.28, rel=1e-9)


def test_value_before_the_anchor_is_held_or_extrapolated():
    assert v.hardware_value_usd(100.0, 2019.0, 2020.0) == 100.0
    assert v.hardware_value_usd(100.0, 2019.0, 2020.0, before_anchor="extrapolate") == \
        pytest.approx(100.0 * 10 ** 0.14)


def test_release_anchor_ignores_the_price_date():
    chip = scaling.accelerator("A100-SXM4-80GB")
    value = v.accelerator_value_usd(chip, chip.release_year + 1.0, anchor="release")
    assert value == pytest.approx(chip.price_usd * 10 ** -0.14, rel=1e-9)
    with pytest.raises(ValueError, match="no price_date"):
        v.accelerator_value_usd("TPU-v4", 2023.0, anchor="price_date")


def test_straight_line_and_none():
    assert v.hardware_value_usd(100.0, 2022.5, 2020.0, method="straight_line") == \
        pytest.approx(50.0)
    assert v.hardware_value_usd(100.0, 2030.0, 2020.0, method="straight_line") == 0.0
    assert v.hardware_value_usd(100.0, 2030.0, 2020.0, method="none") == 100.0


def test_value_keeps_the_kind_of_inputs():
    dates = pd.Series(["2024-01-01", "2025-01-01"], index=["run a", "run b"])
    out = v.hardware_value_usd(1000.0, dates, 2023.0)
    assert isinstance(out, pd.Series) and list(out.index) == ["run a", "run b"]
    assert out.iloc[1] < out.iloc[0]
    array = v.hardware_value_usd(np.array([1.0, 2.0]), 2025.0, 2024.0)
    assert isinstance(array, np.ndarray) and array.shape == (2,)


def test_value_refuses_bad_arguments():
    with pytest.raises(ValueError, match="unknown method .linear."):
        v.hardware_value_usd(1.0, 2024, 2023, method="linear")
    with pytest.raises(ValueError, match="did you mean 'hold'"):
        v.hardware_value_usd(1.0, 2024, 2023, before_anchor="hld")
    with pytest.raises(ValueError, match="price_usd"):
        v.hardware_value_usd(-1.0, 2024, 2023)
    with pytest.raises(ValueError, match="no purchase price"):
        v.accelerator_value_usd("B300", 2026.0)
    with pytest.raises(ValueError, match="unknown anchor"):
        v.accelerator_value_usd("H100-SXM", 2026.0, anchor="purchase")


@settings(max_examples=200, deadline=None)
@given(
    price=st.floats(1.0, 1e6),
    anchor=st.floats(2000.0, 2030.0),
    first=st.floats(1990.0, 2050.0),
    later_by=st.floats(0.0, 30.0),
    method=st.sampled_from(v.VALUATION_METHODS),
    before=st.sampled_from(v.BEFORE_ANCHOR),
    rate=st.floats(0.0, 0.5),
    life=st.floats(0.5, 10.0),
)
def test_a_later_as_of_never_makes_the_same_hardware_dearer(price, anchor, first, later_by,
                                                             method, before, rate, life):
    kwargs = dict(method=method, before_anchor=before, oom_per_year=rate, lifetime_years=life)
    early = v.hardware_value_usd(price, first, anchor, **kwargs)
    late = v.hardware_value_usd(price, min(first + later_by, 2200.0), anchor, **kwargs)
    assert late <= early * (1 + 1e-12)
    assert late >= 0.0


@settings(max_examples=50, deadline=None)
@given(first=st.floats(2020.0, 2035.0), later_by=st.floats(0.0, 10.0),
       name=st.sampled_from(["H100-SXM", "A100-SXM4-80GB", "TPU-v4", "GB200"]))
def test_catalog_accelerators_never_appreciate(first, later_by, name):
    assert v.accelerator_value_usd(name, first + later_by) <= \
        v.accelerator_value_usd(name, first) * (1 + 1e-12)


# --------------------------------------------------------------------------------------------
# constant dollars
# --------------------------------------------------------------------------------------------

def test_to_constant_usd_with_bls_cpi_u_2020_to_2023():
    # 304.702 / 258.811 = 1.17731 (BLS CPI-U annual averages).
    assert v.to_constant_usd(1.0, 2020, 2023, CPI_U) == pytest.approx(1.177315, rel=1e-6)
    assert v.to_constant_usd(1.0, "2020-06-30", 2023, CPI_U) == pytest.approx(1.177315,
                                                                              rel=1e-6)
    series = v.to_constant_usd(pd.Series([1.0, 2.0], index=["x", "y"]),
                               pd.Series([2020, 2023], index=["x", "y"]), 2023, CPI_U)
    assert list(series.index) == ["x", "y"]
    np.testing.assert_allclose(series, [1.177315, 2.0], rtol=1e-6)
    by_year = CPI_U.set_index("year")["cpi"]
    assert v.to_constant_usd(1.0, 2023, 2020, by_year) == pytest.approx(1 / 1.177315, rel=1e-6)


def test_to_constant_usd_refuses_years_outside_the_table():
    with pytest.raises(ValueError, match=r"no value for year\(s\) \[2019\]; available: 2020-2023"):
        v.to_constant_usd(1.0, 2019, 2023, CPI_U)
    with pytest.raises(ValueError, match=r"\[2030\]"):
        v.to_constant_usd(1.0, 2020, 2030, CPI_U)
    with pytest.raises(ValueError, match="unknown index_column 'cpi'.* valid names: index"):
        v.to_constant_usd(1.0, 2020, 2023, CPI_U.rename(columns={"cpi": "index"}))
    with pytest.raises(ValueError, match="missing"):
        v.to_constant_usd(1.0, 2020, 2023, CPI_U.rename(columns={"year": "when"}))
    with pytest.raises(ValueError, match="price_index must be a DataFrame"):
        v.to_constant_usd(1.0, 2020, 2023, {2020: 1.0})
    assert math.isclose(v.to_constant_usd(0.0, 2020, 2023, CPI_U), 0.0)
