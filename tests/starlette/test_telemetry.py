"""OpenTelemetry in the Starlette adapter: each answer of the auth and webhook endpoints is a
span (the call to Liveblocks inside it, on the event loop) and a count."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.testclient import TestClient

from liveblocks_auth import LiveblocksUser, MemoryWebhookStore, WebhookEvent
from liveblocks_auth.testing import FakeLiveblocks, signed_webhook
from liveblocks_auth.webhooks import generate_webhook_secret
from liveblocks_auth_starlette import LiveblocksAuth
from tests.core.harness import SECRET
from tests.otel import check_adapter_answers

WEBHOOK_SECRET = generate_webhook_secret()


def test_answers_are_spans_with_the_call_inside_and_counted(
    fake: FakeLiveblocks, otel: Any
) -> None:
    spans, reader = otel

    async def resolve(request: Request) -> LiveblocksUser | None:
        return LiveblocksUser("alice") if request.headers.get("X-User") else None

    async def on_webhook(event: WebhookEvent, request: Request) -> None:
        return None

    liveblocks = LiveblocksAuth(
        SECRET,
        transport=fake,
        resolve_user=resolve,
        webhook_secret=WEBHOOK_SECRET,
        on_webhook=on_webhook,
        webhook_store=MemoryWebhookStore(),
    )
    app = Starlette(routes=liveblocks.routes, lifespan=liveblocks.lifespan)
    with TestClient(app) as client:
        url = "/api/liveblocks-auth"
        assert client.post(url, json={"room": "r"}, headers={"X-User": "1"}).status_code == 200
        assert client.post(url, json={"room": "r"}).status_code == 401
        delivery = signed_webhook(WEBHOOK_SECRET)
        again = signed_webhook(WEBHOOK_SECRET, body=delivery.body, webhook_id=delivery.id)
        for sent in (delivery, again):
            answer = client.post("/api/liveblocks-webhook", content=sent.body, headers=sent.headers)
            assert answer.status_code == 200
    check_adapter_answers(spans, reader, {"handled": 1, "duplicate": 1})
