"""The secret key never leaks, through any adapter: responses, logs, reprs, error reports."""

from __future__ import annotations

import sys
from typing import Any

import httpx
import pytest

from liveblocks_auth.testing import FakeLiveblocks, Fault
from tests.core.harness import SECRET
from tests.reliability import users
from tests.reliability.adapters import AdapterFactory

ALICE = users.header("alice", ["editors"], "acme")


class Exploding(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Fails inside the upstream call, quoting the Authorization header in its message."""

    def __init__(self) -> None:
        self.calls = 0

    def _boom(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        raise RuntimeError(f"transport exploded with {request.headers['authorization']}")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._boom(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._boom(request)


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    )


def objects_of(adapter: Any) -> list[Any]:
    """The objects the adapter created that hold the key: client, endpoint, extension state."""
    if adapter.name.startswith("django"):
        from liveblocks_auth_django import clients

        found = [clients.get_client(), clients.get_endpoint()]
        return found + list(clients._async_clients.values())
    if adapter.name == "flask":
        state = adapter.app.extensions["liveblocks_auth"]
        return [state, state.client, state.endpoint]
    return [adapter.liveblocks, adapter.liveblocks.client, adapter.liveblocks._client_options]


def test_an_exception_inside_the_upstream_call_leaks_nothing(
    make: AdapterFactory, debug_logs: pytest.LogCaptureFixture
) -> None:
    transport = Exploding()
    adapter = make(transport=transport)
    answer = adapter.post(user=ALICE)
    assert answer.status == 503
    assert transport.calls == 1
    assert SECRET not in answer.body.decode()
    logged = everything_logged(debug_logs)
    assert "transport exploded with Bearer sk_***" in logged  # reported, masked
    assert SECRET not in logged
    for obj in objects_of(adapter):
        assert SECRET not in repr(obj)
        assert SECRET not in str(obj)


def test_debug_logging_of_a_whole_exchange_never_shows_the_key(
    make: AdapterFactory,
    fake: FakeLiveblocks,
    debug_logs: pytest.LogCaptureFixture,
    sleeps: list[float],
) -> None:
    fake.fail_next(Fault(status=401, body=b'{"error":"Unauthorized"}', headers={"X-LB-Warn": "w"}))
    fake.fail_next(Fault.server_error(503))
    adapter = make(transport=fake)
    statuses = [adapter.post(user=ALICE).status for _ in range(3)]
    assert statuses == [401, 200, 200]
    assert len(fake.calls) == 4
    assert debug_logs.records
    assert SECRET not in everything_logged(debug_logs)


def test_the_django_error_report_never_shows_the_key(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.signals import got_request_exception
    from django.test import Client
    from django.views.debug import ExceptionReporter

    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", SECRET)  # also in the process environment

    def exploding_groups(user: Any) -> list[str]:
        raise LookupError("group service down")

    settings.DEBUG = False
    settings.LIVEBLOCKS = {
        "SECRET_KEY": SECRET,
        "TRANSPORT": FakeLiveblocks(secret=SECRET),
        "GROUP_IDS": exploding_groups,
    }
    caught: list[Any] = []

    def keep(sender: Any, request: Any, **kwargs: Any) -> None:
        caught.append((request, sys.exc_info()))

    got_request_exception.connect(keep)
    try:
        client = Client(raise_request_exception=False, LIVEBLOCKS_SECRET_KEY=SECRET)
        response = client.post(
            "/api/liveblocks-auth",
            {"room": "acme-x"},
            content_type="application/json",
            headers={"X-Test-User": ALICE},
        )
    finally:
        got_request_exception.disconnect(keep)
    assert response.status_code == 500
    assert SECRET not in response.content.decode()
    [(request, exc_info)] = caught
    assert exc_info[0] is LookupError
    reporter = ExceptionReporter(request, *exc_info, is_email=True)
    text, html = reporter.get_traceback_text(), reporter.get_traceback_html()
    assert "group service down" in text  # the report is a real one
    assert "LIVEBLOCKS" in text  # settings are in it, cleansed
    assert SECRET not in text
    assert SECRET not in html
