"""Room permission scopes, as ``@liveblocks/core`` names them, and their validation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

#: Base scopes: what the whole room allows. Current names first, legacy aliases after.
READ: Final = "*:read"
WRITE: Final = "*:write"
ROOM_READ: Final = "room:read"
ROOM_WRITE: Final = "room:write"
#: Legacy scope still accepted by the service alongside ``room:read``.
ROOM_PRESENCE_WRITE: Final = "room:presence:write"

BASE_SCOPES: Final = frozenset({READ, WRITE, ROOM_READ, ROOM_WRITE})

#: Feature resources, each with its three levels (``storage:write`` ...).
FEATURES: Final = ("storage", "comments", "comments:public", "comments:private", "feeds")
ACCESS_LEVELS: Final = ("none", "read", "write")

FEATURE_SCOPES: Final = frozenset(
    f"{feature}:{level}" for feature in FEATURES for level in ACCESS_LEVELS
)
KNOWN_SCOPES: Final = BASE_SCOPES | FEATURE_SCOPES | {ROOM_PRESENCE_WRITE}


def check_known_scopes(scopes: object) -> list[str]:
    """Return ``scopes`` as a list, or raise ``ValueError`` naming the first unknown scope."""
    if isinstance(scopes, str | bytes) or not isinstance(scopes, Iterable):
        raise ValueError(f"permissions must be a list of scopes, not {type(scopes).__name__}")
    result = list(scopes)
    for scope in result:
        if scope not in KNOWN_SCOPES:
            known = ", ".join(sorted(KNOWN_SCOPES))
            raise ValueError(f"unknown permission scope {scope!r}; known scopes: {known}")
    return result
