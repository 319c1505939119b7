"""Live structures from the back end: a room's storage as ``LiveObject``, ``LiveList`` and
``LiveMap`` nodes that you change in Python, each change becoming the operation
``@liveblocks/client`` would send (``mutate_storage``, as ``@liveblocks/node``'s
``mutateStorage``). Node ids, op ids and list positions are made as the official client makes
them, so connected clients merge the changes as they merge each other's.

Read a node with ``get``/``[]``/iteration and ``to_json()``; change it with
``LiveObject.set/update/delete``, ``LiveList.push/insert/set/move/delete`` and
``LiveMap.set/delete``. A value is plain JSON, or a new ``LiveObject``/``LiveList``/``LiveMap``
(nested as deep as you like), which is created with the change."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = ["LiveList", "LiveMap", "LiveObject", "Pool", "make_position", "storage_from_nodes"]

# --- list positions (the official client's fractional indexing) ------------------------------

_MIN, _MAX = 32, 126
_DIGITS = _MAX - _MIN + 1
_ZERO, _ONE = chr(_MIN), chr(_MIN + 1)
_ZERO_NINE = _ZERO + chr(_MAX)
_VIEWPORT_START, _VIEWPORT_STEP = 2, 3


def _before(pos: str) -> str:
    last = len(pos) - 1
    for i, char in enumerate(pos):
        code = ord(char)
        if code <= _MIN:
            continue
        if i == last:
            return pos[:i] + (_ZERO_NINE if code == _MIN + 1 else chr(code - 1))
        return pos[: i + 1]
    return _ONE


def _increment(pos: str, viewport: int) -> str | None:
    digits = [ord(pos[i]) - _MIN if i < len(pos) else 0 for i in range(viewport)]
    carry = 1
    for i in range(viewport - 1, -1, -1):
        if not carry:
            break
        total = digits[i] + carry
        digits[i], carry = (0, 1) if total >= _DIGITS else (total, 0)
    if carry:
        return None
    result = "".join(chr(d + _MIN) for d in digits)
    while len(result) > 1 and ord(result[-1]) == _MIN:
        result = result[:-1]
    return result


def _after(pos: str) -> str:
    if any(not _MIN <= ord(c) <= _MAX for c in pos):
        return pos + _ONE
    while len(pos) > 1 and ord(pos[-1]) == _MIN:
        pos = pos[:-1]
    if not pos or pos == _ZERO:
        return _ONE
    viewport = _VIEWPORT_START
    if len(pos) > _VIEWPORT_START:
        steps = -(-(len(pos) - _VIEWPORT_START) // _VIEWPORT_STEP)
        viewport = _VIEWPORT_START + steps * _VIEWPORT_STEP
    for size in (viewport, viewport + _VIEWPORT_STEP):
        result = _increment(pos, size)
        if result is not None:
            return result
    return pos + _ONE


def _between(lo: str, hi: str) -> str:
    index = 0
    while True:
        lo_code = ord(lo[index]) if index < len(lo) else _MIN
        hi_code = ord(hi[index]) if index < len(hi) else _MAX
        if lo_code == hi_code:
            index += 1
            continue
        if hi_code - lo_code == 1:
            size = index + 1
            prefix = lo[:size].ljust(size, _ZERO)
            return prefix + _between(lo[size:], "")
        taken = lo[:index] if index < len(lo) else lo + _ZERO * (index - len(lo))
        return taken + chr((hi_code + lo_code) >> 1)


def make_position(before: str | None = None, after: str | None = None) -> str:
    """A list position between ``before`` and ``after`` (either may be None), as the official
    client computes it."""
    if before is not None and after is not None:
        if before == after:
            raise ValueError("cannot compute a position between two equal positions")
        return _between(min(before, after), max(before, after))
    if before is not None:
        return _after(before)
    if after is not None:
        return _before(after)
    return _ONE


# --- the pool: ids and the operations made ----------------------------------------------------

OBJECT, LIST, MAP, REGISTER, TEXT, FILE = 0, 1, 2, 3, 4, 5
_UPDATE_OBJECT, _CREATE_OBJECT, _CREATE_LIST, _CREATE_MAP, _CREATE_REGISTER = 3, 4, 2, 7, 8
_SET_PARENT_KEY, _DELETE_CRDT, _DELETE_OBJECT_KEY = 1, 5, 6


class Pool:
    """The operations of one mutation, with ids made from the session's ``actor`` as the
    official client makes them (``actor:counter``)."""

    def __init__(self, actor: int) -> None:
        self.actor = actor
        self.ops: list[dict[str, Any]] = []
        self._clock = 0
        self._op_clock = 0

    def new_id(self) -> str:
        value = f"{self.actor}:{self._clock}"
        self._clock += 1
        return value

    def new_op_id(self) -> str:
        value = f"{self.actor}:{self._op_clock}"
        self._op_clock += 1
        return value


def _plain(value: Any, where: str) -> Any:
    """A plain JSON value, copied (a node's data must not change under it)."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{where} must be JSON or a LiveObject, LiveList or LiveMap: {exc}"
        ) from None
    return copy.deepcopy(value)


class _Node:
    """What every Live node shares: its id once attached, its pool, its parent key."""

    _type: int

    def __init__(self) -> None:
        self._id: str | None = None
        self._pool: Pool | None = None
        self._parent_key: str | None = None

    def _attach(self, node_id: str, pool: Pool) -> None:
        if self._pool is not None:
            raise ValueError("this Live node is already in the document; create a new one")
        self._id, self._pool = node_id, pool

    def _ops(self, parent_id: str, parent_key: str) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _ops_with_op_ids(self, parent_id: str, parent_key: str, pool: Pool) -> list[dict[str, Any]]:
        return [{"opId": pool.new_op_id(), **op} for op in self._ops(parent_id, parent_key)]

    def to_json(self) -> Any:
        raise NotImplementedError

    def _attached(self) -> tuple[str, Pool] | None:
        return None if self._id is None or self._pool is None else (self._id, self._pool)


class _Register(_Node):
    """A plain value held in a list or a map (it needs an id there)."""

    _type = REGISTER

    def __init__(self, data: Any) -> None:
        super().__init__()
        self.data = data

    def _ops(self, parent_id: str, parent_key: str) -> list[dict[str, Any]]:
        assert self._id is not None
        return [
            {
                "type": _CREATE_REGISTER,
                "id": self._id,
                "parentId": parent_id,
                "parentKey": parent_key,
                "data": self.data,
            }
        ]

    def to_json(self) -> Any:
        return self.data


class _Opaque(_Node):
    """A node this version does not change (a LiveText, a LiveFile): kept and read as is."""

    def __init__(self, kind: int, data: Any) -> None:
        super().__init__()
        self._type, self.data = kind, data

    def to_json(self) -> Any:
        return self.data


def _node_of(value: Any, where: str) -> _Node:
    if isinstance(value, LiveObject | LiveList | LiveMap):
        return value
    if isinstance(value, _Node):
        raise ValueError(f"{where}: this node cannot be placed in a document")
    return _Register(_plain(value, where))


def _value_of(node: _Node) -> Any:
    return node.data if isinstance(node, _Register) else node


class LiveObject(_Node):
    """An object whose keys change one by one (``set``, ``update``, ``delete``)."""

    _type = OBJECT

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self._data: dict[str, Any] = {}
        for key, value in (data or {}).items():
            if not isinstance(key, str):
                raise ValueError(f"LiveObject keys are strings, not {key!r}")
            self._data[key] = value if isinstance(value, _Node) else _plain(value, key)
            if isinstance(value, LiveObject | LiveList | LiveMap):
                value._parent_key = key

    def _attach(self, node_id: str, pool: Pool) -> None:
        super()._attach(node_id, pool)
        for value in self._data.values():
            if isinstance(value, _Node):
                value._attach(pool.new_id(), pool)

    def _ops(self, parent_id: str, parent_key: str) -> list[dict[str, Any]]:
        assert self._id is not None
        op: dict[str, Any] = {
            "type": _CREATE_OBJECT,
            "id": self._id,
            "parentId": parent_id,
            "parentKey": parent_key,
            "data": {},
        }
        ops = [op]
        for key, value in self._data.items():
            if isinstance(value, _Node):
                ops += value._ops(self._id, key)
            else:
                op["data"][key] = value
        return ops

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key`` (a Live node or plain JSON), ``default`` when absent."""
        return self._data.get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def keys(self) -> list[str]:
        return list(self._data)

    def to_json(self) -> dict[str, Any]:
        return {k: v.to_json() if isinstance(v, _Node) else v for k, v in self._data.items()}

    def set(self, key: str, value: Any) -> None:
        """Set ``key`` to ``value`` (plain JSON or a new Live node)."""
        self.update({key: value})

    def update(self, patch: Mapping[str, Any]) -> None:
        """Set several keys at once (one operation for the plain values among them)."""
        attached = self._attached()
        op_id = attached[1].new_op_id() if attached else None
        plain: dict[str, Any] = {}
        child_ops: list[dict[str, Any]] = []
        for key, value in patch.items():
            if not isinstance(key, str):
                raise ValueError(f"LiveObject keys are strings, not {key!r}")
            old = self._data.get(key)
            primitive = value is None or isinstance(value, str | int | float | bool)
            if primitive and key in self._data and old == value and type(old) is type(value):
                continue  # (as Node: setting a value to itself changes nothing)
            if isinstance(value, _Node):
                node = _node_of(value, key)
                node._parent_key = key
                if attached:
                    node._attach(attached[1].new_id(), attached[1])
                    child_ops += node._ops_with_op_ids(attached[0], key, attached[1])
                self._data[key] = node
            else:
                self._data[key] = plain[key] = _plain(value, key)
        if attached and plain:
            attached[1].ops.append(
                {"opId": op_id, "id": attached[0], "type": _UPDATE_OBJECT, "data": plain}
            )
        if attached:
            attached[1].ops.extend(child_ops)

    def delete(self, key: str) -> None:
        """Remove ``key`` (nothing happens when it is absent)."""
        if key not in self._data:
            return
        del self._data[key]
        attached = self._attached()
        if attached:
            node_id, pool = attached
            op = {"type": _DELETE_OBJECT_KEY, "key": key, "id": node_id, "opId": pool.new_op_id()}
            pool.ops.append(op)


class LiveList(_Node):
    """A list whose items are inserted, set, moved and deleted one by one."""

    _type = LIST

    def __init__(self, items: Sequence[Any] = ()) -> None:
        super().__init__()
        if isinstance(items, str | bytes | Mapping):
            raise ValueError("a LiveList is made from a list of items")
        self._items: list[_Node] = []
        position: str | None = None
        for index, item in enumerate(items):
            position = make_position(position)
            node = _node_of(item, f"item {index}")
            node._parent_key = position
            self._items.append(node)

    def _attach(self, node_id: str, pool: Pool) -> None:
        super()._attach(node_id, pool)
        for item in self._items:
            item._attach(pool.new_id(), pool)

    def _ops(self, parent_id: str, parent_key: str) -> list[dict[str, Any]]:
        assert self._id is not None
        ops: list[dict[str, Any]] = [
            {"id": self._id, "type": _CREATE_LIST, "parentId": parent_id, "parentKey": parent_key}
        ]
        for item in self._items:
            assert item._parent_key is not None
            item_ops = item._ops(self._id, item._parent_key)
            ops += [{**item_ops[0], "intent": "set"}, *item_ops[1:]]
        return ops

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> Any:
        return _value_of(self._items[index])

    def __iter__(self) -> Iterator[Any]:
        return (_value_of(item) for item in list(self._items))

    def to_json(self) -> list[Any]:
        return [item.to_json() for item in self._items]

    def _check_index(self, index: int, size: int, what: str) -> None:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < size:
            raise IndexError(
                f"cannot {what} at index {index!r}: the list has {len(self._items)} items"
            )

    def push(self, value: Any) -> None:
        """Append ``value``."""
        self._inject(value, len(self._items), push=True)

    def insert(self, value: Any, index: int) -> None:
        """Insert ``value`` so that it is at ``index`` (0 to ``len(list)``)."""
        self._check_index(index, len(self._items) + 1, "insert")
        self._inject(value, index, push=False)

    def _inject(self, value: Any, index: int, *, push: bool) -> None:
        before = self._items[index - 1]._parent_key if index > 0 else None
        after = self._items[index]._parent_key if index < len(self._items) else None
        position = make_position(before, after)
        node = _node_of(value, "value")
        node._parent_key = position
        self._items.insert(index, node)
        attached = self._attached()
        if attached:
            node._attach(attached[1].new_id(), attached[1])
            ops = node._ops_with_op_ids(attached[0], position, attached[1])
            if push:
                ops[0] = {**ops[0], "intent": "push"}
            attached[1].ops.extend(ops)

    def set(self, index: int, value: Any) -> None:
        """Replace the item at ``index`` with ``value``."""
        self._check_index(index, len(self._items), "set")
        existing = self._items[index]
        position = existing._parent_key
        assert position is not None
        node = _node_of(value, "value")
        node._parent_key = position
        self._items[index] = node
        attached = self._attached()
        if attached:
            node._attach(attached[1].new_id(), attached[1])
            ops = node._ops_with_op_ids(attached[0], position, attached[1])
            ops[0] = {**ops[0], "intent": "set", "deletedId": existing._id}
            attached[1].ops.extend(ops)

    def move(self, index: int, target_index: int) -> None:
        """Move the item at ``index`` so that it is at ``target_index``."""
        self._check_index(index, len(self._items), "move")
        self._check_index(target_index, len(self._items), "move to")
        last = len(self._items) - 1
        if index < target_index:
            after = None if target_index == last else self._items[target_index + 1]._parent_key
            before = self._items[target_index]._parent_key
        else:
            after = self._items[target_index]._parent_key
            before = None if target_index == 0 else self._items[target_index - 1]._parent_key
        position = make_position(before, after)
        item = self._items.pop(index)
        item._parent_key = position
        self._items.insert(target_index, item)
        attached = self._attached()
        if attached and item._id is not None:
            pool = attached[1]
            op = {"type": _SET_PARENT_KEY, "id": item._id, "opId": pool.new_op_id()}
            pool.ops.append({**op, "parentKey": position})

    def delete(self, index: int) -> None:
        """Remove the item at ``index``."""
        self._check_index(index, len(self._items), "delete")
        item = self._items.pop(index)
        attached = self._attached()
        if attached and item._id is not None:
            pool = attached[1]
            pool.ops.append({"id": item._id, "opId": pool.new_op_id(), "type": _DELETE_CRDT})


class LiveMap(_Node):
    """A map whose entries are set and deleted one by one."""

    _type = MAP

    def __init__(self, entries: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self._entries: dict[str, _Node] = {}
        for key, value in (entries or {}).items():
            if not isinstance(key, str):
                raise ValueError(f"LiveMap keys are strings, not {key!r}")
            node = _node_of(value, key)
            node._parent_key = key
            self._entries[key] = node

    def _attach(self, node_id: str, pool: Pool) -> None:
        super()._attach(node_id, pool)
        for node in self._entries.values():
            node._attach(pool.new_id(), pool)

    def _ops(self, parent_id: str, parent_key: str) -> list[dict[str, Any]]:
        assert self._id is not None
        ops: list[dict[str, Any]] = [
            {"id": self._id, "type": _CREATE_MAP, "parentId": parent_id, "parentKey": parent_key}
        ]
        for key, node in self._entries.items():
            ops += node._ops(self._id, key)
        return ops

    def get(self, key: str, default: Any = None) -> Any:
        node = self._entries.get(key)
        return default if node is None else _value_of(node)

    def __getitem__(self, key: str) -> Any:
        return _value_of(self._entries[key])

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list[str]:
        return list(self._entries)

    def to_json(self) -> dict[str, Any]:
        return {key: node.to_json() for key, node in self._entries.items()}

    def set(self, key: str, value: Any) -> None:
        """Set ``key`` to ``value`` (plain JSON or a new Live node)."""
        if not isinstance(key, str):
            raise ValueError(f"LiveMap keys are strings, not {key!r}")
        node = _node_of(value, key)
        node._parent_key = key
        self._entries[key] = node
        attached = self._attached()
        if attached:
            node._attach(attached[1].new_id(), attached[1])
            attached[1].ops.extend(node._ops_with_op_ids(attached[0], key, attached[1]))

    def delete(self, key: str) -> bool:
        """Remove ``key``; whether it was there."""
        node = self._entries.pop(key, None)
        if node is None:
            return False
        attached = self._attached()
        if attached and node._id is not None:
            pool = attached[1]
            pool.ops.append({"type": _DELETE_CRDT, "id": node._id, "opId": pool.new_op_id()})
        return True


# --- a document from the nodes Liveblocks sends --------------------------------------------------


def storage_from_nodes(nodes: Sequence[Any], pool: Pool) -> LiveObject:
    """The root ``LiveObject`` of the storage nodes ``request-storage-mutation`` answers
    (``["root", {...}]`` and ``[id, {type, parentId, parentKey, data}]``), attached to ``pool``."""
    children: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    root: dict[str, Any] | None = None
    for node in nodes:
        node_id, crdt = node[0], node[1]
        if node_id == "root":
            root = crdt
        else:
            children.setdefault(crdt["parentId"], []).append((node_id, crdt))
    if root is None:
        raise ValueError("the storage has no root")

    def build(node_id: str, crdt: Mapping[str, Any]) -> _Node:
        kind = crdt.get("type")
        node: _Node
        if kind == OBJECT:
            node = LiveObject.__new__(LiveObject)
            _Node.__init__(node)
            node._data = dict(crdt.get("data") or {})
            for child_id, child in children.get(node_id, []):
                built = build(child_id, child)
                node._data[child["parentKey"]] = (
                    built.data if isinstance(built, _Register) else built
                )
        elif kind == LIST:
            node = LiveList([])
            items = [build(child_id, child) for child_id, child in children.get(node_id, [])]
            node._items = sorted(items, key=lambda item: item._parent_key or "")
        elif kind == MAP:
            node = LiveMap()
            for child_id, child in children.get(node_id, []):
                node._entries[child["parentKey"]] = build(child_id, child)
        elif kind == REGISTER:
            node = _Register(crdt.get("data"))
        else:
            node = _Opaque(int(kind) if isinstance(kind, int) else -1, crdt.get("data"))
        node._id, node._pool, node._parent_key = node_id, pool, crdt.get("parentKey")
        return node

    document = build("root", root)
    assert isinstance(document, LiveObject)
    return document
