"""Who is in a room now, events broadcast to everyone in it (``broadcast_event`` is never
sent twice), and presence set from the back end (an AI agent shown in the room)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from liveblocks_auth._protocol import (
    ApiRequest,
    check_json,
    check_user_id,
    check_user_info,
    to_json,
)
from liveblocks_auth.errors import LiveblocksError

from ._operation import Operation, no_content, ok_json, room_path

__all__ = ["PRESENCE_TTL", "ActiveUser", "broadcast_event", "get_active_users", "set_presence"]

#: The seconds a presence set from the back end may last (Liveblocks' bounds).
PRESENCE_TTL = (2, 3599)


@dataclass(frozen=True, slots=True)
class ActiveUser:
    """One connection to a room. ``id`` is the user id of its token (None for an anonymous
    connection); ``info`` the token's user info. A user with two tabs open is listed twice."""

    connection_id: int
    id: str | None
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ActiveUser:
        user_id = data.get("id")
        info = data.get("info")
        return cls(
            connection_id=int(data["connectionId"]),
            id=user_id if isinstance(user_id, str) else None,
            info=dict(info) if isinstance(info, Mapping) else {},
        )


# --- validation ------------------------------------------------------------------------------


def get_active_users(room_id: str) -> Operation[list[ActiveUser]]:
    """The connections to the room now, with the user id and info of their tokens. Liveblocks
    advises calling it at most every 10 seconds per room."""
    data = ok_json((yield ApiRequest("GET", room_path(room_id) + "/active-users")))
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(
        isinstance(item, dict) and isinstance(item.get("connectionId"), int) for item in items
    ):
        raise LiveblocksError(502, "Liveblocks answered active-users without a list of users")
    return [ActiveUser.from_json(item) for item in items]


def broadcast_event(room_id: str, event: Any) -> Operation[None]:
    """Send ``event`` (any JSON value) to everyone connected to the room, as a client's
    ``room.broadcastEvent`` does (their listeners see connection id -1). Never sent twice."""
    try:
        to_json(event)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"event must be JSON-serializable: {exc}") from None
    if event is None:
        raise ValueError("event cannot be None (JSON null); send an object or another value")
    return no_content(ApiRequest("POST", room_path(room_id) + "/broadcast-event", event))


def set_presence(
    room_id: str,
    *,
    user_id: str,
    data: Mapping[str, Any],
    user_info: Mapping[str, Any] | None = None,
    ttl: int | None = None,
) -> Operation[None]:
    """Show ``user_id`` in the room with presence ``data`` (a JSON object) without a WebSocket
    connection, for ``ttl`` seconds (2-3599; Liveblocks' default when None): an AI agent's
    cursor, a bot's status. Setting it again is harmless, so it is retried like a read."""
    if not isinstance(data, Mapping):
        raise ValueError(f"data must be a JSON object (the presence), not {type(data).__name__}")
    body: dict[str, Any] = {
        "userId": check_user_id(user_id),
        "data": check_json(dict(data), "data"),
    }
    if user_info is not None:
        body["userInfo"] = check_user_info(user_info)
    if ttl is not None:
        low, high = PRESENCE_TTL
        if isinstance(ttl, bool) or not isinstance(ttl, int) or not low <= ttl <= high:
            raise ValueError(f"ttl must be a number of seconds from {low} to {high}")
        body["ttl"] = ttl
    path = room_path(room_id) + "/presence"
    return no_content(ApiRequest("POST", path, body, idempotent=True))
