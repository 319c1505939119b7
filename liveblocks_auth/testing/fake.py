"""An in-process fake of the Liveblocks REST API, as an httpx transport (sync and async).

It behaves like the service where our code depends on it: secret checks (401 missing, 403
wrong), schema errors (422 with a ``reason``), a fresh token on every call carrying the dev
server's claims, rooms scoped by organization, and scriptable faults. Every request is recorded.

Room data too, so webhook handlers and jobs are testable without a network: storage documents
(plain LSON, read back in both formats), Yjs documents (with ``pycrdt``, the ``[yjs]`` extra),
active users set by the test (:meth:`FakeLiveblocks.connect`) and broadcast events recorded
(:attr:`FakeLiveblocks.broadcasts`).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx
import jwt

from liveblocks_auth.api.groups import GROUP_SCOPES
from liveblocks_auth.api.settings import NOTIFICATION_CHANNELS, ROOM_SUBSCRIPTION_CHOICES
from liveblocks_auth.config import MAX_ROOM_ID_LENGTH, MAX_USER_ID_LENGTH, MAX_USER_INFO_LENGTH
from liveblocks_auth.json_patch import apply_patch, to_json
from liveblocks_auth.models import decode_token
from liveblocks_auth.permissions import KNOWN_SCOPES

from ._fake_ai import AI_ROUTES, AiFake
from ._fake_base import _error, _json, _not_found, _now_iso, _paged, _require, _Unprocessable
from ._fake_comments import COMMENT_ROUTES, CommentsFake
from ._fake_mutations import MUTATION_ROUTES, MutationsFake
from ._fake_uploads import UPLOAD_ROUTES, UploadsFake

__all__ = ["FakeLiveblocks", "Fault", "RecordedCall", "decode_token"]

TOKEN_LIFETIME = 3600


@dataclass(frozen=True, slots=True)
class Fault:
    """One scripted answer, used instead of the real one for the next matching call."""

    status: int = 503
    body: bytes = b'{"error":"Service Unavailable"}'
    headers: Mapping[str, str] = field(default_factory=dict)
    connect_error: bool = False
    path: str | None = None

    @classmethod
    def server_error(cls, status: int = 503) -> Fault:
        return cls(status=status)

    @classmethod
    def rate_limited(cls, retry_after: int = 1) -> Fault:
        return cls(
            status=429,
            body=b'{"error":"TOO_MANY_REQUESTS","message":"Rate limit exceeded"}',
            headers={"Retry-After": str(retry_after)},
        )

    @classmethod
    def garbage(cls, status: int = 200, body: bytes = b"<html>oops</html>") -> Fault:
        return cls(status=status, body=body, headers={"Content-Type": "text/html"})

    @classmethod
    def connection_refused(cls) -> Fault:
        return cls(connect_error=True)


@dataclass(frozen=True, slots=True)
class RecordedCall:
    method: str
    path: str
    headers: Mapping[str, str]
    json: Any
    params: Mapping[str, str]
    #: The body as sent (a Yjs update for ``PUT .../ydoc``; JSON bodies are also in ``json``).
    content: bytes = b""

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")


def _check_accesses(value: Any, key: str, allow_null: bool) -> None:
    _require(isinstance(value, dict), f"Value at key '{key}': Must be an object")
    for name, scopes in value.items():
        if scopes is None and allow_null:
            continue
        _check_scopes(scopes, f"{key}.{name}")


def _check_scopes(scopes: Any, key: str) -> None:
    _require(isinstance(scopes, list), f"Value at key '{key}': Must be an array")
    for scope in scopes:
        _require(scope in KNOWN_SCOPES, f"Value at key '{key}': unknown permission {scope!r}")


class FakeLiveblocks(
    CommentsFake,
    UploadsFake,
    AiFake,
    MutationsFake,
    httpx.BaseTransport,
    httpx.AsyncBaseTransport,
):
    """Pass as ``transport=`` to ``Liveblocks``/``AsyncLiveblocks`` (or an adapter's settings).

    ``calls`` records every request; ``faults`` is a queue of :class:`Fault` answers used
    before the real behaviour (``fake.fail_next(Fault.server_error(), times=2)``).
    """

    def __init__(self, secret: str = "sk_localdev", project_id: str = "fake") -> None:
        self.secret = secret
        self.project_id = project_id
        self.calls: list[RecordedCall] = []
        self.faults: list[Fault] = []
        self.rooms: dict[str, dict[str, Any]] = {}
        #: Each room's storage document, in plain LSON.
        self.storage: dict[str, dict[str, Any]] = {}
        #: Each room's Yjs updates, per subdocument guid ("" is the root document).
        self.yjs_updates: dict[str, dict[str, list[bytes]]] = {}
        #: Each room's connections, as ``GET /v2/rooms/{id}/active-users`` lists them.
        self.active_users: dict[str, list[dict[str, Any]]] = {}
        #: The events broadcast to each room, in order.
        self.broadcasts: dict[str, list[Any]] = {}
        #: Presence set from the back end (``set_presence``), per room and user: the request's
        #: ``data``, ``userInfo`` and ``ttl``.
        self.presence: dict[str, dict[str, dict[str, Any]]] = {}
        #: The rooms prewarmed, in order.
        self.prewarmed: list[str] = []
        #: Each room's versions, newest first: the answer's fields, and the ``storage`` and
        #: ``yjs`` (root document updates) they hold.
        self.versions: dict[str, list[dict[str, Any]]] = {}
        #: Each room's feeds by id, as the REST API answers them, with their ``"messages"``.
        self.feeds: dict[str, dict[str, dict[str, Any]]] = {}
        #: Groups by id, as ``GET /v2/groups/{id}`` answers them.
        self.groups: dict[str, dict[str, Any]] = {}
        #: Each user's notification settings, once set (until then: email only, all on).
        self.notification_settings: dict[str, dict[str, Any]] = {}
        #: Room subscription settings by (room id, user id), once set.
        self.room_subscription_settings: dict[tuple[str, str], dict[str, Any]] = {}
        #: Each user's inbox notifications, newest first, as the REST API answers them.
        self.inbox_notifications: dict[str, list[dict[str, Any]]] = {}
        self._init_comments()
        self._init_uploads()
        self._init_ai()
        self._init_mutations()
        self._next_id = 0
        self._next_connection = 0
        self.delay = 0.0
        self._lock = threading.Lock()

    # --- scripting and inspection ---

    def fail_next(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self.faults.extend([fault] * times)

    def calls_to(self, path: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.path == path]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.faults.clear()
            self.rooms.clear()
            self.storage.clear()
            self.yjs_updates.clear()
            self.active_users.clear()
            self.broadcasts.clear()
            self.presence.clear()
            self.versions.clear()
            self.feeds.clear()
            self.prewarmed.clear()
            self.groups.clear()
            self.notification_settings.clear()
            self.room_subscription_settings.clear()
            self.inbox_notifications.clear()
            self._reset_comments()
            self._reset_uploads()
            self._reset_ai()
            self._reset_mutations()

    def add_room(
        self,
        room_id: str,
        *,
        default_accesses: list[str] | None = None,
        organization_id: str = "default",
        storage: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Put a room in place without a request (``default_accesses`` defaults to
        ``["room:write"]``), optionally with its storage document in plain LSON."""
        with self._lock:
            room = self._new_room(
                room_id,
                {
                    "defaultAccesses": ["room:write"]
                    if default_accesses is None
                    else default_accesses,
                    "organizationId": organization_id,
                },
            )
            if storage is not None:
                self.storage[room_id] = json.loads(json.dumps(storage))
            return room

    def add_inbox_notification(
        self,
        user_id: str,
        *,
        kind: str = "thread",
        room_id: str | None = "my-room",
        thread_id: str | None = None,
        read: bool = False,
        organization_id: str = "default",
    ) -> dict[str, Any]:
        """Put a notification in ``user_id``'s inbox without a request (a thread notification
        by default, as Liveblocks makes when a thread the user follows gets a comment)."""
        with self._lock:
            now = _now_iso()
            notification: dict[str, Any] = {
                "kind": kind,
                "id": self._new_id("in"),
                "roomId": room_id,
                "notifiedAt": now,
                "readAt": now if read else None,
                "organizationId": organization_id,
            }
            if kind == "thread":
                notification["threadId"] = thread_id or self._new_id("th")
            self.inbox_notifications.setdefault(user_id, []).insert(0, notification)
            return notification

    def _new_id(self, prefix: str) -> str:
        self._next_id += 1
        return f"{prefix}_fake{self._next_id:06d}"

    def connect(
        self, room_id: str, user_id: str | None, info: Mapping[str, Any] | None = None
    ) -> int:
        """A connection to ``room_id`` as the active-users endpoint will list it; the
        connection id (disconnect it with :meth:`disconnect`)."""
        with self._lock:
            self._next_connection += 1
            connection = {
                "type": "user",
                "connectionId": self._next_connection,
                "id": user_id,
                "info": dict(info or {}),
            }
            self.active_users.setdefault(room_id, []).append(connection)
            return self._next_connection

    def disconnect(self, room_id: str, connection_id: int) -> None:
        with self._lock:
            users = self.active_users.get(room_id, [])
            users[:] = [u for u in users if u["connectionId"] != connection_id]

    # --- transport interface ---

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.delay:
            time.sleep(self.delay)
        return self._answer(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.delay:
            import anyio

            await anyio.sleep(self.delay)
        return self._answer(request)

    def close(self) -> None:
        """Nothing to release; the fake outlives the clients that use it."""

    async def aclose(self) -> None:
        """Nothing to release; the fake outlives the clients that use it."""

    # --- behaviour ---

    def _answer(self, request: httpx.Request) -> httpx.Response:
        body_bytes = request.read()
        kind = request.headers.get("content-type")
        binary = kind is not None and not kind.startswith("application/json")
        try:
            body = json.loads(body_bytes) if body_bytes and not binary else None
        except ValueError:
            body = _INVALID
        call = RecordedCall(
            request.method,
            request.url.path,
            {k.lower(): v for k, v in request.headers.items()},
            None if body is _INVALID else body,
            dict(request.url.params),
            body_bytes,
        )
        with self._lock:
            self.calls.append(call)
            fault = next((f for f in self.faults if f.path in (None, call.path)), None)
            if fault is not None:
                self.faults.remove(fault)
        if fault is not None:
            if fault.connect_error:
                raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
            return httpx.Response(fault.status, content=fault.body, headers=dict(fault.headers))
        auth = call.authorization
        if not auth or not auth.startswith("Bearer "):
            return _error(401, "Unauthorized", "Missing secret key")
        if auth.removeprefix("Bearer ") != self.secret:
            return _error(403, "Forbidden", "Invalid secret key")
        if body is _INVALID:
            return _error(400, "Bad Request", "Malformed JSON body")
        raw_path = request.url.raw_path.decode("ascii").split("?", 1)[0]
        for (method, pattern), handler in _ROUTES.items():
            match = pattern.fullmatch(raw_path)
            if method == call.method and match:
                try:
                    with self._lock:
                        return handler(self, call, *map(unquote, match.groups()))
                except _Unprocessable as exc:
                    return _json(422, {"error": "Unprocessable Entity", "reason": str(exc)})
        return _error(404, "NOT_FOUND", f"No route for {call.method} {call.path}")

    def _mint(self, claims: dict[str, Any]) -> httpx.Response:
        now = int(time.time())
        payload = {
            **claims,
            "pid": self.project_id,
            "iat": now,
            "exp": now + TOKEN_LIFETIME,
            "jti": secrets.token_urlsafe(9),
        }
        # alg none takes no key: PyJWT spells that "".
        return _json(200, {"token": jwt.encode(payload, "", algorithm="none")})

    def _identify(self, call: RecordedCall) -> httpx.Response:
        body = call.json
        claims = _identity_claims(body, "id")
        group_ids = body.get("groupIds")
        _require(
            "groupIds" not in body
            or (isinstance(group_ids, list) and all(isinstance(g, str) for g in group_ids)),
            "Value at key 'groupIds': Either:\n- Must be undefined\n- Must be an array",
        )
        if group_ids is not None:
            claims["gids"] = group_ids
        return self._mint(claims)

    def _authorize(self, call: RecordedCall) -> httpx.Response:
        body = call.json
        claims = _identity_claims(body, "acc")
        perms = body.get("permissions")
        _require(isinstance(perms, dict), "Value at key 'permissions': Must be an object")
        _require(len(perms) <= 10, "Value at key 'permissions': at most 10 patterns")
        for pattern, scopes in perms.items():
            _check_scopes(scopes, f"permissions.{pattern}")
            _require(bool(scopes), f"Value at key 'permissions.{pattern}': Must not be empty")
        claims["perms"] = perms
        return self._mint(claims)

    # --- rooms ---

    def _room_view(self, room: dict[str, Any]) -> dict[str, Any]:
        return {"type": "room", **room}

    def _visible(self, room_id: str, call: RecordedCall) -> dict[str, Any] | None:
        room = self.rooms.get(room_id)
        org = call.params.get("organizationId")
        if room is None or (org is not None and room["organizationId"] != org):
            return None
        return room

    def _new_room(self, room_id: Any, body: dict[str, Any]) -> dict[str, Any]:
        """Check the settings of a new room and store it (the caller holds the lock)."""
        _require(
            isinstance(room_id, str) and 0 < len(room_id) <= MAX_ROOM_ID_LENGTH,
            "Value at key 'id': Must be a string of 1-128 characters",
        )
        _require("defaultAccesses" in body, "Missing key 'defaultAccesses'")
        _check_scopes(body["defaultAccesses"], "defaultAccesses")
        for key in ("usersAccesses", "groupsAccesses"):
            if key in body:
                _check_accesses(body[key], key, allow_null=False)
        metadata = body.get("metadata", {})
        _require(isinstance(metadata, dict), "Value at key 'metadata': Must be an object")
        room = {
            "id": room_id,
            "organizationId": body.get("organizationId", body.get("tenantId", "default")),
            "createdAt": _now_iso(),
            "lastConnectionAt": None,
            "defaultAccesses": list(body["defaultAccesses"]),
            "usersAccesses": dict(body.get("usersAccesses", {})),
            "groupsAccesses": dict(body.get("groupsAccesses", {})),
            "metadata": dict(metadata),
        }
        self.rooms[room_id] = room
        return room

    def _create_room(self, call: RecordedCall) -> httpx.Response:
        body = call.json
        _require(isinstance(body, dict), "Body must be an object")
        room_id = body.get("id")
        if room_id in self.rooms:
            if "idempotent" in call.params:  # get-or-create: the room as it is
                return _json(200, self._room_view(self.rooms[room_id]))
            return _error(409, "ROOM_ALREADY_EXISTS", f"A room with id '{room_id}' already exists")
        return _json(200, self._room_view(self._new_room(room_id, body)))

    def _get_room(self, call: RecordedCall, room_id: str) -> httpx.Response:
        room = self._visible(room_id, call)
        if room is None:
            return _not_found(room_id)
        return _json(200, self._room_view(room))

    def _update_room(self, call: RecordedCall, room_id: str) -> httpx.Response:
        room = self._visible(room_id, call)
        if room is None:
            return _not_found(room_id)
        _require(isinstance(call.json, dict), "Body must be an object")
        self._apply_update(room, call.json)
        return _json(200, self._room_view(room))

    @staticmethod
    def _apply_update(room: dict[str, Any], body: dict[str, Any]) -> None:
        if "defaultAccesses" in body:
            _check_scopes(body["defaultAccesses"], "defaultAccesses")
            room["defaultAccesses"] = list(body["defaultAccesses"])
        for key in ("usersAccesses", "groupsAccesses"):
            if key in body:
                _check_accesses(body[key], key, allow_null=True)
                for name, scopes in body[key].items():
                    if scopes is None:
                        room[key].pop(name, None)
                    else:
                        room[key][name] = list(scopes)
        if "metadata" in body:
            _require(
                isinstance(body["metadata"], dict), "Value at key 'metadata': Must be an object"
            )
            for key, value in body["metadata"].items():
                if value is None:
                    room["metadata"].pop(key, None)
                else:
                    room["metadata"][key] = value

    def _upsert_room(self, call: RecordedCall, room_id: str) -> httpx.Response:
        body = call.json
        _require(isinstance(body, dict), "Body must be an object")
        update, create = body.get("update"), body.get("create", {})
        _require(isinstance(update, dict) and bool(update), "Value at key 'update': Required")
        _require(isinstance(create, dict), "Value at key 'create': Must be an object")
        room = self._visible(room_id, call)
        if room is None:
            settings = {**create}
            if "defaultAccesses" in update:
                settings["defaultAccesses"] = update["defaultAccesses"]
            room = self._new_room(room_id, settings)
        self._apply_update(room, update)
        return _json(200, self._room_view(room))

    def _delete_room(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if self._visible(room_id, call) is None:
            return _not_found(room_id)
        del self.rooms[room_id]
        for data in self._per_room():
            data.pop(room_id, None)
        return httpx.Response(204)

    def _per_room(self) -> tuple[dict[str, Any], ...]:
        """What the fake keeps per room, by room id."""
        return (
            self.storage,
            self.yjs_updates,
            self.active_users,
            self.broadcasts,
            self.presence,
            self.versions,
            self.feeds,
            self.threads,
            self.attachments,
            self.storage_files,
        )

    def _prewarm(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if self._visible(room_id, call) is None:
            return _not_found(room_id)
        self.prewarmed.append(room_id)
        return httpx.Response(204)

    def _set_presence(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if self._visible(room_id, call) is None:
            return _not_found(room_id)
        body = call.json
        _require(isinstance(body, dict), "Body must be a JSON object")
        _require(isinstance(body.get("userId"), str) and bool(body["userId"]), "userId is required")
        _require(isinstance(body.get("data"), dict), "Value at key 'data': Must be an object")
        ttl = body.get("ttl")
        _require(ttl is None or (isinstance(ttl, int) and 2 <= ttl <= 3599), "ttl: 2 to 3599")
        kept = {k: body[k] for k in ("data", "userInfo", "ttl") if k in body}
        self.presence.setdefault(room_id, {})[body["userId"]] = kept
        return httpx.Response(204)

    def _update_room_id(self, call: RecordedCall, room_id: str) -> httpx.Response:
        room = self._visible(room_id, call)
        if room is None:
            return _not_found(room_id)
        new = call.json.get("newRoomId") if isinstance(call.json, dict) else None
        _require(isinstance(new, str) and 0 < len(new) <= MAX_ROOM_ID_LENGTH, "newRoomId")
        assert isinstance(new, str)
        if new in self.rooms:
            return _error(409, "ROOM_ALREADY_EXISTS", f'Room with id "{new}" already exists.')
        room["id"] = new
        self.rooms[new] = self.rooms.pop(room_id)
        for data in self._per_room():
            if room_id in data:
                data[new] = data.pop(room_id)
        for thread in self.threads.get(new, {}).values():
            thread["roomId"] = new
            for comment in thread["comments"]:
                comment["roomId"] = new
        for key in [k for k in self.thread_subscriptions if k[0] == room_id]:
            self.thread_subscriptions[(new, key[1])] = self.thread_subscriptions.pop(key)
        for key in [k for k in self.room_subscription_settings if k[0] == room_id]:
            self.room_subscription_settings[(new, key[1])] = self.room_subscription_settings.pop(
                key
            )
        return _json(200, self._room_view(room))

    def _update_room_organization(self, call: RecordedCall, room_id: str) -> httpx.Response:
        room = self._visible(room_id, call)
        if room is None:
            return _not_found(room_id)
        body = call.json if isinstance(call.json, dict) else {}
        target = body.get("toOrganizationId")
        _require(isinstance(target, str) and bool(target), "toOrganizationId is required")
        _require(
            body.get("fromOrganizationId") == room["organizationId"],
            "fromOrganizationId must be the room's organization",
        )
        room["organizationId"] = target
        return _json(200, self._room_view(room))

    # --- room data ---

    def _get_storage(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if self._visible(room_id, call) is None:
            return _not_found(room_id)
        document = self.storage.get(room_id, _EMPTY_STORAGE)
        if call.params.get("format") == "json":
            return _json(200, to_json(document))
        return _json(200, document)

    def _initialize_storage(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if self._visible(room_id, call) is None:
            return _not_found(room_id)
        body = call.json
        _require(
            isinstance(body, dict) and body.get("liveblocksType") == "LiveObject",
            "Value at key 'liveblocksType': Must be constant 'LiveObject'",
        )
        _require(isinstance(body.get("data"), dict), "Value at key 'data': Must be an object")
        if self.storage.get(room_id, _EMPTY_STORAGE)["data"]:
            return _error(
                409,
                "CANNOT_UPDATE_EXISTING_STORAGE",
                "The room already has storage data. It's only possible to initialize the "
                "storage for an empty room.",
                suggestion="Create another room or clear this room storage first.",
            )
        self.storage[room_id] = body
        self.active_users.pop(room_id, None)  # initializing disconnects everyone
        return _json(200, body)

    def _patch_storage(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if self._visible(room_id, call) is None:
            return _not_found(room_id)
        document = self.storage.get(room_id, _EMPTY_STORAGE)
        try:
            self.storage[room_id] = apply_patch(document, call.json)
        except ValueError as exc:  # JsonPatchError included: nothing changed
            return _error(422, "UNPROCESSABLE_ENTITY", str(exc))
        return httpx.Response(200)

    def _delete_storage(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if self._visible(room_id, call) is None:
            return _not_found(room_id)
        self.storage.pop(room_id, None)
        self.active_users.pop(room_id, None)
        return httpx.Response(204)

    def _send_yjs(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if call.headers.get("content-type") != "application/octet-stream":
            expected = 'Expected "Content-Type" header to be "application/octet-stream"'
            return _error(400, "BAD_REQUEST", expected)
        if self._visible(room_id, call) is None:
            return _not_found(room_id)
        guid = call.params.get("guid", "")
        updates = self.yjs_updates.setdefault(room_id, {}).setdefault(guid, [])
        try:
            _ydoc([*updates, call.content])
        except _NoYjs as exc:
            return _error(501, "Not implemented", str(exc))
        except Exception as exc:  # pycrdt's error for an update it cannot decode
            return _error(422, "UNPROCESSABLE_ENTITY", f"Could not apply update: {exc}")
        updates.append(call.content)
        return _json(200, {"success": True})

    def _get_yjs(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if self._visible(room_id, call) is None:
            return _not_found(room_id)
        updates = self.yjs_updates.get(room_id, {}).get(call.params.get("guid", ""), [])
        try:
            doc = _ydoc(updates)
        except _NoYjs as exc:
            return _error(501, "Not implemented", str(exc))
        params = call.params
        return _json(200, _ydoc_json(doc, params.get("key", ""), params.get("type", ""), params))

    def _get_yjs_binary(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if self._visible(room_id, call) is None:
            return _not_found(room_id)
        updates = self.yjs_updates.get(room_id, {}).get(call.params.get("guid", ""), [])
        try:
            content = _ydoc(updates).get_update() if updates else b"\x00\x00"
        except _NoYjs as exc:
            return _error(501, "Not implemented", str(exc))
        headers = {"Content-Type": "application/octet-stream"}
        return httpx.Response(200, content=content, headers=headers)

    # --- feeds ---

    @staticmethod
    def _feed_answer(feed: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in feed.items() if k != "messages"}

    def _feed(self, room_id: str, feed_id: str) -> dict[str, Any] | httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        feed = self.feeds.get(room_id, {}).get(feed_id)
        if feed is None:
            return _error(404, "FEED_NOT_FOUND", f'Feed with id "{feed_id}" not found.')
        return feed

    def _list_feeds(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        since = int(call.params.get("since", "0"))
        feeds = [
            self._feed_answer(f)
            for f in self.feeds.get(room_id, {}).values()
            if f["updatedAt"] >= since
        ]
        return _json(200, _cursor_paged(feeds, call.params, "feedId"))

    def _create_feed(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        body = call.json if isinstance(call.json, dict) else {}
        feed_id = body.get("feedId")
        _require(isinstance(feed_id, str) and bool(feed_id), "Value at key 'feedId': Required")
        assert isinstance(feed_id, str)
        if feed_id in self.feeds.get(room_id, {}):
            return _error(409, "FEED_ALREADY_EXISTS", f'Feed with id "{feed_id}" already exists.')
        now = body.get("timestamp", _now_ms())
        feed = {"feedId": feed_id, "metadata": body.get("metadata") or {}}
        feed |= {"createdAt": now, "updatedAt": now, "messages": []}
        self.feeds.setdefault(room_id, {})[feed_id] = feed
        return _json(200, self._feed_answer(feed))

    def _get_feed(self, call: RecordedCall, room_id: str, feed_id: str) -> httpx.Response:
        feed = self._feed(room_id, feed_id)
        return feed if isinstance(feed, httpx.Response) else _json(200, self._feed_answer(feed))

    def _update_feed(self, call: RecordedCall, room_id: str, feed_id: str) -> httpx.Response:
        feed = self._feed(room_id, feed_id)
        if isinstance(feed, httpx.Response):
            return feed
        changes = call.json.get("metadata") if isinstance(call.json, dict) else None
        _require(isinstance(changes, dict), "Value at key 'metadata': Must be an object")
        assert isinstance(changes, dict)
        merged = {**feed["metadata"], **changes}
        feed["metadata"] = {k: v for k, v in merged.items() if v is not None}
        feed["updatedAt"] = _now_ms()
        return _json(200, self._feed_answer(feed))

    def _delete_feed(self, call: RecordedCall, room_id: str, feed_id: str) -> httpx.Response:
        feed = self._feed(room_id, feed_id)
        if isinstance(feed, httpx.Response):
            return feed
        del self.feeds[room_id][feed_id]
        return httpx.Response(204)

    def _list_feed_messages(self, call: RecordedCall, room_id: str, feed_id: str) -> httpx.Response:
        feed = self._feed(room_id, feed_id)
        if isinstance(feed, httpx.Response):
            return feed
        since = int(call.params.get("since", "0"))
        messages = [m for m in feed["messages"] if m["updatedAt"] >= since]
        return _json(200, _cursor_paged(messages, call.params, "id"))

    def _create_feed_message(
        self, call: RecordedCall, room_id: str, feed_id: str
    ) -> httpx.Response:
        feed = self._feed(room_id, feed_id)
        if isinstance(feed, httpx.Response):
            return feed
        body = call.json if isinstance(call.json, dict) else {}
        _require("data" in body, "Value at key 'data': Required")
        message_id = body.get("id") or self._new_id("msg")
        if any(m["id"] == message_id for m in feed["messages"]):
            return _error(409, "FEED_MESSAGE_ALREADY_EXISTS", f'Message "{message_id}" exists.')
        now = body.get("timestamp", _now_ms())
        message = {"id": message_id, "data": body["data"], "createdAt": now, "updatedAt": now}
        feed["messages"].append(message)
        return _json(200, message)

    def _feed_message(
        self, room_id: str, feed_id: str, message_id: str
    ) -> tuple[dict[str, Any], dict[str, Any]] | httpx.Response:
        feed = self._feed(room_id, feed_id)
        if isinstance(feed, httpx.Response):
            return feed
        for message in feed["messages"]:
            if message["id"] == message_id:
                return feed, message
        message = f'Feed message with id "{message_id}" not found.'
        return _error(404, "FEED_MESSAGE_NOT_FOUND", message)

    def _update_feed_message(
        self, call: RecordedCall, room_id: str, feed_id: str, message_id: str
    ) -> httpx.Response:
        found = self._feed_message(room_id, feed_id, message_id)
        if isinstance(found, httpx.Response):
            return found
        body = call.json if isinstance(call.json, dict) else {}
        _require("data" in body, "Value at key 'data': Required")
        found[1].update(data=body["data"], updatedAt=body.get("timestamp", _now_ms()))
        return _json(200, found[1])

    def _delete_feed_message(
        self, call: RecordedCall, room_id: str, feed_id: str, message_id: str
    ) -> httpx.Response:
        found = self._feed_message(room_id, feed_id, message_id)
        if isinstance(found, httpx.Response):
            return found
        found[0]["messages"].remove(found[1])
        return httpx.Response(204)

    # --- version history ---

    def _version_answer(self, version: dict[str, Any]) -> dict[str, Any]:
        return {key: version[key] for key in ("type", "id", "createdAt", "authors")}

    def _list_versions(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if self._visible(room_id, call) is None:
            return _not_found(room_id)
        versions = [self._version_answer(v) for v in self.versions.get(room_id, [])]
        params = dict(call.params)
        if "cursor" in params:
            params["startingAfter"] = params.pop("cursor")
        return _json(200, _paged(versions, params, "id"))

    def _create_version(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if self._visible(room_id, call) is None:
            return _not_found(room_id)
        version = {
            "type": "historyVersion",
            "id": self._new_id("vh"),
            "createdAt": _now_iso(),
            "authors": [],
            "storage": json.loads(json.dumps(self.storage.get(room_id, _EMPTY_STORAGE))),
            "yjs": list(self.yjs_updates.get(room_id, {}).get("", [])),
        }
        self.versions.setdefault(room_id, []).insert(0, version)
        return _json(200, {"data": {"id": version["id"]}})

    def _version(self, room_id: str, version_id: str) -> dict[str, Any] | httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        for version in self.versions.get(room_id, []):
            if version["id"] == version_id:
                return version
        message = f'Version with id "{version_id}" not found.'
        return _error(404, "VERSION_NOT_FOUND", message)

    def _get_yjs_version(self, call: RecordedCall, room_id: str, version_id: str) -> httpx.Response:
        version = self._version(room_id, version_id)
        if isinstance(version, httpx.Response):
            return version
        try:
            content = _ydoc(version["yjs"]).get_update() if version["yjs"] else b"\x00\x00"
        except _NoYjs as exc:
            return _error(501, "Not implemented", str(exc))
        headers = {"Content-Type": "application/octet-stream"}
        return httpx.Response(200, content=content, headers=headers)

    def _delete_version(self, call: RecordedCall, room_id: str, version_id: str) -> httpx.Response:
        version = self._version(room_id, version_id)
        if isinstance(version, httpx.Response):
            return version
        self.versions[room_id].remove(version)
        return httpx.Response(204)

    def _get_active_users(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if self._visible(room_id, call) is None:
            return _not_found(room_id)
        return _json(200, {"data": list(self.active_users.get(room_id, []))})

    def _broadcast(self, call: RecordedCall, room_id: str) -> httpx.Response:
        if self._visible(room_id, call) is None:
            return _not_found(room_id)
        _require(call.content != b"", "Body must be a JSON value")
        self.broadcasts.setdefault(room_id, []).append(call.json)
        return httpx.Response(204)

    def _list_rooms(self, call: RecordedCall) -> httpx.Response:
        params = call.params
        rooms = sorted(self.rooms.values(), key=lambda r: (r["createdAt"], r["id"]), reverse=True)
        if "organizationId" in params:
            rooms = [r for r in rooms if r["organizationId"] == params["organizationId"]]
        if "userId" in params:
            rooms = [r for r in rooms if params["userId"] in r["usersAccesses"]]
        if "groupIds" in params:
            wanted = set(params["groupIds"].split(","))
            rooms = [r for r in rooms if wanted & set(r["groupsAccesses"])]
        for key, value in _metadata_filters(params.get("query", "")):
            rooms = [r for r in rooms if r["metadata"].get(key) == value]
        paged = _paged(rooms, params, "id")
        return _json(200, {**paged, "data": [self._room_view(r) for r in paged["data"]]})

    # --- groups ---

    def _create_group(self, call: RecordedCall) -> httpx.Response:
        body = call.json
        _require(isinstance(body, dict), "Body must be a JSON object")
        group_id = body.get("id")
        _require(isinstance(group_id, str) and 0 < len(group_id) <= 128, "id must be a string")
        members = body.get("memberIds", [])
        _require(
            isinstance(members, list) and all(isinstance(m, str) and m for m in members),
            "memberIds must be a list of user ids",
        )
        scopes = body.get("scopes", {"mention": True})
        _require(
            isinstance(scopes, dict)
            and all(k in GROUP_SCOPES and v is True for k, v in scopes.items()),
            "scopes must be {mention: true}",
        )
        if group_id in self.groups:
            return _error(
                409, "GROUP_ALREADY_EXISTS", f'Group with id "{group_id}" already exists.'
            )
        now = _now_iso()
        self.groups[group_id] = {
            "type": "group",
            "id": group_id,
            "organizationId": body.get("organizationId", "default"),
            "createdAt": now,
            "updatedAt": now,
            "scopes": scopes,
            "members": [{"id": m, "addedAt": now} for m in dict.fromkeys(members)],
        }
        return _json(200, self.groups[group_id])

    def _get_group(self, call: RecordedCall, group_id: str) -> httpx.Response:
        group = self.groups.get(group_id)
        return _json(200, group) if group is not None else _group_not_found(group_id)

    def _change_members(self, call: RecordedCall, group_id: str, add: bool) -> httpx.Response:
        group = self.groups.get(group_id)
        if group is None:
            return _group_not_found(group_id)
        members = call.json.get("memberIds") if isinstance(call.json, dict) else None
        _require(
            isinstance(members, list) and all(isinstance(m, str) and m for m in members),
            "memberIds must be a list of user ids",
        )
        assert isinstance(members, list)
        now = _now_iso()
        present = {m["id"] for m in group["members"]}
        if add:
            group["members"] += [
                {"id": m, "addedAt": now} for m in dict.fromkeys(members) if m not in present
            ]
        else:
            group["members"] = [m for m in group["members"] if m["id"] not in members]
        group["updatedAt"] = now
        return _json(200, group)

    def _add_members(self, call: RecordedCall, group_id: str) -> httpx.Response:
        return self._change_members(call, group_id, add=True)

    def _remove_members(self, call: RecordedCall, group_id: str) -> httpx.Response:
        return self._change_members(call, group_id, add=False)

    def _delete_group(self, call: RecordedCall, group_id: str) -> httpx.Response:
        if self.groups.pop(group_id, None) is None:
            return _group_not_found(group_id)
        return httpx.Response(204)

    def _list_groups(self, call: RecordedCall, user_id: str | None = None) -> httpx.Response:
        groups = list(self.groups.values())  # in the order they were made
        if user_id is not None:
            groups = [g for g in groups if any(m["id"] == user_id for m in g["members"])]
        return _json(200, _paged(groups, call.params, "id"))

    def _user_groups(self, call: RecordedCall, user_id: str) -> httpx.Response:
        return self._list_groups(call, user_id)

    # --- settings ---

    def _get_notification_settings(self, call: RecordedCall, user_id: str) -> httpx.Response:
        default = {"email": {"thread": True, "textMention": True}}
        return _json(200, self.notification_settings.get(user_id, default))

    def _update_notification_settings(self, call: RecordedCall, user_id: str) -> httpx.Response:
        body = call.json
        _require(isinstance(body, dict) and bool(body), "Body must be a JSON object")
        current = self.notification_settings.setdefault(
            user_id, {"email": {"thread": True, "textMention": True}}
        )
        for channel, kinds in body.items():
            _require(channel in NOTIFICATION_CHANNELS, f"Unknown {channel}")
            _require(isinstance(kinds, dict), f"{channel} must be an object")
            current[channel] = {**current.get(channel, {}), **kinds}
        return _json(200, current)

    def _delete_notification_settings(self, call: RecordedCall, user_id: str) -> httpx.Response:
        self.notification_settings.pop(user_id, None)
        return httpx.Response(204)

    def _room_settings(self, room_id: str, user_id: str) -> dict[str, Any]:
        default = {"threads": "replies_and_mentions", "textMentions": "mine"}
        return self.room_subscription_settings.get((room_id, user_id), default)

    def _get_room_settings(self, call: RecordedCall, room_id: str, user_id: str) -> httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        return _json(200, self._room_settings(room_id, user_id))

    def _update_room_settings(
        self, call: RecordedCall, room_id: str, user_id: str
    ) -> httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        body = call.json
        _require(isinstance(body, dict) and bool(body), "Body must be a JSON object")
        allowed = ROOM_SUBSCRIPTION_CHOICES
        for key, value in body.items():
            _require(key in allowed and value in allowed[key], f"Invalid {key}")
        settings = {**self._room_settings(room_id, user_id), **body}
        self.room_subscription_settings[room_id, user_id] = settings
        return _json(200, settings)

    def _delete_room_settings(
        self, call: RecordedCall, room_id: str, user_id: str
    ) -> httpx.Response:
        self.room_subscription_settings.pop((room_id, user_id), None)
        return httpx.Response(204)

    def _user_room_settings(self, call: RecordedCall, user_id: str) -> httpx.Response:
        items = [
            {"roomId": room, **settings}
            for (room, user), settings in self.room_subscription_settings.items()
            if user == user_id
            and self.rooms.get(room, {}).get("organizationId")
            == call.params.get("organizationId", self.rooms.get(room, {}).get("organizationId"))
        ]
        return _json(200, _paged(items, call.params, "roomId"))

    # --- inbox notifications ---

    def _inbox(self, user_id: str, organization_id: str | None) -> list[dict[str, Any]]:
        found = self.inbox_notifications.get(user_id, [])
        if organization_id is None:
            return found
        return [n for n in found if n.get("organizationId") == organization_id]

    @staticmethod
    def _answer_notification(notification: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in notification.items() if k != "organizationId"}

    def _get_notification(
        self, call: RecordedCall, user_id: str, notification_id: str
    ) -> httpx.Response:
        for notification in self.inbox_notifications.get(user_id, []):
            if notification["id"] == notification_id:
                return _json(200, self._answer_notification(notification))
        return _notification_not_found(notification_id)

    def _list_notifications(self, call: RecordedCall, user_id: str) -> httpx.Response:
        found = self._inbox(user_id, call.params.get("organizationId"))
        query = call.params.get("query", "")
        _require(query in ("", "unread:true", "unread:false"), f"Unsupported query {query!r}")
        if query:
            unread = query == "unread:true"
            found = [n for n in found if (n["readAt"] is None) == unread]
        paged = _paged(found, call.params, "id")
        return _json(200, {**paged, "data": [self._answer_notification(n) for n in paged["data"]]})

    def _delete_notification(
        self, call: RecordedCall, user_id: str, notification_id: str
    ) -> httpx.Response:
        inbox = self.inbox_notifications.get(user_id, [])
        kept = [n for n in inbox if n["id"] != notification_id]
        if len(kept) == len(inbox):
            return _notification_not_found(notification_id)
        self.inbox_notifications[user_id] = kept
        return httpx.Response(204)

    def _mark_notification_read(self, call: RecordedCall, notification_id: str) -> httpx.Response:
        for inbox in self.inbox_notifications.values():
            for notification in inbox:
                if notification["id"] == notification_id:
                    notification["readAt"] = notification["readAt"] or _now_iso()
                    return httpx.Response(200)
        return _notification_not_found(notification_id)

    def _thread_notifications(
        self, call: RecordedCall, room_id: str, thread_id: str
    ) -> httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        found = [
            {**self._answer_notification(n), "userId": user, "organizationId": n["organizationId"]}
            for user, inbox in self.inbox_notifications.items()
            for n in inbox
            if (n.get("kind"), n.get("roomId"), n.get("threadId")) == ("thread", room_id, thread_id)
        ]
        return _json(200, {"data": found})

    def _delete_all_notifications(self, call: RecordedCall, user_id: str) -> httpx.Response:
        organization = call.params.get("organizationId")
        inbox = self.inbox_notifications.get(user_id, [])
        self.inbox_notifications[user_id] = [
            n for n in inbox if organization is not None and n.get("organizationId") != organization
        ]
        return httpx.Response(204)

    def _trigger_notification(self, call: RecordedCall) -> httpx.Response:
        body = call.json
        _require(isinstance(body, dict), "Body must be a JSON object")
        for key in ("userId", "kind", "subjectId"):
            _require(isinstance(body.get(key), str) and bool(body[key]), f"{key} is required")
        _require(body["kind"].startswith("$"), "kind must start with $")
        data = body.get("activityData")
        _require(
            isinstance(data, dict)
            and all(isinstance(v, str | int | float | bool) for v in data.values()),
            "activityData must be an object of strings, numbers and booleans",
        )
        room_id = body.get("roomId")
        if room_id is not None and room_id not in self.rooms:
            return _not_found(room_id)
        now = _now_iso()
        activity = {"id": self._new_id("act"), "createdAt": now, "data": data}
        inbox = self.inbox_notifications.setdefault(body["userId"], [])
        for notification in inbox:  # one notification per kind and subject, while unread
            same = (notification.get("kind"), notification.get("subjectId")) == (
                body["kind"],
                body["subjectId"],
            )
            if same and notification["readAt"] is None:
                notification["activities"].append(activity)
                notification["notifiedAt"] = now
                inbox.remove(notification)
                inbox.insert(0, notification)
                return httpx.Response(200)
        inbox.insert(
            0,
            {
                "kind": body["kind"],
                "id": self._new_id("in"),
                "subjectId": body["subjectId"],
                "roomId": room_id,
                "notifiedAt": now,
                "readAt": None,
                "activities": [activity],
                "organizationId": body.get("organizationId", "default"),
            },
        )
        return httpx.Response(200)


def _notification_not_found(notification_id: str) -> httpx.Response:
    message = f'Inbox notification with id "{notification_id}" not found.'
    return _error(404, "INBOX_NOTIFICATION_NOT_FOUND", message)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _cursor_paged(
    items: list[dict[str, Any]], params: Mapping[str, str], key: str
) -> dict[str, Any]:
    """A page of ``items`` as feeds page them: ``limit``, ``cursor`` (the last ``key`` of the page
    before), ``nextCursor``."""
    renamed = {("startingAfter" if k == "cursor" else k): v for k, v in params.items()}
    return _paged(items, renamed, key)


def _group_not_found(group_id: str) -> httpx.Response:
    return _error(404, "GROUP_NOT_FOUND", f'Group with id "{group_id}" not found.')


_INVALID: Any = object()
_EMPTY_STORAGE: dict[str, Any] = {"liveblocksType": "LiveObject", "data": {}}


class _NoYjs(Exception):
    pass


def _ydoc(updates: list[bytes]) -> Any:
    """A pycrdt document holding ``updates`` (each applied once, in order)."""
    try:
        import pycrdt
    except ImportError:
        raise _NoYjs(
            "the fake's Yjs documents need pycrdt: pip install 'liveblocks-auth[yjs]'"
        ) from None
    doc: Any = pycrdt.Doc()
    for update in updates:
        doc.apply_update(update)
    return doc


def _ydoc_json(doc: Any, key: str, kind: str, params: Mapping[str, str]) -> Any:
    """The JSON of ``GET /v2/rooms/{id}/ydoc``: each root read as the type its content shows
    (a Y.Map, Y.Text or Y.Array), or ``key`` alone, as ``kind`` when given."""
    import pycrdt

    types = {
        "ymap": pycrdt.Map,
        "ytext": pycrdt.Text,
        "yarray": pycrdt.Array,
        "yxmlfragment": pycrdt.XmlFragment,
        "yxmltext": pycrdt.XmlText,
    }
    formatting = "formatting" in params

    def read(name: str, as_type: Any = None) -> Any:
        if as_type is not None:
            return _plain(doc.get(name, type=as_type), formatting)
        # A fresh copy per guess: pycrdt fixes a root's type at its first read.
        for guess in (pycrdt.Map, pycrdt.Text, pycrdt.Array):
            copy: Any = pycrdt.Doc()
            copy.apply_update(doc.get_update())
            value = _plain(copy.get(name, type=guess), formatting)
            if value not in ({}, "", []):
                return value
        return ""

    roots = list(doc.keys())
    if key:
        if key not in roots:
            return {key: ""}
        if kind in types:
            return read(key, types[kind])
        return {key: read(key)}
    return {name: read(name) for name in roots}


def _plain(value: Any, formatting: bool) -> Any:
    import pycrdt

    if isinstance(value, pycrdt.Text):
        if not formatting:
            return str(value)
        parts: list[Any] = []
        for chunk, attributes in value.diff():
            for name, attribute in (attributes or {}).items():
                parts.append({"key": name, "value": attribute})
            parts.append(chunk)
            for name in attributes or {}:
                parts.append({"key": name, "value": None})
        return parts
    if isinstance(value, pycrdt.XmlFragment | pycrdt.XmlText):
        return str(value)
    return _integral(value.to_py())


def _integral(value: Any) -> Any:
    """pycrdt reads every number as a float; Yjs writes 1, not 1.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


_METADATA_FILTER = re.compile(r"""metadata\[['"]([^'"]+)['"]\]\s*:\s*['"]([^'"]*)['"]""")


def _metadata_filters(query: str) -> Iterator[tuple[str, str]]:
    for match in _METADATA_FILTER.finditer(query):
        yield match.group(1), match.group(2)


def _identity_claims(body: Any, kind: str) -> dict[str, Any]:
    """Check the identity fields shared by identify-user and authorize-user; their claims."""
    _require(isinstance(body, dict), "Body must be an object")
    user_id, info = body.get("userId"), body.get("userInfo")
    organization_id = body.get("organizationId", body.get("tenantId"))
    _require(
        isinstance(user_id, str) and 0 < len(user_id) <= MAX_USER_ID_LENGTH,
        "Value at key 'userId': Must be a non-empty string of at most 128 characters",
    )
    _require(info is None or isinstance(info, dict), "Value at key 'userInfo': Must be an object")
    _require(
        info is None or len(json.dumps(info, separators=(",", ":"))) <= MAX_USER_INFO_LENGTH,
        "Value at key 'userInfo': Must be at most 1024 characters once serialized",
    )
    _require(
        organization_id is None or isinstance(organization_id, str),
        "Value at key 'organizationId': Must be a string",
    )
    claims: dict[str, Any] = {"k": kind, "uid": user_id}
    if info is not None:
        claims["ui"] = info
    if organization_id is not None:
        claims["oid"] = organization_id
    return claims


_Handler = Callable[..., httpx.Response]
_ROUTES: dict[tuple[str, re.Pattern[str]], _Handler] = {
    ("POST", re.compile(r"/v2/identify-user")): FakeLiveblocks._identify,
    ("POST", re.compile(r"/v2/authorize-user")): FakeLiveblocks._authorize,
    ("POST", re.compile(r"/v2/rooms")): FakeLiveblocks._create_room,
    ("GET", re.compile(r"/v2/rooms")): FakeLiveblocks._list_rooms,
    ("GET", re.compile(r"/v2/rooms/([^/]+)")): FakeLiveblocks._get_room,
    ("POST", re.compile(r"/v2/rooms/([^/]+)")): FakeLiveblocks._update_room,
    ("DELETE", re.compile(r"/v2/rooms/([^/]+)")): FakeLiveblocks._delete_room,
    ("POST", re.compile(r"/v2/rooms/([^/]+)/upsert")): FakeLiveblocks._upsert_room,
    ("GET", re.compile(r"/v2/rooms/([^/]+)/prewarm")): FakeLiveblocks._prewarm,
    ("GET", re.compile(r"/v2/rooms/([^/]+)/feeds")): FakeLiveblocks._list_feeds,
    ("POST", re.compile(r"/v2/rooms/([^/]+)/feeds")): FakeLiveblocks._create_feed,
    ("GET", re.compile(r"/v2/rooms/([^/]+)/feeds/([^/]+)")): FakeLiveblocks._get_feed,
    ("PATCH", re.compile(r"/v2/rooms/([^/]+)/feeds/([^/]+)")): FakeLiveblocks._update_feed,
    ("DELETE", re.compile(r"/v2/rooms/([^/]+)/feeds/([^/]+)")): FakeLiveblocks._delete_feed,
    ("GET", re.compile(r"/v2/rooms/([^/]+)/feeds/([^/]+)/messages")): (
        FakeLiveblocks._list_feed_messages
    ),
    ("POST", re.compile(r"/v2/rooms/([^/]+)/feeds/([^/]+)/messages")): (
        FakeLiveblocks._create_feed_message
    ),
    ("PATCH", re.compile(r"/v2/rooms/([^/]+)/feeds/([^/]+)/messages/([^/]+)")): (
        FakeLiveblocks._update_feed_message
    ),
    ("DELETE", re.compile(r"/v2/rooms/([^/]+)/feeds/([^/]+)/messages/([^/]+)")): (
        FakeLiveblocks._delete_feed_message
    ),
    ("GET", re.compile(r"/v2/rooms/([^/]+)/versions")): FakeLiveblocks._list_versions,
    ("POST", re.compile(r"/v2/rooms/([^/]+)/versions")): FakeLiveblocks._create_version,
    ("GET", re.compile(r"/v2/rooms/([^/]+)/versions/([^/]+)/yjs")): FakeLiveblocks._get_yjs_version,
    ("DELETE", re.compile(r"/v2/rooms/([^/]+)/versions/([^/]+)")): FakeLiveblocks._delete_version,
    ("POST", re.compile(r"/v2/rooms/([^/]+)/presence")): FakeLiveblocks._set_presence,
    ("POST", re.compile(r"/v2/rooms/([^/]+)/update-room-id")): FakeLiveblocks._update_room_id,
    ("POST", re.compile(r"/v2/rooms/([^/]+)/update-organization-id")): (
        FakeLiveblocks._update_room_organization
    ),
    ("GET", re.compile(r"/v2/rooms/([^/]+)/storage")): FakeLiveblocks._get_storage,
    ("POST", re.compile(r"/v2/rooms/([^/]+)/storage")): FakeLiveblocks._initialize_storage,
    ("DELETE", re.compile(r"/v2/rooms/([^/]+)/storage")): FakeLiveblocks._delete_storage,
    ("PATCH", re.compile(r"/v2/rooms/([^/]+)/storage/json-patch")): FakeLiveblocks._patch_storage,
    ("GET", re.compile(r"/v2/rooms/([^/]+)/ydoc")): FakeLiveblocks._get_yjs,
    ("PUT", re.compile(r"/v2/rooms/([^/]+)/ydoc")): FakeLiveblocks._send_yjs,
    ("GET", re.compile(r"/v2/rooms/([^/]+)/ydoc-binary")): FakeLiveblocks._get_yjs_binary,
    ("GET", re.compile(r"/v2/rooms/([^/]+)/active-users")): FakeLiveblocks._get_active_users,
    ("POST", re.compile(r"/v2/rooms/([^/]+)/broadcast-event")): FakeLiveblocks._broadcast,
    ("POST", re.compile(r"/v2/groups")): FakeLiveblocks._create_group,
    ("GET", re.compile(r"/v2/groups")): FakeLiveblocks._list_groups,
    ("GET", re.compile(r"/v2/groups/([^/]+)")): FakeLiveblocks._get_group,
    ("DELETE", re.compile(r"/v2/groups/([^/]+)")): FakeLiveblocks._delete_group,
    ("POST", re.compile(r"/v2/groups/([^/]+)/add-members")): FakeLiveblocks._add_members,
    ("POST", re.compile(r"/v2/groups/([^/]+)/remove-members")): FakeLiveblocks._remove_members,
    ("GET", re.compile(r"/v2/users/([^/]+)/groups")): FakeLiveblocks._user_groups,
    ("GET", re.compile(r"/v2/users/([^/]+)/notification-settings")): (
        FakeLiveblocks._get_notification_settings
    ),
    ("POST", re.compile(r"/v2/users/([^/]+)/notification-settings")): (
        FakeLiveblocks._update_notification_settings
    ),
    ("DELETE", re.compile(r"/v2/users/([^/]+)/notification-settings")): (
        FakeLiveblocks._delete_notification_settings
    ),
    ("GET", re.compile(r"/v2/users/([^/]+)/room-subscription-settings")): (
        FakeLiveblocks._user_room_settings
    ),
    ("GET", re.compile(r"/v2/rooms/([^/]+)/users/([^/]+)/subscription-settings")): (
        FakeLiveblocks._get_room_settings
    ),
    ("POST", re.compile(r"/v2/rooms/([^/]+)/users/([^/]+)/subscription-settings")): (
        FakeLiveblocks._update_room_settings
    ),
    ("DELETE", re.compile(r"/v2/rooms/([^/]+)/users/([^/]+)/subscription-settings")): (
        FakeLiveblocks._delete_room_settings
    ),
    ("GET", re.compile(r"/v2/users/([^/]+)/inbox-notifications")): (
        FakeLiveblocks._list_notifications
    ),
    ("DELETE", re.compile(r"/v2/users/([^/]+)/inbox-notifications")): (
        FakeLiveblocks._delete_all_notifications
    ),
    ("GET", re.compile(r"/v2/users/([^/]+)/inbox-notifications/([^/]+)")): (
        FakeLiveblocks._get_notification
    ),
    ("DELETE", re.compile(r"/v2/users/([^/]+)/inbox-notifications/([^/]+)")): (
        FakeLiveblocks._delete_notification
    ),
    ("POST", re.compile(r"/v2/inbox-notifications/trigger")): (
        FakeLiveblocks._trigger_notification
    ),
    ("POST", re.compile(r"/v2/inbox-notifications/([^/]+)/read")): (
        FakeLiveblocks._mark_notification_read
    ),
    ("GET", re.compile(r"/v2/rooms/([^/]+)/threads/([^/]+)/inbox-notifications")): (
        FakeLiveblocks._thread_notifications
    ),
}
_ROUTES |= {
    (method, re.compile(path)): handler
    for (method, path), handler in (
        COMMENT_ROUTES | UPLOAD_ROUTES | AI_ROUTES | MUTATION_ROUTES
    ).items()
}
