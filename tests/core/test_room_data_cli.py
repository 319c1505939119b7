"""``liveblocks-auth rooms storage|ydoc|active-users|broadcast``: in-process against the fake,
and as the console script against the official dev server."""

from __future__ import annotations

import base64
import dataclasses
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from liveblocks_auth import Liveblocks
from liveblocks_auth.testing import DevServer, FakeLiveblocks, Fault
from tests.core.harness import SECRET
from tests.core.test_cli import Cli, run_script
from tests.core.test_room_data_realstack import DOCUMENT, node


@pytest.fixture
def cli(fake: FakeLiveblocks) -> Cli:
    fake.add_room("r")
    return Cli(fake)


def test_storage_init_get_delete(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(DOCUMENT))
    code, out, err = cli("rooms", "storage", "init", "r", f"@{path}")
    assert (code, out, err) == (0, "initialized the storage of room r\n", "")
    assert cli.fake.storage["r"] == DOCUMENT

    assert cli.json("rooms", "storage", "get", "r") == DOCUMENT
    code, out, _ = cli("rooms", "storage", "get", "r", "--format", "json")
    assert code == 0
    assert json.loads(out)["owners"] == {"alice": {"role": "editor"}}

    code, out, _ = cli("rooms", "storage", "delete", "r")
    assert (code, out) == (0, "emptied the storage of room r\n")
    assert cli.json("rooms", "storage", "get", "r", "--format", "json") == {}


def test_storage_init_refuses_bad_documents_before_any_request(cli: Cli, tmp_path: Path) -> None:
    for argument, message in (
        ("{not json", "the document must be JSON"),
        ("[1, 2]", "plain LSON"),  # a JSON object or LSON; not a list
        ('{"liveblocksType": "LiveList", "data": []}', "plain LSON"),  # the root is an object
        (f"@{tmp_path / 'missing.json'}", "cannot read the document from"),
    ):
        code, out, err = cli("rooms", "storage", "init", "r", argument)
        assert code == 2
        assert message in err
        assert out == ""
        assert "Traceback" not in err
    assert cli.fake.calls == []


def test_active_users_and_broadcast(cli: Cli) -> None:
    assert cli("rooms", "active-users", "r")[1] == "0 connected to r\n"
    connection = cli.fake.connect("r", "alice", {"name": "Alice"})
    code, out, _ = cli("rooms", "active-users", "r")
    assert code == 0
    assert out.splitlines() == [
        "1 connected to r:",
        f"{connection:>6}  alice                    " + '{"name": "Alice"}',
    ]
    assert cli.json("rooms", "active-users", "r") == [
        {"connection_id": connection, "id": "alice", "info": {"name": "Alice"}}
    ]

    code, out, _ = cli("rooms", "broadcast", "r", '{"type": "refresh"}')
    assert (code, out) == (0, "broadcast to room r\n")
    assert cli.fake.broadcasts == {"r": [{"type": "refresh"}]}
    code, _, err = cli("rooms", "broadcast", "r", "refresh")
    assert code == 2
    assert "the event must be JSON" in err


def test_room_data_of_a_missing_room_exits_1(cli: Cli) -> None:
    code, out, err = cli("rooms", "storage", "get", "nope")
    assert (code, out) == (1, "")
    assert err.startswith("error: Liveblocks answered 404: ROOM_NOT_FOUND")


@pytest.mark.realstack
def test_console_script_room_data_against_the_dev_server(dev_server: DevServer) -> None:
    room = f"cli-data-{uuid.uuid4().hex[:8]}"
    assert (
        run_script(dev_server, "rooms", "create", room, "--default", "room:write").returncode == 0
    )

    init = run_script(dev_server, "rooms", "storage", "init", room, json.dumps(DOCUMENT))
    assert init.returncode == 0, init.stderr
    got = run_script(dev_server, "rooms", "storage", "get", room, "--format", "json")
    assert json.loads(got.stdout)["items"] == ["seeded"]

    update = base64.b64decode(node("yjs-update")["update"])
    with Liveblocks(dev_server.secret, base_url=dev_server.base_url) as lb:
        lb.send_yjs_binary_update(room, update)
    ydoc = run_script(dev_server, "rooms", "ydoc", "get", room, "--key", "meta", "--type", "ymap")
    assert ydoc.returncode == 0, ydoc.stderr
    assert json.loads(ydoc.stdout) == {"owner": "alice", "version": 3}

    users = run_script(dev_server, "rooms", "active-users", room)
    assert users.stdout == f"0 connected to {room}\n"

    broadcast = run_script(dev_server, "rooms", "broadcast", room, '{"type": "x"}')
    assert broadcast.returncode == 1
    assert "error: Liveblocks answered 501: Not implemented" in broadcast.stderr.splitlines()[-1]
    assert "Traceback" not in broadcast.stderr

    emptied = run_script(dev_server, "rooms", "storage", "delete", room)
    assert emptied.returncode == 0
    got = run_script(dev_server, "rooms", "storage", "get", room, "--format", "json")
    assert json.loads(got.stdout) == {}

    # Plain JSON (not LSON): the root LiveObject of those values, as the dev server stores it.
    plain = run_script(dev_server, "rooms", "storage", "init", room, '{"count": 3, "tags": ["a"]}')
    assert plain.returncode == 0, plain.stderr
    got = run_script(dev_server, "rooms", "storage", "get", room)
    assert json.loads(got.stdout) == {
        "liveblocksType": "LiveObject",
        "data": {"count": 3, "tags": ["a"]},
    }


# --- rooms storage patch: one room, or a migration of every room --------------------------------

MIGRATION = json.dumps(
    [
        {"op": "test", "path": "/version", "value": 1},
        {"op": "replace", "path": "/version", "value": 2},
        {"op": "add", "path": "/tags", "value": []},
    ]
)


def _rooms_at_version(fake: FakeLiveblocks, versions: dict[str, int]) -> list[str]:
    fake.rooms.clear()  # (the fixture's room "r" too: these are the rooms there are)
    for room, version in versions.items():
        fake.add_room(room, storage={"liveblocksType": "LiveObject", "data": {"version": version}})
    with Liveblocks(SECRET, transport=fake) as lb:
        return [room.id for room in lb.list_rooms()]  # the order --all goes in


def _version(fake: FakeLiveblocks, room: str) -> Any:
    return fake.storage[room]["data"]["version"]


def test_storage_patch_of_one_room(cli: Any) -> None:
    _rooms_at_version(cli.fake, {"r1": 1})
    code, out, err = cli("rooms", "storage", "patch", "r1", MIGRATION)
    assert (code, err) == (0, "")
    assert out.splitlines() == ["patched      r1", "1 patched"]
    assert _version(cli.fake, "r1") == 2
    assert cli.fake.storage["r1"]["data"]["tags"] == {"liveblocksType": "LiveList", "data": []}
    code, out, err = cli("rooms", "storage", "patch", "r1", MIGRATION)  # its test fails now
    assert (code, out) == (1, "")
    assert "422" in err
    assert "operation 0: test failed: /version is not the value given" in err


def test_storage_patch_of_every_room_skips_those_it_cannot_patch(cli: Any) -> None:
    order = _rooms_at_version(cli.fake, {"a": 1, "b": 2, "c": 1})
    dry = cli.json("rooms", "storage", "patch", "--all", MIGRATION, "--dry-run")
    assert [(r["room"], r["result"]) for r in dry] == [
        (room, "would-skip" if room == "b" else "would-patch") for room in order
    ]
    assert not [call for call in cli.fake.calls if call.method == "PATCH"]  # a dry run
    code, out, err = cli("rooms", "storage", "patch", "--all", MIGRATION)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[-1] == "2 patched, 1 skipped"
    assert "skipped      b: operation 0: test failed: /version is not the value given" in lines
    assert [_version(cli.fake, room) for room in "abc"] == [2, 2, 2]


def test_a_stopped_migration_says_how_to_resume_and_resumes(cli: Any) -> None:
    order = _rooms_at_version(cli.fake, {"a": 1, "b": 1, "c": 1})
    second = f"/v2/rooms/{order[1]}/storage/json-patch"
    cli.fake.fail_next(dataclasses.replace(Fault.server_error(), path=second))
    code, out, err = cli("rooms", "storage", "patch", "--all", MIGRATION)
    assert code == 1
    assert out.splitlines() == [f"patched      {order[0]}"]
    assert f"stopped after 1 rooms; run the same command --resume-after {order[0]} to go on" in err
    assert "503" in err
    code, out, err = cli(
        "rooms", "storage", "patch", "--all", MIGRATION, "--resume-after", order[0]
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == [f"patched      {order[1]}", f"patched      {order[2]}", "2 patched"]
    assert [_version(cli.fake, room) for room in order] == [2, 2, 2]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["r1"], "give ROOM and PATCH, or --all and PATCH"),
        (["--all", "r1", MIGRATION], "give ROOM and PATCH, or --all and PATCH"),
        (["r1", MIGRATION, "--resume-after", "x"], "--resume-after go with --all"),
        (["r1", '{"op": "add"}'], "must be a list of JSON Patch operations"),
        (["r1", '[{"op": "add", "path": "x", "value": 1}]'], "must start with /"),
    ],
)
def test_storage_patch_usage_errors(cli: Any, argv: list[str], message: str) -> None:
    code, out, err = cli("rooms", "storage", "patch", *argv)
    assert (code, out) == (2, "")
    assert message in err
    assert cli.fake.calls == []


def test_versions_files_and_feeds_from_the_shell(cli: Any, tmp_path: Path) -> None:
    created = cli.json("rooms", "versions", "create", "r")
    listed = cli.json("rooms", "versions", "list", "r")
    assert [v["id"] for v in listed] == [created["id"]]
    code, out, err = cli("rooms", "versions", "delete", "r", created["id"])
    assert (code, err) == (0, "")
    assert cli("rooms", "versions", "list", "r")[1] == "no versions of room r\n"
    report = tmp_path / "report.csv"
    report.write_bytes(b"a,b\n1,2\n")
    code, out, err = cli("rooms", "files", "upload", "r", str(report))
    assert (code, err) == (0, "")
    assert out.startswith("stored report.csv (8 bytes) as fl_")
    file_id = out.split(" as ")[1].strip()
    assert cli.fake.file_content("r", file_id) == b"a,b\n1,2\n"
    assert cli("rooms", "files", "url", "r", file_id)[1].startswith("https://fake.liveblocks.io/")
    code, _, err = cli("rooms", "files", "upload", "r", str(tmp_path / "missing.csv"))
    assert (code, err) == (2, f"error: cannot read {tmp_path / 'missing.csv'}: not a file\n")
    with Liveblocks(SECRET, transport=cli.fake) as lb:
        lb.create_feed("r", "chat", metadata={"kind": "ai"})
        lb.create_feed_message("r", "chat", data={"text": "hi"}, created_at=1000)
    assert cli("rooms", "feeds", "list", "r")[1] == 'chat                     {"kind": "ai"}\n'
    messages = cli.json("rooms", "feeds", "messages", "r", "chat")
    assert [m["data"] for m in messages] == [{"text": "hi"}]
