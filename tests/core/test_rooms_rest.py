"""The rest of the room calls: prewarm_room, set_presence, update_room_id (Node has them: their
requests are compared in test_room_data.py's differential) and update_room_organization_id
(the official Python SDK has it). Here: the official SDK sends the same requests, arguments are
checked before anything is sent, renames are never sent twice, presence is retried, and the
fake renames a room with everything in it."""

from __future__ import annotations

from typing import Any

import pytest

from liveblocks_auth import Liveblocks, LiveblocksError
from liveblocks_auth.testing import FakeLiveblocks, Fault
from tests.core.harness import SECRET
from tests.recording import (
    Seen,
    async_client_agrees,
    never_sent_twice,
    recorder_fixture,
    refused_before_sending,
)

ROOM = "room 1/é"
ROOM_JSON = b'{"type": "room", "id": "room 2/\\u00fc", "organizationId": "acme", "defaultAccesses": [], "groupsAccesses": {}, "usersAccesses": {}, "metadata": {}, "createdAt": "2026-01-01T00:00:00.000Z"}'  # noqa: E501

recorder = recorder_fixture(
    lambda method, path: (
        (204, "application/json", b"")
        if path.endswith(("/prewarm", "/presence"))
        else (200, "application/json", ROOM_JSON)
    )
)


@pytest.mark.official_sdk
def test_the_official_python_sdk_sends_the_same(recorder: tuple[str, Seen]) -> None:
    from liveblocks import Liveblocks as Official
    from liveblocks.models import (
        SetPresenceRequestBody,
        UpdateRoomIdRequestBody,
        UpdateRoomOrganizationIdRequestBody,
    )

    presence = {
        "userId": "agent-1",
        "data": {"status": "idle"},
        "userInfo": {"name": "AI"},
        "ttl": 30,
    }
    base_url, seen = recorder
    with Official(secret="sk_localdev", base_url=base_url) as official:
        official.prewarm_room(ROOM)
        official.set_presence(ROOM, body=SetPresenceRequestBody.from_dict(presence))
        renamed = official.update_room_id(
            ROOM, body=UpdateRoomIdRequestBody.from_dict({"newRoomId": "room 2/ü"})
        )
        moved = official.update_room_organization_id(
            ROOM,
            body=UpdateRoomOrganizationIdRequestBody.from_dict(
                {"fromOrganizationId": "default", "toOrganizationId": "acme"}
            ),
        )
    theirs = [(method, path, body) for method, path, _, body in seen]
    seen.clear()
    with Liveblocks("sk_localdev", base_url=base_url) as lb:
        assert lb.prewarm_room(ROOM) is None
        assert (
            lb.set_presence(
                ROOM, user_id="agent-1", data={"status": "idle"}, user_info={"name": "AI"}, ttl=30
            )
            is None
        )
        ours = lb.update_room_id(ROOM, "room 2/ü")
        ours_moved = lb.update_room_organization_id(
            ROOM, from_organization_id="default", to_organization_id="acme"
        )
    assert [(method, path, body) for method, path, _, body in seen] == theirs
    assert theirs[3][:2] == ("POST", "/v2/rooms/room%201%2F%C3%A9/update-organization-id")
    assert (ours.id, ours.organization_id) == (renamed.id, renamed.organization_id)
    assert (ours_moved.id, ours_moved.created_at) == (moved.id, moved.created_at)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda lb: lb.prewarm_room(".."), "room_id"),
        (lambda lb: lb.set_presence("r", user_id="", data={}), "user_id"),
        (lambda lb: lb.set_presence("r", user_id="a", data=[1]), "data must be a JSON object"),
        (lambda lb: lb.set_presence("r", user_id="a", data={"x": {1, 2}}), "data must be JSON"),
        (
            lambda lb: lb.set_presence("r", user_id="a", data={}, ttl=1),
            "ttl must be a number of seconds from 2 to 3599",
        ),
        (lambda lb: lb.set_presence("r", user_id="a", data={}, ttl=3600), "from 2 to 3599"),
        (
            lambda lb: lb.set_presence("r", user_id="a", data={}, user_info=["x"]),
            "user_info must be a JSON object",
        ),
        (lambda lb: lb.update_room_id("r", ""), "room_id must be a string of 1-128"),
        (lambda lb: lb.update_room_id("r", "x" * 129), "room_id must be a string of 1-128"),
        (
            lambda lb: lb.update_room_organization_id(
                "r", from_organization_id="", to_organization_id="b"
            ),
            "from_organization_id must be a non-empty string",
        ),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    fake: FakeLiveblocks, call: Any, message: str
) -> None:
    refused_before_sending(fake, call, message)


def test_renames_are_never_sent_twice_and_presence_is_retried(fake: FakeLiveblocks) -> None:
    fake.add_room("r")
    never_sent_twice(fake, lambda lb: lb.update_room_id("r", "s"))
    never_sent_twice(
        fake,
        lambda lb: lb.update_room_organization_id(
            "r", from_organization_id="default", to_organization_id="acme"
        ),
    )
    fake.fail_next(Fault.server_error(), times=1)
    with Liveblocks(SECRET, transport=fake) as lb:
        before = len(fake.calls)
        lb.set_presence("r", user_id="agent", data={"typing": True}, ttl=5)
    assert len(fake.calls) == before + 2
    assert fake.presence["r"] == {"agent": {"data": {"typing": True}, "ttl": 5}}


def test_the_fake_renames_a_room_with_everything_in_it(fake: FakeLiveblocks) -> None:
    fake.add_room("old", storage={"liveblocksType": "LiveObject", "data": {"n": 1}})
    fake.add_room("taken")
    with Liveblocks(SECRET, transport=fake) as lb:
        body = {"version": 1, "content": [{"type": "paragraph", "children": [{"text": "hi"}]}]}
        thread = lb.create_thread("old", user_id="alice", body=body)
        lb.update_room_subscription_settings("old", user_id="alice", data={"threads": "all"})
        lb.prewarm_room("old")
        with pytest.raises(LiveblocksError) as taken:
            lb.update_room_id("old", "taken")
        assert taken.value.status == 409
        renamed = lb.update_room_id("old", "new")
        assert renamed.id == "new"
        assert lb.get_storage_document("new", "json") == {"n": 1}
        moved = lb.get_thread("new", thread.id)
        assert (moved.room_id, moved.comments[0].room_id) == ("new", "new")
        assert [s.user_id for s in lb.get_thread_subscriptions("new", thread.id)] == ["alice"]
        assert lb.get_room_subscription_settings("new", user_id="alice")["threads"] == "all"
        with pytest.raises(LiveblocksError) as gone:
            lb.get_room("old")
        assert gone.value.status == 404
        with pytest.raises(LiveblocksError) as wrong:
            lb.update_room_organization_id(
                "new", from_organization_id="acme", to_organization_id="x"
            )
        assert wrong.value.status == 422
        moved_room = lb.update_room_organization_id(
            "new", from_organization_id="default", to_organization_id="acme"
        )
        assert moved_room.organization_id == "acme"
        assert [room.id for room in lb.list_rooms(organization_id="acme")] == ["new"]
    assert fake.prewarmed == ["old"]


def test_the_async_client_sends_the_same(recorder: tuple[str, Seen]) -> None:
    def calls(lb: Any) -> list[Any]:
        return [
            lb.prewarm_room(ROOM),
            lb.set_presence(ROOM, user_id="agent", data={"x": 1}, ttl=2),
            lb.update_room_id(ROOM, "room 2/ü").id,
            lb.update_room_organization_id(
                ROOM, from_organization_id="a", to_organization_id="b"
            ).organization_id,
        ]

    async_client_agrees(recorder, calls)
