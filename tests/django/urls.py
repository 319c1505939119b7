from django.urls import include, path

from liveblocks_auth_django.views import liveblocks_auth_async, liveblocks_webhook_async

urlpatterns = [
    path("", include("liveblocks_auth_django.urls")),
    path("async/liveblocks-auth", liveblocks_auth_async),
    path("async/liveblocks-webhook", liveblocks_webhook_async),
]
