"""A user's inbox notifications: read one or all of them, delete them, and trigger custom ones
(``$kind``) from the back end, with the activity data checked before anything is sent."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from liveblocks_auth._protocol import ApiRequest, check_organization_id, check_text, check_user_id

from . import query as query_language
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
    "NOTIFICATION_QUERY",
    "InboxNotification",
    "delete_all_inbox_notifications",
    "delete_inbox_notification",
    "get_inbox_notification",
    "get_inbox_notifications",
    "mark_inbox_notification_as_read",
    "trigger_inbox_notification",
]


#: What an inbox query filters on (see :mod:`liveblocks_auth.api.query`).
NOTIFICATION_QUERY: dict[str, query_language.Field] = {"unread": query_language.boolean}


@dataclass(frozen=True, slots=True)
class InboxNotification:
    """One notification of a user's inbox, as Liveblocks answers it (dates parsed as the Node
    SDK parses them). ``kind`` is ``"thread"``, ``"textMention"`` or a custom ``"$kind"``;
    ``thread_id`` is set for thread notifications, ``subject_id`` and ``activities`` (each with
    its ``createdAt`` parsed) for custom ones; ``raw`` is the answer's JSON, fields this version
    does not know included."""

    id: str
    kind: str
    notified_at: datetime | None
    read_at: datetime | None
    room_id: str | None = None
    thread_id: str | None = None
    user_id: str | None = None
    subject_id: str | None = None
    activities: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InboxNotification:
        return cls(
            id=str(data["id"]),
            kind=str(data.get("kind")),
            notified_at=parse_time(data.get("notifiedAt")),
            read_at=parse_time(data.get("readAt")),
            room_id=data.get("roomId"),
            thread_id=data.get("threadId"),
            user_id=data.get("userId"),
            subject_id=data.get("subjectId"),
            activities=[
                {**activity, "createdAt": parse_time(activity.get("createdAt"))}
                for activity in data.get("activities") or []
            ],
            raw=dict(data),
        )

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def _inbox_path(user_id: str, inbox_notification_id: str | None = None) -> str:
    check_user_id(user_id)
    path = f"/v2/users/{path_segment(user_id, 'user_id')}/inbox-notifications"
    if inbox_notification_id is not None:
        path += "/" + path_segment(inbox_notification_id, "inbox_notification_id")
    return path


def _organization(organization_id: str | None, tenant_id: str | None) -> dict[str, str]:
    organization = check_organization_id(organization_id, tenant_id)
    return {} if organization is None else {"organizationId": organization}


def get_inbox_notification(
    user_id: str, inbox_notification_id: str
) -> Operation[InboxNotification]:
    """One notification of the user's inbox."""
    request = ApiRequest("GET", _inbox_path(user_id, inbox_notification_id))
    return InboxNotification.from_json(ok_json((yield request)))


def get_inbox_notifications(
    user_id: str,
    *,
    query: str | Mapping[str, bool] | None = None,
    organization_id: str | None = None,
    tenant_id: str | None = None,
    page_size: int | None = None,
) -> Pager[InboxNotification]:
    """The user's notifications, newest first, page after page; ``query`` filters them in
    Liveblocks' query language (``"unread:true"``, or ``{"unread": True}``)."""
    params: dict[str, str] = {}
    if isinstance(query, Mapping):
        params["query"] = query_language.object_to_query(query, NOTIFICATION_QUERY)
    elif query is not None:
        if not isinstance(query, str):
            raise ValueError(f"query must be a string, not {type(query).__name__}")
        params["query"] = check_text(query, "query")
    params |= page_size_param(page_size) | _organization(organization_id, tenant_id)
    order = ("query", "limit", "startingAfter", "organizationId")
    return Pager(_inbox_path(user_id), params, InboxNotification.from_json, order)


def mark_inbox_notification_as_read(inbox_notification_id: str) -> Operation[None]:
    """Mark one notification read (the REST API and the official Python SDK have this call;
    the Node SDK does not)."""
    notification = path_segment(inbox_notification_id, "inbox_notification_id")
    path = f"/v2/inbox-notifications/{notification}/read"
    return no_content(ApiRequest("POST", path, idempotent=True))


def delete_inbox_notification(user_id: str, inbox_notification_id: str) -> Operation[None]:
    """Delete one notification of the user's inbox."""
    return no_content(ApiRequest("DELETE", _inbox_path(user_id, inbox_notification_id)))


def delete_all_inbox_notifications(
    user_id: str, *, organization_id: str | None = None, tenant_id: str | None = None
) -> Operation[None]:
    """Empty the user's inbox (of one organization, when given)."""
    params = _organization(organization_id, tenant_id)
    return no_content(ApiRequest("DELETE", _inbox_path(user_id), params=params))


def _activity_data(data: object) -> dict[str, str | int | float | bool]:
    if not isinstance(data, Mapping):
        raise ValueError(f"activity_data must be a mapping, not {type(data).__name__}")
    checked: dict[str, str | int | float | bool] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"activity_data keys must be non-empty strings, found {key!r}")
        if isinstance(value, str):
            checked[key] = check_text(value, f"activity_data[{key!r}]")
        elif isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
            checked[key] = value
        else:
            raise ValueError(
                f"activity_data[{key!r}] must be a string, a number or a boolean "
                f"(Liveblocks keeps nothing else), not {type(value).__name__}"
            )
    return checked


def trigger_inbox_notification(
    user_id: str,
    *,
    kind: str,
    subject_id: str,
    activity_data: Mapping[str, str | int | float | bool],
    room_id: str | None = None,
    organization_id: str | None = None,
    tenant_id: str | None = None,
) -> Operation[None]:
    """Notify the user of a custom ``kind`` (``"$fileUploaded"``: custom kinds start with
    ``$``) about ``subject_id``; notifications of one kind and subject are grouped, each trigger
    adding an activity with ``activity_data`` (strings, numbers, booleans). Never sent twice."""
    check_user_id(user_id)
    if not isinstance(kind, str) or not kind.startswith("$") or len(kind) < 2:
        raise ValueError(f'kind must be a custom notification kind starting with "$", not {kind!r}')
    if not isinstance(subject_id, str) or not subject_id:
        raise ValueError("subject_id must be a non-empty string")
    body: dict[str, Any] = {
        "userId": user_id,
        "kind": check_text(kind, "kind"),
        "subjectId": check_text(subject_id, "subject_id"),
        "activityData": _activity_data(activity_data),
    }
    if room_id is not None:
        path_segment(room_id, "room_id")
        body["roomId"] = room_id
    body |= _organization(organization_id, tenant_id)
    path = "/v2/inbox-notifications/trigger"
    return no_content(ApiRequest("POST", path, body, idempotent=False))
