"""The Flask extension for token-based front ends and other origins: hooks that read the request
and the posted data, avatar in the default userInfo, CORS alone and beside flask-cors."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, g
from flask import request as flask_request
from flask_cors import CORS

from liveblocks_auth import Denied, LiveblocksUser
from liveblocks_auth.testing import FakeLiveblocks
from liveblocks_auth_flask import LiveblocksAuth
from tests.contract import ALLOWED_ORIGIN, PREFLIGHT, ROOM
from tests.flask.test_extension import URL, claims, make_app

TOKENS = {"t-alice": {"id": "alice", "name": "Alice", "workspaces": ["acme", "globex"]}}


def bearer_app(fake: FakeLiveblocks, **config: Any) -> tuple[Flask, LiveblocksAuth]:
    app = make_app(fake, **config)
    liveblocks = LiveblocksAuth(app)

    @liveblocks.user_resolver
    def from_bearer_token(request: Any, data: Any) -> LiveblocksUser | None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        user = TOKENS.get(token)
        if user is None:
            return None
        workspace = data.get("workspace")
        if workspace is not None and workspace not in user["workspaces"]:
            raise Denied(f"you are not a member of workspace {workspace}")
        return LiveblocksUser(user["id"], info={"name": user["name"]}, organization_id=workspace)

    return app, liveblocks


def test_a_resolver_may_read_the_request_and_the_posted_data(fake: FakeLiveblocks) -> None:
    app, _ = bearer_app(fake)
    client = app.test_client()
    auth = {"Authorization": "Bearer t-alice"}
    ok = client.post(URL, json={"room": "r", "workspace": "globex"}, headers=auth)
    assert ok.status_code == 200
    assert (claims(ok)["uid"], claims(ok)["oid"]) == ("alice", "globex")
    refused = client.post(URL, json={"room": "r", "workspace": "initech"}, headers=auth)
    assert refused.status_code == 403
    assert refused.get_json()["message"] == "you are not a member of workspace initech"
    assert client.post(URL, json=ROOM).status_code == 401
    assert len(fake.calls) == 1


def test_user_hooks_and_policies_may_ask_for_the_request(fake: FakeLiveblocks) -> None:
    app = make_app(fake)
    liveblocks = LiveblocksAuth(app)
    seen: list[Any] = []

    @app.before_request
    def login() -> None:
        g.user = {"id": 5, "username": "eve", "avatar": "https://cdn.example/eve.png"}

    @liveblocks.organization_id
    def organization(user: Any, request: Any) -> str:
        return str(request.headers["X-Workspace"])

    @liveblocks.room_policy
    def policy(user: LiveblocksUser, room: str | None, *, request: Any, data: Any) -> bool:
        seen.append((request.path, data))
        return True

    response = app.test_client().post(URL, json=ROOM, headers={"X-Workspace": "acme"})
    assert response.status_code == 200
    token = claims(response)
    assert (token["uid"], token["oid"]) == ("5", "acme")
    assert token["ui"] == {"name": "eve", "avatar": "https://cdn.example/eve.png"}
    assert seen == [(URL, ROOM)]


# --- CORS ------------------------------------------------------------------------------------


@pytest.mark.parametrize("with_flask_cors", [False, True])
def test_cors_for_allowed_origins_alone_or_beside_flask_cors(
    fake: FakeLiveblocks, with_flask_cors: bool
) -> None:
    app, _ = bearer_app(fake, LIVEBLOCKS_ALLOWED_ORIGINS=[ALLOWED_ORIGIN])
    if with_flask_cors:
        CORS(app, origins=[ALLOWED_ORIGIN], supports_credentials=True)
    client = app.test_client()
    preflight = client.options(URL, headers=PREFLIGHT)
    assert preflight.status_code in (200, 204)
    for name in ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"):
        assert len(preflight.headers.getlist(name)) == 1, name
    assert preflight.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed
    assert "content-type" in allowed

    for headers, status in (({"Authorization": "Bearer t-alice"}, 200), ({}, 401)):
        answer = client.post(URL, json=ROOM, headers={**headers, "Origin": ALLOWED_ORIGIN})
        assert answer.status_code == status
        assert answer.headers.getlist("Access-Control-Allow-Origin") == [ALLOWED_ORIGIN]
        assert answer.headers.getlist("Access-Control-Allow-Credentials") == ["true"]

    other = client.post(
        URL,
        json=ROOM,
        headers={"Authorization": "Bearer t-alice", "Origin": "https://evil.example"},
    )
    assert other.status_code == 403
    assert "Access-Control-Allow-Origin" not in other.headers
    assert len(fake.calls) == 1


def test_flask_cors_alone_does_not_open_the_endpoint(fake: FakeLiveblocks) -> None:
    # The endpoint's own cross-site check stays: an origin must be in LIVEBLOCKS_ALLOWED_ORIGINS.
    app, _ = bearer_app(fake)
    CORS(app, origins=[ALLOWED_ORIGIN], supports_credentials=True)
    answer = app.test_client().post(
        URL, json=ROOM, headers={"Authorization": "Bearer t-alice", "Origin": ALLOWED_ORIGIN}
    )
    assert answer.status_code == 403
    assert answer.get_json()["message"].startswith("cross-origin request refused")
    assert fake.calls == []


def test_a_request_object_is_flask_s_own(fake: FakeLiveblocks) -> None:
    app = make_app(fake)
    liveblocks = LiveblocksAuth(app)
    kinds: list[str] = []

    @liveblocks.user_resolver
    def resolve(request: Any) -> LiveblocksUser:
        kinds.append(type(request).__name__)
        assert request is flask_request._get_current_object()
        return LiveblocksUser("x")

    assert app.test_client().post(URL, json=ROOM).status_code == 200
    assert kinds == ["Request"]


# --- init_app: nothing per request, nothing per app kept for exit ----------------------------


def test_the_csrf_exemption_hook_runs_once_then_leaves(fake: FakeLiveblocks) -> None:
    from flask_wtf import CSRFProtect

    app = make_app(fake)
    liveblocks = LiveblocksAuth(user_resolver=lambda: LiveblocksUser("alice"))
    liveblocks.init_app(app)
    CSRFProtect(app)  # after us

    @app.post("/other")
    def other() -> str:
        return "changed"

    hooks_before = list(app.before_request_funcs[None])
    client = app.test_client()
    # The very first request is protected: removing the hook never skips CSRFProtect's own.
    assert client.post("/other", data={"x": "1"}).status_code == 400
    assert len(app.before_request_funcs[None]) == len(hooks_before) - 1
    for _ in range(3):
        assert client.post(URL, json=ROOM).status_code == 200  # exempt, without any hook
        assert client.post("/other", data={"x": "1"}).status_code == 400
    assert len(app.before_request_funcs[None]) == len(hooks_before) - 1


def test_a_collected_app_s_client_is_closed_and_not_kept(
    fake: FakeLiveblocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    import atexit
    import gc

    from liveblocks_auth_flask.extension import state

    registered: list[Any] = []
    monkeypatch.setattr(atexit, "register", registered.append)
    app = make_app(fake)
    LiveblocksAuth(app)
    client = state(app).client
    assert not client.is_closed
    del app
    gc.collect()
    assert client.is_closed  # closed with its app (and at exit while the app lives)
    assert registered == []  # nothing kept per app until the process exits
