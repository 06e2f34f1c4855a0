"""Shared test configuration.

Tests that need the Chinchilla points (``chinchilla_svg_extracted_data.csv``, not shipped)
read them from ``$SCALING_DATA_DIR`` (``../shared/data`` in CI); when that variable is unset
and the sibling folder exists, it is used. Every test that uses the ``chinchilla_points``
fixture is marked ``needs_chinchilla``; when any such test is selected and the file cannot be
loaded, the session stops before running anything with one message saying which file is
missing and how to get it (``-m "not needs_chinchilla"`` runs the rest).

``--report-dir DIR`` names a built report whose pages ``tests/test_report_pages.py`` checks.
"""

import os
from pathlib import Path

import pytest

_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if "SCALING_DATA_DIR" not in os.environ and _SHARED.is_dir():
    os.environ["SCALING_DATA_DIR"] = str(_SHARED)

NEEDS_CHINCHILLA = "needs_chinchilla"
_CHINCHILLA_FIXTURE = "chinchilla_points"
_chinchilla_status: dict = {}


def pytest_addoption(parser):
    parser.addoption("--report-dir", default=None,
                     help="folder of a built report (make report) whose pages to check")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        f"{NEEDS_CHINCHILLA}: needs chinchilla_svg_extracted_data.csv (set SCALING_DATA_DIR); "
        f"added to every test that uses the {_CHINCHILLA_FIXTURE} fixture",
    )


def _chinchilla_problem() -> str | None:
    """None when the Chinchilla points load, otherwise the loader's one-line reason."""
    if "problem" not in _chinchilla_status:
        from scaling.data import load_chinchilla_points

        try:
            _chinchilla_status["points"] = load_chinchilla_points()
            _chinchilla_status["problem"] = None
        except (FileNotFoundError, ValueError) as exc:
            _chinchilla_status["problem"] = f"{exc.__class__.__name__}: {exc}"
    return _chinchilla_status["problem"]


def _missing_message(n_tests: int) -> str:
    from scaling.data import CHINCHILLA_POINTS

    return (
        f"missing data: {n_tests} selected tests need {CHINCHILLA_POINTS['filename']} (the "
        f"Chinchilla points of Besiroglu et al. 2024, not shipped with the package).\n"
        f"  why: {_chinchilla_problem()}\n"
        f"  fix: set SCALING_DATA_DIR to a folder holding {CHINCHILLA_POINTS['filename']}, "
        f"downloaded from {CHINCHILLA_POINTS['url']}\n"
        f"  (or run the other tests with -m 'not {NEEDS_CHINCHILLA}')"
    )


def pytest_itemcollected(item):
    # marked as soon as collected, so that -m "not needs_chinchilla" can deselect them
    if _CHINCHILLA_FIXTURE in getattr(item, "fixturenames", ()):
        item.add_marker(NEEDS_CHINCHILLA)


@pytest.hookimpl(trylast=True)  # after -m/-k have deselected what they deselect
def pytest_collection_modifyitems(session, config, items):
    needing = [item for item in items if item.get_closest_marker(NEEDS_CHINCHILLA) is not None]
    if needing and _chinchilla_problem() is not None:
        pytest.exit(_missing_message(len(needing)), returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.fixture(scope="session")
def chinchilla_points():
    """The 245 Besiroglu et al. (2024) points (with the ``outlier`` flag)."""
    if _chinchilla_problem() is not None:
        pytest.fail(_missing_message(1), pytrace=False)
    return _chinchilla_status["points"].copy()
