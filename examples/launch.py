"""How each example app is prepared, served under its production server, and logged into.

Used by the demo command (examples/run_demo.py) and by the test suites (scenarios, browser),
so that all of them run the examples the same way.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from liveblocks_auth._service import serving
from liveblocks_auth.testing.demo import USERS, frontend_dir, frontend_page, user_label
from liveblocks_auth.testing.devserver import free_port

EXAMPLES = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def form_login(token_field: str | None) -> Callable[[httpx.Client, str], None]:
    """Log in through the example's own login form, CSRF token included when it has one."""

    def login(client: httpx.Client, username: str) -> None:
        page = client.get("/login/")
        page.raise_for_status()
        data = {"username": username}
        if token_field is not None:
            token = re.search(rf'name="{token_field}" value="([^"]+)"', page.text)
            assert token is not None, f"no {token_field} on the login page"
            data[token_field] = token.group(1)
        answer = client.post("/login/", data=data)
        assert answer.status_code in (302, 303), answer.text

    return login


@dataclass(frozen=True)
class TokenLogin:
    """How a token-based example's users log in: ``POST token_path`` (form: username, password)
    answers ``{token_field: ...}``, sent back as ``Authorization: {scheme} {token}``."""

    token_path: str
    token_field: str
    scheme: str
    me_path: str
    access_path: str


def _no_form_login(client: httpx.Client, username: str) -> None:
    raise TypeError("a token-based example has no login form: use RunningApp.credentials()")


@dataclass(frozen=True)
class ExampleApp:
    name: str
    cwd: Path
    serve: Callable[[int], list[str]]
    login: Callable[[httpx.Client, str], None] = _no_form_login
    prepare: list[list[str]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    session_cookie: str = "sessionid"
    ready_path: str = "/login/"
    #: Token-based examples (their page is the single-page app, on another origin).
    token: TokenLogin | None = None


def django_app(name: str, server: list[str], **env: str) -> ExampleApp:
    """The Django example under ``server`` (argv, with {port} filled in)."""
    return ExampleApp(
        name=name,
        cwd=EXAMPLES / "django_app",
        prepare=[
            [sys.executable, "manage.py", "migrate", "-v0"],
            [sys.executable, "manage.py", "seed_demo"],
        ],
        serve=lambda port: [part.format(port=port) for part in server],
        login=form_login("csrfmiddlewaretoken"),
        # pytest-django exports its own DJANGO_SETTINGS_MODULE: the example must not inherit it.
        env={"DJANGO_SETTINGS_MODULE": "demo_project.settings", **env},
    )


GUNICORN = str(BIN / "gunicorn")
UVICORN = str(BIN / "uvicorn")


def uvicorn(target: str, *options: str) -> Callable[[int], list[str]]:
    """``uvicorn target`` on 127.0.0.1:{port}, with ``options``."""
    return lambda port: [UVICORN, target, "--host", "127.0.0.1", "--port", str(port), *options]


APPS: dict[str, ExampleApp] = {
    "django-wsgi": django_app(
        "django-wsgi",
        f"{GUNICORN} demo_project.wsgi:application --bind 127.0.0.1:{{port}} --workers 1 "
        "--threads 4".split(),
    ),
    "flask": ExampleApp(
        name="flask",
        cwd=EXAMPLES / "flask_app",
        prepare=[[str(BIN / "flask"), "--app", "app", "seed-demo"]],
        serve=lambda port: [
            GUNICORN,
            "app:create_app()",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "8",
        ],
        login=form_login("csrf_token"),
        session_cookie="session",
    ),
    "starlette": ExampleApp(
        name="starlette",
        cwd=EXAMPLES / "starlette_app",
        prepare=[[sys.executable, "app.py", "seed-demo"]],
        serve=uvicorn("app:app", "--log-level", "warning"),
        login=form_login(None),
        session_cookie="session",
    ),
    "django-asgi": django_app(
        "django-asgi",
        f"{UVICORN} demo_project.asgi:application --host 127.0.0.1 --port {{port}} "
        "--log-level warning".split(),
        DEMO_ASYNC="1",
    ),
}


#: The token-based examples: an API, and the single-page app (examples/frontend/src/spa.js)
#: served from another origin by :func:`serve_spa`.
TOKEN_APPS: dict[str, ExampleApp] = {
    "drf": ExampleApp(
        name="drf",
        cwd=EXAMPLES / "drf_app",
        prepare=[
            [sys.executable, "api.py", "migrate", "-v0"],
            [sys.executable, "api.py", "seed-demo"],
        ],
        serve=lambda port: [
            GUNICORN,
            "api:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--access-logfile",
            "-",
        ],
        ready_path="/api/health/",
        token=TokenLogin("/api/token/", "token", "Token", "/api/me/", "/api/access/"),
    ),
    "fastapi": ExampleApp(
        name="fastapi",
        cwd=EXAMPLES / "fastapi_app",
        serve=uvicorn("app:app"),  # with its access log: each endpoint decision
        ready_path="/health",
        token=TokenLogin("/token", "access_token", "Bearer", "/me", "/access"),
    ),
}


@dataclass
class RunningApp:
    app: ExampleApp
    url: str
    log: Path
    pid: int

    @property
    def auth_url(self) -> str:
        return f"{self.url}/api/liveblocks-auth"

    def credentials(self, username: str) -> dict[str, str]:
        """What the official client sends for ``username``: ``{"cookie": ...}`` for session
        examples, ``{"authorization": ...}`` for token-based ones."""
        if self.app.token is None:
            return {"cookie": self.session_cookie(username)}
        return {"authorization": self.bearer(username)}

    def bearer(self, username: str) -> str:
        """``Authorization`` for ``username`` of a token-based example (logs in for a token)."""
        login = self.app.token
        assert login is not None, f"{self.app.name} is not token-based"
        answer = httpx.post(
            self.url + login.token_path,
            data={"username": username, "password": "demo"},
            timeout=10,
        )
        answer.raise_for_status()
        return f"{login.scheme} {answer.json()[login.token_field]}"

    def session_cookie(self, username: str) -> str:
        with httpx.Client(base_url=self.url, follow_redirects=False, timeout=10) as client:
            self.app.login(client, username)
            value = client.cookies.get(self.app.session_cookie)
        assert value, f"{self.app.name}: logging in as {username} set no session cookie"
        return f"{self.app.session_cookie}={value}"


@contextmanager
def serve_example(
    app: ExampleApp,
    base_url: str,
    workdir: Path,
    *,
    secret: str = "sk_localdev",
    port: int | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[RunningApp]:
    env = {
        **os.environ,
        "LIVEBLOCKS_SECRET_KEY": secret,
        "LIVEBLOCKS_BASE_URL": base_url,
        "DEMO_DB": str(workdir / f"{app.name}.sqlite3"),
        **app.env,
        **(env or {}),
    }
    for command in app.prepare:
        subprocess.run(command, cwd=app.cwd, env=env, check=True, capture_output=True, timeout=120)
    port = port or free_port()
    log = workdir / f"{app.name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            app.serve(port),
            cwd=app.cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"{app.name} exited:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(url + app.ready_path, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{app.name} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield RunningApp(app, url, log, process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- the single-page app, on its own origin ---------------------------------------------------


def spa_config(api_url: str, login: TokenLogin) -> dict[str, object]:
    """The single-page app's /config.json: where the API is and how to log in."""
    return {
        "api": api_url,
        "tokenPath": login.token_path,
        "tokenField": login.token_field,
        "scheme": login.scheme,
        "mePath": login.me_path,
        "accessPath": login.access_path,
        "users": [
            {"username": user.username, "name": user.name, "label": user_label(user)}
            for user in USERS.values()
        ],
    }


@contextmanager
def serve_spa(api_url: str, login: TokenLogin, port: int | None = None) -> Iterator[str]:
    """Serve the single-page app (the demo page, with spa.js) on 127.0.0.1:``port``; yields
    its origin. Another port is another origin than the API's."""
    page = frontend_page().replace(b"/static/liveblocks-demo.js", b"/static/liveblocks-spa.js")
    bundle = (frontend_dir() / "dist" / "liveblocks-spa.js").read_bytes()
    config = json.dumps(spa_config(api_url, login)).encode()
    files = {
        "/": (page, "text/html; charset=utf-8"),
        "/static/liveblocks-spa.js": (bundle, "text/javascript"),
        "/config.json": (config, "application/json"),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body, content_type = files.get(self.path.split("?", 1)[0], (b"not found", ""))
            self.send_response(200 if content_type else 404)
            self.send_header("Content-Type", content_type or "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(ThreadingHTTPServer(("127.0.0.1", port or 0), Handler)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


@contextmanager
def serve_token_example(
    app: ExampleApp,
    base_url: str,
    workdir: Path,
    *,
    secret: str = "sk_localdev",
    port: int | None = None,
    spa_port: int | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[tuple[RunningApp, str]]:
    """A token-based example and its single-page app on another origin (allowed by the API's
    CORS and the Liveblocks endpoint's ``ALLOWED_ORIGINS``); yields (the API, the SPA origin)."""
    assert app.token is not None, f"{app.name} is not token-based"
    spa_port = spa_port or free_port()
    spa_origin = f"http://127.0.0.1:{spa_port}"
    with (
        serve_example(
            app,
            base_url,
            workdir,
            secret=secret,
            port=port,
            env={"DEMO_SPA_ORIGIN": spa_origin, **(env or {})},
        ) as running,
        serve_spa(running.url, app.token, spa_port) as spa,
    ):
        yield running, spa
