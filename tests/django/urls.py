from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import include, path

from liveblocks_auth_django.views import liveblocks_auth_async, liveblocks_webhook_async


def csrf(request: HttpRequest) -> HttpResponse:
    """Sets the csrftoken cookie (for tests of DRF's session CSRF rule)."""
    return HttpResponse(get_token(request))


urlpatterns = [
    path("csrf", csrf),
    path("", include("liveblocks_auth_django.urls")),
    path("async/liveblocks-auth", liveblocks_auth_async),
    path("async/liveblocks-webhook", liveblocks_webhook_async),
]
