"""The httpx wires: :class:`HttpxWire` and :class:`AsyncHttpxWire` carry a call over an httpx
client or transport, yours (``http_client=`` / ``transport=``) or one they make themselves
(without the ``[curl]`` extra, with a proxy in the environment, or with
``LIVEBLOCKS_AUTH_TRANSPORT=httpx``)."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import anyio
import httpcore
import httpx

from ._wire import (
    Outgoing,
    Reply,
    WireMisuse,
    _abandon,
    _Body,
    _fresh,
    _too_late,
    at_deadline,
    check_head,
    forked,
    generation,
    ssl_context,
)

__all__ = ["AsyncHttpxWire", "HttpcoreWire", "HttpxWire", "bound_by_deadlines"]


class _HttpxBase:
    name = "httpx"

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
    apply). Over the client it makes itself (:func:`bound_by_deadlines`) every read, write and
    connect ends at the call's deadline, a head that drips byte by byte included; over yours,
    each blocking read is bounded by the read timeout and the body by the deadline."""

    def _after_fork(self) -> None:
        # Closing a sync httpx pool in the child closes the child's descriptors only, and
        # leaves the pool usable with new connections.
        for transport in _transports_of(self._owner):
            transport.close()
        self._generation = generation()

    def send(self, call: Outgoing) -> Reply:
        if forked(self._generation):
            self._after_fork()
        return _bounded(call, self._exchange, _fresh)

    def _exchange(self, call: Outgoing) -> Reply:
        response = self._send(call)
        try:
            headers = check_head(response.status_code, response.headers.raw)
            body = _Body(call)
            # Raw bytes, never decoded; a response made in memory (a test double) comes already
            # read, and is taken as it is.
            body.take([response.content] if response.is_stream_consumed else response.iter_raw())
        finally:
            response.close()
        return body.reply(response.status_code, headers)

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


class HttpcoreWire:
    """The sync wire without ``[curl]`` (and without a proxy in the environment): httpcore's
    connection pool, the one inside httpx's own transport, called straight (httpx's request and
    response objects cost about 200 µs of CPU per call), over a network backend bound by the
    call's deadline; at most ``limits.max_connections`` connections, idle ones not reused after
    ``limits.keepalive_expiry``; closed and made anew in a forked child (closing a sync pool
    there closes only the child's descriptors)."""

    name = "httpx"

    def __init__(self, limits: httpx.Limits) -> None:
        self._limits = limits
        self._pool, self._generation = self._new_pool(), generation()

    def _new_pool(self) -> httpcore.ConnectionPool:
        return httpcore.ConnectionPool(
            ssl_context=ssl_context(),
            max_connections=self._limits.max_connections,
            max_keepalive_connections=self._limits.max_keepalive_connections,
            keepalive_expiry=self._limits.keepalive_expiry,
            network_backend=_DeadlineBackend(httpcore.SyncBackend()),
        )

    def send(self, call: Outgoing) -> Reply:
        if forked(self._generation):
            self._pool.close()
            self._pool, self._generation = self._new_pool(), generation()
        return _bounded(call, self._exchange, _as_httpx)

    def _exchange(self, call: Outgoing) -> Reply:
        with self._pool.stream(
            call.method,
            call.url,
            headers=list(call.headers.items()),
            content=call.body,
            extensions={"timeout": call.timeout.as_dict()},
        ) as response:
            headers = check_head(response.status, response.headers)
            body = _Body(call)
            body.take(response.iter_stream())
        return body.reply(response.status, headers)

    def close(self) -> None:
        if not forked(self._generation):
            self._pool.close()


#: httpcore's exceptions and httpx's, which the clients speak (httpx maps them the same way).
_HTTPX_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
}


def _as_httpx(error: Exception) -> BaseException:
    """``error`` as httpx's exception of the same kind, made afresh (see ``_fresh``)."""
    for cls in type(error).__mro__:
        mapped = _HTTPX_ERRORS.get(cls)
        if mapped is not None:
            return mapped(str(error))
    return _fresh(error)


def _bounded(
    call: Outgoing,
    exchange: Callable[[Outgoing], Reply],
    errors: Callable[[Exception], BaseException],
) -> Reply:
    """``exchange(call)`` with this thread's deadline set for a pool bound by deadlines; a
    failure raised afresh as httpx's (``errors``), and a timeout at the call's deadline as the
    deadline's (not retried), whatever timed out."""
    _deadlines.at = call.deadline
    try:
        return exchange(call)
    except Exception as exc:
        error = errors(exc)
        if isinstance(error, httpx.TimeoutException) and at_deadline(call):
            error = _too_late(call)
    finally:
        _deadlines.at = None
    raise error  # outside the except block: no library frame rides along


# --- the deadline, down to each read ---------------------------------------------------------

#: The deadline (``time.monotonic()``) of the call this thread is sending, if any: httpcore's
#: sync pool runs a request in the caller's thread, down to its socket reads.
_deadlines = threading.local()


def _left(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout``, shortened to what is left before the deadline; ``expired`` raised past it."""
    deadline: float | None = getattr(_deadlines, "at", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the call's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every blocking wait ends at the deadline of the call it carries."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        limit = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, limit))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend (a pool's ``network_backend``) whose connections know the
    deadline: httpcore's own sync reads restart their timeout at every byte, so a head that
    drips one byte per second would hold a call far past its deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        limit = _left(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, limit, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        limit = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, limit, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def bound_by_deadlines(client: httpx.Client) -> httpx.Client:
    """``client``, whose pools (its own and its proxies') read, write and connect only until
    the deadline of the call that :class:`HttpxWire` sends. (httpx 0.27-0.x builds each pool
    with httpcore's sync backend; the wrapper goes around it.)"""
    for transport in _transports_of(client):
        pool = transport._pool
        pool._network_backend = _DeadlineBackend(pool._network_backend)
    return client
