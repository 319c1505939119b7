"""What every operation of the REST API shares: an operation is a generator that yields the
``ApiRequest`` it needs, receives its ``ApiResult`` and returns a typed value, or raises
:class:`~liveblocks_auth.errors.LiveblocksError`. ``Liveblocks`` runs operations blocking and
``AsyncLiveblocks`` awaited; each is written once."""

from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from liveblocks_auth._protocol import ApiRequest, ApiResult, check_text
from liveblocks_auth.config import MAX_ROOM_ID_LENGTH
from liveblocks_auth.errors import LiveblocksError

__all__ = [
    "Operation",
    "Page",
    "check_room_id",
    "json_answer",
    "no_content",
    "ok",
    "ok_json",
    "parse_time",
    "room_path",
]

T = TypeVar("T")
#: An operation of the REST API (see the module's docstring).
Operation = Generator[ApiRequest, ApiResult, T]


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time of an answer (``Z`` included), or None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; ``next_cursor`` asks for the next (None: the last)."""

    items: list[T]
    next_cursor: str | None


def check_room_id(room_id: object) -> str:
    """A room id that names one room in a URL path: 1-128 characters of text, not ``.`` or
    ``..`` (URL libraries and servers resolve those as path segments: ``/v2/rooms/..`` is
    ``/v2``). Every other character is percent-encoded in the path."""
    if not isinstance(room_id, str) or not 0 < len(room_id) <= MAX_ROOM_ID_LENGTH:
        raise ValueError(f"room_id must be a string of 1-{MAX_ROOM_ID_LENGTH} characters")
    if room_id in (".", ".."):
        raise ValueError(
            f"room_id {room_id!r} cannot be used: it would name another path of the REST API, "
            "not a room; choose an id that is not '.' or '..'"
        )
    return check_text(room_id, "room_id")


def ok(result: ApiResult) -> ApiResult:
    """``result`` if it is a whole 2xx answer; LiveblocksError otherwise."""
    if result.failed or not 200 <= result.status < 300:
        raise LiveblocksError.from_result(result)
    if result.truncated:
        limit = result.request.limit
        if result.request.document:
            raise LiveblocksError(
                502,
                f"the room's document is larger than max_document_size ({limit} bytes); "
                "refused. Give the client a larger max_document_size to read it",
            )
        raise LiveblocksError(502, f"Liveblocks answered with more than {limit} bytes; refused")
    return result


def ok_json(result: ApiResult) -> Any:
    try:
        return json.loads(ok(result).body)
    except ValueError:
        raise LiveblocksError(502, "Liveblocks answered with invalid JSON") from None


def room_path(room_id: str) -> str:
    """``/v2/rooms/{room_id}``, the id checked and percent-encoded."""
    return f"/v2/rooms/{quote(check_room_id(room_id), safe='')}"


def no_content(request: ApiRequest) -> Operation[None]:
    """Send ``request``; any 2xx answer is success, whatever its body."""
    result = yield request
    if result.failed or not 200 <= result.status < 300:
        raise LiveblocksError.from_result(result)


def json_answer(request: ApiRequest) -> Operation[Any]:
    """Send ``request``; its answer's JSON."""
    return ok_json((yield request))
