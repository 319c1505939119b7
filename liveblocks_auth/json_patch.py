"""JSON Patch (RFC 6902) for storage documents: what ``patch_storage_document`` sends, checked
before it is sent (:func:`check_operations`), and the patch applied to a document in plain LSON
(:func:`apply_patch`), as the REST API applies it: the fake uses it, and so does
``liveblocks-auth rooms storage patch --dry-run`` to tell what a patch would do to each room.

Paths are JSON Pointers (RFC 6901) through the document's ``LiveObject``, ``LiveMap`` and
``LiveList`` nodes; a value added or replaced is plain JSON, its objects becoming
``LiveObject`` and its arrays ``LiveList`` nodes. The operations apply in order and all or
none: the first that fails leaves the document as it was (the REST API answers 422).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NotRequired, TypedDict

from ._protocol import check_text
from ._protocol import to_json as _serialized

__all__ = [
    "OPERATIONS",
    "JsonPatchError",
    "PatchOperation",
    "apply_patch",
    "check_operations",
    "to_json",
    "to_lson",
]

OPERATIONS = ("add", "remove", "replace", "move", "copy", "test")
_MEMBERS = {
    "add": ("path", "value"),
    "remove": ("path",),
    "replace": ("path", "value"),
    "move": ("from", "path"),
    "copy": ("from", "path"),
    "test": ("path", "value"),
}
_INDEX = re.compile(r"0|[1-9][0-9]*")
_LIVE = ("LiveObject", "LiveMap", "LiveList")


class PatchOperation(TypedDict):
    """One operation: ``{"op": "add", "path": "/tags/-", "value": "new"}``."""

    op: Literal["add", "remove", "replace", "move", "copy", "test"]
    path: str
    value: NotRequired[Any]
    # ("from", of move and copy, is a keyword: write {"op": "move", "from": ..., "path": ...})


class JsonPatchError(ValueError):
    """An operation that cannot apply to the document (``index``: its place in the patch)."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"operation {index}: {message}")
        self.index = index


# --- checking what is sent -------------------------------------------------------------------


def _pointer(value: object, where: str) -> list[str]:
    """The reference tokens of a JSON Pointer (``""`` is the whole document)."""
    if not isinstance(value, str):
        raise ValueError(f"{where} must be a JSON Pointer string, as /tasks/0/title")
    check_text(value, where)
    if value == "":
        return []
    if not value.startswith("/"):
        raise ValueError(f"{where} {value!r} must start with / (a JSON Pointer: /tasks/0/title)")
    tokens = value[1:].split("/")
    for token in tokens:
        if re.search(r"~(?![01])", token):
            raise ValueError(f"{where} {value!r}: ~ is written ~0 and / is written ~1")
    return [token.replace("~1", "/").replace("~0", "~") for token in tokens]


def _check_json(value: object, where: str, depth: int = 0) -> None:
    if depth > 64:
        raise ValueError(f"{where} is nested more than 64 levels deep")
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} must be JSON: {value} is not a JSON number")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where} must be JSON: its keys are strings, not {key!r}")
            _check_json(item, f"{where}[{key!r}]", depth + 1)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]", depth + 1)
        return
    raise ValueError(f"{where} must be JSON (objects, arrays, strings, numbers, booleans, None)")


def check_operations(operations: object) -> list[dict[str, Any]]:
    """``operations`` as they are sent, if each is a JSON Patch operation: a known ``op``, its
    members (``path``, and ``from`` or ``value``), pointers and plain JSON values. ValueError
    naming the first that is not."""
    if isinstance(operations, str | bytes | Mapping) or not isinstance(operations, Sequence):
        raise ValueError(
            'operations must be a list of JSON Patch operations, as [{"op": "add", '
            '"path": "/count", "value": 1}]'
        )
    if not operations:
        raise ValueError("operations is empty: a patch has at least one operation")
    checked = []
    for index, operation in enumerate(operations):
        where = f"operations[{index}]"
        if not isinstance(operation, Mapping) or operation.get("op") not in OPERATIONS:
            raise ValueError(f"{where} must have an op: one of {', '.join(OPERATIONS)}")
        sent: dict[str, Any] = {"op": operation["op"]}
        for member in _MEMBERS[operation["op"]]:
            if member not in operation:
                article = "an" if operation["op"] == "add" else "a"
                raise ValueError(f"{where}: {article} {operation['op']} operation needs {member!r}")
            if member == "value":
                _check_json(operation["value"], f"{where}['value']")
            else:
                _pointer(operation[member], f"{where}[{member!r}]")
            sent[member] = operation[member]
        checked.append(sent)
    try:
        check_text(_serialized(checked), "operations")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"operations must be JSON: {exc}") from None
    return checked


# --- applying a patch to plain LSON ----------------------------------------------------------


def to_lson(value: Any) -> Any:
    """A plain JSON value as it is stored: objects become LiveObjects, arrays LiveLists."""
    if isinstance(value, Mapping):
        return {"liveblocksType": "LiveObject", "data": {k: to_lson(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"liveblocksType": "LiveList", "data": [to_lson(v) for v in value]}
    return value


def to_json(node: Any) -> Any:
    """A node as plain JSON (Live nodes become their data)."""
    if isinstance(node, Mapping):
        if node.get("liveblocksType") in _LIVE:
            return to_json(node["data"])
        return {key: to_json(value) for key, value in node.items()}
    if isinstance(node, list):
        return [to_json(value) for value in node]
    return node


def _equal(a: Any, b: Any) -> bool:
    """JSON equality (RFC 6902's test): numbers by value, objects unordered, no bool==1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _container(document: dict[str, Any], tokens: list[str], index: int) -> tuple[Any, str]:
    """``(the Live node holding the target, the target's last token)``."""
    node: Any = document
    for depth, token in enumerate(tokens[:-1]):
        node = _child(node, token, index, _show(tokens[: depth + 1]))
    if not isinstance(node, Mapping) or node.get("liveblocksType") not in _LIVE:
        raise JsonPatchError(
            index, f"the parent of {_show(tokens)} is not a LiveObject, LiveMap or LiveList"
        )
    return node, tokens[-1]


def _child(node: Any, token: str, index: int, shown: str) -> Any:
    if not isinstance(node, Mapping) or node.get("liveblocksType") not in _LIVE:
        raise JsonPatchError(index, f"{shown}: its parent is not a LiveObject, LiveMap or LiveList")
    data = node["data"]
    if node["liveblocksType"] == "LiveList":
        if not _INDEX.fullmatch(token) or int(token) >= len(data):
            raise JsonPatchError(index, f"{shown} does not exist (the list has {len(data)} items)")
        return data[int(token)]
    if token not in data:
        raise JsonPatchError(index, f"{shown} does not exist")
    return data[token]


def _show(tokens: list[str]) -> str:
    return "/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in tokens)


def _get(document: dict[str, Any], tokens: list[str], index: int) -> Any:
    node: Any = document
    for depth, token in enumerate(tokens):
        node = _child(node, token, index, _show(tokens[: depth + 1]))
    return node


def _add(document: dict[str, Any], tokens: list[str], value: Any, index: int) -> None:
    parent, last = _container(document, tokens, index)
    data = parent["data"]
    if parent["liveblocksType"] == "LiveList":
        if last == "-":
            data.append(value)
        elif _INDEX.fullmatch(last) and int(last) <= len(data):
            data.insert(int(last), value)
        else:
            raise JsonPatchError(
                index, f"{_show(tokens)} is not an index of the list (0-{len(data)} or -)"
            )
    else:
        data[last] = value


def _remove(document: dict[str, Any], tokens: list[str], index: int) -> Any:
    value = _get(document, tokens, index)
    parent, last = _container(document, tokens, index)
    if parent["liveblocksType"] == "LiveList":
        del parent["data"][int(last)]
    else:
        del parent["data"][last]
    return value


def apply_patch(
    document: Mapping[str, Any], operations: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The document in plain LSON after ``operations`` (checked with :func:`check_operations`);
    :class:`JsonPatchError` naming the first operation that cannot apply. ``document`` itself
    is never changed."""
    checked = check_operations(operations)
    result: dict[str, Any] = copy.deepcopy(dict(document))
    for index, operation in enumerate(checked):
        op = operation["op"]
        tokens = _pointer(operation["path"], "path")
        if not tokens:
            raise JsonPatchError(index, "the root of the document cannot be the target")
        if op == "add":
            _add(result, tokens, to_lson(operation["value"]), index)
        elif op == "remove":
            _remove(result, tokens, index)
        elif op == "replace":
            _remove(result, tokens, index)
            _add(result, tokens, to_lson(operation["value"]), index)
        elif op in ("move", "copy"):
            source = _pointer(operation["from"], "from")
            if not source:
                raise JsonPatchError(index, "the root of the document cannot be moved or copied")
            if op == "move" and tokens[: len(source)] == source and tokens != source:
                raise JsonPatchError(index, f"{_show(source)} cannot move into itself")
            if op == "move":
                value = _remove(result, source, index)
            else:
                value = copy.deepcopy(_get(result, source, index))
            _add(result, tokens, value, index)
        elif not _equal(to_json(_get(result, tokens, index)), operation["value"]):
            raise JsonPatchError(index, f"test failed: {_show(tokens)} is not the value given")
    return result
