"""The fake's side of ``mutate_storage``: a room's storage (plain LSON) served as the storage
nodes of a client session (``request-storage-mutation``, NDJSON), and the operations a client
sends (``send-message``) applied to them, the document then kept as plain LSON again."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from liveblocks_auth.live import make_position

from ._fake_base import _not_found, _require

__all__ = ["MUTATION_ROUTES", "MutationsFake"]

_Call = Any  # a RecordedCall
_LIVE = {"LiveObject": 0, "LiveList": 1, "LiveMap": 2}
_CREATE = {4: 0, 2: 1, 7: 2, 8: 3}  # create op -> node type
Nodes = dict[str, dict[str, Any]]


def _to_nodes(document: dict[str, Any]) -> Nodes:
    """Plain LSON as storage nodes (``"root"`` and ``0:n`` ids)."""
    nodes: Nodes = {}
    counter = iter(range(1_000_000_000))

    def add(node: dict[str, Any], parent: str | None, key: str | None) -> str:
        node_id = "root" if parent is None else f"0:{next(counter)}"
        kind = node["liveblocksType"]
        entry: dict[str, Any] = {"type": _LIVE[kind]}
        if parent is not None:
            entry |= {"parentId": parent, "parentKey": key}
        nodes[node_id] = entry
        if kind == "LiveObject":
            entry["data"] = {}
            for name, value in node["data"].items():
                if isinstance(value, dict) and value.get("liveblocksType") in _LIVE:
                    add(value, node_id, name)
                else:
                    entry["data"][name] = value
        else:
            items = node["data"].items() if kind == "LiveMap" else []
            if kind == "LiveList":
                position: str | None = None
                positioned = []
                for value in node["data"]:
                    position = make_position(position)
                    positioned.append((position, value))
                items = positioned
            for name, value in items:
                if isinstance(value, dict) and value.get("liveblocksType") in _LIVE:
                    add(value, node_id, name)
                else:
                    nodes[f"0:{next(counter)}"] = {
                        "type": 3, "parentId": node_id, "parentKey": name, "data": value,
                    }  # fmt: skip
        return node_id

    add(document, None, None)
    return nodes


def _to_plain(nodes: Nodes) -> dict[str, Any]:
    children: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for node_id, node in nodes.items():
        if node_id != "root":
            children.setdefault(node["parentId"], []).append((node_id, node))

    def build(node_id: str, node: dict[str, Any]) -> Any:
        kind = node["type"]
        own = children.get(node_id, [])
        if kind == 3:
            return node.get("data")
        if kind == 1:
            ordered = sorted(own, key=lambda child: child[1]["parentKey"])
            return {"liveblocksType": "LiveList", "data": [build(*child) for child in ordered]}
        data = dict(node.get("data") or {}) if kind == 0 else {}
        for child_id, child in own:
            data[child["parentKey"]] = build(child_id, child)
        return {"liveblocksType": "LiveObject" if kind == 0 else "LiveMap", "data": data}

    plain: dict[str, Any] = build("root", nodes["root"])
    return plain


def _delete(nodes: Nodes, node_id: str) -> None:
    nodes.pop(node_id, None)
    for child_id in [c for c, n in nodes.items() if n.get("parentId") == node_id]:
        _delete(nodes, child_id)


def _delete_key(nodes: Nodes, parent_id: str, key: str) -> None:
    """Delete the child nodes of ``parent_id`` under ``key`` (what a new value replaces)."""
    for child_id in [
        c for c, n in nodes.items() if n.get("parentId") == parent_id and n.get("parentKey") == key
    ]:
        _delete(nodes, child_id)


def _apply(nodes: Nodes, op: dict[str, Any]) -> None:
    kind = op.get("type")
    if kind in _CREATE:
        parent = nodes.get(op.get("parentId", ""))
        _require(parent is not None, f"op {op.get('opId')}: unknown parent {op.get('parentId')!r}")
        assert parent is not None
        if op.get("deletedId"):
            _delete(nodes, op["deletedId"])
        if parent["type"] in (0, 2):  # a key of an object or a map: replaces what was there
            _delete_key(nodes, op["parentId"], op["parentKey"])
            if parent["type"] == 0:
                parent["data"].pop(op["parentKey"], None)
        created = {"type": _CREATE[kind], "parentId": op["parentId"], "parentKey": op["parentKey"]}
        if kind in (4, 8):
            created["data"] = op.get("data") if kind == 8 else dict(op.get("data") or {})
        nodes[op["id"]] = created
    elif kind == 3:  # UPDATE_OBJECT
        target = nodes.get(op.get("id", ""))
        _require(target is not None and target["type"] == 0, f"op {op.get('opId')}: no such object")
        assert target is not None
        for key, value in op["data"].items():
            _delete_key(nodes, op["id"], key)
            target["data"][key] = value
    elif kind == 6:  # DELETE_OBJECT_KEY
        holder = nodes.get(op.get("id", ""))
        _require(holder is not None, f"op {op.get('opId')}: no such object")
        assert holder is not None
        holder.get("data", {}).pop(op["key"], None)
        _delete_key(nodes, op["id"], op["key"])
    elif kind == 5:  # DELETE_CRDT
        _delete(nodes, op.get("id", ""))
    elif kind == 1:  # SET_PARENT_KEY
        moved = nodes.get(op.get("id", ""))
        _require(moved is not None, f"op {op.get('opId')}: no such node")
        assert moved is not None
        moved["parentKey"] = op["parentKey"]
    else:
        _require(False, f"unsupported op type {kind!r}")


class MutationsFake:
    """The fake's part for ``mutate_storage`` (mixed into ``FakeLiveblocks``)."""

    rooms: dict[str, dict[str, Any]]
    storage: dict[str, dict[str, Any]]

    def _init_mutations(self) -> None:
        self._actors = 0
        #: The operations each room was sent, in order (``send-message``).
        self.storage_operations: dict[str, list[dict[str, Any]]] = {}

    def _reset_mutations(self) -> None:
        self._actors = 0
        self.storage_operations.clear()

    def _request_mutation(self, call: _Call, room_id: str) -> httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        self._actors += 1
        document = self.storage.get(room_id) or {"liveblocksType": "LiveObject", "data": {}}
        lines = [json.dumps({"actor": self._actors})]
        lines += [json.dumps([node_id, node]) for node_id, node in _to_nodes(document).items()]
        body = "\n".join(lines) + "\n"
        return httpx.Response(
            200, content=body.encode(), headers={"Content-Type": "application/x-ndjson"}
        )

    def _send_message(self, call: _Call, room_id: str) -> httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        messages = call.json.get("messages") if isinstance(call.json, dict) else None
        _require(isinstance(messages, list), "Value at key 'messages': Must be an array")
        document = self.storage.get(room_id) or {"liveblocksType": "LiveObject", "data": {}}
        nodes = _to_nodes(document)
        for message in messages or []:
            _require(
                isinstance(message, dict) and message.get("type") == 201, "only storage updates"
            )
            for op in message.get("ops", []):
                self.storage_operations.setdefault(room_id, []).append(op)
                _apply(nodes, op)
        self.storage[room_id] = _to_plain(nodes)
        return httpx.Response(200)


MUTATION_ROUTES: dict[tuple[str, str], Callable[..., httpx.Response]] = {
    ("POST", r"/v2/rooms/([^/]+)/request-storage-mutation"): MutationsFake._request_mutation,
    ("POST", r"/v2/rooms/([^/]+)/send-message"): MutationsFake._send_message,
}
