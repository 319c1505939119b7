"""OpenTelemetry in the Flask adapter: each answer of the auth and webhook endpoints is a span
(the call to Liveblocks inside it) and a count, read back from the SDK's in-memory exporter."""

from __future__ import annotations

from typing import Any

from flask import Flask

from liveblocks_auth import LiveblocksUser
from liveblocks_auth.testing import FakeLiveblocks, signed_webhook
from liveblocks_auth.webhooks import generate_webhook_secret
from liveblocks_auth_flask import LiveblocksAuth
from tests.core.harness import SECRET
from tests.otel import check_adapter_answers, endpoint_spans

WEBHOOK_SECRET = generate_webhook_secret()


def test_answers_are_spans_with_the_call_inside_and_counted(
    fake: FakeLiveblocks, otel: Any
) -> None:
    spans, reader = otel
    app = Flask(__name__)
    app.config.update(
        LIVEBLOCKS_SECRET_KEY=SECRET,
        LIVEBLOCKS_TRANSPORT=fake,
        LIVEBLOCKS_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    liveblocks = LiveblocksAuth(app)
    users = iter([LiveblocksUser("alice"), None])
    liveblocks.user_resolver(lambda: next(users))
    liveblocks.webhook_handler(lambda event: None)
    client = app.test_client()
    assert client.post("/api/liveblocks-auth", json={"room": "r"}).status_code == 200
    assert client.post("/api/liveblocks-auth", json={"room": "r"}).status_code == 401
    delivery = signed_webhook(WEBHOOK_SECRET)
    sent = client.post("/api/liveblocks-webhook", data=delivery.body, headers=delivery.headers)
    assert sent.status_code == 200
    check_adapter_answers(spans, reader, {"handled": 1})
    [webhook] = endpoint_spans(spans, "webhook")
    assert webhook.attributes["liveblocks_auth.reason"] == "handled"  # type: ignore[index]
