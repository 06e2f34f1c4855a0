"""nbval on notebooks that were already executed: ``make test`` runs each notebook once.

``make report`` executes every notebook and saves the executed copies in
``reports/executed/``. With this plugin (loaded by the repository's root ``conftest.py``)::

    pytest --nbval-lax --nbval-executed reports/executed notebooks/

collects ``notebooks/*.ipynb`` with nbval's own collector and cell items, but each cell's new
outputs are read from the executed copy of the same name instead of from a kernel. Everything
else is nbval's: which cells are checked (``# NBVAL_CHECK_OUTPUT`` and the other comment
markers or cell tags, ``--nbval`` or ``--nbval-lax``), the stream coalescing, sanitising
(``--nbval-sanitize-with``), the comparison (``text/plain`` and the other MIME types; images,
metadata and execution counts skipped) and the failure report (notebook, cell, input and the
difference, or the traceback of the exception the cell raised).

Where the outputs come from is the only difference, and it shows in three places:

- a copy executed from another version of the notebook (a code cell's source differs), or
  with parameters injected (``--param``: papermill's ``injected-parameters`` cell), or no copy
  at all fails every cell of that notebook with a message saying to run ``make report``;
- the report stops a notebook at the first cell that raises (nbclient's rule), so the cells
  after it are skipped as "not run" (nbval would run them in the same broken kernel); the
  failing cell itself fails as nbval's would, with the traceback;
- nbclient (not nbval's kernel loop) captured the outputs: ``clear_output`` and display
  updates are applied as a notebook front end applies them. The executed copies are as new
  as the last ``make report``: nothing here checks that the library did not change since
  (``make test`` always builds the report first).
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import IPyNbCell, IPyNbFile, coalesce_streams

#: Tag papermill gives the cell it injects with new parameter values.
INJECTED_TAG = "injected-parameters"

#: Tag of a cell nbclient lets raise without stopping the notebook.
RAISES_TAG = "raises-exception"


def pytest_addoption(parser):
    parser.getgroup("nbval").addoption(
        "--nbval-executed", metavar="DIR", default=None,
        help="with --nbval or --nbval-lax: take each notebook's outputs from the executed copy "
             "of the same name in DIR (make report writes reports/executed) instead of "
             "running it")


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    """Swap nbval's notebook collector for one that reads the executed copy."""
    collectors = yield
    executed_dir = parent.config.getoption("nbval_executed")
    if executed_dir is None or not collectors:
        return collectors
    return [ExecutedNotebook.from_parent(parent, path=file_path,
                                         executed_path=Path(executed_dir) / file_path.name)
            if type(collector) is IPyNbFile else collector for collector in collectors]


def _code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def executed_copy_problem(reference, executed, executed_path: Path) -> str | None:
    """Why ``executed`` cannot stand for a run of ``reference`` (None: it can).

    Parameters
    ----------
    reference, executed : nbformat.NotebookNode
        The notebook with its stored outputs, and the copy ``make report`` executed.
    executed_path : Path
        Where the copy was read from (for the message).
    """
    rerun = "run `make report` (without --param) to execute it again"
    injected = [cell for cell in _code_cells(executed)
                if INJECTED_TAG in cell.metadata.get("tags", [])]
    if injected:
        return (f"{executed_path} ran with injected parameters "
                f"({injected[0].source.strip().splitlines()[-1]}...), so its outputs are not the "
                f"ones the notebook stores: {rerun}")
    ours, theirs = _code_cells(reference), _code_cells(executed)
    if len(ours) != len(theirs):
        return (f"{executed_path} has {len(theirs)} code cells, the notebook {len(ours)}: it was "
                f"executed from another version; {rerun}")
    for number, (mine, run) in enumerate(zip(ours, theirs)):
        if mine.source != run.source:
            return (f"{executed_path}: Cell {number} differs from the notebook's: it was executed "
                    f"from another version; {rerun}")
    return None


class ExecutedNotebook(IPyNbFile):
    """nbval's collector of one notebook, reading new outputs from an executed copy."""

    def __init__(self, *args, executed_path: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.executed_path = executed_path
        self.executed_cells: list = []
        self.failed_cell: int | None = None

    def setup(self):
        """No kernel to start: the outputs were read with the cells."""
        self.setup_sanitize_files()

    def collect(self):
        """nbval's items, or one failing item when there is no usable executed copy."""
        items = list(super().collect())  # also reads the notebook (self.nb)
        if not self.executed_path.is_file():
            problem = (f"no executed copy of {self.path.name} in {self.executed_path.parent}: "
                       f"run `make report` first (it writes one per notebook it runs)")
        else:
            executed = nbformat.read(self.executed_path, as_version=4)
            problem = executed_copy_problem(self.nb, executed, self.executed_path)
        if problem is not None:
            yield UnusableCopy.from_parent(self, name="executed copy", problem=problem)
            return
        self.executed_cells = _code_cells(executed)
        # nbclient stops at the first cell that raises, unless the cell is tagged
        # raises-exception (the report tags the cells nbval expects to raise)
        self.failed_cell = next((number for number, cell in enumerate(self.executed_cells)
                                 if any(output.output_type == "error" for output in cell.outputs)
                                 and RAISES_TAG not in cell.metadata.get("tags", [])), None)
        for item in items:
            yield ExecutedCell.from_parent(self, name=item.name, cell_num=item.cell_num,
                                           cell=item.cell, options=item.options)


class UnusableCopy(pytest.Item):
    """Stands for the cells of a notebook whose executed copy is missing or does not fit."""

    def __init__(self, *args, problem: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.problem = problem

    def runtest(self):
        pytest.fail(self.problem, pytrace=False)

    def reportinfo(self):
        return self.path, 0, f"{self.path.name}::executed copy"


class ExecutedCell(IPyNbCell):
    """nbval's cell item; its new outputs are those of the executed copy."""

    def runtest(self):
        """nbval's ``IPyNbCell.runtest`` with the outputs read instead of computed."""
        if self.options["skip"]:
            pytest.skip()
        notebook = self.parent
        failed = notebook.failed_cell
        if failed is not None and self.cell_num > failed:
            pytest.skip(f"not run: the report stopped this notebook at Cell {failed}, "
                        f"which raised an exception")
        outputs = coalesce_streams(copy.deepcopy(notebook.executed_cells[self.cell_num].outputs))
        self.test_outputs = outputs
        errors = [output for output in outputs if output.output_type == "error"]
        if errors and not self.options["check_exception"]:
            self.raise_cell_error("Cell execution caused an exception",
                                  "\n" + "\n".join(errors[0].get("traceback", [])))
        # as nbval: cells not run in the reference keep no outputs and are not compared
        unrun = self.cell.execution_count is None
        if unrun and self.cell.outputs:
            self.raise_cell_error("Unrun reference cell has outputs")
        if self.options["check"] and not unrun:
            if not self.compare_outputs(outputs, coalesce_streams(
                    copy.deepcopy(self.cell.outputs))):
                self.raise_cell_error("Cell outputs differ", "\n".join(self.comparison_traceback))
