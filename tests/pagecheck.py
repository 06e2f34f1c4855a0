"""Checks of the report's HTML pages: nothing fetched from the network, and every chart
rendered by a real headless browser (Debian's chromium) that cannot resolve any host.

Used by ``tests/test_report.py`` (a tiny report built from a fixture notebook) and
``tests/test_report_pages.py`` (every page ``make report`` wrote, run by ``make test``; also
its screenshots and the code toggles clicked in chromium).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

#: Hosts that serve scripts, styles or fonts; none may appear in a page outside a plain link.
CDN_HOSTS = (
    "cdn.jsdelivr.net", "cdnjs.cloudflare.com", "unpkg.com", "fonts.googleapis.com",
    "fonts.gstatic.com", "ajax.googleapis.com", "code.jquery.com", "cdn.plot.ly", "esm.sh",
    "cdn.skypack.dev", "stackpath.bootstrapcdn.com", "use.fontawesome.com",
)

#: Text a failed chart shows (Altair's loader and the report's own renderer).
ERROR_TEXTS = ("Error loading script", "Javascript Error")

#: Tags whose ``src``/``href`` the browser fetches by itself when the page loads.
FETCHING_TAGS = {"script": "src", "link": "href", "img": "src", "iframe": "src",
                 "source": "src", "embed": "src", "object": "data", "video": "src",
                 "audio": "src", "track": "src"}

#: Launch flags of headless chromium that work as root in a container; the resolver rule
#: makes every host unresolvable, so the page is loaded exactly as it would be offline.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND",
)

#: Virtual time the page gets to run its scripts before the DOM is dumped [ms].
VIRTUAL_TIME_BUDGET_MS = 15000

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "param", "source", "track", "wbr"}


def _is_external(url: str) -> bool:
    url = url.strip().lower()
    return url.startswith(("http://", "https://", "//", "ftp://"))


class _Scan(HTMLParser):
    """One pass over a page: fetched URLs, style text, visible text and the charts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fetched: list[tuple[str, str]] = []     # (tag, url)
        self.links: list[str] = []                   # href of <a>
        self.styles: list[str] = []                  # <style> text and style="" attributes
        self.script_text: list[str] = []
        self.text: list[str] = []
        self.charts: list[dict] = []
        self._stack: list[tuple[str, int | None]] = []  # (tag, index of the chart it opens)
        self._raw: str | None = None                 # inside <script> or <style>

    def _chart_open(self) -> int | None:
        for _, index in reversed(self._stack):
            if index is not None:
                return index
        return None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        attr = FETCHING_TAGS.get(tag)
        if attr and attrs.get(attr):
            self.fetched.append((tag, attrs[attr]))
        if tag == "link" and attrs.get("href") and not attr:
            self.fetched.append((tag, attrs["href"]))
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("style"):
            self.styles.append(attrs["style"])
        classes = (attrs.get("class") or "").split()
        chart = self._chart_open()
        if chart is not None:
            if tag == "svg" and "marks" in classes:
                self.charts[chart]["svg"] = True
            elif tag == "canvas":
                self.charts[chart]["canvas"] = True
        if tag in _VOID:
            return
        opens = None
        if chart is None and ({"scaling-chart", "vega-embed"} & set(classes)
                              or (attrs.get("id") or "").startswith("altair-viz")):
            opens = len(self.charts)
            self.charts.append({"svg": False, "canvas": False,
                                "rendered": attrs.get("data-rendered") == "true"})
        self._stack.append((tag, opens))
        if tag in ("script", "style"):
            self._raw = tag

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._raw = None
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth][0] == tag:
                del self._stack[depth:]
                break

    def handle_data(self, data):
        if self._raw == "style":
            self.styles.append(data)
        elif self._raw == "script":
            self.script_text.append(data)
        else:
            self.text.append(data)


def scan(page_html: str) -> _Scan:
    parser = _Scan()
    parser.feed(page_html)
    parser.close()
    return parser


def external_references(page_html: str) -> list[str]:
    """What in a page would make the browser go to the network (empty list: nothing).

    Looks at the URLs the browser fetches by itself (``src``/``href`` of script, link, img,
    iframe, ...), ``url(...)`` and ``@import`` in styles (fonts, images), and any mention of
    a CDN host in scripts (loaders such as Altair's build their URLs in JavaScript).
    """
    page = scan(page_html)
    problems = [f"<{tag}> fetches {url}" for tag, url in page.fetched if _is_external(url)]
    for style in page.styles:
        lowered = style.lower()
        for marker in ("url(http", "url('http", 'url("http', "url(//", "@import"):
            if marker in lowered:
                problems.append(f"style loads from the network: ...{marker}...")
    scripts = "\n".join(page.script_text)
    problems += [f"a script refers to the CDN host {host}" for host in CDN_HOSTS if host in scripts]
    if "require.min.js" in scripts or "MathJax.Hub" in scripts:
        problems.append("a script loads require.js or MathJax")
    return problems


def broken_local_links(page_path: Path, page_html: str) -> list[str]:
    """Relative links and sources of a page whose target file does not exist."""
    page = scan(page_html)
    broken = []
    for url in page.links + [url for _, url in page.fetched]:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        if not (page_path.parent / unquote(parts.path)).is_file():
            broken.append(url)
    return broken


def chromium_executable() -> str:
    """Path of a headless-capable chromium; skip (or fail under CI=true) when there is none."""
    for name in (os.environ.get("SCALING_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    message = ("no chromium found: `make test` installs Debian's chromium with apt-get "
               "(or set SCALING_CHROMIUM to a Chrome/Chromium binary)")
    if os.environ.get("CI"):
        pytest.fail(f"the browser check must run in CI, but {message}")
    pytest.skip(message)


def _run_chromium(chromium: str, page: Path, *options: str,
                  budget_ms: int = VIRTUAL_TIME_BUDGET_MS):
    with tempfile.TemporaryDirectory(prefix="scaling-chromium-") as profile:
        return subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             f"--virtual-time-budget={budget_ms}", *options, page.resolve().as_uri()],
            capture_output=True, text=True, timeout=180, check=False,
            stdin=subprocess.DEVNULL,
        )


def screenshot(chromium: str, page: Path, png: Path, *, width: int, height: int) -> Path:
    """A PNG of the top ``width`` x ``height`` pixels of the page after its scripts ran
    (headless chromium, no network)."""
    png.parent.mkdir(parents=True, exist_ok=True)
    result = _run_chromium(chromium, page, "--hide-scrollbars", f"--window-size={width},{height}",
                           f"--screenshot={png.resolve()}")
    if result.returncode != 0 or not png.is_file():
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise AssertionError(f"chromium could not screenshot {page.name} "
                             f"(exit {result.returncode}): {tail}")
    return png


def with_script(page: Path, script: str, folder: Path) -> Path:
    """A copy of the page in ``folder`` with ``script`` run at the end of its body (after the
    page's own scripts), e.g. to click its controls before the DOM is dumped."""
    text = page.read_text(encoding="utf-8")
    at = text.rindex("</body>")
    copy = folder / page.name
    copy.write_text(f"{text[:at]}<script>{script}</script>{text[at:]}", encoding="utf-8")
    return copy


def dump_dom(chromium: str, page: Path, *, budget_ms: int = VIRTUAL_TIME_BUDGET_MS) -> str:
    """The page's DOM after its scripts ran, from headless chromium with no network."""
    result = _run_chromium(chromium, page, "--dump-dom", budget_ms=budget_ms)
    if result.returncode != 0 or "<html" not in result.stdout:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise AssertionError(f"chromium could not load {page.name} (exit {result.returncode}): {tail}")
    return result.stdout


def chart_problems(dom: str) -> tuple[int, list[str]]:
    """Number of charts in a rendered DOM and what is wrong with them (empty: all rendered)."""
    page = scan(dom)
    problems = []
    for index, chart in enumerate(page.charts, start=1):
        if not (chart["svg"] or chart["canvas"]):
            problems.append(f"chart {index} has no Vega view (no svg.marks or canvas)")
    text = " ".join(" ".join(page.text).split())
    for marker in ERROR_TEXTS:
        if marker in text:
            start = text.index(marker)
            problems.append(f"error text on the page: {text[start:start + 200]!r}")
    return len(page.charts), problems


_SPECS = re.compile(r"<script[^>]*id=['\"]scaling-chart-specs['\"][^>]*>(.*?)</script>", re.S)


def _params_with_bind(node) -> list[str]:
    found = []
    if isinstance(node, dict):
        for param in node.get("params", []) or []:
            bind = param.get("bind") if isinstance(param, dict) else None
            if isinstance(bind, dict) and "input" in bind:  # not "legend" or "scales"
                found.append(param.get("name", "?"))
        for value in node.values():
            found += _params_with_bind(value)
    elif isinstance(node, list):
        for value in node:
            found += _params_with_bind(value)
    return found


def bound_parameters(page_html: str) -> list[list[str]]:
    """Per chart of a report page, the names of its parameters bound to an HTML input (a
    slider or a drop-down that works without a kernel)."""
    match = _SPECS.search(page_html)
    if match is None:
        return []
    return [_params_with_bind(spec) for spec in json.loads(match.group(1))]


def bound_inputs(dom: str) -> list[str]:
    """Labels of the input elements Vega-Embed rendered for bound parameters in a DOM."""
    return re.findall(r"class=['\"]vega-bind-name['\"][^>]*>([^<]*)<", dom)
