"""A room's storage document: read it, give it its first document, change it with JSON Patch
operations, empty it.

Arguments are checked before anything is sent (``ValueError``); a non-2xx answer raises
:class:`~liveblocks_auth.errors.LiveblocksError`. Reads are retried like every idempotent call;
``initialize_storage_document`` and ``patch_storage_document`` are never sent twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from liveblocks_auth._protocol import ApiRequest, check_text, to_json
from liveblocks_auth.errors import LiveblocksError
from liveblocks_auth.json_patch import PatchOperation, check_operations
from liveblocks_auth.live import LiveObject, Pool, storage_from_nodes

from ._operation import Operation, json_answer, no_content, ok, room_path

__all__ = [
    "StorageFormat",
    "StorageMutation",
    "check_storage_document",
    "delete_storage_document",
    "get_storage_document",
    "initialize_storage_document",
    "patch_storage_document",
    "request_storage_mutation",
    "send_storage_operations",
]

StorageFormat = Literal["plain-lson", "json"]
_LIVE_TYPES = ("LiveObject", "LiveMap", "LiveList")


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


def get_storage_document(room_id: str, format: StorageFormat = "plain-lson") -> Operation[Any]:
    """The room's storage. ``"plain-lson"`` (the default) keeps the Live structures
    (``{"liveblocksType": "LiveObject", "data": ...}``) and can be given back to
    ``initialize_storage_document``; ``"json"`` is the simplified, lossy form (LiveObject and
    LiveMap as objects, LiveList as arrays)."""
    if format not in ("plain-lson", "json"):
        raise ValueError('format must be "plain-lson" or "json"')
    request = ApiRequest(
        "GET", room_path(room_id) + "/storage", params={"format": format}, document=True
    )
    return json_answer(request)


def initialize_storage_document(room_id: str, document: Mapping[str, Any]) -> Operation[Any]:
    """Give a room with empty storage its first document (plain LSON, see
    :func:`check_storage_document`); answers the document stored. A room whose storage is not
    empty answers 409 ``CANNOT_UPDATE_EXISTING_STORAGE``: delete it first. Disconnects anyone
    connected to the room."""
    body = check_storage_document(document)
    return json_answer(ApiRequest("POST", room_path(room_id) + "/storage", body, document=True))


def delete_storage_document(room_id: str) -> Operation[None]:
    """Empty the room's storage (its Yjs document stays) and disconnect anyone connected."""
    return no_content(ApiRequest("DELETE", room_path(room_id) + "/storage"))


def patch_storage_document(
    room_id: str, operations: Sequence[PatchOperation | Mapping[str, Any]]
) -> Operation[None]:
    """Change the room's storage with JSON Patch (RFC 6902) operations, applied in order and
    all or none (a failing one, a ``test`` above all, answers 422 and changes nothing): paths
    are JSON Pointers through LiveObject, LiveMap and LiveList nodes, added objects become
    LiveObjects and arrays LiveLists. Connected clients receive the change. Never sent twice
    (an ``add`` to a list would add twice)."""
    body = check_operations(operations)
    path = room_path(room_id) + "/storage/json-patch"
    return no_content(ApiRequest("PATCH", path, body, idempotent=False))


@dataclass(frozen=True, slots=True)
class StorageMutation:
    """A room's storage, ready to change: ``root`` is its ``LiveObject``; the operations its
    changes make are gathered in ``pool`` until they are sent."""

    room_id: str
    root: LiveObject
    pool: Pool


#: UPDATE_STORAGE, the message that carries storage operations; how many go in one request.
_UPDATE_STORAGE, _OPS_PER_REQUEST = 201, 1000


def request_storage_mutation(room_id: str) -> Operation[StorageMutation]:
    """The room's storage as Live nodes, and a session to change it as a client does (its own
    ``actor`` id): the first half of ``mutate_storage``."""
    path = room_path(room_id) + "/request-storage-mutation"
    result = ok((yield ApiRequest("POST", path, {}, idempotent=True, document=True)))
    try:
        lines = [json.loads(line) for line in result.body.decode("utf-8").splitlines() if line]
    except ValueError:
        raise LiveblocksError(502, "Liveblocks answered with invalid NDJSON") from None
    if not lines or not isinstance(lines[0], dict) or not isinstance(lines[0].get("actor"), int):
        raise LiveblocksError(502, "Liveblocks did not open a storage session (no actor id)")
    pool = Pool(lines[0]["actor"])
    return StorageMutation(room_id, storage_from_nodes(lines[1:], pool), pool)


def send_storage_operations(mutation: StorageMutation) -> Operation[None]:
    """Send the operations the changes made (in order, 1,000 a request): the second half of
    ``mutate_storage``. Never sent twice."""
    path = room_path(mutation.room_id) + "/send-message"
    operations = mutation.pool.ops
    for start in range(0, len(operations), _OPS_PER_REQUEST):
        batch = operations[start : start + _OPS_PER_REQUEST]
        body = {"messages": [{"type": _UPDATE_STORAGE, "ops": batch}]}
        yield from no_content(ApiRequest("POST", path, body, idempotent=False))
