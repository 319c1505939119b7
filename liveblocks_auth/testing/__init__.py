"""Test helpers: an in-process fake Liveblocks, the official dev server launcher, and signed
webhook deliveries."""

from __future__ import annotations

from .devserver import DevServer, DevServerError, find_node_modules
from .fake import FakeLiveblocks, Fault, RecordedCall, decode_token
from .webhooks import SignedWebhook, signed_webhook

__all__ = [
    "DevServer",
    "DevServerError",
    "FakeLiveblocks",
    "Fault",
    "RecordedCall",
    "SignedWebhook",
    "decode_token",
    "find_node_modules",
    "signed_webhook",
]
