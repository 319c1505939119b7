"""manage.py liveblocks: the core CLI with the project's settings."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from liveblocks_auth import Liveblocks, LiveblocksUser, comment_body_from_text
from liveblocks_auth.testing import FakeLiveblocks
from tests.core.harness import SECRET
from tests.readme import readme_block, run_block


def manage(*argv: str) -> str:
    out = io.StringIO()
    call_command("liveblocks", *argv, stdout=out)
    return out.getvalue()


def test_rooms_through_the_management_command(fake: FakeLiveblocks, alice: Any) -> None:
    out = manage(
        *["rooms", "create", "acme-roadmap", "--default", "none", "--group", "editors=room:write"],
        "--org",
        "acme",
    )
    assert "room acme-roadmap  (organization acme" in out
    assert fake.calls[0].json["groupsAccesses"] == {"editors": ["room:write"]}
    listed = json.loads(manage("rooms", "list", "--json"))
    assert [r["id"] for r in listed] == ["acme-roadmap"]
    access = manage("access", "acme-roadmap", "alice", "--group", "editors")
    assert access.startswith("alice (groups: editors) in acme-roadmap: can enter and write")
    claims = json.loads(manage("identify", "alice", "--json"))
    assert claims["uid"] == str(alice.pk)  # the id the endpoint would send, not the username
    with Liveblocks(SECRET, transport=fake) as lb:
        thread = lb.create_thread(
            "acme-roadmap", user_id="alice", body=comment_body_from_text("Ship it?")
        )
    posted = manage("comments", "create", "acme-roadmap", thread.id, "Yes.", "--user", "bob")
    assert posted.startswith("posted comment cm_")
    lines = manage("threads", "get", "acme-roadmap", thread.id).splitlines()
    assert lines[2] == "    Ship it?"
    assert " by bob at " in lines[3]
    assert lines[4] == "    Yes."


def test_identify_sends_the_identity_the_endpoint_would(fake: FakeLiveblocks, alice: Any) -> None:
    out = manage("identify", "alice")
    assert out.startswith(f"Django user 'alice' is user id '{alice.pk}' for Liveblocks.")
    sent = fake.calls[-1].json
    assert sent == {
        "userId": str(alice.pk),
        "groupIds": ["editors", "viewers"],
        "userInfo": {"name": "Alice Martin"},
    }
    with pytest.raises(CommandError, match="no Django user with the username 'olivier'") as info:
        manage("identify", "olivier")
    assert info.value.returncode == 2
    with pytest.raises(CommandError, match="drop --group, --info and --org"):
        manage("identify", "alice", "--group", "admins")
    assert len(fake.calls) == 1


def test_failures_are_command_errors_with_the_exit_code(fake: FakeLiveblocks) -> None:
    with pytest.raises(CommandError, match="ROOM_NOT_FOUND") as info:
        manage("rooms", "get", "missing")
    assert info.value.returncode == 1
    with pytest.raises(CommandError, match="unknown permission scope") as info:
        manage("rooms", "create", "x", "--default", "room:admin")
    assert info.value.returncode == 2
    assert [c.path for c in fake.calls] == ["/v2/rooms/missing"]


def test_a_missing_secret_is_a_command_error(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LIVEBLOCKS_SECRET_KEY", raising=False)
    settings.LIVEBLOCKS = {}
    with pytest.raises(CommandError, match=r"LIVEBLOCKS\['SECRET_KEY'\]"):
        manage("rooms", "list")


def test_identify_runs_request_aware_hooks_and_resolve_user(
    settings: Any, fake: FakeLiveblocks, alice: Any
) -> None:
    # Hooks that declare `request` get a request by that user with no headers and no session:
    # the docs' workspace switcher then finds no workspace (instead of failing).
    namespace: dict[str, Any] = {}
    run_block(readme_block("workspace-switcher"), namespace)
    settings.LIVEBLOCKS = {**settings.LIVEBLOCKS, "ORGANIZATION_ID": namespace["organization_id"]}
    manage("identify", "alice")
    assert "organizationId" not in fake.calls[-1].json
    settings.LIVEBLOCKS = {
        **settings.LIVEBLOCKS,
        "RESOLVE_USER": lambda request: LiveblocksUser(f"via-{request.user.username}"),
    }
    assert manage("identify", "alice").startswith("Django user 'alice' is user id 'via-alice'")
    assert fake.calls[-1].json == {"userId": "via-alice"}
    settings.LIVEBLOCKS = {**settings.LIVEBLOCKS, "RESOLVE_USER": lambda request: None}
    with pytest.raises(CommandError, match="RESOLVE_USER'\\] gives no Liveblocks user"):
        manage("identify", "alice")
