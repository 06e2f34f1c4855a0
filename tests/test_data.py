"""Tests of scaling.data.load_chinchilla_points against Besiroglu et al. (2024).

Source: Besiroglu, Erdil, Barnett, You (2024), "Chinchilla Scaling: A replication attempt",
arXiv:2404.10102; data file data/svg_extracted_data.csv of
https://github.com/epoch-research/analyzing-chinchilla at commit 9225883 (245 rows; the five
highest-loss runs, near 1e19 FLOP with D/N < 0.4, are excluded from their fits).
"""

import numpy as np
import pytest

from scaling.data import CHINCHILLA_POINTS, load_chinchilla_points

BESIROGLU2024_N_RUNS = 245
BESIROGLU2024_N_OUTLIERS = 5
#: Ranges of the file per scaling_laws.md Sec. 2.4: N 5.73e7 to 1.62e10, C 1.40e18 to 1.30e22,
#: loss 2.077 to 5.006, imputed D 2.45e8 to 3.18e11 (3 significant figures).
BESIROGLU2024_RANGES = {
    "n_params": (5.73e7, 1.62e10),
    "compute_flop": (1.40e18, 1.30e22),
    "loss": (2.077, 5.006),
    "n_tokens": (2.45e8, 3.18e11),
}


def test_besiroglu2024_points_have_245_runs_and_expected_columns(chinchilla_points):
    assert len(chinchilla_points) == BESIROGLU2024_N_RUNS
    assert list(chinchilla_points.columns) == [
        "n_params", "n_tokens", "compute_flop", "loss", "outlier"]
    assert chinchilla_points["outlier"].dtype == bool
    numeric = chinchilla_points[["n_params", "n_tokens", "compute_flop", "loss"]]
    assert np.isfinite(numeric.to_numpy()).all()
    assert (numeric.to_numpy() > 0).all()


@pytest.mark.parametrize("column", sorted(BESIROGLU2024_RANGES))
def test_besiroglu2024_points_ranges(chinchilla_points, column):
    low, high = BESIROGLU2024_RANGES[column]
    values = chinchilla_points[column]
    # ranges are quoted to 3 significant figures: half a unit in the last digit
    assert values.min() == pytest.approx(low, rel=5e-3)
    assert values.max() == pytest.approx(high, rel=5e-3)


def test_besiroglu2024_five_outliers_are_the_highest_losses(chinchilla_points):
    outliers = chinchilla_points[chinchilla_points["outlier"]]
    assert len(outliers) == BESIROGLU2024_N_OUTLIERS
    assert outliers["loss"].min() > chinchilla_points.loc[~chinchilla_points["outlier"],
                                                          "loss"].max()
    # Besiroglu et al.: the outliers sit near 1e19 FLOP with D/N "< 0.4" (the largest is 0.404,
    # so the quoted bound is itself rounded)
    ratio = outliers["n_tokens"] / outliers["n_params"]
    assert (ratio < 0.405).all()
    assert np.allclose(np.log10(outliers["compute_flop"]), 19.0, atol=0.1)


def test_n_tokens_is_compute_over_six_n(chinchilla_points):
    expected = chinchilla_points["compute_flop"] / (6.0 * chinchilla_points["n_params"])
    np.testing.assert_allclose(chinchilla_points["n_tokens"], expected, rtol=1e-12)


def test_tampered_file_is_refused(tmp_path, monkeypatch):
    # any file under the pinned name whose SHA-256 differs is refused: here one with the
    # source's columns and a made-up row (no need for the real file: runs offline too)
    tampered = tmp_path / CHINCHILLA_POINTS["filename"]
    tampered.write_text("Model Size,Training FLOP,loss\n44000000,1.0e18,5.105581996196243\n")
    monkeypatch.setenv("SCALING_DATA_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="SHA-256"):
        load_chinchilla_points()


def test_missing_file_gives_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SCALING_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError) as info:
        load_chinchilla_points()
    message = str(info.value)
    assert "SCALING_DATA_DIR" in message
    assert CHINCHILLA_POINTS["url"] in message


@pytest.mark.parametrize("reader", ["load_table", "load_rows"])
def test_both_table_readers_refuse_a_row_without_a_source(tmp_path, monkeypatch, reader):
    from scaling import data

    table = tmp_path / "made_up.csv"
    table.write_text('name,value,source\na,1,"someone (2024)"\nb,2,\n')
    monkeypatch.setattr(data, "data_path", lambda name: tmp_path / name)
    data.reload()
    try:
        with pytest.raises(ValueError, match="made_up.csv has rows without a source: \\[1\\]"):
            getattr(data, reader)("made_up")
        table.write_text("name,value\na,1\n")
        data.reload()
        with pytest.raises(ValueError, match="made_up.csv has no 'source' column"):
            getattr(data, reader)("made_up")
    finally:
        monkeypatch.undo()
        data.reload()


def test_load_rows_gives_the_cells_as_text():
    from scaling import data

    (row,) = [r for r in data.load_rows("rack_power") if r["cooling"] == "air"]
    assert row["rack_power_w"] == "30000" and isinstance(row["source"], str)
    with pytest.raises(TypeError):
        row["rack_power_w"] = "1"   # read-only: a caller cannot corrupt later answers


def test_edited_catalog_cells_read_as_pandas_would_or_are_refused_by_name(tmp_path, monkeypatch):
    """The catalog lookups read CSV rows as text (data.load_rows): a count written as 1e6,
    a missing-value token, and text where a number goes are handled like load_table's
    DataFrames would, or refused naming the table, the row and the column."""
    import csv
    import io
    import math

    import scaling
    from scaling import data

    original = data.data_path("clusters.csv")
    rows = list(csv.DictReader(io.StringIO(original.read_text())))
    row = next(r for r in rows if r["name"] == "stargate-2024")
    row["n_accelerators"], row["reported_power_w"] = "1e6", "NA"
    copy = tmp_path / "clusters.csv"

    def write():
        with open(copy, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)

    write()
    monkeypatch.setattr(data, "data_path",
                        lambda name: copy if name == "clusters.csv" else original.parent / name)
    data.reload()
    try:
        machine = scaling.cluster("stargate-2024")
        assert machine.n_accelerators == 1_000_000 and math.isnan(machine.reported_power_w)
        row["pue"] = "one point one"
        write()
        data.reload()
        with pytest.raises(ValueError, match="clusters.csv, row 'stargate-2024': pue must be a "
                                             "number, got 'one point one'"):
            scaling.cluster("stargate-2024")
    finally:
        monkeypatch.undo()
        data.reload()
