"""Rooms: create, read, change, delete and list them, with their permissions."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

from liveblocks_auth._protocol import ApiRequest, check_organization_id, check_user_id
from liveblocks_auth.permissions import Resolution, explain_room_permissions, validate_permissions

from . import query as query_language
from ._operation import (
    Operation,
    Pager,
    check_room_id,
    no_content,
    ok_json,
    page_size_param,
    parse_time,
    room_path,
    string_metadata,
)

__all__ = [
    "ROOM_QUERY",
    "Room",
    "RoomChanges",
    "RoomPager",
    "RoomSettings",
    "create_room",
    "delete_room",
    "get_or_create_room",
    "get_room",
    "list_rooms",
    "prewarm_room",
    "update_room",
    "update_room_id",
    "update_room_organization_id",
    "upsert_room",
]

#: What a room query filters on (see :mod:`liveblocks_auth.api.query`).
ROOM_QUERY: dict[str, query_language.Field] = {
    "roomId": query_language.text_or_prefix,
    "metadata": query_language.metadata,
}

Accesses = Mapping[str, Sequence[str]]
UpdateAccesses = Mapping[str, Sequence[str] | None]
Metadata = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True, slots=True)
class Room:
    """A room and its permissions, as Liveblocks stores them."""

    id: str
    default_accesses: list[str]
    groups_accesses: dict[str, list[str]] = field(default_factory=dict)
    users_accesses: dict[str, list[str]] = field(default_factory=dict)
    organization_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    last_connection_at: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Room:
        return cls(
            id=str(data["id"]),
            default_accesses=list(data.get("defaultAccesses") or []),
            groups_accesses={k: list(v) for k, v in (data.get("groupsAccesses") or {}).items()},
            users_accesses={k: list(v) for k, v in (data.get("usersAccesses") or {}).items()},
            organization_id=data.get("organizationId", data.get("tenantId")),
            metadata=dict(data.get("metadata") or {}),
            created_at=parse_time(data.get("createdAt")),
            last_connection_at=parse_time(data.get("lastConnectionAt")),
        )

    def explain(self, user_id: str, group_ids: Sequence[str] = ()) -> Resolution:
        """What ``user_id`` (in ``group_ids``) gets at the door, and which level decided it."""
        groups = [self.groups_accesses[g] for g in group_ids if g in self.groups_accesses]
        return explain_room_permissions(
            self.default_accesses, groups, self.users_accesses.get(user_id)
        )

    def permissions_for(self, user_id: str, group_ids: Sequence[str] = ()) -> list[str]:
        """The scopes ``user_id`` gets in this room (``[]``: refused), computed locally."""
        return self.explain(user_id, group_ids).scopes

    def can_enter(self, user_id: str, group_ids: Sequence[str] = ()) -> bool:
        return self.explain(user_id, group_ids).can_enter

    def can_write_storage(self, user_id: str, group_ids: Sequence[str] = ()) -> bool:
        return self.explain(user_id, group_ids).can_write_storage

    def can_comment(self, user_id: str, group_ids: Sequence[str] = ()) -> bool:
        return self.explain(user_id, group_ids).can_comment


# --- validation ------------------------------------------------------------------------------


def _accesses(value: object, setting: str, *, allow_none: bool) -> dict[str, list[str] | None]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{setting} must be a mapping of id -> scopes, not {type(value).__name__}")
    result: dict[str, list[str] | None] = {}
    for key, scopes in value.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"{setting} keys must be non-empty strings, found {key!r}")
        if scopes is None and allow_none:
            result[key] = None  # removes the entry
            continue
        result[key] = validate_permissions(scopes, f"{setting}[{key!r}]")
    return result


# --- the operations --------------------------------------------------------------------------


def _create_body(
    *,
    default_accesses: Sequence[str],
    groups_accesses: Accesses | None = None,
    users_accesses: Accesses | None = None,
    organization_id: str | None = None,
    tenant_id: str | None = None,
    metadata: Metadata | None = None,
) -> dict[str, Any]:
    """The settings of a room being created, checked, as the REST API spells them."""
    body: dict[str, Any] = {
        "defaultAccesses": validate_permissions(default_accesses, "default_accesses"),
    }
    if groups_accesses is not None:
        body["groupsAccesses"] = _accesses(groups_accesses, "groups_accesses", allow_none=False)
    if users_accesses is not None:
        body["usersAccesses"] = _accesses(users_accesses, "users_accesses", allow_none=False)
    org = check_organization_id(organization_id, tenant_id)
    if org is not None:
        body["organizationId"] = org
    if metadata is not None:
        body["metadata"] = string_metadata(metadata, allow_none=False)
    return body


def _update_body(
    *,
    default_accesses: Sequence[str] | None = None,
    groups_accesses: UpdateAccesses | None = None,
    users_accesses: UpdateAccesses | None = None,
    metadata: Mapping[str, str | Sequence[str] | None] | None = None,
) -> dict[str, Any]:
    """The changes to a room, checked, as the REST API spells them (never empty)."""
    body: dict[str, Any] = {}
    if default_accesses is not None:
        body["defaultAccesses"] = validate_permissions(default_accesses, "default_accesses")
    if groups_accesses is not None:
        body["groupsAccesses"] = _accesses(groups_accesses, "groups_accesses", allow_none=True)
    if users_accesses is not None:
        body["usersAccesses"] = _accesses(users_accesses, "users_accesses", allow_none=True)
    if metadata is not None:
        body["metadata"] = string_metadata(metadata, allow_none=True)
    if not body:
        raise ValueError(
            "a room update needs at least one of default_accesses, groups_accesses, "
            "users_accesses, metadata"
        )
    return body


class RoomSettings(TypedDict, total=False):
    """The settings of a room to create: ``create_room``'s and ``get_or_create_room``'s keyword
    arguments, and ``upsert_room(create=...)``. ``default_accesses`` is required; None is the
    same as leaving a setting out."""

    default_accesses: Required[Sequence[str]]
    groups_accesses: Accesses | None
    users_accesses: Accesses | None
    organization_id: str | None
    tenant_id: str | None
    metadata: Metadata | None


class RoomChanges(TypedDict, total=False):
    """Changes to a room (``upsert_room(update=...)``): ``update_room``'s keyword arguments;
    a user, group or metadata key mapped to None is removed."""

    default_accesses: Sequence[str]
    groups_accesses: UpdateAccesses
    users_accesses: UpdateAccesses
    metadata: Mapping[str, str | Sequence[str] | None]


def _from_mapping(builder: Callable[..., dict[str, Any]], value: object, setting: str) -> Any:
    if not isinstance(value, Mapping):
        raise ValueError(f"{setting} must be a mapping of settings, not {type(value).__name__}")
    allowed = inspect.signature(builder).parameters
    unknown = sorted(str(key) for key in value if key not in allowed)
    if unknown:
        raise ValueError(
            f"{setting} has unknown keys {', '.join(unknown)}; use {', '.join(allowed)}"
        )
    missing = [name for name, p in allowed.items() if p.default is p.empty and name not in value]
    if missing:
        raise ValueError(f"{setting} needs {', '.join(missing)}")
    return builder(**value)


def _create_request(room_id: str, settings: RoomSettings, path: str) -> ApiRequest:
    body = {"id": check_room_id(room_id)} | _create_body(**settings)
    # ``?idempotent`` (no value) is how @liveblocks/node asks for get-or-create: sending it
    # twice is harmless, so it is retried like a read.
    return ApiRequest("POST", path, body, idempotent=path.endswith("?idempotent"))


def create_room(room_id: str, **settings: Unpack[RoomSettings]) -> Operation[Room]:
    """Create a room with its permissions (``ROOM_ALREADY_EXISTS``, 409, if it exists):
    ``default_accesses`` and optionally ``groups_accesses``, ``users_accesses``,
    ``organization_id`` (``tenant_id``), ``metadata``."""
    return _room_answer(_create_request(room_id, settings, "/v2/rooms"))


def get_or_create_room(room_id: str, **settings: Unpack[RoomSettings]) -> Operation[Room]:
    """The room, created with these settings (``create_room``'s) if it does not exist yet (one
    round trip, no 409). An existing room is returned as it is: the settings only apply to a
    new one."""
    return _room_answer(_create_request(room_id, settings, "/v2/rooms?idempotent"))


def upsert_room(
    room_id: str,
    *,
    update: RoomChanges,
    create: RoomSettings | None = None,
) -> Operation[Room]:
    """Change the room, or create it: ``update`` applies either way, ``create`` (``create_room``
    settings) only when the room is new. One round trip; sending it twice is harmless."""
    body: dict[str, Any] = {"update": _from_mapping(_update_body, update, "update")}
    if create is not None:
        body["create"] = _from_mapping(_create_body, create, "create")
    path = room_path(room_id) + "/upsert"
    return _room_answer(ApiRequest("POST", path, body, idempotent=True))


def get_room(room_id: str) -> Operation[Room]:
    """The room (``ROOM_NOT_FOUND``, 404, if there is none)."""
    return _room_answer(ApiRequest("GET", room_path(room_id)))


def update_room(
    room_id: str,
    *,
    default_accesses: Sequence[str] | None = None,
    groups_accesses: UpdateAccesses | None = None,
    users_accesses: UpdateAccesses | None = None,
    metadata: Mapping[str, str | Sequence[str] | None] | None = None,
) -> Operation[Room]:
    """Change a room's permissions or metadata; a user or group mapped to None is removed."""
    body = _update_body(
        default_accesses=default_accesses,
        groups_accesses=groups_accesses,
        users_accesses=users_accesses,
        metadata=metadata,
    )
    return _room_answer(ApiRequest("POST", room_path(room_id), body))


def delete_room(room_id: str) -> Operation[None]:
    """Delete a room and everything in it."""
    return no_content(ApiRequest("DELETE", room_path(room_id)))


def _room_answer(request: ApiRequest) -> Operation[Room]:
    result = yield request
    return Room.from_json(ok_json(result))


class RoomPager(Pager[Room]):
    """The pages of a room listing (``list_rooms``)."""

    def __init__(self, params: dict[str, str]) -> None:
        order = ("limit", "startingAfter", "userId", "groupIds", "query", "organizationId")
        super().__init__("/v2/rooms", params, Room.from_json, order)


def list_rooms(
    *,
    user_id: str | None = None,
    group_ids: Sequence[str] | None = None,
    organization_id: str | None = None,
    tenant_id: str | None = None,
    metadata: Mapping[str, str] | None = None,
    query: str | Mapping[str, Any] | None = None,
    page_size: int | None = None,
) -> RoomPager:
    """Rooms, newest first, page after page. Filters: users/groups accesses, organization,
    metadata values, or a query in Liveblocks' query language: a string, or a mapping of
    ``roomId`` (a value or ``{"startsWith": ...}``) and ``metadata``
    (:mod:`liveblocks_auth.api.query`)."""
    params: dict[str, str] = {}
    if user_id is not None:
        params["userId"] = check_user_id(user_id)
    if group_ids is not None:
        if isinstance(group_ids, str) or not all(isinstance(g, str) and g for g in group_ids):
            raise ValueError("group_ids must be a list of non-empty strings")
        params["groupIds"] = ",".join(group_ids)
    org = check_organization_id(organization_id, tenant_id)
    if org is not None:
        params["organizationId"] = org
    if isinstance(query, Mapping):
        query = query_language.object_to_query(query, ROOM_QUERY)
    elif query is not None and not isinstance(query, str):
        raise ValueError(f"query must be a string or a mapping, not {type(query).__name__}")
    clauses = [query] if query else []
    for key, value in (metadata or {}).items():
        clauses.append(f"metadata[{json.dumps(key)}]:{json.dumps(value)}")
    if clauses:
        params["query"] = " AND ".join(clauses)
    return RoomPager(params | page_size_param(page_size))


def prewarm_room(room_id: str) -> Operation[None]:
    """Have Liveblocks load the room before users arrive (the first connection is faster), as
    when a page that will open it is being rendered."""
    return no_content(ApiRequest("GET", room_path(room_id) + "/prewarm"))


def update_room_id(room_id: str, new_room_id: str) -> Operation[Room]:
    """Give the room the id ``new_room_id`` (its data, threads and permissions go with it);
    the room after. Never sent twice: once renamed, the old id is gone."""
    check_room_id(new_room_id)
    path = room_path(room_id) + "/update-room-id"
    return _room_answer(ApiRequest("POST", path, {"newRoomId": new_room_id}, idempotent=False))


def update_room_organization_id(
    room_id: str, *, from_organization_id: str, to_organization_id: str
) -> Operation[Room]:
    """Move the room from one organization to another (``from_organization_id`` must be its
    organization now); the room after. Never sent twice."""
    body = {
        "fromOrganizationId": check_organization_id(
            from_organization_id, setting="from_organization_id"
        ),
        "toOrganizationId": check_organization_id(to_organization_id, setting="to_organization_id"),
    }
    if None in body.values():
        raise ValueError("from_organization_id and to_organization_id are both required")
    path = room_path(room_id) + "/update-organization-id"
    return _room_answer(ApiRequest("POST", path, body, idempotent=False))
