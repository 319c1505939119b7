"""The Starlette example: sessions, AuthenticationMiddleware, users in SQLite, Liveblocks auth.

export LIVEBLOCKS_SECRET_KEY=sk_localdev LIVEBLOCKS_BASE_URL=http://127.0.0.1:1153
python app.py seed-demo && uvicorn app:app
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from dataclasses import dataclass
from urllib.parse import parse_qs

import anyio.to_thread
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from liveblocks_auth import LiveblocksUser, WebhookEvent
from liveblocks_auth.testing.demo import (
    DEMO_WEBHOOK_SECRET,
    access_async,
    find_sqlite_user,
    frontend_bundle,
    frontend_page,
    log_decisions,
    log_webhook_async,
    login_page,
    me,
    room_policy,
    seed_sqlite_users,
)
from liveblocks_auth_starlette import LiveblocksAuth

DB = os.environ.get("DEMO_DB", "demo.sqlite3")


@dataclass
class DemoUser(BaseUser):
    username: str
    name: str
    organization: str
    groups: list[str]

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def identity(self) -> str:
        return self.username

    @property
    def display_name(self) -> str:
        return self.name


def load_user(username: str) -> DemoUser | None:
    with contextlib.closing(sqlite3.connect(DB)) as connection:
        found = find_sqlite_user(connection, username)
    return (
        DemoUser(found.username, found.name, found.organization, list(found.groups))
        if found
        else None
    )


class SessionBackend(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        username = conn.session.get("user")
        if not username:
            return None
        user = await anyio.to_thread.run_sync(load_user, username)  # SQLite off the event loop
        return (AuthCredentials(["authenticated"]), user) if user else None


async def group_ids(user: DemoUser) -> list[str]:
    return user.groups


async def organization_id(user: DemoUser) -> str:
    return user.organization


async def same_organization(user: LiveblocksUser, room: str | None) -> bool:
    return room_policy(user, room)  # refuse (403) rooms of another organization


async def print_webhook(event: WebhookEvent, request: Request) -> None:
    # For storageUpdated, with the counter read from the room's storage (the lifespan's client).
    await log_webhook_async(event, liveblocks.client)


log_decisions()  # each answer of the endpoint: "[auth] alice, room ...: 200, ..."

liveblocks = LiveblocksAuth(
    group_ids=group_ids,
    organization_id=organization_id,
    room_policy=same_organization,
    # Every verified webhook event (POST /api/liveblocks-webhook) is printed.
    webhook_secret=os.environ.get("LIVEBLOCKS_WEBHOOK_SECRET", DEMO_WEBHOOK_SECRET),
    on_webhook=print_webhook,
)


def login_response(request: Request, error: bool = False, status: int = 200) -> HTMLResponse:
    page = login_page(error=error, signed_in=request.session.get("user"))
    return HTMLResponse(page, status_code=status)


async def login(request: Request) -> Response:
    if request.method == "GET":
        return login_response(request)
    form = parse_qs((await request.body()).decode())
    username = form.get("username", [""])[0]
    if await anyio.to_thread.run_sync(load_user, username) is None:
        return login_response(request, error=True, status=400)
    request.session["user"] = username
    return RedirectResponse("/", status_code=303)


async def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login/", status_code=303)


PAGE, BUNDLE = frontend_page(), frontend_bundle()  # read at startup, never on a request


async def home(request: Request) -> Response:
    """The shared demo page (examples/frontend)."""
    if not request.user.is_authenticated:
        return RedirectResponse("/login/", status_code=303)
    return HTMLResponse(PAGE)


async def me_view(request: Request) -> Response:
    if not request.user.is_authenticated:
        return JSONResponse({"error": "not logged in"}, status_code=401)
    return JSONResponse(me(request.user.identity))


async def access_view(request: Request) -> Response:
    """Why the user gets what they get in ?room= (the page's "Why" line)."""
    if not request.user.is_authenticated:
        return JSONResponse({"error": "not logged in"}, status_code=401)
    room = request.query_params.get("room", "")
    return JSONResponse(await access_async(liveblocks.client, request.user.identity, room))


async def bundle(request: Request) -> Response:
    return Response(BUNDLE, media_type="text/javascript")


app = Starlette(
    routes=[
        *liveblocks.routes,  # POST /api/liveblocks-auth and /api/liveblocks-webhook
        Route("/", home),
        Route("/me", me_view),
        Route("/access", access_view),
        Route("/static/liveblocks-demo.js", bundle),
        Route("/login/", login, methods=["GET", "POST"]),
        Route("/logout/", logout),
    ],
    middleware=[
        Middleware(
            SessionMiddleware,
            secret_key=os.environ.get("STARLETTE_SECRET_KEY", "demo-only-not-secret"),
        ),
        Middleware(AuthenticationMiddleware, backend=SessionBackend()),
    ],
    lifespan=liveblocks.lifespan,
)


def seed_demo() -> None:
    with contextlib.closing(sqlite3.connect(DB)) as connection:
        print(f"demo users: {', '.join(seed_sqlite_users(connection))}")


if __name__ == "__main__":
    if sys.argv[1:] == ["seed-demo"]:
        seed_demo()
    else:
        sys.exit("usage: python app.py seed-demo")
