"""The fake behaves like the service where our code depends on it."""

from __future__ import annotations

import httpx
import pytest

from liveblocks_auth.testing import FakeLiveblocks, Fault, decode_token

KEY = {"Authorization": "Bearer sk_localdev"}


@pytest.fixture
def http() -> httpx.Client:
    return httpx.Client(transport=FakeLiveblocks(), base_url="https://api.liveblocks.io")


def test_secret_checks(http: httpx.Client) -> None:
    assert http.post("/v2/identify-user", json={"userId": "a"}).status_code == 401
    wrong = {"Authorization": "Bearer sk_wrong"}
    assert http.post("/v2/identify-user", json={"userId": "a"}, headers=wrong).status_code == 403


def test_schema_errors_are_422_with_a_reason(http: httpx.Client) -> None:
    answer = http.post("/v2/identify-user", json={"userId": "a", "groupIds": None}, headers=KEY)
    assert answer.status_code == 422
    assert "groupIds" in answer.json()["reason"]
    assert http.post("/v2/identify-user", json={"userId": ""}, headers=KEY).status_code == 422
    perms = {"userId": "a", "permissions": {"r": ["room:admin"]}}
    assert http.post("/v2/authorize-user", json=perms, headers=KEY).status_code == 422


def test_tokens_carry_the_dev_server_claims_and_are_fresh(http: httpx.Client) -> None:
    body = {"userId": "a", "groupIds": ["g"], "userInfo": {"name": "A"}, "organizationId": "o"}
    first = decode_token(http.post("/v2/identify-user", json=body, headers=KEY).json()["token"])
    second = decode_token(http.post("/v2/identify-user", json=body, headers=KEY).json()["token"])
    assert {"k", "pid", "uid", "gids", "ui", "iat", "exp", "jti", "oid"} <= set(first)
    assert first["jti"] != second["jti"]
    assert first["exp"] - first["iat"] == 3600


def test_rooms_are_scoped_by_organization(http: httpx.Client) -> None:
    room = {"id": "r1", "defaultAccesses": [], "organizationId": "acme"}
    assert http.post("/v2/rooms", json=room, headers=KEY).status_code == 200
    assert http.post("/v2/rooms", json=room, headers=KEY).status_code == 409
    assert http.get("/v2/rooms/r1", headers=KEY).json()["organizationId"] == "acme"
    other = http.get("/v2/rooms/r1", params={"organizationId": "globex"}, headers=KEY)
    assert other.status_code == 404
    assert other.json()["error"] == "ROOM_NOT_FOUND"
    listed = http.get("/v2/rooms", params={"organizationId": "globex"}, headers=KEY).json()
    assert listed["data"] == []


def test_update_room_with_null_removes_the_entry(http: httpx.Client) -> None:
    room = {"id": "r", "defaultAccesses": [], "usersAccesses": {"a": ["room:write"]}}
    http.post("/v2/rooms", json=room, headers=KEY)
    update = {"usersAccesses": {"a": None, "b": ["room:read"]}}
    answer = http.post("/v2/rooms/r", json=update, headers=KEY).json()
    assert answer["usersAccesses"] == {"b": ["room:read"]}


def test_faults_are_used_in_order_then_real_behaviour_resumes() -> None:
    fake = FakeLiveblocks()
    fake.fail_next(Fault.server_error(502))
    fake.fail_next(Fault.rate_limited(5))
    http = httpx.Client(transport=fake, base_url="https://x")
    answers = [http.post("/v2/identify-user", json={"userId": "a"}, headers=KEY) for _ in range(3)]
    assert [a.status_code for a in answers] == [502, 429, 200]
    assert answers[1].headers["Retry-After"] == "5"
    assert len(fake.calls_to("/v2/identify-user")) == 3
    fake.fail_next(Fault.connection_refused())
    with pytest.raises(httpx.ConnectError):
        http.post("/v2/identify-user", json={"userId": "a"}, headers=KEY)


def test_the_pytest_fixture_is_registered(liveblocks_fake: FakeLiveblocks) -> None:
    assert isinstance(liveblocks_fake, FakeLiveblocks)
    assert liveblocks_fake.calls == []
