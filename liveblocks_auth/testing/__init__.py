"""Test helpers: an in-process fake Liveblocks and the official dev server launcher."""

from __future__ import annotations

from .devserver import DevServer, DevServerError, find_node_modules
from .fake import FakeLiveblocks, Fault, RecordedCall, decode_token

__all__ = [
    "DevServer",
    "DevServerError",
    "FakeLiveblocks",
    "Fault",
    "RecordedCall",
    "decode_token",
    "find_node_modules",
]
