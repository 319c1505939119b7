"""mutate_storage and mass_mutate_storage: the operations are those @liveblocks/node's
mutateStorage sends for the same changes (mutation_requests.mjs, against a recording server
holding a canned document), list positions are Node's makePosition's, the dev server applies
the changes for real, and the fake applies them too."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from liveblocks_auth import AsyncLiveblocks, Liveblocks, LiveblocksError
from liveblocks_auth.live import LiveList, LiveMap, LiveObject, make_position
from liveblocks_auth.testing import DevServer, FakeLiveblocks, Fault
from tests.core.harness import SECRET
from tests.recording import Seen, recorder_fixture

REALSTACK = Path(__file__).resolve().parents[1] / "realstack"
# The document as a session of actor 7 gets it: a list of two registers and an object, a map.
NODES = [
    ["root", {"type": 0, "data": {"title": "Roadmap", "version": 1}}],
    ["0:1", {"type": 1, "parentId": "root", "parentKey": "tasks"}],
    ["0:2", {"type": 3, "parentId": "0:1", "parentKey": "!", "data": "a"}],
    ["0:3", {"type": 3, "parentId": "0:1", "parentKey": '"', "data": "b"}],
    ["0:4", {"type": 0, "parentId": "0:1", "parentKey": "#", "data": {"done": False}}],
    ["0:5", {"type": 2, "parentId": "root", "parentKey": "owners"}],
    ["0:6", {"type": 3, "parentId": "0:5", "parentKey": "alice", "data": "admin"}],
]
SESSION = "\n".join(json.dumps(line) for line in [{"actor": 7}, *NODES]) + "\n"


def _answer(method: str, path: str) -> tuple[int, str, bytes]:
    if path.endswith("/request-storage-mutation"):
        return 200, "application/x-ndjson", SESSION.encode()
    return 200, "application/json", b"{}"


recorder = recorder_fixture(_answer)


def change(root: LiveObject) -> None:
    """The changes of mutation_requests.mjs."""
    root.set("version", 2)
    root.update({"title": "Roadmap Q3", "meta": LiveObject({"tags": LiveList(["x", 1]), "n": 1})})
    tasks = root.get("tasks")
    tasks.push("c")
    tasks.insert("first", 0)
    tasks.set(1, "A")
    tasks.move(0, 3)
    tasks[2].set("done", True)
    tasks.delete(1)
    owners = root.get("owners")
    owners.set("bob", LiveObject({"role": "editor", "teams": LiveMap({"x": "y"})}))
    owners.delete("alice")
    root.delete("title")


def _operations(seen: Seen) -> list[Any]:
    """The operations sent, whichever requests carried them (Node flushes every 200 ms)."""
    ops: list[Any] = []
    for _method, path, _, body in seen:
        if path.endswith("/send-message"):
            for message in body["messages"]:
                assert message["type"] == 201
                ops += message["ops"]
    return ops


@pytest.mark.realstack
def test_the_operations_are_those_of_node_s_mutate_storage(recorder: tuple[str, Seen]) -> None:
    base_url, seen = recorder
    done = subprocess.run(
        ["node", "mutation_requests.mjs", "--base-url", base_url],
        cwd=REALSTACK, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    theirs = _operations(seen)
    assert [m for m, p, _, _ in seen][:1] == ["POST"]
    assert seen[0][1] == "/v2/rooms/room%201%2F%C3%A9/request-storage-mutation"
    seen.clear()
    with Liveblocks("sk_localdev", base_url=base_url) as lb:
        lb.mutate_storage("room 1/é", change)
    assert seen[0][1:] == (
        "/v2/rooms/room%201%2F%C3%A9/request-storage-mutation",
        "application/json",
        {},
    )
    ours = _operations(seen)
    assert ours == theirs
    assert len(ours) > 15
    assert {op["type"] for op in ours} == {1, 2, 3, 4, 5, 6, 7, 8}


@pytest.mark.realstack
def test_list_positions_are_node_s() -> None:
    rng = random.Random(20261208)
    chars = [chr(c) for c in range(32, 127)]
    pairs: list[list[str | None]] = [[None, None]]
    for _ in range(3000):
        a = "".join(rng.choice(chars) for _ in range(rng.randint(1, 4))).rstrip(" ") or "!"
        b = "".join(rng.choice(chars) for _ in range(rng.randint(1, 4))).rstrip(" ") or "~"
        pairs.append(rng.choice([[a, None], [None, a], [a, b] if a != b else [a, None]]))
    position: str | None = None
    for _ in range(300):  # a long list built by appending, and by prepending
        position = make_position(position)
        pairs.append([position, None])
    done = subprocess.run(
        ["node", "mutation_requests.mjs", "--positions"],
        input=json.dumps(pairs), cwd=REALSTACK, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [make_position(a, b) for a, b in pairs] == json.loads(done.stdout)


@pytest.mark.realstack
def test_the_dev_server_applies_the_changes(dev_server: DevServer) -> None:
    document = {
        "liveblocksType": "LiveObject",
        "data": {
            "title": "Roadmap",
            "version": 1,
            "tasks": {"liveblocksType": "LiveList", "data": [
                "a", "b", {"liveblocksType": "LiveObject", "data": {"done": False}},
            ]},
            "owners": {"liveblocksType": "LiveMap", "data": {"alice": "admin"}},
        },
    }  # fmt: skip
    with Liveblocks(dev_server.secret, base_url=dev_server.base_url) as lb:
        lb.get_or_create_room("mutate-room", default_accesses=["room:write"])
        try:
            lb.delete_storage_document("mutate-room")
            lb.initialize_storage_document("mutate-room", document)
            lb.mutate_storage("mutate-room", change)
            assert lb.get_storage_document("mutate-room", "json") == {
                "version": 2,
                "meta": {"n": 1, "tags": ["x", 1]},
                "tasks": ["A", {"done": True}, "first", "c"],
                "owners": {"bob": {"role": "editor", "teams": {"x": "y"}}},
            }
            seen: dict[str, Any] = {}
            lb.mutate_storage("mutate-room", lambda root: seen.update(root.to_json()))
            assert seen["tasks"] == ["A", {"done": True}, "first", "c"]
        finally:
            lb.delete_room("mutate-room")


def test_a_callback_that_raises_sends_nothing(fake: FakeLiveblocks) -> None:
    fake.add_room("r", storage={"liveblocksType": "LiveObject", "data": {"n": 1}})

    def broken(root: LiveObject) -> None:
        root.set("n", 2)
        raise RuntimeError("the migration found something odd")

    with Liveblocks(SECRET, transport=fake) as lb, pytest.raises(RuntimeError):
        lb.mutate_storage("r", broken)
    assert [call.path.rsplit("/", 1)[-1] for call in fake.calls] == ["request-storage-mutation"]
    assert fake.storage["r"]["data"] == {"n": 1}


def test_the_fake_applies_changes_and_mass_mutation_reaches_every_room(
    fake: FakeLiveblocks,
) -> None:
    for room in ("a", "b", "c"):
        fake.add_room(
            room,
            storage={
                "liveblocksType": "LiveObject",
                "data": {"version": 1, "items": {"liveblocksType": "LiveList", "data": [1, 2]}},
            },
        )
    fake.add_room("other", organization_id="elsewhere")

    def migrate(room: Any, root: LiveObject) -> None:
        root.set("version", 2)
        root.get("items").push(room.id)
        root.get("items").delete(0)

    with Liveblocks(SECRET, transport=fake) as lb:
        lb.mass_mutate_storage(migrate, organization_id="default", concurrency=2)
        for room in ("a", "b", "c"):
            assert lb.get_storage_document(room, "json") == {"version": 2, "items": [2, room]}
        assert "other" not in fake.storage_operations
        with pytest.raises(ValueError, match="concurrency must be from 1 to 20"):
            lb.mass_mutate_storage(migrate, concurrency=0)


def test_the_async_client_mutates_with_async_callbacks(fake: FakeLiveblocks) -> None:
    fake.add_room("a", storage={"liveblocksType": "LiveObject", "data": {"n": 1}})
    fake.add_room("b", storage={"liveblocksType": "LiveObject", "data": {"n": 5}})

    async def bump(room: Any, root: LiveObject) -> None:
        await asyncio.sleep(0)
        root.set("n", root.get("n") + 1)

    async def go() -> None:
        async with AsyncLiveblocks(SECRET, transport=fake) as lb:
            await lb.mutate_storage("a", lambda root: root.set("m", LiveMap({"k": 1})))
            await lb.mass_mutate_storage(bump)

    asyncio.run(go())
    assert fake.storage["a"]["data"] == {
        "n": 2,
        "m": {"liveblocksType": "LiveMap", "data": {"k": 1}},
    }
    assert fake.storage["b"]["data"] == {"n": 6}


def test_a_failing_room_stops_a_mass_mutation(fake: FakeLiveblocks) -> None:
    import dataclasses

    for room in ("a", "b", "c", "d"):
        fake.add_room(room)
    with Liveblocks(SECRET, transport=fake) as lb:
        order = [room.id for room in lb.list_rooms()]
        fake.fail_next(
            dataclasses.replace(Fault.server_error(400), path=f"/v2/rooms/{order[1]}/send-message")
        )
        with pytest.raises(LiveblocksError) as failed:
            lb.mass_mutate_storage(lambda room, root: root.set("x", 1), concurrency=1)
    assert failed.value.status == 400
    assert order[0] in fake.storage_operations
    assert not any(room in fake.storage_operations for room in order[2:])


def test_live_nodes_refuse_what_is_not_json_or_already_placed() -> None:
    with pytest.raises(ValueError, match="must be JSON or a LiveObject"):
        LiveObject({"x": {1, 2}})
    with pytest.raises(IndexError, match="cannot insert at index 5: the list has 0 items"):
        LiveList().insert("x", 5)
    with pytest.raises(ValueError, match="made from a list"):
        LiveList("abc")
    with pytest.raises(ValueError, match="two equal positions"):
        make_position("!", "!")


def test_the_docs_example_adds_a_task(fake: FakeLiveblocks) -> None:
    from tests.readme import DOCS, readme_block, run_block

    page = DOCS / "room-data.md"
    namespace: dict[str, Any] = {}
    run_block(readme_block("mutate-storage", page), namespace, page)
    fake.add_room("old", storage={"liveblocksType": "LiveObject", "data": {}})
    with Liveblocks(SECRET, transport=fake) as lb:
        namespace["add_task"](lb, "old", "Ship")
        namespace["add_task"](lb, "old", "Celebrate")
        assert lb.get_storage_document("old", "json") == {
            "tasks": [{"title": "Ship", "done": False}, {"title": "Celebrate", "done": False}],
            "updatedBy": "back-end",
        }
