"""Notification and room subscription settings: the requests are those of @liveblocks/node, the
answers read as Node and the official Python SDK read them, arguments are checked before
anything is sent, and the fake keeps them."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from liveblocks_auth import Liveblocks, LiveblocksError
from liveblocks_auth.testing import FakeLiveblocks
from tests.core.harness import SECRET
from tests.recording import (
    async_client_agrees,
    differential,
    recorder_fixture,
    refused_before_sending,
)

NOTIFICATIONS = {
    "email": {"thread": True, "textMention": False, "$custom": True},
    "slack": {"thread": True, "textMention": True},
    "someFutureChannel": {"x": True},
}
ROOM_SETTINGS = {"threads": "replies_and_mentions", "textMentions": "mine"}
LISTED = {"data": [{**ROOM_SETTINGS, "roomId": "room 1/é"}], "nextCursor": None}


_CURSORS = itertools.cycle([None, "cursor 1", None])  # each run's 3 listing calls


def _answer(method: str, path: str) -> tuple[int, str, bytes]:
    if method == "DELETE":
        return 204, "application/json", b""
    if path.endswith("/notification-settings"):
        return 200, "application/json", json.dumps(NOTIFICATIONS).encode()
    if path.endswith("/room-subscription-settings"):
        page = {**LISTED, "nextCursor": next(_CURSORS)}
        return 200, "application/json", json.dumps(page).encode()
    return 200, "application/json", json.dumps(ROOM_SETTINGS).encode()


recorder = recorder_fixture(_answer)


def our_calls(lb: Liveblocks) -> list[Any]:
    """The calls of tests/realstack/settings_requests.mjs, with our client."""
    return [
        lb.get_notification_settings("alice@example.com"),
        lb.update_notification_settings(
            "alice@example.com", {"email": {"thread": False}, "slack": {"$custom": True}}
        ),
        lb.delete_notification_settings("alice@example.com"),
        lb.get_room_subscription_settings("room 1/é", user_id="bob"),
        lb.update_room_subscription_settings(
            "room 1/é", user_id="bob", data={"threads": "all", "textMentions": "none"}
        ),
        lb.delete_room_subscription_settings("room 1/é", user_id="bob"),
        list(lb.get_user_room_subscription_settings("bob")),
        list(lb.get_user_room_subscription_settings("bob", organization_id="acme", page_size=3)),
    ]


@pytest.mark.realstack
def test_requests_and_parsed_answers_are_those_of_the_node_sdk(
    recorder: tuple[str, list[Any]],
) -> None:
    theirs, node, ours = differential("settings_requests.mjs", recorder, our_calls)
    assert len(theirs) == 9
    assert theirs[8][1] == (
        "/v2/users/bob/room-subscription-settings?startingAfter=cursor+1&limit=3&organizationId=acme"
    )
    assert theirs[0][1] == "/v2/users/alice%40example.com/notification-settings"
    assert theirs[3][1] == "/v2/rooms/room%201%2F%C3%A9/users/bob/subscription-settings"
    assert theirs[7][1] == "/v2/users/bob/room-subscription-settings?limit=3&organizationId=acme"
    # Node reads the four channels (one not set up: null); we keep the others too.
    for mine, node_settings in zip(ours[:2], node[:2], strict=True):
        assert {k: mine[k] for k in node_settings} == node_settings
        assert mine["someFutureChannel"] == {"x": True}
    assert [ours[3], ours[4]] == node[2:4]
    assert [ours[6], ours[7]] == [node[4]["data"], node[5]["data"] + node[6]["data"]]


@pytest.mark.official_sdk
def test_answers_are_read_as_the_official_python_sdk_reads_them() -> None:
    from liveblocks.models import (
        NotificationSettings,
        RoomSubscriptionSettings,
        UserRoomSubscriptionSettings,
    )

    official = NotificationSettings.from_dict(NOTIFICATIONS)
    assert official.email.to_dict() == NOTIFICATIONS["email"]
    room = RoomSubscriptionSettings.from_dict(ROOM_SETTINGS)
    assert (room.threads.value, room.text_mentions.value) == ("replies_and_mentions", "mine")
    listed = UserRoomSubscriptionSettings.from_dict(LISTED["data"][0])
    assert listed.room_id == "room 1/é"


def test_the_async_client_sends_the_same(recorder: tuple[str, list[Any]]) -> None:
    async_client_agrees(recorder, our_calls)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda lb: lb.get_notification_settings(""), "user_id must be a non-empty string"),
        (lambda lb: lb.update_notification_settings("u", {}), "data must be a mapping"),
        (lambda lb: lb.update_notification_settings("u", {"fax": {}}), "unknown notification"),
        (
            lambda lb: lb.update_notification_settings("u", {"email": {"thread": "no"}}),
            "must map notification kinds to True or False",
        ),
        (
            lambda lb: lb.update_room_subscription_settings(
                "r", user_id="u", data={"threads": "x"}
            ),
            "invalid room subscription setting threads='x'",
        ),
        (lambda lb: lb.get_room_subscription_settings("..", user_id="u"), "cannot be used"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    fake: FakeLiveblocks, call: Any, message: str
) -> None:
    refused_before_sending(fake, call, message)


def test_the_fake_keeps_settings(fake: FakeLiveblocks) -> None:
    fake.add_room("r1", organization_id="acme")
    fake.add_room("r2")
    with Liveblocks(SECRET, transport=fake) as lb:
        assert lb.get_notification_settings("alice")["email"] == {
            "thread": True,
            "textMention": True,
        }
        changed = lb.update_notification_settings("alice", {"email": {"thread": False}})
        assert changed["email"] == {"thread": False, "textMention": True}
        assert changed["slack"] is None  # a channel not set up, as Node reads it
        lb.delete_notification_settings("alice")
        assert lb.get_notification_settings("alice")["email"]["thread"] is True
        assert lb.get_room_subscription_settings("r1", user_id="bob")["threads"] == (
            "replies_and_mentions"
        )
        lb.update_room_subscription_settings("r1", user_id="bob", data={"threads": "none"})
        lb.update_room_subscription_settings("r2", user_id="bob", data={"textMentions": "none"})
        assert [s["roomId"] for s in lb.get_user_room_subscription_settings("bob")] == ["r1", "r2"]
        in_acme = lb.get_user_room_subscription_settings("bob", organization_id="acme")
        assert [(s["roomId"], s["threads"]) for s in in_acme] == [("r1", "none")]
        lb.delete_room_subscription_settings("r1", user_id="bob")
        assert [s["roomId"] for s in lb.get_user_room_subscription_settings("bob")] == ["r2"]
        with pytest.raises(LiveblocksError) as missing:
            lb.get_room_subscription_settings("nope", user_id="bob")
        assert (missing.value.status, missing.value.code) == (404, "ROOM_NOT_FOUND")
