"""System checks, run the way Django runs them (call_command("check"))."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from liveblocks_auth_django.checks import check_settings


def ids(
    settings: Any, monkeypatch: pytest.MonkeyPatch, value: Any, env: str | None = None
) -> set[str]:
    if env is None:
        monkeypatch.delenv("LIVEBLOCKS_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", env)
    monkeypatch.delenv("LIVEBLOCKS_BASE_URL", raising=False)
    settings.LIVEBLOCKS = value
    return {message.id for message in check_settings()}


@pytest.mark.parametrize(
    ("value", "env", "expected"),
    [
        ({"SECRET_KEY": "sk_good_123"}, None, set()),
        ({}, "sk_from_env", set()),
        ({}, None, {"liveblocks_auth.E001"}),
        ({"SECRET_KEY": "pk_public"}, None, {"liveblocks_auth.E002"}),
        ({"SECRET_KEY": "sk_ bad"}, None, {"liveblocks_auth.E002"}),
        ({"SECRET_KEY": "sk_ok", "ROOM_POLICY": "nope.missing.fn"}, None, {"liveblocks_auth.E003"}),
        ({"SECRET_KEY": "sk_ok", "USER_ID": 42}, None, {"liveblocks_auth.E003"}),
        ({"SECRET_KEY": "sk_localdev"}, None, {"liveblocks_auth.E004"}),
        ({"SECRET_KEY": "sk_localdev", "BASE_URL": "http://127.0.0.1:1153"}, None, set()),
        ({"SECRET_KEY": "sk_ok", "TOKEN_MODE": "access"}, None, {"liveblocks_auth.E005"}),
        ({"SECRET_KEY": "sk_ok", "TOKEN_MODE": "magic"}, None, {"liveblocks_auth.E005"}),
        (
            {"SECRET_KEY": "sk_ok", "ALLOWED_ORIGINS": ["example.com"]},
            None,
            {"liveblocks_auth.E005"},
        ),
        ({"SECRET_KEY": "sk_ok", "BASE_URL": "api.liveblocks.io"}, None, {"liveblocks_auth.E007"}),
        ("sk_ok", None, {"liveblocks_auth.E008"}),
        ({"SECRET_KEY": "sk_ok", "SECRET": "x"}, None, {"liveblocks_auth.W001"}),
    ],
)
def test_each_misconfiguration_has_its_check(
    settings: Any, monkeypatch: pytest.MonkeyPatch, value: Any, env: str | None, expected: set[str]
) -> None:
    assert ids(settings, monkeypatch, value, env) == expected


def test_messages_name_the_setting_and_the_fix_never_the_key(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LIVEBLOCKS_SECRET_KEY", raising=False)
    settings.LIVEBLOCKS = {"SECRET_KEY": "pk_live_SUPERSECRETVALUE"}
    [error] = check_settings()
    text = f"{error.msg} {error.hint}"
    assert "LIVEBLOCKS['SECRET_KEY']" in text
    assert "sk_" in text
    assert "SUPERSECRETVALUE" not in text


def test_the_checks_are_registered_with_django(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LIVEBLOCKS_SECRET_KEY", raising=False)
    settings.LIVEBLOCKS = {}
    with pytest.raises(SystemCheckError, match=r"liveblocks_auth\.E001"):
        call_command("check")
    settings.LIVEBLOCKS = {"SECRET_KEY": "sk_fine"}
    call_command("check")  # raises SystemCheckError on any error


def test_importing_the_app_never_fails_on_configuration(settings: Any) -> None:
    import importlib

    settings.LIVEBLOCKS = {
        "SECRET_KEY": "pk_wrong",
        "ROOM_POLICY": "no.such.module",
        "WEBHOOK_SECRET": "whsec_!",
    }
    urls = importlib.reload(importlib.import_module("liveblocks_auth_django.urls"))
    assert [pattern.name for pattern in urls.urlpatterns] == ["auth", "webhook"]
