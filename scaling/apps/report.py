"""Execute the curated notebooks headless and write a self-contained HTML report.

``make report`` runs ``python -m scaling.apps.report --notebooks notebooks --out reports``.
For each notebook it writes the executed notebook as one HTML page that works without a
network (the Vega, Vega-Lite and Vega-Embed bundles inlined once per page, the maths rendered
to MathML on the server, no require.js, MathJax or fonts from a CDN), every Altair chart as a
PNG (rendered with vl-convert), the executed notebook itself (``executed/NAME.ipynb``, which
``make test`` checks with nbval instead of running the notebooks a second time: see
``tests/nbval_executed.py``), and one ``index.html`` that links the pages and lists each
notebook's checked claims (the printed output of its ``# NBVAL_CHECK_OUTPUT`` cells).

The notebooks run side by side, each in its own kernel (``--jobs``, by default one per core
up to :data:`MAX_DEFAULT_JOBS`), the longest first as timed by the cell timings saved in the
notebook. A notebook that fails does not stop the report: the others are built, the index
marks the failed one with its one-line reason, and the command exits with status 1 at the
end.

Any notebook can run with other values for the names its ``parameters``-tagged cell assigns
(papermill's convention: the values are injected in a cell after it)::

    python -m scaling.apps.report --param 07_enterprise_right_sizing ACCELERATOR=GB200 \
        --param 07_enterprise_right_sizing PRETRAIN_N_PARAMS=70e9 --only 07_enterprise_right_sizing

``VALUE`` is read as a Python literal (``70e9``, ``[1e10, 1e11]``, ``None``), else as text
(``GB200``); an unknown notebook or parameter name is refused with the closest one suggested.
The index lists the values each notebook ran with.
"""

from __future__ import annotations

import argparse
import ast
import copy
import functools
import html
import json
import os
import re
import struct
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from scaling._validation import unknown_name
from scaling.apps import report_html

__all__ = [
    "NotebookReport",
    "Report",
    "build_report",
    "chart_specs",
    "command",
    "notebook_parameters",
    "parse_parameter",
    "render_markdown_math",
]

#: Marker of the cells whose printed outputs are the notebook's claims (nbval convention).
CLAIM_MARKER = report_html.CLAIM_MARKER

#: Tag of a cell nbclient lets raise without stopping the notebook.
RAISES_TAG = "raises-exception"

#: nbval's tag of a cell expected to raise; its comment marker is ``# NBVAL_RAISES_EXCEPTION``.
#: The report tags such cells :data:`RAISES_TAG`, so that a notebook runs on after them as it
#: does under nbval.
NBVAL_RAISES_TAG = "nbval-raises-exception"
_NBVAL_RAISES = re.compile(r"^\s*#+\s*NBVAL_RAISES_EXCEPTION\s*$", re.M)

#: Seconds one cell may run before the report fails.
CELL_TIMEOUT_S = 600

#: Folder of the report (under ``--out``) that receives the executed notebooks.
EXECUTED_DIR = "executed"

#: Most notebooks run at once by default (each one is a kernel, a few hundred MB of memory).
MAX_DEFAULT_JOBS = 4

#: Resolution multiplier of the exported PNG charts (the index shows them at 1/PNG_SCALE).
PNG_SCALE = 2

#: Vega-Embed options of the charts on the report pages: the SVG renderer (crisp when zoomed,
#: and its ``svg.marks`` element shows the browser check that the chart rendered) and only the
#: export actions (the editor and source links need a network).
EMBED_OPTIONS = {
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}

#: CSS class of the element each chart renders into; the browser check looks for these.
CHART_CLASS = "scaling-chart"

# Altair's HTML renderer embeds the spec as the first argument of an immediately invoked
# function: ``})({...spec...}, {"mode": "vega-lite"});``.
_SPEC_PATTERN = re.compile(r"\}\)\((\{.*\}), (\{\"mode\": \"vega-lite\"[^\n]*\})\);\s*$", re.M)

_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_WIDGET_NOTE = ("<p class='scaling-widget-note'><em>Interactive control (ipywidgets): it needs a "
                "running kernel; open the notebook with <code>make lab</code> to use it.</em></p>")

_TEMPLATE_NAME = "scaling_offline.html.j2"
# The lab template without its CDN scripts (require.js, MathJax, Mermaid, the widget
# manager), with links to the index and the neighbouring pages, and the charts rendered by
# one inlined copy of the Vega bundles at the end of the page.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block extra_css -%}<style type="text/css">{{ resources.scaling.css }}</style>{%- endblock extra_css -%}
{%- block body_header -%}{{ super() }}{{ resources.scaling.header }}{%- endblock body_header -%}
{%- block body_footer -%}{{ resources.scaling.footer }}{{ super() }}{%- endblock body_footer -%}
""" + report_html.TEMPLATE_BLOCKS

_PAGE_CSS = (
    ".scaling-nav{font-family:system-ui,sans-serif;font-size:15px;display:flex;gap:1.5em;"
    "flex-wrap:wrap;padding:.6em 0;margin:0 0 1em;border-bottom:1px solid #ddd}"
    ".scaling-nav.bottom{border-top:1px solid #ddd;border-bottom:none;margin:1em 0 0}"
    ".scaling-failed{font-family:system-ui,sans-serif;background:#fdecea;color:#611a15;"
    "border:1px solid #f5c2c0;padding:.6em .9em;margin:0 0 1em}"
    f".{CHART_CLASS}{{max-width:100%;overflow-x:auto;padding:.3em 0}}"
    ".scaling-chart-error{color:#b00020;font-family:monospace;white-space:pre-wrap}"
    "math[display=block]{margin:.6em 0;font-size:1.15em}"
    ".jp-RenderedMarkdown code.scaling-tex{white-space:pre-wrap}"
    + report_html.CSS
)

# Renders every chart container with the inlined vegaEmbed; a failure is written into the
# container (so the browser check and the reader see it) instead of leaving it blank.
_RENDER_SCRIPT = """
(function () {
  var specs = JSON.parse(document.getElementById("scaling-chart-specs").textContent);
  var options = JSON.parse(document.getElementById("scaling-embed-options").textContent);
  function fail(el, message) {
    var p = document.createElement("p");
    p.className = "scaling-chart-error";
    p.textContent = message;
    el.innerHTML = "";
    el.appendChild(p);
  }
  document.querySelectorAll(".%(cls)s").forEach(function (el) {
    if (typeof window.vegaEmbed !== "function") {
      fail(el, "Error loading script: the inlined Vega bundle did not load");
      return;
    }
    window.vegaEmbed(el, specs[Number(el.dataset.chart)], options)
      .then(function () { el.setAttribute("data-rendered", "true"); })
      .catch(function (err) { fail(el, "Javascript Error: " + err.message); });
  });
})();
""" % {"cls": CHART_CLASS}


@dataclass(frozen=True, slots=True, kw_only=True)
class NotebookReport:
    """What the report produced for one notebook.

    ``error`` is ``None`` when the notebook ran to the end, otherwise the one-line reason
    (exception class and message) it failed; ``html_path`` then holds the partial page (the
    outputs up to the failing cell) when it could be written. ``executed_path`` is the
    executed notebook (``.ipynb``, as far as it ran), which nbval can check.
    """

    name: str
    html_path: Path | None
    chart_paths: tuple[Path, ...]
    claims: tuple[str, ...]
    title: str
    error: str | None = None
    parameters: dict = field(default_factory=dict)
    executed_path: Path | None = None

    @property
    def ok(self) -> bool:
        """True when the notebook ran to the end."""
        return self.error is None


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """The whole report: one entry per notebook and the index page."""

    index_path: Path
    notebooks: tuple[NotebookReport, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> tuple[NotebookReport, ...]:
        """The entries of the notebooks that did not run to the end."""
        return tuple(entry for entry in self.notebooks if not entry.ok)


# --------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------

def _output_spec(output) -> dict | None:
    """The Vega-Lite spec of one notebook output, or None if it is not a chart."""
    data = output.get("data", {})
    for key, value in data.items():
        if key.startswith("application/vnd.vegalite"):
            return value if isinstance(value, dict) else json.loads(value)
    text = data.get("text/html")
    if text is None:
        return None
    text = "".join(text) if isinstance(text, list) else text
    match = _SPEC_PATTERN.search(text)
    return json.loads(match.group(1)) if match else None


def chart_specs(notebook) -> list[dict]:
    """Vega-Lite specs of the Altair charts displayed in an executed notebook.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        An executed notebook.

    Returns
    -------
    list of dict
        One Vega-Lite spec per chart output, in cell order.
    """
    specs = []
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            spec = _output_spec(output)
            if spec is not None:
                specs.append(spec)
    return specs


@functools.lru_cache(maxsize=1)
def _vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script (vl-convert's bundle, ~0.9 MB)."""
    import vl_convert

    # a literal "</script" inside the bundle would end the inline <script> element early
    return vl_convert.javascript_bundle().replace("</script", "<\\/script")


def _json_for_script(value) -> str:
    """JSON safe inside an HTML ``<script>`` element (``<`` only occurs inside strings)."""
    return json.dumps(value, separators=(",", ":")).replace("<", "\\u003c")


# --------------------------------------------------------------------------------------
# Maths: $...$ and $$...$$ become MathML on the server; dollar amounts stay dollar amounts
# --------------------------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)(?<!`)\1(?!`)", re.S)
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
# Pandoc's rule for inline maths: the opening $ has a non-space character right after it,
# the closing $ a non-space character right before it and no digit right after it. So
# "$C = 6ND$" is maths while "$100B and 1 GW ... $37B" holds two dollar amounts.
_INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?=[^\s$])((?:\\.|[^$\\])+?)(?<=[^\s\\])\$(?![\d$])")
_PLACEHOLDER = "ZQSCALINGMATH{}QZ"
_PLACEHOLDER_PATTERN = re.compile(r"ZQSCALINGMATH(\d+)QZ")


def _math_html(tex: str, display: bool) -> str:
    try:
        from latex2mathml.converter import convert

        return convert(tex, display="block" if display else "inline")
    except Exception:  # TeX that latex2mathml cannot parse is shown as TeX, readably
        code = f"<code class='scaling-tex'>{html.escape(tex)}</code>"
        return f"<div>{code}</div>" if display else code


def render_markdown_math(source: str) -> tuple[str, dict[str, str]]:
    """Take the maths out of a Markdown text so it renders without MathJax.

    Display (``$$...$$``) and inline (``$...$``, Pandoc's rule) maths outside code are
    replaced by placeholders and rendered to MathML; every other ``$`` (dollar amounts) is
    escaped so that no Markdown renderer reads it as maths.

    Parameters
    ----------
    source : str
        Markdown text.

    Returns
    -------
    text : str
        The Markdown with placeholders for the maths and ``\\$`` for the other dollars.
    maths : dict of str to str
        Placeholder -> MathML (or ``<code>`` with the TeX where it cannot be converted).

    Examples
    --------
    >>> text, maths = render_markdown_math("costs $5 and $6 for $C = 6ND$ FLOP")
    >>> text
    'costs \\\\$5 and \\\\$6 for ZQSCALINGMATH0QZ FLOP'
    >>> maths["ZQSCALINGMATH0QZ"].startswith("<math")
    True
    """
    maths: dict[str, str] = {}
    return _extract_maths(source, maths), maths


def _extract_maths(source: str, maths: dict[str, str]) -> str:
    """:func:`render_markdown_math`, adding to ``maths`` (placeholders unique per page)."""

    def stash(tex: str, display: bool) -> str:
        key = _PLACEHOLDER.format(len(maths))
        maths[key] = _math_html(tex.strip(), display)
        return key

    def prose(text: str) -> str:
        # keep code spans verbatim, convert maths and escape stray dollars in between
        pieces, last = [], 0
        for match in _CODE_SPAN.finditer(text):
            pieces.append(_prose_outside_code(text[last:match.start()], stash))
            pieces.append(match.group(0))
            last = match.end()
        pieces.append(_prose_outside_code(text[last:], stash))
        return "".join(pieces)

    out, block, fence = [], [], None
    for line in source.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None and match:
            out.append(prose("".join(block)))
            block, fence = [line], match.group(1)[0] * 3
        elif fence is not None:
            block.append(line)
            if line.strip().startswith(fence) and len(block) > 1:
                out.append("".join(block))
                block, fence = [], None
        else:
            block.append(line)
    out.append("".join(block) if fence is not None else prose("".join(block)))
    return "".join(out)


def _prose_outside_code(text: str, stash) -> str:
    text = _DISPLAY_MATH.sub(lambda m: stash(m.group(1), True), text)
    text = _INLINE_MATH.sub(lambda m: stash(m.group(1), False), text)
    return re.sub(r"(?<!\\)\$", r"\\$", text)


def _put_back_maths(page: str, maths: dict[str, str]) -> str:
    """Replace the placeholders: MathML in text, the bare word 'math' inside tags (ids)."""
    page = re.sub(r"<[^<>]*>", lambda m: _PLACEHOLDER_PATTERN.sub("math", m.group(0)), page)
    return _PLACEHOLDER_PATTERN.sub(lambda m: maths.get(m.group(0), m.group(0)), page)


# --------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------

def _offline_copy(notebook):
    """A copy of the notebook ready for offline HTML, its chart specs and its maths."""
    notebook = copy.deepcopy(notebook)
    specs: list[dict] = []
    maths: dict[str, str] = {}

    def take_maths(text):
        return _extract_maths("".join(text) if isinstance(text, list) else text, maths)

    for cell in notebook.cells:
        if cell.get("cell_type") == "markdown":
            cell.source = take_maths(cell.source)
            continue
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not data:
                continue
            spec = _output_spec(output)
            if spec is not None:
                output["data"] = {
                    "text/html": f"<div class='{CHART_CLASS}' data-chart='{len(specs)}'></div>",
                    "text/plain": "<chart>",
                }
                specs.append(spec)
                continue
            if "text/markdown" in data:
                data["text/markdown"] = take_maths(data["text/markdown"])
            if _WIDGET_VIEW in data:  # a live control needs a kernel: say so instead
                output["data"] = {"text/html": _WIDGET_NOTE, "text/plain": "<widget>"}
    notebook.metadata.pop("widgets", None)
    return notebook, specs, maths


def _nav(entries_names: list[tuple[str, str]], position: int, where: str) -> str:
    links = ["<a href='index.html'>&#8592; Report index</a>"]
    if position > 0:
        name, title = entries_names[position - 1]
        links.append(f"<a href='{html.escape(name)}.html'>&#8249; {html.escape(title)}</a>")
    if position < len(entries_names) - 1:
        name, title = entries_names[position + 1]
        links.append(f"<a href='{html.escape(name)}.html'>{html.escape(title)} &#8250;</a>")
    return f"<nav class='scaling-nav {where}'>{''.join(links)}</nav>"


def _page_html(notebook, *, neighbours: list[tuple[str, str]], position: int,
               error: str | None) -> tuple[str, int]:
    """The offline HTML page of an executed notebook and its number of charts."""
    import jinja2
    from nbconvert import HTMLExporter

    page_nb, specs, maths = _offline_copy(notebook)
    header = _nav(neighbours, position, "top")
    if error is not None:
        header += (f"<div class='scaling-failed'><strong>This notebook failed:</strong> "
                   f"{html.escape(error)}. The outputs below stop at the failing cell.</div>")
    header += _summary(page_nb, notebook, fallback=neighbours[position][1])
    footer = _nav(neighbours, position, "bottom") + f"<script>{report_html.TOGGLE_SCRIPT}</script>"
    if specs:
        footer += (
            f"<script type='application/json' id='scaling-chart-specs'>{_json_for_script(specs)}"
            f"</script><script type='application/json' id='scaling-embed-options'>"
            f"{_json_for_script(EMBED_OPTIONS)}</script>"
            f"<script>{_vega_bundle()}</script><script>{_RENDER_SCRIPT}</script>"
        )
    exporter = HTMLExporter(
        template_name="lab",
        template_file=_TEMPLATE_NAME,
        extra_loaders=[jinja2.DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
    )
    resources = {"scaling": {"css": _PAGE_CSS, "header": header, "footer": footer}}
    body, _ = exporter.from_notebook_node(page_nb, resources=resources)
    return _put_back_maths(body, maths), len(specs)


def _summary(page_nb, notebook, *, fallback: str) -> str:
    """The page's opening block (title, question, answer, code toggle); the title and the
    question leave the first Markdown cell of ``page_nb`` (its maths already placeholders)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    first = next((cell for cell in page_nb.cells if cell.get("cell_type") == "markdown"), None)
    title, question = fallback, ""
    if first is not None:
        found, question, rest = report_html.split_question(first.source)
        title, first.source = found or fallback, rest
    answer = report_html.answer_html(report_html.answer_cells(notebook))
    return report_html.summary_html(title, markdown2html_mistune(question) if question else "",
                                    answer)


def _claims(notebook) -> tuple[str, ...]:
    claims = []
    for cell in notebook.cells:
        if cell.get("cell_type") != "code" or not cell.source.lstrip().startswith(CLAIM_MARKER):
            continue
        texts = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append(output.get("text", ""))
            elif "text/plain" in output.get("data", {}):  # a table: a block of its own
                texts.append(output["data"]["text/plain"].rstrip("\n") + "\n")
        claims.append("".join(texts).strip("\n").rstrip())
    return tuple(c for c in claims if c)


def _title(notebook, fallback: str) -> str:
    for cell in notebook.cells:
        if cell.get("cell_type") == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def _one_line(exc: BaseException) -> str:
    """``ExceptionClass: first line of the message``, never a traceback."""
    from nbclient.exceptions import CellExecutionError

    if isinstance(exc, CellExecutionError):
        name, message = exc.ename, exc.evalue
    else:
        name, message = exc.__class__.__name__, str(exc)
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    return f"{name}: {lines[0]}" if lines else name


def _parameters_cell(notebook):
    """The cell tagged ``parameters`` (papermill's convention), or None."""
    for cell in notebook.cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get(
                "tags", []):
            return cell
    return None


def notebook_parameters(path: str | Path) -> tuple[str, ...]:
    """Names a notebook's ``parameters``-tagged cell assigns (the values a run may change).

    Parameters
    ----------
    path : str or Path
        The notebook.

    Returns
    -------
    tuple of str
        In the order of the cell; empty when the notebook has no such cell.
    """
    import nbformat

    cell = _parameters_cell(nbformat.read(Path(path), as_version=4))
    if cell is None:
        return ()
    names = []
    for node in ast.parse(cell.source).body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else [])
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name) and name.id not in names:
                    names.append(name.id)
    return tuple(names)


def parse_parameter(text: str) -> tuple[str, object]:
    """``"NAME=VALUE"`` -> ``(NAME, value)``: VALUE as a Python literal, else as text.

    Examples
    --------
    >>> parse_parameter("PRETRAIN_N_PARAMS=70e9")
    ('PRETRAIN_N_PARAMS', 70000000000.0)
    >>> parse_parameter("ACCELERATOR=GB200")
    ('ACCELERATOR', 'GB200')
    >>> parse_parameter("CLUSTERS=['frontier', 'eos-mlperf']")
    ('CLUSTERS', ['frontier', 'eos-mlperf'])
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise ValueError(f"--param: expected NAME=VALUE (e.g. ACCELERATOR=GB200), got {text!r}")
    try:
        return name, ast.literal_eval(value.strip())
    except (ValueError, SyntaxError):
        return name, value.strip()


def _check_parameters(path: Path, values: dict) -> None:
    names = notebook_parameters(path)
    if not names:
        raise ValueError(f"{path.name} has no cell tagged 'parameters'; it takes no --param")
    for name in values:
        if name not in names:
            raise unknown_name(f"parameter of {path.stem}", name, names)


def _inject(notebook, values: dict) -> None:
    """Insert the injected-parameters cell after the ``parameters`` cell (papermill's way)."""
    from papermill.parameterize import parameterize_notebook

    # the metadata papermill's loader adds (papermill.iorw.load_notebook_node)
    notebook.metadata.setdefault("papermill", {"default_parameters": {}, "parameters": {},
                                               "environment_variables": {}})
    for cell in notebook.cells:
        cell.metadata.setdefault("tags", [])
        cell.metadata.setdefault("papermill", {})
    return parameterize_notebook(notebook, values, kernel_name="python3", language="python")


def _execute(path: Path, parameters: dict | None = None):
    """Run one notebook (with ``parameters`` injected); return it (executed as far as it
    went) and the error line or None."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:  # a failed run must not show the saved outputs of later cells
        if cell.get("cell_type") == "code":
            cell.outputs = []
            cell.execution_count = None
            tags = cell.metadata.get("tags", [])
            if (_NBVAL_RAISES.search(cell.source) or NBVAL_RAISES_TAG in tags) and \
                    RAISES_TAG not in tags:
                cell.metadata["tags"] = [*tags, RAISES_TAG]  # nbclient goes on, as nbval does
    if parameters:
        notebook = _inject(notebook, parameters)
    try:
        NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT_S,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    except Exception as exc:  # any failure of this notebook is reported, the others still run
        return notebook, _one_line(exc)
    return notebook, None


def _expected_run_s(path: Path) -> float:
    """Seconds the notebook's cells took when it was last saved (the cell timings nbclient
    and JupyterLab record); infinite when it holds none, so that unknown ones start first."""
    import nbformat

    total_s = 0.0
    for cell in nbformat.read(path, as_version=4).cells:
        timing = cell.get("metadata", {}).get("execution", {})
        try:
            start = datetime.fromisoformat(timing["iopub.execute_input"])
            end = datetime.fromisoformat(timing["shell.execute_reply"])
        except (KeyError, TypeError, ValueError):
            continue
        total_s += max((end - start).total_seconds(), 0.0)
    return total_s if total_s > 0 else float("inf")


def _import_before_threads(with_parameters: bool) -> None:
    """Import what the worker threads use once, here, rather than first in two threads."""
    import latex2mathml.converter  # noqa: F401
    import nbclient  # noqa: F401
    import nbconvert  # noqa: F401
    import vl_convert  # noqa: F401

    if with_parameters:
        import papermill.parameterize  # noqa: F401


def _n_jobs(jobs: int | None, n_notebooks: int) -> int:
    if jobs is None:
        jobs = min(os.cpu_count() or 1, MAX_DEFAULT_JOBS)
    if int(jobs) < 1:
        raise ValueError(f"jobs: expected a whole number of at least 1, got {jobs!r}")
    return max(1, min(int(jobs), n_notebooks))


def _build_one(path: Path, out_dir: Path, *, neighbours: list[tuple[str, str]], position: int,
               parameters: dict) -> NotebookReport:
    """Execute one notebook and write its executed copy, its page and its charts."""
    import nbformat

    stem = path.stem
    notebook, error = _execute(path, parameters)
    executed_path: Path | None = out_dir / EXECUTED_DIR / path.name
    html_path: Path | None = out_dir / f"{stem}.html"
    chart_paths: tuple[Path, ...] = ()
    try:
        executed_path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, executed_path)
    except Exception as exc:  # nbval then reports the copy as missing
        error = error or f"writing the executed notebook failed: {_one_line(exc)}"
        executed_path = None
    try:
        page, _ = _page_html(notebook, neighbours=neighbours, position=position, error=error)
        html_path.write_text(page, encoding="utf-8")
        chart_paths = _write_pngs(notebook, stem, out_dir)
    except Exception as exc:  # a page that cannot be written fails this notebook only
        error = error or f"writing its page failed: {_one_line(exc)}"
        if not html_path.is_file():
            html_path = None
    return NotebookReport(name=stem, html_path=html_path, chart_paths=chart_paths,
                          claims=_claims(notebook), title=neighbours[position][1], error=error,
                          parameters=parameters, executed_path=executed_path)


def _write_pngs(notebook, stem: str, out_dir: Path) -> tuple[Path, ...]:
    import vl_convert

    chart_dir = out_dir / "charts"
    chart_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, spec in enumerate(chart_specs(notebook), start=1):
        png_path = chart_dir / f"{stem}_{k:02d}.png"
        png_path.write_bytes(vl_convert.vegalite_to_png(spec, scale=PNG_SCALE))
        paths.append(png_path)
    return tuple(paths)


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height [pixels] from a PNG's IHDR chunk."""
    with open(path, "rb") as handle:
        head = handle.read(24)
    return struct.unpack(">II", head[16:24])


_INDEX_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;"
    "line-height:1.45}pre{background:#f5f5f5;padding:.6em;overflow-x:auto}"
    ".chart{overflow-x:auto;margin:.8em 0 1.4em}.chart img{max-width:none;border:1px solid #ddd}"
    "nav.toc li{margin:.2em 0}.failed{color:#b00020}"
    ".reason{background:#fdecea;color:#611a15;border:1px solid #f5c2c0;padding:.6em .9em}"
    "h2{margin-top:2em;border-top:1px solid #ddd;padding-top:1em}"
)


def _index_html(entries: tuple[NotebookReport, ...], out_dir: Path) -> str:
    n_ok = sum(entry.ok for entry in entries)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>scaling report</title><style>{_INDEX_CSS}</style></head><body>",
        "<h1>scaling: training time, energy and dollars versus parameter count</h1>",
        "<p>Every notebook below was executed headless by <code>make report</code>. Each entry "
        "links the rendered notebook (interactive charts, works offline), lists its checked "
        "claims (the cells nbval verifies) and shows its charts as images; click a chart for "
        f"the full-resolution PNG. {n_ok} of {len(entries)} notebooks ran to the end.</p>",
        "<nav class='toc'><ol>",
    ]
    for entry in entries:
        status = "" if entry.ok else " <span class='failed'>(failed)</span>"
        parts.append(f"<li><a href='#{html.escape(entry.name)}'>{html.escape(entry.title)}</a>"
                     f"{status}</li>")
    parts.append("</ol></nav>")
    for entry in entries:
        title = html.escape(entry.title)
        if entry.html_path is not None:
            rel = html.escape(entry.html_path.relative_to(out_dir).as_posix())
            heading = f"<a href='{rel}'>{title}</a>"
        else:
            heading = title
        parts.append(f"<h2 id='{html.escape(entry.name)}'>{heading}</h2>")
        page_link = "" if entry.html_path is None else f" &middot; <a href='{rel}'>open the page</a>"
        parts.append(f"<p><code>{html.escape(entry.name)}.ipynb</code>{page_link}</p>")
        if entry.parameters:
            given = ", ".join(f"{k}={v!r}" for k, v in entry.parameters.items())
            parts.append(f"<p class='parameters'>Run with parameters: "
                         f"<code>{html.escape(given)}</code></p>")
        if not entry.ok:
            partial = " The page linked above shows the outputs up to the failing cell." \
                if entry.html_path is not None else ""
            parts.append(f"<p class='reason'><strong>Failed:</strong> "
                         f"{html.escape(entry.error)}.{partial}</p>")
        for claim in entry.claims:
            parts.append(f"<pre>{html.escape(claim)}</pre>")
        for png in entry.chart_paths:
            src = html.escape(png.relative_to(out_dir).as_posix())
            width, height = _png_size(png)
            parts.append(
                f"<div class='chart'><a href='{src}'><img src='{src}' alt='chart {src}' "
                f"width='{width // PNG_SCALE}' height='{height // PNG_SCALE}'></a></div>")
    parts.append("</body></html>")
    return "\n".join(parts)


def build_report(notebooks_dir: str | Path, out_dir: str | Path, *, progress: bool | None = None,
                 parameters: dict | None = None, only=None, jobs: int | None = None) -> Report:
    """Execute every ``*.ipynb`` in ``notebooks_dir`` and write the report to ``out_dir``.

    A notebook that fails is marked in the index with its one-line reason and the others
    are still built; check :attr:`Report.failed`.

    Parameters
    ----------
    notebooks_dir : str or Path
        Folder holding the notebooks; they run in name order with that folder as working
        directory.
    out_dir : str or Path
        Destination folder; created if needed. Receives ``index.html``, one self-contained
        HTML page per notebook, ``charts/*.png`` and the executed notebooks
        (``executed/*.ipynb``).
    progress : bool, optional
        Show a tqdm progress bar; by default only when standard error is a terminal.
    parameters : Mapping[str, Mapping[str, object]], optional
        Notebook name (with or without ``.ipynb``) -> ``{parameter: value}`` to inject after
        its ``parameters`` cell (papermill's convention); names are checked against the
        cell.
    only : sequence of str, optional
        Build only these notebooks (names with or without ``.ipynb``).
    jobs : int, optional
        Notebooks run at once, each in its own kernel; by default one per core, at most
        :data:`MAX_DEFAULT_JOBS`. The longest notebooks (by the cell timings saved in them)
        start first.

    Returns
    -------
    Report

    Raises
    ------
    FileNotFoundError
        If ``notebooks_dir`` holds no notebook.
    ValueError
        An unknown notebook or parameter name (the closest is suggested).
    """
    import nbformat
    from tqdm.auto import tqdm

    notebooks_dir = Path(notebooks_dir)
    out_dir = Path(out_dir)
    paths = sorted(notebooks_dir.glob("*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no notebooks (*.ipynb) found in {notebooks_dir}")
    by_stem = {path.stem: path for path in paths}

    def stem_of(name: str, what: str) -> str:
        stem = str(name).removesuffix(".ipynb")
        if stem not in by_stem:
            raise unknown_name(what, name, list(by_stem))
        return stem

    wanted = {stem_of(name, "notebook") for name in (
        [only] if isinstance(only, str) else only)} if only is not None else set(by_stem)
    values = {}
    for name, given in (parameters or {}).items():
        stem = stem_of(name, "notebook (--param)")
        _check_parameters(by_stem[stem], dict(given))
        values[stem] = dict(given)
    paths = [path for path in paths if path.stem in wanted]
    n_jobs = _n_jobs(jobs, len(paths))
    out_dir.mkdir(parents=True, exist_ok=True)
    if progress is None:
        progress = sys.stderr.isatty()

    neighbours = [(path.stem, _title(nbformat.read(path, as_version=4), path.stem))
                  for path in paths]
    _import_before_threads(with_parameters=bool(values))
    entries: list = [None] * len(paths)
    with ThreadPoolExecutor(n_jobs) as pool:
        running = {pool.submit(_build_one, path, out_dir, neighbours=neighbours,
                               position=position, parameters=values.get(path.stem, {})): position
                   for position, path in sorted(enumerate(paths),
                                                key=lambda item: -_expected_run_s(item[1]))}
        for done in tqdm(as_completed(running), total=len(running), desc="notebooks", unit="nb",
                         disable=not progress):
            entries[running[done]] = done.result()
    entries = tuple(entries)
    index_path = out_dir / "index.html"
    index_path.write_text(_index_html(entries, out_dir), encoding="utf-8")
    return Report(index_path=index_path, notebooks=entries)


def command(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``python -m scaling.apps.report``.

    Returns
    -------
    int
        0 when every notebook ran, 1 when any failed (the index marks it) or the report
        could not be built at all.
    """
    parser = argparse.ArgumentParser(prog="python -m scaling.apps.report", description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", default="notebooks", help="folder of notebooks [default: notebooks]")
    parser.add_argument("--out", default="reports", help="output folder [default: reports]")
    parser.add_argument("--param", nargs=2, action="append", default=[],
                        metavar=("NOTEBOOK", "NAME=VALUE"),
                        help="run NOTEBOOK with NAME set to VALUE (a Python literal or text); "
                             "repeat for more")
    parser.add_argument("--only", nargs="+", metavar="NOTEBOOK",
                        help="build only these notebooks")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="notebooks run at once [default: one per core, at most "
                             f"{MAX_DEFAULT_JOBS}]")
    args = parser.parse_args(argv)
    try:
        parameters: dict = {}
        for notebook, assignment in args.param:
            name, value = parse_parameter(assignment)
            parameters.setdefault(notebook, {})[name] = value
        report = build_report(args.notebooks, args.out, parameters=parameters, only=args.only,
                              jobs=args.jobs)
    except Exception as exc:  # a one-line message, non-zero exit
        sys.stderr.write(f"report failed: {exc.__class__.__name__}: {exc}\n")
        return 1
    n_charts = sum(len(e.chart_paths) for e in report.notebooks)
    n_ok = len(report.notebooks) - len(report.failed)
    sys.stdout.write(
        f"wrote {report.index_path} ({n_ok} of {len(report.notebooks)} notebooks OK, "
        f"{n_charts} charts)\n"
    )
    for entry in report.failed:
        sys.stderr.write(f"report: {entry.name}.ipynb failed: {entry.error}\n")
    return 1 if report.failed else 0


if __name__ == "__main__":
    raise SystemExit(command())
