"""The rooms API on both clients, against the fake."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from liveblocks_auth import LiveblocksError, Room
from liveblocks_auth.testing import FakeLiveblocks, Fault
from tests.core.harness import SECRET


def collect(lb: Any, iterable: Any) -> list[Room]:
    if lb.kind == "sync":
        return list(iterable)

    async def gather() -> list[Room]:
        return [room async for room in iterable]

    return lb.run(gather())


def test_create_get_update_delete(make_client, fake: FakeLiveblocks) -> None:
    lb = make_client()
    room = lb.run(
        lb.client.create_room(
            "acme-roadmap",
            default_accesses=[],
            groups_accesses={"editors": ["room:write"]},
            users_accesses={"carol": ["room:read", "room:presence:write"]},
            organization_id="acme",
            metadata={"title": "Roadmap", "tags": ["q1", "q2"]},
        )
    )
    assert isinstance(room, Room)
    assert room.id == "acme-roadmap"
    assert room.organization_id == "acme"
    assert room.groups_accesses == {"editors": ["room:write"]}
    assert room.metadata == {"title": "Roadmap", "tags": ["q1", "q2"]}
    assert isinstance(room.created_at, datetime)
    assert fake.calls[0].json == {
        "id": "acme-roadmap",
        "defaultAccesses": [],
        "groupsAccesses": {"editors": ["room:write"]},
        "usersAccesses": {"carol": ["room:read", "room:presence:write"]},
        "organizationId": "acme",
        "metadata": {"title": "Roadmap", "tags": ["q1", "q2"]},
    }

    assert lb.run(lb.client.get_room("acme-roadmap")) == room

    updated = lb.run(
        lb.client.update_room(
            "acme-roadmap",
            groups_accesses={"editors": None, "viewers": ["*:read"]},
            users_accesses={"carol": None},
        )
    )
    assert updated.groups_accesses == {"viewers": ["*:read"]}
    assert updated.users_accesses == {}
    assert fake.calls[-1].json == {
        "groupsAccesses": {"editors": None, "viewers": ["*:read"]},
        "usersAccesses": {"carol": None},
    }

    assert lb.run(lb.client.delete_room("acme-roadmap")) is None
    with pytest.raises(LiveblocksError) as info:
        lb.run(lb.client.get_room("acme-roadmap"))
    assert (info.value.status, info.value.code) == (404, "ROOM_NOT_FOUND")


def test_room_ids_are_path_quoted(make_client, fake: FakeLiveblocks) -> None:
    lb = make_client()
    lb.run(lb.client.create_room("a/b c?", default_accesses=["room:write"]))
    assert lb.run(lb.client.get_room("a/b c?")).id == "a/b c?"
    assert fake.calls[-1].path == "/v2/rooms/a/b c?"  # decoded by the fake, sent encoded


def test_existing_room_raises_the_service_error(make_client) -> None:
    lb = make_client()
    lb.run(lb.client.create_room("r", default_accesses=[]))
    with pytest.raises(LiveblocksError) as info:
        lb.run(lb.client.create_room("r", default_accesses=[]))
    assert info.value.status == 409
    assert info.value.code == "ROOM_ALREADY_EXISTS"
    assert SECRET not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"default_accesses": ["room:admin"]}, "unknown permission scope 'room:admin'"),
        ({"default_accesses": ["storage:write"]}, "no base scope"),
        (
            {"default_accesses": [], "users_accesses": {"a": ["*:read", "*:write"]}},
            r"users_accesses\['a'\].*several base scopes",
        ),
        ({"default_accesses": [], "groups_accesses": {"g": None}}, "must be a list"),
        ({"default_accesses": [], "metadata": {"n": 1}}, "metadata"),
        ({"default_accesses": [], "organization_id": "a", "tenant_id": "b"}, "not both"),
    ],
)
def test_room_writes_are_validated_before_any_request(
    make_client, fake: FakeLiveblocks, kwargs: dict[str, Any], reason: str
) -> None:
    lb = make_client()
    with pytest.raises(ValueError, match=reason):
        lb.run(lb.client.create_room("r", **kwargs))
    with pytest.raises(ValueError, match="room_id"):
        lb.run(lb.client.get_room(""))
    with pytest.raises(ValueError, match="at least one"):
        lb.run(lb.client.update_room("r"))
    with pytest.raises(ValueError, match="unknown permission"):
        lb.run(lb.client.update_room("r", users_accesses={"a": ["room:owner"]}))
    assert fake.calls == []


def test_list_rooms_pages_through_everything(make_client, fake: FakeLiveblocks) -> None:
    lb = make_client()
    for i in range(7):
        org = "acme" if i % 2 == 0 else "globex"
        lb.run(lb.client.create_room(f"room-{i}", default_accesses=[], organization_id=org))
    fake.calls.clear()
    rooms = collect(lb, lb.client.list_rooms(page_size=3))
    assert sorted(r.id for r in rooms) == [f"room-{i}" for i in range(7)]
    assert len(fake.calls) == 3
    assert "startingAfter" not in fake.calls[0].params
    assert fake.calls[1].params["startingAfter"] == fake.calls[0].params.get(
        "startingAfter", rooms[2].id
    )
    acme = collect(lb, lb.client.list_rooms(organization_id="acme"))
    assert {r.organization_id for r in acme} == {"acme"}
    assert len(acme) == 4


def test_list_rooms_filters(make_client, fake: FakeLiveblocks) -> None:
    lb = make_client()
    lb.run(
        lb.client.create_room(
            "a", default_accesses=[], users_accesses={"al": ["*:read"]}, metadata={"color": "blue"}
        )
    )
    lb.run(
        lb.client.create_room(
            "b", default_accesses=[], groups_accesses={"ed": ["*:write"]}, metadata={"color": "red"}
        )
    )
    assert [r.id for r in collect(lb, lb.client.list_rooms(user_id="al"))] == ["a"]
    assert [r.id for r in collect(lb, lb.client.list_rooms(group_ids=["ed", "x"]))] == ["b"]
    assert [r.id for r in collect(lb, lb.client.list_rooms(metadata={"color": "red"}))] == ["b"]
    assert fake.calls[-1].params["query"] == 'metadata["color"]:"red"'


def test_list_rooms_checks_arguments_at_the_call(make_client, fake: FakeLiveblocks) -> None:
    lb = make_client()
    with pytest.raises(ValueError, match="page_size"):
        lb.client.list_rooms(page_size=500)
    with pytest.raises(ValueError, match="group_ids"):
        lb.client.list_rooms(group_ids="editors")
    assert fake.calls == []


def test_upstream_trouble_raises_liveblocks_error(
    make_client, fake: FakeLiveblocks, sleeps: list[float]
) -> None:
    lb = make_client()
    fake.fail_next(Fault.server_error(503), times=3)
    with pytest.raises(LiveblocksError) as info:
        lb.run(lb.client.get_room("r"))
    assert info.value.status == 503
    assert len(fake.calls) == 3
    fake.fail_next(Fault.connection_refused(), times=3)
    with pytest.raises(LiveblocksError, match="could not be reached") as info:
        lb.run(lb.client.delete_room("r"))
    assert info.value.code == "UNAVAILABLE"


def test_the_error_carries_code_message_and_suggestion(make_client, fake: FakeLiveblocks) -> None:
    fake.fail_next(
        Fault(
            status=404,
            body=b'{"error":"ROOM_NOT_FOUND","message":"No room x","suggestion":"Create it first"}',
        )
    )
    lb = make_client()
    with pytest.raises(LiveblocksError) as info:
        lb.run(lb.client.get_room("x"))
    error = info.value
    assert (error.status, error.code, error.message, error.suggestion) == (
        404,
        "ROOM_NOT_FOUND",
        "No room x",
        "Create it first",
    )
    assert str(error) == "ROOM_NOT_FOUND: No room x (Create it first)"
