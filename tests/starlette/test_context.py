"""The Starlette adapter for token-based front ends and other origins: hooks that read the
request and the posted data, avatar in the default userInfo, CORS alone and beside Starlette's
CORSMiddleware."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.testclient import TestClient

from liveblocks_auth import LiveblocksUser
from liveblocks_auth.testing import FakeLiveblocks, decode_token
from liveblocks_auth_starlette import LiveblocksAuth
from tests.contract import ALLOWED_ORIGIN, PREFLIGHT, ROOM
from tests.core.harness import SECRET

URL = "/api/liveblocks-auth"
TOKENS = {"t-alice": LiveblocksUser("alice", info={"name": "Alice"})}


async def from_bearer(request: Request, data: Any) -> LiveblocksUser | None:
    user = TOKENS.get(request.headers.get("authorization", "").removeprefix("Bearer "))
    if user is None or data.get("client") != "spa":
        return None
    return user


def app_with(fake: FakeLiveblocks, *, cors_middleware: bool = False, **options: Any) -> Starlette:
    liveblocks = LiveblocksAuth(SECRET, transport=fake, **options)
    middleware = []
    if cors_middleware:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=[ALLOWED_ORIGIN],
                allow_credentials=True,
                allow_methods=["POST"],
                allow_headers=["Authorization", "Content-Type"],
            )
        )
    return Starlette(routes=liveblocks.routes, middleware=middleware, lifespan=liveblocks.lifespan)


def test_a_resolver_may_read_the_posted_data(fake: FakeLiveblocks) -> None:
    with TestClient(app_with(fake, resolve_user=from_bearer)) as client:
        ok = client.post(
            URL, json={**ROOM, "client": "spa"}, headers={"Authorization": "Bearer t-alice"}
        )
        nope = client.post(URL, json=ROOM, headers={"Authorization": "Bearer t-alice"})
    assert (ok.status_code, nope.status_code) == (200, 401)
    assert decode_token(ok.json()["token"])["uid"] == "alice"


@pytest.mark.parametrize("cors_middleware", [False, True])
def test_cors_for_allowed_origins_alone_or_beside_cors_middleware(
    fake: FakeLiveblocks, cors_middleware: bool
) -> None:
    app = app_with(
        fake,
        cors_middleware=cors_middleware,
        resolve_user=from_bearer,
        allowed_origins=[ALLOWED_ORIGIN],
    )
    with TestClient(app) as client:
        preflight = client.options(URL, headers=PREFLIGHT)
        answers = [
            client.post(
                URL, json={**ROOM, "client": "spa"}, headers={**auth, "Origin": ALLOWED_ORIGIN}
            )
            for auth in ({"Authorization": "Bearer t-alice"}, {})
        ]
        other = client.post(
            URL,
            json={**ROOM, "client": "spa"},
            headers={"Authorization": "Bearer t-alice", "Origin": "https://evil.example"},
        )
    assert preflight.status_code in (200, 204)
    assert preflight.headers.get_list("access-control-allow-origin") == [ALLOWED_ORIGIN]
    assert preflight.headers.get_list("access-control-allow-credentials") == ["true"]
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert [answer.status_code for answer in answers] == [200, 401]
    for answer in answers:
        assert answer.headers.get_list("access-control-allow-origin") == [ALLOWED_ORIGIN]
        assert answer.headers.get_list("access-control-allow-credentials") == ["true"]
    assert other.status_code == 403
    assert "access-control-allow-origin" not in other.headers
    assert len(fake.calls) == 1


def test_the_default_user_info_has_the_avatar(fake: FakeLiveblocks) -> None:
    from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
    from starlette.middleware.authentication import AuthenticationMiddleware

    class Member(SimpleUser):
        avatar = "https://cdn.example/a.png"

    class Backend(AuthenticationBackend):
        async def authenticate(self, conn: Any) -> Any:
            return AuthCredentials(["authenticated"]), Member("ann")

    liveblocks = LiveblocksAuth(SECRET, transport=fake)
    app = Starlette(
        routes=liveblocks.routes,
        middleware=[Middleware(AuthenticationMiddleware, backend=Backend())],
        lifespan=liveblocks.lifespan,
    )
    with TestClient(app) as client:
        response = client.post(URL, json=ROOM)
    claims = decode_token(response.json()["token"])
    assert (claims["uid"], claims["ui"]) == (
        "ann",
        {"name": "ann", "avatar": "https://cdn.example/a.png"},
    )
