"""Where the CPU of one async call goes, layer by layer, measured in one process.

Each layer adds one thing to the one before it; all call the same upstream, 32 calls in flight on
uvloop, and each is timed with ``time.process_time`` in interleaved rounds (the median is
reported: this machine's speed drifts, and interleaving shares the drift between layers):

1. the floor: an asyncio protocol over httptools (llhttp) on 32 kept-alive connections, one call
   at a time each, with a deadline timer: what the event loop and the sockets cost, no pool and
   no checks (a measuring stick, not a client anyone should ship);
2. our wire (``AsyncCurlWire.send``): libcurl driven by the event loop, plus the deadline, the
   pool timeout, the idle-bytes check, the strict head check, the size cap; beside it the wire
   taken without the ``[curl]`` extra (``AiohttpWire.send``), and httpx's (``AsyncHttpxWire.send``);
3. our client (``AsyncLiveblocks.identify_user``): argument checks, the retry loop, the token check;
4. the Starlette adapter, called in-process as ASGI (no server): the endpoint on top; and the
   Starlette ceiling the same way, for what the framework itself costs in-process.

Beside the chain, for reference: aiohttp in its leanest use (a session without timeouts, cookies
or decompression, bytes body), the library of the minimal hand-written endpoint.

The same for one blocking call (``measure_sync_layers``, in a child process: Django is configured
once per process): our wire (``CurlWire.send``, and ``HttpcoreWire.send`` without ``[curl]``), our client (``Liveblocks.identify_user``), the
Django adapter called in-process as WSGI (no server); beside them urllib3's pool in its leanest
use, and the hand-written httpx endpoint and the no-upstream ceiling called the same way.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from benchmarks.apps.common import SECRET, USER
from liveblocks_auth.transports import Outgoing

CALLS_IN_FLIGHT = 32
_BODY = json.dumps(USER).encode()
_HEADERS = {
    "Authorization": f"Bearer {SECRET}",
    "Content-Type": "application/json",
    "Accept-Encoding": "identity",
}
_ROOM = b'{"room": "acme-roadmap"}'

Call = Callable[[], Awaitable[Any]]
SyncCall = Callable[[], None]


_TIMEOUT = httpx.Timeout(5.0)
_TARGET = "/v2/identify-user"


def _identify_call(base_url: str) -> Outgoing:
    """One identify-user attempt as our wires take it (sync and async alike)."""
    return Outgoing(
        "POST", base_url + _TARGET, _TARGET, _HEADERS, _BODY, _TIMEOUT, time.monotonic() + 8, 65_536
    )


class _Floor(asyncio.Protocol):
    """One kept-alive connection answering one call at a time, parsed by httptools."""

    def __init__(self) -> None:
        import httptools

        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[int] | None = None
        self.body: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(self.parser.get_status_code())

    async def call(self, request: bytes) -> bytes:
        assert self.transport is not None
        self.body.clear()
        self.waiter = asyncio.get_running_loop().create_future()
        async with asyncio.timeout(10):
            self.transport.write(request)
            status = await self.waiter
        if status != 200:
            raise RuntimeError(f"upstream answered {status}")
        return b"".join(self.body)


async def _asgi_call(app: Any) -> None:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": _ROOM, "more_body": False}
        await asyncio.Event().wait()  # a disconnect never comes
        raise AssertionError("unreachable")

    status: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/liveblocks-auth",
        "raw_path": b"/api/liveblocks-auth",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(_ROOM)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    await app(scope, receive, send)
    if status != [200]:
        raise RuntimeError(f"the app answered {status}")


async def _measure(layers: dict[str, Call], rounds: int, per_round: int) -> dict[str, float]:
    each = max(per_round // CALLS_IN_FLIGHT, 1)

    async def worker(call: Call, count: int) -> None:
        for _ in range(count):
            await call()

    for call in layers.values():  # warm up: connections opened, caches filled
        await asyncio.gather(*(worker(call, 8) for _ in range(CALLS_IN_FLIGHT)))
    samples: dict[str, list[float]] = {name: [] for name in layers}
    for _ in range(rounds):
        for name, call in layers.items():
            start = time.process_time()
            await asyncio.gather(*(worker(call, each) for _ in range(CALLS_IN_FLIGHT)))
            spent = time.process_time() - start
            samples[name].append(spent / (each * CALLS_IN_FLIGHT) * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


def _httpx_wire(is_async: bool, base_url: str, name: str = "httpx") -> Any:
    """A wire a client takes without the [curl] extra (LIVEBLOCKS_AUTH_TRANSPORT=name)."""
    from liveblocks_auth.transports import ENV_TRANSPORT, choose_wire

    before = os.environ.get(ENV_TRANSPORT)
    os.environ[ENV_TRANSPORT] = name
    try:
        return choose_wire(is_async, base_url, None, None, None)
    finally:
        if before is None:
            del os.environ[ENV_TRANSPORT]
        else:
            os.environ[ENV_TRANSPORT] = before


async def _layers(base_url: str, rounds: int, per_round: int) -> dict[str, float]:
    import aiohttp

    from benchmarks.apps import starlette_apps
    from liveblocks_auth import AsyncLiveblocks
    from liveblocks_auth._wire_curl import AsyncCurlWire

    url = httpx.URL(base_url)
    head = "".join(f"{k}: {v}\r\n" for k, v in _HEADERS.items())
    raw = (
        f"POST {_TARGET} HTTP/1.1\r\nHost: {url.host}:{url.port}\r\n{head}"
        f"Content-Length: {len(_BODY)}\r\n\r\n"
    ).encode() + _BODY
    loop = asyncio.get_running_loop()
    floors = []
    for _ in range(CALLS_IN_FLIGHT):
        _, protocol = await loop.create_connection(_Floor, url.host, url.port or 80)
        floors.append(protocol)
    idle = list(floors)

    async def floor() -> None:
        protocol = idle.pop()
        try:
            await protocol.call(raw)
        finally:
            idle.append(protocol)

    session = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=None),
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=False,
        skip_auto_headers=("User-Agent", "Accept-Encoding"),
    )

    async def lean() -> None:
        async with session.post(base_url + _TARGET, data=_BODY, headers=_HEADERS) as answer:
            await answer.read()

    wire = AsyncCurlWire()

    async def our_wire() -> None:
        if (await wire.send(_identify_call(base_url))).status != 200:
            raise RuntimeError("upstream refused")

    httpx_wire = _httpx_wire(True, base_url)

    async def our_httpx_wire() -> None:
        if (await httpx_wire.send(_identify_call(base_url))).status != 200:
            raise RuntimeError("upstream refused")

    aiohttp_wire = _httpx_wire(True, base_url, "aiohttp")

    async def our_aiohttp_wire() -> None:
        if (await aiohttp_wire.send(_identify_call(base_url))).status != 200:
            raise RuntimeError("upstream refused")

    client = AsyncLiveblocks(SECRET, base_url=base_url)

    async def our_client() -> None:
        answer = await client.identify_user(
            "alice", group_ids=["editors"], user_info={"name": "Alice"}
        )
        if answer.status != 200:
            raise RuntimeError(answer.body)

    adapter, ceiling = starlette_apps.adapter, starlette_apps.ceiling
    try:
        async with starlette_apps.liveblocks.lifespan(adapter):
            return await _measure(
                {
                    "floor: asyncio protocol over httptools": floor,
                    "reference: aiohttp session, leanest use": lean,
                    "our wire (AsyncCurlWire.send, libcurl)": our_wire,
                    "our wire without [curl] (AiohttpWire.send, aiohttp)": our_aiohttp_wire,
                    "our wire without [curl] (AsyncHttpxWire.send, httpx)": our_httpx_wire,
                    "our client (AsyncLiveblocks.identify_user)": our_client,
                    "Starlette adapter (in-process ASGI)": lambda: _asgi_call(adapter),
                    "Starlette ceiling (in-process ASGI)": lambda: _asgi_call(ceiling),
                },
                rounds,
                per_round,
            )
    finally:
        for protocol in floors:
            if protocol.transport is not None:
                protocol.transport.close()
        await session.close()
        await wire.aclose()
        await httpx_wire.aclose()
        await aiohttp_wire.aclose()
        await client.aclose()


def measure_layers(base_url: str, rounds: int = 12, per_round: int = 2048) -> dict[str, float]:
    """CPU µs per call of each layer (median over ``rounds``), on uvloop. The Starlette apps are
    imported here: ``LIVEBLOCKS_BASE_URL`` must name ``base_url`` before."""
    import uvloop

    return uvloop.run(_layers(base_url, rounds, per_round))


ASYNC_TITLE = (
    f"One async call, layer by layer, in one process ({CALLS_IN_FLIGHT} calls in flight, uvloop; "
    "CPU µs per call, median of interleaved rounds; each layer adds one thing to the one before "
    "it, except the references and the ceiling):"
)
SYNC_TITLE = (
    "One blocking call, layer by layer, in one process (one thread; CPU µs per call, median of "
    "interleaved rounds; each layer adds one thing to the one before it, except the references "
    "and the ceiling):"
)


def _sync_layers(base_url: str, rounds: int, per_round: int) -> dict[str, float]:
    import urllib3

    from benchmarks.apps import django_app
    from liveblocks_auth import Liveblocks
    from liveblocks_auth._wire_curl import CurlWire

    url = httpx.URL(base_url)
    wire = CurlWire()

    def our_wire() -> None:
        if wire.send(_identify_call(base_url)).status != 200:
            raise RuntimeError("upstream refused")

    httpx_wire = _httpx_wire(False, base_url)

    def our_httpx_wire() -> None:
        if httpx_wire.send(_identify_call(base_url)).status != 200:
            raise RuntimeError("upstream refused")

    pool = urllib3.HTTPConnectionPool(url.host, url.port or 80, maxsize=1, retries=False)

    def lean() -> None:
        if pool.urlopen("POST", _TARGET, body=_BODY, headers=_HEADERS).status != 200:
            raise RuntimeError("upstream refused")

    client = Liveblocks(SECRET, base_url=base_url)

    def our_client() -> None:
        answer = client.identify_user("alice", group_ids=["editors"], user_info={"name": "Alice"})
        if answer.status != 200:
            raise RuntimeError(answer.body)

    def wsgi(prefix: str) -> SyncCall:
        path = prefix + "/api/liveblocks-auth"

        def call() -> None:
            environ = {
                "REQUEST_METHOD": "POST",
                "PATH_INFO": path,
                "SCRIPT_NAME": "",
                "QUERY_STRING": "",
                "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "8000",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "HTTP_HOST": "127.0.0.1:8000",
                "CONTENT_TYPE": "application/json",
                "CONTENT_LENGTH": str(len(_ROOM)),
                "wsgi.input": io.BytesIO(_ROOM),
                "wsgi.url_scheme": "http",
                "wsgi.errors": sys.stderr,
                "wsgi.multithread": False,
                "wsgi.multiprocess": True,
                "wsgi.run_once": False,
                "wsgi.version": (1, 0),
            }
            status: list[str] = []
            body = django_app.application(environ, lambda s, h: status.append(s))
            b"".join(body)
            body.close()
            if not status or not status[0].startswith("200"):
                raise RuntimeError(f"the app answered {status}")

        return call

    layers: dict[str, SyncCall] = {
        "our wire (CurlWire.send, libcurl)": our_wire,
        "our wire without [curl] (HttpcoreWire.send, httpcore)": our_httpx_wire,
        "reference: urllib3 pool, leanest use": lean,
        "our client (Liveblocks.identify_user)": our_client,
        "Django adapter (in-process WSGI)": wsgi(""),
        "reference: Django hand-written httpx (in-process WSGI)": wsgi("/handwritten"),
        "Django ceiling (in-process WSGI)": wsgi("/ceiling"),
    }
    try:
        for call in layers.values():  # warm up: connections opened, caches filled
            for _ in range(64):
                call()
        samples: dict[str, list[float]] = {name: [] for name in layers}
        for _ in range(rounds):
            for name, call in layers.items():
                start = time.process_time()
                for _ in range(per_round):
                    call()
                samples[name].append((time.process_time() - start) / per_round * 1e6)
        return {name: statistics.median(values) for name, values in samples.items()}
    finally:
        wire.close()
        httpx_wire.close()
        pool.close()
        client.close()


def measure_sync_layers(base_url: str, rounds: int = 12, per_round: int = 1024) -> dict[str, float]:
    """CPU µs per blocking call of each layer (median over ``rounds``), measured in a child
    process (Django is configured there, with the three endpoints side by side)."""
    env = {
        **os.environ,
        "LIVEBLOCKS_BASE_URL": base_url,
        "LIVEBLOCKS_SECRET_KEY": SECRET,
        "BENCH_VARIANT": "all",
        "BENCH_ASYNC": "",
    }
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    script = (
        "import json, sys; from benchmarks.layers import _sync_layers; "
        "print(json.dumps(_sync_layers(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, base_url, str(rounds), str(per_round)],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=600,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"the sync layers failed: {done.stderr[-2000:]}")
    found: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def render_layers(found: dict[str, float], title: str = ASYNC_TITLE) -> list[str]:
    lines = [
        "",
        title,
        "",
        "| layer | CPU µs per call | added |",
        "| --- | ---: | ---: |",
    ]
    previous: float | None = None
    for name, value in found.items():
        beside = "ceiling" in name or name.startswith("reference") or "without [curl]" in name
        if beside:  # not layers of the call (the other wire, references, ceilings)
            lines.append(f"| {name} | {value:.0f} | – |")
            continue
        added = "–" if previous is None else f"{value - previous:+.0f}"
        lines.append(f"| {name} | {value:.0f} | {added} |")
        previous = value
    return lines
