"""The README's table of the REST API: every method of the pinned ``@liveblocks/node``'s
``Liveblocks`` class (read from tests/realstack/node_modules) and of the pinned PyPI
``liveblocks`` package's client, with ours beside them. Generated, so it cannot drift:
tests/test_feature_table.py checks the README against it; rewrite it with

    .venv/bin/python -m tests.feature_table
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
NODE_CLIENT = ROOT / "tests/realstack/node_modules/@liveblocks/node/dist/index.js"
START, END = "<!-- api-table:start -->", "<!-- api-table:end -->"

#: PyPI names of calls Node names otherwise (the row is Node's).
PYPI_AS_NODE = {"upload_storage_file": "upload_file", "get_storage_file": "get_file_url"}
#: Where ours differs from the row's name.
OURS = {
    "get_rooms": "list_rooms",
    "iter_rooms": "list_rooms",
    "iter_inbox_notifications": "get_inbox_notifications",
    "authorize_user": "prepare_session",
}
#: What ours has instead of a call of its own.
INSIDE = {
    "create_attachment_multipart_upload": "inside `upload_attachment`",
    "upload_attachment_multipart_part": "inside `upload_attachment`",
    "complete_attachment_multipart_upload": "inside `upload_attachment`",
    "abort_attachment_multipart_upload": "inside `upload_attachment`",
    "create_storage_file_multipart_upload": "inside `upload_file`",
    "upload_storage_file_multipart_part": "inside `upload_file`",
    "complete_storage_file_multipart_upload": "inside `upload_file`",
    "abort_storage_file_multipart_upload": "inside `upload_file`",
}


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def node_methods() -> list[str]:
    """The public methods of ``class Liveblocks`` in the pinned @liveblocks/node, in order."""
    source = NODE_CLIENT.read_text(encoding="utf-8")
    body = source[source.index("var Liveblocks = class") :]
    body = body[: body.index("\n};\n")]
    found = re.findall(r"^  (?:async )?\*?([a-zA-Z]\w*)\(", body, flags=re.MULTILINE)
    return [name for name in found if name != "constructor"]


def pypi_methods() -> list[str]:
    """The public methods of the pinned PyPI ``liveblocks`` client, in source order."""
    from liveblocks import client

    functions = inspect.getmembers(client.Liveblocks, inspect.isfunction)
    ordered = sorted(functions, key=lambda item: item[1].__code__.co_firstlineno)
    return [name for name, _ in ordered if not name.startswith("_") and name != "close"]


def ours(row: str) -> str:
    """Our method for ``row`` on both clients, or ``—``."""
    from liveblocks_auth import AsyncLiveblocks, Liveblocks

    if row in INSIDE:
        return INSIDE[row]
    name = OURS.get(row, row)
    if hasattr(Liveblocks, name) and hasattr(AsyncLiveblocks, name):
        if row == "authorize_user":
            return "`prepare_session(...).authorize()`"
        return f"`{name}`"
    return "—"


def table() -> str:
    node = node_methods()
    pypi = pypi_methods()
    rows = [snake(name) for name in node]
    pypi_by_row = {PYPI_AS_NODE.get(name, name): name for name in pypi}
    rows += [row for row in pypi_by_row if row not in rows]
    node_by_row = {snake(name): name for name in node}
    lines = [
        "| `@liveblocks/node` 3.24.2 | PyPI `liveblocks` 3.23.0 | liveblocks-auth |",
        "| --- | --- | --- |",
    ]
    for row in rows:
        theirs = node_by_row.get(row)
        official = pypi_by_row.get(row)
        lines.append(
            f"| {f'`{theirs}`' if theirs else '—'} | {f'`{official}`' if official else '—'} "
            f"| {ours(row)} |"
        )
    have_node = sum(ours(snake(name)) != "—" for name in node)
    have_pypi = sum(ours(PYPI_AS_NODE.get(name, name)) != "—" for name in pypi)
    summary = (
        f"Both clients (`Liveblocks`, `AsyncLiveblocks`) have {have_node} of the {len(node)} "
        f"methods of `@liveblocks/node` and {have_pypi} of the {len(pypi)} of PyPI `liveblocks`."
    )
    return "\n".join([summary, "", *lines])


def rewritten(readme: str) -> str:
    start, end = readme.index(START) + len(START), readme.index(END)
    return readme[:start] + "\n" + table() + "\n" + readme[end:]


if __name__ == "__main__":
    README.write_text(rewritten(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"rewrote the table in {README}")
