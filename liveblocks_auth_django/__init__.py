"""Django adapter of liveblocks-auth: add ``liveblocks_auth_django`` to ``INSTALLED_APPS`` and
``path("", include("liveblocks_auth_django.urls"))`` to serve ``POST /api/liveblocks-auth``."""

from __future__ import annotations

from liveblocks_auth import LiveblocksUser

__all__ = ["LiveblocksUser"]
