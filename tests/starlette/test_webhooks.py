"""POST /api/liveblocks-webhook in Starlette and FastAPI: on_webhook (sync or async), the store."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.testclient import TestClient

from liveblocks_auth import MemoryWebhookStore, WebhookEvent
from liveblocks_auth.testing import FakeLiveblocks, SignedWebhook, signed_webhook
from liveblocks_auth.webhooks import generate_webhook_secret
from liveblocks_auth_starlette import LiveblocksAuth
from tests.contract import ODD_BODY
from tests.core.harness import SECRET as API_SECRET

URL = "/api/liveblocks-webhook"
SECRET = generate_webhook_secret()


class Handler:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[WebhookEvent, Request, int]] = []
        self.fail = fail

    def __call__(self, event: WebhookEvent, request: Request) -> None:
        self.calls.append((event, request, threading.get_ident()))
        if self.fail:
            raise RuntimeError("queue unavailable")


@pytest.fixture
def served(fake: FakeLiveblocks) -> Iterator[Any]:
    clients: list[TestClient] = []

    def serve(**options: Any) -> TestClient:
        liveblocks = LiveblocksAuth(API_SECRET, transport=fake, **options)
        app = Starlette(routes=liveblocks.routes, lifespan=liveblocks.lifespan)
        client = TestClient(app).__enter__()
        clients.append(client)
        return client

    yield serve
    for client in clients:
        client.__exit__(None, None, None)


def post(client: TestClient, delivery: SignedWebhook, url: str = URL) -> Any:
    return client.post(url, content=delivery.body, headers=delivery.headers)


def test_a_sync_handler_gets_event_and_request_off_the_loop(served: Any) -> None:
    handler = Handler()
    client = served(webhook_secret=SECRET, on_webhook=handler)
    delivery = signed_webhook(SECRET, "ydocUpdated", room_id="doc-1")
    response = post(client, delivery)
    assert (response.status_code, response.json()) == (200, {"ok": True})
    [(event, request, thread)] = handler.calls
    assert (event.id, event.type, event.room_id) == (delivery.id, "ydocUpdated", "doc-1")
    assert request.url.path == URL
    assert thread != threading.get_ident()


def test_an_async_handler_is_awaited(served: Any) -> None:
    seen: list[str] = []

    async def on_webhook(event: WebhookEvent, request: Request) -> None:
        seen.append(event.type)

    client = served(webhook_secret=SECRET, on_webhook=on_webhook)
    assert post(client, signed_webhook(SECRET, "userLeft")).status_code == 200
    assert seen == ["userLeft"]


def test_the_raw_body_is_verified(served: Any) -> None:
    handler = Handler()
    client = served(webhook_secret=SECRET, on_webhook=handler)
    assert json.dumps(json.loads(ODD_BODY)) != ODD_BODY
    assert post(client, signed_webhook(SECRET, body=ODD_BODY)).status_code == 200
    assert handler.calls[0][0].room_id == "café / rôom"


def test_forged_late_or_malformed_deliveries_reach_no_handler(served: Any) -> None:
    handler = Handler()
    client = served(webhook_secret=SECRET, on_webhook=handler)
    good = signed_webhook(SECRET)
    cases = [
        (SignedWebhook(good.headers, good.body.replace(b"my-room", b"admin")), 401),
        (signed_webhook(generate_webhook_secret()), 401),
        (signed_webhook(SECRET, timestamp=int(time.time()) - 301), 401),
        (SignedWebhook({}, good.body), 400),
        (signed_webhook(SECRET, body='{"type": "nope", "data": {}}'), 400),
    ]
    for delivery, status in cases:
        response = post(client, delivery)
        assert response.status_code == status
        assert response.json()["error"] == "invalid_webhook"
    assert handler.calls == []
    assert client.get(URL).status_code == 405


def test_a_handler_that_raises_makes_it_500(served: Any, caplog: pytest.LogCaptureFixture) -> None:
    client = served(webhook_secret=SECRET, on_webhook=Handler(fail=True))
    response = post(client, signed_webhook(SECRET))
    assert response.status_code == 500
    assert "queue unavailable" in caplog.text
    assert SECRET[6:] not in caplog.text


def test_with_a_store_a_redelivery_is_handled_once(served: Any) -> None:
    handler = Handler()
    client = served(webhook_secret=SECRET, on_webhook=handler, webhook_store=MemoryWebhookStore())
    delivery = signed_webhook(SECRET)
    assert post(client, delivery).status_code == 200
    again = post(client, signed_webhook(SECRET, body=delivery.body, webhook_id=delivery.id))
    assert (again.status_code, again.json()) == (200, {"ok": True, "duplicate": True})
    assert len(handler.calls) == 1


def test_not_configured_is_503_and_a_handler_without_secret_fails_at_construction(
    served: Any, fake: FakeLiveblocks
) -> None:
    client = served()
    response = post(client, signed_webhook(SECRET))
    assert response.status_code == 503
    assert "webhook_secret (or $LIVEBLOCKS_WEBHOOK_SECRET)" in response.json()["message"]
    with pytest.raises(ValueError, match="on_webhook is set but webhook_secret is missing"):
        LiveblocksAuth(API_SECRET, transport=fake, on_webhook=Handler())
    with pytest.raises(ValueError, match="webhook_secret is not a webhook secret"):
        LiveblocksAuth(API_SECRET, transport=fake, webhook_secret="sk_wrong")


def test_the_secret_can_come_from_the_environment(
    served: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEBLOCKS_WEBHOOK_SECRET", SECRET)
    handler = Handler()
    client = served(on_webhook=handler, webhook_path="/hooks/lb")
    assert post(client, signed_webhook(SECRET), "/hooks/lb").status_code == 200
    assert len(handler.calls) == 1


def test_fastapi_serves_the_webhook_route(fake: FakeLiveblocks) -> None:
    from fastapi import FastAPI

    handler = Handler()
    liveblocks = LiveblocksAuth(
        API_SECRET, transport=fake, webhook_secret=SECRET, on_webhook=handler
    )
    app = FastAPI(routes=liveblocks.routes, lifespan=liveblocks.lifespan)
    with TestClient(app) as client:
        assert post(client, signed_webhook(SECRET)).status_code == 200
    assert len(handler.calls) == 1


def test_a_redis_url_shares_de_duplication_through_redis(served: Any, redis_url: str) -> None:
    import redis

    first, second = Handler(), Handler()
    worker_a = served(webhook_secret=SECRET, on_webhook=first, webhook_store=redis_url)
    worker_b = served(webhook_secret=SECRET, on_webhook=second, webhook_store=redis_url)
    delivery = signed_webhook(SECRET)
    assert post(worker_a, delivery).status_code == 200
    assert redis.Redis.from_url(redis_url).get(f"liveblocks-webhook:{delivery.id}") == b"done"
    again = post(worker_b, signed_webhook(SECRET, body=delivery.body, webhook_id=delivery.id))
    assert (again.status_code, again.json()) == (200, {"ok": True, "duplicate": True})
    assert (len(first.calls), len(second.calls)) == (1, 0)


def test_an_async_store_is_awaited_on_the_event_loop(served: Any) -> None:
    class AsyncStore:
        """Only the async form: usable because the adapter awaits it on its loop."""

        def __init__(self) -> None:
            self.data: dict[str, str] = {}
            self.threads: set[int] = set()

        async def aadd(self, key: str, value: str, timeout: float) -> bool:
            self.threads.add(threading.get_ident())
            if key in self.data:
                return False
            self.data[key] = value
            return True

        async def aget(self, key: str) -> str | None:
            return self.data.get(key)

        async def aset(self, key: str, value: str, timeout: float) -> None:
            self.data[key] = value

        async def adelete(self, key: str) -> None:
            self.data.pop(key, None)

    store = AsyncStore()
    loop_threads: set[int] = set()

    async def handler(event: WebhookEvent, request: Request) -> None:
        loop_threads.add(threading.get_ident())

    client = served(webhook_secret=SECRET, on_webhook=handler, webhook_store=store)
    delivery = signed_webhook(SECRET)
    assert post(client, delivery).status_code == 200
    assert store.data == {f"liveblocks-webhook:{delivery.id}": "done"}
    assert store.threads == loop_threads  # the store ran on the loop's thread, not a worker's
