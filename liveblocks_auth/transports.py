"""Faster transports behind httpx's interface.

httpx's default async pool collapses under concurrency (an open httpx issue, #3215): measured
here, a Starlette endpoint with a pooled ``httpx.AsyncClient`` does ~150-500 req/s where the same
endpoint over aiohttp does over 1,000. :class:`AiohttpTransport` keeps httpx as the interface
(requests, responses, timeouts, exceptions) and moves the bytes with aiohttp.
``AsyncLiveblocks`` uses it by default when aiohttp is installed (the ``starlette`` and ``fast``
extras). :class:`StdlibTransport` does the same for the sync ``Liveblocks`` over the standard
library's ``http.client`` with a keep-alive pool, which spends less CPU per call than httpcore's
sync pool (see BENCHMARKS.md); ``Liveblocks`` uses it by default. Set
``LIVEBLOCKS_AUTH_TRANSPORT=httpx`` to use httpx's own transports for both.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from .config import DEFAULT_LIMITS

__all__ = [
    "AiohttpTransport",
    "StdlibTransport",
    "aiohttp_available",
    "default_async_transport",
    "default_sync_transport",
]

ENV_TRANSPORT = "LIVEBLOCKS_AUTH_TRANSPORT"


def aiohttp_available() -> bool:
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return False
    return True


def default_async_transport(limits: httpx.Limits | None) -> httpx.AsyncBaseTransport:
    """The transport AsyncLiveblocks uses when none is given."""
    limits = limits or DEFAULT_LIMITS
    if os.environ.get(ENV_TRANSPORT, "").lower() == "httpx" or not aiohttp_available():
        return httpx.AsyncHTTPTransport(limits=limits)
    return AiohttpTransport(limits=limits)


class _Stream(httpx.AsyncByteStream):
    def __init__(self, response: Any, release: Any) -> None:
        self._response = response
        self._release = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        import aiohttp

        try:
            async for chunk in self._response.content.iter_chunked(65536):
                yield chunk
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "read timed out") from exc
        except aiohttp.ClientPayloadError as exc:
            raise httpx.RemoteProtocolError(str(exc)) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise httpx.ReadError(str(exc)) from exc

    async def aclose(self) -> None:
        self._response.release()
        self._release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx async transport that sends with one pooled ``aiohttp.ClientSession``.

    Same semantics as httpx's: ``limits`` bound the open connections, and waiting longer than the
    request's ``pool`` timeout raises ``httpx.PoolTimeout``; ``connect``/``read`` timeouts raise
    ``httpx.ConnectTimeout``/``httpx.ReadTimeout``; connection failures ``httpx.ConnectError``.
    No cookies are kept and redirects are never followed (httpx decides both above us).
    """

    def __init__(self, limits: httpx.Limits = DEFAULT_LIMITS, verify: Any = True) -> None:
        self._limits = limits
        self._ssl = httpx.create_ssl_context(verify=verify) if verify else False
        self._session: Any = None
        self._slots: asyncio.Semaphore | None = None

    def _open(self) -> Any:
        import aiohttp

        if self._session is None:
            size = self._limits.max_connections
            connector = aiohttp.TCPConnector(
                limit=0,  # our semaphore bounds connections, with httpx's pool-timeout semantics
                limit_per_host=0,
                keepalive_timeout=self._limits.keepalive_expiry or 5.0,
                ssl=self._ssl,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,  # httpx decodes Content-Encoding, once
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
            )
            self._slots = asyncio.Semaphore(size) if size else None
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import aiohttp

        session = self._open()
        timeouts = request.extensions.get("timeout", {})
        slots = self._slots
        if slots is not None:
            try:
                await asyncio.wait_for(slots.acquire(), timeouts.get("pool"))
            except TimeoutError:
                raise httpx.PoolTimeout("no free connection within the pool timeout") from None
        released = False

        def release() -> None:
            nonlocal released
            if slots is not None and not released:
                released = True
                slots.release()

        try:
            response = await session.request(
                request.method,
                str(request.url),
                data=await request.aread(),
                headers=[
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in request.headers.raw  # the names as written, not lower-cased
                    if k.lower() != b"host"
                ],
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    sock_connect=timeouts.get("connect"),
                    sock_read=timeouts.get("read"),
                ),
            )
        except BaseException as exc:
            release()
            raise _translate(exc) from exc
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers]
        return httpx.Response(
            response.status,
            headers=headers,
            stream=_Stream(response, release),
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _translate(exc: BaseException) -> BaseException:
    import aiohttp

    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(str(exc) or "connect timed out")
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return httpx.ReadTimeout(str(exc) or "read timed out")
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return httpx.ReadTimeout(str(exc) or "timed out")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(str(exc))
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(str(exc) or "server disconnected")
    if isinstance(exc, aiohttp.ClientError | OSError):
        return httpx.ReadError(str(exc))
    return exc


# --- sync: HTTP/1.1 over the standard library's sockets, pooled ---

_MAX_LINE = 65_536
_MAX_HEADERS = 100
_NO_BODY = frozenset({204, 304})


class _Connection:
    """One HTTP/1.1 connection: a request written in one ``sendall``, the answer read through a
    buffered reader. The framing is the small subset an API client needs (Content-Length,
    chunked, or until close); anything else is a ``RemoteProtocolError``."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.reader = sock.makefile("rb")
        self.timeout: float | None = sock.gettimeout()

    def settimeout(self, timeout: float | None) -> None:
        if timeout != self.timeout:  # a syscall each time otherwise
            self.sock.settimeout(timeout)
            self.timeout = timeout

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def readline(self) -> bytes:
        line = self.reader.readline(_MAX_LINE + 1)
        if len(line) > _MAX_LINE:
            raise httpx.RemoteProtocolError("response line too long")
        return line

    def read_head(self) -> tuple[int, list[tuple[bytes, bytes]], bool]:
        """Status, headers and whether the server keeps the connection open."""
        while True:
            line = self.readline()
            if not line:
                raise _Disconnected("server closed the connection without answering")
            version, _, rest = line.partition(b" ")
            code = rest[:3]
            if not (version.startswith(b"HTTP/1.") and code.isdigit() and len(code) == 3):
                raise httpx.RemoteProtocolError(f"malformed status line {line[:80]!r}")
            status = int(code)
            headers = self._read_headers()
            if not 100 <= status < 200:
                break  # 1xx interim answers are skipped
        tokens = b",".join(v for n, v in headers if n.lower() == b"connection").lower()
        keep = b"close" not in tokens if version == b"HTTP/1.1" else b"keep-alive" in tokens
        return status, headers, keep

    def _read_headers(self) -> list[tuple[bytes, bytes]]:
        headers: list[tuple[bytes, bytes]] = []
        while (line := self.readline()) not in (b"\r\n", b"\n"):
            if not line:
                raise httpx.RemoteProtocolError("connection closed inside the response headers")
            if len(headers) >= _MAX_HEADERS:
                raise httpx.RemoteProtocolError("too many response headers")
            name, colon, value = line.partition(b":")
            if not colon or not name or name != name.strip() or line[:1] in b" \t":
                raise httpx.RemoteProtocolError(f"malformed response header {line[:80]!r}")
            headers.append((name, value.strip()))
        return headers


class _Disconnected(Exception):
    """The server closed a connection before answering (a stale kept-alive one, usually)."""


def _framing(method: str, status: int, headers: list[tuple[bytes, bytes]]) -> int | None:
    """Body length: a number, -1 for chunked, None for "until the server closes"."""
    if method == "HEAD" or status in _NO_BODY:
        return 0
    codings = b",".join(v for n, v in headers if n.lower() == b"transfer-encoding")
    if codings:
        if codings.lower().rsplit(b",", 1)[-1].strip() != b"chunked":
            raise httpx.RemoteProtocolError("unsupported Transfer-Encoding")
        return -1
    lengths = {v for n, v in headers if n.lower() == b"content-length"}
    if not lengths:
        return None
    if len(lengths) > 1 or not next(iter(lengths)).isdigit():
        raise httpx.RemoteProtocolError("invalid Content-Length")
    return int(next(iter(lengths)))


class _SyncStream(httpx.SyncByteStream):
    def __init__(self, connection: _Connection, length: int | None, done: Any) -> None:
        self._connection = connection
        self._length = length
        self._complete = length == 0
        self._done = done

    def _chunks(self) -> Iterator[bytes]:
        reader = self._connection.reader
        if self._length is None:  # until the server closes
            while chunk := reader.read1(65536):
                yield chunk
        elif self._length >= 0:
            remaining = self._length
            while remaining:
                chunk = reader.read1(min(remaining, 65536))
                if not chunk:
                    raise httpx.RemoteProtocolError("connection closed inside the response body")
                remaining -= len(chunk)
                yield chunk
        else:
            while size := self._chunk_size():
                data = reader.read(size)
                if len(data) < size or reader.read(2) not in (b"\r\n",):
                    raise httpx.RemoteProtocolError("malformed chunked response body")
                yield data
            while self._connection.readline() not in (b"\r\n", b"\n"):  # trailers
                pass
        self._complete = True

    def _chunk_size(self) -> int:
        line = self._connection.readline().split(b";", 1)[0].strip()
        try:
            return int(line, 16)
        except ValueError:
            raise httpx.RemoteProtocolError("malformed chunk size") from None

    def __iter__(self) -> Iterator[bytes]:
        if self._complete:
            return
        try:
            yield from self._chunks()
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "read timed out") from exc
        except OSError as exc:
            raise httpx.ReadError(str(exc)) from exc

    def close(self) -> None:
        done, self._done = self._done, None
        if done is not None:
            # Reusable only when the body was read to its end (and the server keeps it open).
            done(self._complete and self._length is not None)


def _head(request: httpx.Request, body: bytes) -> bytes:
    lines = [f"{request.method} {request.url.raw_path.decode('ascii')} HTTP/1.1".encode()]
    names = set()
    for name, value in request.headers.raw:
        if b"\r" in value or b"\n" in value or b"\r" in name or b"\n" in name:
            raise httpx.LocalProtocolError("illegal header value")
        names.add(name.lower())
        lines.append(name + b": " + value)
    if b"host" not in names:
        lines.append(b"Host: " + request.url.netloc)
    if body and b"content-length" not in names:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    lines.append(b"\r\n")
    return b"\r\n".join(lines)


_STALE = (_Disconnected, ConnectionResetError, BrokenPipeError)
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


class StdlibTransport(httpx.BaseTransport):
    """An httpx sync transport on the standard library's sockets, with a thread-safe keep-alive
    pool; it spends a fraction of the CPU of httpcore's pool (or ``http.client``) per call.

    Same semantics as httpx's: at most ``limits.max_connections`` open, ``httpx.PoolTimeout``
    after the request's ``pool`` timeout, ``ConnectTimeout``/``WriteTimeout``/``ReadTimeout``
    per phase, ``ConnectError`` when the connection fails, ``RemoteProtocolError`` for a
    malformed answer. A kept-alive connection the server closed meanwhile is replaced once,
    transparently (as urllib3 and httpcore do). TLS verifies as httpx does (``SSL_CERT_FILE``
    honoured).
    """

    def __init__(self, limits: httpx.Limits = DEFAULT_LIMITS, verify: Any = True) -> None:
        self._ssl = httpx.create_ssl_context(verify=verify) if verify else None
        size = limits.max_connections or 1000
        self._slots = threading.BoundedSemaphore(size)
        self._keep = limits.max_keepalive_connections or size
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._lock = threading.Lock()

    def _open(self, key: tuple[str, str, int], timeout: float | None) -> _Connection:
        scheme, host, port = key
        sock = socket.create_connection((host, port), timeout=timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if scheme == "https":
                context = self._ssl or ssl._create_unverified_context()  # noqa: S323 - verify=False
                sock = context.wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise
        return _Connection(sock)

    def _idle_connection(self, key: tuple[str, str, int]) -> _Connection | None:
        with self._lock:
            idle = self._idle.get(key)
            return idle.pop() if idle else None

    def _give_back(self, key: tuple[str, str, int], connection: _Connection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self._keep:
                idle.append(connection)
                return
        connection.close()

    def _exchange(
        self, key: tuple[str, str, int], message: bytes, timeouts: dict[str, Any]
    ) -> tuple[_Connection, int, list[tuple[bytes, bytes]], bool]:
        for attempt in (1, 2):
            connection = self._idle_connection(key) if attempt == 1 else None
            reused = connection is not None
            phase = "connect"
            try:
                if connection is None:
                    connection = self._open(key, timeouts.get("connect"))
                phase = "write"
                connection.settimeout(timeouts.get("write"))
                connection.sock.sendall(message)
                phase = "read"
                connection.settimeout(timeouts.get("read"))
                return (connection, *connection.read_head())
            except BaseException as exc:
                if connection is not None:
                    connection.close()
                if reused and isinstance(exc, _STALE):
                    continue  # a stale kept-alive connection: once more on a fresh one
                mapped = _as_httpx(exc, phase)
                if mapped is exc:
                    raise
                raise mapped from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        if not self._slots.acquire(timeout=timeouts.get("pool")):
            raise httpx.PoolTimeout("no free connection within the pool timeout")
        try:
            url = request.url
            key = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
            body = request.read()
            connection, status, headers, keep = self._exchange(
                key, _head(request, body) + body, timeouts
            )
        except BaseException:
            self._slots.release()
            raise
        try:
            length = _framing(request.method, status, headers)
        except BaseException:
            connection.close()
            self._slots.release()
            raise

        def done(reusable: bool) -> None:
            if reusable and keep:
                self._give_back(key, connection)
            else:
                connection.close()
            self._slots.release()

        return httpx.Response(
            status,
            headers=headers,
            stream=_SyncStream(connection, length, done),
            extensions={"http_version": b"HTTP/1.1"},
        )

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()


def default_sync_transport(limits: httpx.Limits | None) -> httpx.BaseTransport:
    """The transport Liveblocks uses when none is given."""
    limits = limits or DEFAULT_LIMITS
    if os.environ.get(ENV_TRANSPORT, "").lower() == "httpx":
        return httpx.HTTPTransport(limits=limits)
    return StdlibTransport(limits=limits)
