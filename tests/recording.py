"""A recording server for the request-shape differentials: it records each request (method,
target, content type, body; a binary body as hex) and answers what ``answer(method, path)``
gives, so that our client and the pinned ``@liveblocks/node`` can be compared call by call."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from liveblocks_auth._service import serving

#: ``(method, path without query) -> (status, content type, body)``.
Answer = Callable[[str, str], tuple[int, str, bytes]]
Seen = list[tuple[str, str, str | None, Any]]


@contextmanager
def recording(answer: Answer) -> Iterator[tuple[str, Seen]]:
    """``(base URL, the requests seen)`` of a server answering with ``answer``."""
    seen: Seen = []

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            kind = self.headers.get("Content-Type")
            binary = kind is not None and not kind.startswith("application/json")
            body: Any = raw.hex() if binary else (json.loads(raw) if raw else None)
            seen.append((self.command, self.path, kind, body))
            status, content_type, content = answer(self.command, self.path.split("?")[0])
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if status != 204:
                self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if status != 204:
                self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _record

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with serving(server):
        yield f"http://127.0.0.1:{server.server_address[1]}", seen


def differential(
    script: str,
    recorder: tuple[str, Seen],
    ours: Callable[[Any], Any],
    *,
    args: tuple[str, ...] = (),
    same: Callable[[Seen], Seen] = list,
) -> tuple[Seen, Any, Any]:
    """Run ``script`` (a Node file of tests/realstack making calls with the pinned
    ``@liveblocks/node`` against the recorder, printing its parsed answers as one JSON line),
    then ``ours(client)`` with our client against the same recorder; asserts both made the same
    requests (as ``same`` presents them: it may blank out random ids or sort concurrent ones).
    Returns ``(the requests, Node's parsed answers, ours)``."""
    import subprocess

    from liveblocks_auth import Liveblocks
    from tests.conftest import NODE_MODULES

    base_url, seen = recorder
    done = subprocess.run(
        ["node", str(NODE_MODULES.parent / script), "--base-url", base_url, *args],
        cwd=NODE_MODULES.parent, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    theirs = same(list(seen))
    seen.clear()
    with Liveblocks("sk_localdev", base_url=base_url) as client:
        answers = ours(client)
    assert same(seen) == theirs
    return theirs, json.loads(done.stdout.strip().splitlines()[-1]), answers


def recorder_fixture(answer: Answer) -> Any:
    """A ``recorder`` fixture (``(base URL, requests seen)``) answering with ``answer``: put
    ``recorder = recorder_fixture(...)`` in a test module."""
    import pytest

    @pytest.fixture
    def recorder() -> Iterator[tuple[str, Seen]]:
        with recording(answer) as found:
            yield found

    return recorder


def async_client_agrees(
    recorder: tuple[str, Seen], ours: Callable[[Any], Any], same: Callable[[Seen], Seen] = list
) -> None:
    """Run ``ours`` with the sync client, then with ``AsyncLiveblocks`` seen through a blocking
    shim (each coroutine awaited, each async iterator drained, on one event loop in a thread):
    the same answers and the same requests."""
    import asyncio
    import threading

    from liveblocks_auth import AsyncLiveblocks, Liveblocks

    base_url, seen = recorder
    with Liveblocks("sk_localdev", base_url=base_url) as client:
        expected = ours(client)
    sync_seen = same(list(seen))
    seen.clear()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def run(coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(30)

    async def drain(iterator: Any) -> list[Any]:
        return [item async for item in iterator]

    class Blocking:
        def __init__(self, client: AsyncLiveblocks) -> None:
            self.client = client

        def __getattr__(self, name: str) -> Any:
            method = getattr(self.client, name)

            def call(*args: Any, **kwargs: Any) -> Any:
                result = method(*args, **kwargs)
                if asyncio.iscoroutine(result):
                    return run(result)
                if hasattr(result, "__anext__"):
                    return iter(run(drain(result)))
                return result

            return call

    async def make() -> AsyncLiveblocks:
        return AsyncLiveblocks("sk_localdev", base_url=base_url)

    client = run(make())
    try:
        assert ours(Blocking(client)) == expected
    finally:
        run(client.aclose())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
    assert same(seen) == sync_seen


def refused_before_sending(fake: Any, call: Callable[[Any], Any], message: str) -> None:
    """``call(client)`` on the fake raises ValueError matching ``message``, nothing sent."""
    import pytest

    from liveblocks_auth import Liveblocks
    from tests.core.harness import SECRET

    with Liveblocks(SECRET, transport=fake) as client, pytest.raises(ValueError, match=message):
        call(client)
    assert fake.calls == []


def never_sent_twice(fake: Any, call: Callable[[Any], Any]) -> None:
    """``call(client)`` on the fake, its first answer a 503: it raises ``LiveblocksError``
    after one request (a call that is not idempotent is never retried)."""
    import pytest

    from liveblocks_auth import Liveblocks, LiveblocksError, RetryPolicy
    from liveblocks_auth.testing import Fault
    from tests.core.harness import SECRET

    policy = RetryPolicy(max_attempts=3, backoff_initial=0.001, backoff_max=0.001)
    before = len(fake.calls)
    fake.fail_next(Fault.server_error(), times=1)
    with (
        Liveblocks(SECRET, transport=fake, retry=policy) as client,
        pytest.raises(LiveblocksError) as refused,
    ):
        call(client)
    assert refused.value.status == 503
    assert len(fake.calls) == before + 1
