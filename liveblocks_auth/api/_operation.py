"""What every operation of the REST API shares: an operation is a generator that yields the
``ApiRequest`` it needs, receives its ``ApiResult`` and returns a typed value, or raises
:class:`~liveblocks_auth.errors.LiveblocksError`. ``Liveblocks`` runs operations blocking and
``AsyncLiveblocks`` awaited; each is written once."""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from liveblocks_auth._protocol import ApiRequest, ApiResult, check_text
from liveblocks_auth.config import MAX_ROOM_ID_LENGTH
from liveblocks_auth.errors import LiveblocksError

__all__ = [
    "Operation",
    "Page",
    "Pager",
    "check_path_id",
    "check_room_id",
    "iso_time",
    "json_answer",
    "no_content",
    "ok",
    "ok_json",
    "page_size_param",
    "parse_time",
    "path_segment",
    "room_path",
    "string_metadata",
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


def iso_time(value: object, setting: str) -> str:
    """An aware ``datetime`` as JavaScript's ``Date.toISOString()`` writes it (UTC, to the
    millisecond: ``2024-01-15T10:30:00.000Z``), as the Node SDK sends times."""
    if not isinstance(value, datetime):
        raise ValueError(f"{setting} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{setting} must be an aware datetime (datetime.now(UTC), not datetime.now()): "
            "a naive one names no instant"
        )
    utc = value.astimezone(UTC)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; ``next_cursor`` asks for the next (None: the last)."""

    items: list[T]
    next_cursor: str | None


def check_path_id(value: object, setting: str) -> str:
    """An id that names one resource in a URL path (a room, a group, a user): 1-128 characters
    of text, not ``.`` or ``..`` (URL libraries and servers resolve those as path segments:
    ``/v2/rooms/..`` is ``/v2``). Every other character is percent-encoded in the path."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_ROOM_ID_LENGTH:
        raise ValueError(f"{setting} must be a string of 1-{MAX_ROOM_ID_LENGTH} characters")
    if value in (".", ".."):
        raise ValueError(
            f"{setting} {value!r} cannot be used: it would name another path of the REST API; "
            "choose an id that is not '.' or '..'"
        )
    return check_text(value, setting)


def check_room_id(room_id: object) -> str:
    """A room id (see :func:`check_path_id`)."""
    return check_path_id(room_id, "room_id")


def path_segment(value: object, setting: str) -> str:
    """``value`` checked (:func:`check_path_id`) and percent-encoded as one path segment, as
    JavaScript's ``encodeURIComponent`` (which the Node SDK uses) encodes it."""
    return quote(check_path_id(value, setting), safe="!'()*")


class Pager(Generic[T]):
    """The pages of a listing: ``page(cursor)`` is the operation for one page of ``path``
    (``params`` and the cursor, as ``startingAfter`` unless ``cursor`` names it otherwise, in
    the ``order`` the Node SDK writes them); ``item`` reads each entry."""

    def __init__(
        self,
        path: str,
        params: dict[str, str],
        item: Callable[[Mapping[str, Any]], T],
        order: tuple[str, ...] = ("startingAfter", "limit"),
        cursor: str = "startingAfter",
    ) -> None:
        self.path, self.params, self.item, self.order = path, params, item, order
        self.cursor = cursor

    def page(self, cursor: str | None) -> Operation[Page[T]]:
        params = dict(self.params)
        if cursor is not None:
            params[self.cursor] = cursor
        rank = {name: i for i, name in enumerate(self.order)}
        params = dict(sorted(params.items(), key=lambda item: rank.get(item[0], len(rank))))
        data = ok_json((yield ApiRequest("GET", self.path, params=params)))
        items = [self.item(entry) for entry in data.get("data", [])]
        cursor = data.get("nextCursor")
        return Page(items, cursor if isinstance(cursor, str) and cursor else None)


def page_size_param(page_size: int | None) -> dict[str, str]:
    """``{"limit": ...}`` for a page size of 1-100, nothing for None."""
    if page_size is None:
        return {}
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= 100:
        raise ValueError("page_size must be between 1 and 100")
    return {"limit": str(page_size)}


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


def string_metadata(value: object, *, allow_none: bool) -> dict[str, Any]:
    """Metadata whose values are strings or lists of strings (rooms, feeds), lists as lists;
    with ``allow_none``, None removes a key. ValueError naming the first wrong entry."""
    if not isinstance(value, Mapping):
        raise ValueError(f"metadata must be a mapping, not {type(value).__name__}")
    for key, item in value.items():
        ok = isinstance(item, str) or (
            isinstance(item, Sequence) and all(isinstance(v, str) for v in item)
        )
        if not isinstance(key, str) or not (ok or (item is None and allow_none)):
            raise ValueError(
                f"metadata[{key!r}] must be a string or a list of strings"
                + (" (or None to remove it)" if allow_none else "")
            )
    return {k: v if isinstance(v, str) or v is None else list(v) for k, v in value.items()}


def room_path(room_id: str) -> str:
    """``/v2/rooms/{room_id}``, the id checked and percent-encoded."""
    return f"/v2/rooms/{path_segment(room_id, 'room_id')}"


def no_content(request: ApiRequest) -> Operation[None]:
    """Send ``request``; any 2xx answer is success, whatever its body."""
    result = yield request
    if result.failed or not 200 <= result.status < 300:
        raise LiveblocksError.from_result(result)


def json_answer(request: ApiRequest) -> Operation[Any]:
    """Send ``request``; its answer's JSON."""
    return ok_json((yield request))
