"""A room's version history: its snapshots listed (newest first, page after page), one
created, a version's Yjs document read, a version deleted, as ``@liveblocks/node`` does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from liveblocks_auth._protocol import ApiRequest

from ._operation import (
    Operation,
    Pager,
    no_content,
    ok,
    ok_json,
    page_size_param,
    parse_time,
    path_segment,
    room_path,
)

__all__ = [
    "HistoryVersion",
    "create_version_history_snapshot",
    "delete_version",
    "get_version_history",
    "get_yjs_version",
]


@dataclass(frozen=True, slots=True)
class HistoryVersion:
    """One version of a room: its ``id`` (``vh_...``), when it was made, and who wrote what it
    holds (``author_ids``). ``raw``: the answer's JSON."""

    id: str
    created_at: datetime | None
    author_ids: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HistoryVersion:
        authors = [a for a in data.get("authors") or [] if isinstance(a, Mapping)]
        return cls(
            id=str(data["id"]),
            created_at=parse_time(data.get("createdAt")),
            author_ids=[str(author.get("id")) for author in authors],
            raw=dict(data),
        )


def _version_path(room_id: str, version_id: str) -> str:
    return f"{room_path(room_id)}/versions/{path_segment(version_id, 'version_id')}"


def get_version_history(room_id: str, *, page_size: int | None = None) -> Pager[HistoryVersion]:
    """The room's versions, newest first, page after page."""
    path = room_path(room_id) + "/versions"
    params = page_size_param(page_size)
    return Pager(path, params, HistoryVersion.from_json, ("limit", "cursor"), cursor="cursor")


def create_version_history_snapshot(room_id: str) -> Operation[str]:
    """Snapshot the room's storage and Yjs document as a new version; its id. Never sent twice
    (a second snapshot would be made)."""
    request = ApiRequest("POST", room_path(room_id) + "/versions", {}, idempotent=False)
    data = ok_json((yield request))
    return str(data["data"]["id"])


def get_yjs_version(room_id: str, version_id: str) -> Operation[bytes]:
    """The version's Yjs document as one binary update (``Y.applyUpdate``, pycrdt's
    ``Doc.apply_update``); capped by the client's ``max_document_size``."""
    request = ApiRequest("GET", _version_path(room_id, version_id) + "/yjs", document=True)
    return ok((yield request)).body


def delete_version(room_id: str, version_id: str) -> Operation[None]:
    """Delete a version from the room's history for good."""
    return no_content(ApiRequest("DELETE", _version_path(room_id, version_id)))
