"""The README's code blocks, for the tests that run them as pasted.

A block preceded by ``<!-- tested: NAME ... -->`` is run by a test; ``<!-- fragment -->`` marks
one that is not meant to run on its own.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
_BLOCK = re.compile(r"<!-- tested: (?P<name>[\w-]+)[^>]*-->\n```\w*\n(?P<code>.*?)\n```", re.S)


def readme_block(name: str, path: Path = README) -> str:
    """The code of the block tested as ``name`` in the README (or another page of the docs);
    a KeyError if it is gone."""
    blocks = {match["name"]: match["code"] for match in _BLOCK.finditer(path.read_text())}
    return blocks[name]


def readme_section_block(heading: str, index: int = 0) -> str:
    """The ``index``-th Python block under the README heading ``heading``."""
    text = README.read_text()
    start = text.index(f"\n{heading}\n")
    end = text.find("\n## ", start + 1)
    blocks = re.findall(r"```python\n(.*?)\n```", text[start : end if end > 0 else None], re.S)
    return blocks[index]


def run_block(code: str, namespace: dict[str, object], path: Path = README) -> None:
    """Run a block of the README (or of ``path``) as a user pasting it would (its names land
    in ``namespace``)."""
    exec(compile(code, str(path), "exec"), namespace)  # noqa: S102 - our own docs
