"""Feeds and their messages: the requests are those of @liveblocks/node (feed_requests.mjs),
answers read as the official Python SDK reads them (times in milliseconds), creations never
sent twice, and the fake keeps feeds, pages them and filters them by time."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from liveblocks_auth import Feed, FeedMessage, Liveblocks, LiveblocksError
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
FEED = {
    "feedId": "chat 1",
    "metadata": {"type": "chat"},
    "createdAt": 1700000000123,
    "updatedAt": 1700000000456,
    "x": 1,
}
MESSAGE = {
    "id": "msg-1",
    "data": {"text": "hi"},
    "createdAt": 1700000000999,
    "updatedAt": 1700000001000,
}


def _answer(method: str, path: str) -> tuple[int, str, bytes]:
    if method == "DELETE":
        return 204, "application/json", b""
    messages = "/messages" in path
    if method == "GET" and path.endswith(("/feeds", "/messages")):
        page = {"data": [MESSAGE if messages else FEED], "nextCursor": None}
        return 200, "application/json", json.dumps(page).encode()
    return 200, "application/json", json.dumps(MESSAGE if messages else FEED).encode()


recorder = recorder_fixture(_answer)
AT = datetime.fromtimestamp(1700000000.123, UTC)


def our_calls(lb: Liveblocks) -> list[Any]:
    return [
        list(lb.get_feeds(ROOM)),
        lb.create_feed(ROOM, "chat 1"),
        lb.create_feed(
            ROOM, "chat/2", metadata={"type": "chat", "tags": ["a", "b"]}, created_at=AT
        ),
        lb.get_feed(ROOM, "chat 1"),
        lb.update_feed(ROOM, "chat 1", metadata={"type": "log", "tags": None}),
        lb.delete_feed(ROOM, "chat 1"),
        list(lb.get_feed_messages(ROOM, "chat 1")),
        lb.create_feed_message(ROOM, "chat 1", data={"text": "hi", "n": [1, 2.5]}),
        lb.create_feed_message(ROOM, "chat 1", id="msg-1", created_at=1700000000999, data="plain"),
        lb.update_feed_message(ROOM, "chat 1", "msg-1", data={"text": "edited"}),
        lb.update_feed_message(ROOM, "chat 1", "msg-1", data=None, updated_at=1700000001000),
        lb.delete_feed_message(ROOM, "chat 1", "msg-1"),
    ]


@pytest.mark.realstack
def test_requests_are_those_of_the_node_sdk(recorder: tuple[str, Seen]) -> None:
    theirs, node, ours = differential("feed_requests.mjs", recorder, our_calls)
    assert len(theirs) == 12
    assert theirs[2][1:] == (
        "/v2/rooms/room%201%2F%C3%A9/feeds",
        "application/json",
        {
            "feedId": "chat/2",
            "metadata": {"type": "chat", "tags": ["a", "b"]},
            "timestamp": 1700000000123,
        },
    )
    assert theirs[4][:2] == ("PATCH", "/v2/rooms/room%201%2F%C3%A9/feeds/chat%201")
    assert theirs[10][3] == {"data": None, "timestamp": 1700000001000}
    # Node returns the JSON as sent; ours keep it in raw, times read as datetimes.
    assert [f.raw for f in ours[0]] == node[0]["data"]
    assert ours[1].raw == node[1]
    assert ours[1].created_at == datetime.fromtimestamp(1700000000.123, UTC)
    assert [m.raw for m in ours[6]] == node[5]["data"]
    assert ours[7].data == node[6]["data"]


def test_the_async_client_sends_the_same(recorder: tuple[str, Seen]) -> None:
    async_client_agrees(recorder, our_calls)


@pytest.mark.official_sdk
def test_answers_are_read_as_the_official_python_sdk_reads_them() -> None:
    from liveblocks.models import Feed as OfficialFeed
    from liveblocks.models import FeedMessage as OfficialMessage

    feed, official = Feed.from_json(FEED), OfficialFeed.from_dict(FEED)
    assert (feed.feed_id, feed.metadata) == (official.feed_id, official.metadata.to_dict())
    assert feed.created_at == datetime.fromtimestamp(official.created_at / 1000, UTC)
    assert feed.updated_at == datetime.fromtimestamp(official.updated_at / 1000, UTC)
    assert feed.raw["x"] == official.additional_properties["x"]
    message, official_message = FeedMessage.from_json(MESSAGE), OfficialMessage.from_dict(MESSAGE)
    assert (message.id, message.data) == (official_message.id, official_message.data.to_dict())
    assert message.updated_at == datetime.fromtimestamp(official_message.updated_at / 1000, UTC)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda lb: lb.create_feed("r", ".."), "feed_id"),
        (
            lambda lb: lb.create_feed("r", "f", metadata={"a": 1}),
            r"metadata\['a'\] must be a string",
        ),
        (lambda lb: lb.update_feed("r", "f", metadata={"a": [1]}), r"\(or None to remove it\)"),
        (lambda lb: lb.create_feed("r", "f", created_at=datetime(2024, 1, 1)), "aware datetime"),
        (lambda lb: lb.create_feed_message("r", "f", data={"x": {1, 2}}), "data must be JSON"),
        (lambda lb: lb.create_feed_message("r", "f", data=1, id=""), "id"),
        (lambda lb: lb.update_feed_message("r", "f", "", data=1), "message_id"),
        (lambda lb: lb.get_feed_messages("r", "f", since=-5), "since must be"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    fake: FakeLiveblocks, call: Any, message: str
) -> None:
    refused_before_sending(fake, call, message)


def test_creations_are_never_sent_twice(fake: FakeLiveblocks) -> None:
    fake.add_room("r")
    never_sent_twice(fake, lambda lb: lb.create_feed("r", "f"))
    with Liveblocks(SECRET, transport=fake) as lb:
        lb.create_feed("r", "g")
    never_sent_twice(fake, lambda lb: lb.create_feed_message("r", "g", data=1))


def test_the_fake_keeps_feeds_and_messages(fake: FakeLiveblocks) -> None:
    fake.add_room("r")
    with Liveblocks(SECRET, transport=fake) as lb:
        lb.create_feed("r", "chat", metadata={"type": "chat"}, created_at=1000)
        lb.create_feed("r", "log", created_at=5000)
        with pytest.raises(LiveblocksError) as taken:
            lb.create_feed("r", "chat")
        assert taken.value.status == 409
        assert [f.feed_id for f in lb.get_feeds("r", page_size=1)] == ["chat", "log"]
        updated = lb.update_feed("r", "chat", metadata={"type": None, "owner": "bot"})
        assert updated.metadata == {"owner": "bot"}
        # "since": changed since then (chat was just updated, log at 5 s past the epoch)
        assert [f.feed_id for f in lb.get_feeds("r", since=6000)] == ["chat"]
        since = datetime.fromtimestamp(4, UTC)
        assert sorted(f.feed_id for f in lb.get_feeds("r", since=since)) == ["chat", "log"]
        assert fake.calls[-1].params == {"since": "4000"}
        for n in range(3):
            lb.create_feed_message("r", "chat", data={"n": n}, created_at=10_000 + n)
        first = lb.create_feed_message("r", "chat", id="m-last", data="last", created_at=20_000)
        assert first.created_at == datetime.fromtimestamp(20, UTC)
        assert [m.data for m in lb.get_feed_messages("r", "chat", page_size=2)] == [
            {"n": 0},
            {"n": 1},
            {"n": 2},
            "last",
        ]
        assert [m.id for m in lb.get_feed_messages("r", "chat", since=20_000)] == ["m-last"]
        edited = lb.update_feed_message("r", "chat", "m-last", data="edited", updated_at=30_000)
        assert (edited.data, edited.updated_at) == ("edited", datetime.fromtimestamp(30, UTC))
        lb.delete_feed_message("r", "chat", "m-last")
        assert len(list(lb.get_feed_messages("r", "chat"))) == 3
        lb.delete_feed("r", "chat")
        with pytest.raises(LiveblocksError) as gone:
            lb.get_feed("r", "chat")
        assert (gone.value.status, gone.value.code) == (404, "FEED_NOT_FOUND")
