"""Liveblocks webhooks: verify a delivery, and answer it the same way in every adapter.

:class:`WebhookHandler` checks a delivery the way ``WebhookHandler`` of ``@liveblocks/node`` does
(HMAC-SHA256 over ``{webhook-id}.{webhook-timestamp}.{raw body}``, five minutes of tolerance) and
is stricter where that is safe: constant-time comparison, ``v1`` signatures only, ASCII-digit
timestamps, strict JSON, a secret checked when it is loaded, and no expected signature in its
errors. :class:`WebhookEndpoint` is the ``POST /api/liveblocks-webhook`` every adapter mounts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import re
import threading
import time
from collections.abc import Awaitable, Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final, NoReturn, Protocol, TypeAlias, cast

from ._effects import drive, drive_async
from ._protocol import printable
from ._secret import Secret, hold_secret
from .endpoint import (
    AuthRequest,
    EndpointResponse,
    Refused,
    call_hook,
    check_content_length,
    perform_async,
    perform_sync,
    read_body,
    store_call,
)
from .telemetry import answered
from .webhook_types import EVENT_TYPES, WebhookPayload

__all__ = [
    "DEDUPLICATION_TTL",
    "ENV_WEBHOOK_SECRET",
    "MAX_WEBHOOK_BODY",
    "WEBHOOK_TOLERANCE",
    "AsyncWebhookStore",
    "MemoryWebhookStore",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookHandler",
    "WebhookStore",
    "WebhookVerificationError",
    "generate_webhook_secret",
    "webhook_handler_from_setting",
    "webhook_store_from_setting",
]

logger = logging.getLogger("liveblocks_auth")

ENV_WEBHOOK_SECRET: Final = "LIVEBLOCKS_WEBHOOK_SECRET"
#: Seconds a delivery's timestamp may be behind or ahead of this clock (as ``@liveblocks/node``).
WEBHOOK_TOLERANCE: Final = 5 * 60
#: The webhook endpoint's body cap: Liveblocks events are well under 2 KiB.
MAX_WEBHOOK_BODY: Final = 256 * 1024
#: How long a handled event's id is remembered by the de-duplication store: longer than
#: Liveblocks' (Svix's) retry schedule, about 28 hours from the first attempt.
DEDUPLICATION_TTL: Final = 48 * 3600.0
#: How long an event may be "being handled" before a redelivery may take it over (a worker
#: that died mid-handler must not block the event forever).
PROCESSING_TTL: Final = 10 * 60.0

_SECRET_PREFIX: Final = "whsec_"
_SECRET_BODY: Final = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_WEBHOOK_ID: Final = re.compile(r"[\x21-\x7e]{1,256}")
_TIMESTAMP: Final = re.compile(r"[0-9]{1,15}")
_MAX_SIGNATURES: Final = 16
_REQUIRED_HEADERS: Final = ("webhook-id", "webhook-timestamp", "webhook-signature")


class WebhookVerificationError(ValueError):
    """A delivery that must not reach handlers. ``reason`` is one line, safe to log and answer
    (it never contains the secret or the expected signature); ``status`` is the HTTP status the
    endpoint answers: 400 for a malformed delivery, 401 for one that is not authentic."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class WebhookSecret(Secret):
    """A webhook signing secret (``whsec_...``) held as :class:`Secret` holds the API key."""

    __slots__ = ()
    masked = "whsec_***"


def _decode_secret(held: object, setting: str) -> bytes:
    """The signing key of a secret already held (``hold_secret``: a ``WebhookSecret``, or None
    or another object for a missing one); ValueError naming ``setting`` otherwise. Neither the
    message nor any local of a frame that raises holds the secret."""
    key = _key_or_problem(held.reveal() if isinstance(held, Secret) else None)
    if isinstance(key, str):
        where = (
            "copy the signing secret (whsec_...) of your endpoint from the Liveblocks "
            f"dashboard's webhooks page into {setting}, or make one for local development with "
            "`liveblocks-auth webhooks secret`"
        )
        raise ValueError(key.format(setting=setting, where=where))
    return key


def _key_or_problem(text: str | None) -> bytes | str:
    """The key's bytes, or what is wrong as a template: returns either way, never raises, so
    its locals (the secret's text) are gone before a caller raises."""
    if not text:
        return "{setting} is missing: {where}"
    if not text.startswith(_SECRET_PREFIX):
        return "{setting} is not a webhook secret (it must start with whsec_): {where}"
    body = text[len(_SECRET_PREFIX) :]
    if not _SECRET_BODY.fullmatch(body) or len(body.rstrip("=")) % 4 == 1:
        return (
            "{setting} is not a whsec_ secret followed by base64: check that it was copied "
            "whole, without quotes"
        )
    # The same bytes Node's Buffer.from(body, "base64") gives: either alphabet, padding optional.
    unpadded = body.rstrip("=").replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(unpadded + "=" * (-len(unpadded) % 4), validate=True)
    except binascii.Error:  # pragma: no cover - the pattern above admits only valid base64
        return "{setting} is not valid base64 after whsec_"
    if len(key) < 16:
        return "{setting} is too short to be a Liveblocks signing secret: {where}"
    return key


def _lowered_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    # Any mapping, or Werkzeug's, Starlette's and Django's headers (all have items()).
    items = cast(Any, headers).items() if hasattr(headers, "items") else headers
    found: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        if key in _REQUIRED_HEADERS and key in found and found[key] != value:
            raise WebhookVerificationError(f"{key} header is repeated", 400)
        found[key] = value
    return found


def _malformed(reason: str) -> NoReturn:
    raise WebhookVerificationError(reason, 400)


def _refuse_constant(name: str) -> NoReturn:
    _malformed(f"body is not valid JSON ({name} is not JSON)")


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One verified delivery.

    ``id`` is the ``webhook-id`` header: the same for every redelivery of one event, so it is
    the key for idempotency. ``type`` and ``data`` are the event's; ``payload`` is the whole
    parsed body (typed, see :mod:`liveblocks_auth.webhook_types`); ``raw_body`` the exact bytes
    that were signed.
    """

    id: str
    timestamp: int
    type: str
    data: dict[str, Any]
    raw: dict[str, Any] = field(repr=False)
    raw_body: bytes = field(repr=False)

    @property
    def payload(self) -> WebhookPayload:
        return cast(WebhookPayload, self.raw)

    @property
    def room_id(self) -> str | None:
        """The event's room (``data["roomId"]``), or None for events without one."""
        room = self.data.get("roomId")
        return room if isinstance(room, str) else None

    @property
    def user_id(self) -> str | None:
        """``data["userId"]`` (presence and notification events), else None."""
        user = self.data.get("userId")
        return user if isinstance(user, str) else None

    @property
    def known(self) -> bool:
        """False only for a type this version does not know (``accept_unknown_types=True``)."""
        return self.type in EVENT_TYPES


class WebhookHandler:
    """Verifies Liveblocks webhook deliveries signed with ``secret`` (``whsec_...``).

    ``setting`` names where the secret came from, for the error a malformed one raises here.
    ``accept_unknown_types=True`` turns an event type this version does not know into a plain
    :class:`WebhookEvent` instead of an error (the default refuses it, as ``@liveblocks/node``
    does, so that Liveblocks keeps redelivering it until you upgrade).
    """

    __slots__ = ("__key", "accept_unknown_types", "tolerance")

    def __init__(
        self,
        secret: str | WebhookSecret,
        *,
        setting: str = "secret",
        tolerance: int = WEBHOOK_TOLERANCE,
        accept_unknown_types: bool = False,
    ) -> None:
        held = hold_secret(secret, WebhookSecret)
        del secret  # from here on, no frame of ours holds the text (see hold_secret)
        self.__key = _decode_secret(held, setting)
        self.tolerance = tolerance
        self.accept_unknown_types = accept_unknown_types

    def __repr__(self) -> str:
        return "WebhookHandler(secret='whsec_***')"

    def __reduce__(self) -> NoReturn:
        raise TypeError("a WebhookHandler holds a signing secret and cannot be pickled")

    def signature(self, webhook_id: str, timestamp: int | str, raw_body: bytes | str) -> str:
        """The ``webhook-signature`` value Liveblocks would send: ``v1,<base64>``."""
        return "v1," + self._sign(webhook_id, str(timestamp), _body_bytes(raw_body))

    def sign(
        self, webhook_id: str, raw_body: bytes | str, timestamp: int | None = None
    ) -> dict[str, str]:
        """The three headers of a delivery of ``raw_body`` (for tests and local development)."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "webhook-id": webhook_id,
            "webhook-timestamp": stamp,
            "webhook-signature": self.signature(webhook_id, stamp, raw_body),
        }

    def _sign(self, webhook_id: str, timestamp: str, body: bytes) -> str:
        content = f"{webhook_id}.{timestamp}.".encode() + body
        return base64.b64encode(hmac.new(self.__key, content, hashlib.sha256).digest()).decode()

    def verify_request(
        self,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        raw_body: bytes | str,
        *,
        now: float | None = None,
    ) -> WebhookEvent:
        """The event of an authentic delivery; :class:`WebhookVerificationError` otherwise.

        ``headers`` may be any mapping or ``items()`` collection (names in any case);
        ``raw_body`` must be the body exactly as received, never a re-serialised one.
        """
        found = _lowered_headers(headers)
        for name in _REQUIRED_HEADERS:
            if name not in found:
                raise WebhookVerificationError(f"missing {name} header", 400)
        webhook_id, stamp, signatures = (found[name] for name in _REQUIRED_HEADERS)
        if not _WEBHOOK_ID.fullmatch(webhook_id):
            _malformed("webhook-id header is not 1 to 256 visible ASCII characters")
        if not _TIMESTAMP.fullmatch(stamp):
            _malformed("webhook-timestamp header is not a number of seconds")
        timestamp = int(stamp)
        current = int(time.time() if now is None else now)
        if timestamp < current - self.tolerance:
            raise WebhookVerificationError("webhook-timestamp is too old (replayed or delayed)")
        if timestamp > current + self.tolerance:
            raise WebhookVerificationError("webhook-timestamp is in the future (check the clock)")
        body = _body_bytes(raw_body)
        expected = self._sign(webhook_id, stamp, body).encode()
        offered = [
            entry[3:].encode()
            for entry in signatures.split(" ")[:_MAX_SIGNATURES]
            if entry.startswith("v1,") and entry.isascii()
        ]
        if not offered:
            raise WebhookVerificationError("webhook-signature has no v1 signature")
        matched = False
        for candidate in offered:  # every candidate compared, in constant time each
            matched |= hmac.compare_digest(candidate, expected)
        if not matched:
            raise WebhookVerificationError("bad signature (is the webhook secret the right one?)")
        return self._event(webhook_id, timestamp, body)

    def _event(self, webhook_id: str, timestamp: int, body: bytes) -> WebhookEvent:
        try:
            raw = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
        except UnicodeDecodeError:
            _malformed("body is not UTF-8")
        except WebhookVerificationError:
            raise
        except (ValueError, RecursionError):
            _malformed("body is not valid JSON")
        if not isinstance(raw, dict):
            _malformed("body is not a JSON object")
        kind = raw.get("type")
        data = raw.get("data")
        if not isinstance(kind, str) or not kind:
            _malformed('body has no "type"')
        if not isinstance(data, dict):
            _malformed('body has no "data" object')
        if kind not in EVENT_TYPES:
            if not self.accept_unknown_types:
                _malformed(
                    f"unknown event type {kind[:60]!r}: upgrade liveblocks-auth (Liveblocks "
                    "redelivers the event until it is accepted)"
                )
        elif kind == "notification":
            notification_kind = data.get("kind")
            if not (
                notification_kind in ("thread", "textMention")
                or (isinstance(notification_kind, str) and notification_kind.startswith("$"))
            ):
                _malformed(f"unknown notification kind {str(notification_kind)[:60]!r}")
        return WebhookEvent(webhook_id, timestamp, kind, data, raw, body)


def _body_bytes(raw_body: bytes | str) -> bytes:
    if isinstance(raw_body, str):
        try:
            return raw_body.encode("utf-8")
        except UnicodeEncodeError:
            _malformed("body is not valid Unicode text")
    if isinstance(raw_body, bytes | bytearray | memoryview):
        return bytes(raw_body)
    raise TypeError(
        f"raw_body must be the request's bytes (or str) as received, not {type(raw_body).__name__}"
        ": a parsed and re-serialised body never matches its signature"
    )


def generate_webhook_secret() -> str:
    """A fresh ``whsec_`` secret (32 random bytes), for local development and tests."""
    return _SECRET_PREFIX + base64.b64encode(os.urandom(32)).decode()


def webhook_handler_from_setting(
    value: object, setting: str, env: str = ENV_WEBHOOK_SECRET
) -> WebhookHandler | None:
    """A handler for the secret in a setting (named ``setting`` in errors), else in ``$env``;
    None when neither is set (the endpoint then answers 503). A malformed secret raises."""
    if isinstance(value, WebhookHandler):
        return value
    value = hold_secret(value, WebhookSecret)
    if value is None:
        value = hold_secret(os.environ.get(env), WebhookSecret)
        setting = f"${env}"
        if value is None:
            return None
    return WebhookHandler(cast(WebhookSecret, value), setting=setting)


# --- de-duplication ---------------------------------------------------------------------------


class WebhookStore(Protocol):
    """Where handled event ids are remembered, for blocking endpoints. Django's cache
    (``django.core.cache.caches[...]``) and Flask-Caching's ``cache`` fit as they are; ``add``
    must be atomic (set only when absent), and every method may raise when the store is down
    (the endpoint then answers 503)."""

    def add(self, key: str, value: str, timeout: float) -> bool: ...

    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: str, timeout: float) -> Any: ...

    def delete(self, key: str) -> Any: ...


class AsyncWebhookStore(Protocol):
    """The same for async endpoints, named as Django's cache names them (``aadd``...). A store
    with only the blocking methods still works there: they run in a worker thread."""

    async def aadd(self, key: str, value: str, timeout: float) -> bool: ...

    async def aget(self, key: str) -> Any: ...

    async def aset(self, key: str, value: str, timeout: float) -> Any: ...

    async def adelete(self, key: str) -> Any: ...


_SYNC_METHODS: Final = ("add", "get", "set", "delete")


def webhook_store_from_setting(value: object, setting: str, *, blocking: bool = False) -> Any:
    """The store a setting names: None, a store object, or a ``redis://``/``rediss://``/
    ``unix://`` URL (a :class:`~liveblocks_auth.RedisWebhookStore` is built from it; the
    ``[redis]`` extra). A ``blocking`` endpoint needs ``add``/``get``/``set``/``delete``; an
    async one takes those or ``aadd``/``aget``/``aset``/``adelete``. Anything else raises,
    naming ``setting``."""
    if value is None:
        return None
    if isinstance(value, str):
        from .redis_store import RedisWebhookStore, is_redis_url

        if not is_redis_url(value):
            raise ValueError(
                f"{setting} must be a webhook store or a redis:// URL, not {value!r} "
                "(e.g. 'redis://localhost:6379/0')"
            )
        return RedisWebhookStore(value)
    has_sync = all(callable(getattr(value, name, None)) for name in _SYNC_METHODS)
    has_async = all(callable(getattr(value, "a" + name, None)) for name in _SYNC_METHODS)
    if blocking and not has_sync:
        raise TypeError(
            f"{setting} must have add/get/set/delete for a blocking endpoint (a "
            f"{type(value).__name__} has not): give a redis:// URL or a WebhookStore"
        )
    if not (has_sync or has_async):
        raise TypeError(
            f"{setting} must be a webhook store (add/get/set/delete, or aadd/aget/aset/adelete) "
            f"or a redis:// URL, not {type(value).__name__}"
        )
    return value


class MemoryWebhookStore:
    """An in-process :class:`WebhookStore`: de-duplicates within one process only (each worker
    of a multi-process server has its own). At most ``max_entries`` ids are kept (the oldest
    are forgotten first)."""

    def __init__(self, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic):
        self._entries: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._max = max_entries
        self._clock = clock

    def _live(self, key: str) -> str | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= self._clock():
            del self._entries[key]
            return None
        return entry[0]

    def _put(self, key: str, value: str, timeout: float) -> None:
        self._entries.pop(key, None)  # re-inserted last: dict order is age order
        self._entries[key] = (value, self._clock() + timeout)
        while len(self._entries) > self._max:
            del self._entries[next(iter(self._entries))]

    def add(self, key: str, value: str, timeout: float) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._put(key, value, timeout)
            return True

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._live(key)

    def set(self, key: str, value: str, timeout: float) -> None:
        with self._lock:
            self._put(key, value, timeout)

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    # In memory, the async forms need no thread.

    async def aadd(self, key: str, value: str, timeout: float) -> bool:
        return self.add(key, value, timeout)

    async def aget(self, key: str) -> str | None:
        return self.get(key)

    async def aset(self, key: str, value: str, timeout: float) -> None:
        self.set(key, value, timeout)

    async def adelete(self, key: str) -> None:
        self.delete(key)

    def __len__(self) -> int:
        return len(self._entries)


# --- the endpoint -----------------------------------------------------------------------------

_PROCESSING, _DONE = "processing", "done"
#: ``(event, context) -> None``, sync or async: runs the handlers (``context`` is the request's).
Dispatch: TypeAlias = Callable[[WebhookEvent, Any], "Any | Awaitable[Any]"]
_Flow: TypeAlias = Generator[Any, Any, EndpointResponse]


def _store_key(webhook_id: str) -> str:
    # Short keys, as memcached wants (at most 250 characters, no spaces: ids have none).
    if len(webhook_id) > 200:
        webhook_id = hashlib.sha256(webhook_id.encode()).hexdigest()
    return f"liveblocks-webhook:{webhook_id}"


def unheard(event: WebhookEvent, where: str) -> None:
    """Log that a verified event found no handler (it is acknowledged all the same)."""
    logger.warning(
        "webhook %s %s verified, but no handler takes it: %s",
        printable(event.type),
        printable(event.id),
        where,
    )


def _answer(payload: dict[str, Any], room: str | None, reason: str) -> EndpointResponse:
    return EndpointResponse(200, json.dumps(payload).encode(), room=room, reason=reason)


@dataclass
class WebhookEndpoint:
    """``POST /api/liveblocks-webhook``: verify, de-duplicate, dispatch, answer.

    Answers 200 once the handlers returned, 401 for a delivery that is not authentic, 400 for
    a malformed one, 413 above ``max_body_size``, 500 when a handler raised (Liveblocks then
    redelivers), 503 when no secret is configured (``setting`` names it). With a ``store``, an
    event already handled answers 200 without reaching the handlers again, and one being
    handled right now answers 409 (Liveblocks retries it later).
    """

    handler: WebhookHandler | None
    setting: str = "the webhook secret"
    store: WebhookStore | AsyncWebhookStore | None = None
    deduplication_ttl: float = DEDUPLICATION_TTL
    max_body_size: int = MAX_WEBHOOK_BODY
    #: Whether the store's last call failed: the outage is logged once, and its end once.
    _store_down: bool = field(default=False, init=False, repr=False)

    def _stored(self, name: str, *args: Any) -> Generator[Any, Any, Any]:
        """``store.name(*args)``; a store that raises (down, unreachable, timed out) refuses
        the delivery with 503, which Liveblocks redelivers later: nothing is lost."""
        try:
            result = yield store_call(self.store, name, *args)
        except Exception as exc:
            if not self._store_down:
                self._store_down = True
                logger.error(
                    "webhook store %s failed (%s: %s): answering 503 until it is back; "
                    "Liveblocks redelivers the events",
                    type(self.store).__name__,
                    type(exc).__name__,
                    printable(str(exc)),
                )
            raise Refused(
                503, "store_unavailable", "the webhook store is unavailable; retry later"
            ) from None
        if self._store_down:
            self._store_down = False
            logger.warning("webhook store %s is back", type(self.store).__name__)
        return result

    def _flow(self, request: AuthRequest, dispatch: Dispatch) -> _Flow:
        event: WebhookEvent | None = None
        try:
            if request.method.upper() != "POST":
                raise Refused(405, "method_not_allowed", "use POST", (("Allow", "POST"),))
            if self.handler is None:
                raise Refused(
                    503, "not_configured", f"webhooks are not configured: set {self.setting}"
                )
            check_content_length(request.header("content-length"), self.max_body_size)
            raw = yield read_body(request.body, self.max_body_size)
            if isinstance(raw, Refused):
                raise raw
            try:
                event = self.handler.verify_request(request.headers.items(), raw)
            except WebhookVerificationError as exc:
                raise Refused(exc.status, "invalid_webhook", exc.reason) from None
            key = _store_key(event.id)
            if self.store is not None:
                claimed = yield from self._stored("add", key, _PROCESSING, PROCESSING_TTL)
                if not claimed:
                    state = yield from self._stored("get", key)
                    if state == _DONE:
                        return _answer({"ok": True, "duplicate": True}, event.room_id, "duplicate")
                    raise Refused(409, "in_progress", "this event is being handled; retry later")
            try:
                yield call_hook(dispatch, event, request.context)
            except Exception:
                logger.exception(
                    "webhook %s %s: a handler raised", printable(event.type), printable(event.id)
                )
                if self.store is not None:
                    yield from self._stored("delete", key)
                raise Refused(500, "handler_failed", "a webhook handler failed") from None
            if self.store is not None:
                # Should this fail, the claim expires after PROCESSING_TTL and a redelivery
                # runs the handlers again: at least once, never lost.
                yield from self._stored("set", key, _DONE, self.deduplication_ttl)
            return _answer({"ok": True}, event.room_id, "handled")
        except Refused as refusal:
            if refusal.status in (401, 503) and refusal.code != "store_unavailable":
                logger.warning("webhook endpoint answered %d: %s", refusal.status, refusal.message)
            return refusal.response(None, event.room_id if event else None)

    def handle(self, request: AuthRequest, dispatch: Dispatch) -> EndpointResponse:
        """Answer one delivery, blocking; ``dispatch(event, request.context)`` runs the
        handlers."""
        return drive(answered("webhook", self._flow(request, dispatch)), perform_sync)

    async def handle_async(
        self,
        request: AuthRequest,
        dispatch: Dispatch,
        *,
        run_sync: Callable[..., Awaitable[Any]] | None = None,
    ) -> EndpointResponse:
        """Answer one delivery without blocking the loop: a sync ``dispatch`` and the store run
        in a worker thread (``run_sync``, as for :meth:`AuthEndpoint.handle_async`)."""

        return await drive_async(
            answered("webhook", self._flow(request, dispatch)),
            partial(perform_async, run_sync=run_sync),
        )
