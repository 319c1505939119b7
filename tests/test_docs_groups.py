"""docs/groups.md's fake example, run as pasted: it prints what its comments say."""

from __future__ import annotations

import pytest

from tests.readme import DOCS, readme_block, run_block


def test_the_groups_example(capsys: pytest.CaptureFixture[str]) -> None:
    page = DOCS / "groups.md"
    run_block(readme_block("groups-fake", page), {}, page)
    assert capsys.readouterr().out == "['alice', 'bob', 'carol']\n['engineering']\n"
