"""The liveblocks-auth CLI, in-process against the fake and as a console script against the
official dev server."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from liveblocks_auth import Liveblocks
from liveblocks_auth.cli import run
from liveblocks_auth.testing import DevServer, FakeLiveblocks
from liveblocks_auth.testing.devserver import free_port
from tests.core.harness import SECRET


class Cli:
    def __init__(self, fake: FakeLiveblocks) -> None:
        self.fake = fake
        self.client = Liveblocks(SECRET, transport=fake)

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = run(list(argv), client=self.client, stdout=out, stderr=err)
        return code, out.getvalue(), err.getvalue()

    def json(self, *argv: str) -> Any:
        code, out, err = self(*argv, "--json")
        assert code == 0, err
        return json.loads(out)


@pytest.fixture
def cli(fake: FakeLiveblocks) -> Cli:
    return Cli(fake)


def test_rooms_create_with_readable_flags(cli: Cli) -> None:
    code, out, err = cli(
        *["rooms", "create", "acme-roadmap", "--default", "none", "--group", "editors=room:write"],
        *["--group", "viewers=room:read,room:presence:write", "--user", "carol=room:write"],
        *["--org", "acme", "--meta", "title=Roadmap"],
    )
    assert (code, err) == (0, "")
    assert "room acme-roadmap  (organization acme" in out
    assert "viewers  room:read, room:presence:write" in out
    assert cli.fake.calls[0].json == {
        "id": "acme-roadmap",
        "defaultAccesses": [],
        "groupsAccesses": {
            "editors": ["room:write"],
            "viewers": ["room:read", "room:presence:write"],
        },
        "usersAccesses": {"carol": ["room:write"]},
        "organizationId": "acme",
        "metadata": {"title": "Roadmap"},
    }


def test_rooms_get_update_delete_list_in_json(cli: Cli) -> None:
    cli("rooms", "create", "r1", "--default", "room:read", "--group", "g=room:write")
    cli("rooms", "create", "r2", "--default", "none", "--org", "acme")
    assert cli.json("rooms", "get", "r1")["groupsAccesses"] == {"g": ["room:write"]}
    updated = cli.json("rooms", "update", "r1", "--user", "alice=room:write", "--remove-group", "g")
    assert updated["usersAccesses"] == {"alice": ["room:write"]}
    assert updated["groupsAccesses"] == {}
    assert cli.fake.calls[-1].json == {
        "groupsAccesses": {"g": None},
        "usersAccesses": {"alice": ["room:write"]},
    }
    assert [r["id"] for r in cli.json("rooms", "list", "--org", "acme")] == ["r2"]
    assert len(cli.json("rooms", "list", "--limit", "1")) == 1
    assert cli.json("rooms", "delete", "r1") == {"deleted": "r1"}
    assert sorted(cli.fake.rooms) == ["r2"]


def test_groups_create_change_list_delete(cli: Cli) -> None:
    code, out, err = cli("groups", "create", "eng", "alice", "bob", "--org", "acme")
    assert (code, err) == (0, "")
    assert out.split() == ["eng", "acme", "alice,", "bob"]
    assert cli.json("groups", "add", "eng", "carol")["members"] == ["alice", "bob", "carol"]
    assert cli.json("groups", "remove", "eng", "bob")["members"] == ["alice", "carol"]
    cli("groups", "create", "design", "bob")
    assert [g["id"] for g in cli.json("groups", "list")] == ["eng", "design"]
    assert [g["id"] for g in cli.json("groups", "list", "--user", "bob")] == ["design"]
    assert cli.json("groups", "get", "eng")["organizationId"] == "acme"
    assert cli.json("groups", "delete", "design") == {"deleted": "design"}
    code, out, err = cli("groups", "delete", "design")
    assert (code, out) == (1, "")
    assert (
        err
        == 'error: Liveblocks answered 404: GROUP_NOT_FOUND: Group with id "design" not found.\n'
    )
    assert sorted(cli.fake.groups) == ["eng"]


def test_notifications_list_get_trigger_delete(cli: Cli) -> None:
    old = cli.fake.add_inbox_notification("alice", read=True)
    code, out, err = cli(
        "notifications", "trigger", "alice", "$upload", "file-1", "--data", '{"name": "a.pdf"}'
    )
    assert (code, err, out) == (0, "", "notified alice of $upload\n")
    listed = cli.json("notifications", "list", "alice")
    assert [(n["kind"], n.get("subjectId")) for n in listed] == [
        ("$upload", "file-1"),
        ("thread", None),
    ]
    assert [n["id"] for n in cli.json("notifications", "list", "alice", "--unread")] == [
        listed[0]["id"]
    ]
    assert cli.json("notifications", "get", "alice", old["id"])["threadId"] == old["threadId"]
    assert cli.json("notifications", "delete", "alice", old["id"]) == {"deleted": old["id"]}
    code, _, err = cli("notifications", "delete", "alice")
    assert (code, err) == (2, "error: give one notification id, or --all (not both)\n")
    assert cli.json("notifications", "delete", "alice", "--all") == {"deleted": "all"}
    assert cli("notifications", "list", "alice")[1] == "no notifications\n"
    code, _, err = cli("notifications", "trigger", "alice", "upload", "s")
    assert code == 2
    assert 'kind must be a custom notification kind starting with "$"' in err


def test_access_explains_the_deciding_level(cli: Cli) -> None:
    cli(
        "rooms",
        "create",
        "r",
        "--default",
        "room:read,room:presence:write",
        "--group",
        "editors=room:write",
        "--user",
        "carol=room:read,storage:write",
    )
    code, out, _ = cli("access", "r", "alice", "--group", "editors")
    assert code == 0
    assert out.startswith("alice (groups: editors) in r: can enter and write")
    assert "room              write  decided by groups" in out
    carol = cli.json("access", "r", "carol")
    assert carol["scopes"] == ["*:read", "storage:write"]
    assert carol["resources"]["storage"] == {"access": "write", "decidedBy": "user"}
    assert carol["resources"]["comments"] == {"access": "read", "decidedBy": "user"}
    stranger = cli.json("access", "r", "dave")
    assert stranger["scopes"] == ["*:read"]
    assert stranger["resources"]["room"]["decidedBy"] == "default"


def test_identify_prints_the_claims_not_the_token(cli: Cli) -> None:
    code, out, _ = cli(
        "identify", "alice", "--group", "editors", "--org", "acme", "--info", '{"name": "Alice"}'
    )
    assert code == 0
    assert 'uid   "alice"' in out
    assert 'gids  ["editors"]' in out
    assert "eyJ" not in out  # the raw token is not printed
    claims = cli.json("identify", "bob")
    assert (claims["k"], claims["uid"]) == ("id", "bob")


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["rooms", "create", "x", "--default", "room:admin"], 2, "unknown permission scope"),
        (["rooms", "create", "x"], 2, "--default"),
        (["rooms", "create", "x", "--default", "none", "--user", "alice"], 2, "USER=SCOPES"),
        (["rooms", "get", "missing"], 1, "Liveblocks answered 404: ROOM_NOT_FOUND"),
        (["rooms", "update", "x"], 2, "at least one"),
        (["identify", "a", "--info", "{nope"], 2, "--info must be a JSON object"),
        (["rooms", "list", "--meta", "novalue"], 2, "KEY=VALUE"),
        (["frobnicate"], 2, "invalid choice"),
        (["rooms", "get", ".."], 2, "'..' cannot be used"),
        (["rooms", "delete", "."], 2, "'.' cannot be used"),
    ],
)
def test_errors_are_one_line_with_an_exit_code(
    cli: Cli, argv: list[str], code: int, message: str
) -> None:
    got, _out, err = cli(*argv)
    assert got == code
    assert err.startswith("error: ")
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_no_arguments_prints_help(cli: Cli) -> None:
    code, out, _ = cli()
    assert code == 2
    assert "usage: liveblocks-auth" in out


# --- the console script against the official dev server ---------------------------------------


def script() -> str:
    found = shutil.which("liveblocks-auth", path=str(Path(sys.executable).parent))
    assert found is not None, "the liveblocks-auth console script is not installed"
    return found


def run_script(
    dev: DevServer, *argv: str, secret: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LIVEBLOCKS_SECRET_KEY": secret or dev.secret,
        "LIVEBLOCKS_BASE_URL": dev.base_url,
    }
    return subprocess.run(
        [script(), *argv], capture_output=True, text=True, env=env, timeout=60, check=False
    )


@pytest.mark.realstack
def test_console_script_against_the_dev_server(dev_server: DevServer) -> None:
    room = f"cli-{uuid.uuid4().hex[:8]}"
    created = run_script(
        dev_server,
        "rooms",
        "create",
        room,
        "--default",
        "none",
        "--group",
        "editors=room:write",
        "--org",
        "acme",
    )
    assert created.returncode == 0, created.stderr
    assert f"room {room}" in created.stdout
    access = run_script(dev_server, "access", room, "alice", "--group", "editors", "--json")
    assert access.returncode == 0, access.stderr
    assert json.loads(access.stdout)["scopes"] == ["*:write"]
    refused = run_script(dev_server, "access", room, "bob")
    assert "bob in " + room + ": refused" in refused.stdout
    listed = run_script(dev_server, "rooms", "list", "--org", "acme", "--json")
    assert room in [r["id"] for r in json.loads(listed.stdout)]
    identified = run_script(dev_server, "identify", "alice", "--json")
    assert json.loads(identified.stdout)["pid"] == "localdev"
    with_org = run_script(dev_server, "identify", "alice", "--org", "acme")
    assert with_org.returncode == 0, with_org.stderr
    assert "note: --org acme is not in the token (no oid claim): the dev server ignores " in (
        with_org.stdout
    )
    deleted = run_script(dev_server, "rooms", "delete", room)
    assert deleted.returncode == 0
    missing = run_script(dev_server, "rooms", "get", room)
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: Liveblocks answered 404")
    # Deleting it again: Liveblocks answers 204 to a room that does not exist; the CLI says so.
    again = run_script(dev_server, "rooms", "delete", room)
    assert again.returncode == 1
    assert again.stderr.startswith("error: Liveblocks answered 404"), again.stderr
    assert "deleted" not in again.stdout


@pytest.mark.realstack
def test_console_script_with_a_wrong_key(dev_server: DevServer) -> None:
    wrong = run_script(dev_server, "rooms", "list", secret="sk_wrong_key_123")
    assert wrong.returncode == 1
    assert "403" in wrong.stderr
    assert "sk_wrong_key_123" not in wrong.stderr + wrong.stdout
    assert "Traceback" not in wrong.stderr
    bad = run_script(dev_server, "rooms", "list", secret="pk_public")
    assert bad.returncode == 2
    assert "pk_public" not in bad.stderr


def test_an_unreachable_base_url_says_nothing_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", "sk_localdev")
    port = free_port()
    for argv in (["identify", "alice"], ["rooms", "get", "r"]):
        out, err = io.StringIO(), io.StringIO()
        code = run([*argv, "--base-url", f"http://127.0.0.1:{port}"], stdout=out, stderr=err)
        assert code == 1
        assert err.getvalue().startswith(
            f"error: could not reach Liveblocks at http://127.0.0.1:{port}"
        )
        assert "Is the dev server running?" in err.getvalue()
        assert "answered" not in err.getvalue()


def test_a_missing_key_names_the_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVEBLOCKS_SECRET_KEY", raising=False)
    err = io.StringIO()
    assert run(["rooms", "list"], stdout=io.StringIO(), stderr=err) == 2
    assert err.getvalue().startswith("error: $LIVEBLOCKS_SECRET_KEY is missing: set it to")


@pytest.mark.parametrize("module", ["liveblocks_auth", "liveblocks_auth.cli"])
def test_python_dash_m_runs_the_cli(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "usage: " in done.stdout
    assert "rooms" in done.stdout


def test_threads_list_get_and_comments_create(cli: Cli) -> None:
    cli.fake.add_room("r")
    with Liveblocks(SECRET, transport=cli.fake) as lb:
        body = {
            "version": 1,
            "content": [
                {
                    "type": "paragraph",
                    "children": [{"text": "Ship "}, {"text": "it", "bold": True}, {"text": "?"}],
                }
            ],
        }
        thread = lb.create_thread("r", user_id="alice", body=body, metadata={"status": "open"})
        other = lb.create_thread("r", user_id="bob", body=body)
        lb.mark_thread_as_resolved("r", other.id, user_id="bob")
    code, out, err = cli("comments", "create", "r", thread.id, "Yes.\nToday.", "--user", "carol")
    assert (code, err) == (0, "")
    assert out.startswith("posted comment cm_")
    assert out.endswith(f"in thread {thread.id}\n")
    code, out, err = cli("threads", "get", "r", thread.id)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split()[:3] == [thread.id, "open", "2"]
    assert lines[1].startswith(f"{thread.comments[0].id} by alice at ")
    assert lines[2] == "    Ship it?"
    assert lines[3].startswith("cm_")
    assert " by carol at " in lines[3]
    assert lines[4:] == ["    Yes.", "    Today."]
    listed = cli.json("threads", "list", "r")
    assert [t["id"] for t in listed] == [thread.id, other.id]
    assert [t["id"] for t in cli.json("threads", "list", "r", "--unresolved")] == [thread.id]
    assert [t["id"] for t in cli.json("threads", "list", "r", "--resolved")] == [other.id]
    found = cli.json("threads", "list", "r", "--query", "metadata['status']:'open'")
    assert [t["comments"][-1]["text"] for t in found] == ["Yes.\nToday."]
    assert len(cli.json("threads", "list", "r", "--limit", "1")) == 1
    assert cli.fake.calls[-1].params == {}
    code, out, err = cli("threads", "get", "r", "th_nope")
    assert (code, out) == (1, "")
    assert (
        err
        == 'error: Liveblocks answered 404: THREAD_NOT_FOUND: Thread with id "th_nope" not found.\n'
    )
    code, _, err = cli("comments", "create", "r", thread.id, "hi")
    assert code == 2
    assert "--user" in err
    posted = cli.json(
        "comments", "create", "r", thread.id, "**Done**, @alice", "--user", "bot", "--markdown"
    )
    assert posted["text"] == "Done, @alice"
    assert cli.fake.calls[-1].json["body"]["content"][0]["children"][:2] == [
        {"text": "Done", "bold": True},
        {"text": ", "},
    ]
