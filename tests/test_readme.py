"""The README stays true: its Quick example runs as printed, and its layout section names every
study module the package has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


@pytest.mark.needs_chinchilla
def test_the_quick_example_runs():
    block = re.search(r"```python\n(.*?)```", _section("Quick example"), re.S).group(1)
    exec(compile(block, "README.md (Quick example)", "exec"), {})


def test_the_layout_section_lists_every_study_and_the_facade_size():
    import scaling
    from scaling import studies

    layout = _section("Layout")
    for module in studies._MODULES:
        assert f"| `{module}` |" in layout, module
    assert f"{len(scaling.__all__)} names" in layout
