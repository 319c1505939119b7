"""The rooms API against the official dev server."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from liveblocks_auth import AsyncLiveblocks, Liveblocks, LiveblocksError
from liveblocks_auth._protocol import ApiRequest
from liveblocks_auth.testing import DevServer

pytestmark = pytest.mark.realstack


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_room_lifecycle_on_the_dev_server(dev_server: DevServer) -> None:
    room_id = unique("acme-life")
    with Liveblocks(dev_server.secret, base_url=dev_server.base_url) as lb:
        created = lb.create_room(
            room_id,
            default_accesses=["room:read", "room:presence:write"],
            groups_accesses={"editors": ["room:write"]},
            organization_id="acme",
            metadata={"title": "Life"},
        )
        assert created.organization_id == "acme"
        assert created.created_at is not None
        fetched = lb.get_room(room_id)
        assert fetched.groups_accesses == {"editors": ["room:write"]}
        assert fetched.permissions_for("alice", ["editors"]) == ["*:write"]
        assert fetched.permissions_for("stranger") == ["*:read"]

        updated = lb.update_room(
            room_id,
            default_accesses=[],
            groups_accesses={"editors": None, "viewers": ["room:read", "room:presence:write"]},
            users_accesses={"carol": ["room:write"]},
        )
        assert updated.default_accesses == []
        assert updated.groups_accesses == {"viewers": ["room:read", "room:presence:write"]}
        assert updated.users_accesses == {"carol": ["room:write"]}

        listed = [room.id for room in lb.list_rooms(organization_id="acme")]
        assert room_id in listed
        assert room_id not in [room.id for room in lb.list_rooms(organization_id="globex")]

        with pytest.raises(LiveblocksError) as info:
            lb.create_room(room_id, default_accesses=[])
        assert (info.value.status, info.value.code) == (409, "ROOM_ALREADY_EXISTS")

        lb.delete_room(room_id)
        with pytest.raises(LiveblocksError) as info:
            lb.get_room(room_id)
        assert (info.value.status, info.value.code) == (404, "ROOM_NOT_FOUND")


def test_junk_scopes_never_reach_the_dev_server(dev_server: DevServer) -> None:
    room_id = unique("junk")
    with Liveblocks(dev_server.secret, base_url=dev_server.base_url) as lb:
        # The dev server itself stores anything (the cloud would refuse it)...
        raw = lb.call(
            ApiRequest("POST", "/v2/rooms", {"id": room_id, "defaultAccesses": ["room:admin"]})
        )
        assert raw.status == 200
        # ...so our client refuses before sending.
        with pytest.raises(ValueError, match="room:admin"):
            lb.create_room(unique("junk"), default_accesses=["room:admin"])
        with pytest.raises(ValueError, match="room:admin"):
            lb.update_room(room_id, users_accesses={"x": ["room:admin"]})


def test_async_rooms_on_the_dev_server(dev_server: DevServer) -> None:
    room_id = unique("async")

    async def go() -> tuple[list[str], list[str]]:
        async with AsyncLiveblocks(dev_server.secret, base_url=dev_server.base_url) as lb:
            await lb.create_room(
                room_id,
                default_accesses=[],
                organization_id="globex",
                users_accesses={"dave": ["room:write"]},
            )
            room = await lb.get_room(room_id)
            ids = [r.id async for r in lb.list_rooms(organization_id="globex")]
            await lb.delete_room(room_id)
            return room.permissions_for("dave"), ids

    scopes, ids = asyncio.run(go())
    assert scopes == ["*:write"]
    assert room_id in ids
