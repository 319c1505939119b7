from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from liveblocks_auth.testing import DevServer, FakeLiveblocks

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "tests" / "realstack" / "node_modules"
SECRET = "sk_localdev"


@pytest.fixture(autouse=True)
def no_webhook_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests configure webhook secrets themselves; a developer's shell must not change them."""
    monkeypatch.delenv("LIVEBLOCKS_WEBHOOK_SECRET", raising=False)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def dev_server() -> Iterator[DevServer]:
    """The official Liveblocks dev server, installed by ./run setup (never skipped)."""
    with DevServer(NODE_MODULES) as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Any]:
    """A real redis-server on a free loopback port (tests/redis_server.py), never skipped."""
    from tests.redis_server import RedisServer

    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: Any) -> str:
    """The shared Redis, emptied for this test."""
    redis_server.flush()
    return redis_server.url  # type: ignore[no-any-return]


@pytest.fixture
def otel() -> Iterator[Any]:
    """``(span exporter, metric reader)``: what OpenTelemetry recorded during the test."""
    from tests.otel import recording

    yield from recording()


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger, httpx and httpcore included, captured at DEBUG."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "liveblocks_auth"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.fixture
def fake() -> FakeLiveblocks:
    from tests.core.harness import SECRET

    return FakeLiveblocks(secret=SECRET)


@pytest.fixture(params=["sync", "async"])
def make_client(request: pytest.FixtureRequest, fake: FakeLiveblocks) -> Iterator[Any]:
    """``make_client(**kwargs)`` -> Harness over a sync or async client using ``fake``."""
    from tests.core.harness import make_harness

    loop = asyncio.new_event_loop() if request.param == "async" else None
    made: list[Any] = []

    def factory(**kwargs: Any) -> Any:
        kwargs.setdefault("transport", fake)
        harness = make_harness(request.param, loop, **kwargs)
        made.append(harness)
        return harness

    yield factory
    for harness in made:
        harness.close()
    if loop is not None:
        loop.close()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff sleeps are recorded instead of waited."""
    recorded: list[float] = []

    async def async_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr("liveblocks_auth.client._sleep", recorded.append)
    monkeypatch.setattr("liveblocks_auth.client._async_sleep", async_sleep)
    return recorded


@pytest.fixture(scope="session")
def demo_rooms(dev_server: DevServer) -> list[str]:
    """The demo rooms (liveblocks_auth.testing.demo) on the dev server."""
    from liveblocks_auth import Liveblocks
    from liveblocks_auth.testing.demo import seed_rooms

    with Liveblocks(dev_server.secret, base_url=dev_server.base_url) as client:
        return seed_rooms(client)
