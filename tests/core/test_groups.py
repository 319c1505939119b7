"""Groups: the requests are those of @liveblocks/node (a recording server sees both), answers are
read as Node and the official Python SDK read them (unknown fields kept), arguments are checked
before anything is sent, only harmless calls are retried, and the fake does all of it."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any

import pytest

from liveblocks_auth import Group, Liveblocks, LiveblocksError
from liveblocks_auth.testing import FakeLiveblocks, Fault
from tests.core.harness import SECRET
from tests.recording import (
    async_client_agrees,
    differential,
    never_sent_twice,
    recorder_fixture,
    refused_before_sending,
)

GROUP_JSON = {
    "type": "group",
    "id": "team 1/é",
    "organizationId": "acme",
    "createdAt": "2024-01-15T10:30:00.000Z",
    "updatedAt": "2024-01-16T09:00:00.500Z",
    "scopes": {"mention": True},
    "members": [
        {"id": "alice", "addedAt": "2024-01-15T10:30:00.000Z"},
        {"id": "bob", "addedAt": "2024-01-16T09:00:00.000Z"},
    ],
    "someFutureField": {"kept": True},
}


_CURSORS = itertools.cycle([None, None, None, "cursor 1", None])  # each run's 5 listing calls


def _answer(method: str, path: str) -> tuple[int, str, bytes]:
    if method == "DELETE":
        return 204, "application/json", b""
    listing = method == "GET" and (path == "/v2/groups" or path.endswith("/groups"))
    answer = {"data": [GROUP_JSON], "nextCursor": next(_CURSORS)} if listing else GROUP_JSON
    return 200, "application/json", json.dumps(answer).encode()


recorder = recorder_fixture(_answer)


def our_calls(lb: Liveblocks) -> list[Any]:
    """The calls of tests/realstack/group_requests.mjs, with our client."""
    return [
        lb.create_group("team 1/é", member_ids=["alice", "bob"]),
        lb.create_group("design", member_ids=[], organization_id="acme", scopes={"mention": True}),
        lb.get_group("team 1/é"),
        lb.add_group_members("team 1/é", ["carol"]),
        lb.remove_group_members("team 1/é", ["bob", "carol"]),
        lb.delete_group("team 1/é"),
        list(lb.get_groups()),
        list(lb.get_groups(page_size=5)),
        list(lb.get_user_groups("alice@example.com")),
        list(lb.get_user_groups("alice@example.com", page_size=2)),
    ]


def _iso(value: datetime | None) -> str | None:
    return (
        None if value is None else value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def _as_node(group: Group) -> dict[str, Any]:
    """Our group as Node's parse prints it (JSON.stringify of GroupData)."""
    return {
        **group.raw,
        "createdAt": _iso(group.created_at),
        "updatedAt": _iso(group.updated_at),
        "members": [{"id": m.id, "addedAt": _iso(m.added_at)} for m in group.members],
    }


@pytest.mark.realstack
def test_requests_and_parsed_answers_are_those_of_the_node_sdk(
    recorder: tuple[str, list[Any]],
) -> None:
    theirs, node_parsed, ours = differential("group_requests.mjs", recorder, our_calls)
    assert len(theirs) == 11
    assert theirs[10][1] == "/v2/users/alice%40example.com/groups?startingAfter=cursor+1&limit=2"
    assert theirs[0][:2] == ("POST", "/v2/groups")
    assert theirs[2][1] == "/v2/groups/team%201%2F%C3%A9"
    assert theirs[7][1] == "/v2/groups?limit=5"
    assert theirs[8][1] == "/v2/users/alice%40example.com/groups"
    # The answers, as Node parses them (dates included; unknown fields kept).
    singles = [ours[i] for i in (0, 1, 2, 3, 4)]
    assert [_as_node(g) for g in singles] == node_parsed[:5]
    node_pages = [page["data"] for page in node_parsed[5:9]]
    node_pages[3] += node_parsed[9]["data"]  # our iterator followed the cursor
    for ours_page, node_page in zip([ours[i] for i in (6, 7, 8, 9)], node_pages, strict=True):
        assert [_as_node(g) for g in ours_page] == node_page


@pytest.mark.official_sdk
def test_answers_are_read_as_the_official_python_sdk_reads_them() -> None:
    from liveblocks.models import Group as OfficialGroup

    official = OfficialGroup.from_dict(GROUP_JSON)
    ours = Group.from_json(GROUP_JSON)
    assert ours.id == official.id
    assert ours.organization_id == official.organization_id
    assert ours.created_at == official.created_at
    assert ours.updated_at == official.updated_at
    assert ours.scopes == official.scopes.to_dict()
    assert [(m.id, m.added_at) for m in ours.members] == [
        (m.id, m.added_at) for m in official.members
    ]
    assert ours.raw["someFutureField"] == official["someFutureField"]  # unknown fields kept
    assert ours.member_ids == ["alice", "bob"]


def test_the_async_client_sends_the_same(recorder: tuple[str, list[Any]]) -> None:
    async_client_agrees(recorder, our_calls)


# --- checks before sending, retries, the fake -------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda lb: lb.create_group(""), "group_id must be a string of 1-128"),
        (lambda lb: lb.create_group(".."), "cannot be used"),
        (lambda lb: lb.create_group("g", member_ids="alice"), "member_ids must be a list"),
        (lambda lb: lb.create_group("g", member_ids=[""]), "member_ids must be a non-empty"),
        (lambda lb: lb.create_group("g", scopes={"admin": True}), "the only group scope"),
        (lambda lb: lb.create_group("g", organization_id=""), "organization_id must be"),
        (lambda lb: lb.add_group_members("g", []), "at least one user"),
        (lambda lb: lb.remove_group_members("g", None), "member_ids must be a list"),
        (lambda lb: lb.get_groups(page_size=0), "page_size must be between 1 and 100"),
        (lambda lb: lb.get_user_groups(""), "user_id must be a non-empty string"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    fake: FakeLiveblocks, call: Any, message: str
) -> None:
    refused_before_sending(fake, call, message)


def test_only_harmless_calls_are_retried(fake: FakeLiveblocks) -> None:
    # Never sent twice: a second creation could answer 409.
    never_sent_twice(fake, lambda lb: lb.create_group("eng", member_ids=["alice"]))
    with Liveblocks(SECRET, transport=fake) as lb:
        lb.create_group("eng", member_ids=["alice"])
        fake.fail_next(Fault.server_error(), times=1)
        assert lb.add_group_members("eng", ["bob"]).member_ids == ["alice", "bob"]
    assert [c.method for c in fake.calls].count("POST") == 4  # the add, retried once


def test_the_fake_keeps_groups(fake: FakeLiveblocks) -> None:
    with Liveblocks(SECRET, transport=fake) as lb:
        eng = lb.create_group("eng", member_ids=["alice", "bob"], organization_id="acme")
        assert (eng.id, eng.organization_id, eng.scopes) == ("eng", "acme", {"mention": True})
        assert isinstance(eng.created_at, datetime)
        with pytest.raises(LiveblocksError) as duplicate:
            lb.create_group("eng")
        assert (duplicate.value.status, duplicate.value.code) == (409, "GROUP_ALREADY_EXISTS")
        lb.create_group("design", member_ids=["alice"])
        for n in range(5):
            lb.create_group(f"extra-{n}")
        assert lb.add_group_members("eng", ["carol", "alice"]).member_ids == [
            "alice",
            "bob",
            "carol",
        ]
        assert lb.remove_group_members("eng", ["bob"]).member_ids == ["alice", "carol"]
        assert [g.id for g in lb.get_user_groups("alice", page_size=1)] == ["eng", "design"]
        everything = [g.id for g in lb.get_groups(page_size=3)]
        assert everything == ["eng", "design", *(f"extra-{n}" for n in range(5))]
        assert len(fake.calls_to("/v2/groups")) >= 3 + 7  # the listing took three pages
        lb.delete_group("eng")
        with pytest.raises(LiveblocksError) as gone:
            lb.get_group("eng")
        assert (gone.value.status, gone.value.code) == (404, "GROUP_NOT_FOUND")
        assert "eng" not in fake.groups
