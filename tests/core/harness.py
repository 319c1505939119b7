"""Run the same test against the sync and the async client."""

from __future__ import annotations

import asyncio
import http.server
import inspect
import socketserver
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from liveblocks_auth import AsyncLiveblocks, Liveblocks
from liveblocks_auth._service import serving

SECRET = "sk_test_0123456789abcdef"
CLOUD = "https://api.liveblocks.io"


@dataclass
class Harness:
    """A client of one kind and a way to run its calls to completion from a sync test."""

    kind: str
    client: Any
    loop: asyncio.AbstractEventLoop | None = None

    def run(self, value: Any) -> Any:
        if inspect.isawaitable(value):
            assert self.loop is not None
            return self.loop.run_until_complete(value)
        return value

    def close(self) -> None:
        if self.kind == "async":
            self.run(self.client.aclose())
        else:
            self.client.close()


def make_harness(kind: str, loop: asyncio.AbstractEventLoop | None, **kwargs: Any) -> Harness:
    kwargs.setdefault("base_url", CLOUD)
    secret = kwargs.pop("secret", SECRET)
    cls = AsyncLiveblocks if kind == "async" else Liveblocks
    return Harness(kind, cls(secret, **kwargs), loop)


@contextmanager
def harnesses(kind: str, **defaults: Any) -> Iterator[Callable[..., Harness]]:
    """``make(url, **options)`` -> a harness of ``kind`` ("sync"/"async"), each with its own
    event loop; all closed (clients and loops) when the block ends."""
    made: list[Harness] = []

    def make(url: str, **options: Any) -> Harness:
        loop = asyncio.new_event_loop() if kind == "async" else None
        harness = make_harness(kind, loop, base_url=url, **{**defaults, **options})
        made.append(harness)
        return harness

    try:
        yield make
    finally:
        for harness in made:
            harness.close()
            if harness.loop is not None:
                harness.loop.close()


@dataclass
class ScriptedServer:
    """A real HTTP/1.1 server on loopback answering from a script; counts TCP connections."""

    handler: Callable[[http.server.BaseHTTPRequestHandler], None]
    connections: int = 0
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def scripted_server(
    handler: Callable[[http.server.BaseHTTPRequestHandler], None],
) -> Iterator[ScriptedServer]:
    state = ScriptedServer(handler)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            state.connections += 1

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            state.requests.append((self.command, self.path, dict(self.headers)))
            state.handler(self)

        do_GET = do_POST = do_DELETE = _any

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    with serving(server):
        yield state


def send_json(
    handler: http.server.BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(body)


def dripping(length: int = 1000, interval: float = 0.2) -> Callable[[Any], None]:
    """A handler announcing ``length`` bytes of JSON, then sending one byte per ``interval``."""

    def drip(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(length))
        handler.end_headers()
        try:
            for _ in range(length):
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(interval)
        except OSError:
            pass

    return drip
