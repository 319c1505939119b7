"""The demo data shared by the example apps, the scenario suite and the demo command.

Users: alice (editors, acme), bob (viewers, acme), carol (no group, acme), dave (editors, globex).
Rooms (organization acme): acme-roadmap, acme-handbook, acme-private. The examples' room policy
refuses rooms of another organization (by room id prefix) before asking Liveblocks.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from liveblocks_auth._effects import drive, drive_async
from liveblocks_auth._protocol import ApiRequest, ApiResult
from liveblocks_auth.api import Operation
from liveblocks_auth.api.rooms import Room, get_room
from liveblocks_auth.api.storage import get_storage_document
from liveblocks_auth.client import AsyncLiveblocks, Liveblocks
from liveblocks_auth.errors import LiveblocksError
from liveblocks_auth.models import LiveblocksUser
from liveblocks_auth.webhooks import WebhookEvent

#: The examples' webhook signing secret unless $LIVEBLOCKS_WEBHOOK_SECRET is set: public, for the
#: local demo only (a real endpoint's secret comes from the Liveblocks dashboard).
DEMO_WEBHOOK_SECRET: Final = "whsec_bGl2ZWJsb2Nrcy1hdXRoLWRlbW8tb25seS1zZWNyZXQ="
#: The prefix of the line each example app prints for a verified webhook event.
WEBHOOK_LOG_PREFIX: Final = "[webhook]"
#: The prefix of the line each example app prints for each answer of its auth endpoint.
DECISION_LOG_PREFIX: Final = "[auth]"

__all__ = [
    "DECISION_LOG_PREFIX",
    "DEMO_WEBHOOK_SECRET",
    "EXPECTED",
    "ROOMS",
    "USERS",
    "DemoUser",
    "access",
    "access_async",
    "access_reason",
    "find_sqlite_user",
    "frontend_bundle",
    "frontend_page",
    "log_decisions",
    "log_webhook",
    "log_webhook_async",
    "login_page",
    "me",
    "room_policy",
    "seed_django_users",
    "seed_rooms",
    "seed_sqlite_users",
    "user_label",
    "webhook_report",
]


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    name: str
    organization: str
    groups: tuple[str, ...] = ()

    def as_liveblocks_user(self) -> LiveblocksUser:
        return LiveblocksUser(self.username, self.groups, {"name": self.name}, self.organization)


USERS: Final[Mapping[str, DemoUser]] = {
    user.username: user
    for user in (
        DemoUser("alice", "Alice Martin", "acme", ("editors",)),
        DemoUser("bob", "Bob Stone", "acme", ("viewers",)),
        DemoUser("carol", "Carol Diaz", "acme"),
        DemoUser("dave", "Dave Kim", "globex", ("editors",)),
    )
}

READ_WITH_PRESENCE: Final = ["room:read", "room:presence:write"]


ROOMS: Final[Mapping[str, Room]] = {
    room.id: room
    for room in (
        Room(
            "acme-roadmap",
            [],
            groups_accesses={"editors": ["room:write"], "viewers": READ_WITH_PRESENCE},
            organization_id="acme",
        ),
        Room(
            "acme-handbook",
            READ_WITH_PRESENCE,
            users_accesses={"carol": ["room:write"]},
            organization_id="acme",
        ),
        Room(
            "acme-private",
            [],
            groups_accesses={"editors": READ_WITH_PRESENCE},
            users_accesses={"alice": ["room:write"]},
            organization_id="acme",
        ),
    )
}

#: What each user gets in each room: "write", "read-only", "refused" (by the room, at the
#: WebSocket), or the status our endpoint answers (403: room policy, 401: not logged in).
EXPECTED: Final[Mapping[tuple[str | None, str], str | int]] = {
    ("alice", "acme-roadmap"): "write",
    ("alice", "acme-handbook"): "read-only",
    ("alice", "acme-private"): "write",
    ("bob", "acme-roadmap"): "read-only",
    ("bob", "acme-handbook"): "read-only",
    ("bob", "acme-private"): "refused",
    ("carol", "acme-roadmap"): "refused",
    ("carol", "acme-handbook"): "write",
    ("carol", "acme-private"): "refused",
    ("dave", "acme-roadmap"): 403,
    ("dave", "acme-handbook"): 403,
    ("dave", "acme-private"): 403,
    (None, "acme-roadmap"): 401,
}


def room_policy(user: LiveblocksUser, room: str | None) -> bool:
    """Rooms belong to the organization named by their id prefix (``acme-...``)."""
    if room is None:
        return True
    return user.organization_id is not None and room.startswith(f"{user.organization_id}-")


def access_reason(room: Room, user: LiveblocksUser) -> str:
    """Why ``user`` gets what they get in ``room``, in the words of the demo page: the app's
    room policy first, then the room's permissions as Liveblocks resolves them
    (:meth:`Room.explain`: which level decided)."""
    if not room_policy(user, room.id):
        return (
            f"refused by this app: you are in organization {user.organization_id}, "
            f"this room belongs to {room.organization_id or room.id.split('-')[0]}"
        )
    resolution = room.explain(user.id, user.group_ids)
    if not resolution.can_enter:
        groups = ", ".join(user.group_ids) or "none"
        return f"refused by the room: no access for you, your groups ({groups}) or everyone"
    access = "write" if resolution.can_write_storage else "read-only"
    level = resolution.decided_by["room"]
    if level == "user":
        return f"{access}, via your own entry on the room"
    if level == "groups":
        granting = [g for g in user.group_ids if room.groups_accesses.get(g)]
        return f"{access}, via group {', '.join(granting)}"
    return f"{access}, via the room's default access"


def access_operation(username: str, room_id: str) -> Operation[dict[str, str]]:
    """``{"room", "why"}`` for a demo user: the room read with the app's client (a flow, run by
    :func:`access_report` and :func:`access_report_async`)."""
    user = USERS[username].as_liveblocks_user()
    try:
        room = yield from get_room(room_id)
    except (LiveblocksError, ValueError) as exc:
        return {"room": room_id, "why": f"cannot read the room: {exc}"}
    return {"room": room_id, "why": access_reason(room, user)}


def access(client: Liveblocks, username: str, room_id: str) -> dict[str, str]:
    """:func:`access_operation` with a sync client (the Django, DRF and Flask examples)."""
    return drive(access_operation(username, room_id), client.call)


async def access_async(client: AsyncLiveblocks, username: str, room_id: str) -> dict[str, str]:
    """:func:`access_operation` with an async client (the Starlette and FastAPI examples)."""
    return await drive_async(access_operation(username, room_id), client.call)


def seed_rooms(client: Liveblocks) -> list[str]:
    """Create (or reset) the demo rooms; returns their ids."""
    for room in ROOMS.values():
        options: dict[str, Any] = {
            "default_accesses": room.default_accesses,
            "groups_accesses": room.groups_accesses,
            "users_accesses": room.users_accesses,
        }
        try:
            client.create_room(room.id, organization_id=room.organization_id, **options)
        except LiveblocksError as exc:
            if exc.code != "ROOM_ALREADY_EXISTS":
                raise
            existing = client.get_room(room.id)
            stale_users = {u: None for u in existing.users_accesses if u not in room.users_accesses}
            stale_groups = {
                g: None for g in existing.groups_accesses if g not in room.groups_accesses
            }
            client.update_room(
                room.id,
                default_accesses=room.default_accesses,
                groups_accesses={**stale_groups, **room.groups_accesses},
                users_accesses={**stale_users, **room.users_accesses},
            )
    return list(ROOMS)


def seed_sqlite_users(connection: sqlite3.Connection) -> list[str]:
    """Store the demo users in a ``users`` table (the Flask and Starlette examples' database)."""
    connection.execute(
        "CREATE TABLE IF NOT EXISTS users "
        "(id TEXT PRIMARY KEY, name TEXT, organization TEXT, groups TEXT)"
    )
    connection.executemany(
        "INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?)",
        [(u.username, u.name, u.organization, ",".join(u.groups)) for u in USERS.values()],
    )
    connection.commit()
    return list(USERS)


def seed_django_users() -> dict[str, Any]:
    """Create (or reset) the demo users and their groups with Django's auth models (no usable
    password: demo mode); returns them by username. For the Django and DRF examples."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    model = get_user_model()
    users: dict[str, Any] = {}
    for demo in USERS.values():
        first, _, last = demo.name.partition(" ")
        user, _ = model.objects.update_or_create(
            username=demo.username, defaults={"first_name": first, "last_name": last}
        )
        user.set_unusable_password()
        user.save()
        user.groups.set([Group.objects.get_or_create(name=g)[0] for g in demo.groups])  # type: ignore[attr-defined]
        users[demo.username] = user
    return users


def find_sqlite_user(connection: sqlite3.Connection, username: str) -> DemoUser | None:
    row = connection.execute(
        "SELECT id, name, organization, groups FROM users WHERE id = ?", (username,)
    ).fetchone()
    if row is None:
        return None
    return DemoUser(row[0], row[1], row[2], tuple(g for g in row[3].split(",") if g))


# --- the shared front-end page ---------------------------------------------------------------

FRONTEND_ENV = "LIVEBLOCKS_DEMO_FRONTEND"


def frontend_dir() -> Path:
    """``$LIVEBLOCKS_DEMO_FRONTEND``, else examples/frontend of this checkout."""
    configured = os.environ.get(FRONTEND_ENV)
    return (
        Path(configured)
        if configured
        else Path(__file__).resolve().parents[2] / "examples" / "frontend"
    )


@functools.cache
def frontend_page() -> bytes:
    """The demo page (read once: serving it never touches the disk again)."""
    return (frontend_dir() / "index.html").read_bytes()


def user_label(user: DemoUser) -> str:
    """How every login page names a demo user: "Alice Martin (acme, editors)"."""
    return f"{user.name} ({', '.join((user.organization, *user.groups))})"


#: How to see two users live: windows of one browser share its session cookie, so logging in
#: again in one replaces the user in all of them.
TWO_USERS = (
    "To see two users live, log in as each in a window of its own: a normal and a private "
    "window, or two browsers (windows of one browser share one session, so logging in again "
    "replaces the user in all of them)."
)


def login_page(csrf_field: str = "", error: bool = False, signed_in: str | None = None) -> str:
    """The examples' login page, styled like the demo page (its very stylesheet), the same in
    every framework but for ``csrf_field`` (the framework's hidden CSRF input, if any) and who
    is ``signed_in`` in this browser (a demo username), if anyone."""
    page = frontend_page().decode()
    style = page[page.index("<style>") : page.index("</style>") + len("</style>")]
    options = "".join(
        f'<option value="{html.escape(u.username)}">{html.escape(user_label(u))}</option>'
        for u in USERS.values()
    )
    alert = (
        '<p role="alert" class="access-refused">Unknown demo user: pick one of the list.</p>'
        if error
        else ""
    )
    who = ""
    if signed_in is not None and signed_in in USERS:
        name = html.escape(USERS[signed_in].name)
        who = (
            f'<p data-testid="signed-in">Signed in as <strong>{name}</strong> in this browser: '
            "logging in again replaces that user in every window of this browser.</p>"
        )
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Liveblocks auth demo — log in</title>
  <link rel="icon" href="data:,">
  {style}
</head>
<body>
  <header><h1>Liveblocks auth demo</h1></header>
  <section class="card" data-testid="login">
    <h2>Log in (demo mode: no passwords)</h2>
    <p class="hint">Each user sees the rooms as their organization, groups and the rooms'
      permissions allow. {html.escape(TWO_USERS)}</p>
    {who}
    {alert}
    <form method="post" action="/login/">
      {csrf_field}
      <select name="username">{options}</select>
      <button type="submit">Log in</button>
    </form>
  </section>
</body>
</html>
"""


@functools.cache
def frontend_bundle() -> bytes:
    """The page's script: @liveblocks/client bundled by ``./run setup`` (no CDN)."""
    path = frontend_dir() / "dist" / "liveblocks-demo.js"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `./run setup` to build the demo page")
    return path.read_bytes()


def cli_setup(base_url: str | None = None, key: str | None = None) -> tuple[list[str], str]:
    """What a second terminal needs to run the ``liveblocks-auth`` CLI against the demo's
    Liveblocks (``base_url`` and ``key``: the app's environment by default): the lines to
    paste first (the dev server's key and address; a real project's address, its key being
    yours to export), and the CLI's absolute path (in the demo's virtual environment, which a
    new terminal does not have on PATH)."""
    base_url = base_url or os.environ.get("LIVEBLOCKS_BASE_URL", "https://api.liveblocks.io")
    if (key or os.environ.get("LIVEBLOCKS_SECRET_KEY")) == "sk_localdev":
        setup = [f"export LIVEBLOCKS_SECRET_KEY=sk_localdev LIVEBLOCKS_BASE_URL={base_url}"]
    else:
        setup = [f"export LIVEBLOCKS_BASE_URL={base_url}  # and your LIVEBLOCKS_SECRET_KEY"]
    return setup, str(Path(sys.executable).parent / "liveblocks-auth")


def me(username: str) -> dict[str, Any]:
    """What the page shows about the logged-in demo user, and where Liveblocks is."""
    user = USERS[username]
    setup, cli = cli_setup()
    # The first room the user may enter (the page opens it after login); dave may enter none.
    enterable = [room for room in ROOMS if EXPECTED.get((username, room)) in ("write", "read-only")]
    return {
        "landing": (enterable or list(ROOMS))[0],
        "cliSetup": setup,
        "cli": cli,
        "id": user.username,
        "name": user.name,
        "organization": user.organization,
        "groups": list(user.groups),
        "rooms": list(ROOMS),
        "liveblocksBaseUrl": os.environ.get("LIVEBLOCKS_BASE_URL", "https://api.liveblocks.io"),
    }


def webhook_report(event: WebhookEvent, read_storage: bool = True) -> Operation[list[str]]:
    """The lines the example apps print for a verified webhook event: the event, and for
    ``storageUpdated`` the room's counter as Liveblocks stores it now (read with
    ``get_storage_document``: what a real handler would save to its database). A flow, run by
    :func:`log_webhook` (sync client) and :func:`log_webhook_async`."""
    about = " ".join(
        f"{name}={value}"
        for name, value in (("room", event.room_id), ("user", event.user_id))
        if value is not None
    )
    lines = [f"{WEBHOOK_LOG_PREFIX} {event.type} {event.id} {about}".rstrip()]
    room_id = event.room_id
    if read_storage and event.type == "storageUpdated" and room_id:
        try:
            storage = yield from get_storage_document(room_id, "json")
        except LiveblocksError as exc:
            lines.append(f"{WEBHOOK_LOG_PREFIX}   could not read the storage of {room_id}: {exc}")
        else:
            count = storage.get("count") if isinstance(storage, dict) else None
            found = "no counter yet" if count is None else f"count = {json.dumps(count)}"
            lines.append(f"{WEBHOOK_LOG_PREFIX}   storage of {room_id}: {found}")
    return lines


def log_decisions() -> None:
    """Print each answer of the auth endpoint to stdout ("[auth] alice, room 'acme-roadmap':
    200, id token issued; ..."): the example apps call it, and ``./run demo`` shows the lines."""
    logger = logging.getLogger("liveblocks_auth.decisions")
    if any(getattr(handler, "demo", False) for handler in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(f"{DECISION_LOG_PREFIX} %(message)s"))
    handler.demo = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def log_webhook(event: WebhookEvent, client: Liveblocks | None = None) -> None:
    """What the Django and Flask example apps do with a verified webhook event: print it (the
    demo shows these lines in its terminal), with the room's counter for ``storageUpdated``
    when given the app's ``client``."""
    if client is None:
        lines = drive(webhook_report(event, read_storage=False), _nothing_sent)
    else:
        lines = drive(webhook_report(event), client.call)
    print("\n".join(lines), flush=True)


def _nothing_sent(request: ApiRequest) -> ApiResult:
    raise AssertionError(f"no client to send {request.method} {request.path}")


async def log_webhook_async(event: WebhookEvent, client: AsyncLiveblocks) -> None:
    """:func:`log_webhook` for async apps (the Starlette example)."""
    print("\n".join(await drive_async(webhook_report(event), client.call)), flush=True)
