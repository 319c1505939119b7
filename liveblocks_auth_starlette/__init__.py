"""Starlette (and FastAPI) adapter of liveblocks-auth.

liveblocks = LiveblocksAuth()                      # secret from $LIVEBLOCKS_SECRET_KEY
app = Starlette(routes=[*liveblocks.routes], lifespan=liveblocks.lifespan, middleware=[...])
"""

from __future__ import annotations

from liveblocks_auth import LiveblocksUser

from .auth import LiveblocksAuth

__all__ = ["LiveblocksAuth", "LiveblocksUser"]
