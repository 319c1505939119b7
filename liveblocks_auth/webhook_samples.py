"""Realistic sample webhook events, shaped as ``@liveblocks/node`` 3.24.2 types them.

The dev server sends no webhooks: ``liveblocks-auth webhooks send`` and
``liveblocks_auth.testing.signed_webhook`` build their events here.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any, Final

from .webhook_types import EVENT_TYPES

__all__ = ["NOTIFICATION_KINDS", "sample_event", "sample_webhook_id"]

NOTIFICATION_KINDS: Final = ("thread", "textMention", "$custom")
SAMPLE_PROJECT_ID: Final = "605a50b01a36d5ea7a2e9104"


def sample_webhook_id() -> str:
    """A fresh delivery id shaped like Liveblocks' (``msg_`` and 27 base62 characters)."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return "msg_" + "".join(secrets.choice(alphabet) for _ in range(27))


def _short_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


def sample_event(
    event_type: str,
    *,
    room_id: str = "my-room",
    user_id: str = "user-1",
    kind: str | None = None,
    project_id: str = SAMPLE_PROJECT_ID,
    at: datetime | None = None,
) -> dict[str, Any]:
    """One event body of ``event_type``. ``kind`` chooses a notification's kind (default
    ``thread``; ``textMention``, or ``$yourKind`` for a custom one)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(
            f"unknown event type {event_type!r}; known types: {', '.join(sorted(EVENT_TYPES))}"
        )
    if kind is not None and event_type != "notification":
        raise ValueError("a kind only applies to notification events")
    stamp = (at or datetime.now(UTC)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    room = {"projectId": project_id, "roomId": room_id}
    thread = {**room, "threadId": _short_id("th")}
    comment = {**thread, "commentId": _short_id("cm")}
    presence = {
        **room,
        "connectionId": 1,
        "userId": user_id,
        "userInfo": {"name": user_id},
        "numActiveUsers": 1,
    }
    shapes: dict[str, dict[str, Any]] = {
        "storageUpdated": {**room, "updatedAt": stamp},
        "ydocUpdated": {**room, "updatedAt": stamp},
        "userEntered": {**presence, "enteredAt": stamp},
        "userLeft": {**presence, "numActiveUsers": 0, "leftAt": stamp},
        "roomCreated": {**room, "createdAt": stamp},
        "roomDeleted": {**room, "deletedAt": stamp},
        "commentCreated": {**comment, "createdAt": stamp, "createdBy": user_id},
        "commentEdited": {**comment, "editedAt": stamp},
        "commentDeleted": {**comment, "deletedAt": stamp},
        "commentReactionAdded": {**comment, "emoji": "👍", "addedAt": stamp, "addedBy": user_id},
        "commentReactionRemoved": {
            **comment,
            "emoji": "👍",
            "removedAt": stamp,
            "removedBy": user_id,
        },
        "commentMetadataUpdated": {**comment, "updatedAt": stamp, "updatedBy": user_id},
        "threadMetadataUpdated": {**thread, "updatedAt": stamp, "updatedBy": user_id},
        "threadCreated": {**thread, "createdAt": stamp, "createdBy": user_id},
        "threadDeleted": {**thread, "deletedAt": stamp},
        "threadMarkedAsResolved": {**thread, "updatedAt": stamp, "updatedBy": user_id},
        "threadMarkedAsUnresolved": {**thread, "updatedAt": stamp, "updatedBy": user_id},
    }
    data = shapes.get(event_type) or _notification(kind or "thread", thread, user_id, stamp)
    return {"type": event_type, "data": data}


def _notification(kind: str, thread: dict[str, Any], user_id: str, stamp: str) -> dict[str, Any]:
    common = {
        "channel": "email",
        "kind": kind,
        "projectId": thread["projectId"],
        "roomId": thread["roomId"],
        "userId": user_id,
        "inboxNotificationId": _short_id("in"),
        "createdAt": stamp,
        "triggeredAt": stamp,
    }
    if kind == "thread":
        return {**common, "threadId": thread["threadId"]}
    if kind == "textMention":
        return {**common, "mentionId": _short_id("mn")}
    if kind.startswith("$") and len(kind) > 1:
        return {**common, "subjectId": _short_id("sb")}
    raise ValueError(f"unknown notification kind {kind!r}: use thread, textMention or $yourKind")
