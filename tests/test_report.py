"""The report builder behind ``make report``: executes notebooks, writes HTML, PNG charts
and an index listing each notebook's checked claims."""

import nbformat
import pytest

from scaling.report import build_report, chart_specs

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _tiny_notebook(path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A tiny question\nWhat is 6 x 7?"),
        nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint('answer', 6 * 7)"),
        nbformat.v4.new_code_cell(
            "import altair as alt, pandas as pd\n"
            "alt.Chart(pd.DataFrame({'x': [1, 2], 'y': [3, 4]})).mark_line().encode(x='x', y='y')"
        ),
    ]
    nbformat.write(nb, path)


def test_build_report_writes_html_png_and_claims(tmp_path):
    src = tmp_path / "nbs"
    src.mkdir()
    _tiny_notebook(src / "01_tiny.ipynb")
    report = build_report(src, tmp_path / "out", progress=False)

    (entry,) = report.notebooks
    assert entry.title == "A tiny question"
    assert entry.claims == ("answer 42",)
    assert entry.html_path.read_text().count("answer 42") >= 1
    assert len(entry.chart_paths) == 1
    assert entry.chart_paths[0].read_bytes()[:8] == PNG_MAGIC
    index = report.index_path.read_text()
    assert "01_tiny.html" in index and "charts/01_tiny_01.png" in index and "answer 42" in index


def test_chart_specs_reads_mimetype_outputs():
    nb = nbformat.v4.new_notebook()
    spec = {"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x"}}}
    cell = nbformat.v4.new_code_cell("chart")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"application/vnd.vegalite.v6+json": spec})]
    nb.cells = [cell]
    assert chart_specs(nb) == [spec]


def test_build_report_refuses_empty_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no notebooks"):
        build_report(tmp_path, tmp_path / "out", progress=False)


def test_build_report_names_the_failing_notebook_and_error(tmp_path):
    src = tmp_path / "nbs"
    src.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("raise ValueError('unknown cluster name')")]
    nbformat.write(nb, src / "09_broken.ipynb")
    with pytest.raises(RuntimeError, match=r"09_broken.ipynb failed: ValueError: unknown cluster name"):
        build_report(src, tmp_path / "out", progress=False)
