"""The reader's layout of a report page (:mod:`scaling.apps.report`): question and answer on top,
code folded away.

Each page opens with the notebook's title, its question (the first paragraph of its first
Markdown cell) and its answer (the printed, computed sentences of its answer cell, see
:func:`answer_cells`), before any code. Every code cell's source is folded in a
``<details>`` element (closed; its ``<summary>`` opens it), and one button at the top opens
or closes all of them; both work offline (no script from anywhere but the page). The
notebooks show their tables with :func:`scaling.plots.tables.table`, so the page shows HTML
tables with units in their headers.
"""

from __future__ import annotations

import html
import re

__all__ = [
    "ANSWER_TAG",
    "CODE_CLASS",
    "TOGGLE_ID",
    "answer_cells",
    "answer_html",
    "split_question",
]

#: Tag of the code cell(s) whose printed output is the notebook's answer.
ANSWER_TAG = "answer"

#: Marker of the cells whose printed outputs are the notebook's claims (nbval convention).
CLAIM_MARKER = "# NBVAL_CHECK_OUTPUT"

#: CSS class of the ``<details>`` element that folds each code cell's source.
CODE_CLASS = "scaling-code"

#: Id of the page's button that opens (or closes) every code cell at once.
TOGGLE_ID = "scaling-code-toggle"

#: A Markdown heading that introduces the answer: "## Answer", "## 6. The answer".
_ANSWER_HEADING = re.compile(r"^#+\s*(?:\d+\.\s*)?(?:the\s+)?answer\b", re.I | re.M)

#: Blocks for nbconvert's lab template: each code cell's source folded in a closed
#: ``<details>``; the reader opens it with its summary or with the page's toggle.
TEMPLATE_BLOCKS = """
{%- block input_group -%}
{%- if cell.cell_type == 'code' -%}
<details class="scaling-code"><summary>code</summary>{{ super() }}</details>
{%- else -%}{{ super() }}{%- endif -%}
{%- endblock input_group -%}
"""

_TABLE = ".jp-RenderedHTMLCommon table.scaling-table"

#: Styles of the summary block, the folded code and the tables.
CSS = (
    ".scaling-summary{font-family:system-ui,sans-serif;max-width:1100px;margin:0 0 1.5em}"
    ".scaling-summary h1{font-size:1.7em;margin:.3em 0 .5em}"
    ".scaling-question{font-size:1.05em;line-height:1.5}"
    ".scaling-answer{background:#eef5ec;border-left:5px solid #54a24b;padding:.5em 1.1em;"
    "margin:1em 0;line-height:1.5}.scaling-answer h2{font-size:1.2em;margin:.4em 0}"
    ".scaling-answer pre{background:none;white-space:pre-wrap;font-size:.92em}"
    ".scaling-answer ul{padding-left:1.3em}.scaling-answer li{margin:.25em 0}"
    f"#{TOGGLE_ID}{{font:inherit;font-size:.95em;padding:.3em .9em;cursor:pointer}}"
    f"details.{CODE_CLASS}>summary{{cursor:pointer;color:#555;font-family:system-ui,sans-serif;"
    "font-size:.85em;padding:.15em 0}"
    # after the lab template's own table rules, and more specific than them
    f"{_TABLE}{{border-collapse:collapse;table-layout:auto;font-size:.9em;"
    "font-variant-numeric:tabular-nums}"
    f"{_TABLE} th,{_TABLE} td{{padding:.25em .6em;border-bottom:1px solid #ddd;"
    f"text-align:right;white-space:nowrap}}{_TABLE} thead th{{border-bottom:2px solid #888;"
    f"vertical-align:bottom;white-space:normal}}{_TABLE} tbody tr:nth-child(odd)"
    "{background:#f7f7f7}"
)

#: Opens or closes every folded code cell of the page.
TOGGLE_SCRIPT = """
(function () {
  var button = document.getElementById("%(id)s");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var show = button.getAttribute("aria-pressed") !== "true";
    document.querySelectorAll("details.%(cls)s").forEach(function (d) { d.open = show; });
    button.setAttribute("aria-pressed", show ? "true" : "false");
    button.textContent = show ? "Hide all code" : "Show all code";
  });
})();
""" % {"id": TOGGLE_ID, "cls": CODE_CLASS}


def _is_claim(cell) -> bool:
    return cell.get("cell_type") == "code" and cell.source.lstrip().startswith(CLAIM_MARKER)


def answer_cells(notebook) -> list:
    """The code cells whose printed output answers the notebook's question.

    The first rule that finds a cell decides:

    1. the code cells tagged :data:`ANSWER_TAG` (``answer``);
    2. the first claim cell (``# NBVAL_CHECK_OUTPUT``) after the first Markdown heading
       that is the answer (``## Answer``, ``## 6. The answer``);
    3. the last claim cell.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        An executed notebook.

    Returns
    -------
    list of nbformat.NotebookNode
        Empty when the notebook has no claim cell.
    """
    cells = notebook.cells
    tagged = [cell for cell in cells if cell.get("cell_type") == "code"
              and ANSWER_TAG in cell.get("metadata", {}).get("tags", [])]
    if tagged:
        return tagged
    heading = next((k for k, cell in enumerate(cells) if cell.get("cell_type") == "markdown"
                    and _ANSWER_HEADING.search(cell.source)), None)
    if heading is not None:
        after = next((cell for cell in cells[heading + 1:] if _is_claim(cell)), None)
        if after is not None:
            return [after]
    claims = [cell for cell in cells if _is_claim(cell)]
    return claims[-1:]


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _sentences_html(text: str) -> str:
    """Printed answer text as HTML: ``* `` bullets (``  - `` sub-bullets, indented
    continuation lines) as lists, other lines as paragraphs; aligned columns (three spaces
    inside a line) stay preformatted."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    if not lines:
        return ""
    if any(re.search(r"\S {3,}\S", line) for line in lines):
        return f"<pre>{html.escape(chr(10).join(lines))}</pre>"
    items: list[list] = []  # [level, text]
    for line in lines:
        bullet = re.match(r"^( *)[*-] (.*)$", line)
        if bullet:
            items.append([min(len(bullet.group(1)) // 2, 1), bullet.group(2).strip()])
        elif line.startswith(" ") and items:
            items[-1][1] += " " + line.strip()
        elif line.strip():
            items.append([-1, line.strip()])
    out, level = [], -1
    for depth, words in items:
        while level > max(depth, -1):
            out.append("</li></ul>")
            level -= 1
        if depth < 0:
            out.append(f"<p>{html.escape(words)}</p>")
            continue
        if depth > level:
            out.append("<ul><li>")
            level += 1
        else:
            out.append("</li><li>")
        out.append(html.escape(words))
    out.extend("</li></ul>" for _ in range(level + 1))
    return "".join(out)


def answer_html(cells) -> str:
    """The printed output of the answer cells as HTML (sentences, lists, tables).

    Parameters
    ----------
    cells : list of nbformat.NotebookNode
        :func:`answer_cells` of an executed notebook.

    Returns
    -------
    str
        Streams as paragraphs and lists, tables (``text/html``) as they are, other text
        preformatted; empty when the cells printed nothing.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_output
    >>> cell = new_code_cell("print(...)", outputs=[new_output(
    ...     "stream", name="stdout", text="* Days: yes,\\n  1.7 days.\\n* Hours: no.\\n")])
    >>> answer_html([cell])
    '<ul><li>Days: yes, 1.7 days.</li><li>Hours: no.</li></ul>'
    """
    parts, stream = [], []
    for cell in cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                stream.append(_text(output.get("text", "")))
                continue
            data = output.get("data", {})
            if "text/html" in data or "text/plain" in data:
                parts.append(_sentences_html("".join(stream)))
                stream = []
                parts.append(_text(data["text/html"]) if "text/html" in data else
                             f"<pre>{html.escape(_text(data['text/plain']))}</pre>")
    parts.append(_sentences_html("".join(stream)))
    return "".join(part for part in parts if part)


def split_question(markdown: str) -> tuple[str, str, str]:
    """The title, the question and the rest of a notebook's first Markdown cell.

    Parameters
    ----------
    markdown : str
        The cell's source: a ``#`` title line, then paragraphs.

    Returns
    -------
    title, question, rest : str
        The title's text (empty if the cell has no ``#`` line first), the first paragraph
        after it (Markdown; with the paragraph or list after it when it ends with a colon),
        and what follows.

    Examples
    --------
    >>> split_question("# 05 · Stargate\\n\\n**The question.** Does it?\\n\\nMore.\\n")
    ('05 · Stargate', '**The question.** Does it?', 'More.')
    >>> split_question("# 05\\n\\nAsk of each:\\n\\n1. how many\\n\\nMore.")
    ('05', 'Ask of each:\\n\\n1. how many', 'More.')
    """
    text = markdown.strip("\n")
    title = ""
    first, _, body = text.partition("\n")
    if first.startswith("#"):
        title, text = first.lstrip("#").strip(), body
    paragraphs = re.split(r"\n\s*\n", text.strip("\n"))
    taken = 1
    while taken < len(paragraphs) and paragraphs[taken - 1].rstrip().endswith(":"):
        taken += 1  # "... and ask of each:" takes the list that follows
    question = "\n\n".join(paragraphs[:taken]).strip()
    return title, question, "\n\n".join(paragraphs[taken:]).strip("\n")


def summary_html(title: str, question_html: str, answer: str) -> str:
    """The block that opens a page: title, question, answer and the code toggle."""
    answer_block = (f"<section class='scaling-answer'><h2>Answer</h2>{answer}</section>"
                    if answer else "")
    return (f"<header class='scaling-summary'><h1>{html.escape(title)}</h1>"
            f"<div class='scaling-question'>{question_html}</div>{answer_block}"
            f"<button type='button' id='{TOGGLE_ID}' aria-pressed='false'>Show all code"
            f"</button></header>")
