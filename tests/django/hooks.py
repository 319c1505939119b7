"""Hooks named by dotted path in the tests' LIVEBLOCKS settings."""

from __future__ import annotations

from typing import Any

from liveblocks_auth import LiveblocksUser


def username(user: Any) -> str:
    return str(user.get_username())


def organization(user: Any) -> str:
    return "acme"


def acme_only(user: LiveblocksUser, room: str | None) -> bool:
    return room is None or room.startswith("acme-")


def write_own_room(user: LiveblocksUser, room: str | None) -> dict[str, list[str]]:
    return {room or "*": ["room:write"]}


def user_by_auth_token(request: Any) -> LiveblocksUser | None:
    """A RESOLVE_USER that reads what DRF authenticated: request.user and request.auth."""
    if not request.user.is_authenticated or request.auth is None:
        return None
    return LiveblocksUser(f"token-user-{request.user.pk}")
