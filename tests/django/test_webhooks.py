"""POST /api/liveblocks-webhook under WSGI and ASGI, the webhook_received signal, the checks."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.test import AsyncClient, Client
from django.urls import reverse

from liveblocks_auth import WebhookEvent
from liveblocks_auth.testing import SignedWebhook, signed_webhook
from liveblocks_auth.webhooks import generate_webhook_secret
from liveblocks_auth_django.checks import check_settings
from liveblocks_auth_django.signals import webhook_received
from liveblocks_auth_django.views import liveblocks_webhook
from tests.contract import ODD_BODY

SECRET = generate_webhook_secret()
URLS = {"wsgi": "/api/liveblocks-webhook", "asgi": "/async/liveblocks-webhook"}


@pytest.fixture(autouse=True)
def webhook_settings(settings: Any) -> None:
    settings.LIVEBLOCKS = {"SECRET_KEY": "sk_test_0123456789abcdef", "WEBHOOK_SECRET": SECRET}


class Received:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail = False

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        self.calls.append({"sender": sender, **kwargs})
        if self.fail:
            raise RuntimeError("could not save the room")

    @property
    def events(self) -> list[WebhookEvent]:
        return [call["event"] for call in self.calls]


@pytest.fixture
def received() -> Iterator[Received]:
    receiver = Received()
    webhook_received.connect(receiver, dispatch_uid="test-webhooks")
    yield receiver
    webhook_received.disconnect(dispatch_uid="test-webhooks")


def deliver(kind: str, delivery: SignedWebhook, **extra: Any) -> Any:
    if kind == "wsgi":
        return Client(enforce_csrf_checks=True).post(
            URLS[kind], delivery.body, content_type="application/json", headers=delivery.headers
        )

    async def post() -> Any:
        return await AsyncClient(enforce_csrf_checks=True).post(
            URLS[kind], delivery.body, content_type="application/json", headers=delivery.headers
        )

    return asyncio.run(post())


def test_the_include_mounts_the_webhook_endpoint() -> None:
    assert reverse("liveblocks_auth:webhook") == "/api/liveblocks-webhook"


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_a_verified_event_reaches_the_signal_once(kind: str, received: Received) -> None:
    delivery = signed_webhook(SECRET, "userEntered", room_id="acme-roadmap", user_id="7")
    response = deliver(kind, delivery)
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    [call] = received.calls
    assert call["sender"] is liveblocks_webhook
    assert call["event"].id == delivery.id
    assert call["event"].type == "userEntered"
    assert call["event"].room_id == "acme-roadmap"
    assert call["request"].path == URLS[kind]


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_the_raw_body_is_verified_not_a_reserialised_one(kind: str, received: Received) -> None:
    assert json.dumps(json.loads(ODD_BODY)) != ODD_BODY
    response = deliver(kind, signed_webhook(SECRET, body=ODD_BODY))
    assert response.status_code == 200
    assert received.events[0].room_id == "café / rôom"
    assert received.events[0].raw_body == ODD_BODY.encode()


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_forged_late_or_wrongly_signed_deliveries_are_401(kind: str, received: Received) -> None:
    good = signed_webhook(SECRET)
    forged = [
        SignedWebhook(good.headers, good.body.replace(b"my-room", b"other-room")),
        signed_webhook(generate_webhook_secret()),
        signed_webhook(SECRET, timestamp=int(time.time()) - 301),
        signed_webhook(SECRET, timestamp=int(time.time()) + 3600),
    ]
    for delivery in forged:
        response = deliver(kind, delivery)
        assert response.status_code == 401, response.content
        assert response.json()["error"] == "invalid_webhook"
    assert received.calls == []


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_a_malformed_delivery_is_400(kind: str, received: Received) -> None:
    good = signed_webhook(SECRET)
    headers = {k: v for k, v in good.headers.items() if k != "webhook-timestamp"}
    assert deliver(kind, SignedWebhook(headers, good.body)).status_code == 400
    assert deliver(kind, signed_webhook(SECRET, body="{")).status_code == 400
    assert received.calls == []


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_a_receiver_that_raises_makes_it_500_and_is_logged(
    kind: str, received: Received, caplog: pytest.LogCaptureFixture
) -> None:
    received.fail = True
    response = deliver(kind, signed_webhook(SECRET))
    assert response.status_code == 500
    assert response.json()["error"] == "handler_failed"
    assert "could not save the room" in caplog.text
    assert SECRET[6:] not in caplog.text


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_not_configured_is_503_naming_the_setting(kind: str, settings: Any) -> None:
    settings.LIVEBLOCKS = {"SECRET_KEY": "sk_test_0123456789abcdef"}
    response = deliver(kind, signed_webhook(SECRET))
    assert response.status_code == 503
    assert "LIVEBLOCKS['WEBHOOK_SECRET']" in response.json()["message"]


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_with_deduplication_a_redelivery_reaches_receivers_once(
    kind: str, settings: Any, received: Received
) -> None:
    settings.LIVEBLOCKS = {**settings.LIVEBLOCKS, "WEBHOOK_DEDUPLICATION": "default"}
    caches["default"].clear()
    delivery = signed_webhook(SECRET)
    redelivery = signed_webhook(SECRET, body=delivery.body, webhook_id=delivery.id)
    assert deliver(kind, delivery).status_code == 200
    again = deliver(kind, redelivery)
    assert (again.status_code, again.json()) == (200, {"ok": True, "duplicate": True})
    assert len(received.calls) == 1
    received.fail = True
    failed = signed_webhook(SECRET)
    assert deliver(kind, failed).status_code == 500
    received.fail = False
    assert deliver(kind, failed).status_code == 200  # the failure was not remembered as done
    assert [event.id for event in received.events] == [delivery.id, failed.id, failed.id]


def test_without_receivers_events_are_acknowledged_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    response = deliver("wsgi", signed_webhook(SECRET, "roomDeleted"))
    assert response.status_code == 200
    assert "no handler takes it: connect a receiver" in caplog.text


def test_get_is_405() -> None:
    response = Client().get(URLS["wsgi"])
    assert (response.status_code, response["Allow"]) == (405, "POST")


def check_ids(settings: Any, **options: Any) -> set[str]:
    settings.LIVEBLOCKS = {"SECRET_KEY": "sk_test_0123456789abcdef", **options}
    return {message.id for message in check_settings() if message.id}


def test_checks_a_malformed_secret(settings: Any) -> None:
    assert "liveblocks_auth.E009" in check_ids(settings, WEBHOOK_SECRET="sk_not_a_webhook_secret")


def test_checks_a_receiver_without_secret(settings: Any, received: Received) -> None:
    assert check_ids(settings) == {"liveblocks_auth.E010"}
    assert check_ids(settings, WEBHOOK_SECRET=SECRET) == set()


def test_checks_a_secret_without_receiver(settings: Any) -> None:
    assert check_ids(settings, WEBHOOK_SECRET=SECRET) == {"liveblocks_auth.W002"}
    assert check_ids(settings) == set()  # no webhooks at all: nothing to say


def test_checks_the_deduplication_cache(settings: Any, received: Received) -> None:
    found = check_ids(settings, WEBHOOK_SECRET=SECRET, WEBHOOK_DEDUPLICATION="nope")
    assert found == {"liveblocks_auth.E011"}
    assert check_ids(settings, WEBHOOK_SECRET=SECRET, WEBHOOK_DEDUPLICATION="default") == set()


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_a_redis_url_shares_de_duplication_through_redis(
    kind: str, settings: Any, received: Received, redis_url: str
) -> None:
    import redis

    settings.LIVEBLOCKS = {
        **settings.LIVEBLOCKS,
        "WEBHOOK_DEDUPLICATION": redis_url,
        "ASYNC": kind == "asgi",
    }
    delivery = signed_webhook(SECRET)
    assert deliver(kind, delivery).status_code == 200
    assert redis.Redis.from_url(redis_url).get(f"liveblocks-webhook:{delivery.id}") == b"done"
    redelivery = signed_webhook(SECRET, body=delivery.body, webhook_id=delivery.id)
    again = deliver(kind, redelivery)
    assert (again.status_code, again.json()) == (200, {"ok": True, "duplicate": True})
    assert [event.id for event in received.events] == [delivery.id]


def test_checks_the_deduplication_url(settings: Any, received: Received) -> None:
    url = "redis://127.0.0.1:6379/0"
    assert check_ids(settings, WEBHOOK_SECRET=SECRET, WEBHOOK_DEDUPLICATION=url) == set()
    found = check_ids(settings, WEBHOOK_SECRET=SECRET, WEBHOOK_DEDUPLICATION=object())
    assert found == {"liveblocks_auth.E011"}
