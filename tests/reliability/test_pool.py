"""With the upstream hung and the connection pool exhausted, requests fail fast (503 within the
pool timeout) instead of piling up, through every adapter."""

from __future__ import annotations

import threading
from typing import Any

import httpx

from liveblocks_auth import RetryPolicy
from tests.core.harness import scripted_server
from tests.reliability import users
from tests.reliability.adapters import AdapterFactory, Call

POOL_TIMEOUT = 0.5
DEADLINE = 3.0
#: Room for a loaded CI machine (both cores busy), on top of each bound.
SLACK = 1.0


def test_an_exhausted_pool_answers_503_within_the_pool_timeout(make: AdapterFactory) -> None:
    release = threading.Event()

    def hang(handler: Any) -> None:
        release.wait(10)

    with scripted_server(hang) as upstream:
        adapter = make(
            base_url=upstream.url,
            limits=httpx.Limits(max_connections=2, max_keepalive_connections=2),
            timeout=httpx.Timeout(DEADLINE, pool=POOL_TIMEOUT),
            retry=RetryPolicy(max_attempts=3, deadline=DEADLINE),
        )
        calls = [Call(user=users.header(f"user{i}", org="acme")) for i in range(10)]
        answers = adapter.many(calls, workers=10)
        release.set()
    assert [a.status for a in answers] == [503] * 10
    # Two requests hold the two connections until the deadline; the eight others get no
    # connection and fail after the pool timeout, without retrying (no piling up).
    assert len(upstream.requests) == 2
    ordered = sorted(answers, key=lambda a: a.elapsed)
    starved, held = ordered[:8], ordered[8:]
    for answer in starved:  # each within the pool timeout (and a loaded machine's slack)...
        assert POOL_TIMEOUT - 0.05 <= answer.elapsed < POOL_TIMEOUT + SLACK, answer.elapsed
    for answer in held:  # ...while the two holders waited for the deadline
        assert DEADLINE - 0.05 <= answer.elapsed < DEADLINE + SLACK, answer.elapsed
