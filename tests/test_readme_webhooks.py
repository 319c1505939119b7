"""The README's webhook snippets, run as pasted after their framework's quickstart, receive a
signed delivery through the real endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from starlette.applications import Starlette
from starlette.testclient import TestClient

from liveblocks_auth.testing import signed_webhook
from liveblocks_auth.webhooks import generate_webhook_secret
from tests.readme import readme_block, run_block

SECRET = generate_webhook_secret()
URL = "/api/liveblocks-webhook"


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEBLOCKS_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", "sk_localdev")
    monkeypatch.setenv("LIVEBLOCKS_BASE_URL", "http://127.0.0.1:1153")


def test_django_receiver(settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from django.test import Client

    from liveblocks_auth_django.signals import webhook_received

    settings.LIVEBLOCKS = {"SECRET_KEY": "sk_test_0123456789abcdef"}
    namespace: dict[str, Any] = {}
    run_block(readme_block("webhook-django"), namespace)
    try:
        delivery = signed_webhook(SECRET, "storageUpdated", room_id="my-room")
        response = Client().post(
            URL, delivery.body, content_type="application/json", headers=delivery.headers
        )
    finally:
        webhook_received.disconnect(namespace["on_liveblocks_event"])
    assert response.status_code == 200
    assert "webhook storageUpdated my-room" in capsys.readouterr().out


def test_flask_handler(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {"app": Flask(__name__)}
    run_block(readme_block("quickstart-flask"), namespace)
    run_block(readme_block("webhook-flask"), namespace)
    client = namespace["app"].test_client()
    for event_type in ("userEntered", "storageUpdated"):
        delivery = signed_webhook(SECRET, event_type, room_id="my-room")
        assert client.post(URL, data=delivery.body, headers=delivery.headers).status_code == 200
    assert capsys.readouterr().out == "webhook storageUpdated my-room\n"


def test_starlette_on_webhook(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {}
    run_block("from liveblocks_auth_starlette import LiveblocksAuth", namespace)
    run_block(readme_block("webhook-starlette"), namespace)
    liveblocks = namespace["liveblocks"]
    app = Starlette(routes=liveblocks.routes, lifespan=liveblocks.lifespan)
    delivery = signed_webhook(SECRET, "ydocUpdated", room_id="doc")
    with TestClient(app) as client:
        response = client.post(URL, content=delivery.body, headers=delivery.headers)
    assert response.status_code == 200
    assert "webhook ydocUpdated doc" in capsys.readouterr().out


def test_the_redis_store_block_shares_claims_under_its_prefix(
    monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    import redis

    from tests.readme import DOCS

    monkeypatch.setenv("REDIS_URL", redis_url)
    namespace: dict[str, Any] = {}
    run_block(readme_block("webhook-redis-store"), namespace, DOCS / "webhooks.md")
    store = namespace["store"]
    assert store.add("liveblocks-webhook:msg_1", "processing", 60) is True
    assert store.add("liveblocks-webhook:msg_1", "processing", 60) is False
    assert redis.Redis.from_url(redis_url).get("myapp:liveblocks-webhook:msg_1") == b"processing"
