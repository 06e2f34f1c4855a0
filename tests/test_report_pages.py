"""Every page of a built report works offline: checked statically and in headless chromium.

``make test`` builds the report (as ``make report`` does) and then runs
``pytest --report-dir reports tests/test_report_pages.py`` (in the same pytest run as nbval's
check of the notebooks the report executed). Without ``--report-dir`` (a plain
``pytest tests``) there are no pages to check and this module is skipped; the report builder
itself is checked on a tiny notebook in ``tests/test_report.py``. The pages load in chromium
side by side, one browser per core.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pagecheck import (bound_inputs, bound_parameters, broken_local_links, chart_problems,
                       chromium_executable, dump_dom, external_references, scan)

#: Charts of the report whose sliders must work in the static page (issue 11: at least two).
MIN_SLIDER_CHARTS = 2

#: Most chromium processes loading pages at once (one per core up to this).
MAX_BROWSERS = 4


def _pages(config) -> list[Path]:
    report_dir = config.getoption("report_dir")
    if report_dir is None:
        return []
    return sorted(Path(report_dir).glob("*.html"))


def pytest_generate_tests(metafunc):
    if "page" in metafunc.fixturenames:
        pages = _pages(metafunc.config)
        if metafunc.config.getoption("report_dir") is None:
            pages = [None]  # one test, which the report_dir fixture skips with the reason
        metafunc.parametrize("page", pages, ids=[p.name if p else "no-report" for p in pages])


@pytest.fixture(scope="module")
def report_dir(request) -> Path:
    value = request.config.getoption("report_dir")
    if value is None:
        pytest.skip("checks a built report: `make test` runs it as "
                    "`pytest tests/test_report_pages.py --report-dir reports`")
    path = Path(value)
    assert (path / "index.html").is_file(), f"{path} holds no index.html: run `make report` first"
    return path


@pytest.fixture(scope="module")
def chromium():
    return chromium_executable()


@pytest.fixture(scope="module")
def rendered(request, chromium):
    """Page name -> its DOM after the scripts ran, for every page a selected test renders;
    the pages load side by side (one chromium per core), each in its own process."""
    pages = [item.callspec.params["page"] for item in request.session.items
             if getattr(item, "originalname", None) == _RENDER_TEST
             and item.callspec.params.get("page") is not None]
    n_browsers = max(1, min(os.cpu_count() or 1, MAX_BROWSERS, len(pages)))
    with ThreadPoolExecutor(n_browsers) as pool:
        return dict(zip((page.name for page in pages),
                        pool.map(lambda page: _dom_or_error(chromium, page), pages)))


def _dom_or_error(chromium, page: Path):
    try:
        return dump_dom(chromium, page)
    except AssertionError as exc:  # raised again by the page's own test
        return exc


def test_report_has_an_index_and_one_page_per_notebook(report_dir):
    pages = sorted(p.name for p in report_dir.glob("*.html") if p.name != "index.html")
    assert pages, f"no notebook pages in {report_dir}"
    index = (report_dir / "index.html").read_text(encoding="utf-8")
    assert set(pages) <= set(scan(index).links), "index.html does not link every page"
    assert "Failed:" not in index, "the index marks a notebook as failed"


def test_page_references_nothing_external(report_dir, page):
    text = page.read_text(encoding="utf-8")
    assert external_references(text) == []
    assert broken_local_links(page, text) == []
    if page.name != "index.html":
        assert "index.html" in scan(text).links, f"{page.name} does not link back to the index"


_RENDER_TEST = "test_page_renders_every_chart_offline_in_chromium"


def test_page_renders_every_chart_offline_in_chromium(report_dir, page, rendered):
    text = page.read_text(encoding="utf-8")
    expected = len(scan(text).charts)
    dom = rendered[page.name]
    if isinstance(dom, AssertionError):
        raise dom
    n_charts, problems = chart_problems(dom)
    assert problems == []
    assert n_charts == expected
    # every parameter bound to an input (a slider) shows as an input in the rendered page
    bound = [name for names in bound_parameters(text) for name in names]
    assert len(bound_inputs(dom)) == len(bound), (bound, bound_inputs(dom))


def test_report_has_charts_with_sliders_that_work_without_a_kernel(report_dir):
    charts = [names for page in sorted(report_dir.glob("*.html"))
              for names in bound_parameters(page.read_text(encoding="utf-8")) if names]
    assert len(charts) >= MIN_SLIDER_CHARTS, f"only {len(charts)} charts with bound sliders"
