"""The core against the official Liveblocks dev server, and the official client through it."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from liveblocks_auth import AsyncLiveblocks, Liveblocks, LiveblocksUser, RetryPolicy
from liveblocks_auth._protocol import ApiRequest
from liveblocks_auth.testing import DevServer, decode_token
from liveblocks_auth.testing.devserver import free_port
from tests.realstack.endpoint_server import enter_room, fetch_inbox_notifications, serve_endpoint

pytestmark = pytest.mark.realstack


@pytest.fixture(scope="module")
def lb(dev_server: DevServer) -> Iterator[Liveblocks]:
    with Liveblocks(dev_server.secret, base_url=dev_server.base_url) as client:
        yield client


def claims_of(body: str) -> dict[str, Any]:
    return decode_token(json.loads(body)["token"])


def test_identify_user_gets_an_id_token(lb: Liveblocks) -> None:
    answer = lb.identify_user("alice", group_ids=["editors"], user_info={"name": "Alice"})
    assert answer.status == 200
    claims = claims_of(answer.body)
    assert (claims["k"], claims["pid"], claims["uid"]) == ("id", "localdev", "alice")
    assert claims["gids"] == ["editors"]
    assert claims["ui"] == {"name": "Alice"}


def test_identify_user_without_optional_fields(lb: Liveblocks) -> None:
    # The dev server answers 422 to "groupIds": null; we must omit absent fields.
    answer = lb.identify_user("bob")
    assert answer.status == 200
    assert claims_of(answer.body)["uid"] == "bob"


def test_prepare_session_gets_an_access_token(lb: Liveblocks) -> None:
    session = lb.prepare_session("carol", user_info={"name": "Carol"})
    session.allow("acme-*", ["room:read", "room:presence:write"]).allow("acme-notes", ["*:write"])
    answer = session.authorize()
    assert answer.status == 200
    claims = claims_of(answer.body)
    assert claims["k"] == "acc"
    assert claims["perms"] == {
        "acme-*": ["room:read", "room:presence:write"],
        "acme-notes": ["*:write"],
    }


def test_async_client_against_the_dev_server(dev_server: DevServer) -> None:
    async def go() -> list[int]:
        async with AsyncLiveblocks(dev_server.secret, base_url=dev_server.base_url) as client:
            first = await client.identify_user("dave", organization_id="globex")
            session = client.prepare_session("dave").allow("globex-*", ["room:write"])
            second = await session.authorize()
            return [first.status, second.status, claims_of(first.body)["uid"] == "dave"]

    assert asyncio.run(go()) == [200, 200, True]


def test_a_wrong_secret_is_403_passed_through_and_the_warning_logged(
    dev_server: DevServer, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="liveblocks_auth"),
        Liveblocks("sk_not_the_dev_key", base_url=dev_server.base_url) as client,
    ):
        answer = client.identify_user("alice")
    assert answer.status == 403
    assert "Invalid secret key" in answer.body
    messages = [r.getMessage() for r in caplog.records]
    assert any("You can only use 'sk_localdev'" in m for m in messages)  # X-LB-Warn
    assert any("hint: Liveblocks refused the secret key" in m for m in messages)


def test_a_schema_error_is_422_passed_through(lb: Liveblocks) -> None:
    result = lb.auth_call(
        ApiRequest("POST", "/v2/identify-user", {"userId": "a", "groupIds": None})
    )
    assert result.status == 422
    assert "groupIds" in result.body


def test_no_dev_server_is_503_with_the_hint() -> None:
    policy = RetryPolicy(max_attempts=2, backoff_initial=0.01, backoff_max=0.01)
    with Liveblocks("sk_localdev", base_url=f"http://127.0.0.1:{free_port()}", retry=policy) as c:
        answer = c.identify_user("alice")
    assert answer.status == 503
    assert answer.body == "Could not connect to your Liveblocks dev server. Is it running?"


# --- the official client, through our endpoint -----------------------------------------------

USERS = {
    "alice": LiveblocksUser("alice", info={"name": "Alice"}),
    "bob": LiveblocksUser("bob", ["viewers"]),
    "carol": LiveblocksUser("carol"),
}


@pytest.fixture(scope="module")
def core_room(lb: Liveblocks) -> str:
    room = {
        "id": "core-room",
        "defaultAccesses": [],
        "usersAccesses": {"alice": ["room:write"]},
        "groupsAccesses": {"viewers": ["room:read", "room:presence:write"]},
    }
    assert lb.call(ApiRequest("POST", "/v2/rooms", room)).status == 200
    return "core-room"


@pytest.fixture(scope="module")
def auth_url(lb: Liveblocks) -> Iterator[str]:
    with serve_endpoint(lb, USERS, room_policy=lambda user, room: room != "off-limits") as url:
        yield url


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("alice", {"outcome": "connected", "canWrite": True, "id": "alice"}),
        ("bob", {"outcome": "connected", "canWrite": False, "id": "bob"}),
        ("carol", {"outcome": "refused", "code": 4001}),
    ],
)
def test_the_official_client_enters_as_the_room_permissions_say(
    dev_server: DevServer, core_room: str, auth_url: str, user: str, expected: dict[str, Any]
) -> None:
    outcome = enter_room(dev_server.base_url, auth_url, core_room, cookie=f"user={user}")
    assert {k: outcome.get(k) for k in expected} == expected
    assert outcome["authRequests"] == [200]


def test_user_info_reaches_the_other_clients(
    dev_server: DevServer, core_room: str, auth_url: str
) -> None:
    outcome = enter_room(dev_server.base_url, auth_url, core_room, cookie="user=alice")
    assert outcome["info"] == {"name": "Alice"}


@pytest.mark.parametrize(
    ("cookie", "room", "status"), [(None, "core-room", 401), ("user=alice", "off-limits", 403)]
)
def test_our_refusals_stop_the_official_client_at_once(
    dev_server: DevServer, auth_url: str, cookie: str | None, room: str, status: int
) -> None:
    outcome = enter_room(dev_server.base_url, auth_url, room, cookie=cookie, timeout_ms=6000)
    assert outcome["outcome"] == "auth-failed"
    assert outcome["message"].startswith("Unauthorized: ")
    assert f"({status} returned by POST" in outcome["message"]
    assert outcome["authRequests"] == [status]  # no retry


def test_upstream_down_is_503_and_the_official_client_keeps_retrying(
    dev_server: DevServer, core_room: str
) -> None:
    policy = RetryPolicy(max_attempts=1)
    dead = f"http://127.0.0.1:{free_port()}"
    with (
        Liveblocks("sk_localdev", base_url=dead, retry=policy) as down,
        serve_endpoint(down, USERS) as url,
    ):
        outcome = enter_room(dev_server.base_url, url, core_room, "user=alice", timeout_ms=6000)
    assert outcome["outcome"] in ("timeout", "auth-failed")
    assert outcome["outcome"] == "timeout" or "Failed to authenticate" in outcome["message"]
    assert len(outcome["authRequests"]) >= 2  # retried, not given up
    assert set(outcome["authRequests"]) == {503}


@pytest.mark.parametrize("grant", [{}, None])
def test_access_tokens_without_a_room_serve_the_official_clients_inbox(
    dev_server: DevServer, lb: Liveblocks, grant: Any
) -> None:
    # The client asks for a token with no room to fetch notifications; a permissions hook that
    # grants nothing outside rooms still gets it one (as @liveblocks/node), with no permissions.
    asked: list[Any] = []

    def permissions(user: LiveblocksUser, room: str | None) -> Any:
        asked.append(room)
        return grant if room is None else {room: ["room:write"]}

    users = {"alice": LiveblocksUser("alice", info={"name": "Alice"})}
    with serve_endpoint(lb, users, token_mode="access", permissions=permissions) as url:
        outcome = fetch_inbox_notifications(dev_server.base_url, url, "user=alice")
    auth, api = outcome["requests"]
    assert (auth["url"], auth["status"], json.loads(auth["body"])) == (url, 200, {})
    token = json.loads(auth["answer"])["token"]
    claims = decode_token(token)
    assert (claims["k"], claims["uid"], claims["perms"]) == ("acc", "alice", {})
    # The client accepted the token: its inbox call carries it, and the dev server answers.
    assert "/v2/c/inbox-notifications" in api["url"]
    assert (api["authorization"], api["status"]) == (f"Bearer {token}", 200)
    assert (outcome["outcome"], outcome["count"]) == ("ok", 0)
    assert asked == [None]


def test_a_429_is_retried_by_the_official_client_which_then_enters(
    dev_server: DevServer, core_room: str, lb: Liveblocks
) -> None:
    """What a rate limit should answer (docs/rate-limits.md): the client backs off and tries
    again, and enters once the limit lets it through; a 403 would have stopped it for good."""
    limited = [b'{"error": "rate_limited", "message": "too many token requests"}'] * 2

    def rate_limit() -> tuple[int, bytes] | None:
        return (429, limited.pop()) if limited else None

    with serve_endpoint(lb, USERS, gate=rate_limit) as url:
        outcome = enter_room(dev_server.base_url, url, core_room, cookie="user=alice")
    assert (outcome["outcome"], outcome["id"]) == ("connected", "alice")
    assert outcome["authRequests"] == [429, 429, 200]
