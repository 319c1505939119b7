"""The clients behave the same over httpx's own transports and over ours (StdlibTransport,
AsyncioTransport), against real loopback servers; our HTTP/1.1 framing against raw bytes."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from collections.abc import Iterator
from typing import Any, cast

import httpx
import pytest

from liveblocks_auth import AsyncLiveblocks, Liveblocks, RetryPolicy
from liveblocks_auth.testing.devserver import free_port
from liveblocks_auth.transports import AsyncioTransport, StdlibTransport
from tests.core.harness import SECRET, dripping, scripted_server, send_json

TOKEN = b'{"token":"aaa.bbb.ccc"}'


@pytest.fixture(params=["httpx", "asyncio"])
def transport_kind(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    monkeypatch.setenv("LIVEBLOCKS_AUTH_TRANSPORT", request.param)
    return request.param


def client(url: str, **options: Any) -> AsyncLiveblocks:
    return AsyncLiveblocks(SECRET, base_url=url, **options)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_the_default_is_asyncio_unless_told_otherwise(transport_kind: str) -> None:
    async def go() -> str:
        async with client("http://127.0.0.1:1") as lb:
            return type(lb._http._transport).__name__

    expected = "AsyncioTransport" if transport_kind == "asyncio" else "AsyncHTTPTransport"
    assert run(go()) == expected


def test_keep_alive_one_connection_for_many_calls(transport_kind: str) -> None:
    with scripted_server(lambda h: send_json(h, 200, TOKEN)) as upstream:

        async def go() -> list[int]:
            async with client(upstream.url) as lb:
                return [(await lb.identify_user("a")).status for _ in range(20)]

        assert run(go()) == [200] * 20
    assert (len(upstream.requests), upstream.connections) == (20, 1)
    assert upstream.requests[0][2]["Authorization"] == f"Bearer {SECRET}"


def test_connection_refused_is_retried_then_503(transport_kind: str) -> None:
    policy = RetryPolicy(max_attempts=3, backoff_initial=0.01, backoff_max=0.01)

    async def go() -> Any:
        async with client(f"http://127.0.0.1:{free_port()}", retry=policy) as lb:
            return await lb.identify_user("a")

    answer = run(go())
    assert answer.status == 503
    assert "dev server" in answer.body


def test_read_timeouts_are_retried_up_to_the_attempts(transport_kind: str) -> None:
    release = threading.Event()
    with scripted_server(lambda h: release.wait(5)) as upstream:
        policy = RetryPolicy(max_attempts=2, backoff_initial=0.01, backoff_max=0.01)

        async def go() -> Any:
            async with client(upstream.url, retry=policy, timeout=httpx.Timeout(0.3)) as lb:
                return await lb.identify_user("a")

        answer = run(go())
        release.set()
    assert answer.status == 503
    assert len(upstream.requests) == 2


def test_an_exhausted_pool_fails_within_the_pool_timeout_without_retry(transport_kind: str) -> None:
    release = threading.Event()
    with scripted_server(lambda h: release.wait(5)) as upstream:
        policy = RetryPolicy(max_attempts=3, deadline=2.0)

        async def go() -> tuple[list[int], list[float]]:
            async with client(
                upstream.url,
                retry=policy,
                limits=httpx.Limits(max_connections=1),
                timeout=httpx.Timeout(2.0, pool=0.3),
            ) as lb:

                async def timed() -> tuple[int, float]:
                    started = time.monotonic()
                    answer = await lb.identify_user("a")
                    return answer.status, time.monotonic() - started

                results = await asyncio.gather(*(timed() for _ in range(4)))
                return [s for s, _ in results], sorted(t for _, t in results)

        statuses, times = run(go())
        release.set()
    assert statuses == [503] * 4
    assert len(upstream.requests) == 1  # one held the connection; the others never got one
    assert all(t < 0.3 + 0.4 for t in times[:3])  # failed at the pool timeout, no retry


def assert_cut_at_a_1s_deadline(handler: Any) -> None:
    """An identify-user call to a server answering with ``handler`` ends in 503 within its
    deadline of one second."""
    with scripted_server(handler) as upstream:

        async def go() -> Any:
            async with client(upstream.url, retry=RetryPolicy(deadline=1.0)) as lb:
                return await lb.identify_user("a")

        started = time.monotonic()
        answer = run(go())
        assert time.monotonic() - started < 1.0 * 1.1 + 0.1
    assert answer.status == 503


def test_a_dripping_answer_is_cut_at_the_deadline(transport_kind: str) -> None:
    assert_cut_at_a_1s_deadline(dripping(interval=0.1))


def test_a_dripping_head_is_cut_at_the_deadline_too(transport_kind: str) -> None:
    def drip_head(handler: Any) -> None:
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            for _ in range(100):  # each byte well within the read timeout, the head never ends
                handler.wfile.write(b"a")
                handler.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    assert_cut_at_a_1s_deadline(drip_head)


def redirect_gzip_huge() -> Any:
    """A server answering a redirect with a cookie, a gzipped token, then an oversized one."""
    answers = iter(
        [
            (307, b"", {"Location": "http://127.0.0.1:1/elsewhere", "Set-Cookie": "s=1; Path=/"}),
            (200, gzip.compress(TOKEN), {"Content-Encoding": "gzip"}),
            (200, b'{"token":"a.b.c","pad":"' + b"x" * 70_000 + b'"}', {}),
        ]
    )

    def handler(h: Any) -> None:
        status, body, headers = next(answers)
        send_json(h, status, body, headers)

    return scripted_server(handler)


def assert_redirect_gzip_huge(results: list[Any], upstream: Any) -> None:
    redirect, gzipped, huge = results
    assert redirect.status == 307  # not followed
    assert (gzipped.status, gzipped.body) == (200, TOKEN.decode())  # decoded once
    assert huge.status == 502  # cut at 64 KiB, refused
    assert all("Cookie" not in headers for _, _, headers in upstream.requests)


def test_redirects_cookies_encoding_and_size(transport_kind: str) -> None:
    with redirect_gzip_huge() as upstream:

        async def go() -> list[Any]:
            async with client(upstream.url) as lb:
                return [await lb.identify_user("a") for _ in range(3)]

        results = run(go())
    assert_redirect_gzip_huge(results, upstream)


def test_the_asyncio_transport_closes_its_idle_connections() -> None:
    with scripted_server(lambda h: send_json(h, 200, TOKEN)) as upstream:
        transport = AsyncioTransport()

        async def go() -> tuple[int, list[bool]]:
            async with AsyncLiveblocks(SECRET, base_url=upstream.url, transport=transport) as lb:
                status = (await lb.identify_user("a")).status
                idle = [c for pooled in transport._idle.values() for c in pooled]
            return status, [c.transport.is_closing() for c in idle]

        assert run(go()) == (200, [True])


def test_the_asyncio_transport_belongs_to_one_event_loop() -> None:
    with scripted_server(lambda h: send_json(h, 200, TOKEN)) as upstream:
        transport = AsyncioTransport()
        request = httpx.Request("POST", upstream.url + "/v2/identify-user", content=b"{}")

        async def call() -> int:
            response = await transport.handle_async_request(request)
            await response.aread()
            return response.status_code

        assert run(call()) == 200
        with pytest.raises(RuntimeError, match="another event loop"):
            run(call())


# --- the sync client: httpx's own transport and StdlibTransport --------------------------------


@pytest.fixture(params=["httpx", "stdlib"])
def sync_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LIVEBLOCKS_AUTH_TRANSPORT", request.param)
    return str(request.param)


def test_sync_default_is_stdlib_unless_told_otherwise(sync_kind: str) -> None:
    with Liveblocks(SECRET, base_url="http://127.0.0.1:1") as lb:
        name = type(lb._http._transport).__name__
    assert name == ("StdlibTransport" if sync_kind == "stdlib" else "HTTPTransport")


def test_sync_keep_alive_refused_and_timeouts(sync_kind: str) -> None:
    with scripted_server(lambda h: send_json(h, 200, TOKEN)) as upstream:
        with Liveblocks(SECRET, base_url=upstream.url) as lb:
            assert [lb.identify_user("a").status for _ in range(20)] == [200] * 20
        assert (len(upstream.requests), upstream.connections) == (20, 1)
        assert upstream.requests[0][2]["Authorization"] == f"Bearer {SECRET}"
    policy = RetryPolicy(max_attempts=3, backoff_initial=0.01, backoff_max=0.01)
    with Liveblocks(SECRET, base_url=f"http://127.0.0.1:{free_port()}", retry=policy) as lb:
        assert lb.identify_user("a").status == 503
    release = threading.Event()
    with scripted_server(lambda h: release.wait(5)) as upstream:
        with Liveblocks(
            SECRET,
            base_url=upstream.url,
            retry=RetryPolicy(max_attempts=2, backoff_initial=0.01, backoff_max=0.01),
            timeout=httpx.Timeout(0.3),
        ) as lb:
            assert lb.identify_user("a").status == 503
        release.set()
        assert len(upstream.requests) == 2


def test_sync_pool_exhaustion_fails_at_the_pool_timeout(sync_kind: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    release = threading.Event()
    with scripted_server(lambda h: release.wait(5)) as upstream:
        lb = Liveblocks(
            SECRET,
            base_url=upstream.url,
            retry=RetryPolicy(deadline=2.0),
            limits=httpx.Limits(max_connections=1),
            timeout=httpx.Timeout(2.0, pool=0.3),
        )

        def timed(_: int) -> tuple[int, float]:
            started = time.monotonic()
            return lb.identify_user("a").status, time.monotonic() - started

        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(timed, range(4)))
        release.set()
        lb.close()
    assert [s for s, _ in results] == [503] * 4
    assert len(upstream.requests) == 1
    assert sum(1 for _, t in results if t < 0.3 + 0.4) == 3


def test_sync_redirects_cookies_encoding_size(sync_kind: str) -> None:
    with redirect_gzip_huge() as upstream, Liveblocks(SECRET, base_url=upstream.url) as lb:
        results = [lb.identify_user("a") for _ in range(3)]
    assert_redirect_gzip_huge(results, upstream)


def test_a_stale_kept_alive_connection_is_replaced(ours: str) -> None:
    served: list[int] = []

    def close_after_answer(handler: Any) -> None:
        served.append(1)
        send_json(handler, 200, TOKEN, {"Connection": "keep-alive"})
        handler.close_connection = True  # the server drops the connection right after

    with scripted_server(close_after_answer) as upstream:
        options: dict[str, Any] = {"base_url": upstream.url, "retry": RetryPolicy(max_attempts=1)}
        if ours == "stdlib":
            with Liveblocks(SECRET, transport=StdlibTransport(), **options) as lb:
                statuses = [lb.identify_user("a").status for _ in range(3)]
        else:

            async def go() -> list[int]:
                async with AsyncLiveblocks(SECRET, transport=AsyncioTransport(), **options) as lb:
                    answers = []
                    for _ in range(3):
                        answers.append((await lb.identify_user("a")).status)
                        await asyncio.sleep(0.05)  # the close arrives while the connection idles
                    return answers

            statuses = run(go())
    assert statuses == [200, 200, 200]  # no attempt wasted on the dead connection
    assert len(served) == 3


# --- our transports' HTTP/1.1 framing, against raw scripted bytes ------------------------------


class CloseAfter(bytes):
    """Scripted bytes after which the server closes the connection."""


class RawServer:
    """Answers each request on a connection with the next scripted bytes; ``None`` closes."""

    def __init__(self, answers: list[bytes | None]) -> None:
        import socket

        self.answers = list(answers)
        self.connections = 0
        self.requests: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.answers:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn, conn.makefile("rb") as reader:
                while self.answers:
                    head = b""
                    while not head.endswith(b"\r\n\r\n"):
                        line = reader.readline()
                        if not line:
                            break
                        head += line
                    if not head:
                        break
                    length = next(
                        (
                            int(x.split(b":")[1])
                            for x in head.split(b"\r\n")
                            if x.lower().startswith(b"content-length:")
                        ),
                        0,
                    )
                    self.requests.append(head + reader.read(length))
                    answer = self.answers.pop(0)
                    if answer is None:
                        break
                    conn.sendall(answer)
                    if isinstance(answer, CloseAfter):
                        break

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(params=["stdlib", "asyncio"])
def ours(request: pytest.FixtureRequest) -> str:
    """Which of our transports: the sync one or the async one."""
    return str(request.param)


def raw_calls(ours: str, answers: list[bytes | None], calls: int) -> tuple[list[Any], RawServer]:
    """``calls`` identify-user calls through our transport ``ours`` against scripted bytes."""
    server = RawServer(answers)
    options: dict[str, Any] = {
        "base_url": server.url,
        "retry": RetryPolicy(max_attempts=1),
        "timeout": httpx.Timeout(2.0),
    }
    try:
        if ours == "stdlib":
            with Liveblocks(SECRET, transport=StdlibTransport(), **options) as lb:
                results = [lb.identify_user("a") for _ in range(calls)]
        else:

            async def go() -> list[Any]:
                async with AsyncLiveblocks(SECRET, transport=AsyncioTransport(), **options) as lb:
                    return [await lb.identify_user("a") for _ in range(calls)]

            results = run(go())
    finally:
        server.close()
    return results, server


def transport_read(ours: str, url: str) -> httpx.Response:
    """One request through ``ours``' httpx interface, the whole body read."""
    request = httpx.Request("POST", url, content=b"{}", extensions={"timeout": {"read": 2.0}})
    if ours == "stdlib":
        with StdlibTransport() as transport:
            response = transport.handle_request(request)
            response.read()
            return response

    async def go() -> httpx.Response:
        async with AsyncioTransport() as transport:
            response = await transport.handle_async_request(request)
            await response.aread()
            return response

    return cast(httpx.Response, run(go()))


def test_reads_chunked_bodies_and_keeps_the_connection(ours: str) -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'5\r\n{"tok\r\n12;ext=1\r\nen":"aaa.bbb.ccc"}\r\n0\r\nX-Trailer: 1\r\n\r\n'
    )
    results, server = raw_calls(ours, [chunked, chunked], 2)
    assert [(r.status, r.body) for r in results] == [(200, TOKEN.decode())] * 2
    assert server.connections == 1
    first = server.requests[0]
    assert first.startswith(b"POST /v2/identify-user HTTP/1.1\r\n")
    assert b"\r\nAuthorization: Bearer " in first
    assert first.endswith(b"\r\n\r\n" + b'{"userId":"a"}')


def test_honours_connection_close_and_http_1_0(ours: str) -> None:
    closing = (
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(TOKEN) + TOKEN
    )
    old = b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(TOKEN) + TOKEN
    results, server = raw_calls(ours, [closing, old, old], 3)
    assert [r.status for r in results] == [200, 200, 200]
    assert server.connections == 3  # neither answer leaves the connection open for reuse


def test_reads_a_body_without_length_until_close_and_skips_1xx(ours: str) -> None:
    until_close = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n" + TOKEN
    results, server = raw_calls(ours, [CloseAfter(until_close), CloseAfter(until_close)], 2)
    assert [(r.status, r.body) for r in results] == [(200, TOKEN.decode())] * 2
    assert server.connections == 2  # a body ended by close leaves nothing to reuse


def test_decodes_deflate_and_stops_a_compression_bomb(ours: str) -> None:
    import zlib

    deflated = zlib.compress(TOKEN)
    deflate = (
        b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: %d\r\n\r\n"
        % len(deflated)
        + deflated
    )
    bomb_body = gzip.compress(b'{"token":"' + b"a" * 50_000_000 + b'"}')  # ~50 KB -> 50 MB
    bomb = (
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb_body)
        + bomb_body
    )
    results, _ = raw_calls(ours, [deflate, bomb], 2)
    assert (results[0].status, results[0].body) == (200, TOKEN.decode())
    assert results[1].status == 502  # cut at 64 KiB of decoded bytes, refused as no token


def test_large_bodies_arrive_whole(ours: str) -> None:
    body = bytes(range(256)) * 8192  # 2 MiB: the async reader pauses and resumes the socket
    chunks = b"".join(
        b"%x\r\n" % 65536 + body[i : i + 65536] + b"\r\n" for i in range(0, len(body), 65536)
    )
    answers = [
        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n",
    ]
    for answer in answers:
        server = RawServer([CloseAfter(answer)])
        try:
            response = transport_read(ours, server.url + "/big")
        finally:
            server.close()
        assert (response.status_code, len(response.content)) == (200, len(body))
        assert response.content == body


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b"SPDY/3 200 OK\r\n\r\n", httpx.RemoteProtocolError),
        (b'HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{"token":', httpx.RemoteProtocolError),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            httpx.RemoteProtocolError,
        ),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", httpx.RemoteProtocolError),
        (b"HTTP/1.1 200 OK\r\n bad folded: header\r\n\r\n", httpx.RemoteProtocolError),
        (b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", httpx.RemoteProtocolError),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", httpx.RemoteProtocolError),
        (b"", httpx.RemoteProtocolError),  # closed without a word, on a fresh connection
    ],
)
def test_refuses_malformed_answers(ours: str, answer: bytes, expected: type[Exception]) -> None:
    server = RawServer([CloseAfter(answer)])
    try:
        with pytest.raises(expected):
            transport_read(ours, server.url + "/v2/identify-user")
    finally:
        server.close()
