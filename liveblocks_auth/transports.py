"""How a call reaches Liveblocks: a *wire* per client, over a well-kept HTTP library.

- :class:`Urllib3Wire`, the default of ``Liveblocks``: urllib3's thread-safe connection pool.
- :class:`AiohttpWire`, the default of ``AsyncLiveblocks``: an aiohttp session.
- :class:`HttpxWire` / :class:`AsyncHttpxWire`: a transport or client of your own (httpx stays
  the public interface), and httpx's own transports when a proxy is set in the environment or
  ``LIVEBLOCKS_AUTH_TRANSPORT=httpx``.

The libraries move the bytes and reuse connections. What is ours, the same for every wire:
``send(call) -> Reply`` reads the whole answer up to the call's size cap and before its
deadline; heads that a strict HTTP/1.1 client refuses are refused (:func:`check_head`); answers
are never decompressed (we ask for ``identity``); failures become httpx's exceptions, raised
afresh so that no library frame (whose locals hold the request's bytes, secret included) rides
along in a traceback; and a client used before ``fork()`` never shares a connection with the
child (:func:`forked`).
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import os
import re
import select
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import anyio
import httpx
import urllib3
import urllib3.exceptions as u3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.response import BaseHTTPResponse, HTTPResponse

from . import _watchdog
from ._retry import DeadlineExceeded
from .config import DEFAULT_LIMITS

__all__ = [
    "AiohttpWire",
    "AsyncHttpxWire",
    "AsyncWire",
    "HttpxWire",
    "Outgoing",
    "Reply",
    "SyncWire",
    "Urllib3Wire",
    "WireMisuse",
    "check_head",
    "forked",
]

ENV_TRANSPORT = "LIVEBLOCKS_AUTH_TRANSPORT"
_READ_SIZE = 65_536


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One attempt of a call, ready to send. ``headers`` holds the Authorization header."""

    method: str
    url: str  # absolute
    target: str  # path and query
    headers: Mapping[str, str]
    body: bytes | None
    timeout: httpx.Timeout
    deadline: float  # time.monotonic()
    limit: int  # the largest answer body read; past it the answer is cut (truncated)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names; repeated fields joined with ", "
    body: bytes
    truncated: bool


class WireMisuse(RuntimeError):
    """The client is used where it cannot work (another event loop library, a transport of
    yours carried across fork()): raised to the caller, never turned into a 503."""


class SyncWire(Protocol):
    def send(self, call: Outgoing) -> Reply: ...

    def close(self) -> None: ...


class AsyncWire(Protocol):
    async def send(self, call: Outgoing) -> Reply: ...

    async def aclose(self) -> None: ...


# --- what every wire shares ------------------------------------------------------------------

#: Incremented in a child process after ``fork()``: a wire built in an earlier generation holds
#: connections that the parent shares, and must not touch them.
_generation = 0


def _after_fork() -> None:
    global _generation
    _generation += 1


os.register_at_fork(after_in_child=_after_fork)


def forked(generation: int) -> bool:
    """True when this process was forked after ``generation`` was read."""
    return generation != _generation


def generation() -> int:
    return _generation


#: Field names, one per line: tokens (RFC 9110 5.1).
_NAMES = re.compile(rb"(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+\n)*")
#: Control characters, which no field value may hold (HTAB aside).
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_DIGITS = re.compile(rb"[0-9]{1,18}")
#: As http.client: no answer of the REST API has more than a few header fields.
_MAX_FIELDS = 100
#: A chunk-size line: 1-16 hex digits, then extensions (RFC 9112 7.1); nothing looser.
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(;[^\r\n]*)?\r?\n")


def check_head(status: int, fields: Sequence[tuple[bytes, bytes]]) -> dict[str, str]:
    """The answer's headers (lower-case names, repeats joined), once its head is known sane.

    Raises ``httpx.RemoteProtocolError`` for what a strict client refuses and some libraries
    let through: a status outside 100-599, more than 100 fields, control characters in a field,
    a transfer coding other than plain ``chunked``, a Content-Length that is not ASCII digits,
    several different ones, or one beside ``chunked``.
    """
    if not 100 <= status <= 599:
        raise httpx.RemoteProtocolError(f"invalid status {status}")
    if len(fields) > _MAX_FIELDS:
        raise httpx.RemoteProtocolError(f"more than {_MAX_FIELDS} header fields")
    names = b"".join(name + b"\n" for name, _ in fields)
    if not _NAMES.fullmatch(names) or _CONTROL.search(b"".join(v for _, v in fields)):
        raise httpx.RemoteProtocolError("invalid character in a header field")
    headers: dict[str, str] = {}
    for raw_name, raw_value in fields:
        name = raw_name.decode("ascii").lower()
        text = raw_value.strip(b" \t").decode("latin-1")
        headers[name] = f"{headers[name]}, {text}" if name in headers else text
    _check_framing(headers, fields)
    return headers


def _check_framing(headers: dict[str, str], fields: Sequence[tuple[bytes, bytes]]) -> None:
    coding = headers.get("transfer-encoding")
    if coding is not None and coding.lower() != "chunked":
        raise httpx.RemoteProtocolError("unsupported Transfer-Encoding")
    if "content-length" not in headers:
        return
    lengths = {
        value.strip(b" \t").lstrip(b"0") or b"0"
        for name, value in fields
        if name.lower() == b"content-length"
    }
    if not all(_DIGITS.fullmatch(length) for length in lengths):
        raise httpx.RemoteProtocolError("invalid Content-Length")
    if len(lengths) > 1 or coding is not None:
        raise httpx.RemoteProtocolError("conflicting message framing")


class _Body:
    """An answer's body, up to ``limit`` bytes and until the deadline."""

    __slots__ = ("call", "data", "truncated")

    def __init__(self, call: Outgoing) -> None:
        self.call = call
        self.data = bytearray()
        self.truncated = False

    def feed(self, chunk: bytes) -> bool:
        """Add a chunk; True means stop reading (the cap is reached)."""
        if time.monotonic() > self.call.deadline:
            raise _too_late(self.call)
        self.data += chunk
        if len(self.data) > self.call.limit:
            del self.data[self.call.limit :]
            self.truncated = True
        return self.truncated

    def take(self, chunks: Iterable[bytes]) -> None:
        """Feed ``chunks`` until they end or the cap is reached."""
        for chunk in chunks:
            if self.feed(chunk):
                return

    def reply(self, status: int, headers: dict[str, str]) -> Reply:
        return Reply(status, headers, bytes(self.data), self.truncated)


def _fresh(error: BaseException) -> BaseException:
    """``error`` as a new exception of the same kind, without traceback, cause or context: the
    library frames behind it hold the request's bytes (the secret key included) in their
    locals, which error trackers record. An error that is no transport failure (a bug
    somewhere) becomes a RuntimeError naming it."""
    if isinstance(error, httpx.TransportError | DeadlineExceeded):
        return type(error)(str(error))
    return RuntimeError(f"{type(error).__name__}: {error}")


def _too_late(call: Outgoing) -> DeadlineExceeded:
    return DeadlineExceeded(f"no whole answer before the deadline ({call.target})")


def _ssl_context() -> ssl.SSLContext:
    """One TLS policy for every wire: httpx's (certifi, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``;
    hostname checked)."""
    return httpx.create_ssl_context()


# --- sync: urllib3 ---------------------------------------------------------------------------


class _Call(threading.local):
    """The call this thread is making, for the connection it runs on."""

    alarm: _watchdog.Alarm | None = None
    expiry: float | None = None
    #: Set once the connection is open and the request is about to be written: a failure
    #: after that may have reached the server.
    sent: bool = False


_CURRENT = _Call()


class _StrictResponse(HTTPResponse):
    """urllib3's answer, reading chunk sizes as strictly as h11 does: it takes ``int(line,
    16)`` as is, so ``-1`` (read to the end of the stream), ``0x11``, ``1_1`` or a size of 4,000
    hex digits would pass."""

    def _update_chunk_length(self) -> None:
        if self.chunk_left is not None:
            return
        line = self._fp.fp.readline(1024)  # type: ignore[union-attr]
        match = _CHUNK_SIZE.fullmatch(line)
        if match is None:
            self.close()
            raise u3.InvalidChunkLength(self, line)
        self.chunk_left = int(match.group(1), 16)


class _ConnectionMixin:
    """What a pooled connection adds to urllib3's: the watchdog sees its socket, idle
    connections expire, and its answers read chunk sizes strictly."""

    sock: socket.socket | None
    _last_used: float = 0.0

    def request(self, *args: Any, **kwargs: Any) -> None:
        expiry = _CURRENT.expiry
        now = time.monotonic()
        if self.sock is not None and expiry is not None and now - self._last_used > expiry:
            self.close()  # type: ignore[attr-defined]  # idle too long: a new one
        self._last_used = now
        if self.sock is None:
            self.connect()  # type: ignore[attr-defined]  # here, so its failures are told apart
        if (alarm := _CURRENT.alarm) is not None:
            alarm.attach(self.sock)
        _CURRENT.sent = True
        super().request(*args, **kwargs)  # type: ignore[misc]

    def getresponse(self) -> HTTPResponse:
        response: HTTPResponse = super().getresponse()  # type: ignore[misc]
        response.__class__ = _StrictResponse
        return response


class _Connection(_ConnectionMixin, HTTPConnection):  # type: ignore[misc]
    pass


class _TLSConnection(_ConnectionMixin, HTTPSConnection):  # type: ignore[misc]
    pass


class _Pool(urllib3.HTTPConnectionPool):
    ConnectionCls = _Connection


class _TLSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _TLSConnection


def _u3_error(error: Exception, sent: bool) -> BaseException:
    """httpx's exception for a urllib3 failure: before any byte was sent, a connect failure
    (or pool timeout); after, a read or protocol failure (the server may have the request)."""
    message = str(error) or type(error).__name__
    if isinstance(error, u3.EmptyPoolError):
        return httpx.PoolTimeout("no free connection within the pool timeout")
    if not sent:
        if isinstance(error, u3.ConnectTimeoutError):
            return httpx.ConnectTimeout(message)
        return httpx.ConnectError(message)
    if isinstance(error, u3.ReadTimeoutError | TimeoutError):
        return httpx.ReadTimeout(message)
    if isinstance(error, httpx.RemoteProtocolError | u3.ProtocolError | u3.HTTPError):
        return httpx.RemoteProtocolError(message)
    if isinstance(error, OSError):
        return httpx.ReadError(message)
    return _fresh(error)


class Urllib3Wire:
    """The sync default: one urllib3 connection pool to the base URL's origin, thread-safe, at
    most ``limits.max_connections`` open (waiting up to the pool timeout for one), idle ones
    closed after ``limits.keepalive_expiry``; rebuilt in a process forked from its own."""

    def __init__(self, base_url: str, limits: httpx.Limits = DEFAULT_LIMITS) -> None:
        url = httpx.URL(base_url)
        self._tls = url.scheme == "https"
        self._host, self._port = url.host, url.port or (443 if self._tls else 80)
        self._size = limits.max_connections or 100
        self._expiry = limits.keepalive_expiry
        self._lock = threading.Lock()
        self._pool, self._generation = self._new_pool(), generation()
        self._timeouts: tuple[httpx.Timeout | None, urllib3.Timeout] = (None, urllib3.Timeout())

    def _new_pool(self) -> urllib3.HTTPConnectionPool:
        options: dict[str, Any] = {"maxsize": self._size, "block": True, "retries": False}
        if self._tls:
            return _TLSPool(self._host, self._port, ssl_context=_ssl_context(), **options)
        return _Pool(self._host, self._port, **options)

    def _current_pool(self) -> urllib3.HTTPConnectionPool:
        if forked(self._generation):
            with self._lock:
                if forked(self._generation):
                    # The parent's connections are its own: dropped here, never closed or used
                    # (closing a socket in the child only closes the child's descriptor).
                    self._pool, self._generation = self._new_pool(), generation()
        return self._pool

    def _timeout(self, timeout: httpx.Timeout) -> urllib3.Timeout:
        cached = self._timeouts  # one read: another thread may replace it meanwhile
        if cached[0] is not timeout:
            cached = self._timeouts = (timeout, urllib3.Timeout(timeout.connect, timeout.read))
        return cached[1]

    def send(self, call: Outgoing) -> Reply:
        alarm = _watchdog.arm(call.deadline)
        _CURRENT.alarm, _CURRENT.expiry, _CURRENT.sent = alarm, self._expiry, False
        try:
            reply = self._exchange(call)
            if not alarm.fired:
                return reply
            # Cut at the deadline, http.client may even take what it had for a whole answer.
            error: BaseException = _too_late(call)
        except Exception as exc:
            error = _too_late(call) if alarm.fired else _u3_error(exc, _CURRENT.sent)
        finally:
            alarm.disarm()
            _CURRENT.alarm = None
        raise error  # outside the except block: no library frame rides along

    def _exchange(self, call: Outgoing) -> Reply:
        response = self._current_pool().urlopen(
            call.method,
            call.target,
            body=call.body,
            headers=call.headers,
            retries=False,
            redirect=False,
            assert_same_host=False,
            timeout=self._timeout(call.timeout),
            pool_timeout=call.timeout.pool,  # type: ignore[arg-type]  # a float works
            preload_content=False,
            decode_content=False,
        )
        whole = False
        try:
            headers = check_head(response.status, _raw_fields(response))
            body = _Body(call)
            body.take(response.stream(_READ_SIZE, decode_content=False))
            whole = not body.truncated
        finally:
            if not whole:
                response.close()  # unread bytes, or a failure: the connection is not reused
            response.release_conn()
        return body.reply(response.status, headers)

    def close(self) -> None:
        if not forked(self._generation):
            self._pool.close()


def _raw_fields(response: BaseHTTPResponse) -> list[tuple[bytes, bytes]]:
    # Every field as received, repeats included (http.client decoded them as latin-1).
    return [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in response.headers.iteritems()
    ]


# --- async: aiohttp --------------------------------------------------------------------------

#: Sessions of a parent process, kept (never closed nor collected) in a child: closing one
#: there would remove the parent's sockets from the epoll set both processes share.
_ABANDONED: list[Any] = []


class _Connector(aiohttp.TCPConnector):
    """aiohttp's connector, minus one flaw: it reuses an idle connection on which bytes
    arrived that nobody asked for, and hands them to the next request as its answer (a forged
    ``{"token": ...}`` would reach another user). Such a connection is closed instead, whether
    aiohttp has read those bytes already or they still wait in the socket (as urllib3 and
    httpcore check before reusing a connection)."""

    async def _get(self, *args: Any, **kwargs: Any) -> Any:
        while (connection := await super()._get(*args, **kwargs)) is not None:
            protocol = connection.protocol
            # Flagged by aiohttp (bytes it read, an error), or bytes waiting in the socket.
            transport = None if protocol is None or protocol.should_close else protocol.transport
            if transport is not None and not _readable(transport):
                return connection
            connection.close()
        return None


def _readable(transport: asyncio.BaseTransport) -> bool:
    """Whether bytes (or the end of the stream) wait on an idle connection's socket."""
    sock = transport.get_extra_info("socket")
    if sock is None:
        return True
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    return bool(poller.poll(0))


def _aiohttp_error(error: BaseException) -> BaseException:
    message = str(error) or type(error).__name__
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message)
    if isinstance(error, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message)
    if isinstance(error, aiohttp.SocketTimeoutError):
        return httpx.ReadTimeout(message)
    if isinstance(error, aiohttp.ClientOSError):
        return httpx.ReadError(message)
    if isinstance(error, aiohttp.ClientError):
        return httpx.RemoteProtocolError(message)
    return httpx.RemoteProtocolError(message)


class AiohttpWire:
    """The async default: an aiohttp session made in the first event loop that uses it, with
    at most ``limits.max_connections`` connections (a wait past the pool timeout is
    ``httpx.PoolTimeout``), idle ones closed after ``limits.keepalive_expiry``; no cookies,
    no redirects, no decompression. Asyncio only: under trio, use httpx's transport."""

    def __init__(self, limits: httpx.Limits = DEFAULT_LIMITS) -> None:
        self._limits = limits
        self._timeouts: tuple[httpx.Timeout | None, aiohttp.ClientTimeout | None] = (None, None)
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        self._generation = generation()

    def _current_session(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        if forked(self._generation):
            if self._session is not None:
                _ABANDONED.append(self._session)
            self._session, self._generation = None, generation()
        if self._session is None or self._slots is None:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                raise WireMisuse(
                    "AsyncLiveblocks' default transport (aiohttp) runs on asyncio; under another "
                    "event loop (trio), pass transport=httpx.AsyncHTTPTransport() or set "
                    f"{ENV_TRANSPORT}=httpx"
                ) from None
            size = self._limits.max_connections or 100
            connector = _Connector(
                limit=size,
                limit_per_host=0,
                keepalive_timeout=self._limits.keepalive_expiry,
                ssl=_ssl_context(),
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                trust_env=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding"),
                timeout=aiohttp.ClientTimeout(total=None),
            )
            self._slots = asyncio.Semaphore(size)
        return self._session, self._slots

    async def _acquire(self, slots: asyncio.Semaphore, timeout: float | None) -> None:
        if not slots.locked():
            await slots.acquire()  # returns at once, without a suspension
            return
        try:
            async with asyncio.timeout(timeout):
                await slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no free connection within the pool timeout") from None

    async def send(self, call: Outgoing) -> Reply:
        session, slots = self._current_session()  # outside the try: misuse is raised as is
        try:
            async with asyncio.timeout(max(call.deadline - time.monotonic(), 0.0)):
                await self._acquire(slots, call.timeout.pool)
                try:
                    return await self._exchange(session, call)
                finally:
                    slots.release()
        except httpx.PoolTimeout as exc:
            error: BaseException = exc
        except aiohttp.ClientError as exc:  # its timeouts are TimeoutErrors too: first
            error = _aiohttp_error(exc)
        except TimeoutError:
            error = _too_late(call)
        except Exception as exc:
            error = _fresh(exc)
        raise error  # outside the except block: no library frame rides along

    def _timeout(self, timeout: httpx.Timeout) -> aiohttp.ClientTimeout:
        cached = self._timeouts
        if cached[0] is not timeout or cached[1] is None:
            made = aiohttp.ClientTimeout(
                total=None, sock_connect=timeout.connect, sock_read=timeout.read
            )
            cached = self._timeouts = (timeout, made)
        return cached[1]  # type: ignore[return-value]

    async def _exchange(self, session: aiohttp.ClientSession, call: Outgoing) -> Reply:
        timeout = self._timeout(call.timeout)
        async with session.request(
            call.method,
            call.url,
            data=call.body,
            headers=call.headers,
            allow_redirects=False,
            timeout=timeout,
        ) as response:
            try:
                headers = check_head(response.status, response.raw_headers)
                body = _Body(call)
                length = response.content_length
                if length is not None and length <= call.limit:
                    body.feed(await response.read())  # known to fit: one read
                else:
                    async for chunk in response.content.iter_chunked(_READ_SIZE):
                        if body.feed(chunk):
                            break
            except BaseException:
                response.close()  # never reused
                raise
            if body.truncated:
                response.close()
            return body.reply(response.status, headers)

    async def aclose(self) -> None:
        if self._session is not None and not forked(self._generation):
            await self._session.close()


# --- httpx: a transport or client of yours ---------------------------------------------------


class _HttpxBase:
    def __init__(self, owner: Any, factory: Callable[[], Any] | None = None) -> None:
        #: A transport (``handle_request``) or a client (``send``, so its own settings apply).
        #: ``factory`` rebuilds it when it is ours (None: the user's).
        self._owner, self._factory = owner, factory
        self._generation = generation()

    def _send(self, call: Outgoing) -> Any:
        """The response (sync), or its coroutine (async)."""
        owner = self._owner
        if isinstance(owner, httpx.Client | httpx.AsyncClient):
            # Built by the client, so its own headers, params and hooks apply.
            request = owner.build_request(
                call.method, call.url, headers=call.headers, content=call.body, timeout=call.timeout
            )
            return owner.send(request, stream=True)
        request = httpx.Request(
            call.method,
            call.url,
            headers=call.headers,
            content=call.body,
            extensions={"timeout": call.timeout.as_dict()},
        )
        if isinstance(self, AsyncHttpxWire):
            return owner.handle_async_request(request)
        return owner.handle_request(request)


class HttpxWire(_HttpxBase):
    """A sync httpx transport (``handle_request``) or client (``send``, so its own settings
    apply). Its blocking reads are bounded by the read timeout per read and, for the body, by
    the deadline; httpx cannot be interrupted while a head keeps arriving byte by byte."""

    def _after_fork(self) -> None:
        # Closing a sync httpx pool in the child closes the child's descriptors only, and
        # leaves the pool usable with new connections.
        for transport in _transports_of(self._owner):
            transport.close()
        self._generation = generation()

    def send(self, call: Outgoing) -> Reply:
        if forked(self._generation):
            self._after_fork()
        try:
            response = self._send(call)
            try:
                headers = check_head(response.status_code, response.headers.raw)
                body = _Body(call)
                # Raw bytes, never decoded; a response made in memory (a test double) comes
                # already read, and is taken as it is.
                body.take(
                    [response.content] if response.is_stream_consumed else response.iter_raw()
                )
            finally:
                response.close()
            return body.reply(response.status_code, headers)
        except Exception as exc:
            error = _fresh(exc)
        raise error

    def close(self) -> None:
        if self._factory is not None:
            self._owner.close()


class AsyncHttpxWire(_HttpxBase):
    """An async httpx transport or client; the whole attempt is cut at the deadline (anyio:
    asyncio or trio)."""

    def _check_fork(self) -> None:
        if not forked(self._generation):
            return
        if self._factory is None:
            raise WireMisuse(
                "this AsyncLiveblocks client's http_client/transport was used before fork(): "
                "its connections belong to the parent's event loop. Create the client (or the "
                "transport you pass it) in each process, e.g. in your app's lifespan"
            )
        _ABANDONED.append(self._owner)  # never closed here: see _ABANDONED
        self._owner, self._generation = self._factory(), generation()

    async def send(self, call: Outgoing) -> Reply:
        self._check_fork()
        try:
            with anyio.fail_after(max(call.deadline - time.monotonic(), 0.0)):
                response = await self._send(call)
                try:
                    headers = check_head(response.status_code, response.headers.raw)
                    body = _Body(call)
                    if response.is_stream_consumed:  # made in memory: see HttpxWire.send
                        body.feed(response.content)
                    else:
                        async for chunk in response.aiter_raw():
                            if body.feed(chunk):
                                break
                finally:
                    await response.aclose()
                return body.reply(response.status_code, headers)
        except TimeoutError:
            error: BaseException = _too_late(call)
        except Exception as exc:
            error = _fresh(exc)
        raise error

    async def aclose(self) -> None:
        if self._factory is not None and not forked(self._generation):
            await self._owner.aclose()


def _transports_of(owner: Any) -> list[Any]:
    """The transports behind an httpx client (its own and its mounts), or the transport."""
    if isinstance(owner, httpx.Client | httpx.AsyncClient):
        mounts = getattr(owner, "_mounts", {}) or {}
        return [owner._transport, *(t for t in mounts.values() if t is not None)]
    return [owner]


# --- choosing ---------------------------------------------------------------------------------


def httpx_chosen() -> bool:
    """httpx's own transports instead of the defaults: asked for, or needed to honour a proxy
    configured in the environment (which only they route through)."""
    return os.environ.get(ENV_TRANSPORT, "").lower() == "httpx" or bool(urllib.request.getproxies())


def choose_wire(
    is_async: bool,
    base_url: str,
    limits: httpx.Limits | None,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None,
    http_client: httpx.Client | httpx.AsyncClient | None,
) -> SyncWire | AsyncWire:
    """A client's wire: the client or transport you gave, else httpx's own when chosen (see
    :func:`httpx_chosen`), else urllib3 (sync) or aiohttp (async)."""
    httpx_wire = AsyncHttpxWire if is_async else HttpxWire
    if http_client is not None or transport is not None:
        return httpx_wire(http_client or transport)
    limits = limits or DEFAULT_LIMITS
    if httpx_chosen():
        cls = httpx.AsyncClient if is_async else httpx.Client

        def client() -> Any:
            return cls(limits=limits, follow_redirects=False, cookies=_no_cookies())

        return httpx_wire(client(), client)
    return AiohttpWire(limits) if is_async else Urllib3Wire(base_url, limits)


class _RejectAllCookies(http.cookiejar.DefaultCookiePolicy):
    """Liveblocks needs no cookies; one user's call must never carry another's."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def _no_cookies() -> http.cookiejar.CookieJar:
    return http.cookiejar.CookieJar(policy=_RejectAllCookies())
