"""The shared input checks and result wrapping every public function relies on."""

import numpy as np
import pandas as pd
import pytest

from scaling._validation import (
    as_float_array,
    as_numeric_array,
    check_at_least,
    check_fraction,
    like,
    require_columns,
)
from scaling import units


def test_as_float_array_accepts_positive_values_of_every_kind():
    assert as_float_array("x", 2).tolist() == 2.0
    assert as_float_array("x", [1, 2.5]).tolist() == [1.0, 2.5]
    assert as_float_array("x", pd.Series([3.0])).tolist() == [3.0]


@pytest.mark.parametrize("bad, message", [
    (0.0, r"x must be positive \(> 0\) and finite, got 0.0"),
    (-1.0, r"x must be positive \(> 0\) and finite, got -1.0"),
    (float("nan"), r"x must be .*NaN is not allowed"),
    (float("inf"), r"x must be positive \(> 0\) and finite, got inf"),
    ([1.0, -2.0, -3.0], r"got -2.0 at position 1 \(2 of 3 entries refused\)"),
    ("abc", r"x must be a number \(not text\), got 'abc'"),
    (True, r"x must be a number \(not True/False\), got True"),
    ([1.0, None], r"x must be .*NaN is not allowed"),
])
def test_as_float_array_refuses_with_a_message_naming_the_argument(bad, message):
    with pytest.raises(ValueError, match=message):
        as_float_array("x", bad)


def test_as_float_array_options():
    assert as_float_array("x", 0.0, allow_zero=True).tolist() == 0.0
    assert as_float_array("x", np.inf, allow_inf=True).tolist() == np.inf
    with pytest.raises(ValueError, match="NaN"):
        as_float_array("x", np.nan, allow_zero=True, allow_inf=True)


def test_check_fraction_is_the_half_open_unit_interval():
    assert check_fraction("mfu", 1.0).tolist() == 1.0
    for bad in (0.0, 1.0001, -0.5, float("nan")):
        with pytest.raises(ValueError, match=r"mfu must be in \(0, 1\]"):
            check_fraction("mfu", bad)
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        check_fraction("target", 1.0, include_one=False)


def test_check_at_least():
    assert check_at_least("pue", 1.0, 1.0).tolist() == 1.0
    with pytest.raises(ValueError, match="pue"):
        check_at_least("pue", 0.99, 1.0)


def test_as_numeric_array_keeps_sign_but_refuses_nan():
    assert as_numeric_array("year", [-1, 2024]).tolist() == [-1.0, 2024.0]
    with pytest.raises(ValueError, match="NaN"):
        as_numeric_array("year", [2024, np.nan])


def test_like_returns_the_kind_of_the_inputs():
    assert isinstance(like(np.asarray(2.0), 1.0), float)
    out = like(np.array([1.0, 2.0]), [3.0, 4.0])
    assert isinstance(out, np.ndarray) and out.tolist() == [1.0, 2.0]
    index = pd.Index(["a", "b"])
    series = like(np.array([1.0, 2.0]), pd.Series([5.0, 6.0], index=index), name="y")
    assert isinstance(series, pd.Series)
    assert list(series.index) == ["a", "b"] and series.name == "y"


def test_require_columns_lists_what_is_missing():
    with pytest.raises(ValueError, match="missing"):
        require_columns(pd.DataFrame({"a": [1]}), ["a", "b"], "chart")


def test_units_are_consistent():
    assert units.SECONDS_PER_DAY == 24 * units.SECONDS_PER_HOUR
    assert units.HOURS_PER_YEAR == 365.25 * 24
    assert units.J_PER_KWH == 3.6e6 and units.J_PER_MWH == 1e3 * units.J_PER_KWH
