"""What is inside a room, where earlier imports found it: now :mod:`liveblocks_auth.api.storage`,
:mod:`liveblocks_auth.api.yjs` and :mod:`liveblocks_auth.api.presence`."""

from __future__ import annotations

from .api.presence import ActiveUser, broadcast_event, get_active_users
from .api.storage import (
    StorageFormat,
    check_storage_document,
    delete_storage_document,
    get_storage_document,
    initialize_storage_document,
)
from .api.yjs import (
    YJS_TYPES,
    get_yjs_document,
    get_yjs_document_as_binary_update,
    send_yjs_binary_update,
)

__all__ = [
    "YJS_TYPES",
    "ActiveUser",
    "StorageFormat",
    "broadcast_event",
    "check_storage_document",
    "delete_storage_document",
    "get_active_users",
    "get_storage_document",
    "get_yjs_document",
    "get_yjs_document_as_binary_update",
    "initialize_storage_document",
    "send_yjs_binary_update",
]
