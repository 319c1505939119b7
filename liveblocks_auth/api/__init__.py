"""The Liveblocks REST API, one module per resource: ``rooms``, ``storage``, ``yjs``,
``presence``, ``comments`` (threads, comments, reactions), ``attachments``, ``files``,
``groups``, ``settings``, ``notifications``, ``versions``, ``feeds``, ``ai`` (copilots and
their knowledge); ``query`` writes
Liveblocks' query language. Each function is an *operation* (``_operation.Operation``): it
checks its arguments, yields the request it needs, and returns a typed answer or raises
:class:`~liveblocks_auth.errors.LiveblocksError`. The clients (``Liveblocks``,
``AsyncLiveblocks``) bind every operation as a method; nothing here does I/O itself."""

from __future__ import annotations

from . import (
    ai,
    attachments,
    comments,
    feeds,
    files,
    groups,
    notifications,
    presence,
    query,
    rooms,
    settings,
    storage,
    versions,
    yjs,
)
from ._operation import Operation, Page, Pager

__all__ = [
    "Operation",
    "Page",
    "Pager",
    "ai",
    "attachments",
    "comments",
    "feeds",
    "files",
    "groups",
    "notifications",
    "presence",
    "query",
    "rooms",
    "settings",
    "storage",
    "versions",
    "yjs",
]
