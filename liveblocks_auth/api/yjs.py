"""A room's Yjs document: read it as JSON or as one binary update, send it updates."""

from __future__ import annotations

from typing import Any

from liveblocks_auth._protocol import ApiRequest, check_text

from ._operation import Operation, json_answer, no_content, ok, room_path

__all__ = [
    "YJS_TYPES",
    "get_yjs_document",
    "get_yjs_document_as_binary_update",
    "send_yjs_binary_update",
]

#: ``type`` values of :func:`get_yjs_document` (with ``key``): how to read that root.
YJS_TYPES = ("ytext", "ymap", "yarray", "yxmltext", "yxmlfragment")


def _check_guid(guid: object) -> dict[str, str]:
    if guid is None:
        return {}
    if not isinstance(guid, str) or not guid:
        raise ValueError("guid must be a non-empty string (a Yjs subdocument's guid) or None")
    return {"guid": check_text(guid, "guid")}


def get_yjs_document(
    room_id: str,
    *,
    key: str | None = None,
    type: str | None = None,
    format: bool = False,
) -> Operation[Any]:
    """The room's Yjs document as JSON: every root, or only ``key`` (read as ``type``, one of
    :data:`YJS_TYPES`, when given); ``format=True`` returns a Y.Text's formatting too."""
    params: dict[str, str] = {}
    if format:
        params["formatting"] = "true"
    if key is not None:
        if not isinstance(key, str) or not key:
            raise ValueError("key must be a non-empty string (a root of the Yjs document)")
        params["key"] = check_text(key, "key")
    if type is not None:
        if type not in YJS_TYPES:
            raise ValueError(f"type must be one of {', '.join(YJS_TYPES)}")
        if key is None:
            raise ValueError("type is only used with key: pass the root to read as that type")
        params["type"] = type
    request = ApiRequest("GET", room_path(room_id) + "/ydoc", params=params, document=True)
    return json_answer(request)


def send_yjs_binary_update(
    room_id: str, update: bytes, *, guid: str | None = None
) -> Operation[None]:
    """Apply a Yjs update (``Y.encodeStateAsUpdate(doc)``, pycrdt's ``doc.get_update()``) to
    the room's document, or to the subdocument ``guid``; connected clients receive it. Sent
    again after a lost answer: applying a Yjs update twice changes nothing."""
    if not isinstance(update, bytes | bytearray | memoryview):
        raise ValueError(f"update must be bytes (a Yjs binary update), not {type(update).__name__}")
    content = bytes(update)
    if not content:
        raise ValueError("update is empty; a Yjs update has at least 2 bytes")
    request = ApiRequest(
        "PUT", room_path(room_id) + "/ydoc", params=_check_guid(guid), content=content
    )
    return no_content(request)


def get_yjs_document_as_binary_update(room_id: str, *, guid: str | None = None) -> Operation[bytes]:
    """The room's Yjs document (or subdocument ``guid``) as one binary update, to apply to a
    document of your own (``Y.applyUpdate``, pycrdt's ``Doc.apply_update``)."""
    request = ApiRequest(
        "GET", room_path(room_id) + "/ydoc-binary", params=_check_guid(guid), document=True
    )
    return ok((yield request)).body
