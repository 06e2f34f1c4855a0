"""Notebooks run with other parameter values: papermill's convention (a cell tagged
``parameters``; the new values are injected after it), through papermill itself and through
``python -m scaling.apps.report --param``."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from scaling.apps import report

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _errors(notebook) -> list[str]:
    return [f"{o['ename']}: {o['evalue']}" for cell in notebook.cells
            if cell.cell_type == "code" for o in cell.get("outputs", [])
            if o.get("output_type") == "error"]


def _printed(notebook) -> str:
    return "".join(o.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                   for o in cell.get("outputs", []) if o.get("output_type") == "stream")


#: Notebooks without a parameters cell yet (strict: the mark must go when the cell is added).
NO_PARAMETERS_CELL_YET = set()


def _notebook_params():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        marks = [pytest.mark.xfail(reason=f"{path.stem} has no parameters cell yet",
                                   strict=True)] if path.stem in NO_PARAMETERS_CELL_YET else []
        yield pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("path", list(_notebook_params()))
def test_every_notebook_has_one_parameters_cell(path):
    notebook = nbformat.read(path, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert report.notebook_parameters(path), f"{path.name}: the parameters cell assigns nothing"


RUNS = {
    # machines named the three ways: a catalog name, the API's keywords (an accelerator and a
    # count), part of a cluster
    "03-other-machines-and-sizes": ("03_forecast_time_and_dollars", {
        "CLUSTERS": ["eos-mlperf", {"accelerator": "GB200", "n_accelerators": 1024}],
        "SIZES": [1e10, 1e11, 1e12, 3e12], "HEADLINE_N_PARAMS": 1e12,
        "FOCUS_CLUSTER": {"cluster": "llama3-16k", "n_accelerators": 4096}, "N_SAMPLES": 300,
        "INFERENCE_TOKENS": [1e11, 1e13, 1e15]},
        ["eos-mlperf", "1024 x GB200", "What moves the amortised cost on llama3-16k most"]),
    "07-GB200": ("07_enterprise_right_sizing", {"ACCELERATOR": "GB200"}, ["GB200"]),
    "07-TPU-v7-70B": ("07_enterprise_right_sizing",
                      {"ACCELERATOR": "TPU-v7", "PRETRAIN_N_PARAMS": 70e9}, ["TPU-v7"]),
}


#: Papermill runs at once (each is a kernel); they are independent.
MAX_PARALLEL_RUNS = 2


def _papermill(name: str, parameters: dict, out: Path):
    """Run notebook ``name`` with ``parameters`` through papermill: the executed notebook, or
    the exception papermill raised (with the failing cell's traceback)."""
    import papermill

    try:
        papermill.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(out),
                                   parameters=parameters, kernel_name="python3",
                                   progress_bar=False, cwd=str(NOTEBOOKS))
    except Exception as exc:  # noqa: BLE001 - raised again by the test of this run
        return exc
    return nbformat.read(out, as_version=4)


@pytest.fixture(scope="module")
def papermill_runs(request, tmp_path_factory):
    """Run id -> executed notebook, for the runs the selected tests need, side by side."""
    import papermill  # noqa: F401 - imported once here, before the threads

    wanted = [item.callspec.id for item in request.session.items
              if getattr(item, "originalname", None) == "test_notebook_runs_with_other_parameters"]
    out_dir = tmp_path_factory.mktemp("papermill")
    n_workers = max(1, min(MAX_PARALLEL_RUNS, os.cpu_count() or 1, len(wanted)))
    with ThreadPoolExecutor(n_workers) as pool:
        futures = {run: pool.submit(_papermill, RUNS[run][0], RUNS[run][1],
                                    out_dir / f"{run}.ipynb") for run in wanted}
        return {run: future.result() for run, future in futures.items()}


@pytest.mark.parametrize("name, parameters, expected", RUNS.values(), ids=list(RUNS))
def test_notebook_runs_with_other_parameters(name, parameters, expected, request,
                                             papermill_runs):
    executed = papermill_runs[request.node.callspec.id]
    if isinstance(executed, Exception):
        raise executed
    assert _errors(executed) == []
    injected = [c for c in executed.cells
                if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    for text in expected:
        assert text in _printed(executed)


def test_parse_parameter_reads_literals_else_text():
    assert report.parse_parameter("N=70e9") == ("N", 70e9)
    assert report.parse_parameter("MFU=None") == ("MFU", None)
    assert report.parse_parameter("NAME = GB200 ") == ("NAME", "GB200")
    assert report.parse_parameter("SIZES=[1e10, 1e11]") == ("SIZES", [1e10, 1e11])
    with pytest.raises(ValueError, match="NAME=VALUE"):
        report.parse_parameter("ACCELERATOR")


def _parameterised_notebook(path):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("ANSWER = 6 * 7  # the value to change\nLABEL = 'x'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Parameterised"), params,
                nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint('answer', ANSWER, LABEL)")]
    nbformat.write(nb, path)


def test_report_runs_a_notebook_with_other_parameters(tmp_path):
    src = tmp_path / "nbs"
    src.mkdir()
    _parameterised_notebook(src / "01_params.ipynb")
    built = report.build_report(src, tmp_path / "out", progress=False,
                                parameters={"01_params.ipynb": {"ANSWER": 43, "LABEL": "y"}})
    (entry,) = built.notebooks
    assert entry.ok and entry.claims == ("answer 43 y",)
    assert entry.parameters == {"ANSWER": 43, "LABEL": "y"}
    assert "Run with parameters" in built.index_path.read_text()


def test_report_refuses_unknown_notebooks_and_parameters(tmp_path, capsys):
    src = tmp_path / "nbs"
    src.mkdir()
    _parameterised_notebook(src / "01_params.ipynb")
    with pytest.raises(ValueError, match="did you mean 'ANSWER'"):
        report.build_report(src, tmp_path / "out", parameters={"01_params": {"ANSWR": 1}})
    with pytest.raises(ValueError, match="did you mean '01_params'"):
        report.build_report(src, tmp_path / "out", only=["01_param"])
    code = report.command(["--notebooks", str(src), "--out", str(tmp_path / "out"),
                        "--param", "01_params", "ANSWER"])
    assert code == 1
    assert "NAME=VALUE" in capsys.readouterr().err


def test_cli_report_forwards_parameters(tmp_path):
    from scaling.apps import cli

    src = tmp_path / "nbs"
    src.mkdir()
    _parameterised_notebook(src / "01_params.ipynb")
    code = cli.main(["report", "--notebooks", str(src), "--out", str(tmp_path / "out"),
                     "--param", "01_params", "ANSWER=44"])
    assert code == 0
    assert "answer 44 x" in (tmp_path / "out" / "index.html").read_text()
