"""The libcurl wire (the ``[curl]`` extra: pycurl): :class:`CurlWire` for ``Liveblocks``,
:class:`AsyncCurlWire` (libcurl's multi interface on the running asyncio event loop) for
``AsyncLiveblocks``. Imported only when chosen (:mod:`liveblocks_auth.transports`)."""

from __future__ import annotations

import asyncio
import math
import queue
import threading
import time
from typing import Any

import httpx
import pycurl

from ._wire import (
    ENV_TRANSPORT,
    Outgoing,
    Reply,
    WireMisuse,
    _abandon,
    _fresh,
    _too_late,
    acquire_slot,
    at_deadline,
    ca_locations,
    check_head,
    forked,
    generation,
    readable,
)
from .config import DEFAULT_LIMITS

__all__ = ["AsyncCurlWire", "CurlWire"]


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
        self.cainfo, self.capath = ca_locations()  # one TLS policy for every wire


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
        return not readable(self.socket)

    def prepare(self, call: Outgoing) -> None:
        curl = self.curl
        self.answer.begin()
        curl.setopt(pycurl.URL, call.url)
        if call.body is None:  # (a POST has a body, if only b"": this would make it a GET)
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
        if timed_out and at_deadline(call):
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

    name = "curl"

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

    name = "curl"

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
        await acquire_slot(self._slots, call.timeout.pool)
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
