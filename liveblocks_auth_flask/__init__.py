"""Flask adapter of liveblocks-auth: ``LiveblocksAuth(app)`` serves /api/liveblocks-auth."""

from __future__ import annotations

from liveblocks_auth import LiveblocksUser

from .extension import LiveblocksAuth
from .signals import token_denied, token_issued

__all__ = ["LiveblocksAuth", "LiveblocksUser", "token_denied", "token_issued"]
