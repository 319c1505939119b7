"""The rooms REST API (now in :mod:`liveblocks_auth.api.rooms`), and ``LiveblocksError`` (now in
:mod:`liveblocks_auth.errors`), where earlier imports found them."""

from __future__ import annotations

from typing import TypeAlias, TypeVar

from .api import rooms as _rooms
from .api._operation import Operation, Page, check_room_id
from .api.rooms import *  # noqa: F403 - the same names, where earlier imports found them
from .errors import UNREACHABLE, LiveblocksError

T = TypeVar("T")
#: The older name of :data:`liveblocks_auth.api.Operation`.
Flow: TypeAlias = Operation[T]

__all__ = [
    *_rooms.__all__,
    "UNREACHABLE",
    "Flow",
    "LiveblocksError",
    "Page",
    "check_room_id",
]
