"""docs/groups.md, notification-settings.md and inbox-notifications.md: their fake examples, run
as pasted, print what their comments say."""

from __future__ import annotations

import pytest

from tests.readme import DOCS, readme_block, run_block


def test_the_groups_example(capsys: pytest.CaptureFixture[str]) -> None:
    page = DOCS / "groups.md"
    run_block(readme_block("groups-fake", page), {}, page)
    assert capsys.readouterr().out == "['alice', 'bob', 'carol']\n['engineering']\n"


def test_the_settings_example(capsys: pytest.CaptureFixture[str]) -> None:
    page = DOCS / "notification-settings.md"
    run_block(readme_block("settings-fake", page), {}, page)
    assert capsys.readouterr().out == "{'thread': True, 'textMention': False}\n['roadmap']\n"


def test_the_notifications_example(capsys: pytest.CaptureFixture[str]) -> None:
    page = DOCS / "inbox-notifications.md"
    run_block(readme_block("notifications-fake", page), {}, page)
    assert capsys.readouterr().out == "$fileUploaded [{'page': 1}, {'page': 2}]\n"
