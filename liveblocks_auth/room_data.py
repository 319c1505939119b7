"""What is inside a room: its storage document, its Yjs document, who is connected, and events
broadcast to everyone in it. Written once as flows (see ``rooms``) that both clients run.

Arguments are checked before anything is sent (``ValueError``); a non-2xx answer raises
:class:`~liveblocks_auth.rooms.LiveblocksError`. Reads are retried like every idempotent call;
``initialize_storage_document`` and ``broadcast_event`` are never sent twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ._protocol import ApiRequest, check_text, to_json
from .rooms import Flow, LiveblocksError, _done_flow, _ok, _ok_json, _path

__all__ = ["YJS_TYPES", "ActiveUser", "StorageFormat", "check_storage_document"]

StorageFormat = Literal["plain-lson", "json"]
#: ``type`` values of :func:`get_yjs_document` (with ``key``): how to read that root.
YJS_TYPES = ("ytext", "ymap", "yarray", "yxmltext", "yxmlfragment")
_LIVE_TYPES = ("LiveObject", "LiveMap", "LiveList")


@dataclass(frozen=True, slots=True)
class ActiveUser:
    """One connection to a room. ``id`` is the user id of its token (None for an anonymous
    connection); ``info`` the token's user info. A user with two tabs open is listed twice."""

    connection_id: int
    id: str | None
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ActiveUser:
        user_id = data.get("id")
        info = data.get("info")
        return cls(
            connection_id=int(data["connectionId"]),
            id=user_id if isinstance(user_id, str) else None,
            info=dict(info) if isinstance(info, Mapping) else {},
        )


# --- validation ------------------------------------------------------------------------------


def check_storage_document(document: object) -> dict[str, Any]:
    """``document`` if it is a storage document in plain LSON, the format of
    ``get_storage_document``: ``{"liveblocksType": "LiveObject", "data": {...}}`` whose values
    are JSON or nested ``LiveObject``/``LiveMap`` (``data`` an object) and ``LiveList`` (``data``
    an array) nodes. ValueError naming the first wrong place otherwise."""
    if not isinstance(document, Mapping) or document.get("liveblocksType") != "LiveObject":
        raise ValueError(
            'document must be a storage document in plain LSON: {"liveblocksType": '
            '"LiveObject", "data": {...}} (the format get_storage_document returns)'
        )
    _check_node(document, "document")
    try:
        check_text(to_json(document), "document")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"document must be JSON-serializable: {exc}") from None
    return dict(document)


def _check_node(node: Mapping[Any, Any], where: str) -> None:
    kind = node.get("liveblocksType")
    if kind not in _LIVE_TYPES:
        raise ValueError(f"{where}: liveblocksType must be one of {', '.join(_LIVE_TYPES)}")
    if set(node) != {"liveblocksType", "data"}:
        raise ValueError(f'{where}: a {kind} node has exactly the keys "liveblocksType", "data"')
    data = node["data"]
    if kind == "LiveList":
        if not isinstance(data, list | tuple):
            raise ValueError(f"{where}: the data of a LiveList must be a list")
        items = [(f"{where}[{i}]", value) for i, value in enumerate(data)]
    else:
        if not isinstance(data, Mapping) or not all(isinstance(key, str) for key in data):
            raise ValueError(f"{where}: the data of a {kind} must be an object with string keys")
        items = [(f"{where}[{key!r}]", value) for key, value in data.items()]
    for place, value in items:
        _check_value(value, place)


def _check_value(value: object, where: str) -> None:
    if isinstance(value, Mapping):
        if "liveblocksType" in value:
            _check_node(value, where)
            return
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: object keys must be strings, found {key!r}")
            _check_value(item, f"{where}[{key!r}]")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_value(item, f"{where}[{i}]")


def _check_guid(guid: object) -> dict[str, str]:
    if guid is None:
        return {}
    if not isinstance(guid, str) or not guid:
        raise ValueError("guid must be a non-empty string (a Yjs subdocument's guid) or None")
    return {"guid": check_text(guid, "guid")}


# --- storage ---------------------------------------------------------------------------------


def get_storage_document(room_id: str, format: StorageFormat = "plain-lson") -> Flow[Any]:
    """The room's storage. ``"plain-lson"`` (the default) keeps the Live structures
    (``{"liveblocksType": "LiveObject", "data": ...}``) and can be given back to
    ``initialize_storage_document``; ``"json"`` is the simplified, lossy form (LiveObject and
    LiveMap as objects, LiveList as arrays)."""
    if format not in ("plain-lson", "json"):
        raise ValueError('format must be "plain-lson" or "json"')
    request = ApiRequest(
        "GET", _path(room_id) + "/storage", params={"format": format}, document=True
    )
    return _json_flow(request)


def initialize_storage_document(room_id: str, document: Mapping[str, Any]) -> Flow[Any]:
    """Give a room with empty storage its first document (plain LSON, see
    :func:`check_storage_document`); answers the document stored. A room whose storage is not
    empty answers 409 ``CANNOT_UPDATE_EXISTING_STORAGE``: delete it first. Disconnects anyone
    connected to the room."""
    body = check_storage_document(document)
    return _json_flow(ApiRequest("POST", _path(room_id) + "/storage", body, document=True))


def delete_storage_document(room_id: str) -> Flow[None]:
    """Empty the room's storage (its Yjs document stays) and disconnect anyone connected."""
    return _done_flow(ApiRequest("DELETE", _path(room_id) + "/storage"))


# --- Yjs -------------------------------------------------------------------------------------


def get_yjs_document(
    room_id: str,
    *,
    key: str | None = None,
    type: str | None = None,
    format: bool = False,
) -> Flow[Any]:
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
    request = ApiRequest("GET", _path(room_id) + "/ydoc", params=params, document=True)
    return _json_flow(request)


def send_yjs_binary_update(room_id: str, update: bytes, *, guid: str | None = None) -> Flow[None]:
    """Apply a Yjs update (``Y.encodeStateAsUpdate(doc)``, pycrdt's ``doc.get_update()``) to
    the room's document, or to the subdocument ``guid``; connected clients receive it. Sent
    again after a lost answer: applying a Yjs update twice changes nothing."""
    if not isinstance(update, bytes | bytearray | memoryview):
        raise ValueError(f"update must be bytes (a Yjs binary update), not {type(update).__name__}")
    content = bytes(update)
    if not content:
        raise ValueError("update is empty; a Yjs update has at least 2 bytes")
    request = ApiRequest("PUT", _path(room_id) + "/ydoc", params=_check_guid(guid), content=content)
    return _done_flow(request)


def get_yjs_document_as_binary_update(room_id: str, *, guid: str | None = None) -> Flow[bytes]:
    """The room's Yjs document (or subdocument ``guid``) as one binary update, to apply to a
    document of your own (``Y.applyUpdate``, pycrdt's ``Doc.apply_update``)."""
    request = ApiRequest(
        "GET", _path(room_id) + "/ydoc-binary", params=_check_guid(guid), document=True
    )
    return _ok((yield request)).body


# --- presence and events ---------------------------------------------------------------------


def get_active_users(room_id: str) -> Flow[list[ActiveUser]]:
    """The connections to the room now, with the user id and info of their tokens. Liveblocks
    advises calling it at most every 10 seconds per room."""
    data = _ok_json((yield ApiRequest("GET", _path(room_id) + "/active-users")))
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(
        isinstance(item, dict) and isinstance(item.get("connectionId"), int) for item in items
    ):
        raise LiveblocksError(502, "Liveblocks answered active-users without a list of users")
    return [ActiveUser.from_json(item) for item in items]


def broadcast_event(room_id: str, event: Any) -> Flow[None]:
    """Send ``event`` (any JSON value) to everyone connected to the room, as a client's
    ``room.broadcastEvent`` does (their listeners see connection id -1). Never sent twice."""
    try:
        to_json(event)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"event must be JSON-serializable: {exc}") from None
    if event is None:
        raise ValueError("event cannot be None (JSON null); send an object or another value")
    return _done_flow(ApiRequest("POST", _path(room_id) + "/broadcast-event", event))


# --- flows ---------------------------------------------------------------------------------


def _json_flow(request: ApiRequest) -> Flow[Any]:
    return _ok_json((yield request))
