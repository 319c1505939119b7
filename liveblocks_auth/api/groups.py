"""Groups: named sets of users, mentioned together in comments (``@engineering``) and given
room permissions together. Create, read, change members, delete, list (all, or a user's)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from liveblocks_auth._protocol import ApiRequest, check_organization_id, check_user_id

from ._operation import (
    Operation,
    Pager,
    no_content,
    ok_json,
    page_size_param,
    parse_time,
    path_segment,
)

__all__ = [
    "Group",
    "GroupMember",
    "add_group_members",
    "create_group",
    "delete_group",
    "get_group",
    "get_groups",
    "get_user_groups",
    "remove_group_members",
]

#: The only group scope there is: members can be mentioned as the group.
GROUP_SCOPES = ("mention",)


@dataclass(frozen=True, slots=True)
class GroupMember:
    id: str
    added_at: datetime | None


@dataclass(frozen=True, slots=True)
class Group:
    """A group as Liveblocks answers it (dates parsed as the Node SDK parses them); ``raw`` is
    the answer's JSON, fields this version does not know included."""

    id: str
    organization_id: str | None
    created_at: datetime | None
    updated_at: datetime | None
    scopes: dict[str, Any]
    members: list[GroupMember]
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Group:
        members = data.get("members") or []
        return cls(
            id=str(data["id"]),
            organization_id=data.get("organizationId", data.get("tenantId")),
            created_at=parse_time(data.get("createdAt")),
            updated_at=parse_time(data.get("updatedAt")),
            scopes=dict(data.get("scopes") or {}),
            members=[GroupMember(str(m["id"]), parse_time(m.get("addedAt"))) for m in members],
            raw=dict(data),
        )

    @property
    def member_ids(self) -> list[str]:
        return [member.id for member in self.members]


def _group_path(group_id: str) -> str:
    return f"/v2/groups/{path_segment(group_id, 'group_id')}"


def _member_ids(member_ids: object, *, allow_empty: bool) -> list[str]:
    if isinstance(member_ids, str) or not isinstance(member_ids, Sequence):
        raise ValueError(f"member_ids must be a list of user ids, not {type(member_ids).__name__}")
    checked = [check_user_id(member, "member_ids") for member in member_ids]
    if not checked and not allow_empty:
        raise ValueError("member_ids must name at least one user")
    return checked


def _scopes(scopes: object) -> dict[str, bool]:
    if not isinstance(scopes, Mapping) or any(
        key not in GROUP_SCOPES or value is not True for key, value in scopes.items()
    ):
        raise ValueError('scopes must be a mapping like {"mention": True} (the only group scope)')
    return dict(scopes)


def _group_answer(request: ApiRequest) -> Operation[Group]:
    return Group.from_json(ok_json((yield request)))


def create_group(
    group_id: str,
    *,
    member_ids: Sequence[str] | None = None,
    organization_id: str | None = None,
    tenant_id: str | None = None,
    scopes: Mapping[str, bool] | None = None,
) -> Operation[Group]:
    """Create a group, with its first members; ``scopes`` defaults to ``{"mention": True}``
    on Liveblocks' side. Never sent twice (a second one would answer 409)."""
    path_segment(group_id, "group_id")
    body: dict[str, Any] = {"groupId": group_id}  # (as @liveblocks/node sends it, beside id)
    if member_ids is not None:
        body["memberIds"] = _member_ids(member_ids, allow_empty=True)
    if scopes is not None:
        body["scopes"] = _scopes(scopes)
    body["id"] = group_id
    organization = check_organization_id(organization_id, tenant_id)
    if organization is not None:
        body["organizationId"] = organization
    return _group_answer(ApiRequest("POST", "/v2/groups", body, idempotent=False))


def get_group(group_id: str) -> Operation[Group]:
    """The group and its members."""
    return _group_answer(ApiRequest("GET", _group_path(group_id)))


def add_group_members(group_id: str, member_ids: Sequence[str]) -> Operation[Group]:
    """Add users to the group (those already in it stay as they are); answers the group."""
    body = {"memberIds": _member_ids(member_ids, allow_empty=False)}
    path = _group_path(group_id) + "/add-members"
    return _group_answer(ApiRequest("POST", path, body, idempotent=True))


def remove_group_members(group_id: str, member_ids: Sequence[str]) -> Operation[Group]:
    """Remove users from the group; answers the group."""
    body = {"memberIds": _member_ids(member_ids, allow_empty=False)}
    path = _group_path(group_id) + "/remove-members"
    return _group_answer(ApiRequest("POST", path, body, idempotent=True))


def delete_group(group_id: str) -> Operation[None]:
    """Delete the group (rooms' permissions that name it keep the entry)."""
    return no_content(ApiRequest("DELETE", _group_path(group_id)))


def get_groups(*, page_size: int | None = None) -> Pager[Group]:
    """Every group of the project, page after page."""
    return Pager("/v2/groups", page_size_param(page_size), Group.from_json)


def get_user_groups(user_id: str, *, page_size: int | None = None) -> Pager[Group]:
    """The groups ``user_id`` is a member of, page after page."""
    check_user_id(user_id)
    path = f"/v2/users/{path_segment(user_id, 'user_id')}/groups"
    return Pager(path, page_size_param(page_size), Group.from_json)
