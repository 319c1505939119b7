"""Upstream faults, through every adapter: the exact status, upstream calls and body."""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Any

import httpx
import pytest

from liveblocks_auth import RetryPolicy
from liveblocks_auth.testing import FakeLiveblocks, Fault
from liveblocks_auth.testing.devserver import free_port
from tests.core.harness import SECRET, dripping, scripted_server, send_json
from tests.reliability import users
from tests.reliability.adapters import AdapterFactory, Answer

ALICE = users.header("alice", ["editors"], "acme")
UNAVAILABLE = {"error": "unavailable", "message": "Liveblocks is unavailable; try again later"}
FAST = RetryPolicy(max_attempts=3, backoff_initial=0.01, backoff_max=0.05, deadline=3.0)


def assert_json_error(answer: Answer, status: int, error: str) -> None:
    assert answer.status == status, answer.body
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"] == error


def test_connection_refused_is_503_within_the_deadline(make: AdapterFactory) -> None:
    adapter = make(base_url=f"http://127.0.0.1:{free_port()}", retry=FAST)
    started = time.monotonic()
    answer = adapter.post(user=ALICE)
    assert time.monotonic() - started < FAST.deadline * 1.1
    assert answer.status == 503
    assert answer.json() == UNAVAILABLE


def test_a_dripping_upstream_is_cut_at_the_overall_deadline(make: AdapterFactory) -> None:
    policy = RetryPolicy(max_attempts=3, deadline=3.0)
    with scripted_server(dripping(length=10000)) as upstream:
        adapter = make(base_url=upstream.url, retry=policy)
        started = time.monotonic()
        answer = adapter.post(user=ALICE)
        elapsed = time.monotonic() - started
    assert answer.status == 503
    assert answer.json() == UNAVAILABLE
    # Cut at the deadline: not before it (the drip never stops), and not much after it (room
    # for a loaded machine).
    assert policy.deadline - 0.1 <= elapsed < policy.deadline + 1.0
    assert len(upstream.requests) == 1  # a missed deadline is not retried


def test_503_503_200_succeeds_on_the_third_attempt_within_jitter_bounds(
    make: AdapterFactory, fake: FakeLiveblocks, sleeps: list[float]
) -> None:
    fake.fail_next(Fault.server_error(503), times=2)
    policy = RetryPolicy(max_attempts=3, backoff_initial=0.2, backoff_max=1.0, seed=42)
    answer = make(transport=fake, retry=policy).post(user=ALICE)
    assert answer.status == 200
    assert len(fake.calls) == 3
    rng = random.Random(42)
    assert sleeps == [rng.uniform(0, 0.2), rng.uniform(0, 0.4)]


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_repeated_transient_errors_stop_at_the_configured_attempts(
    make: AdapterFactory, fake: FakeLiveblocks, sleeps: list[float], status: int
) -> None:
    fake.fail_next(Fault(status=status, body=b'{"error":"busy"}'), times=10)
    answer = make(transport=fake, retry=RetryPolicy(max_attempts=4)).post(user=ALICE)
    assert answer.status == 503
    assert answer.json() == UNAVAILABLE
    assert len(fake.calls) == 4


def test_repeated_read_timeouts_stop_at_the_configured_attempts(make: AdapterFactory) -> None:
    release = threading.Event()

    def hang(handler: Any) -> None:
        release.wait(5)

    policy = RetryPolicy(max_attempts=2, backoff_initial=0.01, backoff_max=0.01, deadline=5)
    with scripted_server(hang) as upstream:
        adapter = make(base_url=upstream.url, retry=policy, timeout=httpx.Timeout(0.3))
        answer = adapter.post(user=ALICE)
        release.set()
    assert answer.status == 503
    assert len(upstream.requests) == 2


def test_retry_after_1_is_honoured(
    make: AdapterFactory, fake: FakeLiveblocks, sleeps: list[float]
) -> None:
    fake.fail_next(Fault.rate_limited(retry_after=1))
    answer = make(transport=fake).post(user=ALICE)
    assert answer.status == 200
    assert sleeps == [1.0]
    assert len(fake.calls) == 2


def test_retry_after_3600_is_an_immediate_503_carrying_it(
    make: AdapterFactory, fake: FakeLiveblocks, sleeps: list[float]
) -> None:
    fake.fail_next(Fault.rate_limited(retry_after=3600), times=3)
    answer = make(transport=fake).post(user=ALICE)
    assert answer.status == 503
    assert answer.headers["retry-after"] == "3600"
    assert answer.json() == UNAVAILABLE
    assert (len(fake.calls), sleeps) == (1, [])


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (400, None),
        (401, "check LIVEBLOCKS_SECRET_KEY"),
        (403, "check LIVEBLOCKS_SECRET_KEY"),
        (404, "check LIVEBLOCKS_BASE_URL"),
        (422, "check the user id"),
    ],
)
def test_upstream_refusals_pass_through_after_one_call_and_are_logged_with_a_hint(
    make: AdapterFactory,
    fake: FakeLiveblocks,
    caplog: pytest.LogCaptureFixture,
    status: int,
    hint: str | None,
) -> None:
    fake.fail_next(Fault(status=status, body=b'{"error":"UPSTREAM_DETAIL"}'))
    with caplog.at_level(logging.ERROR, logger="liveblocks_auth"):
        answer = make(transport=fake).post(user=ALICE)
    assert_json_error(answer, status, "liveblocks_refused")
    assert b"UPSTREAM_DETAIL" not in answer.body
    assert len(fake.calls) == 1
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert f"Liveblocks answered {status}" in logged
    assert "UPSTREAM_DETAIL" in logged  # the details are for the server log
    if hint:
        assert hint in logged


@pytest.mark.parametrize(
    "body",
    [
        b"<html>not json</html>",
        b'{"nope": "INTERNAL-DETAIL"}',
        b'{"token": 12345}',
        b'{"token": "a.b.c", "pad": "' + b"INTERNAL-DETAIL" * 5000 + b'"}',
    ],
    ids=["invalid-json", "no-token", "non-string-token", "over-64-kib"],
)
def test_a_2xx_without_a_usable_token_is_502_never_echoed(
    make: AdapterFactory, fake: FakeLiveblocks, body: bytes
) -> None:
    fake.fail_next(Fault(status=200, body=body))
    answer = make(transport=fake).post(user=ALICE)
    assert_json_error(answer, 502, "bad_gateway")
    assert b"INTERNAL-DETAIL" not in answer.body
    assert b"not json" not in answer.body
    assert len(fake.calls) == 1


def test_a_redirect_to_another_host_is_not_followed(make: AdapterFactory) -> None:
    elsewhere: list[str] = []

    def other(handler: Any) -> None:
        elsewhere.append(handler.path)
        send_json(handler, 200, b'{"token":"a.b.c"}')

    with scripted_server(other) as evil:

        def redirect(handler: Any) -> None:
            handler.send_response(307)
            handler.send_header("Location", f"{evil.url}/v2/identify-user")
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        with scripted_server(redirect) as upstream:
            answer = make(base_url=upstream.url).post(user=ALICE)
    assert_json_error(answer, 502, "bad_gateway")
    assert len(upstream.requests) == 1
    assert elsewhere == []  # the secret never went to the other host


def test_upstream_cookies_never_reach_another_users_call(make: AdapterFactory) -> None:
    def set_cookie(handler: Any) -> None:
        send_json(handler, 200, b'{"token":"a.b.c"}', {"Set-Cookie": "lb=alice-secret; Path=/"})

    with scripted_server(set_cookie) as upstream:
        adapter = make(base_url=upstream.url)
        assert adapter.post(user=ALICE).status == 200
        assert adapter.post(user=users.header("bob", org="acme")).status == 200
    cookies = [headers.get("Cookie") for _, _, headers in upstream.requests]
    assert cookies == [None, None]
    assert all(h["Authorization"] == f"Bearer {SECRET}" for _, _, h in upstream.requests)
