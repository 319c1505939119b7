"""The README's table of the REST API is the one tests/feature_table.py generates from the
pinned @liveblocks/node and PyPI liveblocks: a method added to either, or to ours, changes it."""

from __future__ import annotations

import pytest

from tests.feature_table import README, node_methods, ours, pypi_methods, rewritten, snake


@pytest.mark.official_sdk
def test_the_readme_table_is_the_generated_one() -> None:
    readme = README.read_text(encoding="utf-8")
    assert rewritten(readme) == readme, "run: .venv/bin/python -m tests.feature_table"


@pytest.mark.official_sdk
def test_the_table_reads_both_sdks() -> None:
    node, pypi = node_methods(), pypi_methods()
    assert len(node) == 91
    assert "mutateStorage" in node
    assert "iterInboxNotifications" in node
    assert len(pypi) == 98
    assert "mark_inbox_notification_as_read" in pypi
    assert ours(snake("getThreads")) == "`get_threads`"
    assert ours(snake("getRooms")) == "`list_rooms`"
    assert ours("no_such_method") == "—"
