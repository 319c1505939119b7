"""``path("", include("liveblocks_auth_django.urls"))`` serves ``POST /api/liveblocks-auth``."""

from __future__ import annotations

from django.urls import path

from .views import auth_view

app_name = "liveblocks_auth"

urlpatterns = [path("api/liveblocks-auth", auth_view(), name="auth")]
