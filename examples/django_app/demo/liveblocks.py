"""The example's Liveblocks hooks, named in settings.LIVEBLOCKS."""

from __future__ import annotations

from typing import Any


def user_id(user: Any) -> str:
    return str(user.get_username())


def organization_id(user: Any) -> str | None:
    profile = getattr(user, "profile", None)
    return profile.organization if profile else None
