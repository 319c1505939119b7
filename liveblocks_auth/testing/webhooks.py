"""Signed webhook deliveries for your tests: post them to your app's webhook endpoint.

delivery = signed_webhook(SECRET, "storageUpdated", room_id="my-room")
client.post("/api/liveblocks-webhook", content=delivery.body, headers=delivery.headers)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from liveblocks_auth.webhook_samples import sample_event, sample_webhook_id
from liveblocks_auth.webhooks import WebhookHandler

__all__ = ["SignedWebhook", "signed_webhook"]


@dataclass(frozen=True, slots=True)
class SignedWebhook:
    """A delivery as Liveblocks sends it: the exact body bytes and the three signed headers
    (plus ``Content-Type``)."""

    headers: dict[str, str]
    body: bytes

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]

    def json(self) -> Any:
        return json.loads(self.body)


def signed_webhook(
    secret: str,
    event_type: str = "storageUpdated",
    *,
    body: bytes | str | dict[str, Any] | None = None,
    webhook_id: str | None = None,
    timestamp: int | None = None,
    **sample: Any,
) -> SignedWebhook:
    """A signed delivery of a sample ``event_type`` event (``room_id=``, ``user_id=``, ``kind=``
    shape it), or of ``body`` as given. The same ``webhook_id`` makes a redelivery."""
    if body is None:
        body = sample_event(event_type, **sample)
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    raw = raw.encode() if isinstance(raw, str) else raw
    webhook_id = webhook_id or sample_webhook_id()
    headers = WebhookHandler(secret).sign(webhook_id, raw, timestamp)
    return SignedWebhook({"Content-Type": "application/json", **headers}, raw)
