"""``liveblocks-auth rooms storage|ydoc|active-users|broadcast``: in-process against the fake,
and as the console script against the official dev server."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

import pytest

from liveblocks_auth import Liveblocks
from liveblocks_auth.testing import DevServer, FakeLiveblocks
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
