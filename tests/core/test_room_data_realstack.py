"""Room data against the official dev server and the official client: storage set from Python is
what @liveblocks/client sees, a client's write is what Python reads; Yjs updates made with the
yjs package read back; active users are the clients connected with our tokens."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import pycrdt
import pytest

from liveblocks_auth import ActiveUser, AsyncLiveblocks, Liveblocks, LiveblocksError
from liveblocks_auth.testing import DevServer
from tests.conftest import NODE_MODULES

pytestmark = pytest.mark.realstack
SCRIPT = NODE_MODULES.parent / "room_data.mjs"

DOCUMENT = {
    "liveblocksType": "LiveObject",
    "data": {
        "count": 7,
        "title": "Roadmap",
        "items": {"liveblocksType": "LiveList", "data": ["seeded"]},
        "owners": {
            "liveblocksType": "LiveMap",
            "data": {"alice": {"liveblocksType": "LiveObject", "data": {"role": "editor"}}},
        },
        "plain": {"nested": [1, {"two": 2}]},
    },
}


def node(*argv: str) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(SCRIPT), *argv],
        cwd=NODE_MODULES.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture
def lb(dev_server: DevServer) -> Iterator[Liveblocks]:
    with Liveblocks(dev_server.secret, base_url=dev_server.base_url) as client:
        yield client


@pytest.fixture
def room_id(lb: Liveblocks) -> str:
    room = f"data-{uuid.uuid4().hex[:8]}"
    lb.create_room(room, default_accesses=["room:write"])
    return room


def token(lb: Liveblocks, user_id: str, info: dict[str, Any] | None = None) -> str:
    answer = lb.identify_user(user_id, user_info=info)
    assert answer.status == 200, answer.body
    value: str = json.loads(answer.body)["token"]
    return value


def test_storage_initialised_from_python_is_what_the_official_client_sees(
    lb: Liveblocks, dev_server: DevServer, room_id: str
) -> None:
    stored = lb.initialize_storage_document(room_id, DOCUMENT)
    assert stored == DOCUMENT

    seen = node(
        "storage-read", "--base-url", dev_server.base_url, "--room", room_id,
        "--token", token(lb, "alice"),
    )  # fmt: skip
    assert seen["storage"] == {
        "count": 7,
        "title": "Roadmap",
        "items": ["seeded"],
        "owners": {"alice": {"role": "editor"}},
        "plain": {"nested": [1, {"two": 2}]},
    }
    # Storage that is not empty cannot be initialised again, until it is deleted.
    with pytest.raises(LiveblocksError) as info:
        lb.initialize_storage_document(room_id, DOCUMENT)
    assert (info.value.status, info.value.code) == (409, "CANNOT_UPDATE_EXISTING_STORAGE")
    lb.delete_storage_document(room_id)
    assert lb.get_storage_document(room_id) == {"liveblocksType": "LiveObject", "data": {}}
    assert lb.get_storage_document(room_id, "json") == {}


def test_a_client_write_is_what_get_storage_document_returns_in_both_formats(
    lb: Liveblocks, dev_server: DevServer, room_id: str
) -> None:
    lb.initialize_storage_document(room_id, DOCUMENT)
    written = node(
        "storage-write", "--base-url", dev_server.base_url, "--room", room_id,
        "--token", token(lb, "bob"), "--count", "41",
    )  # fmt: skip
    assert written == {"written": True}

    as_json = lb.get_storage_document(room_id, format="json")
    assert as_json["count"] == 41
    assert as_json["items"] == ["seeded", "from-client"]
    assert as_json["owners"] == {"alice": {"role": "editor"}}

    plain = lb.get_storage_document(room_id)
    assert plain["liveblocksType"] == "LiveObject"
    assert plain["data"]["count"] == 41
    assert plain["data"]["items"] == {
        "liveblocksType": "LiveList",
        "data": ["seeded", "from-client"],
    }
    # The plain LSON read is a document initialize_storage_document takes back, as is.
    copy = f"{room_id}-copy"
    lb.create_room(copy, default_accesses=[])
    assert lb.initialize_storage_document(copy, plain) == plain
    assert lb.get_storage_document(copy, "json") == as_json


def test_a_yjs_update_from_the_yjs_package_reads_back(lb: Liveblocks, room_id: str) -> None:
    made = node("yjs-update")
    update = base64.b64decode(made["update"])
    lb.send_yjs_binary_update(room_id, update)

    assert lb.get_yjs_document(room_id) == made["json"]
    assert lb.get_yjs_document(room_id, key="title") == {"title": "Roadmap 2027"}
    assert lb.get_yjs_document(room_id, key="meta", type="ymap") == {
        "owner": "alice",
        "version": 3,
    }
    # The binary round trip is byte-exact, and pycrdt (the [yjs] extra) reads it.
    binary = lb.get_yjs_document_as_binary_update(room_id)
    assert binary == update
    doc = pycrdt.Doc()
    doc.apply_update(binary)
    assert str(doc.get("title", type=pycrdt.Text)) == "Roadmap 2027"

    # An update made in Python reaches the same document, and sending it twice changes nothing.
    mine = pycrdt.Doc()
    mine.apply_update(binary)
    mine.get("meta", type=pycrdt.Map)["reviewed"] = True
    change = mine.get_update(doc.get_state())
    lb.send_yjs_binary_update(room_id, change)
    lb.send_yjs_binary_update(room_id, change)
    assert lb.get_yjs_document(room_id, key="meta", type="ymap") == {
        "owner": "alice",
        "version": 3,
        "reviewed": True,
    }


def test_a_broken_yjs_update_is_refused_by_the_server(lb: Liveblocks, room_id: str) -> None:
    with pytest.raises(LiveblocksError) as info:
        lb.send_yjs_binary_update(room_id, b"\x05not-yjs")
    assert info.value.status == 422


def test_active_users_are_the_official_clients_connected_with_our_tokens(
    lb: Liveblocks, dev_server: DevServer, room_id: str
) -> None:
    assert lb.get_active_users(room_id) == []
    tokens = [
        token(lb, "alice", {"name": "Alice", "avatar": "https://example.com/a.png"}),
        token(lb, "bob", {"name": "Bob"}),
    ]
    holder = subprocess.Popen(
        ["node", str(SCRIPT), "hold", "--base-url", dev_server.base_url, "--room", room_id,
         "--tokens", ",".join(tokens)],
        cwd=NODE_MODULES.parent, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        connected = json.loads(holder.stdout.readline())["connected"]
        users = sorted(lb.get_active_users(room_id), key=lambda user: user.id or "")
        assert users == [
            ActiveUser(
                connected[0], "alice", {"name": "Alice", "avatar": "https://example.com/a.png"}
            ),
            ActiveUser(connected[1], "bob", {"name": "Bob"}),
        ]

        async def from_async() -> list[ActiveUser]:
            async with AsyncLiveblocks(dev_server.secret, base_url=dev_server.base_url) as alb:
                return await alb.get_active_users(room_id)

        assert sorted(u.connection_id for u in asyncio.run(from_async())) == sorted(connected)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=20)


def test_get_or_create_room_creates_once_and_never_conflicts(lb: Liveblocks) -> None:
    room = f"goc-{uuid.uuid4().hex[:8]}"
    first = lb.get_or_create_room(room, default_accesses=["room:write"], metadata={"v": "1"})
    again = lb.get_or_create_room(room, default_accesses=[], metadata={"v": "2"})
    assert (first.default_accesses, again.default_accesses) == (["room:write"], ["room:write"])
    assert again.metadata == {"v": "1"}  # an existing room is returned as it is


def test_unimplemented_calls_report_the_dev_server_answer(lb: Liveblocks, room_id: str) -> None:
    # The dev server answers 501 to upsert and broadcast (they are proven against the fake and
    # against @liveblocks/node's requests in test_room_data.py); the error says so plainly.
    for call in (
        lambda: lb.upsert_room(room_id, update={"metadata": {"a": "b"}}),
        lambda: lb.broadcast_event(room_id, {"type": "ping"}),
    ):
        with pytest.raises(LiveblocksError) as info:
            call()
        assert info.value.status == 501
        assert "not implemented" in str(info.value).lower()


def test_room_data_of_a_missing_room_is_room_not_found(lb: Liveblocks) -> None:
    for call in (
        lambda: lb.get_storage_document("no-such-room"),
        lambda: lb.get_yjs_document("no-such-room"),
        lambda: lb.get_active_users("no-such-room"),
    ):
        with pytest.raises(LiveblocksError) as info:
            call()
        assert (info.value.status, info.value.code) == (404, "ROOM_NOT_FOUND")
