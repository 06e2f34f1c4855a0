"""The report builder behind ``make report``: executes notebooks, writes self-contained HTML
pages (checked offline in headless chromium), PNG charts and an index listing each notebook's
checked claims; a failing notebook is marked, not fatal."""

import nbformat
import pytest

from nbval_executed import RAISES_TAG
from pagecheck import (broken_local_links, chart_problems, chromium_executable, dump_dom,
                       external_references, scan)
from scaling.apps.report import build_report, chart_specs, command, render_markdown_math

pytest_plugins = ["pytester"]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

TINY_MARKDOWN = (
    "# A tiny question\n"
    "What is 6 x 7? Training compute is $C = 6ND$ FLOP, and\n\n"
    "$$L(N, D) = E + \\frac{A}{N^\\alpha}$$\n\n"
    "It costs $5 and **not** $6 (dollars, not maths); `echo $HOME` is code.\n"
)


def _tiny_notebook(path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(TINY_MARKDOWN),
        nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint('answer', 6 * 7)"),
        nbformat.v4.new_code_cell("# NBVAL_RAISES_EXCEPTION\nraise KeyError('expected')"),
        nbformat.v4.new_code_cell(
            "import altair as alt, pandas as pd\n"
            "alt.Chart(pd.DataFrame({'x': [1, 2], 'y': [3, 4]})).mark_line().encode(x='x', y='y')"
        ),
    ]
    nbformat.write(nb, path)


def _broken_notebook(path):
    nb = nbformat.v4.new_notebook()
    stale = nbformat.v4.new_code_cell("print('later')")
    stale.outputs = [nbformat.v4.new_output("stream", name="stdout", text="STALE OUTPUT\n")]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Broken on purpose"),
        nbformat.v4.new_code_cell("print('before the failure')"),
        nbformat.v4.new_code_cell("raise ValueError('unknown cluster name\\nsecond line')"),
        stale,
    ]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    """A report of one working notebook (a claim, maths, dollars, a chart) and one failing."""
    root = tmp_path_factory.mktemp("report")
    src = root / "nbs"
    src.mkdir()
    _tiny_notebook(src / "01_tiny.ipynb")
    _broken_notebook(src / "02_broken.ipynb")
    return build_report(src, root / "out", progress=False)


@pytest.fixture(scope="module")
def chromium():
    return chromium_executable()


def _as_saved(executed_path):
    """An executed copy as JupyterLab would save it (without the report's raises-exception
    tag, which nbval would find beside the comment marker)."""
    notebook = nbformat.read(executed_path, as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("tags", None)
    return notebook


def _nbval_on_executed(pytester, monkeypatch, stored, executed_dir):
    """``pytest --nbval-lax --nbval-executed executed_dir`` on the ``stored`` notebooks
    (name -> notebook), in process, with only nbval and the plugin loaded."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    (pytester.path / "notebooks").mkdir()
    for name, notebook in stored.items():
        nbformat.write(notebook, pytester.path / "notebooks" / f"{name}.ipynb")
    return pytester.runpytest_inprocess(
        "-p", "nbval", "-p", "tests.nbval_executed", "-p", "no:cacheprovider", "--color=no",
        "-rs", "--nbval-lax", "--nbval-executed", str(executed_dir), "notebooks")


def test_build_report_writes_html_png_and_claims(tiny_report):
    entry = tiny_report.notebooks[0]
    assert entry.ok and entry.title == "A tiny question"
    assert entry.claims == ("answer 42",)
    assert entry.html_path.read_text().count("answer 42") >= 1
    assert len(entry.chart_paths) == 1
    assert entry.chart_paths[0].read_bytes()[:8] == PNG_MAGIC
    index = tiny_report.index_path.read_text()
    assert "01_tiny.html" in index and "charts/01_tiny_01.png" in index and "answer 42" in index
    # the index shows the PNG at its natural size (1/PNG_SCALE of the pixels), not squeezed
    assert "max-width:48%" not in index and "width='" in index


def test_failing_notebook_is_marked_with_one_line_and_the_others_are_built(tiny_report):
    (failed,) = tiny_report.failed
    assert failed.name == "02_broken"
    assert failed.error == "ValueError: unknown cluster name"
    index = tiny_report.index_path.read_text()
    assert "Failed:</strong> ValueError: unknown cluster name" in index
    assert "Traceback" not in index and "second line" not in index
    assert tiny_report.notebooks[0].ok  # built although the other failed
    partial = failed.html_path.read_text()
    assert "This notebook failed" in partial and "before the failure" in partial
    assert "STALE OUTPUT" not in partial  # cells after the failure show no saved outputs


def test_main_exits_nonzero_after_building_the_rest(tmp_path, capsys):
    src = tmp_path / "nbs"
    src.mkdir()
    _broken_notebook(src / "01_broken.ipynb")
    assert command(["--notebooks", str(src), "--out", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert "0 of 1 notebooks OK" in captured.out
    assert captured.err.strip() == "report: 01_broken.ipynb failed: ValueError: unknown cluster name"
    assert (tmp_path / "out" / "index.html").is_file()


def test_pages_reference_nothing_external_and_link_each_other(tiny_report):
    out = tiny_report.index_path.parent
    for page in sorted(out.glob("*.html")):
        text = page.read_text()
        assert external_references(text) == [], page.name
        assert broken_local_links(page, text) == [], page.name
    tiny = (out / "01_tiny.html").read_text()
    assert {"index.html", "02_broken.html"} <= set(scan(tiny).links)
    assert "01_tiny.html" in scan(tiny_report.index_path.read_text()).links
    assert "cdn" not in tiny.lower() and "require.js" not in tiny and "MathJax" not in tiny
    assert tiny.count("window.vegaEmbed=") == 1  # the bundle once per page
    # a page without charts carries no bundle
    assert "window.vegaEmbed=" not in (out / "02_broken.html").read_text()


def test_maths_is_mathml_and_dollar_amounts_stay_prose(tiny_report):
    page = tiny_report.notebooks[0].html_path.read_text()
    assert page.count("<math") == 2 and 'display="block"' in page
    assert "It costs $5 and <strong>not</strong> $6" in page
    assert "<code>echo $HOME</code>" in page


def test_tiny_report_renders_its_chart_offline_in_chromium(tiny_report, chromium):
    n_charts, problems = chart_problems(dump_dom(chromium, tiny_report.notebooks[0].html_path))
    assert (n_charts, problems) == (1, [])


def test_page_check_catches_a_cdn_chart(tmp_path, chromium):
    # what the report wrote before: Altair's loader fetching Vega from a CDN
    page = tmp_path / "cdn.html"
    page.write_text(
        "<!doctype html><html><body><div id='altair-viz-1'></div>"
        "<script src='https://cdn.jsdelivr.net/npm/vega@6'></script>"
        "<script>document.getElementById('altair-viz-1').textContent ="
        " typeof vegaEmbed === 'function' ? 'ok' : 'Error loading script: vega';</script>"
        "</body></html>")
    assert external_references(page.read_text())
    n_charts, problems = chart_problems(dump_dom(chromium, page))
    assert n_charts == 1 and len(problems) == 2  # no Vega view, and the error text


def test_render_markdown_math_keeps_code_and_currency():
    text, maths = render_markdown_math(
        "Cost $3.49/h, about $2/h elsewhere; $a > 0.5$ and\n```\nx = '$y$'\n```\n$$E$$")
    assert "\\$3.49/h, about \\$2/h" in text
    assert "```\nx = '$y$'\n```" in text
    assert len(maths) == 2 and all(v.startswith("<math") for v in maths.values())


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


def test_widget_outputs_and_widget_state_load_nothing_from_a_cdn():
    from scaling.apps.report import _page_html

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("slider")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2,
                                                      "version_minor": 0},
        "text/plain": "IntSlider(value=3)"})]
    nb.cells = [cell]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    page, n_charts = _page_html(nb, neighbours=[("01_w", "W")], position=0, error=None)
    assert n_charts == 0 and external_references(page) == []
    assert "make lab" in page and "unpkg" not in page


def test_entries_keep_name_order_whatever_order_the_notebooks_ran_in(tiny_report):
    assert [entry.name for entry in tiny_report.notebooks] == ["01_tiny", "02_broken"]
    with pytest.raises(ValueError, match="at least 1"):
        build_report(tiny_report.index_path.parents[1] / "nbs", tiny_report.index_path.parent,
                     jobs=0)


def test_a_cell_marked_to_raise_does_not_stop_the_notebook(tiny_report):
    entry = tiny_report.notebooks[0]
    assert entry.ok and len(entry.chart_paths) == 1  # the chart after the raising cell ran
    executed = nbformat.read(entry.executed_path, as_version=4)
    raising = [cell for cell in executed.cells if "KeyError" in cell.source]
    assert RAISES_TAG in raising[0].metadata["tags"]


def test_nbval_checks_the_executed_copies_the_report_wrote(tiny_report, pytester, monkeypatch):
    tiny, broken = tiny_report.notebooks
    assert tiny.executed_path.name == "01_tiny.ipynb" and broken.executed_path.is_file()
    # the stored notebook is what a run saved: the same run's outputs pass (its claim, the
    # raising cell, and the chart cell, whose random ids are not checked under --nbval-lax)
    stored = _as_saved(tiny.executed_path)
    result = _nbval_on_executed(pytester, monkeypatch, {"01_tiny": stored},
                                tiny.executed_path.parent)
    result.assert_outcomes(passed=3)


def test_nbval_on_the_report_fails_for_a_changed_claim_and_a_failing_cell(tiny_report, pytester,
                                                                         monkeypatch):
    tiny, broken = tiny_report.notebooks
    stored = _as_saved(tiny.executed_path)
    claim = next(cell for cell in stored.cells if "NBVAL_CHECK_OUTPUT" in cell.source)
    claim.outputs[0]["text"] = "answer 41\n"
    result = _nbval_on_executed(
        pytester, monkeypatch,
        {"01_tiny": stored, "02_broken": nbformat.read(broken.executed_path, as_version=4)},
        tiny.executed_path.parent)
    result.assert_outcomes(passed=3, failed=2, skipped=1)
    text = result.stdout.str()
    assert "01_tiny.ipynb::Cell 0" in text and "answer 41" in text and "answer 42" in text
    assert "02_broken.ipynb::Cell 1" in text and "unknown cluster name" in text
    assert "not run: the report stopped this notebook at Cell 1" in text
