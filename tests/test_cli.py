"""The `scaling` command line."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from scaling.cli import main

VENV_SCRIPT = Path(sys.executable).parent / "scaling"


def test_forecast_prints_table_and_writes_csv(tmp_path, capsys):
    out = tmp_path / "f.csv"
    code = main(["forecast", "--cluster", "llama3-16k", "--params", "7e10", "4e11", "1e12",
                 "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "time_days" in printed and "amortized_cost_usd" in printed
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


def test_run_llama31(capsys):
    code = main(["run", "--flop", "3.8e25", "--accelerator", "H100-SXM", "--count", "16384"])
    assert code == 0
    out = capsys.readouterr().out
    assert "accelerator_hours" in out and "3.01e+07" in out


@pytest.mark.parametrize("command", [["clusters"], ["accelerators"], ["backtest"],
                                     ["largest", "--cluster", "llama3-16k", "--days", "30"]])
def test_listings_and_other_commands(command, capsys):
    assert main(command) == 0
    assert capsys.readouterr().out.strip()


@pytest.mark.parametrize("argv, fragment", [
    (["run", "--flop", "3.8e25", "--accelerator", "H900", "--count", "8"],
     ("accelerator 'H900'", "valid names: ", "H100-SXM")),
    (["run", "--flop", "-1", "--accelerator", "H100-SXM", "--count", "8"], "positive"),
    (["run", "--flop", "1e24", "--accelerator", "H100-SXM", "--count", "0"], "positive integer"),
    (["run", "--flop", "1e24", "--accelerator", "H100-SXM", "--count", "8", "--mfu", "1.5"],
     "(0, 1]"),
    (["forecast", "--cluster", "nope", "--params", "1e9"],
     ("cluster 'nope'", "valid names: ", "llama3-16k")),
    (["forecast", "--cluster", "llama3-16k", "--params", "nan"], "positive"),
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
    if VENV_SCRIPT.exists():
        script = subprocess.run([str(VENV_SCRIPT), "accelerators"], capture_output=True,
                                text=True, check=False)
        assert script.returncode == 0 and "H100-SXM" in script.stdout
