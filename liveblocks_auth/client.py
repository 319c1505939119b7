"""``Liveblocks`` (sync) and ``AsyncLiveblocks`` (async): thin I/O shells over the pure core.

Everything that is not I/O (validation, request building, retry decisions, response mapping)
lives in ``_protocol`` and ``_retry`` and is shared; each class only sends through its wire
(``transports``) and sleeps.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import random
import time
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
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, cast
from urllib.parse import urlencode

import anyio
import httpx

from . import _mutations, telemetry
from . import _protocol as proto
from ._effects import drive, drive_async
from ._retry import Effect, Send, Sleep, call_with_retries, parse_retry_after
from ._secret import Secret, hold_secret, secret_from_setting
from .api import (
    Operation,
    Pager,
    ai,
    attachments,
    comments,
    feeds,
    files,
    groups,
    notifications,
    presence,
    rooms,
    settings,
    storage,
    versions,
    yjs,
)
from .api.rooms import Room
from .config import (
    DEFAULT_RETRY,
    DEFAULT_TIMEOUT,
    ENV_SECRET_KEY,
    MAX_DOCUMENT_ANSWER,
    VERSION,
    RetryPolicy,
    check_key_and_base_url,
    resolve_base_url,
)
from .live import LiveObject
from .models import AuthResponse
from .transports import (
    AsyncWire,
    Outgoing,
    Reply,
    SyncWire,
    WireMisuse,
    choose_wire,
    forked,
    generation,
)

__all__ = ["AsyncLiveblocks", "AsyncSession", "Liveblocks", "Session"]

USER_AGENT = f"liveblocks-auth-python/{VERSION}"
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


class _Credential(str):
    """The Authorization header's value: the text libraries send, but a ``repr`` that does not
    show it, so a frame's locals recorded by an error tracker never hold it in the clear."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'Bearer sk_***'"


def result_of(request: proto.ApiRequest, reply: Reply) -> proto.ApiResult:
    """What the retry loop and the callers see of one attempt's answer."""
    retry_after = None
    if reply.status >= 400:
        retry_after = parse_retry_after(reply.headers.get("retry-after"))
    return proto.ApiResult(
        request,
        status=reply.status,
        headers=reply.headers,
        body=reply.body,
        truncated=reply.truncated,
        retry_after=retry_after,
    )


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
        max_document_size: int = MAX_DOCUMENT_ANSWER,
    ) -> None:
        held = hold_secret(secret)
        del secret  # from here on, no frame of ours holds the text (see hold_secret)
        self._secret = secret_from_setting(held, "secret", ENV_SECRET_KEY)
        if not isinstance(max_document_size, int) or max_document_size < 1:
            raise ValueError("max_document_size must be a positive number of bytes")
        #: The largest room document (storage, Yjs) read; a larger one raises LiveblocksError.
        self.max_document_size = max_document_size
        self.base_url = resolve_base_url(base_url)
        if transport is None and http_client is None:  # else they decide where requests go
            check_key_and_base_url(self._secret.is_localdev, self.base_url)
        if timeout is None:
            timeout = DEFAULT_TIMEOUT
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.retry = retry or DEFAULT_RETRY
        self._rng = random.Random(self.retry.seed)  # noqa: S311 - jitter, not cryptography
        self._headers = {
            "Authorization": _Credential(f"Bearer {self._secret.reveal()}"),
            "User-Agent": USER_AGENT,
            # Answers are read as sent: a compressed one could be a decompression bomb.
            "Accept-Encoding": "identity",
        }
        self._json_headers = {**self._headers, "Content-Type": "application/json"}
        self._binary_headers = {**self._headers, "Content-Type": "application/octet-stream"}
        self._wire = self._new_wire(limits, transport, http_client)
        self._server = telemetry.Server(self.base_url)
        #: True once ``close()``/``aclose()`` ran (a transport or client you passed in stays
        #: open: it is yours).
        self.is_closed = False

    def _new_wire(
        self, limits: httpx.Limits | None, transport: TransportT | None, http: HttpT | None
    ) -> Any:
        raise NotImplementedError

    def _outgoing(self, send: Send) -> Outgoing:
        """One attempt of ``send.request``, as every wire sends it."""
        request = send.request
        target = request.path
        if request.params:
            target += "?" + urlencode(request.params)
        if request.content is not None:
            body, headers = request.content, self._binary_headers
            if request.content_type is not None:
                headers = {**self._headers, "Content-Type": request.content_type}
        elif request.json is not None:
            body, headers = proto.to_json(request.json).encode(), self._json_headers
        elif request.method == "POST":  # as the Node SDK: JSON, and Content-Length: 0
            body, headers = b"", self._json_headers
        else:
            body, headers = None, self._headers
        return Outgoing(
            request.method,
            self.base_url + target,
            target,
            headers,
            body,
            send.timeout,
            send.deadline,
            request.limit,
            request.is_idempotent,
        )

    def _flow(self, request: proto.ApiRequest) -> Generator[Effect, Any, proto.ApiResult]:
        if request.document:
            request = dataclasses.replace(request, limit=self.max_document_size)
        return call_with_retries(request, self.retry, self.timeout, self._rng)

    def _traced(self, request: proto.ApiRequest) -> telemetry.CallRecord | telemetry.NoRecord:
        """The call's span and duration (OpenTelemetry, when installed)."""
        return telemetry.start_call(request, self._server, self._wire.name)

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
        # Never raises, not even on a client half made (error trackers repr every local).
        base_url = getattr(self, "base_url", None)
        secret = getattr(self, "_secret", None)
        return f"{type(self).__name__}(base_url={base_url!r}, secret={secret!r})"

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


def _blocking(
    operation: Callable[P, Operation[R]],
) -> Callable[Concatenate[Liveblocks, P], R]:
    """A ``Liveblocks`` method running ``operation`` with blocking calls."""

    def method(self: Liveblocks, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return drive(operation(*args, **kwargs), self.call)

    return functools.wraps(operation)(method)


def _awaitable(
    operation: Callable[P, Operation[R]],
) -> Callable[Concatenate[AsyncLiveblocks, P], Coroutine[Any, Any, R]]:
    """An ``AsyncLiveblocks`` method running ``operation`` with awaited calls."""

    async def method(self: AsyncLiveblocks, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return await drive_async(operation(*args, **kwargs), self.call)

    return functools.wraps(operation)(method)


def _blocking_pages(
    pager: Callable[P, Pager[R]],
) -> Callable[Concatenate[Liveblocks, P], Iterator[R]]:
    """A ``Liveblocks`` method iterating over every page of a listing."""

    def method(self: Liveblocks, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[R]:
        pages = pager(*args, **kwargs)  # arguments are checked now, not at the first next()

        def iterate() -> Iterator[R]:
            cursor: str | None = None
            while True:
                page = drive(pages.page(cursor), self.call)
                yield from page.items
                if (cursor := page.next_cursor) is None:
                    return

        return iterate()

    return functools.wraps(pager)(method)


def _async_pages(
    pager: Callable[P, Pager[R]],
) -> Callable[Concatenate[AsyncLiveblocks, P], AsyncIterator[R]]:
    """An ``AsyncLiveblocks`` method iterating over every page of a listing."""

    def method(self: AsyncLiveblocks, /, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[R]:
        pages = pager(*args, **kwargs)

        async def iterate() -> AsyncIterator[R]:
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
    Thread-safe; safe to use across ``fork()`` (a child never shares a parent's connection).
    """

    _wire: SyncWire

    def _new_wire(
        self,
        limits: httpx.Limits | None,
        transport: httpx.BaseTransport | None,
        http: httpx.Client | None,
    ) -> SyncWire:
        return cast(SyncWire, choose_wire(False, self.base_url, limits, transport, http))

    def _perform(self, effect: Effect) -> proto.ApiResult | None:
        if isinstance(effect, Sleep):
            _sleep(effect.seconds)
            return None
        try:
            return result_of(effect.request, self._wire.send(self._outgoing(effect)))
        except WireMisuse:
            raise
        except Exception as exc:
            return proto.ApiResult(effect.request, error=exc)

    def call(self, request: proto.ApiRequest) -> proto.ApiResult:
        """Send one REST call with retries: the answer (or error) of the last attempt."""
        with self._traced(request) as record:
            result = self._finish(drive(self._flow(request), self._perform))
            record.done(result)
        return result

    def auth_call(self, request: proto.ApiRequest) -> AuthResponse:
        return proto.auth_response(self.call(request), self.base_url, self._secret)

    def mutate_storage(self, room_id: str, callback: Callable[[LiveObject], Any]) -> None:
        """Change the room's storage as a client would: ``callback(root)`` gets its root
        ``LiveObject`` (``liveblocks_auth.live``) and changes it; the operations are then sent
        and reach connected clients. A callback that raises sends nothing."""
        _mutations.mutate(self, room_id, callback)

    def mass_mutate_storage(
        self,
        callback: Callable[[Room, LiveObject], Any],
        *,
        concurrency: int = 8,
        user_id: str | None = None,
        group_ids: Sequence[str] | None = None,
        organization_id: str | None = None,
        query: str | Mapping[str, Any] | None = None,
    ) -> None:
        """``mutate_storage`` on every room ``list_rooms`` finds with these filters,
        ``callback(room, root)`` for each, ``concurrency`` rooms (1-20) at a time; the first
        failure stops the rooms not yet started and is raised."""
        criteria = _mutations.criteria(user_id, group_ids, organization_id, query)
        _mutations.mass_mutate(self, callback, concurrency, criteria)

    def _new_session(self, builder: proto.SessionBuilder) -> Session:
        return Session(self, builder)

    create_room = _blocking(rooms.create_room)
    get_or_create_room = _blocking(rooms.get_or_create_room)
    upsert_room = _blocking(rooms.upsert_room)
    get_room = _blocking(rooms.get_room)
    update_room = _blocking(rooms.update_room)
    delete_room = _blocking(rooms.delete_room)
    prewarm_room = _blocking(rooms.prewarm_room)
    update_room_id = _blocking(rooms.update_room_id)
    update_room_organization_id = _blocking(rooms.update_room_organization_id)
    get_storage_document = _blocking(storage.get_storage_document)
    initialize_storage_document = _blocking(storage.initialize_storage_document)
    delete_storage_document = _blocking(storage.delete_storage_document)
    patch_storage_document = _blocking(storage.patch_storage_document)
    upload_file = _blocking(files.upload_file)
    get_file_url = _blocking(files.get_file_url)
    get_feed = _blocking(feeds.get_feed)
    create_feed = _blocking(feeds.create_feed)
    update_feed = _blocking(feeds.update_feed)
    delete_feed = _blocking(feeds.delete_feed)
    create_feed_message = _blocking(feeds.create_feed_message)
    update_feed_message = _blocking(feeds.update_feed_message)
    delete_feed_message = _blocking(feeds.delete_feed_message)
    get_feeds = _blocking_pages(feeds.get_feeds)
    get_feed_messages = _blocking_pages(feeds.get_feed_messages)
    get_ai_copilot = _blocking(ai.get_ai_copilot)
    create_ai_copilot = _blocking(ai.create_ai_copilot)
    update_ai_copilot = _blocking(ai.update_ai_copilot)
    delete_ai_copilot = _blocking(ai.delete_ai_copilot)
    create_web_knowledge_source = _blocking(ai.create_web_knowledge_source)
    create_file_knowledge_source = _blocking(ai.create_file_knowledge_source)
    get_knowledge_source = _blocking(ai.get_knowledge_source)
    get_file_knowledge_source_markdown = _blocking(ai.get_file_knowledge_source_markdown)
    delete_web_knowledge_source = _blocking(ai.delete_web_knowledge_source)
    delete_file_knowledge_source = _blocking(ai.delete_file_knowledge_source)
    get_ai_copilots = _blocking_pages(ai.get_ai_copilots)
    get_knowledge_sources = _blocking_pages(ai.get_knowledge_sources)
    get_web_knowledge_source_links = _blocking_pages(ai.get_web_knowledge_source_links)
    get_yjs_document = _blocking(yjs.get_yjs_document)
    send_yjs_binary_update = _blocking(yjs.send_yjs_binary_update)
    get_yjs_document_as_binary_update = _blocking(yjs.get_yjs_document_as_binary_update)
    get_version_history = _blocking_pages(versions.get_version_history)
    create_version_history_snapshot = _blocking(versions.create_version_history_snapshot)
    get_yjs_version = _blocking(versions.get_yjs_version)
    delete_version = _blocking(versions.delete_version)
    get_active_users = _blocking(presence.get_active_users)
    broadcast_event = _blocking(presence.broadcast_event)
    set_presence = _blocking(presence.set_presence)
    list_rooms = _blocking_pages(rooms.list_rooms)
    create_group = _blocking(groups.create_group)
    get_group = _blocking(groups.get_group)
    add_group_members = _blocking(groups.add_group_members)
    remove_group_members = _blocking(groups.remove_group_members)
    delete_group = _blocking(groups.delete_group)
    get_groups = _blocking_pages(groups.get_groups)
    get_user_groups = _blocking_pages(groups.get_user_groups)
    get_notification_settings = _blocking(settings.get_notification_settings)
    update_notification_settings = _blocking(settings.update_notification_settings)
    delete_notification_settings = _blocking(settings.delete_notification_settings)
    get_room_subscription_settings = _blocking(settings.get_room_subscription_settings)
    update_room_subscription_settings = _blocking(settings.update_room_subscription_settings)
    delete_room_subscription_settings = _blocking(settings.delete_room_subscription_settings)
    get_user_room_subscription_settings = _blocking_pages(
        settings.get_user_room_subscription_settings
    )
    get_inbox_notification = _blocking(notifications.get_inbox_notification)
    delete_inbox_notification = _blocking(notifications.delete_inbox_notification)
    mark_inbox_notification_as_read = _blocking(notifications.mark_inbox_notification_as_read)
    delete_all_inbox_notifications = _blocking(notifications.delete_all_inbox_notifications)
    trigger_inbox_notification = _blocking(notifications.trigger_inbox_notification)
    get_inbox_notifications = _blocking_pages(notifications.get_inbox_notifications)
    get_threads = _blocking(comments.get_threads)
    get_thread = _blocking(comments.get_thread)
    create_thread = _blocking(comments.create_thread)
    delete_thread = _blocking(comments.delete_thread)
    edit_thread_metadata = _blocking(comments.edit_thread_metadata)
    mark_thread_as_resolved = _blocking(comments.mark_thread_as_resolved)
    mark_thread_as_unresolved = _blocking(comments.mark_thread_as_unresolved)
    subscribe_to_thread = _blocking(comments.subscribe_to_thread)
    unsubscribe_from_thread = _blocking(comments.unsubscribe_from_thread)
    get_thread_subscriptions = _blocking(comments.get_thread_subscriptions)
    get_thread_participants = _blocking(comments.get_thread_participants)
    get_thread_inbox_notifications = _blocking(comments.get_thread_inbox_notifications)
    get_comment = _blocking(comments.get_comment)
    create_comment = _blocking(comments.create_comment)
    edit_comment = _blocking(comments.edit_comment)
    delete_comment = _blocking(comments.delete_comment)
    edit_comment_metadata = _blocking(comments.edit_comment_metadata)
    add_comment_reaction = _blocking(comments.add_comment_reaction)
    remove_comment_reaction = _blocking(comments.remove_comment_reaction)
    get_attachment = _blocking(attachments.get_attachment)
    upload_attachment = _blocking(attachments.upload_attachment)

    def close(self) -> None:
        self._wire.close()
        self.is_closed = True

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

    _wire: AsyncWire
    _loop: asyncio.AbstractEventLoop | None = None

    def _new_wire(
        self,
        limits: httpx.Limits | None,
        transport: httpx.AsyncBaseTransport | None,
        http: httpx.AsyncClient | None,
    ) -> AsyncWire:
        self._generation = generation()
        return cast(AsyncWire, choose_wire(True, self.base_url, limits, transport, http))

    def _check_loop(self) -> None:
        # Connections belong to one event loop; reusing them from another fails in obscure
        # ways, so say so plainly. A forked child starts afresh (its wire drops the parent's).
        if forked(self._generation):
            self._loop, self._generation = None, generation()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not asyncio (trio): nothing to check
            return
        if self._loop is not None and self._loop is not loop:
            raise RuntimeError(
                "this AsyncLiveblocks client was first used in another event loop; create one "
                "per event loop (for example in your app's lifespan)"
            )
        self._loop = loop

    async def _perform(self, effect: Effect) -> proto.ApiResult | None:
        if isinstance(effect, Sleep):
            await _async_sleep(effect.seconds)
            return None
        try:
            return result_of(effect.request, await self._wire.send(self._outgoing(effect)))
        except WireMisuse:
            raise
        except Exception as exc:
            return proto.ApiResult(effect.request, error=exc)

    async def call(self, request: proto.ApiRequest) -> proto.ApiResult:
        """Send one REST call with retries: the answer (or error) of the last attempt."""
        self._check_loop()
        with self._traced(request) as record:
            result = self._finish(await drive_async(self._flow(request), self._perform))
            record.done(result)
        return result

    async def auth_call(self, request: proto.ApiRequest) -> AuthResponse:
        return proto.auth_response(await self.call(request), self.base_url, self._secret)

    async def mutate_storage(self, room_id: str, callback: Callable[[LiveObject], Any]) -> None:
        """As ``Liveblocks.mutate_storage``; ``callback`` may be async."""
        await _mutations.mutate_async(self, room_id, callback)

    async def mass_mutate_storage(
        self,
        callback: Callable[[Room, LiveObject], Any],
        *,
        concurrency: int = 8,
        user_id: str | None = None,
        group_ids: Sequence[str] | None = None,
        organization_id: str | None = None,
        query: str | Mapping[str, Any] | None = None,
    ) -> None:
        """As ``Liveblocks.mass_mutate_storage``, rooms changed as tasks; ``callback`` may
        be async."""
        criteria = _mutations.criteria(user_id, group_ids, organization_id, query)
        await _mutations.mass_mutate_async(self, callback, concurrency, criteria)

    def _new_session(self, builder: proto.SessionBuilder) -> AsyncSession:
        return AsyncSession(self, builder)

    create_room = _awaitable(rooms.create_room)
    get_or_create_room = _awaitable(rooms.get_or_create_room)
    upsert_room = _awaitable(rooms.upsert_room)
    get_room = _awaitable(rooms.get_room)
    update_room = _awaitable(rooms.update_room)
    delete_room = _awaitable(rooms.delete_room)
    prewarm_room = _awaitable(rooms.prewarm_room)
    update_room_id = _awaitable(rooms.update_room_id)
    update_room_organization_id = _awaitable(rooms.update_room_organization_id)
    get_storage_document = _awaitable(storage.get_storage_document)
    initialize_storage_document = _awaitable(storage.initialize_storage_document)
    delete_storage_document = _awaitable(storage.delete_storage_document)
    patch_storage_document = _awaitable(storage.patch_storage_document)
    upload_file = _awaitable(files.upload_file)
    get_file_url = _awaitable(files.get_file_url)
    get_feed = _awaitable(feeds.get_feed)
    create_feed = _awaitable(feeds.create_feed)
    update_feed = _awaitable(feeds.update_feed)
    delete_feed = _awaitable(feeds.delete_feed)
    create_feed_message = _awaitable(feeds.create_feed_message)
    update_feed_message = _awaitable(feeds.update_feed_message)
    delete_feed_message = _awaitable(feeds.delete_feed_message)
    get_feeds = _async_pages(feeds.get_feeds)
    get_feed_messages = _async_pages(feeds.get_feed_messages)
    get_ai_copilot = _awaitable(ai.get_ai_copilot)
    create_ai_copilot = _awaitable(ai.create_ai_copilot)
    update_ai_copilot = _awaitable(ai.update_ai_copilot)
    delete_ai_copilot = _awaitable(ai.delete_ai_copilot)
    create_web_knowledge_source = _awaitable(ai.create_web_knowledge_source)
    create_file_knowledge_source = _awaitable(ai.create_file_knowledge_source)
    get_knowledge_source = _awaitable(ai.get_knowledge_source)
    get_file_knowledge_source_markdown = _awaitable(ai.get_file_knowledge_source_markdown)
    delete_web_knowledge_source = _awaitable(ai.delete_web_knowledge_source)
    delete_file_knowledge_source = _awaitable(ai.delete_file_knowledge_source)
    get_ai_copilots = _async_pages(ai.get_ai_copilots)
    get_knowledge_sources = _async_pages(ai.get_knowledge_sources)
    get_web_knowledge_source_links = _async_pages(ai.get_web_knowledge_source_links)
    get_yjs_document = _awaitable(yjs.get_yjs_document)
    send_yjs_binary_update = _awaitable(yjs.send_yjs_binary_update)
    get_yjs_document_as_binary_update = _awaitable(yjs.get_yjs_document_as_binary_update)
    get_version_history = _async_pages(versions.get_version_history)
    create_version_history_snapshot = _awaitable(versions.create_version_history_snapshot)
    get_yjs_version = _awaitable(versions.get_yjs_version)
    delete_version = _awaitable(versions.delete_version)
    get_active_users = _awaitable(presence.get_active_users)
    broadcast_event = _awaitable(presence.broadcast_event)
    set_presence = _awaitable(presence.set_presence)
    list_rooms = _async_pages(rooms.list_rooms)
    create_group = _awaitable(groups.create_group)
    get_group = _awaitable(groups.get_group)
    add_group_members = _awaitable(groups.add_group_members)
    remove_group_members = _awaitable(groups.remove_group_members)
    delete_group = _awaitable(groups.delete_group)
    get_groups = _async_pages(groups.get_groups)
    get_user_groups = _async_pages(groups.get_user_groups)
    get_notification_settings = _awaitable(settings.get_notification_settings)
    update_notification_settings = _awaitable(settings.update_notification_settings)
    delete_notification_settings = _awaitable(settings.delete_notification_settings)
    get_room_subscription_settings = _awaitable(settings.get_room_subscription_settings)
    update_room_subscription_settings = _awaitable(settings.update_room_subscription_settings)
    delete_room_subscription_settings = _awaitable(settings.delete_room_subscription_settings)
    get_user_room_subscription_settings = _async_pages(settings.get_user_room_subscription_settings)
    get_inbox_notification = _awaitable(notifications.get_inbox_notification)
    delete_inbox_notification = _awaitable(notifications.delete_inbox_notification)
    mark_inbox_notification_as_read = _awaitable(notifications.mark_inbox_notification_as_read)
    delete_all_inbox_notifications = _awaitable(notifications.delete_all_inbox_notifications)
    trigger_inbox_notification = _awaitable(notifications.trigger_inbox_notification)
    get_inbox_notifications = _async_pages(notifications.get_inbox_notifications)
    get_threads = _awaitable(comments.get_threads)
    get_thread = _awaitable(comments.get_thread)
    create_thread = _awaitable(comments.create_thread)
    delete_thread = _awaitable(comments.delete_thread)
    edit_thread_metadata = _awaitable(comments.edit_thread_metadata)
    mark_thread_as_resolved = _awaitable(comments.mark_thread_as_resolved)
    mark_thread_as_unresolved = _awaitable(comments.mark_thread_as_unresolved)
    subscribe_to_thread = _awaitable(comments.subscribe_to_thread)
    unsubscribe_from_thread = _awaitable(comments.unsubscribe_from_thread)
    get_thread_subscriptions = _awaitable(comments.get_thread_subscriptions)
    get_thread_participants = _awaitable(comments.get_thread_participants)
    get_thread_inbox_notifications = _awaitable(comments.get_thread_inbox_notifications)
    get_comment = _awaitable(comments.get_comment)
    create_comment = _awaitable(comments.create_comment)
    edit_comment = _awaitable(comments.edit_comment)
    delete_comment = _awaitable(comments.delete_comment)
    edit_comment_metadata = _awaitable(comments.edit_comment_metadata)
    add_comment_reaction = _awaitable(comments.add_comment_reaction)
    remove_comment_reaction = _awaitable(comments.remove_comment_reaction)
    get_attachment = _awaitable(attachments.get_attachment)
    upload_attachment = _awaitable(attachments.upload_attachment)

    async def aclose(self) -> None:
        await self._wire.aclose()
        self.is_closed = True

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
