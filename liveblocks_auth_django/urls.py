"""``path("", include("liveblocks_auth_django.urls"))`` serves ``POST /api/liveblocks-auth`` and
``POST /api/liveblocks-webhook``."""

from __future__ import annotations

from django.urls import path

from .views import auth_view, webhook_view

app_name = "liveblocks_auth"

urlpatterns = [
    path("api/liveblocks-auth", auth_view(), name="auth"),
    path("api/liveblocks-webhook", webhook_view(), name="webhook"),
]
