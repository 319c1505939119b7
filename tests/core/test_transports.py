"""The clients behave the same over their default wire (libcurl) and over httpx's
own transports (``LIVEBLOCKS_AUTH_TRANSPORT=httpx``), against real loopback servers: keep-alive,
timeouts, pool limits, stale connections, event loops. The hostile cases are in
tests/reliability/test_hostile_upstream.py."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from liveblocks_auth import AsyncLiveblocks, Liveblocks, RetryPolicy, transports
from liveblocks_auth.testing.devserver import free_port
from tests.core.harness import SECRET, harnesses, scripted_server, send_json
from tests.reliability.hostile import HostileServer, answer, serve_each
from tests.wires import CLASSES, available_wires, default_wire, wire_kinds

TOKEN = b'{"token":"aaa.bbb.ccc"}'
QUICK = RetryPolicy(max_attempts=3, backoff_initial=0.01, backoff_max=0.01)
WIRES = wire_kinds()


@pytest.fixture(params=WIRES, ids=lambda p: f"{p[0]}-{p[1]}")
def wiring(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    kind, wire = request.param
    monkeypatch.setenv("LIVEBLOCKS_AUTH_TRANSPORT", wire)
    return kind, wire


@pytest.fixture
def connect(wiring: tuple[str, str]) -> Iterator[Any]:
    with harnesses(wiring[0]) as make:
        yield make


def test_the_wire_is_chosen_by_the_environment(connect: Any, wiring: tuple[str, str]) -> None:
    lb = connect("http://127.0.0.1:1")
    assert type(lb.client._wire).__name__ == CLASSES[wiring]


@pytest.mark.parametrize("value", ["", "auto", " AUTO "])
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_by_default_libcurl_where_pycurl_imports_else_aiohttp_or_httpx(
    value: str, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEBLOCKS_AUTH_TRANSPORT", value)
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with harnesses(kind) as make:
        lb = make("http://127.0.0.1:1")
        assert type(lb.client._wire).__name__ == CLASSES[(kind, default_wire(kind == "async"))]


@pytest.mark.parametrize("value", ["libcurl", "urllib3", "http"])
def test_a_value_that_names_no_wire_is_an_error_naming_the_variable(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEBLOCKS_AUTH_TRANSPORT", value)
    for client in (Liveblocks, AsyncLiveblocks):
        with pytest.raises(ValueError) as info:
            client(SECRET)
        assert str(info.value) == (
            f"LIVEBLOCKS_AUTH_TRANSPORT={value!r} names no wire: set it to curl, aiohttp, httpx "
            "or auto (the default), or unset it"
        )


def test_a_wire_whose_library_is_missing_is_an_error_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As in a venv without the [curl] and [aiohttp] extras: neither library imports.
    monkeypatch.setitem(sys.modules, "pycurl", None)
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    transports._imports.cache_clear()
    try:
        for wire, library in (("curl", "pycurl"), ("aiohttp", "aiohttp")):
            monkeypatch.setenv("LIVEBLOCKS_AUTH_TRANSPORT", wire)
            with pytest.raises(ValueError) as info:
                AsyncLiveblocks(SECRET)
            assert str(info.value) == (
                f"LIVEBLOCKS_AUTH_TRANSPORT={wire}, but {library} cannot be imported: install "
                f"the extra (pip install 'liveblocks-auth[{wire}]'), or unset "
                "LIVEBLOCKS_AUTH_TRANSPORT"
            )
        monkeypatch.setenv("LIVEBLOCKS_AUTH_TRANSPORT", "")
        client = Liveblocks(SECRET)  # the default falls back to httpx's transports
        assert type(client._wire).__name__ == "HttpcoreWire"
        client.close()
        assert type(AsyncLiveblocks(SECRET)._wire).__name__ == "AsyncHttpxWire"
    finally:
        transports._imports.cache_clear()


def test_aiohttp_asked_for_a_sync_client_is_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    # aiohttp has no blocking client: LIVEBLOCKS_AUTH_TRANSPORT=aiohttp is for async clients.
    monkeypatch.setenv("LIVEBLOCKS_AUTH_TRANSPORT", "aiohttp")
    with Liveblocks(SECRET) as client:
        assert type(client._wire).__name__ == "HttpcoreWire"


def test_a_keepalive_expiry_of_zero_reuses_no_connection(connect: Any) -> None:
    with HostileServer(serve_each(answer(TOKEN))) as upstream:
        lb = connect(upstream.url, limits=httpx.Limits(keepalive_expiry=0))
        statuses = [lb.run(lb.client.identify_user("a")).status for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert (len(upstream.requests), upstream.connections) == (3, 3)


def test_keep_alive_one_connection_for_many_calls(connect: Any) -> None:
    with scripted_server(lambda h: send_json(h, 200, TOKEN)) as upstream:
        lb = connect(upstream.url)
        assert [lb.run(lb.client.identify_user("a")).status for _ in range(20)] == [200] * 20
    assert (len(upstream.requests), upstream.connections) == (20, 1)
    _, path, headers = upstream.requests[0]
    assert (path, headers["Authorization"]) == ("/v2/identify-user", f"Bearer {SECRET}")
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"].startswith("liveblocks-auth-python/")


def test_connection_refused_is_retried_then_503_with_the_dev_server_hint(connect: Any) -> None:
    lb = connect(f"http://127.0.0.1:{free_port()}", retry=QUICK)
    answer = lb.run(lb.client.identify_user("a"))
    assert answer.status == 503
    assert "dev server" in answer.body


def test_read_timeouts_are_retried_up_to_the_attempts(connect: Any) -> None:
    release = threading.Event()
    with scripted_server(lambda h: release.wait(5)) as upstream:
        policy = RetryPolicy(max_attempts=2, backoff_initial=0.01, backoff_max=0.01)
        lb = connect(upstream.url, retry=policy, timeout=httpx.Timeout(0.3))
        answer = lb.run(lb.client.identify_user("a"))
        release.set()
    assert answer.status == 503
    assert len(upstream.requests) == 2


def test_an_exhausted_pool_fails_at_the_pool_timeout_without_retry(connect: Any) -> None:
    release = threading.Event()
    with scripted_server(lambda h: release.wait(5)) as upstream:
        lb = connect(
            upstream.url,
            retry=RetryPolicy(max_attempts=3, deadline=2.0),
            limits=httpx.Limits(max_connections=1),
            timeout=httpx.Timeout(2.0, pool=0.3),
        )

        async def timed_async() -> tuple[int, float]:
            started = time.monotonic()
            answer = await lb.client.identify_user("a")
            return answer.status, time.monotonic() - started

        def timed(_: int) -> tuple[int, float]:
            started = time.monotonic()
            return lb.client.identify_user("a").status, time.monotonic() - started

        if lb.kind == "async":

            async def together() -> list[tuple[int, float]]:
                return list(await asyncio.gather(*(timed_async() for _ in range(4))))

            results = lb.run(together())
        else:
            with ThreadPoolExecutor(4) as pool:
                results = list(pool.map(timed, range(4)))
        release.set()
    assert [status for status, _ in results] == [503] * 4
    assert len(upstream.requests) == 1  # one held the connection; the others never got one
    assert sum(1 for _, took in results if took < 0.3 + 0.4) == 3  # no retry after the wait


def test_a_connection_the_server_closed_is_replaced(connect: Any) -> None:
    def close_after_answer(handler: Any) -> None:
        send_json(handler, 200, TOKEN, {"Connection": "keep-alive"})
        handler.close_connection = True  # the server drops the connection right after

    with scripted_server(close_after_answer) as upstream:
        lb = connect(upstream.url, retry=RetryPolicy(max_attempts=1))
        statuses = []
        for _ in range(3):
            statuses.append(lb.run(lb.client.identify_user("a")).status)
            time.sleep(0.05)
    assert statuses == [200] * 3
    assert (len(upstream.requests), upstream.connections) == (3, 3)


def test_cookies_are_never_sent_back(connect: Any) -> None:
    def handler(h: Any) -> None:
        send_json(h, 200, TOKEN, {"Set-Cookie": "session=1; Path=/"})

    with scripted_server(handler) as upstream:
        lb = connect(upstream.url)
        assert [lb.run(lb.client.identify_user("a")).status for _ in range(2)] == [200, 200]
    assert all("Cookie" not in headers for _, _, headers in upstream.requests)


@pytest.mark.parametrize("env", available_wires())
def test_an_async_client_belongs_to_one_event_loop(
    env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEBLOCKS_AUTH_TRANSPORT", env)
    with scripted_server(lambda h: send_json(h, 200, TOKEN)) as upstream:
        loop = asyncio.new_event_loop()
        lb = AsyncLiveblocks(SECRET, base_url=upstream.url)
        assert loop.run_until_complete(lb.identify_user("a")).status == 200
        with pytest.raises(RuntimeError, match="another event loop"):
            asyncio.run(lb.identify_user("a"))
        loop.run_until_complete(lb.aclose())
        loop.close()


def _open_after(upstream: HostileServer, seconds: float = 2.0) -> int:
    """The connections still open once the client's closing had time to reach the server."""
    deadline = time.monotonic() + seconds
    while upstream.open_now and time.monotonic() < deadline:
        time.sleep(0.01)
    return upstream.open_now


def test_an_async_client_closes_its_connections_with_it() -> None:
    with HostileServer(serve_each(answer(TOKEN))) as upstream:

        async def go() -> tuple[int, int]:
            async with AsyncLiveblocks(SECRET, base_url=upstream.url) as lb:
                statuses = await asyncio.gather(*(lb.identify_user("a") for _ in range(3)))
                open_before = upstream.open_now
            return sum(s.status == 200 for s in statuses), open_before

        assert asyncio.run(go()) == (3, 3)  # three calls at once: three connections kept
        assert _open_after(upstream) == 0


def test_the_async_default_under_trio_answers_or_names_the_fix() -> None:
    # libcurl's and aiohttp's async wires run on asyncio only: under trio they name the fix;
    # httpx's runs under trio.
    import trio

    with HostileServer(serve_each(answer(TOKEN))) as upstream:
        lb = AsyncLiveblocks(SECRET, base_url=upstream.url)
        if default_wire(is_async=True) != "httpx":
            with pytest.raises(RuntimeError, match="httpx.AsyncHTTPTransport"):
                trio.run(lb.identify_user, "a")
            assert upstream.requests == []
        else:
            assert trio.run(lb.identify_user, "a").status == 200
            assert len(upstream.requests) == 1


def test_a_sync_client_closes_its_connections_with_it() -> None:
    with HostileServer(serve_each(answer(TOKEN))) as upstream:
        lb = Liveblocks(SECRET, base_url=upstream.url)
        assert [lb.identify_user("a").status for _ in range(3)] == [200] * 3
        assert upstream.open_now == 1  # one connection, kept alive for the three calls
        lb.close()
        assert _open_after(upstream) == 0
