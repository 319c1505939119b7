"""Faster transports behind httpx's interface.

httpx's own pools spend more CPU per call than the rest of an auth endpoint together, and its
async pool collapses under concurrency (httpx issue #3215: ~150-500 req/s for a Starlette
endpoint with a pooled ``httpx.AsyncClient``). These transports keep httpx as the interface
(``httpx.Request`` in, ``httpx.Response`` out, httpx's timeouts and exceptions) and move the
bytes themselves, with the standard library only: HTTP/1.1 over a keep-alive pool, parsed by
one shared, I/O-free parser (``_http11``).

- :class:`StdlibTransport`: blocking sockets, thread-safe; the default of ``Liveblocks``.
- :class:`AsyncioTransport`: an asyncio protocol per connection, for one event loop; the
  default of ``AsyncLiveblocks``.

Set ``LIVEBLOCKS_AUTH_TRANSPORT=httpx`` to use httpx's own transports instead.

Both also offer ``exchange()``, which the clients of this package call directly with a request
already in bytes (skipping the building of ``httpx.Request``/``httpx.Response``); it is the
same code path as ``handle_request`` below that layer.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Any, Protocol

import httpx

from ._http11 import (
    ContentDecoder,
    Disconnected,
    Head,
    Headers,
    ResponseParser,
    header_fields,
    request_bytes,
)
from .config import DEFAULT_LIMITS, MAX_UPSTREAM_BODY

__all__ = [
    "AsyncioTransport",
    "StdlibTransport",
    "default_async_transport",
    "default_sync_transport",
]

ENV_TRANSPORT = "LIVEBLOCKS_AUTH_TRANSPORT"

#: (scheme, host, port): connections are pooled per origin.
Key = tuple[str, str, int]
Timeouts = dict[str, float | None]

_RECV = 65_536
#: The async reader stops reading a connection while this much is buffered and unread.
_HIGH_WATER = 4 * _RECV


def _httpx_chosen() -> bool:
    return os.environ.get(ENV_TRANSPORT, "").lower() == "httpx"


def default_sync_transport(limits: httpx.Limits | None) -> httpx.BaseTransport:
    """The transport ``Liveblocks`` uses when none is given."""
    limits = limits or DEFAULT_LIMITS
    if _httpx_chosen():
        return httpx.HTTPTransport(limits=limits)
    return StdlibTransport(limits=limits)


def default_async_transport(limits: httpx.Limits | None) -> httpx.AsyncBaseTransport:
    """The transport ``AsyncLiveblocks`` uses when none is given."""
    limits = limits or DEFAULT_LIMITS
    if _httpx_chosen():
        return httpx.AsyncHTTPTransport(limits=limits)
    return AsyncioTransport(limits=limits)


def bind_loop(
    bound: asyncio.AbstractEventLoop | None, loop: asyncio.AbstractEventLoop, what: str
) -> asyncio.AbstractEventLoop:
    """The event loop ``what`` belongs to: the first one it ran in. Connections cannot move
    between loops (they fail there in obscure ways), so another loop is refused plainly."""
    if bound is not None and bound is not loop:
        raise RuntimeError(
            f"this {what} was first used in another event loop; create one per event loop "
            "(for example in your app's lifespan)"
        )
    return loop


def origin(url: httpx.URL) -> Key:
    return (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))


def request_message(request: httpx.Request, body: bytes) -> bytes:
    """An ``httpx.Request`` as bytes on the wire (Host and Content-Length added if missing)."""
    headers = list(request.headers.raw)
    names = {name.lower() for name, _ in headers}
    if b"host" not in names:
        headers.append((b"Host", request.url.netloc))
    if body and b"content-length" not in names:
        headers.append((b"Content-Length", str(len(body)).encode()))
    return request_bytes(request.method, request.url.raw_path, headers) + body


# --- what both transports share: failures, the idle pool, the answer ---

_STALE = (Disconnected, ConnectionResetError, BrokenPipeError)
_TIMEOUTS: dict[str, type[httpx.TimeoutException]] = {
    "connect": httpx.ConnectTimeout,
    "write": httpx.WriteTimeout,
    "read": httpx.ReadTimeout,
}
_FAILURES: dict[str, type[httpx.NetworkError]] = {
    "connect": httpx.ConnectError,
    "write": httpx.WriteError,
    "read": httpx.ReadError,
}


def _as_httpx(exc: BaseException, phase: str) -> BaseException:
    """The exception httpx's own transport raises for ``exc`` in ``phase``."""
    if isinstance(exc, _STALE):
        return httpx.RemoteProtocolError(str(exc) or "server disconnected")
    if isinstance(exc, TimeoutError):
        return _TIMEOUTS[phase](str(exc) or f"{phase} timed out")
    if isinstance(exc, OSError):
        return _FAILURES[phase](str(exc))
    return exc


class _Connection(Protocol):
    parser: ResponseParser

    @property
    def usable(self) -> bool: ...

    def close(self) -> None: ...


class _Attempt:
    """``with _Attempt(connection) as attempt:`` one try at an exchange. Failures become httpx's
    exceptions for the phase reached and close the connection; a kept-alive connection found
    dead (the server closed it meanwhile) is suppressed, for one more try on a new connection,
    as urllib3 and httpcore do."""

    __slots__ = ("connection", "phase", "reused")

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.reused = connection is not None
        self.phase = "connect"

    def __enter__(self) -> _Attempt:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if exc is None:
            return False
        if self.connection is not None:
            self.connection.close()
        if self.reused and isinstance(exc, _STALE):
            return True  # once more, on a fresh connection
        mapped = _as_httpx(exc, self.phase)
        if mapped is not exc:
            raise mapped from exc
        return False


class _ReadErrors:
    """Maps socket errors while reading a body to httpx's."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if isinstance(exc, TimeoutError):
            raise httpx.ReadTimeout(str(exc) or "read timed out") from exc
        if isinstance(exc, OSError):
            raise httpx.ReadError(str(exc)) from exc


_READ_ERRORS = _ReadErrors()


class _Pool:
    """Idle keep-alive connections per origin and the open-connection slots, thread-safe."""

    _slots: threading.BoundedSemaphore | asyncio.Semaphore

    def __init__(self, limits: httpx.Limits, verify: Any) -> None:
        self._verify = verify
        self._context: ssl.SSLContext | None = None
        self._size = limits.max_connections or 1000
        self._keep = limits.max_keepalive_connections or self._size
        self._idle: dict[Key, list[Any]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def _ssl(self) -> ssl.SSLContext:
        # Built on first use: loading the CA bundle costs milliseconds plain HTTP never needs.
        if self._context is None:
            self._context = httpx.create_ssl_context(verify=self._verify)
        return self._context

    def _take(self, key: Key) -> Any:
        with self._lock:
            idle = self._idle.get(key)
            while idle:
                connection = idle.pop()
                if connection.usable:
                    return connection
                connection.close()
        return None

    def finish(self, key: Key, connection: _Connection, reusable: bool) -> None:
        """An exchange is over: keep its connection for the next one, or close it."""
        try:
            if reusable:
                with self._lock:
                    idle = self._idle.setdefault(key, [])
                    if not self._closed and len(idle) < self._keep:
                        idle.append(connection)
                        return
            connection.close()
        finally:
            self._slots.release()

    def _close_idle(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()


class _AnswerBase:
    """An answer whose head has arrived: ``status`` and raw ``headers``; its body is read by
    iterating it (content codings decoded when asked), and closing it hands the connection
    back."""

    __slots__ = ("_connection", "_decoder", "_keep", "_key", "_pool", "headers", "status")

    def __init__(
        self, pool: _Pool, key: Key, connection: _Connection, head: Head, decode: bool
    ) -> None:
        self._pool: _Pool | None = pool
        self._key = key
        self._connection = connection
        self._keep = head.keep
        self.status = head.status
        self.headers: Headers = head.headers
        decoder = None
        if decode and head.encoding:
            decoder = ContentDecoder(head.encoding, MAX_UPSTREAM_BODY + 1)
        self._decoder = decoder if decoder is not None and decoder.active else None

    @property
    def fields(self) -> dict[str, str]:
        """The headers as httpx's ``dict(response.headers)``: lower-cased names, repeated
        fields joined with commas."""
        return header_fields(self.headers)

    def _decoded(self, data: bytes) -> bytes:
        return self._decoder.decode(data) if self._decoder is not None else data

    def _release(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            # Reusable only when read to its end, and the server keeps the connection open.
            reusable = self._keep and self._connection.parser.reusable
            pool.finish(self._key, self._connection, reusable)

    def response(self) -> httpx.Response:
        return httpx.Response(
            self.status,
            headers=self.headers,
            stream=self,  # type: ignore[arg-type]
            extensions={"http_version": b"HTTP/1.1"},
        )


# --- sync: blocking sockets ---


class _SocketConnection:
    __slots__ = ("parser", "sock", "timeout")

    usable = True  # a stale one is only found out by using it (see _Attempt)

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.timeout: float | None = sock.gettimeout()
        self.parser = ResponseParser("GET")

    def settimeout(self, timeout: float | None) -> None:
        if timeout != self.timeout:  # a syscall each time otherwise
            self.sock.settimeout(timeout)
            self.timeout = timeout

    def close(self) -> None:
        self.sock.close()

    def _fill(self) -> None:
        data = self.sock.recv(_RECV)
        if data:
            self.parser.feed(data)
        else:
            self.parser.feed_eof()

    def send(self, method: str, message: bytes, timeout: float | None) -> None:
        self.parser = ResponseParser(method)
        self.settimeout(timeout)
        self.sock.sendall(message)

    def read_head(self, timeout: float | None) -> Head:
        self.settimeout(timeout)
        while (head := self.parser.head()) is None:
            self._fill()
        return head

    def read_body(self) -> bytes:
        """The next body bytes; ``b""`` at the end."""
        while not (data := self.parser.body()) and not self.parser.complete:
            self._fill()
        return data


class _Answer(_AnswerBase, httpx.SyncByteStream):
    __slots__ = ()
    _connection: _SocketConnection

    def __iter__(self) -> Iterator[bytes]:
        while True:
            with _READ_ERRORS:
                data = self._connection.read_body()
            if not data:
                return
            if data := self._decoded(data):
                yield data

    def close(self) -> None:
        self._release()


class StdlibTransport(_Pool, httpx.BaseTransport):
    """An httpx sync transport on the standard library's sockets, with a thread-safe keep-alive
    pool; a fraction of the CPU of httpcore's pool (or ``http.client``) per call.

    Same semantics as httpx's: at most ``limits.max_connections`` open, ``httpx.PoolTimeout``
    after the request's ``pool`` timeout, ``ConnectTimeout``/``WriteTimeout``/``ReadTimeout``
    per phase, ``ConnectError`` when the connection fails, ``RemoteProtocolError`` for a
    malformed answer. A kept-alive connection the server closed meanwhile is replaced once,
    transparently. TLS verifies as httpx does (``verify``, ``SSL_CERT_FILE`` honoured).
    """

    _slots: threading.BoundedSemaphore

    def __init__(self, limits: httpx.Limits = DEFAULT_LIMITS, verify: Any = True) -> None:
        super().__init__(limits, verify)
        self._slots = threading.BoundedSemaphore(self._size)

    def _open(self, key: Key, timeout: float | None) -> _SocketConnection:
        scheme, host, port = key
        sock = socket.create_connection((host, port), timeout=timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if scheme == "https":
                sock = self._ssl().wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise
        return _SocketConnection(sock)

    def exchange(
        self, key: Key, method: str, message: bytes, timeouts: Timeouts, decode: bool = False
    ) -> _Answer:
        """Send ``message`` (a whole request) to ``key``'s origin: the answer, once its head
        has arrived. Close the answer when done with it."""
        if not self._slots.acquire(timeout=timeouts.get("pool")):
            raise httpx.PoolTimeout("no free connection within the pool timeout")
        try:
            for first in (True, False):
                with _Attempt(self._take(key) if first else None) as attempt:
                    if attempt.connection is None:
                        attempt.connection = self._open(key, timeouts.get("connect"))
                    connection: _SocketConnection = attempt.connection
                    attempt.phase = "write"
                    connection.send(method, message, timeouts.get("write"))
                    attempt.phase = "read"
                    head = connection.read_head(timeouts.get("read"))
                    return _Answer(self, key, connection, head, decode)
            raise AssertionError("unreachable")  # pragma: no cover - the second try raises
        except BaseException:
            self._slots.release()
            raise

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        message = request_message(request, request.read())
        timeouts = request.extensions.get("timeout", {})
        return self.exchange(origin(request.url), request.method, message, timeouts).response()

    def close(self) -> None:
        self._close_idle()


# --- async: one asyncio protocol per connection ---


#: The parser of a connection between exchanges: complete, so any byte received is unasked for.
_NOTHING_ASKED = ResponseParser("GET")
_NOTHING_ASKED.complete = True


def _within(timeout: float | None, deadline: float | None) -> float | None:
    """``timeout``, shortened to the time left before ``deadline``; TimeoutError if none is."""
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the deadline has passed")
    return left if timeout is None or left < timeout else timeout


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class _ProtocolConnection(asyncio.Protocol):
    """A connection driven by the event loop's callbacks: bytes go straight into the parser,
    and the task waiting for them is woken; no stream objects, no extra tasks."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.parser = _NOTHING_ASKED
        self.closed = False
        self._waiter: asyncio.Future[None] | None = None
        #: The current exchange's deadline (``time.monotonic()``), capping every wait.
        self.deadline: float | None = None
        self._reading_paused = False
        self._writing_paused = False

    # the event loop's side

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.parser.complete:  # bytes nobody asked for: the connection cannot be trusted
            self.close()
            return
        self.parser.feed(data)
        if len(self.parser.buffer) > _HIGH_WATER and not self._reading_paused:
            self._reading_paused = True
            self.transport.pause_reading()  # type: ignore[union-attr]
        self._wake()

    def eof_received(self) -> bool:
        self._ended()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended()

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        self._wake()

    def _ended(self) -> None:
        self.closed = True
        if self.parser is not _NOTHING_ASKED:
            self.parser.feed_eof()
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # the exchange's side

    @property
    def usable(self) -> bool:
        return not self.closed

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    async def _wait(self, timeout: float | None) -> None:
        """Until the loop reports something (bytes, the end, room to write); TimeoutError
        after ``timeout``."""
        timeout = _within(timeout, self.deadline)
        waiter = self._waiter = self.loop.create_future()
        timer = self.loop.call_later(timeout, _expire, waiter) if timeout is not None else None
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    async def send(
        self, method: str, message: bytes, timeout: float | None, deadline: float | None
    ) -> None:
        if self.closed:
            raise Disconnected("server closed the connection")
        self.deadline = deadline
        self.parser = ResponseParser(method)
        self.transport.write(message)  # type: ignore[union-attr]
        while self._writing_paused and not self.closed:
            await self._wait(timeout)

    async def read_head(self, timeout: float | None) -> Head:
        while (head := self.parser.head()) is None:
            await self._wait(timeout)
        return head

    async def read_body(self, timeout: float | None) -> bytes:
        """The next body bytes; ``b""`` at the end."""
        while not (data := self.parser.body()) and not self.parser.complete:
            self._resume_reading()
            await self._wait(timeout)
        self._resume_reading()
        return data

    def _resume_reading(self) -> None:
        if self._reading_paused and not self.closed:
            self._reading_paused = False
            self.transport.resume_reading()  # type: ignore[union-attr]


class _AsyncAnswer(_AnswerBase, httpx.AsyncByteStream):
    __slots__ = ("_timeout",)
    _connection: _ProtocolConnection

    def __init__(
        self,
        pool: _Pool,
        key: Key,
        connection: _ProtocolConnection,
        head: Head,
        decode: bool,
        timeout: Any,
    ) -> None:
        super().__init__(pool, key, connection, head, decode)
        self._timeout = timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            with _READ_ERRORS:
                data = await self._connection.read_body(self._timeout)
            if not data:
                return
            if data := self._decoded(data):
                yield data

    async def aclose(self) -> None:
        self._release()


class AsyncioTransport(_Pool, httpx.AsyncBaseTransport):
    """An httpx async transport on asyncio's own protocols, with a keep-alive pool; a fraction
    of the CPU per call of httpx's async pool (see the README's Benchmarks). Same semantics as
    :class:`StdlibTransport` (and httpx's): limits, the ``pool``/``connect``/``write``/``read``
    timeouts and their exceptions, one transparent retry of a connection found closed.

    For one asyncio event loop (as the connections of any async client are): create it where
    the loop runs, e.g. in a lifespan. Under trio, use ``httpx.AsyncHTTPTransport``.
    """

    _slots: asyncio.Semaphore

    def __init__(self, limits: httpx.Limits = DEFAULT_LIMITS, verify: Any = True) -> None:
        super().__init__(limits, verify)
        self._slots = asyncio.Semaphore(self._size)
        self._loop: asyncio.AbstractEventLoop | None = None

    def _check_loop(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "AsyncioTransport runs on asyncio; under another event loop (trio) pass "
                "transport=httpx.AsyncHTTPTransport() or set LIVEBLOCKS_AUTH_TRANSPORT=httpx"
            ) from None
        self._loop = bind_loop(self._loop, loop, "AsyncioTransport")

    async def _open(self, key: Key, timeout: float | None) -> _ProtocolConnection:
        scheme, host, port = key
        tls = self._ssl() if scheme == "https" else None
        connecting = asyncio.get_running_loop().create_connection(
            _ProtocolConnection, host, port, ssl=tls, server_hostname=host if tls else None
        )
        _, connection = await asyncio.wait_for(connecting, timeout)
        return connection

    async def _acquire(self, timeout: float | None) -> None:
        if not self._slots.locked():
            await self._slots.acquire()  # returns at once, without a suspension
            return
        try:
            async with asyncio.timeout(timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no free connection within the pool timeout") from None

    async def exchange(
        self,
        key: Key,
        method: str,
        message: bytes,
        timeouts: Timeouts,
        decode: bool = False,
        deadline: float | None = None,
    ) -> _AsyncAnswer:
        """Send ``message`` (a whole request) to ``key``'s origin: the answer, once its head
        has arrived. Close the answer (``aclose``) when done with it. With a ``deadline``
        (``time.monotonic()``), no wait of the exchange, reading its body included, goes past
        it: the phase's timeout exception is raised there."""
        self._check_loop()
        await self._acquire(_within(timeouts.get("pool"), deadline))
        try:
            for first in (True, False):
                with _Attempt(self._take(key) if first else None) as attempt:
                    if attempt.connection is None:
                        connect = _within(timeouts.get("connect"), deadline)
                        attempt.connection = await self._open(key, connect)
                    connection: _ProtocolConnection = attempt.connection
                    attempt.phase = "write"
                    await connection.send(method, message, timeouts.get("write"), deadline)
                    attempt.phase = "read"
                    read = timeouts.get("read")
                    head = await connection.read_head(read)
                    return _AsyncAnswer(self, key, connection, head, decode, read)
            raise AssertionError("unreachable")  # pragma: no cover - the second try raises
        except BaseException:
            self._slots.release()
            raise

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        message = request_message(request, await request.aread())
        timeouts = request.extensions.get("timeout", {})
        answer = await self.exchange(origin(request.url), request.method, message, timeouts)
        return answer.response()

    async def aclose(self) -> None:
        self._close_idle()
        await asyncio.sleep(0)  # the loop finishes closing them (connection_lost) while it runs
