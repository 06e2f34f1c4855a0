"""The architecture of issue 14, kept by tests: a small core, the notebook tables in
``scaling.studies``, the applications in ``scaling.apps``, charts that take finished tables,
a facade of at most 35 names, and dependencies that flow one way.

The rules read the source (``ast``), not the imported modules, so that an import hidden in a
function counts as much as one at the top of a file.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import types
from pathlib import Path

import pytest

import scaling
from scaling.results import Result

PACKAGE = Path(scaling.__file__).parent

#: The core, in the order its modules may import one another: each imports only modules
#: before it (CONTRIBUTING.md, "Where code goes"). Base first, then laws and fits, the
#: machine, reliability and money, the chain and the one inverse, and the forecasts built on
#: them.
CORE_ORDER = (
    # base
    "units", "errors", "_validation", "dates", "results", "data",
    # laws and fits
    "laws", "_huber_newton", "fit",
    # the machine, its prices and its future
    "catalog", "cost", "trends", "hardware", "rental", "valuation", "emissions",
    # the model and its parallel step time
    "model_shape", "training_state", "kernels", "parallelism", "plan_checks", "layout_grid",
    "plan_search",
    "batch_size",
    "efficiency",
    # uncertainty, throughput, reliability
    "uncertainty", "throughput", "checkpointing", "reliability", "fewer",
    # assumptions, the machine as one object, the chain and its inverse
    "assumptions", "clusters", "chain", "solve",
    # the entry points built on them
    "forecasting", "inference", "budget",
)
#: What a chart module may import: it takes finished tables.
PLOTS_MAY_IMPORT = {"scaling._validation", "scaling.units", "scaling.plots"}
#: Configurations with a table view that are not results (inputs, not answers).
CONFIGURATIONS = {"Cluster", "ModelShape"}
MAX_MODULE_LINES = 900
MAX_FUNCTION_CODE_LINES = 60
MAX_FACADE_NAMES = 35


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def _imports(name: str) -> set[str]:
    """Modules of the package that ``name`` imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == "scaling":
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "scaling"}
    return {m for m in out if m in MODULES and m != name}


def _code_lines(node, lines) -> int:
    """Lines of code of a function: no docstring, blank or comment-only lines."""
    body = node.body
    doc = set()
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        doc = set(range(body[0].lineno, body[0].end_lineno + 1))
    return sum(1 for i in range(node.lineno, node.end_lineno + 1)
               if i not in doc and lines[i - 1].strip()
               and not lines[i - 1].strip().startswith("#"))


def _layer(name: str) -> str:
    parts = name.split(".")
    if len(parts) == 1:
        return "facade"
    if parts[1] in ("studies", "apps", "plots"):
        return parts[1]
    return "core"


# --------------------------------------------------------------------------------------------
# size
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_exceeds_900_lines(name):
    n_lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert n_lines <= MAX_MODULE_LINES, f"{name} has {n_lines} lines (at most {MAX_MODULE_LINES})"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_function_exceeds_60_lines_of_code(name):
    lines = MODULES[name].read_text(encoding="utf-8").splitlines()
    long = [f"{node.name} (line {node.lineno}): {_code_lines(node, lines)}"
            for node in ast.walk(TREES[name])
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and _code_lines(node, lines) > MAX_FUNCTION_CODE_LINES]
    assert not long, f"functions of {name} over {MAX_FUNCTION_CODE_LINES} lines of code: {long}"


# --------------------------------------------------------------------------------------------
# dependencies
# --------------------------------------------------------------------------------------------

def test_no_import_circle():
    graph = {name: _imports(name) for name in MODULES}
    state: dict[str, int] = {}   # 1: on the current path, 2: done

    def visit(name, path):
        state[name] = 1
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                circle = path[path.index(other):] + [other]
                pytest.fail("import circle: " + " -> ".join(circle))
            if other not in state:
                visit(other, path + [other])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_every_core_module_has_a_place_in_the_order():
    core = {name.split(".", 1)[1] for name in MODULES if _layer(name) == "core"}
    assert core - {"__main__"} == set(CORE_ORDER)


@pytest.mark.parametrize("name", [f"scaling.{m}" for m in CORE_ORDER])
def test_a_core_module_imports_only_the_core_before_it(name):
    allowed = {f"scaling.{m}" for m in CORE_ORDER[:CORE_ORDER.index(name.split(".")[1])]}
    wrong = sorted(_imports(name) - allowed)
    assert not wrong, (f"{name} imports {wrong}: a core module imports only the core modules "
                       "listed before it in CORE_ORDER, never a study, an app or a chart")


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _layer(n) == "studies"))
def test_a_study_imports_no_app_and_no_chart(name):
    wrong = sorted(m for m in _imports(name) if _layer(m) in ("apps", "plots"))
    assert not wrong, f"{name} imports {wrong}: studies build tables; apps and charts use them"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _layer(n) == "plots"))
def test_charts_take_finished_tables_and_import_no_domain_module(name):
    wrong = sorted(m for m in _imports(name)
                   if m not in PLOTS_MAY_IMPORT and not m.startswith("scaling.plots."))
    assert not wrong, f"{name} imports {wrong}; a chart module imports only {PLOTS_MAY_IMPORT}"


# --------------------------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------------------------

def test_the_facade_has_at_most_35_names_and_no_module():
    assert len(scaling.__all__) <= MAX_FACADE_NAMES, len(scaling.__all__)
    modules = [n for n in scaling.__all__ if isinstance(getattr(scaling, n), types.ModuleType)]
    assert not modules, f"submodules are importable but not in __all__: {modules}"


def test_submodules_are_reachable_from_the_package():
    for name in scaling._SUBMODULES:
        assert isinstance(getattr(scaling, name), types.ModuleType)
    assert {"studies", "apps", "plots", "chain", "solve"} <= set(dir(scaling))


def _public_functions():
    """(function, module) for every function a module lists in ``__all__`` and defines."""
    import importlib

    for name in MODULES:
        if name.endswith("__main__"):
            continue
        module = importlib.import_module(name)
        for public in getattr(module, "__all__", ()):
            value = getattr(module, public, None)
            if inspect.isfunction(value) and value.__module__ == name:
                yield public, name


def test_no_two_public_functions_share_a_name():
    homes: dict[str, list[str]] = {}
    for function, module in _public_functions():
        homes.setdefault(function, []).append(module)
    shared = {f: m for f, m in homes.items() if len(m) > 1}
    assert not shared, f"public functions defined in several modules: {shared}"


def test_every_result_class_derives_from_the_one_result_base():
    """A class that shows itself as a table (``to_frame`` or ``summary``) is a Result, unless
    it is a configuration (an input, such as a Cluster)."""
    import importlib

    offenders = []
    for name, tree in TREES.items():
        for node in tree.body:
            methods = {m.name for m in node.body if isinstance(m, ast.FunctionDef)} \
                if isinstance(node, ast.ClassDef) else set()
            if not methods & {"to_frame", "summary"} or node.name in CONFIGURATIONS \
                    or node.name == "Result":
                continue
            cls = getattr(importlib.import_module(name), node.name)
            if not (issubclass(cls, Result) and dataclasses.is_dataclass(cls)):
                offenders.append(f"{name}.{node.name}")
    assert not offenders, f"results not derived from scaling.results.Result: {offenders}"
