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


# --- a malformed secret: reported at start, and no frame of the report holds it ---------------

#: Malformed after whitespace is stripped (a quote copied along); DISTINCT marks its text.
BAD_KEY = 'sk_prod_Zq7DISTINCTkey"'
BAD_WEBHOOK_SECRETS = ["whsec_Zq7DISTINCTwebhook!!", "whsec_Zq7DISTINCTw"]  # not base64; short
MARK = "Zq7DISTINCT"


def _frames(tb: Any) -> list[Any]:
    found = []
    while tb is not None:
        found.append(tb.tb_frame)
        tb = tb.tb_next
    return found


def _reports(exc_info: tuple[Any, BaseException, Any], settings: Any) -> dict[str, str]:
    """What the reporters people run record of an error: Python's traceback with locals,
    Django's report (its 500 page with DEBUG, the admins' mail without) and Sentry's frame
    variables (sentry_sdk's own serializer, before any scrubbing)."""
    import traceback

    from django.views.debug import ExceptionReporter
    from sentry_sdk.serializer import serialize

    found = {
        "capture_locals": "".join(
            traceback.TracebackException(*exc_info, capture_locals=True).format()
        ),
        "sentry": repr([serialize(dict(f.f_locals), is_vars=True) for f in _frames(exc_info[2])]),
    }
    for debug in (True, False):
        settings.DEBUG = debug
        reporter = ExceptionReporter(None, *exc_info, is_email=not debug)
        found[f"django DEBUG={debug} html"] = reporter.get_traceback_html()
        found[f"django DEBUG={debug} text"] = reporter.get_traceback_text()
    return found


# The callers below stand for an app's code: they pass the value straight in, so that no frame of
# theirs holds it and the reports show only what the package's own frames hold.
VALUES = {"key": BAD_KEY, "ok": SECRET} | {
    f"webhook {i}": v for i, v in enumerate(BAD_WEBHOOK_SECRETS)
}


def _flask(where: str, **names: str) -> Any:
    """LiveblocksAuth(app, option=value) (``where="option"``) or from ``app.config``."""
    from flask import Flask

    from liveblocks_auth_flask import LiveblocksAuth

    app = Flask("t")
    if where == "option":
        return LiveblocksAuth(app, **{option: VALUES[name] for option, name in names.items()})
    app.config.update({f"LIVEBLOCKS_{k.upper()}": VALUES[name] for k, name in names.items()})
    return LiveblocksAuth(app)


def _starlette(**names: str) -> Any:
    from liveblocks_auth_starlette import LiveblocksAuth

    return LiveblocksAuth(**{option: VALUES[name] for option, name in names.items()})


def _django(settings: Any, **names: str) -> Any:
    from liveblocks_auth_django import clients

    settings.LIVEBLOCKS = {"SECRET_KEY": SECRET} | {k: VALUES[n] for k, n in names.items()}
    return clients.get_webhook_endpoint() if "WEBHOOK_SECRET" in names else clients.get_client()


def _cases() -> dict[str, Any]:
    from liveblocks_auth import (
        AsyncLiveblocks,
        Liveblocks,
        WebhookHandler,
        secret_from_setting,
        validate_secret,
    )
    from liveblocks_auth.webhooks import webhook_handler_from_setting

    cases: dict[str, Any] = {
        "Liveblocks": lambda env, s: Liveblocks(VALUES["key"]),
        "AsyncLiveblocks": lambda env, s: AsyncLiveblocks(VALUES["key"]),
        "Liveblocks from $LIVEBLOCKS_SECRET_KEY": lambda env, s: (
            env.setenv("LIVEBLOCKS_SECRET_KEY", VALUES["key"]),
            Liveblocks(),
        ),
        "validate_secret": lambda env, s: validate_secret(VALUES["key"]),
        "secret_from_setting": lambda env, s: secret_from_setting(VALUES["key"], "SECRET"),
        "flask option": lambda env, s: _flask("option", secret_key="key"),
        "flask config": lambda env, s: _flask("config", secret_key="key"),
        "starlette": lambda env, s: _starlette(secret="key"),
        "django": lambda env, s: _django(s, SECRET_KEY="key"),
    }
    for i in range(len(BAD_WEBHOOK_SECRETS)):
        bad = f"webhook {i}"
        cases |= {
            f"WebhookHandler {i}": lambda env, s, bad=bad: WebhookHandler(VALUES[bad]),
            f"webhook_handler_from_setting {i}": lambda env, s, bad=bad: (
                webhook_handler_from_setting(VALUES[bad], "WEBHOOK_SECRET")
            ),
            f"flask webhook option {i}": lambda env, s, bad=bad: _flask(
                "option", secret_key="ok", webhook_secret=bad
            ),
            f"flask webhook config {i}": lambda env, s, bad=bad: _flask(
                "config", secret_key="ok", webhook_secret=bad
            ),
            f"starlette webhook {i}": lambda env, s, bad=bad: _starlette(
                secret="ok", webhook_secret=bad
            ),
            f"django webhook {i}": lambda env, s, bad=bad: _django(s, WEBHOOK_SECRET=bad),
        }
    return cases


@pytest.mark.parametrize("case", sorted(_cases()))
def test_a_malformed_secret_is_refused_and_no_error_report_holds_it(
    case: str, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", SECRET)
    monkeypatch.delenv("LIVEBLOCKS_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ValueError) as raised:
        _cases()[case](monkeypatch, settings)
    message = str(raised.value)
    assert "SECRET" in message.upper()  # the setting is named...
    assert MARK not in message  # ...never the value
    for frame in _frames(raised.tb):  # no local in the clear (an object's repr is checked below)
        for name, value in frame.f_locals.items():
            assert not (isinstance(value, str) and MARK in value), f"{frame.f_code.co_name}.{name}"
    reports = _reports((raised.type, raised.value, raised.tb), settings)
    assert "_frames" not in reports["capture_locals"]  # (a real report of this error)
    assert raised.type.__name__ in reports["django DEBUG=False text"]
    for reporter, text in reports.items():
        assert MARK not in text, reporter


def test_a_half_made_client_has_a_repr() -> None:
    from liveblocks_auth import AsyncLiveblocks, Liveblocks

    # Reporters repr every local, `self` of a constructor that raised included.
    for cls in (Liveblocks, AsyncLiveblocks):
        assert repr(cls.__new__(cls)) == f"{cls.__name__}(base_url=None, secret=None)"


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("path", ["/api/liveblocks-auth", "/api/liveblocks-webhook"])
def test_django_answers_500_on_a_malformed_secret_and_logs_the_fix_once(
    settings: Any, caplog: pytest.LogCaptureFixture, kind: str, path: str
) -> None:
    from django.test import AsyncClient, Client

    settings.DEBUG = True  # the technical 500 page would be sent to the anonymous caller
    settings.LIVEBLOCKS = {
        "SECRET_KEY": BAD_KEY,
        "WEBHOOK_SECRET": BAD_WEBHOOK_SECRETS[0],
        "ASYNC": kind == "async",
    }
    from django.urls import clear_url_caches

    clear_url_caches()
    answers = []
    for _ in range(3):  # anonymous posts
        if kind == "async":
            import asyncio

            response = asyncio.run(AsyncClient().post(path, {}, content_type="application/json"))
        else:
            response = Client().post(path, {}, content_type="application/json")
        answers.append((response.status_code, response.content))
    assert answers == [(500, answers[0][1])] * 3
    assert b"misconfigured" in answers[0][1]
    assert MARK.encode() not in answers[0][1]
    logged = [r for r in caplog.records if r.name == "liveblocks_auth"]
    assert len(logged) == 1  # once per process, not per request
    (record,) = logged
    assert record.exc_info is None  # one line, no traceback
    message = record.getMessage()
    assert "LIVEBLOCKS['SECRET_KEY']" in message or "LIVEBLOCKS['WEBHOOK_SECRET']" in message
    assert MARK not in message


def test_a_key_read_from_a_secret_file_works_in_every_adapter(make: AdapterFactory) -> None:
    """The finding's trigger: a key ending in a newline (Kubernetes, Docker secrets)."""
    fake = FakeLiveblocks(secret=SECRET)
    adapter = make(transport=fake, secret=SECRET + "\n")
    assert adapter.post(user=ALICE).status == 200
    assert len(fake.calls) == 1


def test_the_decisions_logger_at_debug_never_shows_a_token_or_the_key(
    make: AdapterFactory, fake: FakeLiveblocks, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    fake.fail_next(Fault(status=403, body=b'{"error":"Forbidden"}'))
    adapter = make(transport=fake)
    with caplog.at_level(logging.DEBUG, logger="liveblocks_auth"):
        caplog.set_level(logging.DEBUG, logger="liveblocks_auth.decisions")
        answers = [adapter.post(user=ALICE) for _ in range(3)]  # 403 from upstream, then tokens
        answers.append(adapter.post(b'{"room": "globex-plans"}', user=ALICE))  # refused here
        answers.append(adapter.post())  # nobody logged in
    assert [a.status for a in answers] == [403, 200, 200, 403, 401]
    tokens = [a.json()["token"] for a in answers if a.status == 200]
    decisions = [r for r in caplog.records if r.name == "liveblocks_auth.decisions"]
    assert len(decisions) == len(answers)  # one line per answer, each checked below
    logged = everything_logged(caplog)
    for secret in (SECRET, *tokens, *(token.split(".")[1] for token in tokens)):
        assert secret not in logged
