"""Identity through every adapter: only the server-side user is ever sent upstream."""

from __future__ import annotations

import json
from typing import Any

from liveblocks_auth.testing import FakeLiveblocks, decode_token
from tests.reliability import users
from tests.reliability.adapters import AdapterFactory, Call

ALICE = users.header("alice", ["editors"], "acme")


def test_identity_fields_in_the_body_change_nothing(
    make: AdapterFactory, fake: FakeLiveblocks
) -> None:
    forged = {
        "room": "acme-roadmap",
        "userId": "mallory",
        "groupIds": ["admins"],
        "organizationId": "evil",
        "tenantId": "evil",
        "userInfo": {"name": "Mallory"},
    }
    answer = make(transport=fake).post(json.dumps(forged), user=ALICE)
    assert answer.status == 200
    [call] = fake.calls
    assert call.json == {
        "userId": "alice",
        "groupIds": ["editors"],
        "userInfo": {"name": "Alice"},
        "organizationId": "acme",
    }
    claims = decode_token(answer.json()["token"])
    assert (claims["uid"], claims["gids"], claims["oid"]) == ("alice", ["editors"], "acme")


def test_a_room_of_another_organization_is_403_with_no_upstream_call(
    make: AdapterFactory, fake: FakeLiveblocks
) -> None:
    answer = make(transport=fake).post(b'{"room": "globex-plans"}', user=ALICE)
    assert answer.status == 403
    assert answer.json() == {"error": "forbidden", "message": "you may not enter this room"}
    assert fake.calls == []


def test_200_concurrent_requests_from_20_users_each_get_their_own_identity(
    make: AdapterFactory, fake: FakeLiveblocks
) -> None:
    orgs = ["acme", "globex", "initech"]
    people = [(f"user{i:02d}", (f"team{i % 4}",), orgs[i % 3]) for i in range(20)]
    calls = []
    for n in range(200):
        name, groups, org = people[n % 20]
        room = f"{org}-room{n % 7}"
        calls.append(Call(body=json.dumps({"room": room}), user=users.header(name, groups, org)))
    answers = make(transport=fake).many(calls)
    assert [a.status for a in answers] == [200] * 200
    tokens: set[str] = set()
    for call, answer in zip(calls, answers, strict=True):
        expected: Any = users.parse(call.user)
        token = answer.json()["token"]
        tokens.add(token)
        claims = decode_token(token)
        assert claims["uid"] == expected.username
        assert claims["gids"] == list(expected.groups)
        assert claims["oid"] == expected.org
    assert len(tokens) == 200  # every request a fresh token
    assert len(fake.calls) == 200
