"""Each adapter, built in-process the same way and driven through one small interface, so a
contract test is written once and run against Django (WSGI and ASGI), Flask and Starlette."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from liveblocks_auth import LiveblocksUser, RetryPolicy
from tests.contract import ALLOWED_ORIGIN
from tests.core.harness import SECRET
from tests.reliability import users

URL = "/api/liveblocks-auth"
ADAPTERS = ["django-wsgi", "django-asgi", "flask", "starlette"]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    #: Seconds from sending to the whole answer (set by ``many``).
    elapsed: float = field(default=0.0, compare=False)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Call:
    body: Any = b'{"room": "acme-roadmap"}'
    user: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "application/json"
    method: str = "POST"

    def all_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.user is not None:
            headers["X-Test-User"] = self.user
        if self.content_type is not None:
            headers["Content-Type"] = self.content_type
        return headers


@dataclass
class Options:
    transport: Any = None
    base_url: str | None = None
    secret: str = SECRET
    retry: RetryPolicy | None = None
    timeout: Any = None
    limits: httpx.Limits | None = None


class Adapter:
    name: str

    def send(self, call: Call) -> Answer:
        raise NotImplementedError

    def post(self, body: Any = Call.body, **kwargs: Any) -> Answer:
        return self.send(Call(body=body, **kwargs))

    def many(self, calls: list[Call], workers: int = 16) -> list[Answer]:
        """Send concurrently (threads here; one event loop for the ASGI adapters), each answer
        with its own ``elapsed``."""

        def timed(call: Call) -> Answer:
            started = time.monotonic()
            answer = self.send(call)
            answer.elapsed = time.monotonic() - started
            return answer

        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(timed, calls))

    def close(self) -> None:
        pass


def _answer(status: int, headers: Iterable[tuple[str, str]], body: bytes) -> Answer:
    return Answer(status, {k.lower(): v for k, v in headers}, body)


def _body(call: Call) -> Any:
    return call.body.encode() if isinstance(call.body, str) else call.body


# --- Django ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _without_connection_signals() -> Iterator[None]:
    """What Django's test clients do: don't let request signals touch database connections."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class DjangoAdapter(Adapter):
    def __init__(self, options: Options, *, asynchronous: bool) -> None:
        from django.test import override_settings

        self.name = "django-asgi" if asynchronous else "django-wsgi"
        self.asynchronous = asynchronous
        self.path = "/async/liveblocks-auth" if asynchronous else URL
        self._override = override_settings(
            LIVEBLOCKS={
                "SECRET_KEY": options.secret,
                "BASE_URL": options.base_url,
                "TRANSPORT": options.transport,
                "RETRY": options.retry,
                "TIMEOUT": options.timeout,
                "LIMITS": options.limits,
                "GROUP_IDS": users.group_ids,
                "ORGANIZATION_ID": users.organization_id,
                "ROOM_POLICY": users.acme_only,
                "ALLOWED_ORIGINS": [ALLOWED_ORIGIN],
            }
        )
        self._override.enable()
        self._signals = _without_connection_signals()
        self._signals.__enter__()
        self.loop = asyncio.new_event_loop() if asynchronous else None

    def _headers(self, call: Call) -> dict[str, str]:
        return {k: v for k, v in call.all_headers().items() if k.lower() != "content-type"}

    async def _send_async(self, call: Call) -> Answer:
        # Django's test AsyncClient runs requests one at a time; a server (uvicorn) does not,
        # so requests go straight to Django's ASGI handler, as a server sends them.
        return await self._send_asgi(call)

    def _send_unsized_wsgi(self, call: Call) -> Answer:
        import io

        from django.core.handlers.wsgi import WSGIHandler
        from django.test.client import RequestFactory

        environ = RequestFactory()._base_environ(
            PATH_INFO=self.path,
            REQUEST_METHOD=call.method,
            CONTENT_TYPE=call.content_type or "",
            **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in self._headers(call).items()},
        )
        environ.pop("CONTENT_LENGTH", None)
        environ["wsgi.input"] = io.BytesIO(b"".join(call.body))
        started: list[Any] = []
        with _without_connection_signals():
            chunks = WSGIHandler()(
                environ, lambda status, headers: started.append((status, headers))
            )
            body = b"".join(chunks)
            chunks.close()
        status, headers = started[0]
        return _answer(int(status.split()[0]), headers, body)

    async def _send_asgi(self, call: Call) -> Answer:
        from django.core.handlers.asgi import ASGIHandler

        headers = [(k.lower().encode(), v.encode()) for k, v in call.all_headers().items()]
        if not isinstance(call.body, Iterator):
            body = _body(call) or b""
            headers.append((b"content-length", str(len(body)).encode()))
            call = Call(
                body=iter([body]),
                user=call.user,
                headers=call.headers,
                content_type=call.content_type,
                method=call.method,
            )
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": call.method,
            "scheme": "http",
            "path": self.path,
            "raw_path": b"",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), *headers],
            "client": ("127.0.0.1", 1),
            "server": ("testserver", 80),
        }
        parts = [*call.body]
        messages = [{"type": "http.request", "body": p, "more_body": True} for p in parts]
        messages.append({"type": "http.request", "body": b"", "more_body": False})
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop(0)
            await asyncio.sleep(3600)  # the client stays connected; Django cancels this wait
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await ASGIHandler()(scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return _answer(
            start["status"], [(k.decode(), v.decode()) for k, v in start["headers"]], body
        )

    def send(self, call: Call) -> Answer:
        from django.test import Client

        if self.loop is not None:
            return self.loop.run_until_complete(self._send_async(call))
        if isinstance(call.body, Iterator):  # no Content-Length: the handler, not the client
            return self._send_unsized_wsgi(call)
        response = Client().generic(
            call.method,
            self.path,
            _body(call) or b"",
            content_type=call.content_type or "",
            headers=self._headers(call),
        )
        return _answer(response.status_code, response.items(), response.content)

    def many(self, calls: list[Call], workers: int = 16) -> list[Answer]:
        if self.loop is None:
            return super().many(calls, workers)

        async def timed(call: Call) -> Answer:
            started = time.monotonic()
            answer = await self._send_async(call)
            answer.elapsed = time.monotonic() - started
            return answer

        async def gather() -> list[Answer]:
            return list(await asyncio.gather(*(timed(c) for c in calls)))

        return self.loop.run_until_complete(gather())

    def close(self) -> None:
        if self.loop is not None:
            from liveblocks_auth_django.clients import _async_clients

            for client in list(_async_clients.values()):
                self.loop.run_until_complete(client.aclose())
            self.loop.close()
        self._signals.__exit__(None, None, None)
        self._override.disable()


# --- Flask -----------------------------------------------------------------------------------


class FlaskAdapter(Adapter):
    name = "flask"

    def __init__(self, options: Options) -> None:
        from flask import Flask, request

        from liveblocks_auth_flask import LiveblocksAuth

        app = Flask(__name__)
        app.config.update(
            LIVEBLOCKS_SECRET_KEY=options.secret, LIVEBLOCKS_BASE_URL=options.base_url
        )

        def resolve() -> LiveblocksUser | None:
            user = users.parse(request.headers.get("X-Test-User"))
            if user is None:
                return None
            return LiveblocksUser(user.username, user.groups, {"name": user.display_name}, user.org)

        LiveblocksAuth(
            app,
            transport=options.transport,
            retry=options.retry,
            timeout=options.timeout,
            limits=options.limits,
            allowed_origins=[ALLOWED_ORIGIN],
            user_resolver=resolve,
            room_policy=users.acme_only,
        )
        self.app = app

    def send(self, call: Call) -> Answer:
        if isinstance(call.body, Iterator):  # no Content-Length, like a chunked upload
            import io

            response = self.app.test_client().open(
                URL,
                method=call.method,
                headers=call.all_headers(),
                input_stream=io.BytesIO(b"".join(call.body)),
                environ_overrides={"wsgi.input_terminated": True},
            )
            return _answer(response.status_code, response.headers.items(), response.get_data())
        response = self.app.test_client().open(
            URL, method=call.method, data=_body(call), headers=call.all_headers()
        )
        return _answer(response.status_code, response.headers.items(), response.get_data())

    def close(self) -> None:
        self.app.extensions["liveblocks_auth"].client.close()


# --- Starlette -------------------------------------------------------------------------------


class StarletteAdapter(Adapter):
    name = "starlette"

    def __init__(self, options: Options) -> None:
        from starlette.applications import Starlette
        from starlette.authentication import AuthCredentials, AuthenticationBackend
        from starlette.middleware import Middleware
        from starlette.middleware.authentication import AuthenticationMiddleware
        from starlette.testclient import TestClient

        from liveblocks_auth_starlette import LiveblocksAuth

        class HeaderBackend(AuthenticationBackend):
            async def authenticate(self, conn: Any) -> Any:
                user = users.parse(conn.headers.get("x-test-user"))
                return (AuthCredentials(["authenticated"]), user) if user else None

        self.liveblocks = LiveblocksAuth(
            options.secret,
            base_url=options.base_url,
            transport=options.transport,
            retry=options.retry,
            timeout=options.timeout,
            limits=options.limits,
            group_ids=users.group_ids,
            organization_id=users.organization_id,
            room_policy=users.acme_only,
            allowed_origins=[ALLOWED_ORIGIN],
        )
        app = Starlette(
            routes=self.liveblocks.routes,
            middleware=[Middleware(AuthenticationMiddleware, backend=HeaderBackend())],
            lifespan=self.liveblocks.lifespan,
        )
        self.client = TestClient(app, raise_server_exceptions=True)
        self.client.__enter__()

    def send(self, call: Call) -> Answer:
        response = self.client.request(
            call.method, URL, content=_body(call), headers=call.all_headers()
        )
        return _answer(response.status_code, response.headers.items(), response.content)

    def close(self) -> None:
        self.client.__exit__(None, None, None)


FACTORIES: dict[str, Callable[[Options], Adapter]] = {
    "django-wsgi": lambda o: DjangoAdapter(o, asynchronous=False),
    "django-asgi": lambda o: DjangoAdapter(o, asynchronous=True),
    "flask": FlaskAdapter,
    "starlette": StarletteAdapter,
}


class AdapterFactory:
    """``make(**options)`` builds the adapter under test; everything built is closed after."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.built: list[Adapter] = []

    def __call__(self, **options: Any) -> Adapter:
        adapter = FACTORIES[self.name](Options(**options))
        self.built.append(adapter)
        return adapter

    def close(self) -> None:
        for adapter in reversed(self.built):
            adapter.close()


def iterate(factory: AdapterFactory) -> Iterator[AdapterFactory]:
    try:
        yield factory
    finally:
        factory.close()
