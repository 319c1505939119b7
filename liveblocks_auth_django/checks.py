"""System checks (``manage.py check``) for the ``LIVEBLOCKS`` setting; each error says the fix."""

from __future__ import annotations

import os
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register

from liveblocks_auth import AuthEndpoint, Secret, hold_secret, validate_secret
from liveblocks_auth.config import (
    ENV_SECRET_KEY,
    LOCAL_DEV_SECRET,
    check_key_and_base_url,
    resolve_base_url,
)
from liveblocks_auth.redis_store import is_redis_url
from liveblocks_auth.webhooks import (
    ENV_WEBHOOK_SECRET,
    webhook_handler_from_setting,
    webhook_store_from_setting,
)

from . import conf


def _error(id_: int, msg: str, hint: str) -> Error:
    return Error(msg, hint=hint, id=f"liveblocks_auth.E{id_:03d}")


@register(Tags.security, "liveblocks")
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from django.conf import settings

    raw = getattr(settings, "LIVEBLOCKS", {})
    if not isinstance(raw, dict):
        return [_error(8, "LIVEBLOCKS must be a dict.", 'Write LIVEBLOCKS = {"SECRET_KEY": ...}.')]
    errors: list[CheckMessage] = []
    unknown = sorted(set(raw) - set(conf.DEFAULTS))
    if unknown:
        errors.append(
            Warning(
                f"LIVEBLOCKS has unknown keys: {', '.join(unknown)}.",
                hint=f"Known keys: {', '.join(conf.DEFAULTS)}.",
                id="liveblocks_auth.W001",
            )
        )

    # Held masked from the first line: no frame of a check holds the key (hold_secret).
    secret = hold_secret(conf.get("SECRET_KEY")) or hold_secret(os.environ.get(ENV_SECRET_KEY))
    if secret is None:
        errors.append(
            _error(
                1,
                "No Liveblocks secret key.",
                f"Set LIVEBLOCKS['SECRET_KEY'] or the {ENV_SECRET_KEY} environment variable to "
                "the secret key (sk_...) from https://liveblocks.io/dashboard/apikeys, or to "
                "sk_localdev for the dev server.",
            )
        )
    else:
        try:
            validate_secret(secret, conf.setting_name("SECRET_KEY"))
        except ValueError as exc:
            errors.append(_error(2, "The Liveblocks secret key is malformed.", str(exc)))

    base_url: str | None = None
    try:
        base_url = resolve_base_url(conf.get("BASE_URL"), conf.setting_name("BASE_URL"))
    except ValueError as exc:
        errors.append(_error(7, "The Liveblocks base URL is invalid.", str(exc)))
    try:
        if base_url is not None and conf.get("TRANSPORT") is None:
            check_key_and_base_url(
                isinstance(secret, Secret) and secret.is_localdev,
                base_url,
                key_setting=conf.setting_name("SECRET_KEY"),
                base_url_setting=conf.setting_name("BASE_URL"),
            )
    except ValueError as exc:
        errors.append(
            _error(4, f"The dev server key {LOCAL_DEV_SECRET} is used with {base_url}.", str(exc))
        )

    hooks_ok = True
    for name in conf.HOOKS:
        try:
            conf.hook(name)
        except (ImportError, TypeError) as exc:
            hooks_ok = False
            errors.append(
                _error(
                    3,
                    f"{conf.setting_name(name)} cannot be used.",
                    f"{exc}. Point it at a function, e.g. 'myapp.liveblocks.room_policy'.",
                )
            )
    if hooks_ok:
        try:
            AuthEndpoint(
                lambda request: None,
                token_mode=conf.get("TOKEN_MODE"),
                permissions=conf.hook("PERMISSIONS"),
                allowed_origins=conf.get("ALLOWED_ORIGINS"),
            )
        except (TypeError, ValueError) as exc:
            errors.append(_error(5, "The LIVEBLOCKS endpoint settings are invalid.", f"{exc}."))
    errors.extend(_rest_framework_checks())
    errors.extend(_webhook_checks())
    return errors


def _rest_framework_checks() -> list[CheckMessage]:
    import importlib.util

    from .users import authentication_classes

    enabled = bool(conf.get("REST_FRAMEWORK"))
    classes = conf.get("AUTHENTICATION_CLASSES")
    if not enabled:
        if classes is None:
            return []
        return [
            Warning(
                f"{conf.setting_name('AUTHENTICATION_CLASSES')} is set but "
                f"{conf.setting_name('REST_FRAMEWORK')} is not True: the classes are not used.",
                hint="Set LIVEBLOCKS['REST_FRAMEWORK'] = True to authenticate with them.",
                id="liveblocks_auth.W003",
            )
        ]
    if importlib.util.find_spec("rest_framework") is None:
        return [
            _error(
                12,
                f"{conf.setting_name('REST_FRAMEWORK')} is True but Django REST framework is "
                "not installed.",
                'Install it with pip install "liveblocks-auth[drf]" (or djangorestframework), '
                "or remove the setting.",
            )
        ]
    try:
        authentication_classes()
    except (ImportError, TypeError) as exc:
        return [
            _error(
                13,
                f"{conf.setting_name('AUTHENTICATION_CLASSES')} cannot be used.",
                f"{exc}. List dotted paths of DRF authentication classes, e.g. "
                "'rest_framework.authentication.TokenAuthentication'.",
            )
        ]
    return []


def _webhook_checks() -> list[CheckMessage]:

    from .signals import webhook_received
    from .views import liveblocks_webhook

    setting = conf.setting_name("WEBHOOK_SECRET")
    try:
        handler = webhook_handler_from_setting(conf.get("WEBHOOK_SECRET"), setting)
    except ValueError as exc:
        return [_error(9, "The Liveblocks webhook secret is malformed.", f"{exc}.")]
    listening = webhook_received.has_listeners(liveblocks_webhook)
    found: list[CheckMessage] = []
    if handler is None and listening:
        found.append(
            _error(
                10,
                "A receiver is connected to webhook_received, but no webhook secret is set: "
                "the webhook endpoint answers 503.",
                f"Set {setting} or the {ENV_WEBHOOK_SECRET} environment variable to the "
                "endpoint's signing secret (whsec_...) from the Liveblocks dashboard; for local "
                "development, make one with `liveblocks-auth webhooks secret`.",
            )
        )
    if handler is not None and not listening:
        found.append(
            Warning(
                "A Liveblocks webhook secret is set, but no receiver is connected to "
                "liveblocks_auth_django.signals.webhook_received: events are acknowledged "
                "and dropped.",
                hint="Connect a receiver in your AppConfig.ready(), e.g. "
                "@receiver(webhook_received) def on_event(sender, event, request, **kw): ...",
                id="liveblocks_auth.W002",
            )
        )
    found += _check_deduplication()
    return found


def _check_deduplication() -> list[CheckMessage]:
    from django.conf import settings

    value = conf.get("WEBHOOK_DEDUPLICATION")
    name = conf.setting_name("WEBHOOK_DEDUPLICATION")
    if value is None or (isinstance(value, str) and value in settings.CACHES):
        return []
    if isinstance(value, str) and not is_redis_url(value):
        return [
            _error(
                11,
                f"{name} = {value!r} is neither a cache nor a redis:// URL.",
                f"Name one of settings.CACHES ({', '.join(settings.CACHES)}), give a "
                "redis://host:6379/0 URL, or None to turn de-duplication off.",
            )
        ]
    try:
        webhook_store_from_setting(value, name, blocking=not conf.get("ASYNC"))
    except (ImportError, TypeError, ValueError) as exc:
        return [_error(11, f"{exc}.", "Install liveblocks-auth[redis] for a redis:// URL.")]
    return []
