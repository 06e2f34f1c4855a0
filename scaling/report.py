"""Execute the curated notebooks headless and write an HTML report with PNG charts.

``make report`` runs ``python -m scaling.report --notebooks notebooks --out reports``. For
each notebook it writes the executed notebook as HTML, every Altair chart it displays as a
PNG (rendered with vl-convert), and one ``index.html`` that links them and lists each
notebook's checked claims (the printed output of its ``# NBVAL_CHECK_OUTPUT`` cells).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["NotebookReport", "Report", "build_report", "chart_specs", "main"]

#: Marker of the cells whose printed outputs are the notebook's claims (nbval convention).
CLAIM_MARKER = "# NBVAL_CHECK_OUTPUT"

#: Seconds one cell may run before the report fails.
CELL_TIMEOUT_S = 600

#: Resolution multiplier of the exported PNG charts.
PNG_SCALE = 2

# Altair's HTML renderer embeds the spec as the first argument of an immediately invoked
# function: ``})({...spec...}, {"mode": "vega-lite"});``.
_SPEC_PATTERN = re.compile(r"\}\)\((\{.*\}), (\{\"mode\": \"vega-lite\"[^\n]*\})\);\s*$", re.M)


@dataclass(frozen=True, slots=True, kw_only=True)
class NotebookReport:
    """What the report produced for one notebook."""

    name: str
    html_path: Path
    chart_paths: tuple[Path, ...]
    claims: tuple[str, ...]
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """The whole report: one entry per notebook and the index page."""

    index_path: Path
    notebooks: tuple[NotebookReport, ...] = field(default_factory=tuple)


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
            data = output.get("data", {})
            for key, value in data.items():
                if key.startswith("application/vnd.vegalite"):
                    specs.append(value if isinstance(value, dict) else json.loads(value))
                    break
            else:
                text = data.get("text/html")
                if text is None:
                    continue
                text = "".join(text) if isinstance(text, list) else text
                for match in _SPEC_PATTERN.finditer(text):
                    specs.append(json.loads(match.group(1)))
    return specs


def _claims(notebook) -> tuple[str, ...]:
    claims = []
    for cell in notebook.cells:
        if cell.get("cell_type") != "code" or not cell.source.lstrip().startswith(CLAIM_MARKER):
            continue
        texts = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append(output.get("text", ""))
            elif "text/plain" in output.get("data", {}):
                texts.append(output["data"]["text/plain"])
        claims.append("".join(texts).strip("\n").rstrip())
    return tuple(c for c in claims if c)


def _title(notebook, fallback: str) -> str:
    for cell in notebook.cells:
        if cell.get("cell_type") == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def _run_one(path: Path, out_dir: Path) -> NotebookReport:
    import nbformat
    import vl_convert
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from nbconvert import HTMLExporter

    notebook = nbformat.read(path, as_version=4)
    try:
        NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT_S,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    except CellExecutionError as exc:
        raise RuntimeError(f"{path.name} failed: {exc.ename}: {exc.evalue}") from None

    stem = path.stem
    html_path = out_dir / f"{stem}.html"
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    html_path.write_text(body, encoding="utf-8")

    chart_dir = out_dir / "charts"
    chart_dir.mkdir(parents=True, exist_ok=True)
    chart_paths = []
    for k, spec in enumerate(chart_specs(notebook), start=1):
        png_path = chart_dir / f"{stem}_{k:02d}.png"
        png_path.write_bytes(vl_convert.vegalite_to_png(spec, scale=PNG_SCALE))
        chart_paths.append(png_path)
    return NotebookReport(
        name=stem,
        html_path=html_path,
        chart_paths=tuple(chart_paths),
        claims=_claims(notebook),
        title=_title(notebook, stem),
    )


def _index_html(entries: tuple[NotebookReport, ...], out_dir: Path) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>scaling report</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;"
        "padding:0 1em}pre{background:#f5f5f5;padding:.6em;overflow-x:auto}"
        "img{max-width:48%;margin:.3em;border:1px solid #ddd}</style></head><body>",
        "<h1>scaling: training time, energy and dollars versus parameter count</h1>",
        "<p>Every notebook below was executed headless by <code>make report</code>. Each entry "
        "links the rendered notebook, lists its checked claims (the cells nbval verifies) and "
        "shows its charts.</p>",
    ]
    for entry in entries:
        rel = entry.html_path.relative_to(out_dir).as_posix()
        parts.append(f"<h2><a href='{html.escape(rel)}'>{html.escape(entry.title)}</a></h2>")
        parts.append(f"<p><code>{html.escape(entry.name)}.ipynb</code></p>")
        for claim in entry.claims:
            parts.append(f"<pre>{html.escape(claim)}</pre>")
        for png in entry.chart_paths:
            src = html.escape(png.relative_to(out_dir).as_posix())
            parts.append(f"<a href='{src}'><img src='{src}' alt='{src}'></a>")
    parts.append("</body></html>")
    return "\n".join(parts)


def build_report(notebooks_dir: str | Path, out_dir: str | Path, *, progress: bool | None = None) -> Report:
    """Execute every ``*.ipynb`` in ``notebooks_dir`` and write the report to ``out_dir``.

    Parameters
    ----------
    notebooks_dir : str or Path
        Folder holding the notebooks; they run in name order with that folder as working
        directory.
    out_dir : str or Path
        Destination folder; created if needed. Receives ``index.html``, one HTML file per
        notebook and ``charts/*.png``.
    progress : bool, optional
        Show a tqdm progress bar; by default only when standard error is a terminal.

    Returns
    -------
    Report

    Raises
    ------
    FileNotFoundError
        If ``notebooks_dir`` holds no notebook.
    """
    from tqdm.auto import tqdm

    notebooks_dir = Path(notebooks_dir)
    out_dir = Path(out_dir)
    paths = sorted(notebooks_dir.glob("*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no notebooks (*.ipynb) found in {notebooks_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    if progress is None:
        progress = sys.stderr.isatty()
    entries = tuple(
        _run_one(path, out_dir)
        for path in tqdm(paths, desc="notebooks", unit="nb", disable=not progress)
    )
    index_path = out_dir / "index.html"
    index_path.write_text(_index_html(entries, out_dir), encoding="utf-8")
    return Report(index_path=index_path, notebooks=entries)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``python -m scaling.report``."""
    parser = argparse.ArgumentParser(prog="python -m scaling.report", description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", default="notebooks", help="folder of notebooks [default: notebooks]")
    parser.add_argument("--out", default="reports", help="output folder [default: reports]")
    args = parser.parse_args(argv)
    try:
        report = build_report(args.notebooks, args.out)
    except Exception as exc:  # a one-line message, non-zero exit
        sys.stderr.write(f"report failed: {exc.__class__.__name__}: {exc}\n")
        return 1
    n_charts = sum(len(e.chart_paths) for e in report.notebooks)
    sys.stdout.write(
        f"wrote {report.index_path} ({len(report.notebooks)} notebooks, {n_charts} PNG charts)\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
