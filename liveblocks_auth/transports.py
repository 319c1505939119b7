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
import http.client
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


def default_async_transport(limits: httpx.Limits | None) -> httpx.AsyncBaseTransport | None:
    """The transport AsyncLiveblocks uses when none is given (None: httpx's own)."""
    if os.environ.get(ENV_TRANSPORT, "").lower() == "httpx" or not aiohttp_available():
        return None
    return AiohttpTransport(limits=limits or DEFAULT_LIMITS)


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


# --- sync: the standard library's http.client, pooled ---


class _SyncStream(httpx.SyncByteStream):
    def __init__(self, response: Any, done: Any) -> None:
        self._response = response
        self._done = done

    def __iter__(self) -> Iterator[bytes]:
        try:
            while chunk := self._response.read1(65536):  # what has arrived, not all 64 KiB
                yield chunk
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "read timed out") from exc
        except (http.client.HTTPException, OSError) as exc:
            raise httpx.ReadError(str(exc)) from exc

    def close(self) -> None:
        # Reusable only when the body was read to its end and the server keeps the connection.
        response = self._response
        fully_read = response.isclosed() or response.length == 0  # read1 leaves length at 0
        reusable = fully_read and not response.will_close
        self._response.close()
        self._done(reusable)


class StdlibTransport(httpx.BaseTransport):
    """An httpx sync transport on ``http.client`` with a thread-safe keep-alive pool.

    Same semantics as httpx's: at most ``limits.max_connections`` open, ``httpx.PoolTimeout``
    after the request's ``pool`` timeout, ``httpx.ConnectTimeout``/``ReadTimeout``/
    ``ConnectError`` as httpx raises them. A kept-alive connection the server closed meanwhile
    is replaced once, transparently (as urllib3 and httpcore do).
    """

    def __init__(self, limits: httpx.Limits = DEFAULT_LIMITS, verify: Any = True) -> None:
        self._ssl = httpx.create_ssl_context(verify=verify) if verify else None
        size = limits.max_connections or 1000
        self._slots = threading.BoundedSemaphore(size)
        self._keep = limits.max_keepalive_connections or size
        self._idle: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()

    def _connection(
        self, key: tuple[str, str, int], connect_timeout: float | None
    ) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            idle = self._idle.get(key)
            if idle:
                return idle.pop(), True
        scheme, host, port = key
        if scheme == "https":
            context = self._ssl or ssl._create_unverified_context()  # noqa: S323 - verify=False
            return http.client.HTTPSConnection(
                host, port, timeout=connect_timeout, context=context
            ), False
        return http.client.HTTPConnection(host, port, timeout=connect_timeout), False

    def _give_back(self, key: tuple[str, str, int], connection: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self._keep:
                idle.append(connection)
                return
        connection.close()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        if not self._slots.acquire(timeout=timeouts.get("pool")):
            raise httpx.PoolTimeout("no free connection within the pool timeout")
        url = request.url
        key = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        target = url.raw_path.decode("ascii")
        body = request.read()
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in request.headers.raw}
        phase = "connect"
        try:
            for attempt in (1, 2):
                connection, reused = self._connection(key, timeouts.get("connect"))
                try:
                    phase = "connect"
                    if connection.sock is None:
                        connection.connect()
                    phase = "read"
                    connection.sock.settimeout(timeouts.get("read"))
                    connection.request(request.method, target, body=body, headers=headers)
                    response = connection.getresponse()
                    break
                except (
                    http.client.RemoteDisconnected,
                    ConnectionResetError,
                    BrokenPipeError,
                ) as exc:
                    connection.close()
                    if reused and attempt == 1:
                        continue  # a stale kept-alive connection: once more on a fresh one
                    raise httpx.RemoteProtocolError(str(exc) or "server disconnected") from exc
                except BaseException:
                    connection.close()
                    raise
        except TimeoutError as exc:
            self._slots.release()
            raise (httpx.ReadTimeout if phase == "read" else httpx.ConnectTimeout)(
                str(exc) or f"{phase} timed out"
            ) from exc
        except (ConnectionRefusedError, socket.gaierror, ssl.SSLError, OSError) as exc:
            self._slots.release()
            raise httpx.ConnectError(str(exc)) from exc
        except BaseException:
            self._slots.release()
            raise

        def done(reusable: bool) -> None:
            if reusable:
                self._give_back(key, connection)
            else:
                connection.close()
            self._slots.release()

        return httpx.Response(
            response.status,
            headers=response.getheaders(),
            stream=_SyncStream(response, done),
            extensions={"http_version": b"HTTP/1.1"},
        )

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()


def default_sync_transport(limits: httpx.Limits | None) -> httpx.BaseTransport | None:
    """The transport Liveblocks uses when none is given (None: httpx's own)."""
    if os.environ.get(ENV_TRANSPORT, "").lower() == "httpx":
        return None
    return StdlibTransport(limits=limits or DEFAULT_LIMITS)
