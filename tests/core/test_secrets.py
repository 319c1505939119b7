"""The secret key never leaves through a response, a log record, an exception or a repr."""

from __future__ import annotations

import pickle
from typing import Any

import httpx
import pytest

from liveblocks_auth import AuthEndpoint, LiveblocksUser, RetryPolicy, Secret, validate_secret
from liveblocks_auth.testing import FakeLiveblocks, Fault
from tests.core.harness import SECRET
from tests.core.test_endpoint import Server, request
from tests.wires import available_wires


class ExplodingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Fails inside the upstream call, quoting the request's headers in its message."""

    def __init__(self) -> None:
        self.calls = 0

    def _explode(self, req: httpx.Request) -> httpx.Response:
        self.calls += 1
        raise RuntimeError(f"boom: {req.headers.get('authorization')}\nsecond line")

    def handle_request(self, req: httpx.Request) -> httpx.Response:
        return self._explode(req)

    async def handle_async_request(self, req: httpx.Request) -> httpx.Response:
        return self._explode(req)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_an_exception_inside_the_upstream_call_leaks_nothing(kind: str, debug_logs) -> None:
    transport = ExplodingTransport()
    server = Server(kind, FakeLiveblocks(secret=SECRET), transport)
    try:
        response = server(AuthEndpoint(lambda ctx: LiveblocksUser("alice")), request())
    finally:
        server.close()
    assert response.status == 503
    assert transport.calls == 1  # not a transport error: not retried
    assert SECRET not in response.body.decode()
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in debug_logs.records
    )
    assert "boom: Bearer sk_***" in logged  # the failure is reported...
    assert SECRET not in logged  # ...without the key


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_debug_logs_of_httpx_and_httpcore_never_contain_the_secret(
    kind: str, debug_logs, sleeps: list[float]
) -> None:
    fake = FakeLiveblocks(secret=SECRET)
    fake.fail_next(Fault(status=403, body=b'{"error":"Forbidden"}', headers={"X-LB-Warn": "w"}))
    fake.fail_next(Fault.connection_refused())
    server = Server(kind, fake)
    try:
        endpoint = AuthEndpoint(lambda ctx: LiveblocksUser("alice"))
        statuses = [server(endpoint, request()).status for _ in range(3)]
    finally:
        server.close()
    assert statuses == [403, 200, 200]
    assert debug_logs.records  # the test saw logging at all
    for record in debug_logs.records:
        assert SECRET not in record.getMessage()
        assert SECRET not in repr(record.args)


@pytest.mark.parametrize(
    ("transport", "wire", "loggers"),
    [
        case
        for case in [
            ("curl", "CurlWire", {"liveblocks_auth"}),
            ("httpx", "HttpcoreWire", {"liveblocks_auth", "httpcore"}),
        ]
        if case[0] in available_wires()
    ],
)
def test_real_socket_debug_logs_never_contain_the_secret(
    transport: str, wire: str, loggers: set[str], debug_logs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liveblocks_auth import Liveblocks
    from liveblocks_auth.transports import ENV_TRANSPORT
    from tests.core.harness import scripted_server, send_json

    monkeypatch.setenv(ENV_TRANSPORT, transport)

    def handler(h: Any) -> None:
        send_json(h, 200, b'{"token":"a.b.c"}')

    with scripted_server(handler) as upstream, Liveblocks(SECRET, base_url=upstream.url) as c:
        assert type(c._wire).__name__ == wire  # the wire this case is about
        assert c.identify_user("a").status == 200
        assert upstream.requests[0][2]["Authorization"] == f"Bearer {SECRET}"
    names = {r.name.split(".")[0] for r in debug_logs.records}
    assert loggers <= names
    assert all(SECRET not in r.getMessage() for r in debug_logs.records)


def test_secret_value_is_redacted_everywhere() -> None:
    secret = validate_secret(SECRET)
    assert SECRET not in repr(secret)
    assert SECRET not in str(secret)
    assert SECRET not in f"{secret}"
    assert secret.reveal() == SECRET
    assert secret == Secret(SECRET)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(secret)


def test_client_errors_do_not_show_the_secret() -> None:
    from liveblocks_auth import Liveblocks

    with pytest.raises(ValueError) as info:
        Liveblocks("sk_has spaces_" + "x" * 20)
    assert "x" * 20 not in str(info.value)
    assert "secret" in str(info.value)


def test_retry_policy_validation_names_the_field() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="deadline"):
        RetryPolicy(deadline=0)
