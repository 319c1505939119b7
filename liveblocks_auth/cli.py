"""``liveblocks-auth``: rooms and tokens from the command line, for operators; signed sample
webhooks for developers.

The secret key comes from ``$LIVEBLOCKS_SECRET_KEY`` (never a flag: flags end up in shell history
and process lists) and the base URL from ``--base-url`` or ``$LIVEBLOCKS_BASE_URL``. ``webhooks
send`` signs with ``--secret`` or ``$LIVEBLOCKS_WEBHOOK_SECRET`` (a flag is offered for the local
secrets of development; keep a production one in the environment). The Django
management command and the Flask CLI group call :func:`run` with their own client.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import os
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

import httpx

from ._protocol import identify_user_request, parse_token_body, printable
from ._secret import validate_secret
from .api.comments import Comment, Thread
from .api.groups import Group
from .api.notifications import InboxNotification
from .api.rooms import Room
from .api.yjs import YJS_TYPES
from .client import Liveblocks
from .comment_body import (
    comment_body_from_text,
    markdown_to_comment_body,
    stringify_comment_body,
)
from .config import ENV_SECRET_KEY, is_local_url, resolve_base_url
from .devserver import (
    BUN_VERSION,
    DEV_SECRET,
    ENV_NODE_MODULES,
    LIVEBLOCKS_CLI_VERSION,
    DevServer,
    DevServerError,
    port_in_use,
)
from .errors import UNREACHABLE, LiveblocksError
from .json_patch import JsonPatchError, apply_patch, check_operations
from .models import decode_token
from .permissions import RESOURCES, Resolution
from .webhook_samples import sample_event, sample_webhook_id
from .webhook_types import EVENT_TYPES
from .webhooks import ENV_WEBHOOK_SECRET, WebhookHandler, generate_webhook_secret

__all__ = ["build_parser", "main", "run"]

EXIT_OK, EXIT_LIVEBLOCKS, EXIT_USAGE = 0, 1, 2
DEFAULT_WEBHOOK_URL = "http://127.0.0.1:8000/api/liveblocks-webhook"


class UsageError(Exception):
    """A mistake in the command line; reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # raise instead of exiting, so callers can embed us
        raise UsageError(f"{self.prog}: {message}")


def parse_scopes(text: str) -> list[str]:
    """``room:read,room:presence:write`` -> list; ``none`` (or empty) -> ``[]``."""
    text = text.strip()
    if text.lower() in ("", "none", "[]"):
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_assignment(text: str, what: str) -> tuple[str, list[str]]:
    """``alice=room:write`` -> ("alice", ["room:write"])."""
    name, sep, scopes = text.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"--{what} takes {what.upper()}=SCOPES, for example alice=room:write")
    return name.strip(), parse_scopes(scopes)


def parse_pair(text: str, option: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise UsageError(f"{option} takes KEY=VALUE, got {text!r}")
    return key, value


def _repeatable(parser: argparse.ArgumentParser, flag: str, metavar: str, help: str) -> None:
    parser.add_argument(flag, action="append", default=[], metavar=metavar, help=help)


def build_parser(prog: str = "liveblocks-auth") -> argparse.ArgumentParser:
    # The webhook commands talk to your app, not to Liveblocks: --json only, no --base-url.
    json_only = _Parser(add_help=False)
    json_only.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    common = _Parser(add_help=False, parents=[json_only])
    common.add_argument(
        "--base-url",
        default=argparse.SUPPRESS,
        help="Liveblocks API URL (default: $LIVEBLOCKS_BASE_URL, else https://api.liveblocks.io)",
    )
    parser = _Parser(
        prog=prog,
        parents=[common],
        description="Manage Liveblocks rooms and groups, and inspect tokens. "
        "The secret key is read from $LIVEBLOCKS_SECRET_KEY.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    rooms = commands.add_parser(
        "rooms",
        help="create, get, update, delete, list rooms; their storage, versions, files, feeds, "
        "Yjs document, active users; broadcast to them",
    )
    room_commands = rooms.add_subparsers(dest="action", required=True, parser_class=_Parser)

    def access_options(sub: argparse.ArgumentParser, *, update: bool) -> None:
        sub.add_argument(
            "--default",
            metavar="SCOPES",
            required=not update,
            help="default accesses, comma-separated (e.g. room:read,room:presence:write), "
            "or 'none' for a private room",
        )
        _repeatable(sub, "--user", "ID=SCOPES", "a user's accesses, e.g. alice=room:write")
        _repeatable(
            sub,
            "--group",
            "ID=SCOPES",
            "a group's accesses, e.g. viewers=room:read,room:presence:write",
        )
        _repeatable(sub, "--meta", "KEY=VALUE", "a metadata value")

    create = room_commands.add_parser("create", parents=[common], help="create a room")
    create.add_argument("room", help="room id")
    access_options(create, update=False)
    create.add_argument("--org", help="organization id (tenant)")

    get = room_commands.add_parser("get", parents=[common], help="show a room")
    get.add_argument("room", help="room id")

    update = room_commands.add_parser("update", parents=[common], help="change a room")
    update.add_argument("room", help="room id")
    access_options(update, update=True)
    _repeatable(update, "--remove-user", "ID", "remove a user's entry")
    _repeatable(update, "--remove-group", "ID", "remove a group's entry")

    delete = room_commands.add_parser("delete", parents=[common], help="delete a room")
    delete.add_argument("room", help="room id")

    listing = room_commands.add_parser("list", parents=[common], help="list rooms")
    listing.add_argument("--user", help="rooms with an entry for this user")
    listing.add_argument("--group", action="append", default=None, help="rooms with this group")
    listing.add_argument("--org", help="rooms of this organization")
    _repeatable(listing, "--meta", "KEY=VALUE", "metadata filter")
    listing.add_argument("--query", help="a raw query in Liveblocks' query language")
    listing.add_argument("--limit", type=int, default=None, help="stop after this many rooms")

    storage = room_commands.add_parser("storage", help="a room's storage document")
    storage_commands = storage.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    storage_get = storage_commands.add_parser("get", parents=[common], help="print the storage")
    storage_get.add_argument("room", help="room id")
    storage_get.add_argument(
        "--format",
        choices=("plain-lson", "json"),
        default="plain-lson",
        help="plain-lson (default: keeps LiveObject/LiveList/LiveMap, can be given back to "
        "init) or json (simplified)",
    )
    storage_init = storage_commands.add_parser(
        "init", parents=[common], help="initialize a room's empty storage"
    )
    storage_init.add_argument("room", help="room id")
    storage_init.add_argument(
        "document",
        help="the document in plain LSON (what 'storage get' prints): JSON text, @FILE, "
        "or - for stdin",
    )
    storage_delete = storage_commands.add_parser(
        "delete", parents=[common], help="empty a room's storage"
    )
    storage_delete.add_argument("room", help="room id")
    storage_patch = storage_commands.add_parser(
        "patch",
        parents=[common],
        help="change a room's storage (or every room's: --all) with JSON Patch operations",
        description="Apply JSON Patch (RFC 6902) operations to one room's storage, or with "
        "--all to every room (newest first; --query and --org choose them): a schema "
        "migration. A room where the patch cannot apply (a 'test' operation failed, a path is "
        "missing) is skipped and said so; any other failure stops the run and says how to "
        "resume it. --dry-run reads each room's storage and applies the patch locally instead.",
    )
    storage_patch.add_argument(
        "target",
        nargs="+",
        metavar="[ROOM] PATCH",
        help="the room id (not with --all), then the operations: JSON text, @FILE or - (stdin)",
    )
    storage_patch.add_argument("--all", action="store_true", help="every room (see --query)")
    storage_patch.add_argument("--query", help="with --all: rooms matching this query")
    storage_patch.add_argument("--org", help="with --all: rooms of this organization")
    storage_patch.add_argument(
        "--resume-after", metavar="ROOM", help="with --all: start after this room (a run's last)"
    )
    storage_patch.add_argument(
        "--dry-run", action="store_true", help="change nothing: say what the patch would do"
    )

    versions = room_commands.add_parser("versions", help="a room's version history")
    version_commands = versions.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    version_list = version_commands.add_parser("list", parents=[common], help="newest first")
    version_list.add_argument("room", help="room id")
    version_list.add_argument("--limit", type=int, default=None, help="stop after this many")
    version_create = version_commands.add_parser(
        "create", parents=[common], help="snapshot the room's storage and Yjs document"
    )
    version_create.add_argument("room", help="room id")
    version_delete = version_commands.add_parser("delete", parents=[common], help="delete one")
    version_delete.add_argument("room", help="room id")
    version_delete.add_argument("version", help="version id (vh_...)")
    files = room_commands.add_parser("files", help="files stored with a room")
    file_commands = files.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    file_upload = file_commands.add_parser(
        "upload", parents=[common], help="store a file (in 5 MiB parts when large)"
    )
    file_upload.add_argument("room", help="room id")
    file_upload.add_argument("path", help="the file to upload")
    file_url = file_commands.add_parser("url", parents=[common], help="a file's download link")
    file_url.add_argument("room", help="room id")
    file_url.add_argument("file", help="file id (fl_...)")
    feeds = room_commands.add_parser("feeds", help="a room's feeds and their messages")
    feed_commands = feeds.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    feed_list = feed_commands.add_parser("list", parents=[common], help="the room's feeds")
    feed_list.add_argument("room", help="room id")
    feed_messages = feed_commands.add_parser("messages", parents=[common], help="a feed's")
    feed_messages.add_argument("room", help="room id")
    feed_messages.add_argument("feed", help="feed id")
    feed_messages.add_argument("--limit", type=int, default=None, help="stop after this many")

    ydoc = room_commands.add_parser("ydoc", help="a room's Yjs document")
    ydoc_commands = ydoc.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    ydoc_get = ydoc_commands.add_parser("get", parents=[common], help="print it as JSON")
    ydoc_get.add_argument("room", help="room id")
    ydoc_get.add_argument("--key", help="only this root of the document")
    ydoc_get.add_argument("--type", choices=YJS_TYPES, help="read --key as this Yjs type")
    ydoc_get.add_argument(
        "--formatting", action="store_true", help="include Y.Text formatting attributes"
    )

    active = room_commands.add_parser(
        "active-users", parents=[common], help="who is connected to a room now"
    )
    active.add_argument("room", help="room id")

    broadcast = room_commands.add_parser(
        "broadcast", parents=[common], help="send an event to everyone in a room"
    )
    broadcast.add_argument("room", help="room id")
    broadcast.add_argument("event", help='the event as JSON, e.g. \'{"type": "refresh"}\'')

    groups = commands.add_parser(
        "groups", help="create, get, list, delete groups; add and remove their members"
    )
    group_commands = groups.add_subparsers(dest="action", required=True, parser_class=_Parser)
    group_create = group_commands.add_parser("create", parents=[common], help="create a group")
    group_create.add_argument("group", help="group id")
    group_create.add_argument("members", nargs="*", metavar="USER", help="its first members")
    group_create.add_argument("--org", help="organization id (tenant)")
    group_get = group_commands.add_parser("get", parents=[common], help="show a group")
    group_get.add_argument("group", help="group id")
    group_delete = group_commands.add_parser("delete", parents=[common], help="delete a group")
    group_delete.add_argument("group", help="group id")
    for verb, help_ in (("add", "add members"), ("remove", "remove members")):
        members = group_commands.add_parser(verb, parents=[common], help=help_)
        members.add_argument("group", help="group id")
        members.add_argument("members", nargs="+", metavar="USER", help="user ids")
    group_list = group_commands.add_parser("list", parents=[common], help="list groups")
    group_list.add_argument("--user", help="only the groups this user is a member of")
    group_list.add_argument("--limit", type=int, default=None, help="stop after this many")

    notifications = commands.add_parser(
        "notifications", help="a user's inbox notifications: list, get, delete; trigger one"
    )
    notification_commands = notifications.add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    notification_list = notification_commands.add_parser(
        "list", parents=[common], help="a user's notifications, newest first"
    )
    notification_list.add_argument("user", help="user id")
    notification_list.add_argument("--unread", action="store_true", help="only unread ones")
    notification_list.add_argument("--org", help="only this organization's")
    notification_list.add_argument("--limit", type=int, default=None, help="stop after this many")
    notification_get = notification_commands.add_parser("get", parents=[common], help="show one")
    notification_get.add_argument("user", help="user id")
    notification_get.add_argument("id", help="inbox notification id")
    notification_delete = notification_commands.add_parser(
        "delete", parents=[common], help="delete one, or --all of them"
    )
    notification_delete.add_argument("user", help="user id")
    notification_delete.add_argument("id", nargs="?", help="inbox notification id")
    notification_delete.add_argument("--all", action="store_true", help="empty the inbox")
    trigger = notification_commands.add_parser(
        "trigger", parents=[common], help="notify a user of a custom $kind"
    )
    trigger.add_argument("user", help="user id")
    trigger.add_argument("kind", help="custom kind, starting with $ (quote it in a shell)")
    trigger.add_argument("subject", help="subject id (notifications are grouped by it)")
    trigger.add_argument(
        "--data", default="{}", help="activity data: a JSON object, @FILE or - (stdin)"
    )
    trigger.add_argument("--room", help="room id")

    threads = commands.add_parser("threads", help="a room's comment threads: list, get")
    thread_commands = threads.add_subparsers(dest="action", required=True, parser_class=_Parser)
    thread_list = thread_commands.add_parser("list", parents=[common], help="a room's threads")
    thread_list.add_argument("room", help="room id")
    resolution = thread_list.add_mutually_exclusive_group()
    resolution.add_argument("--resolved", action="store_true", help="only resolved threads")
    resolution.add_argument("--unresolved", action="store_true", help="only unresolved ones")
    thread_list.add_argument(
        "--query", help="a query of Liveblocks' query language, e.g. \"metadata['status']:'open'\""
    )
    thread_list.add_argument("--limit", type=int, default=None, help="stop after this many")
    thread_get = thread_commands.add_parser(
        "get", parents=[common], help="show a thread and its comments"
    )
    thread_get.add_argument("room", help="room id")
    thread_get.add_argument("thread", help="thread id")
    comments = commands.add_parser("comments", help="post a comment in a thread")
    comment_commands = comments.add_subparsers(dest="action", required=True, parser_class=_Parser)
    comment_create = comment_commands.add_parser(
        "create", parents=[common], help="post TEXT in a thread (one paragraph per line)"
    )
    comment_create.add_argument("room", help="room id")
    comment_create.add_argument("thread", help="thread id")
    comment_create.add_argument("text", help="the comment's text, or - (stdin)")
    comment_create.add_argument("--user", required=True, help="the user id it is posted as")
    comment_create.add_argument(
        "--markdown",
        action="store_true",
        help="read TEXT as Markdown (bold, links, @mentions; the [markdown] extra)",
    )

    identify = commands.add_parser(
        "identify", parents=[common], help="get an ID token and print its claims"
    )
    identify.add_argument("user", help="user id")
    identify.add_argument("--group", action="append", default=None, help="group id (repeatable)")
    identify.add_argument("--org", help="organization id")
    identify.add_argument("--info", help='user info as a JSON object, e.g. \'{"name": "Alice"}\'')

    access = commands.add_parser(
        "access", parents=[common], help="what a user may do in a room, and which level decided"
    )
    access.add_argument("room", help="room id")
    access.add_argument("user", help="user id")
    access.add_argument("--group", action="append", default=[], help="the user's groups")

    webhooks = commands.add_parser(
        "webhooks", help="send signed sample webhook events to your app; make a secret"
    )
    webhook_commands = webhooks.add_subparsers(dest="action", required=True, parser_class=_Parser)
    send = webhook_commands.add_parser(
        "send",
        parents=[json_only],
        help="POST a correctly signed sample event to your app's webhook endpoint",
    )
    send.add_argument(
        "type",
        choices=EVENT_TYPES,
        metavar="TYPE",
        help=f"the event type, one of: {', '.join(sorted(EVENT_TYPES))}",
    )
    send.add_argument(
        "--url",
        default=DEFAULT_WEBHOOK_URL,
        help=f"your app's webhook endpoint (default: {DEFAULT_WEBHOOK_URL})",
    )
    send.add_argument(
        "--secret",
        help=f"the signing secret, whsec_... (default: ${ENV_WEBHOOK_SECRET})",
    )
    send.add_argument("--room", default="my-room", help="the event's room id (default: my-room)")
    send.add_argument("--user", default="user-1", help="the event's user id (default: user-1)")
    send.add_argument(
        "--kind", help="a notification's kind: thread (default), textMention or $yourKind"
    )
    send.add_argument("--id", help="the webhook-id: repeat one to send a redelivery")
    webhook_commands.add_parser(
        "secret", parents=[json_only], help="print a fresh whsec_ secret for local development"
    )
    dev = commands.add_parser(
        "dev-server",
        help="run the official Liveblocks dev server for your own app (Ctrl-C stops it)",
        description="Run the official Liveblocks dev server (npm: liveblocks, with bun) on this "
        "machine and print what your app needs to use it. The CLI comes from "
        f"${ENV_NODE_MODULES}, a node_modules found from the working directory, else npx "
        f"(liveblocks@{LIVEBLOCKS_CLI_VERSION}, bun@{BUN_VERSION}; Node.js 20 and npm needed).",
    )
    dev.add_argument("--port", type=int, default=1153, help="its port (default: 1153)")
    dev.add_argument("--host", default="127.0.0.1", help="its address (default: 127.0.0.1)")
    dev.add_argument(
        "--data", metavar="DIR", help="keep its rooms in DIR across restarts (default: none kept)"
    )
    dev.add_argument("--node-modules", metavar="DIR", help="where liveblocks and bun are installed")
    return parser


# --- output ----------------------------------------------------------------------------------


T = TypeVar("T")


def _first(items: Iterable[T], limit: int | None) -> list[T]:
    """The items of a listing, up to ``--limit`` (pages past it are never fetched)."""
    found: list[T] = []
    for item in items:
        found.append(item)
        if limit is not None and len(found) >= limit:
            break
    return found


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def room_json(room: Room) -> dict[str, Any]:
    return {
        "id": room.id,
        "organizationId": room.organization_id,
        "defaultAccesses": room.default_accesses,
        "groupsAccesses": room.groups_accesses,
        "usersAccesses": room.users_accesses,
        "metadata": room.metadata,
        "createdAt": _iso(room.created_at),
    }


def _scopes_text(scopes: Sequence[str]) -> str:
    return _show(", ".join(scopes)) if scopes else "none (no access)"


def _show(value: object) -> str:
    """An upstream value as one line of text: a room id, a name or metadata with a line break
    or an escape sequence must not forge or hide a line of the output."""
    return printable(str(value))


def room_text(room: Room) -> str:
    created = room.created_at.strftime("%Y-%m-%d %H:%M UTC") if room.created_at else "unknown"
    organization = _show(room.organization_id or "-")
    lines = [f"room {_show(room.id)}  (organization {organization}, created {created})"]
    lines.append(f"  default:  {_scopes_text(room.default_accesses)}")
    for label, entries in (("groups", room.groups_accesses), ("users", room.users_accesses)):
        if not entries:
            lines.append(f"  {label + ':':9} -")
        names = {name: _show(name) for name in entries}
        width = max((len(shown) for shown in names.values()), default=0)
        for i, (name, scopes) in enumerate(sorted(entries.items())):
            prefix = f"  {label + ':':9} " if i == 0 else " " * 12
            lines.append(f"{prefix}{names[name]:{width}}  {_scopes_text(scopes)}")
    if room.metadata:
        meta = ", ".join(f"{_show(k)}={_show(v)}" for k, v in sorted(room.metadata.items()))
        lines.append(f"  metadata: {meta}")
    return "\n".join(lines)


def access_json(room: Room, user: str, groups: Sequence[str], res: Resolution) -> dict[str, Any]:
    return {
        "room": room.id,
        "user": user,
        "groups": list(groups),
        "scopes": res.scopes,
        "canEnter": res.can_enter,
        "canWriteStorage": res.can_write_storage,
        "canComment": res.can_comment,
        "resources": {
            r: {"access": res.matrix[r], "decidedBy": res.decided_by[r]} for r in RESOURCES
        },
    }


def access_text(room: Room, user: str, groups: Sequence[str], res: Resolution) -> str:
    if not res.can_enter:
        verdict = "refused"
    elif res.can_write_storage:
        verdict = "can enter and write"
    else:
        verdict = "can enter, read-only storage"
    in_groups = f" (groups: {', '.join(groups)})" if groups else ""
    lines = [
        f"{_show(user)}{_show(in_groups)} in {_show(room.id)}: {verdict}",
        f"  scopes: {_scopes_text(res.scopes)}",
    ]
    for resource in RESOURCES:
        lines.append(
            f"  {resource:17} {res.matrix[resource]:6} decided by {res.decided_by[resource]}"
        )
    return "\n".join(lines)


# --- commands --------------------------------------------------------------------------------


def _rooms(args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]) -> None:
    action = args.action
    if action in ("create", "update"):
        users = dict(parse_assignment(u, "user") for u in args.user)
        groups = dict(parse_assignment(g, "group") for g in args.group)
        meta = dict(parse_pair(m, "--meta") for m in args.meta)
        default = None if args.default is None else parse_scopes(args.default)
    if action == "create":
        assert default is not None
        room = client.create_room(
            args.room,
            default_accesses=default,
            groups_accesses=groups or None,
            users_accesses=users or None,
            organization_id=args.org,
            metadata=meta or None,
        )
        out(room_json(room), room_text(room))
    elif action == "update":
        user_changes: dict[str, list[str] | None] = {**users, **dict.fromkeys(args.remove_user)}
        group_changes: dict[str, list[str] | None] = {
            **groups,
            **dict.fromkeys(args.remove_group),
        }
        room = client.update_room(
            args.room,
            default_accesses=default,
            groups_accesses=group_changes or None,
            users_accesses=user_changes or None,
            metadata=meta or None,
        )
        out(room_json(room), room_text(room))
    elif action == "get":
        room = client.get_room(args.room)
        out(room_json(room), room_text(room))
    elif action == "delete":
        # Liveblocks answers 204 to deleting a room that does not exist: ask first, so that a
        # mistyped id is an error (ROOM_NOT_FOUND, exit 1), not "deleted".
        client.get_room(args.room)
        client.delete_room(args.room)
        out({"deleted": args.room}, f"deleted room {_show(args.room)}")
    elif action in _ROOM_DATA:
        _ROOM_DATA[action](args, client, out)
    else:
        meta = dict(parse_pair(m, "--meta") for m in args.meta)
        listing = client.list_rooms(
            user_id=args.user,
            group_ids=args.group,
            organization_id=args.org,
            metadata=meta or None,
            query=args.query,
        )
        rooms = _first(listing, args.limit)
        text = "\n".join(
            f"{_show(r.id):30} {_show(r.organization_id or '-'):12} "
            f"default: {_scopes_text(r.default_accesses)}"
            for r in rooms
        )
        out([room_json(r) for r in rooms], text or "no rooms")


def group_json(group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "organizationId": group.organization_id,
        "scopes": group.scopes,
        "members": group.member_ids,
        "createdAt": _iso(group.created_at),
        "updatedAt": _iso(group.updated_at),
    }


def group_text(group: Group) -> str:
    members = ", ".join(_show(m) for m in group.member_ids) or "(no members)"
    return f"{_show(group.id):30} {_show(group.organization_id or '-'):12} {members}"


def _groups(args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]) -> None:
    action = args.action
    if action == "list":
        listing = client.get_user_groups(args.user) if args.user else client.get_groups()
        found = _first(listing, args.limit)
        text = "\n".join(group_text(g) for g in found)
        out([group_json(g) for g in found], text or "no groups")
        return
    if action == "delete":
        client.get_group(args.group)  # a mistyped id is GROUP_NOT_FOUND, not "deleted"
        client.delete_group(args.group)
        out({"deleted": args.group}, f"deleted group {_show(args.group)}")
        return
    if action == "create":
        group = client.create_group(args.group, member_ids=args.members, organization_id=args.org)
    elif action == "add":
        group = client.add_group_members(args.group, args.members)
    elif action == "remove":
        group = client.remove_group_members(args.group, args.members)
    else:
        group = client.get_group(args.group)
    out(group_json(group), group_text(group))


def notification_json(notification: InboxNotification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "roomId": notification.room_id,
        "notifiedAt": _iso(notification.notified_at),
        "readAt": _iso(notification.read_at),
        **({"threadId": notification.thread_id} if notification.thread_id else {}),
        **({"subjectId": notification.subject_id} if notification.subject_id else {}),
    }


def notification_text(notification: InboxNotification) -> str:
    about = notification.thread_id or notification.subject_id or "-"
    state = "read" if notification.is_read else "unread"
    when = _iso(notification.notified_at) or "-"
    kind = _show(notification.kind)
    return f"{_show(notification.id):24} {kind:16} {_show(about):20} {state:6} {when}"


def _notifications(
    args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]
) -> None:
    action = args.action
    if action == "list":
        query = {"unread": True} if args.unread else None
        notifications = client.get_inbox_notifications(
            args.user, query=query, organization_id=args.org
        )
        found = _first(notifications, args.limit)
        text = "\n".join(notification_text(n) for n in found)
        out([notification_json(n) for n in found], text or "no notifications")
    elif action == "get":
        notification = client.get_inbox_notification(args.user, args.id)
        out(notification_json(notification), notification_text(notification))
    elif action == "delete":
        if args.all == (args.id is not None):
            raise UsageError("give one notification id, or --all (not both)")
        if args.all:
            client.delete_all_inbox_notifications(args.user)
            out({"deleted": "all"}, f"emptied the inbox of {_show(args.user)}")
        else:
            client.get_inbox_notification(args.user, args.id)  # a mistyped id is an error
            client.delete_inbox_notification(args.user, args.id)
            out({"deleted": args.id}, f"deleted notification {_show(args.id)}")
    else:
        data = _json_argument(args.data, "--data", sys.stdin)
        client.trigger_inbox_notification(
            args.user,
            kind=args.kind,
            subject_id=args.subject,
            activity_data=data,
            room_id=args.room,
        )
        out({"triggered": args.kind}, f"notified {_show(args.user)} of {_show(args.kind)}")


def thread_json(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.id,
        "roomId": thread.room_id,
        "resolved": thread.resolved,
        "visibility": thread.visibility,
        "metadata": thread.metadata,
        "createdAt": _iso(thread.created_at),
        "updatedAt": _iso(thread.updated_at),
        "comments": [comment_json(c) for c in thread.comments],
    }


def comment_json(comment: Comment) -> dict[str, Any]:
    text = None if comment.body is None else stringify_comment_body(comment.body)
    return {
        "id": comment.id,
        "userId": comment.user_id,
        "createdAt": _iso(comment.created_at),
        "editedAt": _iso(comment.edited_at),
        "deletedAt": _iso(comment.deleted_at),
        "text": text,
        "metadata": comment.metadata,
        "reactions": [{"emoji": r.emoji, "userIds": r.user_ids} for r in comment.reactions],
        "attachments": [a.id for a in comment.attachments],
    }


def thread_text(thread: Thread) -> str:
    state = "resolved" if thread.resolved else "open"
    count = sum(c.deleted_at is None for c in thread.comments)
    when = _iso(thread.created_at) or "-"
    return f"{_show(thread.id):24} {state:8} {count:>3} comments  {when}"


def comment_text(comment: Comment) -> str:
    when = _iso(comment.created_at) or "-"
    if comment.body is None:
        return f"{_show(comment.id)} by {_show(comment.user_id)} at {when}: (deleted)"
    said = stringify_comment_body(comment.body).replace("\n", "\n    ")
    return f"{_show(comment.id)} by {_show(comment.user_id)} at {when}:\n    {said}"


def _threads(args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]) -> None:
    if args.action == "list":
        clauses = ["resolved:true"] if args.resolved else []
        clauses += ["resolved:false"] if args.unresolved else []
        clauses += [args.query] if args.query else []
        found = client.get_threads(args.room, query=" AND ".join(clauses) or None)
        found = _first(found, args.limit)
        text = "\n".join(thread_text(t) for t in found)
        out([thread_json(t) for t in found], text or f"no threads in room {args.room}")
    else:
        thread = client.get_thread(args.room, args.thread)
        lines = [thread_text(thread)] + [comment_text(c) for c in thread.comments]
        out(thread_json(thread), "\n".join(lines))


def _comments(
    args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]
) -> None:
    text = (sys.stdin.read() if args.text == "-" else args.text).rstrip("\n")
    if args.markdown:
        try:
            body = markdown_to_comment_body(text)
        except ImportError as exc:
            raise UsageError(str(exc)) from None
    else:
        body = comment_body_from_text(text)
    comment = client.create_comment(args.room, args.thread, user_id=args.user, body=body)
    out(comment_json(comment), f"posted comment {_show(comment.id)} in thread {args.thread}")


def _json_argument(text: str, what: str, stdin: TextIO) -> Any:
    """JSON given on the command line: the text itself, ``@FILE`` or ``-`` (stdin)."""
    if text == "-":
        text = stdin.read()
    elif text.startswith("@"):
        try:
            with open(text[1:], encoding="utf-8") as file:
                text = file.read()
        except OSError as exc:
            raise UsageError(f"cannot read {what} from {text[1:]}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{what} must be JSON: {exc}") from None


def _pretty(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def _storage(args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]) -> None:
    if args.verb == "get":
        document = client.get_storage_document(args.room, args.format)
        out(document, _pretty(document))
    elif args.verb == "init":
        document = _json_argument(args.document, "the document", sys.stdin)
        if isinstance(document, dict) and "liveblocksType" not in document:
            # Plain JSON: it becomes the root LiveObject, its values plain JSON (as the root of
            # a document that @liveblocks/client's initialStorage {count: 0} gives).
            document = {"liveblocksType": "LiveObject", "data": document}
        stored = client.initialize_storage_document(args.room, document)
        out(stored, f"initialized the storage of room {args.room}")
    elif args.verb == "delete":
        client.delete_storage_document(args.room)
        out({"deleted_storage": args.room}, f"emptied the storage of room {args.room}")
    else:
        _storage_patch(args, client, out)


def _storage_patch(
    args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]
) -> None:
    """One room, or every room (--all) as a resumable migration: a room where the patch does
    not apply (422) is skipped; anything else stops the run with the room to resume after."""
    if args.all != (len(args.target) == 1) or len(args.target) > 2:
        raise UsageError("give ROOM and PATCH, or --all and PATCH")
    if not args.all and (args.query or args.org or args.resume_after):
        raise UsageError("--query, --org and --resume-after go with --all")
    patch = check_operations(_json_argument(args.target[-1], "PATCH", sys.stdin))
    if args.all:
        rooms: Iterable[str] = (
            room.id for room in client.list_rooms(query=args.query, organization_id=args.org)
        )
        if args.resume_after is not None:
            rooms = itertools.islice(
                itertools.dropwhile(lambda room: room != args.resume_after, rooms), 1, None
            )
    else:
        rooms = [args.target[0]]
    results: list[dict[str, Any]] = []
    last: str | None = args.resume_after
    try:
        for room in rooms:
            result = _patch_one(client, room, patch, args.dry_run, strict=not args.all)
            results.append(result)
            last = room
            if not getattr(args, "json", False):
                out(result, f"{result['result']:12} {_show(room)}{result.get('reason', '')}")
    except LiveblocksError as exc:
        if not args.all:
            raise
        resume = f" --resume-after {shlex.quote(last)}" if last is not None else ""
        hint = f"stopped after {len(results)} rooms; run the same command{resume} to go on"
        raise LiveblocksError(exc.status, f"{exc.message}\n{hint}", exc.code) from None
    counts = collections.Counter(result["result"] for result in results)
    summary = ", ".join(f"{counts[kind]} {kind}" for kind in sorted(counts)) or "no rooms"
    out(results, summary)


def _patch_one(
    client: Liveblocks, room: str, patch: list[dict[str, Any]], dry_run: bool, strict: bool
) -> dict[str, Any]:
    if dry_run:
        try:
            apply_patch(client.get_storage_document(room), patch)
        except JsonPatchError as exc:
            return {"room": room, "result": "would-skip", "reason": f": {exc}"}
        return {"room": room, "result": "would-patch"}
    try:
        client.patch_storage_document(room, patch)
    except LiveblocksError as exc:
        if exc.status != 422 or strict:
            raise
        return {"room": room, "result": "skipped", "reason": f": {exc.message}"}
    return {"room": room, "result": "patched"}


def _versions(
    args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]
) -> None:
    if args.verb == "list":
        found = _first(client.get_version_history(args.room), args.limit)
        rows = [
            {"id": v.id, "createdAt": _iso(v.created_at), "authors": v.author_ids} for v in found
        ]
        lines = [f"{_show(v.id):28} {_iso(v.created_at)}  {', '.join(v.author_ids)}" for v in found]
        out(rows, "\n".join(lines) or f"no versions of room {args.room}")
    elif args.verb == "create":
        version = client.create_version_history_snapshot(args.room)
        out({"id": version}, f"created version {_show(version)} of room {args.room}")
    else:
        client.delete_version(args.room, args.version)
        out({"deleted": args.version}, f"deleted version {_show(args.version)}")


def _files(args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]) -> None:
    if args.verb == "upload":
        path = Path(args.path)
        if not path.is_file():
            raise UsageError(f"cannot read {args.path}: not a file")
        stored = client.upload_file(args.room, path)
        out(stored.raw, f"stored {_show(stored.name)} ({stored.size} bytes) as {_show(stored.id)}")
    else:
        link = client.get_file_url(args.room, args.file)
        out(link.raw, link.url or "")


def _feeds(args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]) -> None:
    if args.verb == "list":
        found = list(client.get_feeds(args.room))
        lines = [f"{_show(f.feed_id):24} {json.dumps(f.metadata)}" for f in found]
        out([f.raw for f in found], "\n".join(lines) or f"no feeds in room {args.room}")
    else:
        messages = _first(client.get_feed_messages(args.room, args.feed), args.limit)
        lines = [f"{_show(m.id):24} {_iso(m.created_at)}  {json.dumps(m.data)}" for m in messages]
        out([m.raw for m in messages], "\n".join(lines) or f"no messages in feed {args.feed}")


def _ydoc(args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]) -> None:
    document = client.get_yjs_document(
        args.room, key=args.key, type=args.type, format=args.formatting
    )
    out(document, _pretty(document))


def _active_users(
    args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]
) -> None:
    users = client.get_active_users(args.room)
    lines = [
        f"{user.connection_id:>6}  {_show(user.id or '(anonymous)'):24} {json.dumps(user.info)}"
        for user in users
    ]
    header = f"{len(users)} connected to {args.room}" + (":" if users else "")
    out(
        [{"connection_id": u.connection_id, "id": u.id, "info": u.info} for u in users],
        "\n".join([header, *lines]),
    )


def _broadcast(
    args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]
) -> None:
    event = _json_argument(args.event, "the event", sys.stdin)
    client.broadcast_event(args.room, event)
    out({"room": args.room, "event": event}, f"broadcast to room {args.room}")


_ROOM_DATA: dict[str, Callable[[argparse.Namespace, Liveblocks, Callable[[Any, str], None]], None]]
_ROOM_DATA = {
    "storage": _storage,
    "versions": _versions,
    "files": _files,
    "feeds": _feeds,
    "ydoc": _ydoc,
    "active-users": _active_users,
    "broadcast": _broadcast,
}


def _identify(
    args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]
) -> None:
    info = None
    if args.info is not None:
        try:
            info = json.loads(args.info)
        except ValueError as exc:
            raise UsageError(f"--info must be a JSON object: {exc}") from None
    request = identify_user_request(
        args.user, group_ids=args.group, organization_id=args.org, user_info=info
    )
    result = client.call(request)  # the call, not identify_user: "no answer" stays told apart
    token = None if result.failed else parse_token_body(result.body)
    if token is None:
        if not result.failed and 200 <= result.status < 300:
            raise LiveblocksError(502, "Liveblocks answered without a token")
        raise LiveblocksError.from_result(result)
    claims = decode_token(token)
    text = [f"ID token for {_show(claims.get('uid'))} (claims, not verified):"]
    text += [f"  {key:5} {json.dumps(value)}" for key, value in sorted(claims.items())]
    if args.org and claims.get("oid") != args.org:
        dev_server = claims.get("pid") == "localdev"
        why = "the dev server ignores organizationId" if dev_server else "Liveblocks left it out"
        text.append(
            f"note: --org {_show(args.org)} is not in the token (no oid claim): {why}; "
            "Liveblocks' cloud puts it in the token as oid"
        )
    out(claims, "\n".join(text))


def _access(args: argparse.Namespace, client: Liveblocks, out: Callable[[Any, str], None]) -> None:
    room = client.get_room(args.room)
    resolution = room.explain(args.user, args.group)
    out(
        access_json(room, args.user, args.group, resolution),
        access_text(room, args.user, args.group, resolution),
    )


def _webhooks(args: argparse.Namespace, out: Callable[[Any, str], None]) -> int:
    if args.action == "secret":
        secret = generate_webhook_secret()
        out({"secret": secret}, secret)
        return EXIT_OK
    signing_secret = args.secret or os.environ.get(ENV_WEBHOOK_SECRET) or ""
    setting = "--secret" if args.secret else f"--secret (or ${ENV_WEBHOOK_SECRET})"
    handler = WebhookHandler(signing_secret, setting=setting)
    event = sample_event(args.type, room_id=args.room, user_id=args.user, kind=args.kind)
    body = json.dumps(event).encode()
    webhook_id = args.id or sample_webhook_id()
    headers = {"Content-Type": "application/json", **handler.sign(webhook_id, body)}
    try:
        answer = httpx.post(args.url, content=body, headers=headers, timeout=10.0, trust_env=False)
    except httpx.HTTPError as exc:
        raise _Unreachable(f"could not reach {args.url}: {exc}. Is your app running?") from None
    text = answer.content.decode("utf-8", "replace").strip()
    status = answer.status_code
    out(
        {"status": status, "answer": text, "webhook_id": webhook_id, "event": event},
        f"sent {args.type} {webhook_id} (room {args.room}) to {args.url}\n"
        f"your app answered {status}: {text[:500]}",
    )
    return EXIT_OK if 200 <= status < 300 else EXIT_LIVEBLOCKS


class _Unreachable(Exception):
    """Nothing answered at the URL given on the command line."""


def run(
    argv: Sequence[str] | None = None,
    *,
    client: Liveblocks | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    prog: str = "liveblocks-auth",
) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 Liveblocks refused or failed, 2 usage)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser(prog)
    args: Any = None
    try:
        arguments = list(sys.argv[1:] if argv is None else argv)
        if not arguments:
            parser.print_help(stdout)
            return EXIT_USAGE
        try:
            args = parser.parse_args(arguments)
        except SystemExit as exit_:  # --help
            return int(exit_.code or 0)
        as_json = getattr(args, "json", False)

        def out(data: Any, text: str) -> None:
            if as_json:  # json.dumps escapes every control character and all non-ASCII
                print(json.dumps(data, indent=2, sort_keys=True), file=stdout)
            else:  # values are shown escaped (_show); this catches what a value did not
                print("\n".join(map(printable, text.split("\n"))), file=stdout)

        if args.command == "webhooks":
            return _webhooks(args, out)
        if args.command == "dev-server":
            return _dev_server(args, stdout)
        own = client is None
        active = client or Liveblocks(
            # The key comes from the environment only: name it so in errors (no flag exists).
            validate_secret(os.environ.get(ENV_SECRET_KEY), f"${ENV_SECRET_KEY}"),
            base_url=getattr(args, "base_url", None),
        )
        try:
            commands = {
                "rooms": _rooms,
                "groups": _groups,
                "notifications": _notifications,
                "threads": _threads,
                "comments": _comments,
            }
            (commands | {"identify": _identify, "access": _access})[args.command](args, active, out)
        finally:
            if own:
                active.close()
        return EXIT_OK
    except (UsageError, ValueError) as exc:  # bad secret, base URL, scopes, ids: say the fix
        print(f"error: {printable(str(exc))}", file=stderr)
        return EXIT_USAGE
    except LiveblocksError as exc:
        print(f"error: {printable(_describe(exc, client, args))}", file=stderr)
        return EXIT_LIVEBLOCKS
    except _Unreachable as exc:
        print(f"error: {printable(str(exc))}", file=stderr)
        return EXIT_LIVEBLOCKS


def _dev_server(args: Any, stdout: TextIO) -> int:
    """Run the dev server until Ctrl-C (or SIGTERM); then stop it with all its processes."""
    if port_in_use(args.port, args.host):
        raise UsageError(
            f"port {args.port} on {args.host} is already in use (a dev server already "
            "running?): stop it, or pick another with --port"
        )
    try:
        server = DevServer(
            args.node_modules,
            host=args.host,
            port=args.port,
            use_npx=True,
            data_dir=args.data,
            startup_timeout=300.0,  # npx may download the CLI and bun first
        )
    except DevServerError as exc:
        raise UsageError(str(exc)) from None
    print(f"Starting the official Liveblocks dev server (from {server.source})...", file=stdout)
    stdout.flush()
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    try:
        with server:
            base = server.base_url
            kept = f"kept in {server.data_dir}" if server.data_dir else "not kept"
            print(
                f"Liveblocks dev server running at {base}\n\n"
                "Point your app at it (any adapter reads these):\n"
                f"  export LIVEBLOCKS_BASE_URL={base}\n"
                f"  export LIVEBLOCKS_SECRET_KEY={DEV_SECRET}\n"
                "and your front end:\n"
                f'  createClient({{ authEndpoint: "/api/liveblocks-auth", baseUrl: "{base}" }})\n'
                f"\nRooms are {kept} after it stops. Press Ctrl-C to stop.",
                file=stdout,
            )
            stdout.flush()
            stop.wait()
    except DevServerError as exc:
        raise _Unreachable(str(exc)) from None
    print("Stopped.", file=stdout)
    return EXIT_OK


def _describe(exc: LiveblocksError, client: Liveblocks | None, args: Any) -> str:
    """A Liveblocks failure in one line: what it answered, or that nothing answered, where."""
    if exc.code != UNREACHABLE:
        return f"Liveblocks answered {exc.status}: {exc}"
    base_url = client.base_url if client else resolve_base_url(getattr(args, "base_url", None))
    hint = " Is the dev server running?" if is_local_url(base_url) else ""
    return f"could not reach Liveblocks at {base_url}: {exc.message}.{hint}"


def main() -> None:
    raise SystemExit(run())


if __name__ == "__main__":  # python -m liveblocks_auth.cli
    main()
