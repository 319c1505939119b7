"""``LiveblocksAuth.fastapi_router``: the user from a FastAPI dependency, on the fake."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, HTTPException, Security
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from fastapi.testclient import TestClient
from pydantic import BaseModel

from liveblocks_auth import Denied, LiveblocksUser
from liveblocks_auth.testing import FakeLiveblocks, decode_token
from liveblocks_auth_starlette import LiveblocksAuth
from tests.contract import ALLOWED_ORIGIN, BAD_REQUESTS, PREFLIGHT, ROOM
from tests.core.harness import SECRET

URL = "/api/liveblocks-auth"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes={"rooms": "Enter rooms"})


class User(BaseModel):
    id: int
    username: str
    full_name: str | None = None
    avatar_url: str | None = None
    scopes: list[str] = []


TOKENS = {
    "t-alice": User(id=1, username="alice", full_name="Alice Martin", scopes=["rooms"]),
    "t-bob": User(id=2, username="bob", avatar_url="https://cdn.example/bob.png"),
}


def token_user(token: Annotated[str, Depends(oauth2_scheme)]) -> User:
    user = TOKENS.get(token)
    if user is None:
        raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
    return user


async def get_current_user(user: Annotated[User, Depends(token_user)]) -> User:
    return user  # an async dependency with a sub-dependency


def make_app(fake: FakeLiveblocks, current_user: Any = get_current_user, **kw: Any) -> FastAPI:
    liveblocks = LiveblocksAuth(SECRET, transport=fake, **kw.pop("options", {}))
    app = FastAPI()
    app.include_router(liveblocks.fastapi_router(current_user=current_user, **kw))
    return app


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_dependency_s_user_gets_a_token_shaped_by_the_defaults(fake: FakeLiveblocks) -> None:
    with TestClient(make_app(fake)) as client:  # the router's lifespan opens the client
        alice = client.post(URL, json=ROOM, headers=bearer("t-alice"))
        bob = client.post(URL, json=ROOM, headers=bearer("t-bob"))
    assert (alice.status_code, bob.status_code) == (200, 200)
    assert alice.headers["content-type"] == "application/json"
    assert {k: v for k, v in decode_token(alice.json()["token"]).items() if k in "uid ui"} == {
        "uid": "1",
        "ui": {"name": "Alice Martin"},
    }
    assert decode_token(bob.json()["token"])["ui"] == {
        "name": "bob",
        "avatar": "https://cdn.example/bob.png",
    }
    assert [call.json["userId"] for call in fake.calls] == ["1", "2"]


def test_the_dependency_s_http_exception_passes_through(fake: FakeLiveblocks) -> None:
    with TestClient(make_app(fake)) as client:
        missing = client.post(URL, json=ROOM)
        wrong = client.post(URL, json=ROOM, headers=bearer("nope"))
    assert (missing.status_code, missing.json()) == (401, {"detail": "Not authenticated"})
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "invalid token"})
    assert wrong.headers["www-authenticate"] == "Bearer"
    assert fake.calls == []


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_none_from_the_dependency_is_401(fake: FakeLiveblocks, kind: str) -> None:
    def sync_nobody() -> None:
        return None

    async def async_nobody() -> None:
        return None

    app = make_app(fake, sync_nobody if kind == "sync" else async_nobody)
    with TestClient(app) as client:
        response = client.post(URL, json=ROOM)
    assert (response.status_code, response.json()["error"]) == (401, "unauthorized")
    assert fake.calls == []


def test_dependency_overrides_work(fake: FakeLiveblocks) -> None:
    app = make_app(fake)
    app.dependency_overrides[get_current_user] = lambda: LiveblocksUser("test-user", ["qa"])
    with TestClient(app) as client:
        response = client.post(URL, json=ROOM)  # no token needed: the override decides
    assert response.status_code == 200
    claims = decode_token(response.json()["token"])
    assert (claims["uid"], claims["gids"]) == ("test-user", ["qa"])


def test_security_scopes_reach_the_dependency(fake: FakeLiveblocks) -> None:
    seen: list[list[str]] = []

    def scoped_user(
        security_scopes: SecurityScopes, token: Annotated[str, Security(oauth2_scheme)]
    ) -> User:
        seen.append(security_scopes.scopes)
        user = token_user(token)
        if not set(security_scopes.scopes) <= set(user.scopes):
            raise HTTPException(403, "missing scope")
        return user

    with TestClient(make_app(fake, scoped_user, scopes=["rooms"])) as client:
        assert client.post(URL, json=ROOM, headers=bearer("t-alice")).status_code == 200
        assert client.post(URL, json=ROOM, headers=bearer("t-bob")).status_code == 403
        schema = client.get("/openapi.json").json()
    assert seen == [["rooms"], ["rooms"]]
    operation = schema["paths"][URL]["post"]
    assert operation["security"] == [{"OAuth2PasswordBearer": ["rooms"]}]


def test_hooks_shape_the_app_user_and_may_read_request_and_data(fake: FakeLiveblocks) -> None:
    def organization(user: User, request: Any, data: Any) -> str:
        return request.headers.get("x-workspace") or data.get("workspace", "default")

    def policy(user: LiveblocksUser, room: str | None, data: Any) -> bool:
        if room and not room.startswith(f"{user.organization_id}-"):
            raise Denied(f"room {room} is not in workspace {user.organization_id}")
        return True

    options = {
        "organization_id": organization,
        "group_ids": lambda user: ["staff"],
        "room_policy": policy,
    }
    with TestClient(make_app(fake, options=options)) as client:
        ok = client.post(URL, json={"room": "acme-x", "workspace": "acme"}, headers=bearer("t-bob"))
        header = client.post(URL, json=ROOM, headers={**bearer("t-bob"), "X-Workspace": "acme"})
        refused = client.post(
            URL, json={"room": "acme-x", "workspace": "globex"}, headers=bearer("t-bob")
        )
    assert (ok.status_code, header.status_code) == (200, 200)
    assert decode_token(ok.json()["token"])["oid"] == "acme"
    assert decode_token(ok.json()["token"])["gids"] == ["staff"]
    assert refused.status_code == 403
    assert refused.json()["message"] == "room acme-x is not in workspace globex"
    assert len(fake.calls) == 2


@pytest.mark.parametrize(("method", "body", "content_type", "status"), BAD_REQUESTS)
def test_bad_requests_are_refused_by_the_core(
    fake: FakeLiveblocks, method: str, body: Any, content_type: str | None, status: int
) -> None:
    app = make_app(fake, options={"room_policy": lambda user, room: room.startswith("acme-")})
    with TestClient(app) as client:
        headers = {**bearer("t-alice"), **({"Content-Type": content_type} if content_type else {})}
        response = client.request(method, URL, content=body, headers=headers)
    assert response.status_code == status
    if method == "POST":
        assert set(response.json()) == {"error", "message"}
    assert fake.calls == []


def test_openapi_documents_the_endpoint(fake: FakeLiveblocks) -> None:
    with TestClient(make_app(fake)) as client:
        schema = client.get("/openapi.json").json()
    operation = schema["paths"][URL]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "room" in body["properties"]
    assert body.get("required", []) == []  # room is optional
    assert {"200", "401", "403", "413", "415"} <= set(operation["responses"])
    token = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert token["required"] == ["token"]
    assert operation["security"] == [{"OAuth2PasswordBearer": []}]
    assert "/api/liveblocks-webhook" not in schema["paths"]


def test_cors_preflight_skips_the_dependency_and_posts_carry_cors(fake: FakeLiveblocks) -> None:
    app = make_app(fake, options={"allowed_origins": [ALLOWED_ORIGIN]})
    with TestClient(app) as client:
        preflight = client.options(URL, headers=PREFLIGHT)
        post = client.post(URL, json=ROOM, headers={**bearer("t-alice"), "Origin": ALLOWED_ORIGIN})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "Authorization" in preflight.headers["access-control-allow-headers"]
    assert post.status_code == 200
    assert post.headers.get_list("access-control-allow-origin") == [ALLOWED_ORIGIN]
    assert post.headers["access-control-allow-credentials"] == "true"


def test_the_lifespan_may_be_given_to_the_app_as_well(fake: FakeLiveblocks) -> None:
    liveblocks = LiveblocksAuth(SECRET, transport=fake)
    app = FastAPI(lifespan=liveblocks.lifespan)
    app.include_router(liveblocks.fastapi_router(current_user=get_current_user))
    with TestClient(app) as client:
        assert client.post(URL, json=ROOM, headers=bearer("t-alice")).status_code == 200
    with pytest.raises(RuntimeError, match="lifespan is not running"):
        liveblocks.client  # noqa: B018 - closed at shutdown


def test_the_body_is_json_as_the_client_sends_it(fake: FakeLiveblocks) -> None:
    with TestClient(make_app(fake)) as client:
        response = client.post(
            URL,
            content=json.dumps({"room": None}),
            headers={**bearer("t-alice"), "Content-Type": "application/json"},
        )
    assert response.status_code == 200
