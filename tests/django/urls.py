from django.urls import include, path

from liveblocks_auth_django.views import liveblocks_auth_async

urlpatterns = [
    path("", include("liveblocks_auth_django.urls")),
    path("async/liveblocks-auth", liveblocks_auth_async),
]
