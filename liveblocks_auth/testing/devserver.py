"""The official dev server for tests: :mod:`liveblocks_auth.devserver`, re-exported."""

from __future__ import annotations

from liveblocks_auth.devserver import (
    DEV_SECRET,
    ENV_NODE_MODULES,
    DevServer,
    DevServerError,
    find_node_modules,
    free_port,
)

__all__ = [
    "DEV_SECRET",
    "ENV_NODE_MODULES",
    "DevServer",
    "DevServerError",
    "find_node_modules",
    "free_port",
]
