"""A room's feeds (ordered streams of messages, as an AI chat or an activity log) and their
messages: listed page after page, created, read, changed and deleted, as ``@liveblocks/node``
does. Times are milliseconds since the epoch on the wire; these take and give ``datetime``."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from liveblocks_auth._protocol import ApiRequest, check_json, check_text

from ._operation import (
    Operation,
    Pager,
    no_content,
    ok_json,
    page_size_param,
    path_segment,
    room_path,
    string_metadata,
)

__all__ = [
    "Feed",
    "FeedMessage",
    "create_feed",
    "create_feed_message",
    "delete_feed",
    "delete_feed_message",
    "get_feed",
    "get_feed_messages",
    "get_feeds",
    "update_feed",
    "update_feed_message",
]


def _time(value: Any) -> datetime | None:
    """Milliseconds since the epoch (how feeds give times) as an aware datetime."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return datetime.fromtimestamp(value / 1000, UTC)


def _milliseconds(value: object, setting: str) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{setting} must be an aware datetime (datetime.now(UTC))")
        return round(value.timestamp() * 1000)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError(f"{setting} must be an aware datetime or milliseconds since the epoch")


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed of a room: ``feed_id``, ``metadata`` (strings or lists of strings), when it was
    created and last updated. ``raw``: the answer's JSON."""

    feed_id: str
    metadata: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Feed:
        return cls(
            feed_id=str(data.get("feedId")),
            metadata=dict(data.get("metadata") or {}),
            created_at=_time(data.get("createdAt", data.get("timestamp"))),
            updated_at=_time(data.get("updatedAt")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class FeedMessage:
    """A message of a feed: ``id``, its ``data`` (any JSON), when it was created and updated."""

    id: str
    data: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeedMessage:
        return cls(
            id=str(data.get("id")),
            data=data.get("data"),
            created_at=_time(data.get("createdAt", data.get("timestamp"))),
            updated_at=_time(data.get("updatedAt")),
            raw=dict(data),
        )


def _metadata(value: object, *, allow_none: bool) -> dict[str, Any]:
    """A feed's metadata (:func:`string_metadata`), its keys non-empty, all of it valid text."""
    checked = string_metadata(value, allow_none=allow_none)
    for key, item in checked.items():
        if not key:
            raise ValueError(
                f"metadata[{key!r}] must be a string or a list of strings"
                + (" (or None to remove it)" if allow_none else "")
            )
        check_text(key + "".join([item] if isinstance(item, str) else item or []), "metadata")
    return checked


def _feed_path(room_id: str, feed_id: str, *rest: str) -> str:
    path = f"{room_path(room_id)}/feeds/{path_segment(feed_id, 'feed_id')}"
    return "/".join((path, *rest))


def _since(since: datetime | int | None) -> dict[str, str]:
    return {} if since is None else {"since": str(_milliseconds(since, "since"))}


def get_feeds(
    room_id: str, *, since: datetime | int | None = None, page_size: int | None = None
) -> Pager[Feed]:
    """The room's feeds, page after page (``since``: changed since then)."""
    params = _since(since) | page_size_param(page_size)
    order = ("cursor", "since", "limit")
    return Pager(room_path(room_id) + "/feeds", params, Feed.from_json, order, cursor="cursor")


def get_feed(room_id: str, feed_id: str) -> Operation[Feed]:
    """One feed."""
    return Feed.from_json(ok_json((yield ApiRequest("GET", _feed_path(room_id, feed_id)))))


def create_feed(
    room_id: str,
    feed_id: str,
    *,
    metadata: Mapping[str, str | Sequence[str]] | None = None,
    created_at: datetime | int | None = None,
) -> Operation[Feed]:
    """Create the feed ``feed_id`` in the room. Never sent twice (a second would be refused)."""
    path_segment(feed_id, "feed_id")
    body: dict[str, Any] = {"feedId": feed_id}
    if metadata is not None:
        body["metadata"] = _metadata(metadata, allow_none=False)
    if created_at is not None:
        body["timestamp"] = _milliseconds(created_at, "created_at")
    request = ApiRequest("POST", room_path(room_id) + "/feeds", body, idempotent=False)
    return Feed.from_json(ok_json((yield request)))


def update_feed(
    room_id: str, feed_id: str, *, metadata: Mapping[str, str | Sequence[str] | None]
) -> Operation[Feed]:
    """Change the feed's metadata (None removes a key); the feed after."""
    body = {"metadata": _metadata(metadata, allow_none=True)}
    request = ApiRequest("PATCH", _feed_path(room_id, feed_id), body, idempotent=True)
    return Feed.from_json(ok_json((yield request)))


def delete_feed(room_id: str, feed_id: str) -> Operation[None]:
    """Delete the feed and its messages."""
    return no_content(ApiRequest("DELETE", _feed_path(room_id, feed_id)))


def get_feed_messages(
    room_id: str,
    feed_id: str,
    *,
    since: datetime | int | None = None,
    page_size: int | None = None,
) -> Pager[FeedMessage]:
    """The feed's messages, page after page (``since``: changed since then)."""
    params = _since(since) | page_size_param(page_size)
    path = _feed_path(room_id, feed_id, "messages")
    order = ("cursor", "since", "limit")
    return Pager(path, params, FeedMessage.from_json, order, cursor="cursor")


def create_feed_message(
    room_id: str,
    feed_id: str,
    *,
    data: Any,
    id: str | None = None,
    created_at: datetime | int | None = None,
) -> Operation[FeedMessage]:
    """Add a message (``data``: any JSON) to the feed; the message. Never sent twice (it would
    be added twice)."""
    body: dict[str, Any] = {"data": check_json(data, "data")}
    if id is not None:
        path_segment(id, "id")  # (it names the message in paths later)
        body["id"] = id
    if created_at is not None:
        body["timestamp"] = _milliseconds(created_at, "created_at")
    path = _feed_path(room_id, feed_id, "messages")
    return FeedMessage.from_json(ok_json((yield ApiRequest("POST", path, body, idempotent=False))))


def update_feed_message(
    room_id: str,
    feed_id: str,
    message_id: str,
    *,
    data: Any,
    updated_at: datetime | int | None = None,
) -> Operation[FeedMessage]:
    """Replace the message's ``data``; the message after."""
    body: dict[str, Any] = {"data": check_json(data, "data")}
    if updated_at is not None:
        body["timestamp"] = _milliseconds(updated_at, "updated_at")
    path = _feed_path(room_id, feed_id, "messages", path_segment(message_id, "message_id"))
    return FeedMessage.from_json(ok_json((yield ApiRequest("PATCH", path, body, idempotent=True))))


def delete_feed_message(room_id: str, feed_id: str, message_id: str) -> Operation[None]:
    """Delete one message of the feed."""
    path = _feed_path(room_id, feed_id, "messages", path_segment(message_id, "message_id"))
    return no_content(ApiRequest("DELETE", path))
