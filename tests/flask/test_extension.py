"""The Flask extension with Flask's test client, on the fake."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, g
from flask_login import LoginManager, UserMixin, login_user
from flask_wtf import CSRFProtect

from liveblocks_auth import LiveblocksUser
from liveblocks_auth.testing import FakeLiveblocks, Fault, decode_token
from liveblocks_auth_flask import ConfigError, LiveblocksAuth, token_denied, token_issued
from tests.contract import (
    ALLOWED_ORIGIN,
    BAD_REQUESTS,
    ROOM,
    acme_only,
)
from tests.core.harness import SECRET

URL = "/api/liveblocks-auth"


def make_app(fake: FakeLiveblocks, **config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(
        {"SECRET_KEY": "flask-tests", "LIVEBLOCKS_SECRET_KEY": SECRET, "LIVEBLOCKS_TRANSPORT": fake}
    )
    app.config.update(config)
    return app


def claims(response: Any) -> dict[str, Any]:
    return decode_token(response.get_json()["token"])


@dataclass
class Member(UserMixin):  # type: ignore[misc]
    id: str
    name: str


# --- resolving the user ----------------------------------------------------------------------


def test_a_registered_resolver_decides_who_is_logged_in(fake: FakeLiveblocks) -> None:
    app = make_app(fake)
    liveblocks = LiveblocksAuth(app)

    @liveblocks.user_resolver
    def resolve() -> LiveblocksUser | None:
        return LiveblocksUser("alice", ["editors"], {"name": "Alice"}, "acme")

    response = app.test_client().post(URL, json=ROOM)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    token = claims(response)
    assert (token["uid"], token["gids"], token["oid"]) == ("alice", ["editors"], "acme")
    assert resolve.__name__ == "resolve"  # the decorator returns the function


def test_default_is_flask_login_current_user(fake: FakeLiveblocks) -> None:
    app = make_app(fake)
    manager = LoginManager(app)
    manager.user_loader(lambda user_id: Member(user_id, "Bob Stone"))
    liveblocks = LiveblocksAuth(app)
    liveblocks.group_ids(lambda user: ["viewers"])
    liveblocks.organization_id(lambda user: "acme")

    @app.post("/test-login")
    def test_login() -> str:
        login_user(Member("bob", "Bob Stone"))
        return "ok"

    client = app.test_client()
    assert client.post(URL, json=ROOM).status_code == 401  # anonymous
    client.post("/test-login")
    token = claims(client.post(URL, json=ROOM))
    assert token["uid"] == "bob"  # get_id()
    assert token["ui"] == {"name": "Bob Stone"}
    assert (token["gids"], token["oid"]) == (["viewers"], "acme")


@pytest.mark.parametrize(
    "user", [{"id": 7, "username": "carol"}, type("Row", (), {"id": 7, "name": "carol"})()]
)
def test_default_falls_back_to_g_user(fake: FakeLiveblocks, user: Any) -> None:
    app = make_app(fake)
    LiveblocksAuth(app)

    @app.before_request
    def load() -> None:
        g.user = user

    token = claims(app.test_client().post(URL, json=ROOM))
    assert (token["uid"], token["ui"]) == ("7", {"name": "carol"})


def test_no_user_anywhere_is_401_without_upstream_call(fake: FakeLiveblocks) -> None:
    app = make_app(fake)
    LiveblocksAuth(app)
    response = app.test_client().post(URL, json=ROOM)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert fake.calls == []


# --- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"LIVEBLOCKS_SECRET_KEY": None},
            r"app.config\['LIVEBLOCKS_SECRET_KEY'\] is not set, and neither is "
            r"\$LIVEBLOCKS_SECRET_KEY in the environment",
        ),
        (
            {"LIVEBLOCKS_SECRET_KEY": "pk_live_123"},
            r"app.config\['LIVEBLOCKS_SECRET_KEY'\] is not a Liveblocks",
        ),
        ({"LIVEBLOCKS_TOKEN_MODE": "other"}, "token_mode must be"),
        ({"LIVEBLOCKS_ALLOWED_ORIGINS": ["example.com"]}, "not an origin"),
        ({"LIVEBLOCKS_BASE_URL": "api.liveblocks.io"}, "base_url must be an http"),
    ],
)
def test_bad_config_fails_at_init_app(
    fake: FakeLiveblocks, monkeypatch: pytest.MonkeyPatch, config: dict[str, Any], message: str
) -> None:
    monkeypatch.delenv("LIVEBLOCKS_SECRET_KEY", raising=False)
    app = make_app(fake, **config)
    with pytest.raises(ValueError, match=message) as info:
        LiveblocksAuth(app)
    assert "pk_live_123" not in str(info.value)
    assert isinstance(info.value, ConfigError)


def test_flask_s_command_line_reports_a_bad_config_in_one_line(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "app.py").write_text(
        "from flask import Flask\n"
        "from liveblocks_auth_flask import LiveblocksAuth\n"
        "app = Flask(__name__)\n"
        "liveblocks = LiveblocksAuth(app)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIVEBLOCKS_", "FLASK_"))}
    flask = str(Path(sys.executable).parent / "flask")
    done = subprocess.run(
        [flask, "--app", "app", "routes"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: no Liveblocks secret key: "), done.stderr
    assert "Traceback" not in done.stderr


def test_access_mode_without_a_permissions_hook_says_so(fake: FakeLiveblocks) -> None:
    app = make_app(fake, LIVEBLOCKS_TOKEN_MODE="access", TESTING=True)
    LiveblocksAuth(app, user_resolver=lambda: LiveblocksUser("alice"))
    with pytest.raises(RuntimeError, match="@liveblocks.permissions"):
        app.test_client().post(URL, json=ROOM)
    assert fake.calls == []


def test_unknown_options_are_refused() -> None:
    with pytest.raises(TypeError, match="LIVEBLOCKS_SECRETKEY"):
        LiveblocksAuth(secretkey="x")


def test_two_apps_in_one_process_stay_isolated() -> None:
    first, second = FakeLiveblocks(secret="sk_first_1"), FakeLiveblocks(secret="sk_second_2")
    liveblocks = LiveblocksAuth(user_resolver=lambda: LiveblocksUser("alice"))
    apps = []
    for fake, secret in ((first, "sk_first_1"), (second, "sk_second_2")):
        app = Flask(__name__)
        app.config.update(LIVEBLOCKS_SECRET_KEY=secret, LIVEBLOCKS_TRANSPORT=fake)
        liveblocks.init_app(app)
        apps.append(app)
    for app in apps:
        assert app.test_client().post(URL, json=ROOM).status_code == 200
    assert (len(first.calls), len(second.calls)) == (1, 1)
    assert apps[0].extensions["liveblocks_auth"] is not apps[1].extensions["liveblocks_auth"]


def test_options_override_config_and_hooks_can_be_options(fake: FakeLiveblocks) -> None:
    app = make_app(fake, LIVEBLOCKS_AUTH_URL="/ignored")
    LiveblocksAuth(
        app,
        auth_url="/auth/liveblocks",
        token_mode="access",
        user_resolver=lambda: LiveblocksUser("alice"),
        permissions=lambda user, room: {"acme-*": ["room:read"]},
    )
    response = app.test_client().post("/auth/liveblocks", json=ROOM)
    assert claims(response)["perms"] == {"acme-*": ["room:read"]}
    assert app.test_client().post("/ignored", json=ROOM).status_code == 404


def test_the_blueprint_can_be_registered_by_hand(fake: FakeLiveblocks) -> None:
    app = make_app(fake, LIVEBLOCKS_REGISTER_BLUEPRINT=False)
    liveblocks = LiveblocksAuth(app, user_resolver=lambda: LiveblocksUser("alice"))
    app.register_blueprint(liveblocks.blueprint("/token"), url_prefix="/v1")
    assert app.test_client().post("/v1/token", json=ROOM).status_code == 200
    assert app.test_client().post(URL, json=ROOM).status_code == 404


# --- the HTTP contract -----------------------------------------------------------------------


@pytest.fixture
def app(fake: FakeLiveblocks) -> Flask:
    app = make_app(fake, LIVEBLOCKS_ALLOWED_ORIGINS=[ALLOWED_ORIGIN])
    liveblocks = LiveblocksAuth(app)
    liveblocks.user_resolver(lambda: LiveblocksUser("alice", organization_id="acme"))
    liveblocks.room_policy(acme_only)
    return app


@pytest.mark.parametrize(("method", "data", "content_type", "status"), BAD_REQUESTS)
def test_bad_requests_are_4xx_without_upstream_call(
    app: Flask, fake: FakeLiveblocks, method: str, data: Any, content_type: Any, status: int
) -> None:
    response = app.test_client().open(URL, method=method, data=data, content_type=content_type)
    assert response.status_code == status
    assert response.is_json
    assert fake.calls == []
    if status == 405:
        assert response.headers["Allow"] == "OPTIONS, POST"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 200),
        ({"Sec-Fetch-Site": "same-origin"}, 200),
        ({"Origin": "http://localhost"}, 200),
        ({"Sec-Fetch-Site": "cross-site"}, 403),
        ({"Origin": "https://evil.example"}, 403),
        ({"Origin": "null"}, 403),
        ({"Origin": "https://partner.example"}, 200),
    ],
)
def test_origin_rules(
    app: Flask, fake: FakeLiveblocks, headers: dict[str, str], status: int
) -> None:
    response = app.test_client().post(URL, json=ROOM, headers=headers)
    assert response.status_code == status
    assert "Sec-Fetch-Site" in response.headers["Vary"]


def test_upstream_outage_is_503(app: Flask, fake: FakeLiveblocks, sleeps: list[float]) -> None:
    fake.fail_next(Fault.connection_refused(), times=3)
    assert app.test_client().post(URL, json=ROOM).status_code == 503
    assert len(fake.calls) == 3


@pytest.mark.parametrize("order", ["csrf-first", "liveblocks-first"])
def test_works_with_flask_wtf_csrf_protect_in_either_order(
    fake: FakeLiveblocks, order: str
) -> None:
    app = make_app(fake)
    csrf = CSRFProtect()
    liveblocks = LiveblocksAuth(user_resolver=lambda: LiveblocksUser("alice"))
    first, second = (csrf, liveblocks) if order == "csrf-first" else (liveblocks, csrf)
    first.init_app(app)
    second.init_app(app)

    @app.post("/other")
    def other() -> str:
        return "changed"

    client = app.test_client()
    assert client.post(URL, json=ROOM).status_code == 200  # no CSRF token, as the client sends
    assert client.post("/other", data={"x": "1"}).status_code == 400  # others still protected
    assert client.post(URL, json=ROOM, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403


def test_signals(app: Flask) -> None:
    seen: list[tuple[str, Any, Any, int]] = []

    def issued(sender: Flask, user: Any, room: Any, status: int, **extra: Any) -> None:
        seen.append(("issued", user.id, room, status))

    def denied(sender: Flask, user: Any, room: Any, status: int, **extra: Any) -> None:
        seen.append(("denied", user.id if user else None, room, status))

    with token_issued.connected_to(issued, app), token_denied.connected_to(denied, app):
        client = app.test_client()
        client.post(URL, json=ROOM)
        client.post(URL, json={"room": "globex-1"})
        client.post(URL, data="[]", content_type="application/json")
    assert seen == [
        ("issued", "alice", "acme-roadmap", 200),
        ("denied", "alice", "globex-1", 403),
        ("denied", None, None, 400),
    ]


# --- flask liveblocks ------------------------------------------------------------------------


def test_the_cli_group_reuses_the_core_cli(app: Flask, fake: FakeLiveblocks) -> None:
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=[
            "liveblocks",
            *["rooms", "create", "acme-roadmap", "--default", "none", "--group", "g=room:write"],
        ]
    )
    assert created.exit_code == 0, created.output
    assert "room acme-roadmap" in created.output
    assert fake.calls[0].json["groupsAccesses"] == {"g": ["room:write"]}
    listed = runner.invoke(args=["liveblocks", "rooms", "list", "--json"])
    assert [r["id"] for r in json.loads(listed.output)] == ["acme-roadmap"]
    missing = runner.invoke(args=["liveblocks", "rooms", "get", "nope"])
    assert missing.exit_code == 1
    assert "ROOM_NOT_FOUND" in missing.output
    usage = runner.invoke(args=["liveblocks", "rooms", "create", "x", "--default", "room:admin"])
    assert usage.exit_code == 2
    assert "unknown permission scope" in usage.output
    thread = runner.invoke(
        args=["liveblocks", "threads", "list", "acme-roadmap", "--json"], catch_exceptions=False
    )
    assert json.loads(thread.output) == []
    posted = runner.invoke(args=["liveblocks", "comments", "create", "acme-roadmap", "th_x", "hi"])
    assert posted.exit_code == 2
    assert "--user" in posted.output
