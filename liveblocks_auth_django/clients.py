"""One Liveblocks client per process (and one async client per event loop), made lazily."""

from __future__ import annotations

import asyncio
import atexit
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from liveblocks_auth import (
    AsyncLiveblocks,
    AuthEndpoint,
    Liveblocks,
    Misconfigured,
    WebhookEndpoint,
    secret_from_setting,
)
from liveblocks_auth.redis_store import is_redis_url
from liveblocks_auth.webhooks import webhook_handler_from_setting, webhook_store_from_setting

from . import conf
from .users import resolve_user

T = TypeVar("T")

_lock = threading.Lock()
_client: Liveblocks | None = None
_endpoint: AuthEndpoint | None = None
_webhook_endpoint: WebhookEndpoint | None = None
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncLiveblocks] = (
    weakref.WeakKeyDictionary()
)


def client_options() -> dict[str, Any]:
    """The client's constructor arguments from ``LIVEBLOCKS``; errors name the setting."""
    return {
        "secret": secret_from_setting(conf.get("SECRET_KEY"), conf.setting_name("SECRET_KEY")),
        "base_url": conf.get("BASE_URL"),
        "timeout": conf.get("TIMEOUT"),
        "retry": conf.get("RETRY"),
        "limits": conf.get("LIMITS"),
        "transport": conf.get("TRANSPORT"),
    }


def _configured(build: Callable[[], T]) -> T:
    """``build()``, a configuration error raised as ``Misconfigured`` (no chain): the views
    answer 500 and log the fix once."""
    try:
        return build()
    except (ValueError, TypeError, ImportError) as exc:
        raise Misconfigured(str(exc)) from None


def get_client() -> Liveblocks:
    global _client
    with _lock:
        if _client is None:
            _client = _configured(lambda: Liveblocks(**client_options()))
        return _client


def get_async_client() -> AsyncLiveblocks:
    """The async client of the running event loop (connections belong to one loop)."""
    loop = asyncio.get_running_loop()
    with _lock:
        client = _async_clients.get(loop)
        if client is None:
            client = _configured(lambda: AsyncLiveblocks(**client_options()))
            _async_clients[loop] = client
        return client


def get_endpoint() -> AuthEndpoint:
    global _endpoint
    with _lock:
        if _endpoint is None:
            _endpoint = _configured(
                lambda: AuthEndpoint(
                    resolve_user,
                    room_policy=conf.hook("ROOM_POLICY"),
                    token_mode=conf.get("TOKEN_MODE"),
                    permissions=conf.hook("PERMISSIONS"),
                    allowed_origins=conf.get("ALLOWED_ORIGINS"),
                )
            )
        return _endpoint


def webhook_store() -> Any:
    """What ``LIVEBLOCKS['WEBHOOK_DEDUPLICATION']`` names: a ``CACHES`` alias, a ``redis://``
    URL, a store object, or None."""
    value = conf.get("WEBHOOK_DEDUPLICATION")
    if isinstance(value, str) and not is_redis_url(value):
        from django.core.cache import caches

        return caches[value]
    return webhook_store_from_setting(
        value, conf.setting_name("WEBHOOK_DEDUPLICATION"), blocking=not conf.get("ASYNC")
    )


def get_webhook_endpoint() -> WebhookEndpoint:
    global _webhook_endpoint
    with _lock:
        if _webhook_endpoint is None:
            setting = conf.setting_name("WEBHOOK_SECRET")
            _webhook_endpoint = _configured(
                lambda: WebhookEndpoint(
                    webhook_handler_from_setting(conf.get("WEBHOOK_SECRET"), setting),
                    setting=f"{setting} (or $LIVEBLOCKS_WEBHOOK_SECRET)",
                    store=webhook_store(),
                )
            )
        return _webhook_endpoint


def reset() -> None:
    """Forget the clients and endpoints (after a settings change); the next use rebuilds them."""
    global _client, _endpoint, _webhook_endpoint
    with _lock:
        old, _client, _endpoint, _webhook_endpoint = _client, None, None, None
        _async_clients.clear()
    Misconfigured.forget()
    if old is not None:
        old.close()


atexit.register(reset)
