"""The code blocks of the README and of the documentation site (docs/), for the tests that run
them as pasted.

A block preceded by ``<!-- tested: NAME ... -->`` is run by a test; ``<!-- fragment -->`` marks
one that is not meant to run on its own. A name may appear on several pages (the README repeats
the quickstarts of the framework guides): every copy must then be the same code.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
_BLOCK = re.compile(r"<!-- tested: (?P<name>[\w-]+)[^>]*-->\n```\w*\n(?P<code>.*?)\n```", re.S)


def pages() -> list[Path]:
    """The README and every page of the documentation site."""
    return [README, *sorted(DOCS.rglob("*.md"))]


def blocks_of(path: Path) -> dict[str, str]:
    return {match["name"]: match["code"] for match in _BLOCK.finditer(path.read_text())}


def readme_block(name: str, path: Path | None = None) -> str:
    """The code of the block tested as ``name``: on ``path``, or on whichever page has it (all
    its copies equal). A KeyError if it is gone."""
    if path is not None:
        return blocks_of(path)[name]
    copies = {page: found[name] for page in pages() if name in (found := blocks_of(page))}
    if not copies:
        raise KeyError(f"no block tested as {name!r} in the README or docs/")
    distinct = set(copies.values())
    assert len(distinct) == 1, f"the copies of {name!r} differ: {sorted(map(str, copies))}"
    return distinct.pop()


def run_block(code: str, namespace: dict[str, object], path: Path = README) -> None:
    """Run a block of the README (or of ``path``) as a user pasting it would (its names land
    in ``namespace``)."""
    exec(compile(code, str(path), "exec"), namespace)  # noqa: S102 - our own docs
