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
