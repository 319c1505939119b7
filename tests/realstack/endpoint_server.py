"""Serve the core AuthEndpoint over real HTTP on loopback (wsgiref), for real-stack tests
that must run before, and independently of, any framework adapter."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from liveblocks_auth import AuthEndpoint, AuthRequest, Liveblocks, LiveblocksUser
from liveblocks_auth._service import serving

HERE = Path(__file__).resolve().parent


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_endpoint(
    client: Liveblocks,
    users: dict[str, LiveblocksUser],
    *,
    gate: Callable[[], tuple[int, bytes] | None] | None = None,
    **endpoint_options: Any,
) -> Iterator[str]:
    """An auth endpoint whose logged-in user is ``users[cookie 'user']``; yields its URL.
    ``gate()``, asked first for each request, may answer instead: ``(status, JSON body)``."""

    def resolve(environ: dict[str, Any]) -> LiveblocksUser | None:
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        return users.get(cookie["user"].value) if "user" in cookie else None

    endpoint = AuthEndpoint(resolve, **endpoint_options)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        refused = gate() if gate is not None else None
        if refused is not None:
            start_response(f"{refused[0]} X", [("Content-Type", "application/json")])
            return [refused[1]]
        headers = {
            key[5:].replace("_", "-"): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        if environ.get("CONTENT_LENGTH"):
            headers["Content-Length"] = environ["CONTENT_LENGTH"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = AuthRequest(
            method=environ["REQUEST_METHOD"],
            headers=headers,
            body=environ["wsgi.input"].read(min(length, 65536)),
            host=environ.get("HTTP_HOST"),
            context=environ,
        )
        response = endpoint.handle(request, client)
        start_response(f"{response.status} X", list(response.headers))
        return [response.body]

    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    with serving(server):
        yield f"http://127.0.0.1:{server.server_port}/api/liveblocks-auth"


def enter_room(
    base_url: str,
    auth_url: str,
    room: str,
    cookie: str | None = None,
    timeout_ms: int = 15000,
    *,
    authorization: str | None = None,
    origin: str | None = None,
) -> dict[str, Any]:
    """Run the official client (enter_room.mjs) and return its outcome line. ``cookie``,
    ``authorization`` and ``origin`` are sent with its auth requests."""
    argv = ["node", str(HERE / "enter_room.mjs"), "--base-url", base_url]
    argv += ["--auth-url", auth_url, "--room", room, "--timeout-ms", str(timeout_ms)]
    for name, value in (("cookie", cookie), ("authorization", authorization), ("origin", origin)):
        if value:
            argv += [f"--{name}", value]
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout_ms / 1000 + 20, cwd=HERE, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise AssertionError(f"enter_room.mjs printed no outcome:\n{done.stdout}\n{done.stderr}")
    outcome: dict[str, Any] = json.loads(lines[-1])
    return outcome


def fetch_inbox_notifications(base_url: str, auth_url: str, cookie: str | None) -> dict[str, Any]:
    """Run the official client's ``getInboxNotifications`` (inbox_notifications.mjs): its token
    comes from ``auth_url`` with no room; returns the outcome and every request it made."""
    argv = ["node", str(HERE / "inbox_notifications.mjs"), "--base-url", base_url]
    argv += ["--auth-url", auth_url] + (["--cookie", cookie] if cookie else [])
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=HERE, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise AssertionError(
            f"inbox_notifications.mjs printed nothing:\n{done.stdout}\n{done.stderr}"
        )
    outcome: dict[str, Any] = json.loads(lines[-1])
    return outcome
