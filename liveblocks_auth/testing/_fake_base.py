"""What every part of the fake answers with: JSON answers, errors as Liveblocks spells them,
422s for requests the REST API would refuse."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx


def _json(status: int, data: Any, headers: Mapping[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=data, headers=headers)


def _error(status: int, error: str, message: str, **extra: str) -> httpx.Response:
    return _json(status, {"error": error, "message": message, **extra})


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Unprocessable(Exception):
    pass


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise _Unprocessable(reason)


def _not_found(room_id: str) -> httpx.Response:
    return _error(404, "ROOM_NOT_FOUND", f'Room with id "{room_id}" not found.')


def _paged(items: list[dict[str, Any]], params: Mapping[str, str], key: str) -> dict[str, Any]:
    """One page of ``items``, as the REST API pages: ``limit`` (default 20), ``startingAfter``
    (the ``key`` of the last item of the page before), ``nextCursor``."""
    limit = int(params.get("limit", "20"))
    keys = [item[key] for item in items]
    cursor = params.get("startingAfter")
    start = keys.index(cursor) + 1 if cursor in keys else 0
    page = items[start : start + limit]
    more = start + limit < len(items)
    return {"nextCursor": page[-1][key] if more and page else None, "data": page}
