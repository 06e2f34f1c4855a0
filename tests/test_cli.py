"""The `scaling` command line."""

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scaling
from scaling.apps.cli import MAX_WIDTH, format_number, format_table, main
from scaling.units import SECONDS_PER_DAY, UNIT_SUFFIXES, display_of

VENV_SCRIPT = Path(sys.executable).parent / "scaling"


def test_forecast_prints_table_and_writes_csv(tmp_path, capsys):
    out = tmp_path / "f.csv"
    code = main(["forecast", "--cluster", "llama3-16k", "--params", "7e10", "4e11", "1e12",
                 "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "time" in printed and "[days]" in printed and "amortized_cost" in printed
    frame = pd.read_csv(out)
    assert list(frame["n_params"]) == [7e10, 4e11, 1e12]
    assert (frame["time_s"] > 0).all()


def test_forecast_json_with_uncertainty(tmp_path, capsys):
    out = tmp_path / "f.json"
    code = main(["forecast", "--cluster", "llama3-16k", "--params", "4e11", "--uncertainty",
                 "--samples", "200", "--out", str(out)])
    assert code == 0
    records = json.loads(out.read_text())
    assert records[0]["time_s_ci_lower"] < records[0]["time_s"] < records[0]["time_s_ci_upper"]
    printed = capsys.readouterr().out
    assert "P50 [P5, P95] of 200 Monte Carlo draws" in printed
    # each value with its interval in one cell, e.g. "33.4 [18.8, 51.8]"
    assert re.search(r"\d [\[][\d.,]+, [\d.,]+[\]]", printed)


def test_run_llama31(capsys):
    code = main(["run", "--flop", "3.8e25", "--accelerator", "H100-SXM", "--count", "16384"])
    assert code == 0
    out = capsys.readouterr().out
    # the step-time utilisation of the compute-optimal model for 3.8e25 FLOP (issue 9)
    assert re.search(r"accelerator_hours\s+50,100,000", out)
    assert re.search(r"n_accelerators\s+16,384", out)
    assert re.search(r"amortized_cost \[M USD\]\s+81\.1", out)


@pytest.mark.parametrize("command", [["clusters"], ["accelerators"], ["backtest"],
                                     ["largest", "--cluster", "llama3-16k", "--days", "30"],
                                     ["deadline", "--accelerator", "H100-SXM", "--params", "4e11",
                                      "--days", "90"]])
def test_listings_and_other_commands(command, capsys):
    assert main(command) == 0
    assert capsys.readouterr().out.strip()


# --- the machine, named as the library names it ------------------------------------------

#: The three ways to name a machine: CLI options and the library's keywords.
MACHINES = {
    "cluster": (["--cluster", "llama3-16k"], {"cluster": "llama3-16k"}),
    "accelerator-and-count": (["--accelerator", "H100-SXM", "--count", "4096"],
                              {"accelerator": "H100-SXM", "n_accelerators": 4096}),
    "part-of-a-cluster": (["--cluster", "llama3-16k", "--count", "4096"],
                          {"cluster": "llama3-16k", "n_accelerators": 4096}),
}
#: Columns compared between the command's --out table and the library's.
COMPARED = ("n_params", "compute_flop", "n_accelerators", "mfu", "goodput", "time_s",
            "energy_j", "amortized_cost_usd")


def _written(argv, tmp_path) -> pd.DataFrame:
    out = tmp_path / "out.csv"
    assert main([*argv, "--out", str(out)]) == 0
    return pd.read_csv(out)


def _same(frame, expected):
    for column in COMPARED:
        np.testing.assert_allclose(frame[column], expected[column], rtol=1e-12, err_msg=column)
    assert list(frame["cluster"]) == list(expected["cluster"])


@pytest.mark.parametrize("options, machine", MACHINES.values(), ids=list(MACHINES))
def test_forecast_run_and_largest_name_the_machine_as_the_library(options, machine, tmp_path):
    _same(_written(["forecast", *options, "--params", "7e10", "4e11"], tmp_path),
          scaling.forecast([7e10, 4e11], **machine).to_frame())
    _same(_written(["run", "--flop", "3.8e24", *options], tmp_path),
          scaling.estimate_run(3.8e24, **machine).to_frame())
    _same(_written(["largest", *options, "--days", "30", "90"], tmp_path),
          scaling.largest_trainable(deadline_s=np.array([30, 90]) * SECONDS_PER_DAY,
                                    **machine).to_frame())


@pytest.mark.parametrize("options, machine", [
    (["--accelerator", "H100-SXM"], {"accelerator": "H100-SXM"}),
    (["--cluster", "llama3-16k"], {"cluster": "llama3-16k"})], ids=["accelerator", "cluster"])
def test_deadline_answers_the_count(options, machine, tmp_path, capsys):
    frame = _written(["deadline", *options, "--params", "4e11", "1e12", "--days", "90", "180"],
                     tmp_path)
    for days, rows in frame.groupby("deadline_days"):
        _same(rows, scaling.forecast_for_deadline(
            [4e11, 1e12], deadline_s=days * SECONDS_PER_DAY, **machine).to_frame())
    assert list(frame["deadline_days"]) == [90, 90, 180, 180]
    header = capsys.readouterr().out.splitlines()[0].split()
    assert header[:2] == ["deadline", "n_params"] and "n_accelerators" in header


@pytest.mark.parametrize("argv, message", [
    (["forecast", "--params", "1e11"],
     "name the machine: --cluster NAME, or --accelerator NAME with --count N"),
    (["run", "--flop", "1e23", "--count", "8"],
     "name the machine: --cluster NAME, or --accelerator NAME with --count N"),
    (["largest", "--cluster", "frontier", "--accelerator", "MI250X", "--count", "8", "--days", "3"],
     "give --cluster NAME or --accelerator NAME with --count N, not both"),
    (["forecast", "--accelerator", "H100-SXM", "--params", "1e11"],
     "--accelerator needs --count N"),
    (["deadline", "--accelerator", "H100-SXM", "--count", "8", "--params", "1e11", "--days", "9"],
     "--count: `scaling deadline` answers how many accelerators it takes"),
    (["deadline", "--params", "1e11", "--days", "9"],
     "name the machine: --cluster NAME, or --accelerator NAME"),
    (["run", "--flop", "1e23", "--cluster", "fronteir"],
     "--cluster: unknown cluster 'fronteir'; did you mean 'frontier'?"),
])
def test_machine_options_explain_themselves(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


# --- --version ---------------------------------------------------------------------------

def test_version_prints_the_package_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"scaling {scaling.__version__}"


# --- negative numbers are numbers ----------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["forecast", "--cluster", "llama3-16k", "--params", "-1e11"],
     "--params: n_params must be positive"),
    (["forecast", "--cluster", "llama3-16k", "--params", "4e11", "-1e11"],
     "--params: n_params must be positive"),
    (["run", "--flop", "-3.8e25", "--accelerator", "H100-SXM", "--count", "8"],
     "--flop: compute_flop must be positive"),
    (["run", "--flop", "3.8e25", "--accelerator", "H100-SXM", "--count", "8", "--mfu", "-4e-1"],
     "--mfu: mfu must be in (0, 1]"),
    (["forecast", "--cluster", "llama3-16k", "--params", "4e11", "--tokens-per-param", "-2E1"],
     "--tokens-per-param: tokens_per_param must be positive"),
    (["run", "--flop", "3.8e25", "--accelerator", "H100-SXM", "--count", "-1e3"],
     "--count: must be a positive integer"),
    (["largest", "--cluster", "llama3-16k", "--days", "-3e1"], "--days: must be positive"),
    (["forecast", "--cluster", "llama3-16k", "--params", "-inf"],
     "--params: n_params must be positive"),
])
def test_negative_numbers_reach_validation(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "expected one argument" not in err and "expected at least one" not in err


# --- readable numbers --------------------------------------------------------------------

@pytest.mark.parametrize("value, kind, expected", [
    (10240.0, "count", "10,240"),
    (16384, "count", "16,384"),
    (2024, "integer", "2024"),
    (float("nan"), "number", "n/a"),
    (None, "count", "n/a"),
    (pd.NA, "number", "n/a"),
    (48665316.86, "number", "48,700,000"),
    (0.98877, "number", "0.989"),
    (30.04, "number", "30.0"),
    (999.7, "number", "1,000"),
    (5.42e23, "scientific", "5.42e+23"),
    (7e10, "large_count", "70B"),
    (1.29e12, "large_count", "1.29T"),
    (True, "bool", "yes"),
    (math.inf, "number", "inf"),
])
def test_format_number(value, kind, expected):
    assert format_number(value, kind) == expected


def test_tables_put_units_in_headers_and_counts_as_integers(capsys):
    assert main(["backtest"]) == 0
    out = capsys.readouterr().out
    assert "10,000" in out and "e+04" not in out  # GPT-3's 10,000 V100
    assert "n/a" in out and "nan" not in out.lower().replace("n/a", "")
    assert main(["clusters"]) == 0
    out = capsys.readouterr().out
    assert "[MW]" in out and "1,000,000" in out and " 2028" in out and "2,028" not in out
    assert main(["forecast", "--cluster", "llama3-16k", "--params", "7e10", "4e11"]) == 0
    out = capsys.readouterr().out
    assert "[M USD]" in out and "[MWh]" in out and "nan" not in out and "USD nan" not in out


@pytest.mark.parametrize("suffix, unit, display", UNIT_SUFFIXES)
def test_headers_read_the_one_unit_table(suffix, unit, display):
    frame = pd.DataFrame({f"quantity{suffix}": [1.5, 2.5]})
    label, unit_row = format_table(frame).splitlines()[:2]
    assert label.strip() == "quantity"
    assert unit_row.strip() == f"[{unit}]"  # values below 10,000 take no prefix
    assert display_of(f"quantity{suffix}") == (unit, display)


def test_names_that_state_their_unit_keep_it_in_the_name():
    frame = pd.DataFrame({name: [0.5] for name in ("accelerator_hours", "mfu", "goodput")})
    assert format_table(frame).splitlines()[0].split() == ["accelerator_hours", "mfu", "goodput"]


def test_missing_values_print_as_na_never_nan_usd():
    frame = pd.DataFrame({"name": ["a", "b"], "price_usd": [float("nan"), 1.5e4],
                          "n_accelerators": [8.0, float("nan")]})
    text = format_table(frame)
    assert "nan" not in text.lower().replace("n/a", "")
    assert "price" in text and "[k USD]" in text and "15.0" in text and "    8" in text


@pytest.mark.parametrize("command", [
    ["forecast", "--cluster", "llama3-16k", "--params", "7e10", "4e11", "1e12"],
    ["forecast", "--cluster", "llama3-16k", "--params", "7e10", "1e12", "--uncertainty",
     "--samples", "200"],
    ["run", "--flop", "3.8e25", "--accelerator", "H100-SXM", "--count", "16384"],
    ["largest", "--cluster", "xai-colossus", "--days", "30", "100"],
    ["deadline", "--accelerator", "H100-SXM", "--params", "4e11", "1e12", "--days", "90",
     "--uncertainty", "--samples", "200"],
    ["backtest"], ["clusters"], ["accelerators"],
    ["accelerators", "--columns", "all"],
    ["forecast", "--cluster", "llama3-16k", "--params", "4e11", "--uncertainty", "--samples",
     "200", "--columns", "all"],
])
def test_tables_fit_the_width(command, capsys):
    assert main(command) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= MAX_WIDTH


def test_wrapped_blocks_repeat_the_first_column():
    frame = pd.DataFrame({"name": ["x"], **{f"quantity_{k}_w": [1e3 * k] for k in range(1, 16)}})
    text = format_table(frame, max_width=60)
    blocks = text.split("\n\n")
    assert len(blocks) > 1 and all(block.startswith("name") for block in blocks)
    assert all(len(line) <= 60 for line in text.splitlines())


# --- --columns ---------------------------------------------------------------------------

def test_columns_option_selects_and_orders(capsys):
    assert main(["forecast", "--cluster", "llama3-16k", "--params", "4e11",
                 "--columns", "time_days,n_params,mfu"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split()
    assert header == ["time", "n_params", "mfu"]


def test_columns_option_suggests_the_closest_name(capsys):
    assert main(["clusters", "--columns", "name,acelerator"]) == 2
    err = capsys.readouterr().err
    assert "unknown column 'acelerator'" in err and "did you mean 'accelerator'" in err


# --- --out reports what it wrote -----------------------------------------------------------

def test_out_prints_path_rows_and_columns(tmp_path, capsys):
    out = tmp_path / "accelerators.csv"
    assert main(["accelerators", "--out", str(out)]) == 0
    frame = pd.read_csv(out)
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == f"wrote {out} ({len(frame)} rows x {len(frame.columns)} columns, CSV)"


# --- errors --------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, fragment", [
    (["run", "--flop", "3.8e25", "--accelerator", "H900", "--count", "8"],
     ("accelerator 'H900'", "valid names: ", "H100-SXM")),
    (["run", "--flop", "-1", "--accelerator", "H100-SXM", "--count", "8"], "positive"),
    (["run", "--flop", "1e24", "--accelerator", "H100-SXM", "--count", "0"], "positive integer"),
    (["run", "--flop", "1e24", "--accelerator", "H100-SXM", "--count", "8.5"], "positive integer"),
    (["run", "--flop", "1e24", "--accelerator", "H100-SXM", "--count", "8", "--mfu", "1.5"],
     "(0, 1]"),
    (["forecast", "--cluster", "nope", "--params", "1e9"],
     ("cluster 'nope'", "valid names: ", "llama3-16k")),
    (["forecast", "--cluster", "llama3-16k", "--params", "nan"], "positive"),
    (["forecast", "--cluster", "llama3-16k", "--params", "abc"], "not a number"),
    (["forecast", "--cluster", "llama3-16k", "--params", "1e9", "--seed", "-1"],
     "non-negative integer"),
    (["forecast", "--cluster", "llama3-16k", "--params", "1e9", "--out", "x.txt"], ".csv"),
    (["bogus"], "invalid choice"),
    ([], "required"),
])
def test_errors_exit_nonzero_with_one_line(argv, fragment, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scaling: error:")
    for part in (fragment if isinstance(fragment, tuple) else (fragment,)):
        assert part in lines[0]


def test_python_dash_m_and_console_script():
    result = subprocess.run([sys.executable, "-m", "scaling", "clusters"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0 and "llama3-16k" in result.stdout
    bad = subprocess.run([sys.executable, "-m", "scaling", "run", "--flop", "1e24",
                          "--accelerator", "nope", "--count", "8"], capture_output=True,
                         text=True, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    version = subprocess.run([sys.executable, "-m", "scaling", "--version"],
                             capture_output=True, text=True, check=False)
    assert version.returncode == 0 and version.stdout.strip() == f"scaling {scaling.__version__}"
    if VENV_SCRIPT.exists():
        script = subprocess.run([str(VENV_SCRIPT), "accelerators"], capture_output=True,
                                text=True, check=False)
        assert script.returncode == 0 and "H100-SXM" in script.stdout


# ---------------------------------------------------------------------------------------
# Issue 17, item 6: no ignored flag, flags (not API arguments) in messages, OS errors
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, flags", [
    (["forecast", "--cluster", "llama3-16k", "--params", "7e10", "--samples", "3"],
     ["--samples", "--uncertainty"]),
    (["forecast", "--cluster", "llama3-16k", "--params", "7e10", "--seed", "5"],
     ["--seed", "--uncertainty"]),
    (["forecast", "--cluster", "llama3-16k", "--params", "7e10", "--samples", "300",
      "--seed", "5"], ["--samples", "--seed", "--uncertainty"]),
    (["deadline", "--accelerator", "H100-SXM", "--params", "4e11", "--days", "90",
      "--samples", "300"], ["--samples", "--uncertainty"]),
    (["deadline", "--accelerator", "H100-SXM", "--params", "4e11", "--days", "90",
      "--seed", "1"], ["--seed", "--uncertainty"]),
])
def test_monte_carlo_flags_without_uncertainty_are_refused(argv, flags, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    for flag in flags:
        assert flag in err, (flag, err)


def test_monte_carlo_flags_with_uncertainty_are_used(capsys):
    argv = ["forecast", "--cluster", "llama3-16k", "--params", "7e10", "--uncertainty",
            "--samples", "50", "--seed", "5"]
    assert main(argv) == 0
    assert "of 50 Monte Carlo draws" in capsys.readouterr().out


@pytest.mark.parametrize("argv, flag", [
    (["run", "--flop", "1e10", "--accelerator", "H100-SXM", "--count", "8", "--params", "10"],
     "--model"),
    (["forecast", "--accelerator", "H100-SXM", "--count", "8", "--params", "1e4"], "--model"),
])
def test_messages_name_flags_not_api_arguments(argv, flag, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert flag in err, err
    assert not re.search(r"\b(model|n_params|mfu|accelerator|n_accelerators)=", err), err
    assert "pass model=" not in err and "Assumptions(mfu=" not in err, err


@pytest.mark.parametrize("target", ["folder", "missing/f.csv", "folder.csv"])
def test_out_onto_a_folder_or_missing_folder_is_a_message_about_out(tmp_path, target,
                                                                     capsys):
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder.csv").mkdir()
    path = tmp_path / target
    assert main(["clusters", "--out", str(path)]) == 2
    err = capsys.readouterr().err
    assert "--out" in err, err
    assert "Errno" not in err, err
    assert err.count("\n") == 1, err


def test_layout_search_flag_reaches_the_chain_and_is_checked(capsys):
    """``--layout-search fine`` splits a batch-bound run finer: the same run is faster; a
    misspelt name is refused with the flag and the closest name (issue 18)."""
    base = ["run", "--flop", "1e27", "--accelerator", "H100-SXM", "--count", "1000000",
            "--batch-size-law", "kaplan2020_critical", "--columns", "time_days"]
    assert main(base) == 0
    practical = float(re.search(r"time \[days\]\s+([\d,.]+)", capsys.readouterr().out)
                      .group(1).replace(",", ""))
    assert main(base + ["--layout-search", "fine"]) == 0
    fine = float(re.search(r"time \[days\]\s+([\d,.]+)", capsys.readouterr().out)
                 .group(1).replace(",", ""))
    assert fine < practical
    assert main(base + ["--layout-search", "finer"]) == 2
    err = capsys.readouterr().err
    assert "--layout-search" in err and "'fine'" in err
