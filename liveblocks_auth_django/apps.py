from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core.signals import setting_changed


def _on_setting_changed(setting: str, **kwargs: Any) -> None:
    if setting == "LIVEBLOCKS":
        from .clients import reset

        reset()


class LiveblocksAuthConfig(AppConfig):
    name = "liveblocks_auth_django"
    label = "liveblocks_auth"
    verbose_name = "Liveblocks authentication"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks

        setting_changed.connect(_on_setting_changed, dispatch_uid="liveblocks_auth_reset")
