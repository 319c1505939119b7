"""Room data (storage, Yjs, active users, broadcast, get-or-create, upsert): the requests are
those of @liveblocks/node, arguments are checked before anything is sent, answers are typed,
retries happen only where a call is idempotent, and the fake supports all of it."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import pycrdt
import pytest

from liveblocks_auth import (
    ActiveUser,
    AsyncLiveblocks,
    Liveblocks,
    LiveblocksError,
    RetryPolicy,
)
from liveblocks_auth.testing import FakeLiveblocks, Fault
from tests.recording import differential, recorder_fixture

ROOM = "room 1/é"
EMPTY: dict[str, Any] = {"liveblocksType": "LiveObject", "data": {}}
UPDATE = bytes([1, 1, 2, 0, 4, 1, 5, 116, 105, 116, 108, 101, 1, 120, 0])
ROOM_JSON = {
    "type": "room",
    "id": ROOM,
    "organizationId": "acme",
    "createdAt": "2026-01-01T00:00:00.000Z",
    "lastConnectionAt": None,
    "defaultAccesses": [],
    "usersAccesses": {},
    "groupsAccesses": {},
    "metadata": {},
}


_LISTINGS = itertools.cycle(["cursor 1", None, None])  # the 3 listing calls of each run


def _answer(method: str, path: str) -> tuple[int, str, bytes]:
    """What Liveblocks answers each room data call, roughly."""
    if (method, path) == ("GET", "/v2/rooms"):
        page = {"data": [ROOM_JSON], "nextCursor": next(_LISTINGS)}
        return 200, "application/json", json.dumps(page).encode()
    if method == "DELETE":
        return 204, "application/json", b""
    if path.endswith("/ydoc-binary"):
        return 200, "application/octet-stream", b"\x00\x00"
    if path.endswith("/active-users"):
        return 200, "application/json", b'{"data":[]}'
    if path.endswith(("/storage", "/ydoc")):
        return 200, "application/json", b'{"liveblocksType":"LiveObject","data":{}}'
    if path.endswith("/broadcast-event"):
        return 200, "application/json", b""
    return 200, "application/json", json.dumps(ROOM_JSON).encode()


recorder = recorder_fixture(_answer)


def our_calls(lb: Liveblocks) -> None:
    """The same calls as tests/realstack/request_shapes.mjs, with our client."""
    lb.get_or_create_room(
        ROOM,
        default_accesses=["room:read", "room:presence:write"],
        groups_accesses={"editors": ["room:write"]},
        metadata={"color": "blue"},
        organization_id="acme",
    )
    lb.upsert_room(
        ROOM,
        update={
            "users_accesses": {"alice": ["room:write"], "bob": None},
            "metadata": {"color": None},
        },
        create={"default_accesses": []},
    )
    lb.upsert_room(ROOM, update={"default_accesses": ["room:write"]})
    lb.get_storage_document(ROOM)
    lb.get_storage_document(ROOM, "json")
    lb.initialize_storage_document(
        ROOM,
        {
            "liveblocksType": "LiveObject",
            "data": {"count": 1, "list": {"liveblocksType": "LiveList", "data": ["a"]}},
        },
    )
    lb.delete_storage_document(ROOM)
    lb.get_yjs_document(ROOM)
    lb.get_yjs_document(ROOM, key="title", type="ytext", format=True)
    lb.send_yjs_binary_update(ROOM, UPDATE)
    lb.send_yjs_binary_update(ROOM, UPDATE, guid="sub-1")
    lb.get_yjs_document_as_binary_update(ROOM)
    lb.get_yjs_document_as_binary_update(ROOM, guid="sub-1")
    lb.get_active_users(ROOM)
    lb.broadcast_event(ROOM, {"type": "kick", "userId": "bob", "reasons": ["demoted", 1]})
    lb.broadcast_event(ROOM, "refresh")
    lb.prewarm_room(ROOM)
    lb.set_presence(
        ROOM,
        user_id="agent-1",
        data={"status": "thinking", "cursor": {"x": 1, "y": 2.5}},
        user_info={"name": "AI", "avatar": "https://example.com/a.png"},
        ttl=60,
    )
    lb.set_presence(ROOM, user_id="agent-2", data={})
    assert lb.update_room_id(ROOM, "room 2/ü").id == ROOM  # (the answer is ROOM_JSON)
    query = {"roomId": {"startsWith": "room "}, "metadata": {"color": "blue"}}
    listed = lb.list_rooms(
        page_size=10,
        user_id="alice@example.com",
        group_ids=["a b", "c"],
        organization_id="acme",
        query=query,
    )
    assert [room.id for room in listed] == [ROOM, ROOM]
    assert [room.id for room in lb.list_rooms(query="roomId^'x'")] == [ROOM]


@pytest.mark.realstack
def test_requests_are_those_of_the_official_node_sdk(recorder: tuple[str, list[Any]]) -> None:
    theirs, _, _ = differential("request_shapes.mjs", recorder, our_calls)
    assert len(theirs) == 23
    assert theirs[16][:2] == ("GET", "/v2/rooms/room%201%2F%C3%A9/prewarm")
    assert theirs[19][:2] == ("POST", "/v2/rooms/room%201%2F%C3%A9/update-room-id")
    assert theirs[19][3] == {"newRoomId": "room 2/ü"}
    assert theirs[-2][1] == (
        "/v2/rooms?limit=10&startingAfter=cursor+1&userId=alice%40example.com&groupIds=a+b%2Cc"
        "&query=roomId%5E%27room+%27+metadata%5B%27color%27%5D%3A%27blue%27&organizationId=acme"
    )
    # Spot checks of what was compared.
    assert theirs[0][:2] == ("POST", "/v2/rooms?idempotent")
    assert theirs[1][1] == "/v2/rooms/room%201%2F%C3%A9/upsert"
    assert theirs[9][2] == "application/octet-stream"


def test_requests_of_the_async_client_are_the_same(recorder: tuple[str, list[Any]]) -> None:
    base_url, seen = recorder
    with Liveblocks("sk_localdev", base_url=base_url) as lb:
        our_calls(lb)
    sync_seen = list(seen)
    seen.clear()

    async def go() -> None:
        async with AsyncLiveblocks("sk_localdev", base_url=base_url) as alb:
            await alb.get_or_create_room(
                ROOM,
                default_accesses=["room:read", "room:presence:write"],
                groups_accesses={"editors": ["room:write"]},
                metadata={"color": "blue"},
                organization_id="acme",
            )
            await alb.send_yjs_binary_update(ROOM, UPDATE, guid="sub-1")
            assert await alb.get_yjs_document_as_binary_update(ROOM) == b"\x00\x00"
            await alb.broadcast_event(ROOM, "refresh")

    asyncio.run(go())
    assert seen == [sync_seen[0], sync_seen[10], sync_seen[11], sync_seen[15]]


# --- the fake ----------------------------------------------------------------------------------


@pytest.fixture
def fake() -> FakeLiveblocks:
    return FakeLiveblocks()


@pytest.fixture
def lb(fake: FakeLiveblocks) -> Iterator[Liveblocks]:
    with Liveblocks(
        "sk_localdev", transport=fake, retry=RetryPolicy(backoff_initial=0, backoff_max=0)
    ) as client:
        yield client


def test_fake_storage_round_trip(lb: Liveblocks, fake: FakeLiveblocks) -> None:
    fake.add_room("doc")
    assert lb.get_storage_document("doc") == {"liveblocksType": "LiveObject", "data": {}}
    document = {
        "liveblocksType": "LiveObject",
        "data": {
            "count": 2,
            "todos": {
                "liveblocksType": "LiveList",
                "data": [{"liveblocksType": "LiveObject", "data": {"text": "a"}}],
            },
            "by": {"liveblocksType": "LiveMap", "data": {"x": 1}},
        },
    }
    assert lb.initialize_storage_document("doc", document) == document
    assert lb.get_storage_document("doc") == document
    assert lb.get_storage_document("doc", "json") == {
        "count": 2,
        "todos": [{"text": "a"}],
        "by": {"x": 1},
    }
    with pytest.raises(LiveblocksError) as info:
        lb.initialize_storage_document("doc", document)
    assert (info.value.status, info.value.code) == (409, "CANNOT_UPDATE_EXISTING_STORAGE")
    lb.delete_storage_document("doc")
    assert lb.get_storage_document("doc", "json") == {}
    assert fake.storage == {}


def test_fake_seeds_storage_for_tests_of_webhook_handlers(
    lb: Liveblocks, fake: FakeLiveblocks
) -> None:
    fake.add_room("seeded", storage={"liveblocksType": "LiveObject", "data": {"count": 5}})
    assert lb.get_storage_document("seeded", "json") == {"count": 5}


def test_fake_yjs_documents(lb: Liveblocks, fake: FakeLiveblocks) -> None:
    fake.add_room("y")
    assert lb.get_yjs_document("y") == {}
    doc = pycrdt.Doc()
    doc["title"] = pycrdt.Text("Hello")
    doc["meta"] = pycrdt.Map({"owner": "alice", "version": 3})
    doc["items"] = pycrdt.Array(["ship", 42])
    update = doc.get_update()
    lb.send_yjs_binary_update("y", update)
    assert lb.get_yjs_document("y") == {
        "title": "Hello",
        "meta": {"owner": "alice", "version": 3},
        "items": ["ship", 42],
    }
    assert lb.get_yjs_document("y", key="title") == {"title": "Hello"}
    assert lb.get_yjs_document("y", key="meta", type="ymap") == {"owner": "alice", "version": 3}
    assert lb.get_yjs_document_as_binary_update("y") == update
    # Another update merges; a subdocument is separate; garbage is refused with 422.
    doc["meta"]["reviewed"] = True
    lb.send_yjs_binary_update("y", doc.get_update())
    assert lb.get_yjs_document("y", key="meta", type="ymap")["reviewed"] is True
    lb.send_yjs_binary_update("y", update, guid="sub")
    assert lb.get_yjs_document_as_binary_update("y", guid="sub") == update
    with pytest.raises(LiveblocksError) as info:
        lb.send_yjs_binary_update("y", b"\x05garbage")
    assert info.value.status == 422
    assert fake.calls[-1].content == b"\x05garbage"


def test_fake_active_users_and_broadcasts(lb: Liveblocks, fake: FakeLiveblocks) -> None:
    fake.add_room("live")
    assert lb.get_active_users("live") == []
    first = fake.connect("live", "alice", {"name": "Alice"})
    fake.connect("live", None)
    assert lb.get_active_users("live") == [
        ActiveUser(first, "alice", {"name": "Alice"}),
        ActiveUser(first + 1, None, {}),
    ]
    fake.disconnect("live", first)
    assert [user.id for user in lb.get_active_users("live")] == [None]
    lb.broadcast_event("live", {"type": "kick", "userId": "bob"})
    lb.broadcast_event("live", 0)
    assert fake.broadcasts == {"live": [{"type": "kick", "userId": "bob"}, 0]}


def test_fake_get_or_create_and_upsert(lb: Liveblocks, fake: FakeLiveblocks) -> None:
    created = lb.get_or_create_room("g", default_accesses=["room:write"], organization_id="acme")
    again = lb.get_or_create_room("g", default_accesses=[])
    assert (created.default_accesses, again.default_accesses) == (["room:write"], ["room:write"])
    assert len(fake.calls_to("/v2/rooms")) == 2

    new = lb.upsert_room(
        "u", update={"metadata": {"a": "1"}}, create={"default_accesses": ["room:read"]}
    )
    assert (new.default_accesses, new.metadata) == (["room:read"], {"a": "1"})
    changed = lb.upsert_room(
        "u",
        update={"users_accesses": {"bob": ["room:write"]}, "metadata": {"a": None}},
        create={"default_accesses": []},  # ignored: the room exists
    )
    assert (changed.default_accesses, changed.users_accesses, changed.metadata) == (
        ["room:read"],
        {"bob": ["room:write"]},
        {},
    )


def test_room_data_of_a_missing_room_in_the_fake(lb: Liveblocks) -> None:
    for call in (
        lambda: lb.get_storage_document("nope"),
        lambda: lb.initialize_storage_document("nope", EMPTY),
        lambda: lb.delete_storage_document("nope"),
        lambda: lb.get_yjs_document("nope"),
        lambda: lb.send_yjs_binary_update("nope", UPDATE),
        lambda: lb.get_yjs_document_as_binary_update("nope"),
        lambda: lb.get_active_users("nope"),
        lambda: lb.broadcast_event("nope", {}),
    ):
        with pytest.raises(LiveblocksError) as info:
            call()
        assert (info.value.status, info.value.code) == (404, "ROOM_NOT_FOUND")


def test_deleting_a_room_forgets_its_data(lb: Liveblocks, fake: FakeLiveblocks) -> None:
    fake.add_room("gone", storage={"liveblocksType": "LiveObject", "data": {"a": 1}})
    fake.connect("gone", "alice")
    lb.send_yjs_binary_update("gone", UPDATE)
    lb.delete_room("gone")
    assert (fake.storage, fake.yjs_updates, fake.active_users) == ({}, {}, {})


# --- arguments are checked before anything is sent -------------------------------------------

BAD_CALLS: list[tuple[str, Callable[[Liveblocks], Any], str]] = [
    ("format", lambda lb: lb.get_storage_document("r", "yaml"), "plain-lson"),  # type: ignore[arg-type]
    ("not lson", lambda lb: lb.initialize_storage_document("r", {"count": 1}), "plain LSON"),
    (
        "bad node",
        lambda lb: lb.initialize_storage_document(
            "r", {**EMPTY, "data": {"l": {"liveblocksType": "LiveList", "data": {}}}}
        ),
        r"document\['l'\]: the data of a LiveList must be a list",
    ),
    (
        "unknown type",
        lambda lb: lb.initialize_storage_document(
            "r", {**EMPTY, "data": {"x": {"liveblocksType": "LiveText", "data": ""}}}
        ),
        "liveblocksType must be one of",
    ),
    (
        "extra keys",
        lambda lb: lb.initialize_storage_document(
            "r", {"liveblocksType": "LiveObject", "data": {}, "more": 1}
        ),
        "exactly the keys",
    ),
    (
        "nan",
        lambda lb: lb.initialize_storage_document(
            "r", {"liveblocksType": "LiveObject", "data": {"x": float("nan")}}
        ),
        "JSON-serializable",
    ),
    ("yjs type", lambda lb: lb.get_yjs_document("r", key="k", type="ystring"), "ytext"),
    ("type without key", lambda lb: lb.get_yjs_document("r", type="ymap"), "only used with key"),
    ("empty key", lambda lb: lb.get_yjs_document("r", key=""), "key must be"),
    ("update text", lambda lb: lb.send_yjs_binary_update("r", "abc"), "must be bytes"),  # type: ignore[arg-type]
    ("empty update", lambda lb: lb.send_yjs_binary_update("r", b""), "empty"),
    ("guid", lambda lb: lb.get_yjs_document_as_binary_update("r", guid=""), "guid"),
    ("event", lambda lb: lb.broadcast_event("r", {"when": object()}), "JSON-serializable"),
    ("null event", lambda lb: lb.broadcast_event("r", None), "cannot be None"),
    ("room id", lambda lb: lb.get_active_users(".."), "room_id"),
    ("upsert key", lambda lb: lb.upsert_room("r", update={"name": "x"}), "unknown keys name"),  # type: ignore[typeddict-unknown-key]
    ("upsert empty", lambda lb: lb.upsert_room("r", update={}), "at least one"),
    (
        "upsert create",
        lambda lb: lb.upsert_room("r", update={"metadata": {}}, create={"metadata": {}}),
        "create needs default_accesses",
    ),
    (
        "upsert scopes",
        lambda lb: lb.upsert_room("r", update={"default_accesses": ["room:admin"]}),
        "room:admin",
    ),
    ("goc scopes", lambda lb: lb.get_or_create_room("r", default_accesses=["x"]), "'x'"),
]


@pytest.mark.parametrize(("name", "call", "message"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_arguments_raise_before_any_request(
    lb: Liveblocks, fake: FakeLiveblocks, name: str, call: Callable[[Liveblocks], Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call(lb)
    assert fake.calls == []


# --- retries, caps, answers --------------------------------------------------------------------


def test_reads_and_yjs_updates_are_retried_initialize_and_broadcast_are_not(
    lb: Liveblocks, fake: FakeLiveblocks
) -> None:
    fake.add_room("r")
    fake.fail_next(Fault.server_error(503))
    assert lb.get_storage_document("r", "json") == {}
    fake.fail_next(Fault.server_error(503))
    lb.send_yjs_binary_update("r", UPDATE)  # PUT: applying an update twice changes nothing
    fake.fail_next(Fault.server_error(503))
    assert lb.get_or_create_room("r", default_accesses=[]).id == "r"

    for call, path in (
        (lambda: lb.broadcast_event("r", {"type": "ping"}), "/v2/rooms/r/broadcast-event"),
        (
            lambda: lb.initialize_storage_document("r", EMPTY),
            "/v2/rooms/r/storage",
        ),
    ):
        fake.calls.clear()
        fake.fail_next(Fault.server_error(503))
        with pytest.raises(LiveblocksError) as info:
            call()
        assert info.value.status == 503
        assert len(fake.calls_to(path)) == 1


def test_a_document_above_max_document_size_is_refused(fake: FakeLiveblocks) -> None:
    fake.add_room("big", storage={"liveblocksType": "LiveObject", "data": {"text": "x" * 50_000}})
    with Liveblocks("sk_localdev", transport=fake, max_document_size=10_000) as small:
        with pytest.raises(LiveblocksError, match="max_document_size") as info:
            small.get_storage_document("big")
        assert info.value.status == 502
    # The default cap fits documents far larger than the cap of other REST answers.
    with Liveblocks("sk_localdev", transport=fake) as lb:
        assert len(lb.get_storage_document("big", "json")["text"]) == 50_000
        assert lb.max_document_size == 128 * 1024 * 1024
    with pytest.raises(ValueError, match="max_document_size"):
        Liveblocks("sk_localdev", transport=fake, max_document_size=0)


def test_active_users_answer_that_is_not_a_list_is_an_error(
    lb: Liveblocks, fake: FakeLiveblocks
) -> None:
    fake.add_room("r")
    fake.fail_next(Fault(status=200, body=b'{"data": [{"id": "x"}]}'))
    with pytest.raises(LiveblocksError, match="without a list of users") as info:
        lb.get_active_users("r")
    assert info.value.status == 502


def test_async_client_room_data_on_the_fake(fake: FakeLiveblocks) -> None:
    fake.add_room("a", storage={"liveblocksType": "LiveObject", "data": {"n": 1}})
    fake.connect("a", "alice")

    async def go() -> tuple[Any, list[ActiveUser], bytes]:
        async with AsyncLiveblocks("sk_localdev", transport=fake) as alb:
            await alb.send_yjs_binary_update("a", UPDATE)
            return (
                await alb.get_storage_document("a", "json"),
                await alb.get_active_users("a"),
                await alb.get_yjs_document_as_binary_update("a"),
            )

    storage, users, binary = asyncio.run(go())
    assert storage == {"n": 1}
    assert [user.id for user in users] == ["alice"]
    assert binary == UPDATE
