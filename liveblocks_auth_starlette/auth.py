"""``LiveblocksAuth``: routes serving ``POST /api/liveblocks-auth`` and
``POST /api/liveblocks-webhook``, and a lifespan that owns one pooled ``AsyncLiveblocks``. A thin
translation onto the core endpoints; the event loop is never blocked (sync hooks and handlers run
in a worker thread, bodies are read as streams)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, Final

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from liveblocks_auth import (
    AsyncLiveblocks,
    AuthEndpoint,
    AuthRequest,
    EndpointResponse,
    LiveblocksUser,
    Misconfigured,
    PermissionsHook,
    RetryPolicy,
    RoomPolicy,
    TokenMode,
    WebhookEndpoint,
    WebhookEvent,
    WebhookStore,
    default_user_id,
    default_user_info,
    hold_secret,
    secret_from_setting,
    user_from_async,
)
from liveblocks_auth.config import MAX_REQUEST_BODY, check_key_and_base_url, resolve_base_url
from liveblocks_auth.endpoint import BASE_HEADERS
from liveblocks_auth.webhooks import (
    ENV_WEBHOOK_SECRET,
    AsyncWebhookStore,
    WebhookSecret,
    unheard,
    webhook_handler_from_setting,
    webhook_store_from_setting,
)

if TYPE_CHECKING:
    from fastapi import APIRouter

__all__ = ["LiveblocksAuth"]

logger = logging.getLogger("liveblocks_auth")
Lifespan = Callable[[Any], contextlib.AbstractAsyncContextManager[Any]]
#: ``(event, request) -> None``, sync (run in a worker thread) or async.
WebhookCallback = Callable[[WebhookEvent, Request], Any]


async def _default_id(user: Any) -> str:
    # Async on purpose: pure and instant, so no worker-thread hop per request (sync hooks get one).
    return default_user_id(user)


async def _default_info(user: Any) -> dict[str, Any] | None:
    return default_user_info(user)


class LiveblocksAuth:
    """Liveblocks authentication for Starlette and FastAPI.

    ``resolve_user(request)`` (sync or async) returns a LiveblocksUser or None; by default the
    authenticated ``request.user`` of ``AuthenticationMiddleware`` is used (id from ``identity``,
    else ``display_name``; userInfo: :func:`liveblocks_auth.default_user_info`, name and avatar),
    shaped by the optional ``group_ids``, ``user_info`` and ``organization_id`` hooks
    ``(user) -> value``. Any hook may also declare a ``request`` parameter (the Starlette request)
    and/or a ``data`` one (the JSON object the front end posted). Sync hooks run in a thread.
    Configuration errors raise here, at construction.
    """

    def __init__(
        self,
        secret: str | None = None,
        *,
        base_url: str | None = None,
        resolve_user: Callable[[Request], Any] | None = None,
        group_ids: Callable[[Any], Any] | None = None,
        user_info: Callable[[Any], Any] | None = None,
        organization_id: Callable[[Any], Any] | None = None,
        room_policy: RoomPolicy | None = None,
        token_mode: TokenMode = "id",
        permissions: PermissionsHook | None = None,
        allowed_origins: Iterable[str] = (),
        path: str = "/api/liveblocks-auth",
        timeout: httpx.Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        limits: httpx.Limits | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_body_size: int = MAX_REQUEST_BODY,
        webhook_secret: str | None = None,
        on_webhook: WebhookCallback | None = None,
        webhook_path: str = "/api/liveblocks-webhook",
        webhook_store: WebhookStore | AsyncWebhookStore | str | None = None,
    ) -> None:
        # From here on, no frame of ours holds either secret's text (see hold_secret).
        secret, webhook_secret = hold_secret(secret), hold_secret(webhook_secret, WebhookSecret)
        checked_secret = secret_from_setting(secret, "secret")
        self._client_options: dict[str, Any] = {
            "secret": checked_secret,
            "base_url": base_url,
            "timeout": timeout,
            "retry": retry,
            "limits": limits,
            "transport": transport,
        }
        # A bad URL, or sk_localdev with the cloud, fails here at construction, not at startup.
        resolved = resolve_base_url(base_url)
        if transport is None:
            check_key_and_base_url(checked_secret.is_localdev, resolved)
        self._user_hooks = {
            "group_ids": group_ids,
            "user_info": user_info or _default_info,
            "organization_id": organization_id,
        }
        self.endpoint = AuthEndpoint(
            resolve_user or self._default_user,
            room_policy=room_policy,
            token_mode=token_mode,
            permissions=permissions,
            allowed_origins=allowed_origins,
            max_body_size=max_body_size,
        )
        self.path = path
        self._client: AsyncLiveblocks | None = None
        handler = webhook_handler_from_setting(webhook_secret, "webhook_secret")
        if handler is None and on_webhook is not None:
            raise ValueError(
                f"on_webhook is set but webhook_secret is missing: pass webhook_secret= (or set "
                f"${ENV_WEBHOOK_SECRET}) to the endpoint's signing secret (whsec_...) from the "
                "Liveblocks dashboard; for local development, `liveblocks-auth webhooks secret`"
            )
        self.webhooks = WebhookEndpoint(
            handler,
            setting=f"webhook_secret (or ${ENV_WEBHOOK_SECRET})",
            store=webhook_store_from_setting(webhook_store, "webhook_store"),
        )
        self.webhook_path = webhook_path
        self.on_webhook = on_webhook

    @property
    def client(self) -> AsyncLiveblocks:
        """The lifespan's client (an error names the fix when the lifespan is not running)."""
        if self._client is None:
            raise RuntimeError(
                "LiveblocksAuth's lifespan is not running: pass lifespan=liveblocks.lifespan to "
                "Starlette()/FastAPI(), or enter `async with liveblocks.lifespan(app):` in yours"
            )
        return self._client

    @property
    def routes(self) -> list[Route]:
        """The route(s) to put in ``routes=[...]``, under a ``Mount``, or in a FastAPI app."""
        return [
            Route(
                self.path,
                self.handle,
                methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],  # core: 405 JSON
                name="liveblocks_auth",
                include_in_schema=False,
            ),
            Route(
                self.webhook_path,
                self.handle_webhook,
                methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                name="liveblocks_webhook",
                include_in_schema=False,
            ),
        ]

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Any = None) -> AsyncIterator[None]:
        """Open one pooled AsyncLiveblocks for the app's life; close it at shutdown. Entered
        again while running (the app's lifespan and a router's), it shares the open client."""
        if self._client is not None:
            yield
            return
        async with AsyncLiveblocks(**self._client_options) as client:
            self._client = client
            try:
                yield
            finally:
                self._client = None

    def wrap_lifespan(self, lifespan: Lifespan) -> Lifespan:
        """Compose with the app's own lifespan: ``lifespan=liveblocks.wrap_lifespan(mine)``."""

        @contextlib.asynccontextmanager
        async def combined(app: Any) -> AsyncIterator[Any]:
            async with self.lifespan(app), lifespan(app) as state:
                yield state

        return combined

    async def _default_user(self, request: Request, data: Any = None) -> LiveblocksUser | None:
        if "user" not in request.scope:
            raise Misconfigured(
                "request.user is not set: add Starlette's AuthenticationMiddleware "
                "(middleware=[Middleware(AuthenticationMiddleware, backend=...)]), or pass "
                "resolve_user=... to LiveblocksAuth"
            )
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return None
        return await self.shape_user(user, request, data)

    async def shape_user(self, user: Any, request: Request, data: Any = None) -> LiveblocksUser:
        """An app's user object as a LiveblocksUser, through the ``group_ids``/``user_info``/
        ``organization_id`` hooks (id: :func:`liveblocks_auth.default_user_id`)."""
        if isinstance(user, LiveblocksUser):
            return user
        hooks: Mapping[str, Any] = self._user_hooks
        return await user_from_async(user, user_id=_default_id, request=request, data=data, **hooks)

    async def handle(self, request: Request) -> Response:
        """The endpoint (a Starlette request handler)."""
        return await self.serve(self.endpoint, request)

    async def serve(self, endpoint: AuthEndpoint, request: Request) -> Response:
        """Answer ``request`` with ``endpoint`` (this one's, or a variant such as the FastAPI
        router's) and the lifespan's client."""
        answer = await endpoint.handle_async(to_auth_request(request), self.client)
        return to_response(answer)

    def fastapi_router(
        self,
        current_user: Callable[..., Any],
        *,
        scopes: Sequence[str] | None = None,
        tags: list[str] | None = None,
    ) -> APIRouter:
        """An ``APIRouter`` serving the endpoint (and the webhook endpoint) for a FastAPI app:
        ``app.include_router(liveblocks.fastapi_router(current_user=get_current_user))``.

        ``current_user`` is any FastAPI dependency (sync or async, with sub-dependencies; with
        ``scopes``, used as ``Security(current_user, scopes=...)``) returning a LiveblocksUser,
        an app user object (shaped by this object's hooks: id, name and avatar by default), or
        None for 401. What it raises (``HTTPException``) is FastAPI's answer, and
        ``app.dependency_overrides[current_user]`` works. The router carries this object's
        lifespan (FastAPI runs the lifespans of included routers). Needs the ``[fastapi]`` extra.
        """
        try:
            from .fastapi import build_router
        except ImportError as exc:
            raise ImportError(
                f'fastapi_router needs FastAPI: pip install "liveblocks-auth[fastapi]" ({exc})'
            ) from None
        return build_router(self, current_user, scopes=scopes, tags=tags)

    async def handle_webhook(self, request: Request) -> Response:
        """The webhook endpoint (a Starlette request handler)."""
        answer = await self.webhooks.handle_async(
            to_auth_request(request), self.on_webhook or _unheard
        )
        return to_response(answer)


def _unheard(event: WebhookEvent, request: Request) -> None:
    unheard(event, "pass on_webhook=... to LiveblocksAuth")


def to_auth_request(request: Request) -> AuthRequest:
    return AuthRequest(
        method=request.method,
        headers=request.headers,
        body=request.stream(),
        host=partial(_host, request),
        context=request,
    )


def _host(request: Request) -> str:
    """The ``host[:port]`` the client asked for, which a browser's Origin must match: its Host
    header, as Starlette's ``request.url`` takes it (without building and parsing a whole URL
    on every request), else the server's address."""
    host = request.headers.get("host")
    return host if host is not None else request.url.netloc


def to_response(answer: EndpointResponse) -> Response:
    response = Response(answer.body, status_code=answer.status)  # sets Content-Length
    headers = answer.headers
    response.raw_headers.extend(_BASE_RAW if headers is BASE_HEADERS else _raw(headers))
    return response


def _raw(headers: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """Headers as ASGI sends them (as Starlette encodes them)."""
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]


_BASE_RAW: Final = _raw(BASE_HEADERS)  # the headers of most answers, encoded once
