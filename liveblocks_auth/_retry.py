"""The retry loop, written once as a generator of effects that the sync and async clients run.

``call_with_retries`` yields ``Send`` (perform one HTTP attempt, send back an ``ApiResult``) and
``Sleep`` (wait, send back None) and returns the final ``ApiResult``. It never touches the
network or the clock's sleep itself, so it is tested without either.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass

import httpx

from ._protocol import ApiRequest, ApiResult
from .config import MAX_UPSTREAM_BODY, RetryPolicy

RETRY_STATUSES = frozenset({429, 502, 503, 504})

Clock = Callable[[], float]


class DeadlineExceeded(Exception):
    """The overall deadline passed while an answer was still arriving."""


@dataclass(frozen=True, slots=True)
class Send:
    request: ApiRequest
    timeout: httpx.Timeout
    deadline: float


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


Effect = Send | Sleep
RetryFlow = Generator[Effect, "ApiResult | None", ApiResult]


def timeout_within(timeout: httpx.Timeout, remaining: float) -> httpx.Timeout:
    """``timeout`` with every phase capped to the time left before the deadline (``timeout``
    itself when no phase needs capping)."""
    remaining = max(remaining, 0.001)
    phases = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    if all(value is not None and value <= remaining for value in phases):
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
    if result.error is not None:
        # An exhausted pool means we are overloaded: retrying would pile requests up. Errors
        # that are not transport errors are bugs somewhere, not transient: no retry either.
        return isinstance(result.error, httpx.TransportError) and not isinstance(
            result.error, httpx.PoolTimeout
        )
    return result.status in RETRY_STATUSES


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


def parse_retry_after(value: str | None, now: float | None = None) -> int | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0, int(seconds + 0.999))


class BodyCollector:
    """Collects an answer's body up to ``MAX_UPSTREAM_BODY``, stopping at the deadline.

    A slow-dripping server cannot hold a request past the overall deadline: each chunk is
    checked against it, and too large a body is cut (and then refused as no token).
    """

    def __init__(self, send: Send, clock: Clock = time.monotonic) -> None:
        self._send = send
        self._clock = clock
        self._chunks = bytearray()
        self.truncated = False

    def feed(self, chunk: bytes) -> bool:
        """Add a chunk; True means stop reading."""
        if self._clock() > self._send.deadline:
            raise DeadlineExceeded(f"no complete answer within {self._send.request.path} deadline")
        self._chunks += chunk
        if len(self._chunks) > MAX_UPSTREAM_BODY:
            del self._chunks[MAX_UPSTREAM_BODY:]
            self.truncated = True
            return True
        return False

    def result(self, status: int, headers: Mapping[str, str]) -> ApiResult:
        retry_after = parse_retry_after(headers.get("retry-after")) if status >= 400 else None
        return ApiResult(
            self._send.request,
            status=status,
            headers=dict(headers),
            body=bytes(self._chunks),
            truncated=self.truncated,
            retry_after=retry_after,
        )

    def failure(self, error: BaseException) -> ApiResult:
        return ApiResult(self._send.request, error=error)
