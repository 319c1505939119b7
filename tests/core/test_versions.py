"""Version history: the requests are those of @liveblocks/node (version_requests.mjs), answers
read as Node and the official Python SDK read them, a snapshot is never sent twice, and the
fake keeps versions of a room's storage and Yjs document."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any

import pytest

from liveblocks_auth import HistoryVersion, Liveblocks, LiveblocksError
from liveblocks_auth.testing import FakeLiveblocks
from tests.core.harness import SECRET
from tests.recording import (
    Seen,
    async_client_agrees,
    differential,
    never_sent_twice,
    recorder_fixture,
    refused_before_sending,
)

ROOM = "room 1/é"
VERSION = {
    "type": "historyVersion",
    "id": "vh_1",
    "createdAt": "2024-10-15T10:30:00.000Z",
    "authors": [{"id": "alice"}, {"id": "bob@example.com"}],
    "futureField": 1,
}
_CURSORS = itertools.cycle([None, "c 1", None])  # each run's 3 listing calls


def _answer(method: str, path: str) -> tuple[int, str, bytes]:
    if method == "DELETE":
        return 204, "application/json", b""
    if path.endswith("/yjs"):
        return 200, "application/octet-stream", b"\x01\x02\xff"
    if method == "POST":
        return 200, "application/json", b'{"data": {"id": "vh_2"}}'
    page = {"data": [VERSION], "nextCursor": next(_CURSORS)}
    return 200, "application/json", json.dumps(page).encode()


recorder = recorder_fixture(_answer)


def our_calls(lb: Liveblocks) -> list[Any]:
    return [
        list(lb.get_version_history(ROOM)),
        list(lb.get_version_history(ROOM, page_size=5)),
        lb.create_version_history_snapshot(ROOM),
        lb.get_yjs_version(ROOM, "vh_1"),
        lb.delete_version(ROOM, "vh_1"),
    ]


def _iso(value: datetime | None) -> str | None:
    return (
        None if value is None else value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


@pytest.mark.realstack
def test_requests_and_parsed_answers_are_those_of_the_node_sdk(recorder: tuple[str, Seen]) -> None:
    theirs, node, ours = differential("version_requests.mjs", recorder, our_calls)
    assert [(m, p) for m, p, _, _ in theirs] == [
        ("GET", "/v2/rooms/room%201%2F%C3%A9/versions"),
        ("GET", "/v2/rooms/room%201%2F%C3%A9/versions?limit=5"),
        ("GET", "/v2/rooms/room%201%2F%C3%A9/versions?limit=5&cursor=c+1"),
        ("POST", "/v2/rooms/room%201%2F%C3%A9/versions"),
        ("GET", "/v2/rooms/room%201%2F%C3%A9/versions/vh_1/yjs"),
        ("DELETE", "/v2/rooms/room%201%2F%C3%A9/versions/vh_1"),
    ]
    assert theirs[3][3] == {}  # Node posts an empty object
    as_node = [{**v.raw, "createdAt": _iso(v.created_at)} for v in ours[0]]
    assert as_node == node[0]["data"]
    assert [v.author_ids for v in ours[1]] == [["alice", "bob@example.com"]] * 2
    assert ours[2] == node[3]["data"]["id"] == "vh_2"
    assert ours[3].hex() == node[4] == "0102ff"


def test_the_async_client_sends_the_same(recorder: tuple[str, Seen]) -> None:
    async_client_agrees(recorder, our_calls)


@pytest.mark.official_sdk
def test_answers_are_read_as_the_official_python_sdk_reads_them() -> None:
    from liveblocks.models import HistoryVersion as Official

    ours, theirs = HistoryVersion.from_json(VERSION), Official.from_dict(VERSION)
    assert (ours.id, ours.created_at) == (theirs.id, theirs.created_at)
    assert ours.author_ids == [author.id for author in theirs.authors]
    assert ours.raw["futureField"] == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda lb: lb.get_yjs_version("r", ".."), "version_id"),
        (lambda lb: lb.delete_version("r", ""), "version_id"),
        (lambda lb: lb.get_version_history("r", page_size=0), "page_size"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    fake: FakeLiveblocks, call: Any, message: str
) -> None:
    refused_before_sending(fake, call, message)


def test_a_snapshot_is_never_sent_twice(fake: FakeLiveblocks) -> None:
    fake.add_room("r")
    never_sent_twice(fake, lambda lb: lb.create_version_history_snapshot("r"))


def test_the_fake_keeps_versions_of_storage_and_yjs(fake: FakeLiveblocks) -> None:
    import pycrdt  # the [yjs] extra: the fake's Yjs documents

    fake.add_room("r", storage={"liveblocksType": "LiveObject", "data": {"n": 1}})
    doc: Any = pycrdt.Doc()
    title = doc.get("title", type=pycrdt.Text)
    title += "first"
    with Liveblocks(SECRET, transport=fake) as lb:
        lb.send_yjs_binary_update("r", doc.get_update())
        first = lb.create_version_history_snapshot("r")
        title += " then second"
        lb.send_yjs_binary_update("r", doc.get_update())
        second = lb.create_version_history_snapshot("r")
        assert [v.id for v in lb.get_version_history("r")] == [second, first]
        assert [v.id for v in lb.get_version_history("r", page_size=1)] == [second, first]
        old: Any = pycrdt.Doc()
        old.apply_update(lb.get_yjs_version("r", first))
        assert str(old.get("title", type=pycrdt.Text)) == "first"
        assert fake.versions["r"][1]["storage"]["data"] == {"n": 1}
        lb.delete_version("r", first)
        assert [v.id for v in lb.get_version_history("r")] == [second]
        with pytest.raises(LiveblocksError) as gone:
            lb.get_yjs_version("r", first)
        assert gone.value.status == 404
