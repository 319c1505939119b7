"""The one-command demo: the official Liveblocks dev server, the demo rooms and users, and an
example app under its production server. Stop it with Ctrl-C.

    ./run demo [--framework django|django-asgi|flask|starlette|drf|fastapi] [--port 8000]

drf and fastapi are token-based APIs: their page is a single-page app served from another
origin (the next port), which logs in for a bearer token and sends it from an authEndpoint
callback.

With LIVEBLOCKS_SECRET_KEY (and LIVEBLOCKS_BASE_URL) set, your real Liveblocks project is used
instead of the dev server.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from launch import (
    APPS,
    TOKEN_APPS,
    ExampleApp,
    RunningApp,
    serve_example,
    serve_token_example,
)

from liveblocks_auth import Liveblocks, LiveblocksError
from liveblocks_auth.devserver import port_in_use
from liveblocks_auth.testing import DevServer, DevServerError
from liveblocks_auth.testing.demo import (
    DECISION_LOG_PREFIX,
    DEMO_WEBHOOK_SECRET,
    EXPECTED,
    ROOMS,
    TWO_USERS,
    USERS,
    WEBHOOK_LOG_PREFIX,
    cli_setup,
    seed_rooms,
)

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = {
    "django": "django-wsgi",
    "django-asgi": "django-asgi",
    "flask": "flask",
    "starlette": "starlette",
    "drf": "drf",
    "fastapi": "fastapi",
}


@contextlib.contextmanager
def liveblocks_target() -> Iterator[tuple[str, str, str]]:
    """(secret, base URL, description): the configured project, else a fresh dev server."""
    secret = os.environ.get("LIVEBLOCKS_SECRET_KEY")
    if secret:
        base_url = os.environ.get("LIVEBLOCKS_BASE_URL", "https://api.liveblocks.io")
        where = f"your Liveblocks project at {base_url} (from LIVEBLOCKS_SECRET_KEY)"
        yield secret, base_url, where
        return
    with DevServer(ROOT / "tests" / "realstack" / "node_modules") as server:
        where = f"the official Liveblocks dev server at {server.base_url}"
        yield server.secret, server.base_url, where


def describe(url: str, base_url: str, secret: str, login: str = "/login/") -> str:
    lines = [f"\n  Open {url}{login} and log in as (no passwords in demo mode):"]
    for user in USERS.values():
        groups = ", ".join(user.groups) or "no group"
        lines.append(
            f"    {user.username:6} {user.name:13} organization {user.organization}, {groups}"
        )
    lines.append("\n  Rooms, and what each user gets:")
    for room in ROOMS:
        outcome = ", ".join(
            f"{user} {'(' + str(EXPECTED[(user, room)]) + ')'}"
            for user in USERS
            if (user, room) in EXPECTED
        )
        lines.append(f"    {url}/?room={room:14} {outcome}")
    lines.append("\n  " + textwrap.fill(TWO_USERS, 94, subsequent_indent="  "))
    setup, cli = cli_setup(base_url, secret)
    lines.append("\n  The CLI sees the same rooms; in a second terminal, paste:")
    lines += [f"    {line}" for line in [*setup, f"{cli} rooms active-users acme-roadmap"]]
    return "\n".join(lines)


def webhook_command(url: str, secret: str) -> str:
    """The one command that sends the running app a signed sample webhook event."""
    cli = Path(sys.executable).parent / "liveblocks-auth"
    with contextlib.suppress(ValueError):
        cli = cli.relative_to(Path.cwd())
    return (
        f"{cli} webhooks send storageUpdated --room acme-roadmap "
        f"--url {url}/api/liveblocks-webhook --secret {secret}"
    )


def follow_webhooks(log: Path, stop: threading.Event) -> None:
    """Print the app's decisions and webhook lines (its log is otherwise kept in a file) as
    they come: each answer of the auth endpoint (user, room, status, reason), each event."""
    with log.open(encoding="utf-8", errors="replace") as lines:
        while not stop.is_set():
            line = lines.readline()
            if not line:
                stop.wait(0.2)
            elif line.startswith((WEBHOOK_LOG_PREFIX, DECISION_LOG_PREFIX)):
                print(f"  {line.rstrip()}", flush=True)


def ports_needed(app: ExampleApp, port: int) -> list[int]:
    """The app's port, and the next one for a token-based example's single-page app."""
    return [port] if app.token is None else [port, port + 1]


@contextlib.contextmanager
def serve(
    app: ExampleApp, base_url: str, workdir: Path, secret: str, port: int, webhook_secret: str
) -> Iterator[tuple[RunningApp, str]]:
    """The example, and the URL of its page (a session example's own, or the SPA's)."""
    env = {"LIVEBLOCKS_WEBHOOK_SECRET": webhook_secret}
    if app.token is None:
        with serve_example(app, base_url, workdir, secret=secret, port=port, env=env) as running:
            yield running, running.url
        return
    with serve_token_example(
        app, base_url, workdir, secret=secret, port=port, spa_port=port + 1, env=env
    ) as (running, spa):
        yield running, spa


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--framework",
        choices=sorted(FRAMEWORKS),
        default="django",
        help="which example app to run (default: django, under gunicorn)",
    )
    parser.add_argument("--port", type=int, default=8000, help="the app's port (default: 8000)")
    args = parser.parse_args(argv)
    name = FRAMEWORKS[args.framework]
    app = TOKEN_APPS[name] if name in TOKEN_APPS else APPS[name]

    busy = [port for port in ports_needed(app, args.port) if port_in_use(port)]
    if busy:
        print(
            f"error: port {busy[0]} on 127.0.0.1 is already in use (another app answers there); "
            f"stop it, or pick free ports with --port (this demo needs "
            f"{' and '.join(map(str, ports_needed(app, args.port)))})",
            file=sys.stderr,
        )
        return 2

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        with liveblocks_target() as (secret, base_url, where), tempfile.TemporaryDirectory() as tmp:
            print(f"Liveblocks: {where}", flush=True)
            with Liveblocks(secret, base_url=base_url) as client:
                print(f"Rooms ready: {', '.join(seed_rooms(client))}", flush=True)
            webhook_secret = os.environ.get("LIVEBLOCKS_WEBHOOK_SECRET") or DEMO_WEBHOOK_SECRET
            with serve(app, base_url, Path(tmp), secret, args.port, webhook_secret) as (
                running,
                page,
            ):
                if page == running.url:
                    print(f"{app.name} example running at {running.url}", flush=True)
                    print(describe(page, base_url, secret), flush=True)
                else:  # the page first: the API's own URL answers 404 in a browser
                    print(
                        f"{app.name} example: open its page, {page}/ (its API runs at "
                        f"{running.url})\n  The page is a single-page app on another origin than "
                        "the API: it logs in for a bearer\n  token and sends it from an "
                        "authEndpoint callback (CORS allowed for that origin only).",
                        flush=True,
                    )
                    print(describe(page, base_url, secret, "/"), flush=True)
                print(
                    "\n  Webhooks: the app verifies each event posted to /api/liveblocks-webhook "
                    "and prints it here;\n  for storageUpdated it reads the room's storage "
                    "(get_storage_document) and prints the counter.\n"
                    "  Send one (the dev server sends none):\n    "
                    + webhook_command(running.url, webhook_secret),
                    flush=True,
                )
                follower = threading.Thread(
                    target=follow_webhooks, args=(running.log, stop), daemon=True
                )
                follower.start()
                print(
                    "\n  Each answer of the app's auth endpoint is printed below as it comes "
                    "([auth] user, room:\n  status, reason), and each webhook event ([webhook])."
                    "\n\nReady. Press Ctrl-C to stop.",
                    flush=True,
                )
                stop.wait()
                follower.join()
                print("\nStopping…", flush=True)
    except (DevServerError, LiveblocksError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AssertionError as exc:  # the app did not start: its log says why
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
