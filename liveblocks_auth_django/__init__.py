"""Django adapter of liveblocks-auth: add ``liveblocks_auth_django`` to ``INSTALLED_APPS`` and
``path("", include("liveblocks_auth_django.urls"))`` to serve ``POST /api/liveblocks-auth``."""

from __future__ import annotations

from liveblocks_auth import AsyncLiveblocks, Liveblocks, LiveblocksUser

__all__ = ["LiveblocksUser", "get_async_client", "get_client"]


def get_client() -> Liveblocks:
    """The process's Liveblocks client, configured by ``LIVEBLOCKS`` (the endpoint's own): for
    rooms and room data in views, signal receivers, management commands and tasks."""
    from .clients import get_client as client

    return client()


def get_async_client() -> AsyncLiveblocks:
    """The ``AsyncLiveblocks`` client of the running event loop (async views, ASGI)."""
    from .clients import get_async_client as client

    return client()
