"""The aiohttp wire, for ``AsyncLiveblocks`` without the ``[curl]`` extra: aiohttp (the
``[aiohttp]`` extra, which ``[starlette]`` and ``[fastapi]`` bring) installs everywhere, from
wheels or pure Python, and costs a fraction of httpx's async pool per call (docs: Transports).
Imported only when chosen (:mod:`liveblocks_auth.transports`)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import httpx
import yarl

from ._wire import (
    ENV_TRANSPORT,
    Outgoing,
    Reply,
    WireMisuse,
    _abandon,
    _Body,
    _fresh,
    _too_late,
    acquire_slot,
    check_head,
    forked,
    generation,
    readable,
    ssl_context,
)
from .config import DEFAULT_LIMITS

__all__ = ["AiohttpWire"]

_READ_SIZE = 65536


class _Connector(aiohttp.TCPConnector):
    """aiohttp's connector, minus one flaw: it reuses an idle connection on which bytes
    arrived that nobody asked for, and hands them to the next request as its answer (a forged
    ``{"token": ...}`` would reach another user). Such a connection is closed instead, whether
    aiohttp has read those bytes already (its protocol then says it should close) or they
    still wait in the socket."""

    async def _get(self, *args: Any, **kwargs: Any) -> Any:
        while (connection := await super()._get(*args, **kwargs)) is not None:
            protocol = connection.protocol
            transport = None if protocol is None or protocol.should_close else protocol.transport
            if transport is not None and not _readable(transport):
                return connection
            connection.close()
        return None


def _readable(transport: asyncio.BaseTransport) -> bool:
    sock = transport.get_extra_info("socket")
    return sock is None or readable(sock.fileno())


def _error(error: aiohttp.ClientError) -> BaseException:
    """aiohttp's failure as httpx's: connecting (nothing was sent: the call may be sent again),
    or after the request went out (it may have been received)."""
    message = str(error) or type(error).__name__
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message)
    if isinstance(error, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message)  # refused, TLS failures: before any byte was sent
    if isinstance(error, aiohttp.SocketTimeoutError):
        return httpx.ReadTimeout(message)
    if isinstance(error, aiohttp.ClientOSError):
        return httpx.ReadError(message)
    return httpx.RemoteProtocolError(message)


class AiohttpWire:
    """An aiohttp session made in the first event loop that uses it, with at most
    ``limits.max_connections`` connections (a wait past the pool timeout is
    ``httpx.PoolTimeout``), idle ones closed after ``limits.keepalive_expiry``; no cookies,
    no redirects, no decompression, no proxy; the whole attempt cut at the deadline; made
    anew, the parent's kept and never used, in a forked child. Asyncio only."""

    name = "aiohttp"

    def __init__(self, limits: httpx.Limits = DEFAULT_LIMITS) -> None:
        self._limits = limits
        self._timeouts: tuple[httpx.Timeout | None, aiohttp.ClientTimeout | None] = (None, None)
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        self._generation = generation()

    def _current_session(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        if forked(self._generation):
            if self._session is not None:
                _abandon(self._session)  # the parent's connections: kept, never closed here
            self._session, self._slots, self._generation = None, None, generation()
        if self._session is None or self._slots is None:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                raise WireMisuse(
                    "AsyncLiveblocks' aiohttp transport runs on asyncio; under another event "
                    f"loop (trio), set {ENV_TRANSPORT}=httpx or pass "
                    "transport=httpx.AsyncHTTPTransport()"
                ) from None
            size = self._limits.max_connections or 100
            expiry = self._limits.keepalive_expiry
            # 0: no connection is reused (aiohttp refuses a keep-alive timeout beside that);
            # None: idle ones never expire (an hour, as every aiohttp release reads it).
            reuse: dict[str, Any] = (
                {"force_close": True}
                if expiry == 0
                else {"keepalive_timeout": 3600.0 if expiry is None else expiry}
            )
            connector = _Connector(limit=size, limit_per_host=0, ssl=ssl_context(), **reuse)
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                trust_env=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding"),
                timeout=aiohttp.ClientTimeout(total=None),
            )
            # aiohttp sends an idempotent request again by itself when its connection breaks
            # (its attribute since 3.11): our retry policy decides what is sent again, and
            # counts it against the attempts and the deadline.
            self._session._retry_connection = False
            self._slots = asyncio.Semaphore(size)
        return self._session, self._slots

    async def send(self, call: Outgoing) -> Reply:
        session, slots = self._current_session()  # outside the try: misuse is raised as is
        try:
            async with asyncio.timeout(max(call.deadline - time.monotonic(), 0.0)):
                await acquire_slot(slots, call.timeout.pool)
                try:
                    return await self._exchange(session, call)
                finally:
                    slots.release()
        except httpx.PoolTimeout as exc:
            error: BaseException = _fresh(exc)
        except aiohttp.ClientError as exc:  # its timeouts are TimeoutErrors too: first
            error = _error(exc)
        except TimeoutError:
            error = _too_late(call)
        except Exception as exc:
            error = _fresh(exc)
        raise error  # outside the except block: no library frame rides along

    def _timeout(self, timeout: httpx.Timeout) -> aiohttp.ClientTimeout:
        given, made = self._timeouts
        if given is not timeout or made is None:  # the same object, call after call: cached
            made = aiohttp.ClientTimeout(
                total=None, sock_connect=timeout.connect, sock_read=timeout.read
            )
            self._timeouts = (timeout, made)
        return made

    async def _exchange(self, session: aiohttp.ClientSession, call: Outgoing) -> Reply:
        async with session.request(
            call.method,
            # As built, byte for byte: yarl would otherwise decode %40 and the like in the path.
            yarl.URL(call.url, encoded=True),
            data=call.body,
            headers=call.headers,
            allow_redirects=False,
            timeout=self._timeout(call.timeout),
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
