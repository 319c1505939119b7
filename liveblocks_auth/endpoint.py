"""The framework-neutral ``POST /api/liveblocks-auth`` endpoint that every adapter calls.

An adapter turns its framework's request into an :class:`AuthRequest`, calls
:meth:`AuthEndpoint.handle` (sync) or :meth:`AuthEndpoint.handle_async`, and turns the
:class:`EndpointResponse` back into a framework response. All policy lives here.

The flow is written once, as a generator of effects (read the body, call a hook, call
Liveblocks); the sync and async drivers only perform those effects.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import (
    AsyncIterable,
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Final, Literal, Protocol, TypeAlias
from urllib.parse import urlsplit

from . import _protocol as proto
from ._effects import call_async, call_sync, drive, drive_async, with_extras
from .client import AsyncLiveblocks, Liveblocks
from .config import MAX_REQUEST_BODY, MAX_ROOM_ID_LENGTH
from .models import AuthResponse, LiveblocksUser
from .telemetry import answered

__all__ = [
    "AuthEndpoint",
    "AuthRequest",
    "Denied",
    "EndpointResponse",
    "EnvironHeaders",
    "Misconfigured",
    "PermissionsHook",
    "RoomPolicy",
    "TokenMode",
    "UserResolver",
    "check_cross_site",
    "cors_headers",
    "parse_auth_body",
    "parse_auth_data",
]

logger = logging.getLogger("liveblocks_auth")
#: One INFO line per answer: who, which room, the status and why (off unless configured, e.g.
#: ``logging.getLogger("liveblocks_auth.decisions").setLevel(logging.INFO)`` and a handler).
decisions = logging.getLogger("liveblocks_auth.decisions")

TokenMode: TypeAlias = Literal["id", "access"]
MaybeAwaitable: TypeAlias = "Any | Awaitable[Any]"
#: ``(framework request) -> LiveblocksUser | None``, sync or async. Every hook may also declare
#: ``request`` and/or ``data`` parameters to get the framework request and the posted JSON object.
UserResolver: TypeAlias = Callable[
    [Any], "LiveblocksUser | Awaitable[LiveblocksUser | None] | None"
]
#: ``(user, room) -> bool``: False refuses with 403 before any call to Liveblocks.
RoomPolicy: TypeAlias = Callable[[LiveblocksUser, "str | None"], "bool | Awaitable[bool]"]
#: ``(user, room) -> {pattern: scopes}``: the access token's permissions (access-token mode).
PermissionsHook: TypeAlias = Callable[
    [LiveblocksUser, "str | None"],
    "Mapping[str, Sequence[str]] | Awaitable[Mapping[str, Sequence[str]]]",
]
Body: TypeAlias = "bytes | Iterable[bytes] | AsyncIterable[bytes]"


class Headers(Protocol):
    """Any header collection with ``items()``: a dict, Django's, Werkzeug's, Starlette's."""

    def items(self) -> Iterable[tuple[str, str]]: ...


class EnvironHeaders:
    """A WSGI ``environ``'s (Django's ``META``) headers, read where they are: ``get`` looks one
    name up (any case), ``items()`` lists them as Werkzeug's and Django's ``request.headers`` do.
    :meth:`AuthRequest.header` asks it directly, so nothing copies every header per request."""

    __slots__ = ("environ",)
    _UNPREFIXED: Final = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})  # named without HTTP_

    def __init__(self, environ: Mapping[str, Any]) -> None:
        self.environ = environ

    def get(self, name: str) -> str | None:
        key = name.upper().replace("-", "_")
        if key in self._UNPREFIXED:
            return self.environ.get(key) or None  # PEP 3333: "may be empty or absent"
        value: str | None = self.environ.get("HTTP_" + key)
        return value

    def items(self) -> Iterable[tuple[str, str]]:
        for key, value in self.environ.items():
            if key in self._UNPREFIXED:
                if value:
                    yield key.replace("_", "-"), value
            elif key.startswith("HTTP_") and key[5:] not in self._UNPREFIXED:
                yield key[5:].replace("_", "-"), value


BASE_HEADERS: Final = (
    ("Content-Type", "application/json"),
    ("Cache-Control", "no-store"),
    # The answer depends on these request headers (cross-site refusals), so caches must too.
    ("Vary", "Origin, Sec-Fetch-Site"),
)
_SAME_SITE_FETCHES: Final = frozenset({"same-origin", "none"})


@dataclass(frozen=True, slots=True)
class AuthRequest:
    """The parts of an HTTP request the endpoint looks at.

    ``headers`` keys may use any case. ``host`` is the request's own ``host[:port]`` as the
    framework validated it (Django's ``get_host()``, for instance), or a function returning it
    (called only when a browser's ``Origin`` must be compared with it). ``body`` may be bytes
    or a (sync or async) stream of chunks; it is counted while read.
    ``context`` is handed to the user resolver (usually the framework request).
    """

    method: str
    headers: Headers
    body: Body
    host: str | Callable[[], str | None] | None = None
    context: Any = None

    _lowered: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    def header(self, name: str) -> str | None:
        """A request header, by case-insensitive name (the first, if repeated)."""
        lowered = self._lowered
        if lowered is None:
            headers = self.headers
            if isinstance(headers, EnvironHeaders):
                return headers.get(name)
            lowered = {}
            for key, value in headers.items():
                lowered.setdefault(key.lower(), value)
            object.__setattr__(self, "_lowered", lowered)  # once per request, not per lookup
        return lowered.get(name.lower())

    def site_host(self) -> str | None:
        """``host``, asked of its function if it is one."""
        host = self.host
        return host() if callable(host) else host


@dataclass(frozen=True, slots=True)
class EndpointResponse:
    """What to answer. ``user`` and ``room`` are filled in as far as the request got."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = BASE_HEADERS
    user: LiveblocksUser | None = None
    room: str | None = None
    #: Why, in one word: ``token_issued``, ``handled``, ``duplicate``, or the ``error`` code of
    #: the body (what traces and metrics record).
    reason: str | None = None

    @property
    def issued(self) -> bool:
        return self.status == 200

    def json(self) -> Any:
        return json.loads(self.body)


class Refused(Exception):
    """Ends the flow with a short JSON error answer."""

    status: int
    code: str
    message: str

    def __init__(
        self, status: int, code: str, message: str, headers: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra_headers = status, code, message, headers

    def response(self, user: LiveblocksUser | None, room: str | None) -> EndpointResponse:
        body = json.dumps({"error": self.code, "message": self.message}).encode()
        return EndpointResponse(
            self.status, body, BASE_HEADERS + tuple(self.extra_headers), user, room, self.code
        )


class Denied(Refused):
    """Raise from any hook (resolver, room policy, permissions, user hooks) to refuse the request
    with ``status`` (401 or 403 by default; any 4xx) and a one-line ``message`` the front end sees.
    The official client stops retrying on 400, 401, 403 and the other 4xx it knows."""

    def __init__(
        self,
        message: str = "you may not enter this room",
        status: int = 403,
        *,
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        if not 400 <= status <= 499:
            raise ValueError(f"Denied status must be a 4xx, not {status}")
        code = "unauthorized" if status == 401 else "forbidden" if status == 403 else "refused"
        super().__init__(status, code, message, headers)


class Misconfigured(Refused, ValueError):
    """The endpoint cannot work as the app is configured (a setting, a missing middleware):
    the front end gets ``500 {"error": "misconfigured"}`` with a generic message, and
    :meth:`report` logs ``fix`` (what to change, never a secret) once per process, without a
    traceback. ``str()`` is the fix."""

    def __init__(self, fix: str) -> None:
        super().__init__(500, "misconfigured", "Liveblocks is not configured on this server")
        self.fix = fix

    def __str__(self) -> str:
        return self.fix

    def report(self) -> None:
        with _REPORTED_LOCK:
            if self.fix in _REPORTED:
                return
            _REPORTED.add(self.fix)
        logger.error("the Liveblocks endpoints answer 500 until this is fixed: %s", self.fix)

    @staticmethod
    def forget() -> None:
        """Report every fix again (after the configuration changed)."""
        with _REPORTED_LOCK:
            _REPORTED.clear()


_REPORTED_LOCK = threading.Lock()
_REPORTED: set[str] = set()


# --- pure checks -----------------------------------------------------------------------------


def normalize_origin(origin: str, setting: str = "allowed_origins") -> str:
    """``scheme://host[:port]`` in lower case; ValueError naming ``setting`` otherwise."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ValueError(
            f"{setting}: {origin!r} is not an origin; write it as scheme://host[:port], "
            "for example https://app.example.com"
        )
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_cross_site(
    sec_fetch_site: str | None, origin: str | None, host: str | None, allowed: frozenset[str]
) -> str | None:
    """Why a request must be refused as cross-site, or None to let it through.

    The official client sends no CSRF token, so forged browser requests are told apart by what
    browsers always send: ``Sec-Fetch-Site``, else ``Origin`` (Go 1.25 ``CrossOriginProtection``).
    A request with neither is not from a browser, and no browser can be made to send it.
    """
    if origin is not None and origin.strip().lower() in allowed:
        return None
    if sec_fetch_site is not None:
        if sec_fetch_site.strip().lower() in _SAME_SITE_FETCHES:
            return None
        return f"cross-origin request refused (Sec-Fetch-Site: {sec_fetch_site.strip()[:20]})"
    if origin is None:
        return None
    netloc = urlsplit(origin.strip()).netloc.lower() if origin.strip() != "null" else ""
    if netloc and host is not None and netloc == host.strip().lower():
        return None
    return "cross-origin request refused (Origin does not match this site)"


#: The methods the auth endpoint answers (405's ``Allow``).
ALLOW: Final = "OPTIONS, POST"
#: Seconds a browser may cache a preflight's answer (Chromium caps it at 7200).
PREFLIGHT_MAX_AGE: Final = 7200
_PREFLIGHT_HEADERS: Final = ("Content-Type", "Authorization")
_HEADER_NAME: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}")


def cors_headers(origin: str | None, allowed: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """The CORS headers of every answer to a page of an allowed origin (that exact origin, never
    ``*``, with credentials); none for any other origin."""
    if origin is None or origin.strip().lower() not in allowed:
        return ()
    return (
        ("Access-Control-Allow-Origin", origin.strip()),
        ("Access-Control-Allow-Credentials", "true"),
    )


def preflight_headers(requested: str | None) -> tuple[tuple[str, str], ...]:
    """A preflight's answer: POST, with ``Content-Type``, ``Authorization`` and the (well-formed,
    at most 16) headers the page asked for, such as a workspace header."""
    names = list(_PREFLIGHT_HEADERS)
    known = {name.lower() for name in names}
    for token in (requested or "").split(",")[:16]:
        name = token.strip()
        if _HEADER_NAME.fullmatch(name) and name.lower() not in known:
            names.append(name)
            known.add(name.lower())
    return (
        ("Access-Control-Allow-Methods", "POST"),
        ("Access-Control-Allow-Headers", ", ".join(names)),
        ("Access-Control-Max-Age", str(PREFLIGHT_MAX_AGE)),
        ("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
    )


def _decided(user: LiveblocksUser | None, room: str | None, status: int, reason: str) -> None:
    if decisions.isEnabledFor(logging.INFO):
        who = proto.printable(user.id) if user is not None else "(no user)"
        decisions.info("%s, room %r: %d, %s", who, room, status, reason)


def _options(request: AuthRequest, cors: tuple[tuple[str, str], ...]) -> EndpointResponse:
    if request.header("access-control-request-method") is None:
        return EndpointResponse(204, b"", (("Allow", ALLOW),), reason="options")
    if not cors:
        raise Refused(
            403, "forbidden", "cross-origin request refused (origin not in allowed_origins)"
        )
    return EndpointResponse(
        204,
        b"",
        preflight_headers(request.header("access-control-request-headers")),
        reason="preflight",
    )


def _check_content_type(value: str | None) -> None:
    media_type = (value or "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise Refused(
            415, "unsupported_media_type", "send the body as JSON (Content-Type: application/json)"
        )


_CONTENT_LENGTH: Final = re.compile(r"[0-9]{1,18}")


def check_content_length(value: str | None, limit: int) -> None:
    if value is None:
        return
    # ASCII digits only: str.isdigit() and int() also take '²' or '٣'.
    if not _CONTENT_LENGTH.fullmatch(value.strip(" \t")):
        raise Refused(400, "bad_request", "Content-Length is not a number")
    if int(value) > limit:
        raise Refused(413, "payload_too_large", f"body larger than {limit} bytes")


def parse_auth_body(raw: bytes) -> str | None:
    """The ``room`` of an auth request body, or None when it asks for no room.

    Raises :class:`Refused` (400) with a one-line reason for anything else.
    """
    return parse_auth_data(raw)[0]


def parse_auth_data(raw: bytes) -> tuple[str | None, dict[str, Any]]:
    """The ``room`` of an auth request body and the whole JSON object (what hooks get as
    ``data``: the fields the front end sent besides ``room`` too). :class:`Refused` (400) else."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise Refused(400, "bad_request", "body is not UTF-8") from None
    except (ValueError, RecursionError):
        raise Refused(400, "bad_request", "body is not valid JSON") from None
    if not isinstance(data, dict):
        raise Refused(400, "bad_request", 'body must be a JSON object such as {"room": "my-room"}')
    room = data.get("room")
    if room is None:
        return None, data
    if not isinstance(room, str):
        raise Refused(400, "bad_request", "room must be a string or null")
    if not room:
        raise Refused(400, "bad_request", "room must not be empty")
    if len(room) > MAX_ROOM_ID_LENGTH:
        raise Refused(400, "bad_request", f"room is longer than {MAX_ROOM_ID_LENGTH} characters")
    if "*" in room:
        # A client-chosen wildcard must never widen an access token to other rooms.
        raise Refused(400, "bad_request", "room must not contain '*'")
    try:
        room.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800", valid in JSON only
        raise Refused(400, "bad_request", "room is not valid Unicode text") from None
    return room, data


class _BodyLimit:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()

    def feed(self, chunk: bytes) -> bool:
        """Add a chunk; True once the body is over the limit."""
        self.data += chunk
        return len(self.data) > self.limit

    def refusal(self) -> Refused:
        return Refused(413, "payload_too_large", f"body larger than {self.limit} bytes")


def _upstream_answer(
    answer: AuthResponse, user: LiveblocksUser, room: str | None
) -> EndpointResponse:
    if answer.status == 200:
        return EndpointResponse(200, answer.body.encode(), BASE_HEADERS, user, room, "token_issued")
    if answer.status == 503:
        extra = (("Retry-After", str(answer.retry_after)),) if answer.retry_after else ()
        raise Refused(503, "unavailable", "Liveblocks is unavailable; try again later", extra)
    if 400 <= answer.status < 500:
        # Status passed through as @liveblocks/node does; the details are in the server log.
        raise Refused(
            answer.status, "liveblocks_refused", f"Liveblocks refused the request ({answer.status})"
        )
    raise Refused(502, "bad_gateway", "Liveblocks gave an unusable answer")


# --- effects ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _ReadBody:
    source: Body
    limit: int


@dataclass(slots=True)
class _CallHook:
    hook: Callable[..., Any]
    args: tuple[Any, ...]


@dataclass(slots=True)
class _StoreCall:
    store: Any
    name: str
    args: tuple[Any, ...]


# The fourth effect, "call Liveblocks", is the proto.ApiRequest itself.
_Effect: TypeAlias = "_ReadBody | _CallHook | _StoreCall | proto.ApiRequest"


def read_body(source: Body, limit: int) -> _ReadBody:
    """The effect "read the body, at most ``limit`` bytes" (answers bytes or a 413 Refused)."""
    return _ReadBody(source, limit)


def call_hook(hook: Callable[..., Any], *args: Any) -> _CallHook:
    """The effect "call this (sync or async) function"; what it raises is raised in the flow."""
    return _CallHook(hook, args)


def store_call(store: Any, name: str, *args: Any) -> _StoreCall:
    """The effect "call ``store.name(*args)``": blocking code calls ``name``, async code awaits
    ``a{name}`` where the store has it (Django's cache API: ``add``/``aadd``), else runs
    ``name`` in a worker thread."""
    return _StoreCall(store, name, args)


def perform_sync(effect: _Effect, client: Liveblocks | None = None) -> Any:
    """Perform one effect, blocking (async hooks are run to completion)."""
    if isinstance(effect, _ReadBody):
        return _read_sync(effect)
    if isinstance(effect, _CallHook):
        return call_sync(effect.hook, *effect.args)
    if isinstance(effect, _StoreCall):
        method = getattr(effect.store, effect.name, None)
        if method is None:
            raise TypeError(
                f"{type(effect.store).__name__} has no {effect.name}(): a blocking endpoint "
                "needs a store with add/get/set/delete"
            )
        return method(*effect.args)
    assert client is not None, "a flow without a client asked for Liveblocks"
    return client.auth_call(effect)


async def perform_async(
    effect: _Effect,
    client: AsyncLiveblocks | None = None,
    run_sync: Callable[..., Awaitable[Any]] | None = None,
) -> Any:
    """Perform one effect without blocking the loop (sync hooks run via ``run_sync``)."""
    if isinstance(effect, _ReadBody):
        return await _read_async(effect)
    if isinstance(effect, _CallHook):
        return await call_async(effect.hook, *effect.args, run_sync=run_sync)
    if isinstance(effect, _StoreCall):
        native = getattr(effect.store, "a" + effect.name, None)
        if native is not None:
            return await native(*effect.args)
        method = getattr(effect.store, effect.name)
        return await call_async(method, *effect.args, run_sync=run_sync)
    assert client is not None, "a flow without a client asked for Liveblocks"
    return await client.auth_call(effect)


_Flow: TypeAlias = Generator[_Effect, Any, EndpointResponse]


#: The decision line of a token: an ID token does not decide access (the room's permissions do,
#: when the client enters), so a 200 may still end in "no access" at the room's door.
_ISSUED: Final = {
    "id": "id token issued; the room's permissions decide at its door",
    "access": "access token issued with its permissions",
}


@dataclass
class AuthEndpoint:
    """The auth endpoint's policy: who the user is, what they may enter, which token to get.

    ``resolve_user`` gets ``AuthRequest.context`` and returns a :class:`LiveblocksUser`, or None
    for "not logged in" (401). ``room_policy(user, room)`` returning False refuses with 403.
    ``token_mode="access"`` asks ``permissions(user, room)`` for ``{pattern: scopes}`` and gets an
    access token; the default ``"id"`` gets an ID token and lets the room's permissions decide.
    Hooks may be sync or async. ``allowed_origins`` lists other origins (``https://host``) whose
    pages may call the endpoint.
    """

    resolve_user: UserResolver
    room_policy: RoomPolicy | None = None
    token_mode: TokenMode = "id"
    permissions: PermissionsHook | None = None
    allowed_origins: Iterable[str] = ()
    max_body_size: int = MAX_REQUEST_BODY
    _origins: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not callable(self.resolve_user):
            raise TypeError("resolve_user must be a function (request) -> LiveblocksUser | None")
        if self.token_mode not in ("id", "access"):
            raise ValueError(f"token_mode must be 'id' or 'access', got {self.token_mode!r}")
        if self.token_mode == "access" and self.permissions is None:
            raise ValueError(
                "token_mode 'access' needs a permissions hook (user, room) -> {pattern: scopes}"
            )
        if isinstance(self.allowed_origins, str):
            self.allowed_origins = [self.allowed_origins]
        self._origins = frozenset(normalize_origin(o) for o in self.allowed_origins)

    # --- the flow, once ---

    def _flow(self, request: AuthRequest) -> _Flow:
        cors = cors_headers(request.header("origin"), self._origins)
        answer = yield from self._answer(request, cors)
        return replace(answer, headers=answer.headers + cors) if cors else answer

    def _answer(self, request: AuthRequest, cors: tuple[tuple[str, str], ...]) -> _Flow:
        user: LiveblocksUser | None = None
        room: str | None = None
        try:
            method = request.method.upper()
            if method == "OPTIONS":
                return _options(request, cors)
            if method != "POST":
                raise Refused(405, "method_not_allowed", "use POST", (("Allow", ALLOW),))
            fetch_site, origin = request.header("sec-fetch-site"), request.header("origin")
            # The host is only compared with an Origin sent without Sec-Fetch-Site.
            host = request.site_host() if fetch_site is None and origin is not None else None
            reason = check_cross_site(fetch_site, origin, host, self._origins)
            if reason is not None:
                raise Refused(403, "forbidden", reason)
            _check_content_type(request.header("content-type"))
            check_content_length(request.header("content-length"), self.max_body_size)
            raw = yield read_body(request.body, self.max_body_size)
            if isinstance(raw, Refused):
                raise raw
            room, data = parse_auth_data(raw)
            extras = {"request": request.context, "data": data}
            resolve = with_extras(self.resolve_user, 1, {"data": data})
            user = yield call_hook(resolve, request.context)
            if user is None:
                raise Refused(401, "unauthorized", "not logged in")
            if not isinstance(user, LiveblocksUser):
                kind = type(user).__name__
                raise TypeError(
                    f"the user resolver must return a LiveblocksUser or None, not {kind}"
                )
            if self.room_policy is not None:
                policy = with_extras(self.room_policy, 2, extras)
                allowed = yield call_hook(policy, user, room)
                if allowed is not True:
                    raise Refused(403, "forbidden", "you may not enter this room")
            call = yield from self._upstream_request(user, room, extras)
            upstream = yield call  # the effect "call Liveblocks"
            answer = _upstream_answer(upstream, user, room)
            _decided(user, room, answer.status, _ISSUED[self.token_mode])
            return answer
        except Refused as refusal:
            if isinstance(refusal, Misconfigured):
                refusal.report()
            elif refusal.status >= 500:
                logger.warning("auth endpoint answered %d: %s", refusal.status, refusal.message)
            _decided(user, room, refusal.status, refusal.message)
            return refusal.response(user, room)

    def _upstream_request(
        self, user: LiveblocksUser, room: str | None, extras: Mapping[str, Any]
    ) -> Generator[_Effect, Any, proto.ApiRequest]:
        if self.token_mode == "id":
            return proto.identify_user_request(
                user.id,
                group_ids=list(user.group_ids) or None,
                organization_id=user.organization_id,
                user_info=user.info,
            )
        assert self.permissions is not None
        granted = yield call_hook(with_extras(self.permissions, 2, extras), user, room)
        if not granted and room is not None:
            raise Refused(403, "forbidden", "no permissions for this room")
        # Without a room (inbox notifications), nothing granted still gets a token with no room
        # permissions, as @liveblocks/node issues it.
        session = proto.SessionBuilder(user.id, user.info, user.organization_id)
        for pattern, scopes in dict(granted or {}).items():
            session.allow(pattern, scopes)
        return session.build(empty_ok=room is None)

    # --- the two drivers ---

    def handle(self, request: AuthRequest, client: Liveblocks) -> EndpointResponse:
        """Answer one request, blocking (WSGI). Async hooks are run to completion."""

        return drive(answered("auth", self._flow(request)), partial(perform_sync, client=client))

    async def handle_async(
        self,
        request: AuthRequest,
        client: AsyncLiveblocks,
        *,
        run_sync: Callable[..., Awaitable[Any]] | None = None,
    ) -> EndpointResponse:
        """Answer one request without blocking the event loop.

        Sync hooks run in a worker thread (``run_sync(fn, *args)``, default
        ``anyio.to_thread.run_sync``; Django passes ``sync_to_async`` so the ORM is safe).
        """

        return await drive_async(
            answered("auth", self._flow(request)),
            partial(perform_async, client=client, run_sync=run_sync),
        )


def _read_sync(effect: _ReadBody) -> bytes | Refused:
    """The body, or the 413 refusal as soon as it passes the limit (reading stops there)."""
    limit = _BodyLimit(effect.limit)
    source = effect.source
    if isinstance(source, AsyncIterable):
        raise TypeError("an async body stream needs AuthEndpoint.handle_async")
    chunks = [bytes(source)] if isinstance(source, bytes | bytearray | memoryview) else source
    for chunk in chunks:
        if limit.feed(chunk):
            return limit.refusal()
    return bytes(limit.data)


async def _read_async(effect: _ReadBody) -> bytes | Refused:
    source = effect.source
    if not isinstance(source, AsyncIterable):
        return _read_sync(effect)
    limit = _BodyLimit(effect.limit)
    async for chunk in source:
        if limit.feed(chunk):
            return limit.refusal()
    return bytes(limit.data)
