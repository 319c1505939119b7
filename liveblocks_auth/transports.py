"""How a call reaches Liveblocks: a *wire* per client, over a well-kept HTTP library.

- :class:`CurlWire`, the default of ``Liveblocks``: libcurl (pycurl) easy handles, one
  connection each, lent to one thread at a time.
- :class:`AsyncCurlWire`, the default of ``AsyncLiveblocks``: libcurl's multi interface on the
  running asyncio event loop.
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
import ctypes
import http.cookiejar
import math
import os
import queue
import re
import select
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import anyio
import certifi
import httpx
import pycurl

from ._retry import DeadlineExceeded
from .config import DEFAULT_LIMITS

__all__ = [
    "AsyncCurlWire",
    "AsyncHttpxWire",
    "AsyncWire",
    "CurlWire",
    "HttpxWire",
    "Outgoing",
    "Reply",
    "SyncWire",
    "WireMisuse",
    "check_head",
    "forked",
]

ENV_TRANSPORT = "LIVEBLOCKS_AUTH_TRANSPORT"


@dataclass(slots=True)
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
    #: Whether it may be sent twice (``ApiRequest.is_idempotent``): only then may it travel
    #: on a reused connection (libcurl resends a request itself if one turns out closed).
    idempotent: bool = True


@dataclass(slots=True)
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


#: What wires of a parent process held, abandoned in this child (see :func:`_abandon`).
_ABANDONED: list[Any] = []


def _abandon(held: object) -> None:
    """Keep what a wire of the parent process held, in a forked child, for the life of the
    process, even through the interpreter's own exit: freeing a libcurl handle ends its
    connection gracefully (a TLS close_notify written with the child's stale copy of the
    session, which breaks the connection for the parent), and closing an asyncio transport
    removes its socket from the epoll set both processes share. One reference is never given
    back, so it is never freed."""
    _ABANDONED.append(held)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(held))


#: Field names, one per line: tokens (RFC 9110 5.1).
_NAMES = re.compile(rb"(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+\n)*")
#: Control characters, which no field value may hold (HTAB aside).
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_DIGITS = re.compile(rb"[0-9]{1,18}")
#: As http.client: no answer of the REST API has more than a few header fields.
_MAX_FIELDS = 100


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


# --- the default wire: libcurl (pycurl) --------------------------------------------------------

_NO_EXPECT = ["Expect:"]  # libcurl would wait for a 100 Continue before large bodies
_NO_CONNECTION, _SPOILED = -1, -2  # a handle's socket: none kept, or one never to reuse
_NETWORK_ERRORS = frozenset({pycurl.E_SEND_ERROR, pycurl.E_RECV_ERROR})


class _Settings:
    """What every transfer of a wire sets, decided when the wire is made (as httpx's
    transports read ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when they are made)."""

    __slots__ = ("cainfo", "capath", "expiry", "size")

    def __init__(self, limits: httpx.Limits) -> None:
        self.size = limits.max_connections or 100
        self.expiry = limits.keepalive_expiry  # None: never; 0: no connection is reused
        # One TLS policy for every wire, httpx's: certifi, or SSL_CERT_FILE / SSL_CERT_DIR.
        self.cainfo: str | None = os.environ.get("SSL_CERT_FILE") or None
        self.capath: str | None = None
        if self.cainfo is None:
            self.capath = os.environ.get("SSL_CERT_DIR") or None
            if self.capath is None:
                self.cainfo = certifi.where()


def _last_head(raw: bytes) -> tuple[int, list[tuple[bytes, bytes]]]:
    """The status and fields of the final head among the lines libcurl handed over (each
    ending in LF): the heads of 1xx answers before it and trailers after it are not part of
    it; a status line counts only where a head begins, and a field without a colon is kept
    with an empty name, which :func:`check_head` refuses."""
    status, begins = 0, True
    fields: list[tuple[bytes, bytes]] = []
    for line in raw.split(b"\n"):
        if line.endswith(b"\r"):
            line = line[:-1]
        if begins:
            code = line.split(b" ", 2)[1:2] if line.startswith(b"HTTP/") else []
            status = int(code[0]) if code and code[0].isdigit() else -1
            fields, begins = [], False
        elif not line:  # the head ends: the final one, or a 1xx's
            if status >= 200 or status < 100:
                break
            begins = True
        else:
            name, colon, value = line.partition(b":")
            fields.append((name if colon else b"", value))
    return status, fields


class _Answer:
    """What libcurl hands over of one answer, straight into two buffers (no Python code runs
    per line or chunk): the heads' lines, and the body, which libcurl cuts past the call's cap
    (``MAXFILESIZE``; past it the answer is truncated)."""

    __slots__ = ("body", "head")

    def __init__(self) -> None:
        self.head, self.body = bytearray(), bytearray()

    def begin(self) -> None:
        del self.head[:], self.body[:]

    def reply(self, truncated: bool) -> Reply:
        """Raises ``httpx.RemoteProtocolError`` for a head that :func:`check_head` refuses."""
        status, fields = _last_head(bytes(self.head))
        headers = check_head(status, fields)
        return Reply(status, headers, b"" if truncated else bytes(self.body), truncated)


def _readable(fd: int) -> bool:
    """Whether bytes (or the end of the stream) wait on an idle connection's socket."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class _Handle:
    """A libcurl easy handle and the one connection it keeps, lent to one call at a time.

    libcurl reads the answers and keeps the connection alive; what it does not do, this does
    before each call (:meth:`fit`): libcurl looks for bytes waiting on an idle connection at
    most once a second, and would take bytes that nobody asked for as the next call's answer
    (a forged token for another user); it resends a request by itself when a reused
    connection turns out closed before any answer, which a call that is not idempotent must
    never risk; and it counts idle time in whole seconds. So a handle whose connection has
    bytes waiting, has been idle past ``keepalive_expiry``, or would carry a call that is not
    idempotent is closed (and its connection with it) and a new one made."""

    __slots__ = ("_sent", "answer", "curl", "socket", "used")

    def __init__(self, settings: _Settings) -> None:
        self.curl = curl = pycurl.Curl()
        self.answer = answer = _Answer()
        self.socket, self.used = _NO_CONNECTION, 0.0  # the kept connection's socket
        curl.setopt(pycurl.NOSIGNAL, 1)
        curl.setopt(pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS)
        curl.setopt(pycurl.HTTP_VERSION, pycurl.CURL_HTTP_VERSION_1_1)
        curl.setopt(pycurl.PROXY, "")  # an environment's proxy is honoured by httpx's wire
        curl.setopt(pycurl.HTTP_CONTENT_DECODING, 0)  # never inflate (Accept-Encoding: identity)
        curl.setopt(pycurl.MAXCONNECTS, 1)
        curl.setopt(pycurl.MAXAGE_CONN, 2**31 - 1)  # expiry: see fit()
        if settings.cainfo is not None:
            curl.setopt(pycurl.CAINFO, settings.cainfo)
        if settings.capath is not None:
            curl.setopt(pycurl.CAPATH, settings.capath)
        curl.setopt(pycurl.HEADERFUNCTION, answer.head.extend)
        curl.setopt(pycurl.WRITEFUNCTION, answer.body.extend)
        # What the last call set, not set again for the next if it is the same.
        self._sent: tuple[object, ...] = ()

    def fit(self, call: Outgoing, expiry: float | None) -> bool:
        """Whether this handle may carry ``call``: no connection yet, or one that is safe to
        reuse for it."""
        if self.socket == _NO_CONNECTION:
            return True
        if self.socket == _SPOILED or not call.idempotent:
            return False
        if expiry is not None and time.monotonic() - self.used >= expiry:
            return False
        return not _readable(self.socket)

    def prepare(self, call: Outgoing) -> None:
        curl = self.curl
        self.answer.begin()
        curl.setopt(pycurl.URL, call.url)
        if call.body is None:
            curl.setopt(pycurl.HTTPGET, 1)
        else:
            curl.setopt(pycurl.POSTFIELDS, call.body)
        sent = (call.method, call.headers, call.limit, call.timeout)
        if sent != self._sent:  # identity first: the same objects, call after call
            self._sent = sent
            if call.method in ("GET", "POST"):
                curl.unsetopt(pycurl.CUSTOMREQUEST)
            else:
                curl.setopt(pycurl.CUSTOMREQUEST, call.method)
            # Built here and handed over at once: no local of ours holds the key in the clear.
            curl.setopt(
                pycurl.HTTPHEADER, [f"{k}: {v}" for k, v in call.headers.items()] + _NO_EXPECT
            )
            curl.setopt(pycurl.MAXFILESIZE_LARGE, call.limit)
            connect = call.timeout.connect
            curl.setopt(pycurl.CONNECTTIMEOUT_MS, 0 if connect is None else _milliseconds(connect))
        curl.setopt(pycurl.TIMEOUT_MS, _milliseconds(*_attempt_limits(call)))

    def finish(self) -> None:
        """After a transfer: the connection libcurl kept, if any (a failed or cut transfer
        closes it)."""
        self.socket = self.curl.getinfo(pycurl.ACTIVESOCKET)
        self.used = time.monotonic()

    def outcome(self, call: Outgoing, code: int) -> Reply | BaseException:
        """The transfer's reply, or the error to raise (``code``: libcurl's, 0 for none)."""
        if code == 0 or code == pycurl.E_FILESIZE_EXCEEDED:
            try:
                return self.answer.reply(truncated=code != 0)
            except httpx.RemoteProtocolError as refused:
                self.socket = _SPOILED  # read its own way by libcurl: never reused
                return refused
        message = self.curl.errstr() or f"libcurl error {code}"
        timed_out = code == pycurl.E_OPERATION_TIMEDOUT
        if timed_out and time.monotonic() >= call.deadline - 0.005:
            return _too_late(call)
        if self.curl.getinfo(pycurl.REQUEST_SIZE) == 0:
            # libcurl counts the request's bytes as it writes them: none were, so the failure
            # came while connecting (refused, TLS, a connect timeout) and the call may be sent
            # again, whatever it is. (PRETRANSFER_TIME cannot tell: libcurl sets it before a
            # refused connect or a failed TLS handshake too.)
            return httpx.ConnectTimeout(message) if timed_out else httpx.ConnectError(message)
        if timed_out:
            return httpx.ReadTimeout(message)
        if code in _NETWORK_ERRORS:
            return httpx.ReadError(message)
        return httpx.RemoteProtocolError(message)

    def close(self) -> None:
        self.curl.close()


def _attempt_limits(call: Outgoing) -> tuple[float, ...]:
    """Seconds an attempt may last: libcurl bounds a transfer as a whole, so the whole
    transfer ends at the deadline (heads dripping byte by byte, endless 1xx), and at its
    connect + write + read timeouts (an upstream that never answers is given up in time for
    another attempt)."""
    left = call.deadline - time.monotonic()
    timeout = call.timeout
    phases = (timeout.connect, timeout.write, timeout.read)
    if any(phase is None for phase in phases):
        return (left,)
    return left, sum(phases)  # type: ignore[arg-type]


def _milliseconds(*seconds: float) -> int:
    return max(math.ceil(min(seconds) * 1000), 1)


def _result(outcome: Reply | BaseException) -> Reply:
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


class CurlWire:
    """The sync default: libcurl handles, each keeping one connection to Liveblocks, lent to
    one thread at a time (most recently used first); at most ``limits.max_connections`` of
    them (a wait past the pool timeout is ``httpx.PoolTimeout``); idle connections are not
    reused after ``limits.keepalive_expiry``; dropped, never used, in a forked child."""

    def __init__(self, limits: httpx.Limits = DEFAULT_LIMITS) -> None:
        self._settings = _Settings(limits)
        self._lock = threading.Lock()
        self._pool, self._generation = self._new_pool(), generation()

    def _new_pool(self) -> queue.LifoQueue[_Handle | None]:
        pool: queue.LifoQueue[_Handle | None] = queue.LifoQueue(self._settings.size)
        for _ in range(self._settings.size):
            pool.put_nowait(None)  # a handle not made yet
        return pool

    def _current_pool(self) -> queue.LifoQueue[_Handle | None]:
        if forked(self._generation):
            with self._lock:
                if forked(self._generation):
                    # The parent's connections are its own: kept, never used nor closed here.
                    _abandon(self._pool)
                    self._pool, self._generation = self._new_pool(), generation()
        return self._pool

    def send(self, call: Outgoing) -> Reply:
        pool = self._current_pool()
        try:
            handle = pool.get(timeout=call.timeout.pool)
        except queue.Empty:
            raise httpx.PoolTimeout("no free connection within the pool timeout") from None
        try:
            if handle is not None and not handle.fit(call, self._settings.expiry):
                handle.close()
                handle = None
            if handle is None:
                handle = _Handle(self._settings)
            handle.prepare(call)
            try:
                handle.curl.perform()
                code = 0
            except pycurl.error as error:
                code = int(error.args[0])
            handle.finish()
            outcome = handle.outcome(call, code)
        except Exception as exc:
            outcome = _fresh(exc)
        finally:
            pool.put_nowait(handle)
        return _result(outcome)

    def close(self) -> None:
        if forked(self._generation):
            return
        while True:
            try:
                handle = self._pool.get_nowait()
            except queue.Empty:
                return
            if handle is not None:
                handle.close()


class _AsyncHandle(_Handle):
    """A handle driven by the running asyncio event loop through its own libcurl multi
    handle: libcurl says which socket to watch and when to wake it up, the loop calls back."""

    __slots__ = ("_closed", "_timer", "_waiter", "_watched", "loop", "multi")

    def __init__(self, settings: _Settings, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(settings)
        self.loop = loop
        self.multi = multi = pycurl.CurlMulti()
        multi.setopt(pycurl.M_SOCKETFUNCTION, self._watch)
        multi.setopt(pycurl.M_TIMERFUNCTION, self._wake_in)
        multi.setopt(pycurl.M_MAXCONNECTS, 1)
        self._timer: asyncio.TimerHandle | None = None
        self._watched: dict[int, int] = {}  # socket: what the loop watches it for
        self._waiter: asyncio.Future[int] | None = None
        self._closed = False

    def _watch(self, what: int, fd: int, multi: Any, data: Any) -> None:
        if self._closed:
            return
        loop, watched = self.loop, self._watched
        wanted = 0 if what == pycurl.POLL_REMOVE else what
        changed = watched.get(fd, 0) ^ wanted
        if changed & pycurl.POLL_IN:
            if wanted & pycurl.POLL_IN:
                loop.add_reader(fd, self._act, fd, pycurl.CSELECT_IN)
            else:
                loop.remove_reader(fd)
        if changed & pycurl.POLL_OUT:
            if wanted & pycurl.POLL_OUT:
                loop.add_writer(fd, self._act, fd, pycurl.CSELECT_OUT)
            else:
                loop.remove_writer(fd)
        if wanted:
            watched[fd] = wanted
        else:
            watched.pop(fd, None)

    def _wake_in(self, milliseconds: int) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if milliseconds >= 0 and not self._closed:
            self._timer = self.loop.call_later(
                milliseconds / 1000, self._act, pycurl.SOCKET_TIMEOUT, 0
            )

    def _act(self, fd: int, event: int) -> None:
        if self._closed or self._waiter is None:
            return
        self.multi.socket_action(fd, event)
        _, done, failed = self.multi.info_read()
        if done or failed:
            self._settle(failed[0][1] if failed else 0)

    def _settle(self, code: int) -> None:
        waiter, self._waiter = self._waiter, None
        self.finish()  # before the handle leaves its multi, which holds the connection
        self.multi.remove_handle(self.curl)
        if waiter is not None and not waiter.done():
            waiter.set_result(code)

    async def perform(self) -> int:
        """libcurl's code for the transfer (0: done); cancelled, the transfer is abandoned
        (and its connection closed)."""
        waiter: asyncio.Future[int] = self.loop.create_future()
        self._waiter = waiter
        self.multi.add_handle(self.curl)
        try:
            return await waiter
        except BaseException:
            if self._waiter is waiter:
                self._settle(pycurl.E_ABORTED_BY_CALLBACK)
                self.socket = _SPOILED  # a transfer cut midway: its connection is not reused
            raise

    def close(self) -> None:
        if self._waiter is not None:
            self._settle(pycurl.E_ABORTED_BY_CALLBACK)
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
        if not self.loop.is_closed():
            for fd in self._watched:
                self.loop.remove_reader(fd)
                self.loop.remove_writer(fd)
        self._watched.clear()
        self.multi.close()
        super().close()


class AsyncCurlWire:
    """The async default: the same handles as :class:`CurlWire` (one connection each, most
    recently used first), driven by the running asyncio event loop; at most
    ``limits.max_connections`` (a wait past the pool timeout is ``httpx.PoolTimeout``); made
    anew, the parent's kept and never used, in a forked child. Asyncio only: under trio, use
    httpx's transport."""

    def __init__(self, limits: httpx.Limits = DEFAULT_LIMITS) -> None:
        self._settings = _Settings(limits)
        self._slots = asyncio.Semaphore(self._settings.size)
        self._handles: list[_AsyncHandle] = []
        self._generation = generation()

    def _loop(self) -> asyncio.AbstractEventLoop:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise WireMisuse(
                "AsyncLiveblocks' default transport (libcurl) runs on asyncio; under another "
                "event loop (trio), pass transport=httpx.AsyncHTTPTransport() or set "
                f"{ENV_TRANSPORT}=httpx"
            ) from None
        if forked(self._generation):
            # The parent's connections are its own: kept, never used nor closed here.
            _abandon(self._handles)
            self._handles, self._generation = [], generation()
            self._slots = asyncio.Semaphore(self._settings.size)
        return loop

    async def _acquire(self, timeout: float | None) -> None:
        slots = self._slots
        if not slots.locked():
            await slots.acquire()  # returns at once, without a suspension
            return
        try:
            async with asyncio.timeout(timeout):
                await slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no free connection within the pool timeout") from None

    def _handle(self, call: Outgoing, loop: asyncio.AbstractEventLoop) -> _AsyncHandle:
        while self._handles:
            handle = self._handles.pop()
            if handle.loop is loop and handle.fit(call, self._settings.expiry):
                return handle
            handle.close()  # unfit, or of an event loop that is gone
        return _AsyncHandle(self._settings, loop)

    async def send(self, call: Outgoing) -> Reply:
        loop = self._loop()  # outside the try: misuse is raised as is
        slots = self._slots
        await self._acquire(call.timeout.pool)
        handle: _AsyncHandle | None = None
        try:
            handle = self._handle(call, loop)
            handle.prepare(call)
            outcome = handle.outcome(call, await handle.perform())
        except Exception as exc:
            outcome = _fresh(exc)
        finally:
            if handle is not None:
                self._handles.append(handle)
            slots.release()
        return _result(outcome)

    async def aclose(self) -> None:
        if not forked(self._generation):
            while self._handles:
                self._handles.pop().close()


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
        _abandon(self._owner)
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
    configured in the environment (which only they route through). ``NO_PROXY`` alone (common
    in container images) names no proxy: ``getproxies()`` lists it under the key ``no``."""
    if os.environ.get(ENV_TRANSPORT, "").lower() == "httpx":
        return True
    return any(scheme != "no" for scheme in urllib.request.getproxies())


def choose_wire(
    is_async: bool,
    base_url: str,
    limits: httpx.Limits | None,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None,
    http_client: httpx.Client | httpx.AsyncClient | None,
) -> SyncWire | AsyncWire:
    """A client's wire: the client or transport you gave, else httpx's own when chosen (see
    :func:`httpx_chosen`), else libcurl (sync and async)."""
    httpx_wire = AsyncHttpxWire if is_async else HttpxWire
    if http_client is not None or transport is not None:
        return httpx_wire(http_client or transport)
    limits = limits or DEFAULT_LIMITS
    if httpx_chosen():
        cls = httpx.AsyncClient if is_async else httpx.Client

        def client() -> Any:
            return cls(limits=limits, follow_redirects=False, cookies=_no_cookies())

        return httpx_wire(client(), client)
    return AsyncCurlWire(limits) if is_async else CurlWire(limits)


class _RejectAllCookies(http.cookiejar.DefaultCookiePolicy):
    """Liveblocks needs no cookies; one user's call must never carry another's."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def _no_cookies() -> http.cookiejar.CookieJar:
    return http.cookiejar.CookieJar(policy=_RejectAllCookies())
