"""OpenTelemetry in the Django adapter, under WSGI and ASGI: each answer of the auth and webhook
endpoints is a span (the call to Liveblocks inside it) and a count."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from django.test import AsyncClient, Client

from liveblocks_auth import LiveblocksUser
from liveblocks_auth.testing import signed_webhook
from liveblocks_auth.webhooks import generate_webhook_secret
from liveblocks_auth_django.signals import webhook_received
from tests.otel import check_adapter_answers

WEBHOOK_SECRET = generate_webhook_secret()
URLS = {
    "wsgi": ("/api/liveblocks-auth", "/api/liveblocks-webhook"),
    "asgi": ("/async/liveblocks-auth", "/async/liveblocks-webhook"),
}


def header_user(request: Any) -> LiveblocksUser | None:
    return LiveblocksUser("alice") if request.headers.get("X-User") else None


def post(kind: str, url: str, body: bytes, **headers: str) -> int:
    if kind == "wsgi":
        return (
            Client().post(url, body, content_type="application/json", headers=headers).status_code
        )

    async def send() -> int:
        answer = await AsyncClient().post(
            url, body, content_type="application/json", headers=headers
        )
        return answer.status_code

    return asyncio.run(send())


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_answers_are_spans_with_the_call_inside_and_counted(
    kind: str, configure: Any, otel: Any
) -> None:
    spans, reader = otel
    configure(RESOLVE_USER=header_user, WEBHOOK_SECRET=WEBHOOK_SECRET, ASYNC=kind == "asgi")
    webhook_received.connect(lambda sender, **kw: None, dispatch_uid="otel", weak=False)
    try:
        auth, webhook = URLS[kind]
        assert post(kind, auth, b'{"room": "r"}', X_User="1") == 200
        assert post(kind, auth, b'{"room": "r"}') == 401
        delivery = signed_webhook(WEBHOOK_SECRET)
        assert post(kind, webhook, delivery.body, **delivery.headers) == 200
    finally:
        webhook_received.disconnect(dispatch_uid="otel")
    check_adapter_answers(spans, reader, {"handled": 1})
