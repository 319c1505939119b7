"""``POST /api/liveblocks-auth`` for Django: a translation onto the core endpoint, nothing more.

CSRF: the official client sends no CSRF token, so the views are ``csrf_exempt`` and protected
instead by the core's rules: JSON bodies only (a cross-site form cannot send them) and
Fetch Metadata / Origin checks against this request's host as Django validates it
(``ALLOWED_HOSTS``, ``USE_X_FORWARDED_HOST``) plus ``LIVEBLOCKS['ALLOWED_ORIGINS']``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.core.exceptions import DisallowedHost
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse

from liveblocks_auth import AuthRequest, EndpointResponse, Misconfigured, WebhookEvent
from liveblocks_auth.endpoint import EnvironHeaders
from liveblocks_auth.webhooks import unheard

from . import conf
from .clients import (
    get_async_client,
    get_client,
    get_endpoint,
    get_webhook_endpoint,
)
from .signals import token_denied, token_issued, webhook_received

V = TypeVar("V", bound=Callable[..., Any])

__all__ = [
    "auth_view",
    "liveblocks_auth",
    "liveblocks_auth_async",
    "liveblocks_webhook",
    "liveblocks_webhook_async",
    "webhook_view",
]


def _host(request: HttpRequest) -> str | None:
    try:
        return request.get_host()
    except DisallowedHost:
        return None  # then no browser Origin can match it


def _body(request: HttpRequest) -> Iterator[bytes]:
    # Read in chunks so an oversized body is refused after 8 KiB, not after loading it whole.
    chunks = []
    for chunk in iter(partial(request.read, 4096), b""):
        chunks.append(chunk)
        yield chunk
    # Read whole (within the limit): keep it as request.body, as Django does once it reads a
    # body, so what runs after (DRF's CSRF check parses request.POST) can still read it.
    request._body = b"".join(chunks)


def to_auth_request(request: HttpRequest) -> AuthRequest:
    return AuthRequest(
        method=request.method or "GET",
        headers=EnvironHeaders(request.META),
        body=_body(request),
        host=partial(_host, request),
        context=request,
    )


def to_response(answer: EndpointResponse) -> HttpResponse:
    response = HttpResponse(answer.body, status=answer.status, content_type="application/json")
    response["Content-Length"] = str(len(answer.body))  # as Flask and Starlette size theirs
    for name, value in answer.headers:
        if name != "Content-Type":
            response[name] = value
    return response


def _misconfigured(error: Misconfigured) -> HttpResponse:
    """While ``LIVEBLOCKS`` cannot be used: 500, and the fix in the log once per process."""
    error.report()
    return to_response(error.response(None, None))


def _exempt(view: V) -> V:
    """``csrf_exempt`` for sync and async views alike. Django 4.2's ``csrf_exempt`` wraps an
    ``async def`` view in a plain function, which Django then calls as a sync view: every
    request got an unawaited coroutine. The attribute is all ``CsrfViewMiddleware`` reads."""
    view.csrf_exempt = True  # type: ignore[attr-defined]
    return view


async def _send_async(signal: Signal, **kwargs: Any) -> None:
    """``signal.asend(**kwargs)``, which Django 5.0 added; on 4.2, ``send`` in Django's sync
    executor (receivers are sync there, and may touch the ORM)."""
    asend = getattr(signal, "asend", None)
    if asend is not None:
        await asend(**kwargs)
    else:
        await sync_to_async(signal.send)(**kwargs)


def _signal_kwargs(request: HttpRequest, answer: EndpointResponse) -> dict[str, Any]:
    return {"user": answer.user, "room": answer.room, "status": answer.status, "request": request}


@_exempt
def liveblocks_auth(request: HttpRequest) -> HttpResponse:
    """The endpoint for WSGI (sync client)."""
    try:
        endpoint, client = get_endpoint(), get_client()
    except Misconfigured as error:
        return _misconfigured(error)
    answer = endpoint.handle(to_auth_request(request), client)
    signal = token_issued if answer.issued else token_denied
    signal.send(sender=liveblocks_auth, **_signal_kwargs(request, answer))
    return to_response(answer)


async def _run_sync(function: Callable[..., Any], *args: Any) -> Any:
    # Hooks touch the ORM (request.user, groups): Django's thread-sensitive executor keeps
    # them off the event loop and on the thread Django expects.
    return await sync_to_async(function)(*args)


@_exempt
async def liveblocks_auth_async(request: HttpRequest) -> HttpResponse:
    """The endpoint for ASGI (async client; hooks run in Django's sync executor)."""
    try:
        endpoint, client = get_endpoint(), get_async_client()
    except Misconfigured as error:
        return _misconfigured(error)
    answer = await endpoint.handle_async(to_auth_request(request), client, run_sync=_run_sync)
    signal = token_issued if answer.issued else token_denied
    await _send_async(signal, sender=liveblocks_auth, **_signal_kwargs(request, answer))
    return to_response(answer)


def auth_view() -> Callable[..., Any]:
    """The view ``liveblocks_auth_django.urls`` mounts: async when ``LIVEBLOCKS['ASYNC']``."""
    return liveblocks_auth_async if conf.get("ASYNC") else liveblocks_auth


def _heard(event: WebhookEvent) -> bool:
    if webhook_received.has_listeners(liveblocks_webhook):
        return True
    unheard(event, "connect a receiver to liveblocks_auth_django.signals.webhook_received")
    return False


def _dispatch(event: WebhookEvent, request: HttpRequest) -> None:
    if _heard(event):
        webhook_received.send(sender=liveblocks_webhook, event=event, request=request)


async def _dispatch_async(event: WebhookEvent, request: HttpRequest) -> None:
    if _heard(event):
        await _send_async(webhook_received, sender=liveblocks_webhook, event=event, request=request)


@_exempt
def liveblocks_webhook(request: HttpRequest) -> HttpResponse:
    """The webhook endpoint for WSGI: verified events go to ``webhook_received``."""
    try:
        endpoint = get_webhook_endpoint()
    except Misconfigured as error:
        return _misconfigured(error)
    return to_response(endpoint.handle(to_auth_request(request), _dispatch))


@_exempt
async def liveblocks_webhook_async(request: HttpRequest) -> HttpResponse:
    """The webhook endpoint for ASGI (sync receivers run in Django's sync executor)."""
    try:
        endpoint = get_webhook_endpoint()
    except Misconfigured as error:
        return _misconfigured(error)
    answer = await endpoint.handle_async(
        to_auth_request(request), _dispatch_async, run_sync=_run_sync
    )
    return to_response(answer)


def webhook_view() -> Callable[..., Any]:
    """The webhook view the urls mount: async when ``LIVEBLOCKS['ASYNC']``."""
    return liveblocks_webhook_async if conf.get("ASYNC") else liveblocks_webhook
