"""Flask adapter of liveblocks-auth: ``LiveblocksAuth(app)`` serves /api/liveblocks-auth and
/api/liveblocks-webhook."""

from __future__ import annotations

from liveblocks_auth import LiveblocksUser

from .extension import ConfigError, LiveblocksAuth
from .signals import token_denied, token_issued, webhook_received

__all__ = [
    "ConfigError",
    "LiveblocksAuth",
    "LiveblocksUser",
    "token_denied",
    "token_issued",
    "webhook_received",
]
