"""The Flask extension: ``LiveblocksAuth(app)`` serves ``POST /api/liveblocks-auth`` and
``POST /api/liveblocks-webhook``.

A thin translation onto the core endpoint. Per-app state (client, endpoint) lives in
``app.extensions["liveblocks_auth"]``; the extension object only holds the hooks registered with
its decorators, so one extension can serve several apps (app factories, tests).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar, overload

import click
from flask import Blueprint, Flask, Request, Response, current_app, g, request

from liveblocks_auth import (
    AuthEndpoint,
    AuthRequest,
    EndpointResponse,
    Liveblocks,
    LiveblocksUser,
    WebhookEndpoint,
    WebhookEvent,
    default_user_id,
    default_user_info,
    hold_secret,
    secret_from_setting,
    user_from,
)
from liveblocks_auth.config import check_key_and_base_url, resolve_base_url
from liveblocks_auth.endpoint import EnvironHeaders
from liveblocks_auth.hooks import with_extras
from liveblocks_auth.webhook_types import EVENT_TYPES
from liveblocks_auth.webhooks import (
    WebhookSecret,
    unheard,
    webhook_handler_from_setting,
    webhook_store_from_setting,
)

from .signals import token_denied, token_issued, webhook_received

__all__ = ["ConfigError", "LiveblocksAuth"]

F = TypeVar("F", bound=Callable[..., Any])
EXTENSION_KEY = "liveblocks_auth"

#: Config keys and their defaults (constructor options use the lower-case name without prefix).
CONFIG_DEFAULTS: dict[str, Any] = {
    "LIVEBLOCKS_SECRET_KEY": None,  # None: $LIVEBLOCKS_SECRET_KEY
    "LIVEBLOCKS_BASE_URL": None,  # None: $LIVEBLOCKS_BASE_URL, else the cloud
    "LIVEBLOCKS_AUTH_URL": "/api/liveblocks-auth",
    "LIVEBLOCKS_TOKEN_MODE": "id",
    "LIVEBLOCKS_ALLOWED_ORIGINS": [],
    "LIVEBLOCKS_TIMEOUT": None,
    "LIVEBLOCKS_RETRY": None,  # a liveblocks_auth.RetryPolicy
    "LIVEBLOCKS_LIMITS": None,  # an httpx.Limits
    "LIVEBLOCKS_TRANSPORT": None,
    "LIVEBLOCKS_REGISTER_BLUEPRINT": True,
    "LIVEBLOCKS_WEBHOOK_SECRET": None,  # None: $LIVEBLOCKS_WEBHOOK_SECRET
    "LIVEBLOCKS_WEBHOOK_URL": "/api/liveblocks-webhook",
    # Each event handled once: "redis://host:6379/0" (every worker), or MemoryWebhookStore().
    "LIVEBLOCKS_WEBHOOK_STORE": None,
}
HOOK_NAMES = (
    "user_resolver",
    "group_ids",
    "user_info",
    "organization_id",
    "room_policy",
    "permissions",
)


@dataclass
class _AppState:
    client: Liveblocks
    endpoint: AuthEndpoint
    webhooks: WebhookEndpoint
    dispatch: Callable[[WebhookEvent, Any], None]


class ConfigError(click.ClickException, ValueError):
    """A ``LIVEBLOCKS_*`` config that cannot be used: a ``ValueError`` for your code, and one
    line (``Error: ...``) rather than a traceback under Flask's command line (``flask run``,
    ``flask liveblocks ...``), as Django's system checks report theirs."""


def _current_user() -> Any:
    """Flask-Login's authenticated ``current_user`` when installed, else ``g.user``, else None."""
    try:
        from flask_login import current_user  # type: ignore[import-untyped]
    except ImportError:
        current_user = None
    if current_user is not None and getattr(current_app, "login_manager", None) is not None:
        return current_user if current_user.is_authenticated else None
    return g.get("user")


class LiveblocksAuth:
    """Liveblocks authentication for a Flask app.

    ``LiveblocksAuth(app)`` or ``liveblocks = LiveblocksAuth(); liveblocks.init_app(app)``.
    Options (``secret_key``, ``webhook_secret``, ``base_url``, ``auth_url``, ``token_mode``,
    ``allowed_origins``, ``timeout``, ``transport``, ``register_blueprint``...: each config key's
    name without ``LIVEBLOCKS_``, in lower case) override ``LIVEBLOCKS_*`` config keys;
    hooks may be passed as options too (``room_policy=...``) or registered with the decorators.
    Any hook may also declare a ``request`` parameter (Flask's request) and/or a ``data`` one (the
    JSON object the front end posted, ``room`` included).
    """

    def __init__(self, app: Flask | None = None, **options: Any) -> None:
        # Secrets held masked from here on: no frame of ours holds their text (hold_secret).
        for key, kind in (("secret_key", None), ("webhook_secret", WebhookSecret)):
            if key in options:
                options[key] = hold_secret(options[key], kind)
        self._hooks: dict[str, Callable[..., Any] | None] = dict.fromkeys(HOOK_NAMES)
        self._webhook_handlers: list[tuple[frozenset[str] | None, Callable[..., Any]]] = []
        for name in HOOK_NAMES:
            if name in options:
                self._hooks[name] = options.pop(name)
        unknown = {f"LIVEBLOCKS_{key.upper()}" for key in options} - set(CONFIG_DEFAULTS)
        if unknown:
            raise TypeError(f"LiveblocksAuth got unknown options: {', '.join(sorted(unknown))}")
        self._options = {f"LIVEBLOCKS_{key.upper()}": value for key, value in options.items()}
        if app is not None:
            self.init_app(app)

    @property
    def client(self) -> Liveblocks:
        """The current app's Liveblocks client (the endpoint's own): for rooms and room data
        in views, webhook handlers and CLI commands. Needs an app context."""
        return state().client

    # --- decorators (like Flask-Login's user_loader): each returns the function ---

    def _register(self, name: str, function: F) -> F:
        self._hooks[name] = function
        return function

    def user_resolver(self, function: F) -> F:
        """``() -> LiveblocksUser | None``: who is logged in (replaces the default lookup)."""
        return self._register("user_resolver", function)

    def group_ids(self, function: F) -> F:
        """``(user) -> list[str]`` for the default lookup's user."""
        return self._register("group_ids", function)

    def user_info(self, function: F) -> F:
        """``(user) -> dict`` for the default lookup's user (default: its name/username and, when
        it has one, its avatar: :func:`liveblocks_auth.default_user_info`)."""
        return self._register("user_info", function)

    def organization_id(self, function: F) -> F:
        """``(user) -> str | None`` for the default lookup's user."""
        return self._register("organization_id", function)

    def room_policy(self, function: F) -> F:
        """``(LiveblocksUser, room) -> bool``: False answers 403 before any Liveblocks call."""
        return self._register("room_policy", function)

    def permissions(self, function: F) -> F:
        """``(LiveblocksUser, room) -> {pattern: scopes}`` for access-token mode."""
        return self._register("permissions", function)

    @overload
    def webhook_handler(self, function: F, /) -> F: ...

    @overload
    def webhook_handler(self, *event_types: str) -> Callable[[F], F]: ...

    def webhook_handler(self, *event_types: Any) -> Any:
        """``(event) -> None`` for verified webhook events of the named types, or of every type
        (``@liveblocks.webhook_handler`` or ``@liveblocks.webhook_handler()``). A handler that
        raises makes the endpoint answer 500, so Liveblocks delivers the event again."""
        if len(event_types) == 1 and callable(event_types[0]):
            return self._add_webhook_handler(None, event_types[0])
        unknown = [name for name in event_types if name not in EVENT_TYPES]
        if unknown:
            raise ValueError(
                f"unknown webhook event type {unknown[0]!r}; "
                f"known types: {', '.join(sorted(EVENT_TYPES))}"
            )
        wanted = frozenset(event_types) or None
        return partial(self._add_webhook_handler, wanted)

    def _add_webhook_handler(self, wanted: frozenset[str] | None, function: F) -> F:
        self._webhook_handlers.append((wanted, function))
        return function

    def _dispatch_webhook(self, app: Flask, event: WebhookEvent, context: Any) -> None:
        handlers = [
            fn for wanted, fn in self._webhook_handlers if not wanted or event.type in wanted
        ]
        if not handlers and not webhook_received.has_receivers_for(app):
            unheard(event, "decorate one with @liveblocks.webhook_handler")
        webhook_received.send(app, event=event)
        for handler in handlers:
            handler(event)

    # --- binding to an app ---

    def _config(self, app: Flask, key: str) -> Any:
        if key in self._options:
            return self._options[key]
        return app.config.get(key, CONFIG_DEFAULTS[key])

    def init_app(self, app: Flask) -> None:
        """Bind to ``app``: check the config now (not at the first request), make the client,
        register the blueprint and the ``flask liveblocks`` commands. A config that cannot be
        used raises :class:`ConfigError` (a ``ValueError``) naming the key and the fix."""
        try:
            app.extensions[EXTENSION_KEY] = self._state(app)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        config = partial(self._config, app)
        if config("LIVEBLOCKS_REGISTER_BLUEPRINT"):
            app.register_blueprint(
                self.blueprint(config("LIVEBLOCKS_AUTH_URL"), config("LIVEBLOCKS_WEBHOOK_URL"))
            )
        _exempt_from_flask_wtf(app)
        from .cli import liveblocks_command

        app.cli.add_command(liveblocks_command)

    def _state(self, app: Flask) -> _AppState:
        config = partial(self._config, app)
        webhooks = WebhookEndpoint(
            webhook_handler_from_setting(
                config("LIVEBLOCKS_WEBHOOK_SECRET"), "LIVEBLOCKS_WEBHOOK_SECRET"
            ),
            setting="LIVEBLOCKS_WEBHOOK_SECRET (or $LIVEBLOCKS_WEBHOOK_SECRET)",
            store=webhook_store_from_setting(
                config("LIVEBLOCKS_WEBHOOK_STORE"), "LIVEBLOCKS_WEBHOOK_STORE", blocking=True
            ),
        )
        secret = secret_from_setting(
            config("LIVEBLOCKS_SECRET_KEY"), "app.config['LIVEBLOCKS_SECRET_KEY']"
        )
        if config("LIVEBLOCKS_TRANSPORT") is None:
            check_key_and_base_url(
                secret.is_localdev,
                resolve_base_url(config("LIVEBLOCKS_BASE_URL"), "LIVEBLOCKS_BASE_URL"),
                key_setting="LIVEBLOCKS_SECRET_KEY",
                base_url_setting="LIVEBLOCKS_BASE_URL",
            )
        client = Liveblocks(
            secret,
            base_url=config("LIVEBLOCKS_BASE_URL"),
            timeout=config("LIVEBLOCKS_TIMEOUT"),
            retry=config("LIVEBLOCKS_RETRY"),
            limits=config("LIVEBLOCKS_LIMITS"),
            transport=config("LIVEBLOCKS_TRANSPORT"),
        )
        # Closed when the app is collected or the process exits (no handler kept per app).
        weakref.finalize(app, client.close)
        try:
            endpoint = AuthEndpoint(
                self._resolve_user,
                room_policy=self._room_policy,
                token_mode=config("LIVEBLOCKS_TOKEN_MODE"),
                permissions=self._permissions,
                allowed_origins=config("LIVEBLOCKS_ALLOWED_ORIGINS"),
            )
        except ValueError as exc:
            client.close()
            raise ValueError(f"LIVEBLOCKS_* config: {exc}") from None
        return _AppState(client, endpoint, webhooks, partial(self._dispatch_webhook, app))

    def blueprint(
        self,
        url: str = CONFIG_DEFAULTS["LIVEBLOCKS_AUTH_URL"],
        webhook_url: str = CONFIG_DEFAULTS["LIVEBLOCKS_WEBHOOK_URL"],
    ) -> Blueprint:
        """A blueprint serving the endpoints at ``url`` and ``webhook_url``, to register yourself
        (for example under a prefix) when ``LIVEBLOCKS_REGISTER_BLUEPRINT`` is False."""
        bp = Blueprint(EXTENSION_KEY, __name__)
        for rule, name, view in ((url, "auth", auth_view), (webhook_url, "webhook", webhook_view)):
            bp.add_url_rule(
                rule,
                name,
                view,
                methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],  # core answers 405
                provide_automatic_options=False,
            )
        return bp

    # --- hooks ---

    def _hook(self, name: str, positional: int, request: Any, data: Any) -> Callable[..., Any]:
        hook = self._hooks[name]
        assert hook is not None
        return with_extras(hook, positional, {"request": request, "data": data})

    def _room_policy(
        self, user: LiveblocksUser, room: str | None, request: Any = None, data: Any = None
    ) -> Any:
        if self._hooks["room_policy"] is None:
            return True
        return self._hook("room_policy", 2, request, data)(user, room)

    def _permissions(
        self, user: LiveblocksUser, room: str | None, request: Any = None, data: Any = None
    ) -> Any:
        # Hooks may be registered after init_app (like Flask-Login's user_loader), so a missing
        # one is only known here.
        if self._hooks["permissions"] is None:
            raise RuntimeError(
                "LIVEBLOCKS_TOKEN_MODE is 'access' but no permissions hook is registered: "
                "decorate a function (user, room) -> {pattern: scopes} with @liveblocks.permissions"
            )
        return self._hook("permissions", 2, request, data)(user, room)

    def _resolve_user(self, context: Any, data: Any = None) -> LiveblocksUser | None:
        if self._hooks["user_resolver"] is not None:
            resolved: LiveblocksUser | None = self._hook("user_resolver", 0, context, data)()
            return resolved
        user = _current_user()
        if user is None:
            return None
        return user_from(
            user,
            user_id=default_user_id,
            group_ids=self._hooks["group_ids"],
            user_info=self._hooks["user_info"] or default_user_info,
            organization_id=self._hooks["organization_id"],
            request=context,
            data=data,
        )


def _exempt_from_flask_wtf(app: Flask) -> None:
    """Exempt our blueprint from Flask-WTF's CSRFProtect (the official client sends no CSRF
    token; the core's rules protect the endpoint). CSRFProtect may be set up before or after us
    and the blueprint registered later, so this is done once, by a hook that runs first at the
    app's first request and then takes itself out: no cost on later requests."""

    def exempt_once() -> None:
        funcs = app.before_request_funcs
        # A new list, never the one Flask is iterating over (removing from it would skip the
        # next hook: CSRFProtect's own).
        funcs[None] = [hook for hook in funcs.get(None, []) if hook is not exempt_once]
        csrf = app.extensions.get("csrf")
        blueprint = app.blueprints.get(EXTENSION_KEY)
        if csrf is not None and blueprint is not None:
            csrf.exempt(blueprint)

    app.before_request_funcs.setdefault(None, []).insert(0, exempt_once)


def state(app: Flask | None = None) -> _AppState:
    app = app or current_app
    try:
        found: _AppState = app.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError(
            "LiveblocksAuth is not set up on this app: call LiveblocksAuth(app) or init_app(app)"
        ) from None
    return found


def _body() -> Iterable[bytes]:
    return iter(partial(request.stream.read, 4096), b"")


def _host(current: Request) -> str:
    return current.host


def to_auth_request() -> AuthRequest:
    current = request._get_current_object()  # type: ignore[attr-defined]
    return AuthRequest(
        method=current.method,
        headers=EnvironHeaders(current.environ),
        body=_body(),
        host=partial(_host, current),  # validated (TRUSTED_HOSTS) only if an Origin needs it
        context=current,
    )


def to_response(answer: EndpointResponse) -> Response:
    return Response(answer.body, status=answer.status, headers=list(answer.headers))


def auth_view() -> Response:
    app_state = state()
    answer = app_state.endpoint.handle(to_auth_request(), app_state.client)
    signal = token_issued if answer.issued else token_denied
    signal.send(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        user=answer.user,
        room=answer.room,
        status=answer.status,
    )
    return to_response(answer)


def webhook_view() -> Response:
    app_state = state()
    return to_response(app_state.webhooks.handle(to_auth_request(), app_state.dispatch))
