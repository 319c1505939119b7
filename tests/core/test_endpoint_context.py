"""The endpoint for apps beyond the session: hooks that read the request and the posted data,
refusals from hooks, CORS for allowed origins, and the default user shapes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest

from liveblocks_auth import (
    AuthEndpoint,
    Denied,
    LiveblocksUser,
    default_user_id,
    default_user_info,
    user_from,
)
from liveblocks_auth._effects import hook_extras, is_async_callable
from liveblocks_auth.testing import FakeLiveblocks, decode_token
from tests.core.test_endpoint import ALICE, JSON, Server, endpoint, error_of, request, serve

__all__ = ["serve"]  # the fixture, imported for its use here

PARTNER = "https://app.partner.example"

# --- hooks that need the request or the posted data ------------------------------------------


def test_hooks_get_request_and_data_when_they_ask(serve: Server, fake: FakeLiveblocks) -> None:
    seen: dict[str, Any] = {}

    def resolve(ctx: Any, data: Any) -> LiveblocksUser:
        seen["resolver"] = (ctx, data)
        return ALICE

    def policy(user: LiveblocksUser, room: str | None, *, request: Any) -> bool:
        seen["policy"] = request
        return True

    async def permissions(user: LiveblocksUser, room: str | None, data: Any, request: Any) -> Any:
        seen["permissions"] = (data, request)
        return {f"{data['workspace']}:*": ["room:write"]}

    ep = AuthEndpoint(resolve, room_policy=policy, token_mode="access", permissions=permissions)
    body = {"room": "acme:plans", "workspace": "acme", "extra": [1, 2]}
    response = serve(ep, request(json.dumps(body).encode(), context="the-framework-request"))
    assert response.status == 200
    assert decode_token(response.json()["token"])["perms"] == {"acme:*": ["room:write"]}
    assert seen == {
        "resolver": ("the-framework-request", body),
        "policy": "the-framework-request",
        "permissions": (body, "the-framework-request"),
    }
    assert len(fake.calls) == 1


def test_hooks_that_do_not_ask_get_nothing_more(serve: Server) -> None:
    # A parameter named like an extra but filled by position is left alone.
    def policy(user: LiveblocksUser, request: Any) -> bool:  # 'request' here is the room
        return request == "acme-roadmap"

    assert serve(endpoint(room_policy=policy), request()).status == 200
    assert hook_extras(policy, 2, {"request": 1, "data": 2}) == {}
    assert hook_extras(lambda user, room, **kw: True, 2, {"request": 1}) == {}


def test_sync_and_async_hooks_are_told_apart_hashable_or_not() -> None:
    class Unhashable:
        __hash__ = None  # type: ignore[assignment]

    class AsyncHook(Unhashable):
        async def __call__(self, user: Any) -> bool:
            return True

    class SyncHook(Unhashable):
        def __call__(self, user: Any) -> bool:
            return True

    async def coroutine_function(user: Any) -> bool:
        return True

    for hook, expected in [
        (AsyncHook(), True),
        (SyncHook(), False),
        (coroutine_function, True),
        (partial(coroutine_function), True),
        (len, False),
        (partial(len), False),
    ]:
        assert is_async_callable(hook) is expected, hook
        assert is_async_callable(hook) is expected, hook  # asked again: the same answer


def test_denied_from_a_hook_is_the_answer(serve: Server, fake: FakeLiveblocks) -> None:
    def policy(user: LiveblocksUser, room: str | None, data: Any) -> bool:
        if data.get("workspace") != user.organization_id:
            raise Denied("you are not a member of this workspace")
        return True

    ep = endpoint(room_policy=policy)
    refused = serve(ep, request(b'{"room": "r", "workspace": "globex"}'))
    assert refused.status == 403
    assert error_of(refused) == {
        "error": "forbidden",
        "message": "you are not a member of this workspace",
    }
    resolver_401 = AuthEndpoint(
        lambda ctx: (_ for _ in ()).throw(Denied("token expired", 401, headers=[("X-A", "b")]))
    )
    response = serve(resolver_401, request())
    assert (response.status, error_of(response)["error"]) == (401, "unauthorized")
    assert ("X-A", "b") in response.headers
    assert fake.calls == []
    assert serve(ep, request(b'{"room": "r", "workspace": "acme"}')).status == 200
    with pytest.raises(ValueError, match="4xx"):
        Denied("no", 500)


def test_the_posted_data_is_limited_like_the_body(serve: Server, fake: FakeLiveblocks) -> None:
    big = json.dumps({"room": "r", "notes": "x" * 9000}).encode()
    assert serve(endpoint(), request(big)).status == 413
    assert fake.calls == []


# --- CORS for allowed origins ----------------------------------------------------------------


def preflight(origin: str, **headers: str) -> Any:
    return request(
        b"",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST", **headers},
        method="OPTIONS",
    )


def test_a_preflight_from_an_allowed_origin_is_204_with_cors(
    serve: Server, fake: FakeLiveblocks
) -> None:
    ep = endpoint(allowed_origins=[PARTNER])
    response = serve(
        ep,
        preflight(
            PARTNER,
            **{
                "Access-Control-Request-Headers": "authorization, content-type, x-workspace",
                "Sec-Fetch-Site": "cross-site",
            },
        ),
    )
    assert (response.status, response.body) == (204, b"")
    headers = dict(response.headers)
    assert headers["Access-Control-Allow-Origin"] == PARTNER
    assert headers["Access-Control-Allow-Methods"] == "POST"
    assert headers["Access-Control-Allow-Headers"] == "Content-Type, Authorization, x-workspace"
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert int(headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in headers["Vary"]
    assert len(response.headers) == len(headers)  # no header twice
    assert fake.calls == []


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "https://app.partner.example.evil.example", "null"]
)
def test_a_preflight_from_another_origin_gets_no_cors(serve: Server, origin: str) -> None:
    response = serve(endpoint(allowed_origins=[PARTNER]), preflight(origin))
    assert response.status == 403
    assert not [name for name, _ in response.headers if name.startswith("Access-Control-")]
    assert "allowed_origins" in error_of(response)["message"]


def test_requested_headers_are_echoed_only_when_well_formed(serve: Server) -> None:
    odd = "x-ok, bad header, x-\r\nInjected: 1, " + ", ".join(f"x-{i}" for i in range(40))
    response = serve(
        endpoint(allowed_origins=[PARTNER]),
        preflight(PARTNER, **{"Access-Control-Request-Headers": odd}),
    )
    allowed = dict(response.headers)["Access-Control-Allow-Headers"].split(", ")
    assert allowed[:3] == ["Content-Type", "Authorization", "x-ok"]
    assert all(" " not in name and "\n" not in name for name in allowed)
    assert len(allowed) <= 18


@pytest.mark.parametrize("user", [ALICE, None])
def test_answers_to_an_allowed_origin_carry_cors(
    serve: Server, fake: FakeLiveblocks, user: LiveblocksUser | None
) -> None:
    # Errors too: without CORS headers the page could not read the 401 and would retry.
    ep = endpoint(user, allowed_origins=[PARTNER])
    headers = {**JSON, "Origin": PARTNER, "Sec-Fetch-Site": "cross-site"}
    response = serve(ep, request(headers=headers))
    assert response.status == (200 if user else 401)
    found = dict(response.headers)
    assert found["Access-Control-Allow-Origin"] == PARTNER
    assert found["Access-Control-Allow-Credentials"] == "true"
    assert len(response.headers) == len(found)


def test_answers_to_other_origins_carry_no_cors_and_keep_their_403(
    serve: Server, fake: FakeLiveblocks
) -> None:
    ep = endpoint(allowed_origins=[PARTNER])
    for headers in (
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},
    ):
        response = serve(ep, request(headers={**JSON, **headers}))
        assert response.status == 403
        assert not [name for name, _ in response.headers if name.startswith("Access-Control-")]
    # Same-origin pages need no CORS.
    same = serve(ep, request(headers={**JSON, "Origin": "https://app.example.com"}))
    assert same.status == 200
    assert not [name for name, _ in same.headers if name.startswith("Access-Control-")]
    assert len(fake.calls) == 1


# --- default user shapes ---------------------------------------------------------------------


@dataclass
class AppUser:
    id: int
    username: str
    avatar_url: str = ""


class FlaskLoginUser:
    def get_id(self) -> str:
        return "7"

    name = "Marie"
    avatar = "https://cdn.example/m.png"


class StarletteUser:
    @property
    def identity(self) -> str:
        raise NotImplementedError

    @property
    def display_name(self) -> str:
        return "olivier"


class FileField:
    def __init__(self, url: str | None) -> None:
        self._url = url

    def __bool__(self) -> bool:
        return self._url is not None

    @property
    def url(self) -> str:
        if self._url is None:
            raise ValueError("no file")
        return self._url


@pytest.mark.parametrize(
    ("user", "user_id", "info"),
    [
        (
            AppUser(3, "ellen", "https://cdn.example/e.png"),
            "3",
            {"name": "ellen", "avatar": "https://cdn.example/e.png"},
        ),
        (AppUser(4, "bob"), "4", {"name": "bob"}),
        (FlaskLoginUser(), "7", {"name": "Marie", "avatar": "https://cdn.example/m.png"}),
        (StarletteUser(), "olivier", {"name": "olivier"}),
        (
            {"id": "u1", "name": "Uma", "picture": "https://x/u.png"},
            "u1",
            {"name": "Uma", "avatar": "https://x/u.png"},
        ),
        (
            {"id": 9, "full_name": "Nine", "avatar": FileField("/media/9.png")},
            "9",
            {"name": "Nine", "avatar": "/media/9.png"},
        ),
        ({"id": 10, "username": "ten", "avatar": FileField(None)}, "10", {"name": "ten"}),
    ],
)
def test_default_user_shapes(user: Any, user_id: str, info: dict[str, Any]) -> None:
    assert default_user_id(user) == user_id
    assert default_user_info(user) == info
    shaped = user_from(user, user_id=default_user_id, user_info=default_user_info)
    assert (shaped.id, shaped.info) == (user_id, info)


def test_a_sqlite_row_is_a_user_too() -> None:
    # Flask's tutorial keeps g.user = db.execute(...).fetchone(): a sqlite3.Row.
    import sqlite3

    connection = sqlite3.connect(":memory:")
    connection.row_factory = sqlite3.Row
    row = connection.execute("SELECT 12 AS id, 'ada' AS username").fetchone()
    assert (default_user_id(row), default_user_info(row)) == ("12", {"name": "ada"})


def test_a_user_object_without_an_id_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="cannot tell the id of the user object"):
        default_user_id(object())
    assert default_user_info(object()) is None


def test_user_hooks_get_request_and_data_when_they_ask() -> None:
    def organization(user: Any, request: Any, data: Any) -> str:
        return f"{request}:{data['workspace']}"

    shaped = user_from(
        AppUser(1, "a"),
        user_id=default_user_id,
        organization_id=organization,
        request="req",
        data={"workspace": "acme"},
    )
    assert shaped.organization_id == "req:acme"


def test_each_answer_is_one_decision_line_when_asked_for(
    serve: Server, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    ep = endpoint(room_policy=lambda user, room: room != "secret\nforged line")
    with caplog.at_level(logging.INFO, logger="liveblocks_auth.decisions"):
        serve(ep, request())
        serve(ep, request(json.dumps({"room": "secret\nforged line"}).encode()))
        serve(endpoint(None), request())
        serve(ep, request(b"[]"))
    lines = [r.getMessage() for r in caplog.records if r.name == "liveblocks_auth.decisions"]
    assert lines == [
        "alice, room 'acme-roadmap': 200, id token issued; the room's permissions decide at its "
        "door",
        "alice, room 'secret\\nforged line': 403, you may not enter this room",  # one line
        "(no user), room 'acme-roadmap': 401, not logged in",
        '(no user), room None: 400, body must be a JSON object such as {"room": "my-room"}',
    ]
