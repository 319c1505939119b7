"""POST /api/liveblocks-webhook in Flask: @liveblocks.webhook_handler, the signal, the store."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from flask import Flask
from flask_wtf import CSRFProtect

from liveblocks_auth import MemoryWebhookStore, WebhookEvent
from liveblocks_auth.testing import FakeLiveblocks, SignedWebhook, signed_webhook
from liveblocks_auth.webhooks import generate_webhook_secret
from liveblocks_auth_flask import LiveblocksAuth, webhook_received
from tests.contract import ODD_BODY
from tests.core.harness import SECRET as API_SECRET

URL = "/api/liveblocks-webhook"
SECRET = generate_webhook_secret()


def make_app(fake: FakeLiveblocks, **config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="flask-tests",
        LIVEBLOCKS_SECRET_KEY=API_SECRET,
        LIVEBLOCKS_TRANSPORT=fake,
        LIVEBLOCKS_WEBHOOK_SECRET=SECRET,
    )
    app.config.update(config)
    return app


def post(app: Flask, delivery: SignedWebhook) -> Any:
    return app.test_client().post(URL, data=delivery.body, headers=delivery.headers)


def test_handlers_get_the_types_they_asked_for(fake: FakeLiveblocks) -> None:
    app = make_app(fake)
    liveblocks = LiveblocksAuth(app)
    seen: dict[str, list[str]] = {"storage": [], "presence": [], "all": [], "bare": []}

    @liveblocks.webhook_handler("storageUpdated")
    def on_storage(event: WebhookEvent) -> None:
        seen["storage"].append(event.type)

    @liveblocks.webhook_handler("userEntered", "userLeft")
    def on_presence(event: WebhookEvent) -> None:
        seen["presence"].append(event.type)

    @liveblocks.webhook_handler()
    def on_all(event: WebhookEvent) -> None:
        seen["all"].append(event.type)

    @liveblocks.webhook_handler
    def on_bare(event: WebhookEvent) -> None:
        seen["bare"].append(event.type)

    for event_type in ("storageUpdated", "userEntered", "userLeft", "commentCreated"):
        response = post(app, signed_webhook(SECRET, event_type))
        assert (response.status_code, response.get_json()) == (200, {"ok": True})
    assert seen == {
        "storage": ["storageUpdated"],
        "presence": ["userEntered", "userLeft"],
        "all": ["storageUpdated", "userEntered", "userLeft", "commentCreated"],
        "bare": ["storageUpdated", "userEntered", "userLeft", "commentCreated"],
    }


def test_a_misspelt_type_fails_at_decoration(fake: FakeLiveblocks) -> None:
    liveblocks = LiveblocksAuth(make_app(fake))
    with pytest.raises(ValueError, match="unknown webhook event type 'storageUpdate'"):
        liveblocks.webhook_handler("storageUpdate")


def test_the_signal_carries_the_app_and_the_event(fake: FakeLiveblocks) -> None:
    app = make_app(fake)
    LiveblocksAuth(app)
    received: list[tuple[Any, WebhookEvent]] = []

    def receiver(sender: Any, event: WebhookEvent, **extra: Any) -> None:
        received.append((sender, event))

    delivery = signed_webhook(SECRET, "threadCreated", room_id="r9")
    with webhook_received.connected_to(receiver, app):
        assert post(app, delivery).status_code == 200
    [(sender, event)] = received
    assert sender is app
    assert (event.id, event.type, event.room_id) == (delivery.id, "threadCreated", "r9")


def test_the_raw_body_is_verified(fake: FakeLiveblocks) -> None:
    app = make_app(fake)
    liveblocks = LiveblocksAuth(app)
    rooms: list[str | None] = []
    liveblocks.webhook_handler(lambda event: rooms.append(event.room_id))
    assert json.dumps(json.loads(ODD_BODY)) != ODD_BODY
    assert post(app, signed_webhook(SECRET, body=ODD_BODY)).status_code == 200
    assert rooms == ["café / rôom"]


def test_forged_late_or_malformed_deliveries_reach_no_handler(fake: FakeLiveblocks) -> None:
    app = make_app(fake)
    liveblocks = LiveblocksAuth(app)
    calls: list[WebhookEvent] = []
    liveblocks.webhook_handler(calls.append)
    good = signed_webhook(SECRET)
    cases = [
        (SignedWebhook(good.headers, good.body.replace(b"my-room", b"admin")), 401),
        (signed_webhook(generate_webhook_secret()), 401),
        (signed_webhook(SECRET, timestamp=int(time.time()) - 301), 401),
        (SignedWebhook({"Content-Type": "application/json"}, good.body), 400),
        (signed_webhook(SECRET, body="[]"), 400),
    ]
    for delivery, status in cases:
        response = post(app, delivery)
        assert response.status_code == status
        assert response.get_json()["error"] == "invalid_webhook"
    assert calls == []
    assert app.test_client().get(URL).status_code == 405


def test_a_handler_that_raises_makes_it_500(
    fake: FakeLiveblocks, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(fake)
    liveblocks = LiveblocksAuth(app)

    @liveblocks.webhook_handler("storageUpdated")
    def broken(event: WebhookEvent) -> None:
        raise RuntimeError("disk full")

    response = post(app, signed_webhook(SECRET))
    assert response.status_code == 500
    assert response.get_json()["error"] == "handler_failed"
    assert "disk full" in caplog.text
    assert SECRET[6:] not in caplog.text


def test_with_a_store_a_redelivery_is_handled_once(fake: FakeLiveblocks) -> None:
    app = make_app(fake)
    liveblocks = LiveblocksAuth(app, webhook_store=MemoryWebhookStore())
    calls: list[str] = []
    liveblocks.webhook_handler(lambda event: calls.append(event.id))
    delivery = signed_webhook(SECRET)
    assert post(app, delivery).status_code == 200
    again = post(app, signed_webhook(SECRET, body=delivery.body, webhook_id=delivery.id))
    assert (again.status_code, again.get_json()) == (200, {"ok": True, "duplicate": True})
    assert calls == [delivery.id]


def test_not_configured_is_503_and_a_bad_secret_fails_init_app(fake: FakeLiveblocks) -> None:
    app = make_app(fake, LIVEBLOCKS_WEBHOOK_SECRET=None)
    LiveblocksAuth(app)
    response = post(app, signed_webhook(SECRET))
    assert response.status_code == 503
    assert "LIVEBLOCKS_WEBHOOK_SECRET" in response.get_json()["message"]
    with pytest.raises(ValueError, match="LIVEBLOCKS_WEBHOOK_SECRET is not a webhook secret"):
        LiveblocksAuth(make_app(fake, LIVEBLOCKS_WEBHOOK_SECRET="sk_oops"))


def test_the_secret_can_come_from_the_environment(
    fake: FakeLiveblocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEBLOCKS_WEBHOOK_SECRET", SECRET)
    app = make_app(fake, LIVEBLOCKS_WEBHOOK_SECRET=None)
    liveblocks = LiveblocksAuth(app)
    liveblocks.webhook_handler(lambda event: None)
    assert post(app, signed_webhook(SECRET)).status_code == 200


def test_csrf_protect_does_not_block_the_webhook(fake: FakeLiveblocks) -> None:
    app = make_app(fake)
    CSRFProtect(app)
    liveblocks = LiveblocksAuth(app)
    liveblocks.webhook_handler(lambda event: None)
    assert post(app, signed_webhook(SECRET)).status_code == 200


def test_the_webhook_url_is_configurable(fake: FakeLiveblocks) -> None:
    app = make_app(fake, LIVEBLOCKS_WEBHOOK_URL="/hooks/liveblocks")
    liveblocks = LiveblocksAuth(app)
    liveblocks.webhook_handler(lambda event: None)
    delivery = signed_webhook(SECRET)
    client = app.test_client()
    assert (
        client.post("/hooks/liveblocks", data=delivery.body, headers=delivery.headers).status_code
        == 200
    )
    assert post(app, delivery).status_code == 404


def test_a_redis_url_shares_de_duplication_through_redis(
    fake: FakeLiveblocks, redis_url: str
) -> None:
    import redis

    app = make_app(fake, LIVEBLOCKS_WEBHOOK_STORE=redis_url)
    liveblocks = LiveblocksAuth(app)
    calls: list[str] = []
    liveblocks.webhook_handler(lambda event: calls.append(event.id))
    delivery = signed_webhook(SECRET)
    assert post(app, delivery).status_code == 200
    assert redis.Redis.from_url(redis_url).get(f"liveblocks-webhook:{delivery.id}") == b"done"
    # Another app (another worker) on the same Redis sees the event as handled.
    other = make_app(fake, LIVEBLOCKS_WEBHOOK_STORE=redis_url)
    LiveblocksAuth(other).webhook_handler(lambda event: calls.append(event.id))
    again = post(other, signed_webhook(SECRET, body=delivery.body, webhook_id=delivery.id))
    assert (again.status_code, again.get_json()) == (200, {"ok": True, "duplicate": True})
    assert calls == [delivery.id]


def test_a_store_setting_that_is_no_store_fails_init_app(fake: FakeLiveblocks) -> None:
    with pytest.raises(ValueError, match="LIVEBLOCKS_WEBHOOK_STORE must be a webhook store"):
        LiveblocksAuth(make_app(fake, LIVEBLOCKS_WEBHOOK_STORE="localhost:6379"))
