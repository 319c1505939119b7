"""``Liveblocks`` (sync) and ``AsyncLiveblocks`` (async): thin I/O shells over the pure core.

Everything that is not I/O (validation, request building, retry decisions, response mapping)
lives in ``_protocol`` and ``_retry`` and is shared; each class only sends, reads and sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import http.cookiejar
import logging
import random
import time
import urllib.request
from collections.abc import (
    AsyncIterator,
    Callable,
    Coroutine,
    Generator,
    Iterator,
    Mapping,
    Sequence,
)
from types import TracebackType
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, Self, TypeVar, cast

import anyio
import httpx

from . import _protocol as proto
from . import rooms
from ._effects import drive, drive_async
from ._http11 import request_bytes
from ._retry import BodyCollector, DeadlineExceeded, Effect, Send, Sleep, call_with_retries
from ._secret import Secret, secret_from_setting
from .config import (
    DEFAULT_LIMITS,
    DEFAULT_RETRY,
    DEFAULT_TIMEOUT,
    ENV_SECRET_KEY,
    VERSION,
    RetryPolicy,
    resolve_base_url,
)
from .models import AuthResponse
from .transports import (
    AsyncioTransport,
    Key,
    StdlibTransport,
    bind_loop,
    default_async_transport,
    default_sync_transport,
    origin,
)

__all__ = ["AsyncLiveblocks", "AsyncSession", "Liveblocks", "Session"]

USER_AGENT = f"liveblocks-auth-python/{VERSION}"
_USER_AGENT = USER_AGENT.encode()
logger = logging.getLogger("liveblocks_auth")

P = ParamSpec("P")
R = TypeVar("R")

AuthT = TypeVar("AuthT")
SessionT = TypeVar("SessionT")
HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
TransportT = TypeVar("TransportT", httpx.BaseTransport, httpx.AsyncBaseTransport)

# Patched by tests that check backoff without waiting for it.
_sleep: Callable[[float], None] = time.sleep
_async_sleep: Callable[[float], Any] = anyio.sleep


class _RejectAllCookies(http.cookiejar.DefaultCookiePolicy):
    """Liveblocks needs no cookies; one user's call must never carry what another's received."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


@functools.lru_cache(maxsize=256)
def _parsed_url(url: str) -> httpx.URL:
    # Parsing a URL is a fifth of the client's own time per call; the paths repeat.
    return httpx.URL(url)


class _SyncAnswer(Protocol):
    """What a client reads of an answer: our transports' own, or an httpx response's."""

    status: int

    @property
    def fields(self) -> Mapping[str, str]: ...

    def __iter__(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...


class _AsyncAnswer(Protocol):
    status: int

    @property
    def fields(self) -> Mapping[str, str]: ...

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class _ResponseAnswer:
    """An ``httpx.Response`` (streamed, decoded by httpx) read as our transports' answers."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status = response.status_code
        self.fields: Mapping[str, str] = response.headers

    def __iter__(self) -> Iterator[bytes]:
        return self._response.iter_bytes()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._response.aiter_bytes()

    def close(self) -> None:
        self._response.close()

    async def aclose(self) -> None:
        await self._response.aclose()


def _json_body(request: proto.ApiRequest) -> bytes | None:
    """The body of a call, the same bytes whichever way it is sent (and whatever httpx's own
    JSON settings): ``proto.to_json``, UTF-8."""
    return None if request.json is None else proto.to_json(request.json).encode()


def _deadline_scope(needed: bool, deadline: float) -> contextlib.AbstractContextManager[Any]:
    if not needed:
        return contextlib.nullcontext()
    return anyio.fail_after(max(deadline - time.monotonic(), 0.001))


def _no_cookie_jar() -> http.cookiejar.CookieJar:
    return http.cookiejar.CookieJar(policy=_RejectAllCookies())


class _BaseClient(Generic[AuthT, SessionT, HttpT, TransportT]):
    """Configuration, request building and the public calls, shared by both clients.

    ``AuthT`` is ``AuthResponse`` for the sync client and a coroutine of it for the async one,
    so each public call is written once here over the client's own ``auth_call``.
    """

    def __init__(
        self,
        secret: str | Secret | None = None,
        *,
        base_url: str | None = None,
        timeout: httpx.Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        limits: httpx.Limits | None = None,
        transport: TransportT | None = None,
        http_client: HttpT | None = None,
    ) -> None:
        self._secret = secret_from_setting(secret, "secret", ENV_SECRET_KEY)
        self.base_url = resolve_base_url(base_url)
        if timeout is None:
            timeout = DEFAULT_TIMEOUT
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        #: The last timeout given to ``exchange`` and its dict (most attempts use the same).
        self._timeouts: tuple[httpx.Timeout | None, dict[str, float | None]] = (None, {})
        self.retry = retry or DEFAULT_RETRY
        self._rng = random.Random(self.retry.seed)  # noqa: S311 - jitter, not cryptography
        self._owns_http = http_client is None
        #: The transport requests go to directly, skipping ``httpx.Client.send`` (its cookie,
        #: auth, redirect and hook layers, none of which this client uses: a third of the
        #: time of a call). Only for a client built here: a given ``http_client`` is always
        #: called through ``send``, so its own settings apply. With a proxy configured in the
        #: environment (``HTTPS_PROXY``, ...) and no transport given, httpx's own transports
        #: are used, through ``send``, since they are what routes requests to the proxy.
        self._direct: TransportT | None = None
        #: This package's own transport, given requests as bytes (``exchange``): no
        #: ``httpx.Request``/``Response`` built per call (half of the time left otherwise).
        self._raw: Any = None
        #: Request heads for ``_raw`` by (method, path, has a body): built once per path.
        self._heads: dict[tuple[str, str, bool], tuple[Key, bytes]] = {}
        if http_client is None:
            limits = limits or DEFAULT_LIMITS
            if transport is None and not urllib.request.getproxies():
                transport = self._default_transport(limits)
            http_client = self._new_http(
                transport=transport,
                timeout=self.timeout,
                limits=limits,
                follow_redirects=False,
                cookies=_no_cookie_jar(),
            )
            self._direct = transport
            if type(transport) in (StdlibTransport, AsyncioTransport):
                self._raw = transport
        self._http: HttpT = http_client

    def _default_transport(self, limits: httpx.Limits) -> TransportT:
        raise NotImplementedError

    def _new_http(self, **options: Any) -> HttpT:
        raise NotImplementedError

    def _build(self, send: Send) -> httpx.Request:
        request = send.request
        # The secret is read here, at the last moment, and only into this header
        # (httpx.Headers redacts Authorization in its repr).
        headers = {"Authorization": f"Bearer {self._secret.reveal()}"}
        url = self.base_url + request.path
        params = dict(request.params) or None
        body = _json_body(request)
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self._direct is None:
            return self._http.build_request(
                request.method,
                url,
                content=body,
                params=params,
                headers=headers,
                timeout=send.timeout,
            )
        headers["User-Agent"] = USER_AGENT
        return httpx.Request(
            request.method,
            _parsed_url(url),
            content=body,
            params=params,
            headers=headers,
            extensions={"timeout": send.timeout.as_dict()},
        )

    def _message(self, send: Send) -> tuple[Key, str, bytes, dict[str, float | None], bool]:
        """``send`` as the arguments of our transports' ``exchange``: the request in bytes, as
        ``_build`` and httpx would write it."""
        request = send.request
        body = _json_body(request) or b""
        shape = (request.method, request.path, request.json is not None)
        prepared = None if request.params else self._heads.get(shape)
        if prepared is None:
            prepared = self._head(request, with_json=request.json is not None)
            if not request.params:
                if len(self._heads) >= 256:  # room paths vary: keep the cache small
                    self._heads.clear()
                self._heads[shape] = prepared
        key, head = prepared
        if body or request.method in ("POST", "PUT", "PATCH"):
            head += b"Content-Length: %d\r\n" % len(body)
        cached = self._timeouts  # one read: another thread may replace it meanwhile
        if cached[0] is not send.timeout:
            cached = self._timeouts = (send.timeout, send.timeout.as_dict())
        return key, request.method, head + b"\r\n" + body, cached[1], True

    def _head(self, request: proto.ApiRequest, with_json: bool) -> tuple[Key, bytes]:
        """The request line and the fixed headers of a call, each line ending in CRLF."""
        url = self.base_url + request.path
        parsed = httpx.URL(url, params=dict(request.params)) if request.params else _parsed_url(url)
        headers = [
            (b"Host", parsed.netloc),
            (b"Authorization", b"Bearer " + self._secret.reveal().encode()),
            (b"User-Agent", _USER_AGENT),
        ]
        if with_json:
            headers.append((b"Content-Type", b"application/json"))
        return origin(parsed), request_bytes(request.method, parsed.raw_path, headers)[:-2]

    def _flow(self, request: proto.ApiRequest) -> Generator[Effect, Any, proto.ApiResult]:
        return call_with_retries(request, self.retry, self.timeout, self._rng)

    def _finish(self, result: proto.ApiResult) -> proto.ApiResult:
        if logger.isEnabledFor(logging.DEBUG):
            outcome = type(result.error).__name__ if result.failed else result.status
            logger.debug(
                "%s %s%s -> %s", result.request.method, self.base_url, result.request.path, outcome
            )
        if result.error is not None and self._secret.reveal() in str(result.error):
            # Whatever layer quoted the key, it goes no further than this.
            masked = RedactedError(proto.describe_error(result.error, self._secret))
            return dataclasses.replace(result, error=masked)
        if not result.failed:
            proto.log_service_warning(
                result.headers, result.request.method, result.request.path, result.status < 400
            )
        return result

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, secret={self._secret!r})"

    def auth_call(self, request: proto.ApiRequest) -> AuthT:
        """Send identify-user / authorize-user and map the answer as ``@liveblocks/node``."""
        raise NotImplementedError

    def _new_session(self, builder: proto.SessionBuilder) -> SessionT:
        raise NotImplementedError

    def identify_user(
        self,
        user_id: str,
        *,
        group_ids: Sequence[str] | None = None,
        organization_id: str | None = None,
        tenant_id: str | None = None,
        user_info: Mapping[str, Any] | None = None,
    ) -> AuthT:
        """Get an ID token for ``user_id``; the room's permissions decide what it may do.

        ``tenant_id`` is the older name of ``organization_id``. Invalid arguments raise
        ``ValueError`` before any request; upstream trouble is reported in the status
        (503: try later), never raised.
        """
        return self.auth_call(
            proto.identify_user_request(
                user_id,
                group_ids=group_ids,
                organization_id=organization_id,
                tenant_id=tenant_id,
                user_info=user_info,
            )
        )

    def prepare_session(
        self,
        user_id: str,
        *,
        user_info: Mapping[str, Any] | None = None,
        organization_id: str | None = None,
    ) -> SessionT:
        """Start an access token: ``.allow(pattern, scopes)``, then ``.authorize()`` once."""
        return self._new_session(proto.SessionBuilder(user_id, user_info, organization_id))


class _SessionBase:
    def __init__(self, builder: proto.SessionBuilder) -> None:
        self._builder = builder

    def allow(self, pattern: str, scopes: Sequence[str]) -> Self:
        """Grant ``scopes`` on a room id or a prefix pattern (``"org-*"``)."""
        self._builder.allow(pattern, scopes)
        return self

    @property
    def permissions(self) -> dict[str, list[str]]:
        return self._builder.permissions


class Session(_SessionBase):
    """An access token being prepared; see :meth:`Liveblocks.prepare_session`."""

    def __init__(self, client: Liveblocks, builder: proto.SessionBuilder) -> None:
        super().__init__(builder)
        self._client = client

    def authorize(self) -> AuthResponse:
        return self._client.auth_call(self._builder.build())


class AsyncSession(_SessionBase):
    """An access token being prepared; see :meth:`AsyncLiveblocks.prepare_session`."""

    def __init__(self, client: AsyncLiveblocks, builder: proto.SessionBuilder) -> None:
        super().__init__(builder)
        self._client = client

    async def authorize(self) -> AuthResponse:
        return await self._client.auth_call(self._builder.build())


class RedactedError(Exception):
    """An upstream error whose message had to be masked because it quoted the secret key."""


def _blocking(flow: Callable[P, rooms.Flow[R]]) -> Callable[Concatenate[Liveblocks, P], R]:
    """A ``Liveblocks`` method running ``flow`` with blocking calls."""

    def method(self: Liveblocks, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return drive(flow(*args, **kwargs), self.call)

    return functools.wraps(flow)(method)


def _awaitable(
    flow: Callable[P, rooms.Flow[R]],
) -> Callable[Concatenate[AsyncLiveblocks, P], Coroutine[Any, Any, R]]:
    """An ``AsyncLiveblocks`` method running ``flow`` with awaited calls."""

    async def method(self: AsyncLiveblocks, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return await drive_async(flow(*args, **kwargs), self.call)

    return functools.wraps(flow)(method)


def _blocking_pages(
    pager: Callable[P, rooms.RoomPager],
) -> Callable[Concatenate[Liveblocks, P], Iterator[rooms.Room]]:
    def method(self: Liveblocks, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[rooms.Room]:
        pages = pager(*args, **kwargs)  # arguments are checked now, not at the first next()

        def iterate() -> Iterator[rooms.Room]:
            cursor: str | None = None
            while True:
                page = drive(pages.page(cursor), self.call)
                yield from page.items
                if (cursor := page.next_cursor) is None:
                    return

        return iterate()

    return functools.wraps(pager)(method)


def _async_pages(
    pager: Callable[P, rooms.RoomPager],
) -> Callable[Concatenate[AsyncLiveblocks, P], AsyncIterator[rooms.Room]]:
    def method(
        self: AsyncLiveblocks, /, *args: P.args, **kwargs: P.kwargs
    ) -> AsyncIterator[rooms.Room]:
        pages = pager(*args, **kwargs)

        async def iterate() -> AsyncIterator[rooms.Room]:
            cursor: str | None = None
            while True:
                page = await drive_async(pages.page(cursor), self.call)
                for item in page.items:
                    yield item
                if (cursor := page.next_cursor) is None:
                    return

        return iterate()

    return functools.wraps(pager)(method)


class Liveblocks(_BaseClient[AuthResponse, Session, httpx.Client, httpx.BaseTransport]):
    """Synchronous Liveblocks client holding one connection pool for its lifetime.

    ``secret`` defaults to ``$LIVEBLOCKS_SECRET_KEY``; ``base_url`` to ``$LIVEBLOCKS_BASE_URL``,
    else ``https://api.liveblocks.io``. Pass ``transport`` (e.g. the fake from
    ``liveblocks_auth.testing``) or a ready ``http_client`` to change how requests are sent.
    """

    def _default_transport(self, limits: httpx.Limits) -> httpx.BaseTransport:
        return default_sync_transport(limits)

    def _new_http(self, **options: Any) -> httpx.Client:
        return httpx.Client(**options)

    def _perform(self, effect: Effect) -> proto.ApiResult | None:
        if isinstance(effect, Sleep):
            _sleep(effect.seconds)
            return None
        collector = BodyCollector(effect)
        try:
            answer = self._send(effect)
            try:
                for chunk in answer:
                    if collector.feed(chunk):
                        break
            finally:
                answer.close()
        except Exception as exc:
            return collector.failure(exc)
        return collector.result(answer.status, answer.fields)

    def _send(self, effect: Send) -> _SyncAnswer:
        if self._raw is not None:
            return cast(_SyncAnswer, self._raw.exchange(*self._message(effect)))
        request = self._build(effect)
        if self._direct is not None:
            return _ResponseAnswer(self._direct.handle_request(request))
        return _ResponseAnswer(self._http.send(request, stream=True))

    def call(self, request: proto.ApiRequest) -> proto.ApiResult:
        """Send one REST call with retries: the answer (or error) of the last attempt."""
        return self._finish(drive(self._flow(request), self._perform))

    def auth_call(self, request: proto.ApiRequest) -> AuthResponse:
        return proto.auth_response(self.call(request), self.base_url, self._secret)

    def _new_session(self, builder: proto.SessionBuilder) -> Session:
        return Session(self, builder)

    create_room = _blocking(rooms.create_room)
    get_room = _blocking(rooms.get_room)
    update_room = _blocking(rooms.update_room)
    delete_room = _blocking(rooms.delete_room)
    list_rooms = _blocking_pages(rooms.list_rooms)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncLiveblocks(
    _BaseClient[
        Coroutine[Any, Any, AuthResponse], AsyncSession, httpx.AsyncClient, httpx.AsyncBaseTransport
    ]
):
    """Asynchronous twin of :class:`Liveblocks`, bound to the event loop that first uses it.

    Create it where the serving loop runs (for example in a lifespan) and
    ``await client.aclose()`` (or use ``async with``) when that loop ends.
    """

    _loop: asyncio.AbstractEventLoop | None = None

    def _default_transport(self, limits: httpx.Limits) -> httpx.AsyncBaseTransport:
        return default_async_transport(limits)

    def _new_http(self, **options: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(**options)

    def _check_loop(self) -> None:
        # Connections in an httpx.AsyncClient belong to one loop; reusing them from another
        # fails in obscure ways, so say so plainly.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not asyncio (trio): nothing to check
            return
        self._loop = bind_loop(self._loop, loop, "AsyncLiveblocks client")

    async def _perform(self, effect: Effect) -> proto.ApiResult | None:
        if isinstance(effect, Sleep):
            await _async_sleep(effect.seconds)
            return None
        collector = BodyCollector(effect)
        try:
            # Unlike sync reads, the whole attempt (headers too) is cut at the deadline: by our
            # transport itself (every wait it makes is capped), else by a cancel scope.
            with _deadline_scope(self._raw is None, effect.deadline):
                answer = await self._send(effect)
                try:
                    async for chunk in answer:
                        if collector.feed(chunk):
                            break
                finally:
                    await answer.aclose()
        except TimeoutError:
            return collector.failure(DeadlineExceeded(f"deadline passed on {effect.request.path}"))
        except Exception as exc:
            return collector.failure(exc)
        return collector.result(answer.status, answer.fields)

    async def _send(self, effect: Send) -> _AsyncAnswer:
        if self._raw is not None:
            exchange = self._raw.exchange(*self._message(effect), deadline=effect.deadline)
            return cast(_AsyncAnswer, await exchange)
        request = self._build(effect)
        if self._direct is not None:
            return _ResponseAnswer(await self._direct.handle_async_request(request))
        return _ResponseAnswer(await self._http.send(request, stream=True))

    async def call(self, request: proto.ApiRequest) -> proto.ApiResult:
        """Send one REST call with retries: the answer (or error) of the last attempt."""
        self._check_loop()
        return self._finish(await drive_async(self._flow(request), self._perform))

    async def auth_call(self, request: proto.ApiRequest) -> AuthResponse:
        return proto.auth_response(await self.call(request), self.base_url, self._secret)

    def _new_session(self, builder: proto.SessionBuilder) -> AsyncSession:
        return AsyncSession(self, builder)

    create_room = _awaitable(rooms.create_room)
    get_room = _awaitable(rooms.get_room)
    update_room = _awaitable(rooms.update_room)
    delete_room = _awaitable(rooms.delete_room)
    list_rooms = _async_pages(rooms.list_rooms)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
