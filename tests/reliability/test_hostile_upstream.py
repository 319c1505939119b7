"""A hostile or broken upstream must never make a client relay a token it should not, hang past
its deadline, resend a request that may have been processed, or crash. Every case runs against
the default sync and async clients and against httpx's own transports, with the same verdict."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import gzip
import io
import json
import logging
import os
import random
import socket
import ssl
import struct
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import trustme

from liveblocks_auth import AsyncLiveblocks, Liveblocks, LiveblocksError, RetryPolicy, _wire
from liveblocks_auth._protocol import ApiRequest
from liveblocks_auth.transports import ENV_TRANSPORT
from tests.core.harness import SECRET, Harness, harnesses, make_harness
from tests.reliability.hostile import (
    TOKEN,
    HostileServer,
    Peer,
    Request,
    answer,
    serve_each,
    user_token,
)
from tests.wires import wire_kinds

#: Every wire with each client it serves: "curl-sync", "curl-async", "aiohttp-async",
#: "httpx-sync", "httpx-async" (curl where pycurl imports: the [curl] extra).
KINDS = [f"{wire}-{mode}" for mode, wire in wire_kinds()]


def kinds(mode: str) -> list[str]:
    return [kind for kind in KINDS if kind.endswith(f"-{mode}")]


#: Two attempts, a short backoff and a 2-second deadline: every case below ends well within it.
POLICY = RetryPolicy(max_attempts=2, backoff_initial=0.01, backoff_max=0.01, deadline=2.0)
SLACK = 1.0

Connect = Callable[..., Harness]


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The wire, chosen as users choose it (``LIVEBLOCKS_AUTH_TRANSPORT``), and the client."""
    monkeypatch.setenv(ENV_TRANSPORT, str(request.param).split("-")[0])
    return str(request.param)


@pytest.fixture
def connect(kind: str) -> Iterator[Connect]:
    """connect(url, **client options) -> a harness running the client of this ``kind``."""
    with harnesses("async" if kind.endswith("async") else "sync", retry=POLICY) as make:
        yield make


def timed(function: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = function()
    return result, time.monotonic() - started


# --- framing: what a strict HTTP/1.1 client refuses ------------------------------------------

CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
MALFORMED = {
    "chunk size -1": CHUNKED + b"-1\r\n" + TOKEN + b"\r\n0\r\n\r\n",
    "chunk size 0x11": CHUNKED + b"0x11\r\n" + TOKEN + b"\r\n0\r\n\r\n",
    "chunk size 1_1": CHUNKED + b"1_1\r\n" + TOKEN + b"\r\n0\r\n\r\n",
    "chunk size +11": CHUNKED + b"+11\r\n" + TOKEN + b"\r\n0\r\n\r\n",
    "chunk size of 4000 hex digits": CHUNKED + b"f" * 4000 + b"\r\n" + TOKEN + b"\r\n0\r\n\r\n",
    "transfer-encoding gzip, chunked": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n11\r\n"
        + TOKEN
        + b"\r\n0\r\n\r\n"
    ),
    "status 2000": b"HTTP/1.1 2000 OK\r\nContent-Length: 17\r\n\r\n" + TOKEN,
    "NUL in a header": answer(extra=b"X-Note: a\x00b\r\n"),
    "two different Content-Lengths": (
        b"HTTP/1.1 200 OK\r\nContent-Length: 17\r\nContent-Length: 5\r\n\r\n" + TOKEN
    ),
    "negative Content-Length": b"HTTP/1.1 200 OK\r\nContent-Length: -17\r\n\r\n" + TOKEN,
    "non-ASCII digit Content-Length": (
        b"HTTP/1.1 200 OK\r\nContent-Length: \xc2\xb2\r\n\r\n" + TOKEN
    ),
    "Content-Length with chunked": (
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n"
        + TOKEN
        + b"\r\n0\r\n\r\n"
    ),
    "a 200 KB header": answer(extra=b"X-Big: " + b"a" * 200_000 + b"\r\n"),
    "300 headers": answer(extra=b"".join(b"X-%d: 1\r\n" % i for i in range(300))),
    "not HTTP at all": b"SSH-2.0-OpenSSH_9.2\r\n" + TOKEN,
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_framing_never_yields_a_token(connect: Connect, case: str) -> None:
    with HostileServer(serve_each(MALFORMED[case])) as upstream:
        lb = connect(upstream.url)
        result, elapsed = timed(lambda: lb.run(lb.client.identify_user("alice")))
    assert result.status in (502, 503), result
    assert "a.b.c" not in result.body
    assert elapsed < POLICY.deadline + SLACK


def test_a_chunked_answer_is_read_and_the_connection_kept(connect: Connect) -> None:
    # The control case for the refusals above: well-formed chunks, 1xx skipped.
    chunked = b"HTTP/1.1 100 Continue\r\n\r\n" + CHUNKED + b"5\r\n" + TOKEN[:5]
    chunked += b"\r\nc\r\n" + TOKEN[5:] + b"\r\n0\r\n\r\n"
    with HostileServer(serve_each(chunked)) as upstream:
        lb = connect(upstream.url)
        results = [lb.run(lb.client.identify_user("alice")) for _ in range(3)]
    assert [(r.status, r.body) for r in results] == [(200, TOKEN.decode())] * 3
    assert upstream.connections == 1


def test_the_request_target_is_sent_as_built(connect: Connect) -> None:
    # The percent-encoding of ids must reach Liveblocks unchanged (Node sends %40, %2F...).
    group = b'{"type": "group", "id": "x", "members": []}'
    with HostileServer(serve_each(answer(group))) as upstream:
        lb = connect(upstream.url)
        assert lb.run(lb.client.get_group("team@acme/é?")).id == "x"
        lines = [request.line for request in upstream.requests]
    assert lines == ["GET /v2/groups/team%40acme%2F%C3%A9%3F HTTP/1.1"]


def test_a_post_without_body_is_sent_as_a_post(connect: Connect) -> None:
    # libcurl turns a transfer without body into a GET unless told otherwise (it was, once).
    with HostileServer(serve_each(answer(b'{"uploadId": "u"}'))) as upstream:
        lb = connect(upstream.url)
        result = lb.run(lb.client.call(ApiRequest("POST", "/v2/rooms/r/attachments/a/multipart/f")))
        assert result.status == 200
        [request] = upstream.requests
    assert request.line == "POST /v2/rooms/r/attachments/a/multipart/f HTTP/1.1"
    head = request.head.decode().lower().split("\r\n")
    assert "content-type: application/json" in head
    assert "content-length: 0" in head
    assert request.body == b""


# --- connection reuse ------------------------------------------------------------------------


def test_bytes_sent_while_idle_never_reach_the_next_call(connect: Connect) -> None:
    forged = answer(b'{"token":"FORGED.x.y"}')

    def script(peer: Peer) -> None:
        first = True
        while (request := peer.read_request()) is not None:
            peer.send(answer(user_token(request.json()["userId"])))
            if first and peer.index == 0:
                first = False
                time.sleep(0.05)
                peer.send(forged)  # nobody asked for this

    with HostileServer(script) as upstream:
        lb = connect(upstream.url)
        alice = lb.run(lb.client.identify_user("alice"))
        time.sleep(0.3)
        bob = lb.run(lb.client.identify_user("bob"))
    assert (alice.status, json.loads(alice.body)) == (200, {"token": "h.alice.s"})
    assert (bob.status, json.loads(bob.body)) == (200, {"token": "h.bob.s"})
    assert len(upstream.requests) == 2


@pytest.mark.parametrize("kind", kinds("async"), indirect=True)
def test_a_call_cancelled_midway_never_leaves_its_answer_to_the_next(connect: Connect) -> None:
    def script(peer: Peer) -> None:
        while (request := peer.read_request()) is not None:
            user = request.json()["userId"]
            if user == "slow":
                time.sleep(0.3)  # answered after the caller has given up
            peer.send(answer(user_token(user)))

    with HostileServer(script) as upstream:
        lb = connect(upstream.url)

        async def cancelled() -> None:
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(lb.client.identify_user("slow"), 0.1)

        lb.run(cancelled())
        time.sleep(0.4)  # the late answer has arrived by now
        result = lb.run(lb.client.identify_user("bob"))
    assert (result.status, json.loads(result.body)) == (200, {"token": "h.bob.s"})


def _drop_second_request(reply: Callable[[Request], bytes]) -> Callable[[Peer], None]:
    """Connection 0 answers its first request, reads the second and closes without a word;
    later connections answer everything."""

    def script(peer: Peer) -> None:
        count = 0
        while (request := peer.read_request()) is not None:
            count += 1
            if peer.index == 0 and count == 2:
                return
            peer.send(reply(request))

    return script


ROOM = {"id": "r", "type": "room", "defaultAccesses": [], "usersAccesses": {}}


def _room_reply(request: Request) -> bytes:
    return answer(json.dumps(ROOM).encode())


def _hang_up_after_posts(peer: Peer) -> None:
    """Every connection answers GETs, and closes without a word once it has read a POST."""
    while (request := peer.read_request()) is not None:
        if request.line.startswith("POST"):
            return
        peer.send(_room_reply(request))


def test_a_post_that_may_have_been_processed_is_never_sent_again(connect: Connect) -> None:
    # The GET leaves a kept-alive connection: the POST may travel on it (httpx) or on a new
    # one (libcurl, which resends by itself on a reused connection found closed); either way
    # the server read it, so it is never sent again.
    with HostileServer(_hang_up_after_posts) as upstream:
        lb = connect(upstream.url)
        lb.run(lb.client.get_room("r"))
        with pytest.raises(LiveblocksError) as raised:
            lb.run(lb.client.create_room("r2", default_accesses=[]))
    assert raised.value.status == 503  # not 409 for a room it created itself
    posts = [r.line for r in upstream.requests if r.line.startswith("POST")]
    assert posts == ["POST /v2/rooms HTTP/1.1"]


def test_an_idempotent_call_is_retried_on_a_new_connection(connect: Connect) -> None:
    def reply(request: Request) -> bytes:
        return answer(user_token(request.json()["userId"]))

    with HostileServer(_drop_second_request(reply)) as upstream:
        lb = connect(upstream.url)
        first = lb.run(lb.client.identify_user("alice"))
        second = lb.run(lb.client.identify_user("bob"))
    assert (first.status, second.status) == (200, 200)
    assert json.loads(second.body) == {"token": "h.bob.s"}
    assert [r.json()["userId"] for r in upstream.requests] == ["alice", "bob", "bob"]
    assert upstream.connections == 2


# --- how far a failed attempt got: "not sent" (always retried) or "may have been received" ---

GET_ROOM = ("GET", "/v2/rooms/r", None)  # idempotent: retried whatever happened
CREATE_ROOM = ("POST", "/v2/rooms", {"id": "r", "defaultAccesses": []})  # retried only unsent


def _attempt(lb: Harness, call: tuple[str, str, Any]) -> Any:
    from liveblocks_auth._protocol import ApiRequest

    method, path, body = call
    return lb.run(lb.client.call(ApiRequest(method, path, body)))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _reset(peer: Peer) -> None:
    """Read what the client sends first (a TLS ClientHello, or a request), then reset."""
    peer.sock.recv(65536)
    peer.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@pytest.mark.parametrize("call", [GET_ROOM, CREATE_ROOM], ids=["idempotent", "post"])
def test_a_refused_connection_is_not_sent_and_always_retried(
    connect: Connect, sleeps: list[float], call: tuple[str, str, Any]
) -> None:
    lb = connect(f"http://127.0.0.1:{_free_port()}")
    result = _attempt(lb, call)
    assert type(result.error) is httpx.ConnectError, result.error
    assert len(sleeps) + 1 == POLICY.max_attempts  # every attempt made, the POST's too


@pytest.mark.parametrize("call", [GET_ROOM, CREATE_ROOM], ids=["idempotent", "post"])
def test_a_connect_timeout_is_not_sent_and_always_retried(
    connect: Connect, sleeps: list[float], call: tuple[str, str, Any]
) -> None:
    # A listener whose backlog is full: the kernel drops the SYN, the connect never completes.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = [socket.socket() for _ in range(4)]
        for filler in fillers:
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
        try:
            lb = connect(f"http://127.0.0.1:{port}", timeout=httpx.Timeout(5.0, connect=0.3))
            result, elapsed = timed(lambda: _attempt(lb, call))
        finally:
            for filler in fillers:
                filler.close()
    assert type(result.error) is httpx.ConnectTimeout, result.error
    assert len(sleeps) + 1 == POLICY.max_attempts
    assert elapsed >= 0.3 * POLICY.max_attempts - 0.05  # each attempt waited its connect timeout


@pytest.mark.parametrize("call", [GET_ROOM, CREATE_ROOM], ids=["idempotent", "post"])
def test_a_reset_during_the_tls_handshake_is_not_sent_and_always_retried(
    connect: Connect, call: tuple[str, str, Any]
) -> None:
    with HostileServer(_reset) as upstream:
        lb = connect(f"https://127.0.0.1:{upstream.port}")
        result = _attempt(lb, call)
    assert type(result.error) is httpx.ConnectError, result.error
    assert upstream.connections == POLICY.max_attempts
    assert upstream.requests == []  # no byte of the request (nor its Authorization) was sent


@pytest.mark.parametrize("call", [GET_ROOM, CREATE_ROOM], ids=["idempotent", "post"])
def test_a_tls_verification_failure_is_not_sent_and_always_retried(
    connect: Connect, authority: trustme.CA, call: tuple[str, str, Any]
) -> None:
    with _tls_server(authority, "127.0.0.1") as upstream:  # an authority nobody trusts
        lb = connect(upstream.url)
        result = _attempt(lb, call)
    assert type(result.error) is httpx.ConnectError, result.error
    assert upstream.connections == POLICY.max_attempts
    assert upstream.requests == []


@pytest.mark.parametrize(
    ("call", "attempts"),
    [(GET_ROOM, POLICY.max_attempts), (CREATE_ROOM, 1)],
    ids=["idempotent", "post"],
)
def test_a_reset_after_the_request_was_written_may_have_been_received(
    connect: Connect, call: tuple[str, str, Any], attempts: int
) -> None:
    def read_then_reset(peer: Peer) -> None:
        peer.read_request()
        peer.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    with HostileServer(read_then_reset) as upstream:
        lb = connect(upstream.url)
        result = _attempt(lb, call)
    assert isinstance(result.error, httpx.TransportError)
    assert not isinstance(result.error, httpx.ConnectError | httpx.ConnectTimeout), result.error
    assert len(upstream.requests) == attempts  # the POST read once is never sent again


def test_the_cli_names_a_refused_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    from liveblocks_auth import cli

    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", SECRET)
    out, err = io.StringIO(), io.StringIO()
    url = f"http://127.0.0.1:{_free_port()}"
    argv = ["rooms", "create", "r", "--default", "none", "--base-url", url]
    code = cli.run(argv, stdout=out, stderr=err)
    assert code == cli.EXIT_LIVEBLOCKS
    assert "(ConnectError)" in err.getvalue(), err.getvalue()
    assert "Is the dev server running?" in err.getvalue()


def test_idle_connections_expire_after_keepalive_expiry(connect: Connect) -> None:
    with HostileServer(serve_each(answer())) as upstream:
        lb = connect(upstream.url, limits=httpx.Limits(keepalive_expiry=0.2))
        lb.run(lb.client.identify_user("a"))
        lb.run(lb.client.identify_user("a"))
        time.sleep(0.5)
        lb.run(lb.client.identify_user("a"))
    assert upstream.connections == 2


# --- time: every wait ends at the deadline ---------------------------------------------------


def _dripping_head(peer: Peer) -> None:
    while peer.read_request() is not None:
        for byte in b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 200:
            peer.send(bytes([byte]))
            time.sleep(0.1)


def _endless_continue(peer: Peer) -> None:
    while peer.read_request() is not None:
        for _ in range(10_000):
            peer.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            time.sleep(0.01)


def assert_cut_at_the_deadline(connect: Connect, script: Callable[[Peer], None]) -> None:
    """An identify-user call ends in 503 at its deadline, although every byte arrives well
    within the read timeout."""
    with HostileServer(script) as upstream:
        lb = connect(upstream.url, timeout=httpx.Timeout(5.0))
        result, elapsed = timed(lambda: lb.run(lb.client.identify_user("alice")))
    assert result.status == 503
    assert POLICY.deadline - 0.1 <= elapsed < POLICY.deadline + SLACK
    assert len(upstream.requests) == 1  # a missed deadline is not retried


@pytest.mark.parametrize("script", [_dripping_head, _endless_continue])
def test_a_head_that_never_ends_is_cut_at_the_deadline(
    connect: Connect, script: Callable[[Peer], None]
) -> None:
    assert_cut_at_the_deadline(connect, script)


def test_through_a_proxy_a_dripping_head_is_cut_at_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With a proxy in the environment the sync client takes an httpx.Client, which routes
    # through it: its pools (the proxy's too) are bound by the deadline like our own.
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy", ENV_TRANSPORT):
        monkeypatch.delenv(name, raising=False)
    with HostileServer(_dripping_head) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        with harnesses("sync", retry=POLICY) as make:
            lb = make("http://127.0.0.2:9", timeout=httpx.Timeout(5.0))
            assert type(lb.client._wire).__name__ == "HttpxWire"
            result, elapsed = timed(lambda: lb.run(lb.client.identify_user("alice")))
    assert result.status == 503
    assert POLICY.deadline - 0.1 <= elapsed < POLICY.deadline + SLACK
    assert len(proxy.requests) == 1  # the proxy was asked once, and not again


def _dripping_body(peer: Peer) -> None:
    while peer.read_request() is not None:
        peer.send(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(1000):
            peer.send(b" ")
            time.sleep(0.1)


def test_a_body_that_never_ends_is_cut_at_the_deadline(connect: Connect) -> None:
    assert_cut_at_the_deadline(connect, _dripping_body)


def test_an_answer_cut_short_is_503(connect: Connect) -> None:
    def script(peer: Peer) -> None:
        if peer.read_request() is not None:
            peer.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + TOKEN)

    with HostileServer(script) as upstream:
        lb = connect(upstream.url)
        result = lb.run(lb.client.identify_user("alice"))
    assert result.status == 503
    assert len(upstream.requests) == POLICY.max_attempts


# --- headers the client reads ----------------------------------------------------------------


@pytest.mark.parametrize("value", [b"\xc2\xb2", b"soon", b"-5", b"99999999999999999999999"])
def test_a_malformed_retry_after_is_ignored(connect: Connect, value: bytes) -> None:
    reply = answer(b"{}", b"503 Service Unavailable", b"Retry-After: " + value + b"\r\n")
    with HostileServer(serve_each(reply)) as upstream:
        lb = connect(upstream.url)
        result, elapsed = timed(lambda: lb.run(lb.client.identify_user("alice")))
    assert result.status == 503
    assert len(upstream.requests) == POLICY.max_attempts  # retried after the usual backoff
    assert elapsed < POLICY.deadline


@pytest.mark.parametrize(
    ("warning", "status"),
    [
        (b"a\nFORGED: line", 200),  # a bare LF ends the field: FORGED is a field of its own
        (b"a\x1b[31mred", 503),  # a control character: the answer is refused
        (b"\xe2\x80\xae reversed", 200),  # bytes above 0x7f are allowed, logged escaped
    ],
    ids=["bare-LF", "escape-sequence", "direction-override"],
)
def test_a_warning_header_cannot_forge_a_log_line(
    connect: Connect, caplog: pytest.LogCaptureFixture, warning: bytes, status: int
) -> None:
    reply = answer(extra=b"X-LB-Warn: " + warning + b"\r\n")
    with HostileServer(serve_each(reply)) as upstream:
        lb = connect(upstream.url)
        with caplog.at_level(logging.WARNING, logger="liveblocks_auth"):
            result = lb.run(lb.client.identify_user("alice"))
    assert result.status == status
    assert any("[Liveblocks]" in r.getMessage() for r in caplog.records) is (status == 200)
    for record in caplog.records:
        message = record.getMessage()
        assert message.isprintable(), message


#: What an upstream (or a proxy in between) could write to forge or hide operators' lines: a
#: line break with a fake record, terminal escapes that erase and move up a line, a lone
#: surrogate (as a JSON escape) and a direction override.
FORGERY = "a\r\n2026-12-07 ERROR FORGED: line \x1b[2K\x1b[1A \ud800 \u202e"


def _forging_answer(status: bytes, raw: bool = False) -> bytes:
    """A JSON error whose fields hold those characters as escapes (as a JSON parser reads
    them); ``raw``: after the same as raw bytes (as the body's text holds them)."""
    fields = {k: FORGERY for k in ("error", "message", "suggestion", "docs")}
    body = json.dumps(fields).encode()
    if raw:
        body = b"a\r\n2026-12-07 ERROR FORGED\x1b[2K\x1b[1A \xed\xa0\x80 " + body
    return answer(body, status)


def _assert_one_printable_line(text: str) -> None:
    assert text.isprintable(), repr(text)  # no CR, LF, ESC, lone surrogate nor override
    assert "FORGED" in text  # the upstream's words are still there, escaped


@pytest.mark.parametrize("status", [b"403 Forbidden", b"422 Unprocessable Entity"])
def test_an_error_body_cannot_forge_a_log_line(
    connect: Connect, caplog: pytest.LogCaptureFixture, status: bytes
) -> None:
    with HostileServer(serve_each(_forging_answer(status, raw=True))) as upstream:
        lb = connect(upstream.url)
        with caplog.at_level(logging.DEBUG, logger="liveblocks_auth"):
            result = lb.run(lb.client.identify_user("alice"))
    assert result.status == int(status[:3])
    logged = [r.getMessage() for r in caplog.records if "FORGED" in r.getMessage()]
    assert logged  # the answer was logged...
    for message in logged:
        _assert_one_printable_line(message)  # ...as one line that forges nothing


def test_an_error_body_cannot_forge_an_exception_message(connect: Connect) -> None:
    with HostileServer(serve_each(_forging_answer(b"404 Not Found"))) as upstream:
        lb = connect(upstream.url)
        with pytest.raises(LiveblocksError) as raised:
            lb.run(lb.client.get_room("r"))
    error = raised.value
    assert error.status == 404
    for text in (str(error), error.message, error.code, error.suggestion, error.docs):
        assert text is not None
        _assert_one_printable_line(text)


def test_upstream_text_cannot_forge_the_clis_output(monkeypatch: pytest.MonkeyPatch) -> None:
    from liveblocks_auth import cli

    room = {**ROOM, "id": FORGERY, "organizationId": FORGERY, "metadata": {FORGERY: FORGERY}}
    room["usersAccesses"] = {FORGERY: ["room:write"]}
    page = {"data": [room], "nextCursor": None}

    def reply(request: Request) -> bytes:
        path = request.line.split()[1].split("?")[0]
        if path == "/v2/rooms/missing":
            return _forging_answer(b"404 Not Found")
        if path == "/v2/rooms":
            return answer(json.dumps(page).encode())
        return answer(json.dumps(room).encode())

    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", SECRET)
    with HostileServer(serve_each(reply)) as upstream:
        for argv in (["rooms", "get", "r"], ["rooms", "list"], ["access", "r", "bob"]):
            out, err = io.StringIO(), io.StringIO()
            code = cli.run([*argv, "--base-url", upstream.url], stdout=out, stderr=err)
            assert code == cli.EXIT_OK, err.getvalue()
            lines = out.getvalue().splitlines()
            assert sum("FORGED" in line for line in lines) >= 1, out.getvalue()
            for line in lines:
                assert line.isprintable(), repr(line)
            assert not any(line.startswith("2026-12-07") for line in lines)
        out, err = io.StringIO(), io.StringIO()
        code = cli.run(["rooms", "get", "missing", "--base-url", upstream.url], stderr=err)
    assert code == cli.EXIT_LIVEBLOCKS
    (line,) = err.getvalue().splitlines()
    _assert_one_printable_line(line)


def test_transport_errors_and_webhook_ids_are_logged_escaped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from liveblocks_auth import WebhookEvent
    from liveblocks_auth._protocol import describe_error
    from liveblocks_auth._secret import Secret
    from liveblocks_auth.webhooks import unheard

    described = describe_error(
        httpx.RemoteProtocolError(FORGERY.replace("\r\n", " ")), Secret(SECRET)
    )
    _assert_one_printable_line(described)
    event = WebhookEvent(id=FORGERY, timestamp=0, type=FORGERY, data={}, raw={}, raw_body=b"")
    with caplog.at_level(logging.WARNING, logger="liveblocks_auth"):
        unheard(event, "connect a handler")
    (record,) = caplog.records
    _assert_one_printable_line(record.getMessage())


def test_a_compressed_answer_is_never_inflated(connect: Connect) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    reply = answer(bomb, extra=b"Content-Encoding: gzip\r\n")
    with HostileServer(serve_each(reply)) as upstream:
        lb = connect(upstream.url)
        tracemalloc.start()
        try:
            result = lb.run(lb.client.identify_user("alice"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.status == 502  # not a token: we asked for identity and read the raw bytes
    assert peak < 8_000_000
    assert upstream.requests[0].head.lower().count(b"accept-encoding: identity") == 1


def test_a_redirect_is_not_followed_with_the_secret(connect: Connect) -> None:
    with HostileServer(serve_each(answer())) as elsewhere:
        moved = b"Location: " + elsewhere.url.encode() + b"/v2/identify-user\r\n"
        reply = answer(b"", b"307 Temporary Redirect", moved)
        with HostileServer(serve_each(reply)) as upstream:
            lb = connect(upstream.url)
            result = lb.run(lb.client.identify_user("alice"))
    assert result.status != 200
    assert elsewhere.requests == []


# --- answer sizes ----------------------------------------------------------------------------


def test_a_page_of_100_large_rooms_is_read_whole(connect: Connect) -> None:
    rooms = [
        {**ROOM, "id": f"room-{i}", "metadata": {"description": "x" * 1400}} for i in range(100)
    ]
    page = json.dumps({"data": rooms, "nextCursor": None}).encode()
    with HostileServer(serve_each(answer(page))) as upstream:
        lb = connect(upstream.url)
        listed = lb.run(_collect(lb, page_size=100))
    assert [room.id for room in listed] == [f"room-{i}" for i in range(100)]


async def _agather(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


def _collect(lb: Harness, **options: Any) -> Any:
    pages = lb.client.list_rooms(**options)
    return _agather(pages) if lb.kind == "async" else list(pages)


def test_a_token_answer_over_its_cap_is_refused(connect: Connect) -> None:
    huge = b'{"token":"a.b.c","pad":"' + b"x" * 70_000 + b'"}'
    with HostileServer(serve_each(answer(huge))) as upstream:
        lb = connect(upstream.url)
        result = lb.run(lb.client.identify_user("alice"))
    assert result.status == 502


# --- TLS -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def _tls_server(authority: trustme.CA, *hosts: str) -> HostileServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(*hosts).configure_cert(context)
    return HostileServer(serve_each(answer()), tls=context)


@pytest.mark.parametrize(
    ("hosts", "trusted", "accepted"),
    [
        (("127.0.0.1",), True, True),  # the control: a certificate we trust, for this host
        (("127.0.0.1",), False, False),  # self-signed / unknown authority
        (("api.example.com",), True, False),  # trusted, but for another host
    ],
    ids=["trusted", "unknown-authority", "wrong-host"],
)
def test_tls_fails_closed(
    kind: str,
    authority: trustme.CA,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    hosts: tuple[str, ...],
    trusted: bool,
    accepted: bool,
) -> None:
    if trusted:
        bundle = tmp_path / "ca.pem"
        authority.cert_pem.write_to_path(str(bundle))
        monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    with _tls_server(authority, *hosts) as upstream:
        lb = _harness(kind, upstream.url)
        try:
            result = lb.run(lb.client.identify_user("alice"))
        finally:
            lb.close()
    assert (result.status == 200) is accepted
    # Refused before any byte of the request (and its Authorization header) was sent.
    assert len(upstream.requests) == (1 if accepted else 0)


def _harness(kind: str, url: str) -> Harness:
    # Built after SSL_CERT_FILE is set: transports read it when they are created.
    is_async = kind.endswith("async")
    options: dict[str, Any] = {"retry": POLICY}
    loop = asyncio.new_event_loop() if is_async else None
    return make_harness("async" if is_async else "sync", loop, base_url=url, **options)


# --- processes and threads -------------------------------------------------------------------


def _echo(request: Request) -> bytes:
    time.sleep(random.uniform(0, 0.002))  # interleave the children's calls
    return answer(user_token(request.json()["userId"]))


def _child_calls(lb: Harness, user: str, count: int) -> int:
    wrong = 0
    for _ in range(count):
        result = lb.run(lb.client.identify_user(user))
        if result.status != 200 or json.loads(result.body)["token"] != f"h.{user}.s":
            wrong += 1
    return wrong


def test_a_client_used_before_fork_shares_no_connection_with_its_children(
    connect: Connect, kind: str
) -> None:
    with HostileServer(serve_each(_echo)) as upstream:
        lb = connect(upstream.url)
        assert _child_calls(lb, "parent", 5) == 0  # the parent now holds open connections
        children = []
        for n in range(3):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: report the wrong answers through the pipe, then leave
                code = 1
                try:
                    if lb.loop is not None:
                        lb.loop = asyncio.new_event_loop()  # a child runs its own loop
                    os.write(write, b"%d" % _child_calls(lb, f"child{n}", 50))
                    code = 0
                finally:
                    os._exit(code)
            os.close(write)
            children.append((pid, read))
        reports = []
        for pid, read in children:
            _, status = os.waitpid(pid, 0)
            reports.append((os.waitstatus_to_exitcode(status), os.read(read, 100)))
            os.close(read)
        assert _child_calls(lb, "parent", 5) == 0  # and the parent's pool still works
    assert reports == [(0, b"0")] * 3


def test_a_child_leaving_never_ends_its_parents_tls_connection(
    connect: Connect,
    authority: trustme.CA,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Freeing a libcurl handle ends its connection with a TLS close_notify: written by a child
    # with its stale copy of the parent's session, it would break the parent's connection.
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    with _tls_server(authority, "127.0.0.1") as upstream:
        lb = connect(upstream.url)
        assert lb.run(lb.client.identify_user("parent")).status == 200
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                if lb.loop is not None:
                    lb.loop = asyncio.new_event_loop()
                ok = lb.run(lb.client.identify_user("child")).status == 200
                # The worst an exit can do: every reference the package keeps is dropped.
                _wire._ABANDONED.clear()
                gc.collect()
                code = 0 if ok else 2
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        time.sleep(0.2)  # whatever the child sent has reached the server
        statuses = [lb.run(lb.client.identify_user("parent")).status for _ in range(3)]
    assert os.waitstatus_to_exitcode(status) == 0
    assert statuses == [200] * 3
    assert upstream.connections == 2  # the parent's, still in use, and the child's own


def test_a_user_async_transport_used_before_fork_is_refused_in_the_child() -> None:
    with HostileServer(serve_each(_echo)) as upstream:
        loop = asyncio.new_event_loop()
        client = AsyncLiveblocks(
            SECRET, base_url=upstream.url, transport=httpx.AsyncHTTPTransport()
        )
        assert loop.run_until_complete(client.identify_user("parent")).status == 200
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                try:
                    asyncio.run(client.identify_user("child"))
                    os.write(write, b"used")
                except RuntimeError as error:
                    os.write(write, str(error).encode()[:500])
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        os.waitpid(pid, 0)
        message = os.read(read, 1000).decode()
        os.close(read)
        loop.run_until_complete(client.aclose())
        loop.close()
    assert "fork" in message
    assert "transport" in message
    assert upstream.requests[-1].json()["userId"] == "parent"


@pytest.mark.parametrize("kind", kinds("sync"), indirect=True)
def test_200_threads_20000_calls_each_get_their_own_token(connect: Connect) -> None:
    with HostileServer(serve_each(lambda r: answer(user_token(r.json()["userId"])))) as upstream:
        # 10 threads per connection: the wait for one is long, and not what is tested here
        # (the pool is a LIFO queue: a thread may wait past a short pool timeout). The server's
        # threads share one GIL with the 200 callers, so an answer may take seconds to be
        # written: a 5 s read timeout once expired in CI, and the harmless retry that followed
        # made 20,001 requests. Timeouts are not what is tested here either.
        # No keep-alive expiry either: a connection idle past it is closed and replaced, and the
        # server, which counts a closed one until its thread reads the EOF, once saw 21 open at
        # once in a loaded matrix session. The pool's limit is what is tested.
        lb = connect(
            upstream.url,
            limits=httpx.Limits(max_connections=20, keepalive_expiry=None),
            timeout=httpx.Timeout(30.0, pool=60.0),
            retry=RetryPolicy(deadline=60.0),
        )
        client: Liveblocks = lb.client
        wrong: list[str] = []

        def work(n: int) -> None:
            user = f"user-{n}"
            for _ in range(100):
                result = client.identify_user(user)
                if result.status != 200 or json.loads(result.body)["token"] != f"h.{user}.s":
                    wrong.append(f"{user}: {result.status} {result.body[:60]}")

        threads = [threading.Thread(target=work, args=(n,)) for n in range(200)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert wrong == []
    assert len(upstream.requests) == 20_000
    assert upstream.peak <= 20  # never more open at once than the pool allows


# --- the secret in tracebacks ----------------------------------------------------------------


def _frames(error: BaseException) -> Iterator[Any]:
    """Every frame of ``error``'s traceback and of the exceptions chained to it."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        tb = current.__traceback__
        while tb is not None:
            yield tb.tb_frame
            tb = tb.tb_next
        pending += [current.__cause__, current.__context__]


def _hang_up(peer: Peer) -> None:
    peer.read_request()  # then close without a word


@pytest.mark.parametrize("script", [_hang_up, serve_each(b"HTTP/1.1 200 OK\r\nX: \x00\r\n\r\n")])
def test_no_traceback_frame_holds_the_secret_in_the_clear(
    connect: Connect, script: Callable[[Peer], None]
) -> None:
    from liveblocks_auth._protocol import identify_user_request

    with HostileServer(script) as upstream:
        lb = connect(upstream.url, retry=RetryPolicy(max_attempts=1))
        result = lb.run(lb.client.call(identify_user_request("alice")))
    assert result.error is not None
    frames = list(_frames(result.error))
    assert frames  # the error was raised somewhere: there is a traceback to inspect
    for frame in frames:
        for name, value in frame.f_locals.items():
            if type(value) in (str, bytes, bytearray):
                clear = SECRET.encode() if not isinstance(value, str) else SECRET
                assert clear not in value, f"{frame.f_code.co_name}: {name}"
            assert SECRET not in repr(value), f"{frame.f_code.co_name}: {name}"
