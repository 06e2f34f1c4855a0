"""nbval checks the notebooks the report executed (``tests/nbval_executed.py``): the same
items, markers, comparison and messages as ``pytest --nbval-lax``, with the new outputs read
from ``reports/executed`` instead of a second kernel run.

The notebooks here are written by hand (a stored notebook and its "executed" copy), so no
kernel starts; ``tests/test_report.py`` checks a copy the report really executed.
"""

from __future__ import annotations

import nbformat
import pytest

pytest_plugins = ["pytester"]

#: The inner pytest sessions load only nbval and the plugin (entry-point plugins such as
#: hypothesis' are not autoloaded: that takes most of a session's second).
PLUGIN = ["-p", "nbval", "-p", "tests.nbval_executed"]


@pytest.fixture(autouse=True)
def _no_plugin_autoload(monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


def _cell(source, outputs=(), execution_count=1, tags=()):
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.v4.new_output(**output) for output in outputs]
    cell.execution_count = execution_count
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _stdout(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


def _notebook(cells):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [nbformat.v4.new_markdown_cell("# A notebook"), *cells]
    return notebook


def _stored():
    """The notebook as saved: an unchecked cell, a checked claim, a checked table."""
    return _notebook([
        _cell("import random\nprint(random.random())", [_stdout("0.123\n")]),
        _cell("# NBVAL_CHECK_OUTPUT\nprint('answer', 6 * 7)", [_stdout("answer 42\n")], 2),
        _cell("# NBVAL_CHECK_OUTPUT\n{'a': 1}", [{
            "output_type": "execute_result", "execution_count": 3, "metadata": {},
            "data": {"text/plain": "{'a': 1}"}}], 3),
    ])


def _run(pytester, executed=None, *options, stored=None):
    """Write notebooks/01_nb.ipynb (stored) and run/01_nb.ipynb (executed); run the check."""
    (pytester.path / "notebooks").mkdir()
    (pytester.path / "run").mkdir()
    nbformat.write(stored or _stored(), pytester.path / "notebooks" / "01_nb.ipynb")
    if executed is not None:
        nbformat.write(executed, pytester.path / "run" / "01_nb.ipynb")
    return pytester.runpytest_inprocess(*PLUGIN, "--nbval-lax", "--nbval-executed", "run",
                                        "-p", "no:cacheprovider", "--color=no", "-rs", *options,
                                        "notebooks")


def _executed(**changes):
    """The stored notebook as the report executed it, with ``changes[k]`` as outputs of the
    k-th code cell (its execution count dropped when None)."""
    notebook = _stored()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for key, outputs in changes.items():
        number = int(key.removeprefix("cell"))
        if outputs is None:
            code[number].outputs, code[number].execution_count = [], None
        else:
            code[number].outputs = [nbformat.v4.new_output(**output) for output in outputs]
    code[0].outputs = [nbformat.v4.new_output(**_stdout("0.987\n"))]  # an unchecked change
    return notebook


def test_the_same_checked_outputs_pass_and_unchecked_cells_may_differ(pytester):
    result = _run(pytester, _executed())
    result.assert_outcomes(passed=3)


def test_a_changed_claim_fails_naming_the_notebook_the_cell_and_the_difference(pytester):
    result = _run(pytester, _executed(cell1=[_stdout("answer 43\n")]))
    result.assert_outcomes(passed=2, failed=1)
    text = result.stdout.str()
    assert "01_nb.ipynb::Cell 1" in text
    assert "Cell outputs differ" in text and "mismatch 'stdout'" in text
    assert "answer 42" in text and "answer 43" in text
    assert "print('answer', 6 * 7)" in text  # the cell's input, as nbval shows it


def test_a_changed_result_repr_fails_on_text_plain(pytester):
    result = _run(pytester, _executed(cell2=[{
        "output_type": "execute_result", "execution_count": 9, "metadata": {"x": 1},
        "data": {"text/plain": "{'a': 2}"}}]))
    result.assert_outcomes(passed=2, failed=1)
    assert "mismatch 'text/plain'" in result.stdout.str()


def test_execution_counts_metadata_and_split_streams_do_not_count(pytester):
    result = _run(pytester, _executed(
        cell1=[_stdout("ans"), _stdout("wer 42\n")],
        cell2=[{"output_type": "execute_result", "execution_count": 17,
                "metadata": {"isolated": True}, "data": {"text/plain": "{'a': 1}"}}]))
    result.assert_outcomes(passed=3)


def test_strict_nbval_checks_every_cell(pytester):
    (pytester.path / "notebooks").mkdir()
    (pytester.path / "run").mkdir()
    nbformat.write(_stored(), pytester.path / "notebooks" / "01_nb.ipynb")
    nbformat.write(_executed(), pytester.path / "run" / "01_nb.ipynb")
    result = pytester.runpytest_inprocess(*PLUGIN, "--nbval", "--nbval-executed", "run",
                                          "-p", "no:cacheprovider", "notebooks")
    result.assert_outcomes(passed=2, failed=1)  # the random number now counts


def test_sanitize_patterns_apply(pytester):
    pytester.makefile(".cfg", sanitize="[numbers]\nregex: \\d+\nreplace: N\n")
    result = _run(pytester, _executed(cell1=[_stdout("answer 43\n")]),
                  "--nbval-sanitize-with", "sanitize.cfg")
    result.assert_outcomes(passed=3)


def test_a_cell_that_raised_fails_with_its_traceback_and_later_cells_are_not_run(pytester):
    error = {"output_type": "error", "ename": "ValueError", "evalue": "unknown cluster",
             "traceback": ["Traceback (most recent call last)", "ValueError: unknown cluster"]}
    result = _run(pytester, _executed(cell1=[error], cell2=None))
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    text = result.stdout.str()
    assert "Cell 1: Cell execution caused an exception" in text
    assert "ValueError: unknown cluster" in text
    assert "not run: the report stopped this notebook at Cell 1" in text


def test_a_cell_expected_to_raise_may_raise(pytester):
    stored = _stored()
    stored.cells.insert(1, _cell("# NBVAL_RAISES_EXCEPTION\n1 / 0", [], None))
    executed = _stored()
    executed.cells.insert(1, _cell("# NBVAL_RAISES_EXCEPTION\n1 / 0", [{
        "output_type": "error", "ename": "ZeroDivisionError", "evalue": "division by zero",
        "traceback": []}], tags=["raises-exception"]))
    result = _run(pytester, executed, stored=stored)
    result.assert_outcomes(passed=4)


def test_nbval_skip_is_honoured(pytester):
    stored = _stored()
    stored.cells[2].source = "# NBVAL_SKIP\n" + stored.cells[2].source
    executed = _executed(cell1=[_stdout("answer 43\n")])
    executed.cells[2].source = stored.cells[2].source
    result = _run(pytester, executed, stored=stored)
    result.assert_outcomes(passed=2, skipped=1)


@pytest.mark.parametrize("case, expected", [
    ("missing", "no executed copy of 01_nb.ipynb"),
    ("edited", "Cell 1 differs from the notebook's"),
    ("fewer cells", "has 2 code cells, the notebook 3"),
    ("parameters", "ran with injected parameters"),
])
def test_a_copy_that_cannot_stand_for_the_notebook_fails_once(pytester, case, expected):
    executed = _executed()
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    if case == "missing":
        executed = None
    elif case == "edited":
        code[1].source = code[1].source.replace("6 * 7", "7 * 6")
    elif case == "fewer cells":
        executed.cells.remove(code[0])
    else:
        executed.cells.insert(1, _cell("# Parameters\nANSWER = 43", [],
                                       tags=["injected-parameters"]))
    result = _run(pytester, executed)
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert expected in text and "make report" in text and "01_nb.ipynb::executed copy" in text


def test_without_the_option_nbval_collects_as_usual(pytester):
    (pytester.path / "notebooks").mkdir()
    nbformat.write(_stored(), pytester.path / "notebooks" / "01_nb.ipynb")
    items, _ = pytester.inline_genitems(*PLUGIN, "--nbval-lax", "notebooks")
    assert [type(item).__name__ for item in items] == ["IPyNbCell"] * 3
    items, _ = pytester.inline_genitems(*PLUGIN, "--nbval-lax", "--nbval-executed", "run",
                                        "notebooks")
    assert {type(item).__name__ for item in items} == {"UnusableCopy"}
