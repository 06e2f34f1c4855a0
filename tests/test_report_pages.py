"""Every page of a built report works offline: checked statically and in headless chromium.

``make test`` builds the report (as ``make report`` does) and then runs
``pytest --report-dir reports tests/test_report_pages.py`` (in the same pytest run as nbval's
check of the notebooks the report executed). Without ``--report-dir`` (a plain
``pytest tests``) there are no pages to check and this module is skipped; the report builder
itself is checked on a tiny notebook in ``tests/test_report.py``. The pages load in chromium
side by side, one browser per core.

Issue 16 (a report for readers): every notebook page opens with its question and its computed
answer before any code, folds every code cell (``<details>``) and has one button that opens
them all; ``test_every_page_toggle_expands_its_code`` clicks it in chromium on every page.
``test_screenshots`` saves PNGs of two pages and of the index under ``reports/screenshots/``
(:data:`SCREENSHOT_PAGES`), to look at.
"""

import os
import re
import struct
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pagecheck import (bound_inputs, bound_parameters, broken_local_links, chart_problems,
                       chromium_executable, dump_dom, external_references, scan, screenshot,
                       with_script)
from scaling.apps.report_html import CODE_CLASS, TOGGLE_ID

#: Charts of the report whose sliders must work in the static page (issue 11: at least two).
MIN_SLIDER_CHARTS = 2

#: Most chromium processes loading pages at once (one per core up to this).
MAX_BROWSERS = 4

#: Pages of the report photographed by ``test_screenshots`` (each shows its answer on top, its
#: code folded and an HTML table within the first :data:`SCREENSHOT_SIZE` pixels), and the index.
SCREENSHOT_PAGES = ("05_stargate_in_perspective.html", "06_reliability_at_a_million_chips.html",
                    "index.html")
#: Width and height of the screenshots [CSS pixels].
SCREENSHOT_SIZE = (1280, 2000)
#: Folder of the report (under ``--report-dir``) that receives the screenshots.
SCREENSHOT_DIR = "screenshots"
#: Virtual time a page gets before its toggle is clicked [ms] (its charts need not render).
CLICK_BUDGET_MS = 3000

# Run at the end of a page: open the first code cell by its summary, then every cell with the
# page's button; the DOM then records both.
_CLICK_SCRIPT = """
var first = document.querySelector("details.%(cls)s");
if (first) { first.querySelector("summary").click(); }
document.body.setAttribute("data-first-opened", String(Boolean(first && first.open)));
document.getElementById("%(id)s").click();
""" % {"cls": CODE_CLASS, "id": TOGGLE_ID}
_DETAILS = re.compile(r"<details\b[^>]*class=['\"]%s['\"][^>]*>" % CODE_CLASS)


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


def _notebook_pages(report_dir: Path) -> list[Path]:
    return sorted(p for p in report_dir.glob("*.html") if p.name != "index.html")


def test_every_page_opens_with_its_question_and_answer_before_code(report_dir):
    for page in _notebook_pages(report_dir):
        text = page.read_text(encoding="utf-8")
        question = re.search(r"class=['\"]scaling-question['\"]", text)
        answer = re.search(r"class=['\"]scaling-answer['\"]", text)
        details = [m.group(0) for m in _DETAILS.finditer(text)]
        assert question is not None, f"{page.name} shows no question"
        assert answer is not None, f"{page.name} shows no answer"
        assert details, f"{page.name} folds no code"
        assert question.start() < answer.start() < text.find(details[0]), \
            f"{page.name}: code before the question and answer"
        assert not [d for d in details if re.search(r"\sopen\b", d)], \
            f"{page.name}: code shown by default"


def test_every_page_toggle_expands_its_code(report_dir, chromium):
    pages = _notebook_pages(report_dir)
    with tempfile.TemporaryDirectory(prefix="scaling-toggle-") as folder:
        copies = [with_script(page, _CLICK_SCRIPT, Path(folder)) for page in pages]
        n_browsers = max(1, min(os.cpu_count() or 1, MAX_BROWSERS, len(pages)))
        with ThreadPoolExecutor(n_browsers) as pool:
            doms = list(pool.map(lambda copy: dump_dom(chromium, copy, budget_ms=CLICK_BUDGET_MS),
                                 copies))
    for page, dom in zip(pages, doms):
        details = [m.group(0) for m in _DETAILS.finditer(dom)]
        closed = [d for d in details if not re.search(r"\sopen\b", d)]
        assert details and not closed, f"{page.name}: {len(closed)} of {len(details)} code " \
                                       f"cells still folded after the toggle"
        assert 'data-first-opened="true"' in dom, f"{page.name}: a summary click opens nothing"
        button = re.search(r'<button[^>]*id="%s"[^>]*>' % TOGGLE_ID, dom)
        assert button and 'aria-pressed="true"' in button.group(0), page.name


def _png_size(path: Path) -> tuple[int, int]:
    with open(path, "rb") as handle:
        head = handle.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_screenshots(report_dir, chromium):
    width, height = SCREENSHOT_SIZE
    for name in SCREENSHOT_PAGES:
        page = report_dir / name
        assert page.is_file(), f"no {name} in {report_dir}"
        text = page.read_text(encoding="utf-8")
        if name != "index.html":  # what the picture must show, within its height
            assert "scaling-table" in text and "scaling-answer" in text, name
        png = screenshot(chromium, page, report_dir / SCREENSHOT_DIR / f"{page.stem}.png",
                         width=width, height=height)
        assert _png_size(png) == (width, height)
        assert png.stat().st_size > 20_000, f"{png} looks blank"
