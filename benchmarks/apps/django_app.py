"""Django subjects (gunicorn sync, uvicorn ASGI): BENCH_VARIANT picks our adapter, a hand-written
pooled-httpx endpoint, or the no-upstream ceiling (``all``: the three, the last two under the
``/handwritten`` and ``/ceiling`` prefixes). A fixed user, no database."""

from __future__ import annotations

import json
import os
from typing import Any

import django
import httpx
from django.conf import settings
from django.utils.deprecation import MiddlewareMixin

from benchmarks.apps.common import BASE_URL, FIXED_TOKEN, SECRET, USER

VARIANT = os.environ.get("BENCH_VARIANT", "adapter")
ASYNC = os.environ.get("BENCH_ASYNC") == "1"


class Alice:
    is_authenticated = True
    pk = "alice"
    groups = None

    def get_username(self) -> str:
        return "alice"

    def get_full_name(self) -> str:
        return "Alice"


class FixedUser(MiddlewareMixin):
    """Sets ``request.user`` like Django's AuthenticationMiddleware, and like it (a
    ``MiddlewareMixin``) runs natively under both WSGI and ASGI: a sync-only middleware would push
    every ASGI request through Django's one thread-sensitive executor."""

    def process_request(self, request: Any) -> None:
        request.user = Alice()


settings.configure(
    DEBUG=False,
    SECRET_KEY="bench",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["liveblocks_auth_django"],
    MIDDLEWARE=[f"{__name__}.FixedUser"],
    LIVEBLOCKS={
        "SECRET_KEY": SECRET,
        "BASE_URL": BASE_URL,
        "ASYNC": ASYNC,
        "GROUP_IDS": lambda user: ["editors"],
    },
)
django.setup()

from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

_http = httpx.Client(base_url=BASE_URL)


@csrf_exempt
def handwritten(request: HttpRequest) -> HttpResponse:
    json.loads(request.body)
    answer = _http.post(
        "/v2/identify-user", json=USER, headers={"Authorization": f"Bearer {SECRET}"}
    )
    return HttpResponse(answer.content, status=answer.status_code, content_type="application/json")


_async_http: httpx.AsyncClient | None = None


@csrf_exempt
async def handwritten_async(request: HttpRequest) -> HttpResponse:
    """Under ASGI the guides' port is an async view with a pooled ``httpx.AsyncClient``."""
    global _async_http
    if _async_http is None:  # created on the server's event loop, then reused
        _async_http = httpx.AsyncClient(base_url=BASE_URL)
    json.loads(request.body)
    answer = await _async_http.post(
        "/v2/identify-user", json=USER, headers={"Authorization": f"Bearer {SECRET}"}
    )
    return HttpResponse(answer.content, status=answer.status_code, content_type="application/json")


def _fixed_token(request: HttpRequest) -> HttpResponse:
    json.loads(request.body)
    return HttpResponse(FIXED_TOKEN, content_type="application/json")


ceiling = csrf_exempt(_fixed_token)


@csrf_exempt
async def ceiling_async(request: HttpRequest) -> HttpResponse:
    return _fixed_token(request)


VIEWS: dict[tuple[str, bool], Any] = {
    ("handwritten", False): handwritten,
    ("handwritten", True): handwritten_async,
    ("ceiling", False): ceiling,
    ("ceiling", True): ceiling_async,
}
urlpatterns: list[Any] = (
    [path("", include("liveblocks_auth_django.urls"))]
    if VARIANT in ("adapter", "all")
    else [path("api/liveblocks-auth", VIEWS[VARIANT, ASYNC])]
)
if VARIANT == "all":  # the three side by side, for the in-process layers (benchmarks/layers.py)
    urlpatterns += [
        path("handwritten/api/liveblocks-auth", VIEWS["handwritten", ASYNC]),
        path("ceiling/api/liveblocks-auth", VIEWS["ceiling", ASYNC]),
    ]

if ASYNC:
    from django.core.asgi import get_asgi_application

    application: Any = get_asgi_application()
else:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
