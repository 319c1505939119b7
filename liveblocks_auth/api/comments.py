"""Liveblocks Comments: a room's threads and their comments, as ``@liveblocks/node`` reads and
changes them: threads (listed with Liveblocks' query language, created, deleted, resolved,
their metadata), comments (read, created, edited, deleted, their metadata), reactions, and who
follows a thread. Attachments are in :mod:`liveblocks_auth.api.attachments`."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from liveblocks_auth._protocol import ApiRequest, check_text, check_user_id
from liveblocks_auth.comment_body import CommentBody

from . import query as query_language
from ._operation import (
    Operation,
    iso_time,
    json_answer,
    no_content,
    ok_json,
    parse_time,
    path_segment,
    room_path,
)
from ._upload import UploadedFile
from .notifications import InboxNotification

__all__ = [
    "THREAD_QUERY",
    "THREAD_VISIBILITIES",
    "Comment",
    "CommentAttachment",
    "CommentReaction",
    "Subscription",
    "Thread",
    "add_comment_reaction",
    "check_comment_body",
    "create_comment",
    "create_thread",
    "delete_comment",
    "delete_thread",
    "edit_comment",
    "edit_comment_metadata",
    "edit_thread_metadata",
    "get_comment",
    "get_thread",
    "get_thread_inbox_notifications",
    "get_thread_participants",
    "get_thread_subscriptions",
    "get_threads",
    "mark_thread_as_resolved",
    "mark_thread_as_unresolved",
    "remove_comment_reaction",
    "subscribe_to_thread",
    "unsubscribe_from_thread",
]

THREAD_VISIBILITIES = ("public", "private")
#: What a thread query filters on (see :mod:`liveblocks_auth.api.query`).
THREAD_QUERY: dict[str, query_language.Field] = {
    "resolved": query_language.boolean,
    "visibility": query_language.one_of(*THREAD_VISIBILITIES),
    "metadata": query_language.metadata,
}
#: Liveblocks' limits on thread and comment metadata (its OpenAPI description).
MAX_METADATA_ENTRIES, MAX_METADATA_KEY, MAX_METADATA_TEXT = 50, 40, 4000
MetadataValue = str | int | float | bool


# --- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommentReaction:
    """An emoji reaction. The REST API answers one per user (``user_id``); Node's types group
    them (``users``); ``user_ids`` reads either. ``raw``: the answer's JSON."""

    emoji: str
    created_at: datetime | None
    user_id: str | None = None
    user_ids: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CommentReaction:
        user_id = data.get("userId")
        users = [str(u.get("id")) for u in data.get("users") or [] if isinstance(u, Mapping)]
        return cls(
            emoji=str(data.get("emoji")),
            created_at=parse_time(data.get("createdAt")),
            user_id=user_id,
            user_ids=[user_id] if isinstance(user_id, str) else users,
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class CommentAttachment(UploadedFile):
    """A file attached to a comment (``url`` and ``expires_at``: a download link, present when
    read with ``get_attachment``)."""


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment of a thread (dates parsed as the Node SDK parses them). A deleted comment
    has no ``body`` and a ``deleted_at``. ``raw`` is the answer's JSON, unknown fields kept."""

    id: str
    thread_id: str
    room_id: str
    user_id: str
    created_at: datetime | None
    body: CommentBody | None = None
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    reactions: list[CommentReaction] = field(default_factory=list)
    attachments: list[CommentAttachment] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Comment:
        return cls(
            id=str(data["id"]),
            thread_id=str(data.get("threadId")),
            room_id=str(data.get("roomId")),
            user_id=str(data.get("userId")),
            created_at=parse_time(data.get("createdAt")),
            body=data.get("body") or None,
            edited_at=parse_time(data.get("editedAt")),
            deleted_at=parse_time(data.get("deletedAt")),
            metadata=dict(data.get("metadata") or {}),
            reactions=[CommentReaction.from_json(r) for r in data.get("reactions") or []],
            attachments=[CommentAttachment.from_json(a) for a in data.get("attachments") or []],
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class Thread:
    """A thread and its comments, oldest first. ``raw`` is the answer's JSON."""

    id: str
    room_id: str
    created_at: datetime | None
    updated_at: datetime | None
    comments: list[Comment] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    resolved: bool = False
    visibility: str = "public"
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Thread:
        return cls(
            id=str(data["id"]),
            room_id=str(data.get("roomId")),
            created_at=parse_time(data.get("createdAt")),
            updated_at=parse_time(data.get("updatedAt")),
            comments=[Comment.from_json(c) for c in data.get("comments") or []],
            metadata=dict(data.get("metadata") or {}),
            resolved=data.get("resolved") is True,
            visibility=str(data.get("visibility") or "public"),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class Subscription:
    """A user following a thread (``kind`` ``"thread"``, ``subject_id`` the thread's id);
    ``user_id`` is set when a thread's subscriptions are listed."""

    kind: str
    subject_id: str
    created_at: datetime | None
    user_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Subscription:
        return cls(
            kind=str(data.get("kind")),
            subject_id=str(data.get("subjectId")),
            created_at=parse_time(data.get("createdAt")),
            user_id=data.get("userId"),
            raw=dict(data),
        )


# --- arguments --------------------------------------------------------------------------------

_TEXT_FORMATS = ("bold", "italic", "strikethrough", "code")


def check_comment_body(body: object, setting: str = "body") -> CommentBody:
    """``body`` if it is a comment body Liveblocks accepts (``{"version": 1, "content":
    [paragraphs]}``, each paragraph's children text, mentions and links); ValueError naming
    the first part that is not."""
    if not isinstance(body, Mapping) or body.get("version") != 1:
        raise ValueError(
            f'{setting} must be a comment body: {{"version": 1, "content": [...]}} '
            "(build one from text with liveblocks_auth.comment_body_from_text)"
        )
    content = body.get("content")
    if not isinstance(content, list):
        raise ValueError(f"{setting}['content'] must be a list of paragraphs")
    for i, block in enumerate(content):
        where = f"{setting}['content'][{i}]"
        if not isinstance(block, Mapping) or block.get("type") != "paragraph":
            raise ValueError(f'{where} must be a paragraph: {{"type": "paragraph", ...}}')
        children = block.get("children")
        if not isinstance(children, list):
            raise ValueError(f"{where}['children'] must be a list")
        for j, child in enumerate(children):
            _check_inline(child, f"{where}['children'][{j}]")
    try:
        return json.loads(json.dumps(body, allow_nan=False))  # type: ignore[no-any-return]
    except (TypeError, ValueError):
        raise ValueError(f"{setting} must hold JSON values only") from None


def _check_inline(child: object, where: str) -> None:
    if not isinstance(child, Mapping):
        raise ValueError(f"{where} must be a text, mention or link element")
    kind = child.get("type")
    if kind == "mention":
        if not isinstance(child.get("id"), str) or not child["id"]:
            raise ValueError(f"{where}: a mention needs an 'id' (a user or group id)")
        if child.get("kind", "user") not in ("user", "group"):
            raise ValueError(f"{where}: a mention's 'kind' is 'user' or 'group'")
        check_text(child["id"], where)
    elif kind == "link":
        if not isinstance(child.get("url"), str) or not child["url"]:
            raise ValueError(f"{where}: a link needs a 'url'")
        if not isinstance(child.get("text", ""), str):
            raise ValueError(f"{where}: a link's 'text' must be a string")
        check_text(child["url"] + child.get("text", ""), where)
    elif kind is None and isinstance(child.get("text"), str):
        for flag in _TEXT_FORMATS:
            if not isinstance(child.get(flag, False), bool):
                raise ValueError(f"{where}: {flag!r} must be True or False")
        check_text(child["text"], where)
    else:
        raise ValueError(
            f"{where} must be a text ({{'text': ...}}), a mention ({{'type': 'mention', "
            "'id': ...}}) or a link ({'type': 'link', 'url': ...})"
        )


def _metadata(value: object, setting: str, *, allow_none: bool) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{setting} must be a mapping, not {type(value).__name__}")
    if len(value) > MAX_METADATA_ENTRIES:
        raise ValueError(f"{setting} has {len(value)} entries; Liveblocks keeps at most 50")
    checked: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not 0 < len(key) <= MAX_METADATA_KEY:
            raise ValueError(f"{setting} keys must be strings of 1-40 characters, found {key!r}")
        where = f"{setting}[{key!r}]"
        check_text(key, where)
        if isinstance(item, str):
            if len(item) > MAX_METADATA_TEXT:
                raise ValueError(f"{where} is longer than {MAX_METADATA_TEXT} characters")
            check_text(item, where)
        elif not (
            isinstance(item, bool | int)
            or (isinstance(item, float) and math.isfinite(item))
            or (item is None and allow_none)
        ):
            raise ValueError(
                f"{where} must be a string, a number or a boolean"
                + (" (or None to remove it)" if allow_none else "")
                + f", not {type(item).__name__}"
            )
        checked[key] = item
    return checked


def _attachment_ids(value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError("attachment_ids must be a list of attachment ids")
    for item in value:
        if not isinstance(item, str) or not item:
            raise ValueError(f"attachment_ids must hold non-empty strings, found {item!r}")
    return list(value)


def _emoji(emoji: object) -> str:
    if not isinstance(emoji, str) or not emoji:
        raise ValueError("emoji must be a non-empty string (the emoji itself, as 👍)")
    return check_text(emoji, "emoji")


def _comment_fields(
    body: object,
    metadata: tuple[str, Mapping[str, Any] | None],
    attachment_ids: Sequence[str] | None,
    time: tuple[str, str, datetime | None],
) -> dict[str, Any]:
    """A comment's fields for a request: ``metadata`` is ``(setting, value)``, ``time`` is
    ``(field, setting, value)``; metadata may remove keys (None) when a comment is edited."""
    fields: dict[str, Any] = {"body": check_comment_body(body)}
    setting, values = metadata
    if values is not None:
        fields["metadata"] = _metadata(values, setting, allow_none=time[0] == "editedAt")
    if attachment_ids is not None:
        fields["attachmentIds"] = _attachment_ids(attachment_ids)
    return _stamped(fields, *time)


def _stamped(data: dict[str, Any], name: str, setting: str, at: datetime | None) -> dict[str, Any]:
    """``data`` with the time ``at`` as ``name``, when given (``setting``: its argument)."""
    if at is not None:
        data[name] = iso_time(at, setting)
    return data


def _metadata_edit(
    metadata: Mapping[str, Any], user_id: str, updated_at: datetime | None
) -> dict[str, Any]:
    data = {"metadata": _metadata(metadata, "metadata", allow_none=True)} | _user(user_id)
    return _stamped(data, "updatedAt", "updated_at", updated_at)


def _reaction(emoji: str, user_id: str, time: tuple[str, str, datetime | None]) -> dict[str, Any]:
    return _stamped({"emoji": _emoji(emoji)} | _user(user_id), *time)


def _thread_path(room_id: str, thread_id: str, *rest: str) -> str:
    path = f"{room_path(room_id)}/threads/{path_segment(thread_id, 'thread_id')}"
    return "/".join((path, *rest))


def _comment_path(room_id: str, thread_id: str, comment_id: str, *rest: str) -> str:
    comment = path_segment(comment_id, "comment_id")
    return _thread_path(room_id, thread_id, "comments", comment, *rest)


def _user(user_id: str) -> dict[str, str]:
    return {"userId": check_user_id(user_id)}


# --- threads ----------------------------------------------------------------------------------


def get_threads(
    room_id: str, *, query: str | Mapping[str, Any] | None = None
) -> Operation[list[Thread]]:
    """The room's threads; ``query`` filters them in Liveblocks' query language, as a string
    (``"resolved:false AND metadata['status']:'open'"``) or a mapping of ``resolved``,
    ``visibility`` and ``metadata`` (:mod:`liveblocks_auth.api.query`).
    """
    params: dict[str, str] = {}
    if isinstance(query, str):
        params["query"] = check_text(query, "query")
    elif query is not None:
        params["query"] = query_language.object_to_query(query, THREAD_QUERY)
    data = ok_json((yield ApiRequest("GET", room_path(room_id) + "/threads", params=params)))
    return [Thread.from_json(thread) for thread in data.get("data", [])]


def get_thread(room_id: str, thread_id: str) -> Operation[Thread]:
    """One thread and its comments."""
    return Thread.from_json(ok_json((yield ApiRequest("GET", _thread_path(room_id, thread_id)))))


def create_thread(
    room_id: str,
    *,
    user_id: str,
    body: CommentBody | Mapping[str, Any],
    metadata: Mapping[str, MetadataValue] | None = None,
    visibility: Literal["public", "private"] | None = None,
    comment_metadata: Mapping[str, MetadataValue] | None = None,
    attachment_ids: Sequence[str] | None = None,
    created_at: datetime | None = None,
) -> Operation[Thread]:
    """Start a thread whose first comment, by ``user_id``, says ``body``. Never sent twice (a
    second thread would be made)."""
    comment = _user(user_id) | _comment_fields(
        body,
        ("comment_metadata", comment_metadata),
        attachment_ids,
        ("createdAt", "created_at", created_at),
    )
    data: dict[str, Any] = {"comment": comment}
    if metadata is not None:
        data["metadata"] = _metadata(metadata, "metadata", allow_none=False)
    if visibility is not None:
        if visibility not in THREAD_VISIBILITIES:
            raise ValueError("visibility must be 'public' or 'private'")
        data["visibility"] = visibility
    request = ApiRequest("POST", room_path(room_id) + "/threads", data, idempotent=False)
    return Thread.from_json(ok_json((yield request)))


def delete_thread(room_id: str, thread_id: str) -> Operation[None]:
    """Delete a thread and all of its comments."""
    return no_content(ApiRequest("DELETE", _thread_path(room_id, thread_id)))


def edit_thread_metadata(
    room_id: str,
    thread_id: str,
    *,
    metadata: Mapping[str, MetadataValue | None],
    user_id: str,
    updated_at: datetime | None = None,
) -> Operation[dict[str, Any]]:
    """Change the thread's metadata (a None value removes the key); the metadata after."""
    data = _metadata_edit(metadata, user_id, updated_at)
    path = _thread_path(room_id, thread_id, "metadata")
    return json_answer(ApiRequest("POST", path, data, idempotent=True))


def _resolution(room_id: str, thread_id: str, user_id: str, action: str) -> Operation[Thread]:
    path = _thread_path(room_id, thread_id, action)
    request = ApiRequest("POST", path, _user(user_id), idempotent=True)
    return Thread.from_json(ok_json((yield request)))


def mark_thread_as_resolved(room_id: str, thread_id: str, *, user_id: str) -> Operation[Thread]:
    """Mark the thread resolved (by ``user_id``); the thread after."""
    return _resolution(room_id, thread_id, user_id, "mark-as-resolved")


def mark_thread_as_unresolved(room_id: str, thread_id: str, *, user_id: str) -> Operation[Thread]:
    """Mark the thread unresolved (by ``user_id``); the thread after."""
    return _resolution(room_id, thread_id, user_id, "mark-as-unresolved")


def subscribe_to_thread(room_id: str, thread_id: str, *, user_id: str) -> Operation[Subscription]:
    """Have ``user_id`` follow the thread (its notifications reach the user's inbox)."""
    path = _thread_path(room_id, thread_id, "subscribe")
    request = ApiRequest("POST", path, _user(user_id), idempotent=True)
    return Subscription.from_json(ok_json((yield request)))


def unsubscribe_from_thread(room_id: str, thread_id: str, *, user_id: str) -> Operation[None]:
    """Stop ``user_id`` following the thread."""
    path = _thread_path(room_id, thread_id, "unsubscribe")
    return no_content(ApiRequest("POST", path, _user(user_id), idempotent=True))


def get_thread_subscriptions(room_id: str, thread_id: str) -> Operation[list[Subscription]]:
    """Who follows the thread."""
    data = ok_json((yield ApiRequest("GET", _thread_path(room_id, thread_id, "subscriptions"))))
    return [Subscription.from_json(item) for item in data.get("data", [])]


def get_thread_participants(room_id: str, thread_id: str) -> Operation[list[str]]:
    """The ids of the users who commented in the thread or were mentioned in it (Node marks
    this deprecated: prefer :func:`get_thread_subscriptions` or the mentions of the bodies)."""
    data = ok_json((yield ApiRequest("GET", _thread_path(room_id, thread_id, "participants"))))
    return [str(user) for user in data.get("participantIds", [])]


def get_thread_inbox_notifications(
    room_id: str, thread_id: str
) -> Operation[list[InboxNotification]]:
    """The thread's notifications in every user's inbox (each with its ``user_id``). The REST
    API and the official Python SDK have this call; the Node SDK does not."""
    path = _thread_path(room_id, thread_id, "inbox-notifications")
    data = ok_json((yield ApiRequest("GET", path)))
    return [InboxNotification.from_json(item) for item in data.get("data", [])]


# --- comments ---------------------------------------------------------------------------------


def get_comment(room_id: str, thread_id: str, comment_id: str) -> Operation[Comment]:
    """One comment of a thread."""
    request = ApiRequest("GET", _comment_path(room_id, thread_id, comment_id))
    return Comment.from_json(ok_json((yield request)))


def create_comment(
    room_id: str,
    thread_id: str,
    *,
    user_id: str,
    body: CommentBody | Mapping[str, Any],
    metadata: Mapping[str, MetadataValue] | None = None,
    attachment_ids: Sequence[str] | None = None,
    created_at: datetime | None = None,
) -> Operation[Comment]:
    """Add a comment by ``user_id`` to the thread. Never sent twice (it would be posted
    twice)."""
    data = _user(user_id) | _comment_fields(
        body, ("metadata", metadata), attachment_ids, ("createdAt", "created_at", created_at)
    )
    path = _thread_path(room_id, thread_id, "comments")
    return Comment.from_json(ok_json((yield ApiRequest("POST", path, data, idempotent=False))))


def edit_comment(
    room_id: str,
    thread_id: str,
    comment_id: str,
    *,
    body: CommentBody | Mapping[str, Any],
    metadata: Mapping[str, MetadataValue | None] | None = None,
    attachment_ids: Sequence[str] | None = None,
    edited_at: datetime | None = None,
) -> Operation[Comment]:
    """Replace the comment's body (``attachment_ids``: every attachment to keep; a None
    metadata value removes the key); the comment after."""
    data = _comment_fields(
        body, ("metadata", metadata), attachment_ids, ("editedAt", "edited_at", edited_at)
    )
    path = _comment_path(room_id, thread_id, comment_id)
    return Comment.from_json(ok_json((yield ApiRequest("POST", path, data, idempotent=True))))


def delete_comment(room_id: str, thread_id: str, comment_id: str) -> Operation[None]:
    """Delete a comment (the thread too when it was its last)."""
    return no_content(ApiRequest("DELETE", _comment_path(room_id, thread_id, comment_id)))


def edit_comment_metadata(
    room_id: str,
    thread_id: str,
    comment_id: str,
    *,
    metadata: Mapping[str, MetadataValue | None],
    user_id: str,
    updated_at: datetime | None = None,
) -> Operation[dict[str, Any]]:
    """Change the comment's metadata (a None value removes the key); the metadata after."""
    data = _metadata_edit(metadata, user_id, updated_at)
    path = _comment_path(room_id, thread_id, comment_id, "metadata")
    return json_answer(ApiRequest("POST", path, data, idempotent=True))


def add_comment_reaction(
    room_id: str,
    thread_id: str,
    comment_id: str,
    *,
    emoji: str,
    user_id: str,
    created_at: datetime | None = None,
) -> Operation[CommentReaction]:
    """React to the comment with ``emoji`` as ``user_id``; the reaction."""
    data = _reaction(emoji, user_id, ("createdAt", "created_at", created_at))
    path = _comment_path(room_id, thread_id, comment_id, "add-reaction")
    return CommentReaction.from_json(ok_json((yield ApiRequest("POST", path, data))))


def remove_comment_reaction(
    room_id: str,
    thread_id: str,
    comment_id: str,
    *,
    emoji: str,
    user_id: str,
    removed_at: datetime | None = None,
) -> Operation[None]:
    """Take back ``user_id``'s ``emoji`` reaction to the comment."""
    data = _reaction(emoji, user_id, ("removedAt", "removed_at", removed_at))
    path = _comment_path(room_id, thread_id, comment_id, "remove-reaction")
    return no_content(ApiRequest("POST", path, data, idempotent=True))
