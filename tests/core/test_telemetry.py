"""OpenTelemetry: a span and a duration per call to Liveblocks on every wire, sync and async, and
a span and a count per answer of the endpoints, read back through the SDK's in-memory exporter
and reader."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import StatusCode

from liveblocks_auth import AsyncLiveblocks, AuthEndpoint, Liveblocks, LiveblocksUser, telemetry
from liveblocks_auth.testing import FakeLiveblocks
from liveblocks_auth.transports import ENV_TRANSPORT
from tests.core.harness import SECRET
from tests.otel import answers_counted, client_spans, endpoint_spans, points
from tests.reliability.hostile import TOKEN, HostileServer, Peer, answer, serve_each
from tests.wires import wire_kinds


def call(mode: str, base_url: str, method: str, *args: Any, **kwargs: Any) -> Any:
    if mode == "sync":
        with Liveblocks(SECRET, base_url=base_url) as client:
            return getattr(client, method)(*args, **kwargs)

    async def main() -> Any:
        async with AsyncLiveblocks(SECRET, base_url=base_url) as client:
            return await getattr(client, method)(*args, **kwargs)

    return asyncio.run(main())


def no_secret_or_token(span: ReadableSpan) -> None:
    text = json.dumps(dict(span.attributes or {})) + span.name
    assert SECRET not in text
    assert "a.b.c" not in text
    assert "Bearer" not in text


KINDS = wire_kinds()


@pytest.mark.parametrize(("mode", "wire"), KINDS, ids=[f"{w}-{m}" for m, w in KINDS])
def test_each_call_on_each_wire_is_one_client_span_and_one_duration(
    mode: str, wire: str, otel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    spans, reader = otel
    monkeypatch.setenv(ENV_TRANSPORT, wire)
    with HostileServer(serve_each(answer())) as upstream:
        assert call(mode, upstream.url, "identify_user", "alice").status == 200
    [span] = client_spans(spans)
    assert span.name == "POST /v2/identify-user"
    assert dict(span.attributes or {}) == {
        "http.request.method": "POST",
        "url.template": "/v2/identify-user",
        "server.address": "127.0.0.1",
        "server.port": upstream.port,
        "url.scheme": "http",
        "liveblocks_auth.wire": wire,
        "http.response.status_code": 200,
    }
    assert span.status.status_code == StatusCode.UNSET
    no_secret_or_token(span)
    [point] = points(reader, "http.client.request.duration")
    assert point.count == 1
    assert point.attributes["url.template"] == "/v2/identify-user"
    assert point.attributes["liveblocks_auth.wire"] == wire
    assert 0 < point.sum < 5


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_retries_errors_and_routes_without_ids(mode: str, otel: Any) -> None:
    spans, _ = otel
    answers = iter([answer(b"{}", b"503 Service Unavailable"), answer(b'{"id": "my room"}')])

    def script(peer: Peer) -> None:
        while peer.read_request() is not None:
            peer.send(next(answers, answer(b"{}", b"404 Not Found")))

    with HostileServer(script) as upstream:
        assert call(mode, upstream.url, "get_room", "my room").id == "my room"  # on the retry
        assert call(mode, upstream.url, "identify_user", "alice").status == 404
    first, second = client_spans(spans)
    # The room's id is out of the route: every room is one kind of call.
    assert first.name == "GET /v2/rooms/{room_id}"
    assert first.attributes["url.template"] == "/v2/rooms/{room_id}"  # type: ignore[index]
    assert first.attributes["http.request.resend_count"] == 1  # type: ignore[index]
    assert "my room" not in json.dumps(dict(first.attributes or {}))
    assert second.attributes["http.response.status_code"] == 404  # type: ignore[index]
    assert second.attributes["error.type"] == "404"  # type: ignore[index]
    assert second.status.status_code == StatusCode.ERROR


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_unreachable_liveblocks_is_an_error_span(mode: str, otel: Any) -> None:
    from liveblocks_auth.testing.devserver import free_port

    spans, reader = otel
    answer_ = call(mode, f"http://127.0.0.1:{free_port()}", "identify_user", "alice")
    assert answer_.status == 503
    [span] = client_spans(spans)
    assert span.attributes["error.type"] == "ConnectError"  # type: ignore[index]
    assert "http.response.status_code" not in (span.attributes or {})
    assert span.status.status_code == StatusCode.ERROR
    [point] = points(reader, "http.client.request.duration")
    assert point.attributes["error.type"] == "ConnectError"


def test_route_templates_keep_the_kind_of_call() -> None:
    route = telemetry.route_template
    assert route("/v2/identify-user") == "/v2/identify-user"
    assert route("/v2/rooms") == "/v2/rooms"
    assert route("/v2/rooms/a%2Fb/storage") == "/v2/rooms/{room_id}/storage"
    assert route("/v2/rooms/r/threads/t/comments/c") == (
        "/v2/rooms/{room_id}/threads/{thread_id}/comments/{comment_id}"
    )
    assert route("/v2/users/u/inbox-notifications/n?x=1") == (
        "/v2/users/{user_id}/inbox-notifications/{inbox_notification_id}"
    )
    assert route("/v2/inbox-notifications/trigger") == "/v2/inbox-notifications/trigger"
    # Uploads: neither file names nor upload ids nor part numbers make routes.
    attachments = "/v2/rooms/r/attachments/at_1"
    assert route(f"{attachments}/upload/report%20(1).pdf?fileSize=3") == (
        "/v2/rooms/{room_id}/attachments/{attachment_id}/upload/{name}"
    )
    assert route(f"{attachments}/multipart/up_1/12") == (
        "/v2/rooms/{room_id}/attachments/{attachment_id}/multipart/{upload_id}/{part_number}"
    )
    assert route(f"{attachments}/multipart/up_1/complete") == (
        "/v2/rooms/{room_id}/attachments/{attachment_id}/multipart/{upload_id}/complete"
    )


# --- the endpoints --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_endpoint_answer_is_a_span_around_its_call_and_counted(mode: str, otel: Any) -> None:
    from liveblocks_auth import AuthRequest

    spans, reader = otel
    fake = FakeLiveblocks(secret=SECRET)
    endpoint = AuthEndpoint(lambda request: LiveblocksUser("alice") if request else None)
    body = b'{"room": "r"}'
    headers = {"Content-Type": "application/json"}

    def handle(context: Any) -> Any:
        request = AuthRequest("POST", headers, body, context=context)
        if mode == "sync":
            with Liveblocks(SECRET, transport=fake) as client:
                return endpoint.handle(request, client)

        async def main() -> Any:
            async with AsyncLiveblocks(SECRET, transport=fake) as client:
                return await endpoint.handle_async(request, client)

        return asyncio.run(main())

    assert handle("logged in").status == 200
    assert handle(None).status == 401
    issued, refused = endpoint_spans(spans, "auth")
    assert issued.attributes == {
        "liveblocks_auth.endpoint": "auth",
        "http.response.status_code": 200,
        "liveblocks_auth.reason": "token_issued",
    }
    assert refused.attributes["liveblocks_auth.reason"] == "unauthorized"  # type: ignore[index]
    [upstream] = client_spans(spans)
    assert upstream.parent is not None
    assert upstream.parent.span_id == issued.context.span_id  # the call is inside the answer
    assert answers_counted(reader) == {
        ("auth", 200, "token_issued"): 1,
        ("auth", 401, "unauthorized"): 1,
    }


def test_without_opentelemetry_nothing_is_recorded(
    otel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    spans, reader = otel
    monkeypatch.setattr(telemetry, "ENABLED", False)
    fake = FakeLiveblocks(secret=SECRET)
    with Liveblocks(SECRET, transport=fake) as client:
        assert client.identify_user("alice").status == 200
    flow = iter([])
    assert telemetry.answered("auth", flow) is flow  # type: ignore[arg-type]
    assert spans.get_finished_spans() == ()
    assert points(reader, "http.client.request.duration") == []


def test_the_token_body_is_the_fixture_token() -> None:
    assert json.loads(TOKEN)["token"] == "a.b.c"  # what no_secret_or_token looks for


def test_with_the_api_but_no_sdk_set_up_nothing_is_done() -> None:
    """FastAPI brings opentelemetry-api along: without an SDK, the calls skip it all."""
    import subprocess
    import sys

    script = (
        "from liveblocks_auth import telemetry\n"
        "from liveblocks_auth._protocol import ApiRequest\n"
        "assert telemetry.ENABLED\n"
        "server = telemetry.Server('http://127.0.0.1:1')\n"
        "assert type(telemetry.start_call(ApiRequest('GET', '/v2/rooms'), server, 'httpx'))"
        ".__name__ == 'NoRecord'\n"
        "flow = iter([])\n"
        "assert telemetry.answered('auth', flow) is flow\n"
        "from opentelemetry import trace\n"
        "from opentelemetry.sdk.trace import TracerProvider\n"
        "trace.set_tracer_provider(TracerProvider())\n"
        "assert type(telemetry.start_call(ApiRequest('GET', '/v2/rooms'), server, 'httpx'))"
        ".__name__ == 'CallRecord'\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_the_docs_console_set_up_prints_our_spans(tmp_path: Any) -> None:
    """docs/observability.md's SDK block, run as pasted in a fresh process (one provider per
    process), then one call on the fake: the span reaches the exporter."""
    import subprocess
    import sys

    from tests.readme import DOCS, readme_block

    code = readme_block("otel-console", DOCS / "observability.md")
    script = tmp_path / "app.py"
    script.write_text(
        code
        + "\nfrom liveblocks_auth import Liveblocks\n"
        + "from liveblocks_auth.testing import FakeLiveblocks\n"
        + f"with Liveblocks({SECRET!r}, transport=FakeLiveblocks(secret={SECRET!r})) as c:\n"
        + "    assert c.identify_user('alice').status == 200\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["name"] == "POST /v2/identify-user"
    assert printed["attributes"]["liveblocks_auth.wire"] == "httpx"
