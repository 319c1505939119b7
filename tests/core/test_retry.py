"""The pure pieces of the retry loop."""

from __future__ import annotations

import email.utils
import random

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from liveblocks_auth import RetryPolicy
from liveblocks_auth._protocol import ApiRequest, ApiResult, identify_user_request
from liveblocks_auth._retry import Send, Sleep, call_with_retries, parse_retry_after, timeout_within

REQUEST = identify_user_request("a")  # idempotent: a second token is harmless


def run(flow, answers: list[ApiResult], clock: list[float]):
    """Drive a flow by hand: answers for Send, a fake clock advanced by Sleep."""
    effects: list[object] = []
    result = None
    try:
        effect = next(flow)
        while True:
            effects.append(effect)
            if isinstance(effect, Sleep):
                clock[0] += effect.seconds
                effect = flow.send(None)
            else:
                effect = flow.send(answers.pop(0))
    except StopIteration as stop:
        result = stop.value
    return effects, result


def status(code: int, retry_after: int | None = None) -> ApiResult:
    return ApiResult(REQUEST, status=code, retry_after=retry_after)


def test_the_flow_stops_at_max_attempts() -> None:
    clock = [0.0]
    policy = RetryPolicy(max_attempts=3, seed=1)
    flow = call_with_retries(
        REQUEST, policy, httpx.Timeout(5.0), random.Random(1), lambda: clock[0]
    )
    effects, result = run(flow, [status(503)] * 5, clock)
    assert [type(e).__name__ for e in effects] == ["Send", "Sleep", "Send", "Sleep", "Send"]
    assert result.status == 503


def test_the_per_attempt_timeout_shrinks_to_the_remaining_deadline() -> None:
    clock = [0.0]
    policy = RetryPolicy(max_attempts=5, deadline=3.0)
    flow = call_with_retries(
        REQUEST, policy, httpx.Timeout(5.0), random.Random(0), lambda: clock[0]
    )
    first = next(flow)
    assert isinstance(first, Send)
    assert first.timeout.read == 3.0
    assert first.deadline == 3.0
    clock[0] = 2.5
    flow.send(status(429, retry_after=0))
    second = flow.send(None)
    assert isinstance(second, Send)
    assert second.timeout.read == pytest.approx(0.5)


@given(st.integers(min_value=1, max_value=30))
def test_backoff_ceiling_grows_then_caps(n: int) -> None:
    policy = RetryPolicy(backoff_initial=0.1, backoff_max=1.0)
    assert 0 < policy.backoff_ceiling(n) <= 1.0
    assert policy.backoff_ceiling(n) >= policy.backoff_ceiling(max(1, n - 1))


def test_timeout_within_caps_every_phase() -> None:
    capped = timeout_within(httpx.Timeout(5.0, connect=2.0, pool=None), 1.0)
    assert (capped.connect, capped.read, capped.write, capped.pool) == (1.0, 1.0, 1.0, 1.0)


def test_timeout_within_keeps_a_timeout_that_fits() -> None:
    timeout = httpx.Timeout(5.0, connect=2.0)
    assert timeout_within(timeout, 8.0) is timeout  # nothing to cap: no new object per call
    partly = timeout_within(timeout, 3.0)
    assert (partly.connect, partly.read, partly.write, partly.pool) == (2.0, 3.0, 3.0, 3.0)
    unbounded = timeout_within(httpx.Timeout(None), 8.0)
    assert (unbounded.connect, unbounded.read) == (8.0, 8.0)


def test_retry_after_forms() -> None:
    assert parse_retry_after("7") == 7
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert parse_retry_after(date, now=1_000_000) == 30


CREATE = ApiRequest("POST", "/v2/rooms", {"id": "r"})


@pytest.mark.parametrize(
    ("request_", "outcome", "retried"),
    [
        (REQUEST, httpx.ReadTimeout("read"), True),  # identify-user: idempotent
        (REQUEST, httpx.RemoteProtocolError("dropped"), True),
        (CREATE, httpx.ReadTimeout("read"), False),  # may have been created: never twice
        (CREATE, httpx.RemoteProtocolError("dropped"), False),
        (CREATE, httpx.ReadError("reset"), False),
        (CREATE, httpx.ConnectError("refused"), True),  # nothing was sent
        (CREATE, httpx.ConnectTimeout("slow"), True),
        (CREATE, 503, False),
        (CREATE, 429, True),  # rate limited: not processed
        (REQUEST, 503, True),
        (ApiRequest("GET", "/v2/rooms/r"), 502, True),
        (ApiRequest("DELETE", "/v2/rooms/r"), httpx.ReadTimeout("read"), True),
        (ApiRequest("POST", "/v2/rooms/r", {}, idempotent=True), 504, True),
        (REQUEST, httpx.PoolTimeout("busy"), False),  # overloaded: no pile-up
        (REQUEST, RuntimeError("a bug"), False),
    ],
)
def test_only_what_cannot_have_been_processed_or_is_idempotent_is_retried(
    request_: ApiRequest, outcome: int | Exception, retried: bool
) -> None:
    from liveblocks_auth._retry import is_retryable

    if isinstance(outcome, int):
        result = ApiResult(request_, status=outcome)
    else:
        result = ApiResult(request_, error=outcome)
    assert is_retryable(result) is retried


@pytest.mark.parametrize("value", ["²", "٣", "-1", "1.5", "soon", "9" * 30, "Mon, 99 Foo 2020"])
def test_a_malformed_retry_after_is_none(value: str) -> None:
    assert parse_retry_after(value) is None
