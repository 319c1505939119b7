"""docs/rate-limits.md, run as pasted: each framework's limit per user (30 a minute) and per
address (120 a minute) on the auth endpoint, answered 429 with a one-line JSON reason; other
users and the webhook endpoint unaffected."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask_login import LoginManager, UserMixin, login_user
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection
from starlette.testclient import TestClient

from liveblocks_auth.testing import FakeLiveblocks, signed_webhook
from liveblocks_auth.webhooks import generate_webhook_secret
from tests.core.harness import SECRET
from tests.readme import DOCS, readme_block, run_block

PAGE = DOCS / "rate-limits.md"
URL = "/api/liveblocks-auth"
WEBHOOK_SECRET = generate_webhook_secret()
ROOM = {"room": "r"}


def check_limits(post: Callable[[str], tuple[int, Any]]) -> int:
    """``post(user)`` -> (status, JSON body or None): 30 per user a minute, 120 per address.
    Returns how many requests were answered 200 (each one call to Liveblocks)."""
    statuses = [post("alice")[0] for _ in range(31)]
    assert statuses == [200] * 30 + [429]
    assert [post(user)[0] for user in ("bob", "carol", "dave") for _ in range(29)] == [200] * 87
    # A fifth user from the same address passes until the address has had its 120.
    erin = [post("erin")[0] for _ in range(4)]
    assert erin[-1] == 429
    assert erin.count(200) in (2, 3)  # (3 where a refused request is not counted)
    return 117 + erin.count(200)


# --- Django -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_django_middleware(settings: Any, fake: FakeLiveblocks) -> None:
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.test import Client

    module = types.ModuleType("ratelimit_block")
    run_block(readme_block("ratelimit-django", PAGE), module.__dict__, PAGE)
    sys.modules[module.__name__] = module
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "ratelimit_block.liveblocks_rate_limit"]
    settings.LIVEBLOCKS = {"SECRET_KEY": SECRET, "TRANSPORT": fake}
    cache.clear()
    clients: dict[str, Client] = {}

    def post(name: str) -> tuple[int, Any]:
        if name not in clients:
            clients[name] = Client()
            clients[name].force_login(User.objects.create_user(name))
        response = clients[name].post(URL, ROOM, content_type="application/json")
        return response.status_code, response.json()

    try:
        answered = check_limits(post)
        refused = post("alice")[1]
        assert refused == {
            "error": "rate_limited",
            "message": "too many token requests; retry in a minute",
        }
    finally:
        del sys.modules[module.__name__]
    assert (
        len(fake.calls) == answered
    )  # a refused request never reached Liveblocks  # a refused request never reached Liveblocks


# --- Flask ------------------------------------------------------------------------------------


class Member(UserMixin):  # type: ignore[misc]
    def __init__(self, user_id: str) -> None:
        self.id = user_id


def test_flask_limiter() -> None:
    fake = FakeLiveblocks(secret=SECRET)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="rate-limits",
        LIVEBLOCKS_SECRET_KEY=SECRET,
        LIVEBLOCKS_TRANSPORT=fake,
        LIVEBLOCKS_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    LoginManager(app).user_loader(Member)
    app.add_url_rule("/login/<name>", "login", lambda name: str(login_user(Member(name))))
    namespace: dict[str, Any] = {"app": app}
    run_block(readme_block("ratelimit-flask", PAGE), namespace, PAGE)
    namespace["liveblocks"].webhook_handler(lambda event: None)
    clients: dict[str, Any] = {}

    def post(name: str) -> tuple[int, Any]:
        if name not in clients:
            clients[name] = app.test_client()
            clients[name].get(f"/login/{name}")
        response = clients[name].post(URL, json=ROOM)
        return response.status_code, response.get_json()

    answered = check_limits(post)
    status, body = post("alice")
    assert (status, body["error"]) == (429, "rate_limited")
    assert body["message"].startswith("too many token requests: ")  # "120 per 1 minute"
    for _ in range(3):  # Liveblocks' deliveries are never limited
        delivery = signed_webhook(WEBHOOK_SECRET)
        answer = clients["alice"].post(
            "/api/liveblocks-webhook", data=delivery.body, headers=delivery.headers
        )
        assert answer.status_code == 200
    assert len(fake.calls) == answered


# --- Starlette --------------------------------------------------------------------------------


class HeaderUser(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, SimpleUser] | None:
        name = conn.headers.get("X-User")
        return (AuthCredentials(["authenticated"]), SimpleUser(name)) if name else None


def test_slowapi() -> None:
    from liveblocks_auth_starlette import LiveblocksAuth

    fake = FakeLiveblocks(secret=SECRET)
    namespace: dict[str, Any] = {
        "Starlette": Starlette,
        "liveblocks": LiveblocksAuth(SECRET, transport=fake),
    }
    run_block(readme_block("ratelimit-starlette", PAGE), namespace, PAGE)
    app = namespace["app"]
    app.add_middleware(AuthenticationMiddleware, backend=HeaderUser())
    with TestClient(app) as client:

        def post(name: str) -> tuple[int, Any]:
            response = client.post(URL, json=ROOM, headers={"X-User": name})
            return response.status_code, response.json()

        answered = check_limits(post)
        status, body = post("alice")
    assert (status, body) == (429, {"error": "Rate limit exceeded: 30 per 1 minute"})
    assert len(fake.calls) == answered
