"""AsyncLiveblocks behaves the same over httpx's own transport and over AiohttpTransport,
against real loopback servers."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from liveblocks_auth import AsyncLiveblocks, Liveblocks, RetryPolicy
from liveblocks_auth.testing.devserver import free_port
from liveblocks_auth.transports import AiohttpTransport, StdlibTransport
from tests.core.harness import SECRET, dripping, scripted_server, send_json

TOKEN = b'{"token":"aaa.bbb.ccc"}'


@pytest.fixture(params=["httpx", "aiohttp"])
def transport_kind(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    monkeypatch.setenv("LIVEBLOCKS_AUTH_TRANSPORT", request.param)
    return request.param


def client(url: str, **options: Any) -> AsyncLiveblocks:
    return AsyncLiveblocks(SECRET, base_url=url, **options)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_the_default_is_aiohttp_unless_told_otherwise(transport_kind: str) -> None:
    async def go() -> str:
        async with client("http://127.0.0.1:1") as lb:
            return type(lb._http._transport).__name__

    expected = "AiohttpTransport" if transport_kind == "aiohttp" else "AsyncHTTPTransport"
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


def test_a_dripping_answer_is_cut_at_the_deadline(transport_kind: str) -> None:
    with scripted_server(dripping(interval=0.1)) as upstream:

        async def go() -> Any:
            async with client(upstream.url, retry=RetryPolicy(deadline=1.0)) as lb:
                return await lb.identify_user("a")

        started = time.monotonic()
        answer = run(go())
        assert time.monotonic() - started < 1.0 * 1.1 + 0.1
    assert answer.status == 503


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


def test_the_aiohttp_transport_closes_its_session() -> None:
    transport = AiohttpTransport()

    async def go() -> bool:
        async with AsyncLiveblocks(
            SECRET, base_url="http://127.0.0.1:1", transport=transport
        ) as lb:
            await lb.identify_user("a")
            session = transport._session
        return session is not None and session.closed

    assert run(go()) is True


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


def test_stdlib_transport_replaces_a_stale_kept_alive_connection() -> None:
    served: list[int] = []

    def close_after_answer(handler: Any) -> None:
        served.append(1)
        send_json(handler, 200, TOKEN, {"Connection": "keep-alive"})
        handler.close_connection = True  # the server drops the connection right after

    with scripted_server(close_after_answer) as upstream:
        transport = StdlibTransport()
        with Liveblocks(
            SECRET, base_url=upstream.url, transport=transport, retry=RetryPolicy(max_attempts=1)
        ) as lb:
            statuses = [lb.identify_user("a").status for _ in range(3)]
    assert statuses == [200, 200, 200]  # no attempt wasted on the dead connection
    assert len(served) == 3


# --- StdlibTransport's HTTP/1.1 framing, against raw scripted bytes ------------------------------


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


def stdlib_calls(answers: list[bytes | None], calls: int) -> tuple[list[Any], RawServer]:
    server = RawServer(answers)
    try:
        with Liveblocks(
            SECRET,
            base_url=server.url,
            transport=StdlibTransport(),
            retry=RetryPolicy(max_attempts=1),
            timeout=httpx.Timeout(2.0),
        ) as lb:
            results = [lb.identify_user("a") for _ in range(calls)]
    finally:
        server.close()
    return results, server


def test_stdlib_reads_chunked_bodies_and_keeps_the_connection() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'5\r\n{"tok\r\n12;ext=1\r\nen":"aaa.bbb.ccc"}\r\n0\r\nX-Trailer: 1\r\n\r\n'
    )
    results, server = stdlib_calls([chunked, chunked], 2)
    assert [(r.status, r.body) for r in results] == [(200, TOKEN.decode())] * 2
    assert server.connections == 1
    first = server.requests[0]
    assert first.startswith(b"POST /v2/identify-user HTTP/1.1\r\n")
    assert b"\r\nAuthorization: Bearer " in first or b"\r\nauthorization: Bearer " in first


def test_stdlib_honours_connection_close_and_http_1_0() -> None:
    closing = (
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(TOKEN) + TOKEN
    )
    old = b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(TOKEN) + TOKEN
    results, server = stdlib_calls([closing, old, old], 3)
    assert [r.status for r in results] == [200, 200, 200]
    assert server.connections == 3  # neither answer leaves the connection open for reuse


def test_stdlib_reads_a_body_without_length_until_close_and_skips_1xx() -> None:
    until_close = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n" + TOKEN
    results, server = stdlib_calls([CloseAfter(until_close), CloseAfter(until_close)], 2)
    assert [(r.status, r.body) for r in results] == [(200, TOKEN.decode())] * 2
    assert server.connections == 2  # a body ended by close leaves nothing to reuse


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
    ],
)
def test_stdlib_refuses_malformed_answers(answer: bytes, expected: type[Exception]) -> None:
    server = RawServer([CloseAfter(answer)])
    try:
        transport = StdlibTransport()
        request = httpx.Request(
            "POST",
            server.url + "/v2/identify-user",
            content=b"{}",
            extensions={"timeout": {"read": 2.0}},
        )
        with pytest.raises(expected):
            transport.handle_request(request).read()
        transport.close()
    finally:
        server.close()
