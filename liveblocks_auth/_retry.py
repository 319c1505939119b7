"""The retry loop, written once as a generator of effects that the sync and async clients run.

``call_with_retries`` yields ``Send`` (perform one HTTP attempt, send back an ``ApiResult``) and
``Sleep`` (wait, send back None) and returns the final ``ApiResult``. It never touches the
network or the clock's sleep itself, so it is tested without either.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import cast

import httpx

from ._protocol import ApiRequest, ApiResult
from .config import RetryPolicy

#: Answers worth another attempt. 429 was not processed (rate limited): any call may retry it;
#: after a 5xx the request may have been processed, so only an idempotent call retries.
RATE_LIMITED = 429
RETRY_STATUSES = frozenset({502, 503, 504})
#: Failures that happen before any byte of the request is written.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)

Clock = Callable[[], float]


class DeadlineExceeded(Exception):
    """The overall deadline passed while an answer was still arriving."""


@dataclass(slots=True)
class Send:
    request: ApiRequest
    timeout: httpx.Timeout
    deadline: float


@dataclass(slots=True)
class Sleep:
    seconds: float


Effect = Send | Sleep
RetryFlow = Generator[Effect, "ApiResult | None", ApiResult]


def timeout_within(timeout: httpx.Timeout, remaining: float) -> httpx.Timeout:
    """``timeout`` with every phase capped to the time left before the deadline (``timeout``
    itself when no phase needs capping)."""
    remaining = max(remaining, 0.001)
    phases = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    if None not in phases and max(cast("tuple[float, ...]", phases)) <= remaining:
        return timeout

    def cap(value: float | None) -> float:
        return remaining if value is None else min(value, remaining)

    return httpx.Timeout(
        connect=cap(timeout.connect),
        read=cap(timeout.read),
        write=cap(timeout.write),
        pool=cap(timeout.pool),
    )


def is_retryable(result: ApiResult) -> bool:
    """Whether another attempt may be sent: never after any of the request may have reached
    the server, unless the call is idempotent (``ApiRequest.is_idempotent``)."""
    if result.error is not None:
        error = result.error
        # An exhausted pool means we are overloaded: retrying would pile requests up. Errors
        # that are not transport errors are bugs somewhere, not transient: no retry either.
        if not isinstance(error, httpx.TransportError) or isinstance(error, httpx.PoolTimeout):
            return False
        return isinstance(error, NOT_SENT) or result.request.is_idempotent
    if result.status == RATE_LIMITED:
        return True
    return result.status in RETRY_STATUSES and result.request.is_idempotent


def call_with_retries(
    request: ApiRequest,
    policy: RetryPolicy,
    timeout: httpx.Timeout,
    rng: random.Random,
    clock: Clock = time.monotonic,
) -> RetryFlow:
    deadline = clock() + policy.deadline
    attempt = 0
    while True:
        attempt += 1
        result = yield Send(request, timeout_within(timeout, deadline - clock()), deadline)
        assert result is not None
        result.attempts = attempt
        if not is_retryable(result) or attempt >= policy.max_attempts:
            return result
        if result.retry_after is not None:
            delay = float(result.retry_after)
        else:
            delay = rng.uniform(0.0, policy.backoff_ceiling(attempt))
        if clock() + delay >= deadline:
            # Waiting would overrun the deadline: answer now, passing Retry-After on.
            return result
        yield Sleep(delay)


_SECONDS = re.compile(r"[0-9]{1,9}")


def parse_retry_after(value: str | None, now: float | None = None) -> int | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None for a
    missing or malformed one (which is then ignored, never raised)."""
    if not value:
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or when.tzinfo is None:
        return None
    seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0, int(seconds + 0.999))
