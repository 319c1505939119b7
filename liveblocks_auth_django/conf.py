"""The ``LIVEBLOCKS`` setting, read lazily (so ``override_settings`` works) with its defaults.

    LIVEBLOCKS = {
        "SECRET_KEY": "sk_...",            # default: $LIVEBLOCKS_SECRET_KEY
        "BASE_URL": None,                   # default: $LIVEBLOCKS_BASE_URL, else the cloud
        "RESOLVE_USER": "path.to.fn",       # (request) -> LiveblocksUser | None; replaces the rest
        "REST_FRAMEWORK": False,            # True: DRF's authentication classes authenticate first
        "AUTHENTICATION_CLASSES": None,     # dotted paths; default: DRF's default classes
        "USER_ID": "path.to.fn",            # (user) -> str; default: str(user.pk)
        "USER_INFO": "path.to.fn",          # (user) -> dict; default: {"name", "avatar"?}
        "GROUP_IDS": "path.to.fn",          # (user) -> list[str]; default: names of user.groups
        "ORGANIZATION_ID": "path.to.fn",    # (user) -> str | None; default: None
        "ROOM_POLICY": "path.to.fn",        # (LiveblocksUser, room) -> bool; default: allow
        "TOKEN_MODE": "id",                 # or "access", with PERMISSIONS
        "PERMISSIONS": "path.to.fn",        # (LiveblocksUser, room) -> {pattern: scopes}
        "ALLOWED_ORIGINS": [],              # other origins whose pages may call the endpoint
        "ASYNC": False,                     # True under ASGI: async view and client
        "TIMEOUT": None,                    # seconds per attempt (default: the core's)
        "RETRY": None,                      # a liveblocks_auth.RetryPolicy (default: the core's)
        "LIMITS": None,                     # an httpx.Limits for the connection pool
        "TRANSPORT": None,                  # an httpx transport (tests: FakeLiveblocks())
        "WEBHOOK_SECRET": "whsec_...",      # default: $LIVEBLOCKS_WEBHOOK_SECRET
        "WEBHOOK_DEDUPLICATION": None,      # a CACHES alias or "redis://...": each event once
    }

Hooks are callables or dotted import paths. Any hook may also declare a ``request`` parameter
(the HttpRequest) and/or a ``data`` one (the JSON object the front end posted).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,
    "BASE_URL": None,
    "RESOLVE_USER": None,
    "REST_FRAMEWORK": False,
    "AUTHENTICATION_CLASSES": None,
    "USER_ID": "liveblocks_auth_django.users.default_user_id",
    "USER_INFO": "liveblocks_auth_django.users.default_user_info",
    "GROUP_IDS": "liveblocks_auth_django.users.default_group_ids",
    "ORGANIZATION_ID": None,
    "ROOM_POLICY": None,
    "TOKEN_MODE": "id",
    "PERMISSIONS": None,
    "ALLOWED_ORIGINS": [],
    "ASYNC": False,
    "TIMEOUT": None,
    "RETRY": None,
    "LIMITS": None,
    "TRANSPORT": None,
    "WEBHOOK_SECRET": None,
    "WEBHOOK_DEDUPLICATION": None,
}
HOOKS = (
    "RESOLVE_USER",
    "USER_ID",
    "USER_INFO",
    "GROUP_IDS",
    "ORGANIZATION_ID",
    "ROOM_POLICY",
    "PERMISSIONS",
)


def user_settings() -> dict[str, Any]:
    value = getattr(settings, "LIVEBLOCKS", {})
    return value if isinstance(value, dict) else {}


def get(name: str) -> Any:
    """One setting, as configured or its default."""
    return user_settings().get(name, DEFAULTS[name])


def setting_name(name: str) -> str:
    return f"LIVEBLOCKS['{name}']"


def hook(name: str) -> Callable[..., Any] | None:
    """A hook setting resolved to a callable (or None). ImportError names the setting."""
    return hooks(name)[0]


def hooks(*names: str) -> list[Callable[..., Any] | None]:
    """:func:`hook` for several names, the setting read once."""
    configured = user_settings()
    found: list[Callable[..., Any] | None] = []
    for name in names:
        value = configured.get(name, DEFAULTS[name])
        found.append(None if value is None else import_setting(name, value))
    return found


def import_setting(name: str, value: Any) -> Any:
    """``value`` when it is already an object, else the object its dotted path names; errors
    name the setting."""
    if callable(value):
        return value
    if not isinstance(value, str):
        raise TypeError(f"{setting_name(name)} must be a callable or a dotted path, not {value!r}")
    try:
        return _import(value)
    except ImportError as exc:
        raise ImportError(f"{setting_name(name)} = {value!r} cannot be imported: {exc}") from exc


@functools.lru_cache(maxsize=64)
def _import(path: str) -> Any:
    # Hooks are looked up on every request (so override_settings works); importing is not.
    return import_string(path)
