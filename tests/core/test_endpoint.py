"""The framework-neutral auth endpoint, through its sync and its async driver."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liveblocks_auth import AsyncLiveblocks, AuthEndpoint, AuthRequest, Liveblocks, LiveblocksUser
from liveblocks_auth.endpoint import Refused, check_cross_site, parse_auth_body
from liveblocks_auth.testing import FakeLiveblocks, Fault, decode_token
from tests.core.harness import SECRET

ALICE = LiveblocksUser("alice", ["editors"], {"name": "Alice"}, "acme")
JSON = {"Content-Type": "application/json"}


def request(
    body: Any = b'{"room": "acme-roadmap"}', headers: dict[str, str] | None = None, **kw: Any
) -> AuthRequest:
    kw.setdefault("method", "POST")
    kw.setdefault("host", "app.example.com")
    return AuthRequest(headers=JSON if headers is None else headers, body=body, **kw)


class Server:
    """Calls an endpoint through one driver with a client over the fake."""

    def __init__(self, kind: str, fake: FakeLiveblocks, transport: Any = None) -> None:
        self.kind = kind
        self.fake = fake
        self.loop = asyncio.new_event_loop() if kind == "async" else None
        self.sync_client = Liveblocks(SECRET, transport=transport or fake)
        self.async_client = AsyncLiveblocks(SECRET, transport=transport or fake)

    def __call__(self, endpoint: AuthEndpoint, req: AuthRequest) -> Any:
        if self.loop is None:
            return endpoint.handle(req, self.sync_client)
        return self.loop.run_until_complete(endpoint.handle_async(req, self.async_client))

    def close(self) -> None:
        self.sync_client.close()
        if self.loop is not None:
            self.loop.run_until_complete(self.async_client.aclose())
            self.loop.close()


@pytest.fixture(params=["sync", "async"])
def serve(request: pytest.FixtureRequest, fake: FakeLiveblocks) -> Iterator[Server]:
    server = Server(request.param, fake)
    yield server
    server.close()


def endpoint(user: LiveblocksUser | None = ALICE, **kw: Any) -> AuthEndpoint:
    return AuthEndpoint(lambda ctx: user, **kw)


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error", "message"}
    assert "\n" not in body["message"]
    return body


# --- success ---------------------------------------------------------------------------------


def test_id_token_for_the_resolved_user(serve: Server, fake: FakeLiveblocks) -> None:
    response = serve(endpoint(), request())
    assert response.status == 200
    headers = dict(response.headers)
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Vary"] == "Origin, Sec-Fetch-Site"
    assert len(fake.calls) == 1
    claims = decode_token(response.json()["token"])
    assert (claims["k"], claims["uid"], claims["gids"], claims["oid"]) == (
        "id",
        "alice",
        ["editors"],
        "acme",
    )
    assert claims["ui"] == {"name": "Alice"}
    assert (response.user, response.room) == (ALICE, "acme-roadmap")


def test_success_body_is_the_upstream_body_unchanged(serve: Server, fake: FakeLiveblocks) -> None:
    upstream = b'{"token":"aaa.bbb.ccc"}'
    fake.fail_next(Fault(status=200, body=upstream))
    response = serve(endpoint(), request())
    assert response.status == 200
    assert response.body == upstream


def test_each_request_gets_a_fresh_token(serve: Server) -> None:
    ep = endpoint()
    tokens = {serve(ep, request()).json()["token"] for _ in range(4)}
    assert len(tokens) == 4


@pytest.mark.parametrize("body", [b"{}", b'{"room": null}'])
def test_no_room_is_normal(serve: Server, fake: FakeLiveblocks, body: bytes) -> None:
    response = serve(endpoint(), request(body))
    assert response.status == 200
    assert response.room is None
    assert len(fake.calls) == 1


def test_unknown_keys_are_ignored(serve: Server) -> None:
    body = b'{"room": "r", "requestedScope": "comments:read", "extra": [1, 2]}'
    assert serve(endpoint(), request(body)).status == 200


def test_identity_comes_only_from_the_resolver(serve: Server, fake: FakeLiveblocks) -> None:
    forged = {
        "room": "acme-roadmap",
        "userId": "mallory",
        "groupIds": ["admins"],
        "organizationId": "evil",
        "userInfo": {"name": "Mallory"},
    }
    response = serve(endpoint(), request(json.dumps(forged).encode()))
    assert response.status == 200
    assert fake.calls[0].json == {
        "userId": "alice",
        "groupIds": ["editors"],
        "userInfo": {"name": "Alice"},
        "organizationId": "acme",
    }


def test_a_user_without_groups_sends_no_group_ids(serve: Server, fake: FakeLiveblocks) -> None:
    assert serve(endpoint(LiveblocksUser("carol")), request()).status == 200
    assert fake.calls[0].json == {"userId": "carol"}


def test_access_token_mode_uses_the_permissions_hook(serve: Server, fake: FakeLiveblocks) -> None:
    seen: list[tuple[Any, Any]] = []

    def permissions(user: LiveblocksUser, room: str | None) -> dict[str, list[str]]:
        seen.append((user.id, room))
        return {room or "acme-*": ["room:write"]}

    ep = endpoint(token_mode="access", permissions=permissions)
    response = serve(ep, request())
    assert response.status == 200
    claims = decode_token(response.json()["token"])
    assert claims["k"] == "acc"
    assert claims["perms"] == {"acme-roadmap": ["room:write"]}
    assert seen == [("alice", "acme-roadmap")]
    assert fake.calls[0].path == "/v2/authorize-user"


def test_access_mode_with_no_permissions_for_a_room_is_403_without_upstream(
    serve: Server, fake: FakeLiveblocks
) -> None:
    for nothing in ({}, None):
        ep = endpoint(token_mode="access", permissions=lambda user, room, n=nothing: n)
        response = serve(ep, request())
        assert response.status == 403
        assert error_of(response)["message"] == "no permissions for this room"
    assert fake.calls == []


@pytest.mark.parametrize("body", [b"{}", b'{"room": null}'])
def test_access_mode_without_a_room_issues_a_token_with_no_permissions(
    serve: Server, fake: FakeLiveblocks, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    # The client's calls outside a room (inbox notifications) post no room: @liveblocks/node
    # issues a token without room permissions for them, and so do we.
    seen: list[Any] = []
    ep = endpoint(token_mode="access", permissions=lambda user, room: seen.append(room))
    response = serve(ep, request(body))
    assert response.status == 200
    claims = decode_token(response.json()["token"])
    assert (claims["k"], claims["uid"], claims["perms"]) == ("acc", "alice", {})
    assert seen == [None]
    assert [call.json["permissions"] for call in fake.calls] == [{}]
    assert "without any permission" not in caplog.text  # expected here, not a mistake


def test_access_mode_needs_a_permissions_hook() -> None:
    with pytest.raises(ValueError, match="needs a permissions hook"):
        endpoint(token_mode="access")


# --- refusals before any upstream call -------------------------------------------------------


def test_not_logged_in_is_401(serve: Server, fake: FakeLiveblocks) -> None:
    response = serve(endpoint(None), request())
    assert response.status == 401
    assert error_of(response)["error"] == "unauthorized"
    assert fake.calls == []


def test_room_policy_refusal_is_403(serve: Server, fake: FakeLiveblocks) -> None:
    seen: list[Any] = []

    def policy(user: LiveblocksUser, room: str | None) -> bool:
        seen.append((user.id, room))
        return bool(room and room.startswith(f"{user.organization_id}-"))

    ep = endpoint(room_policy=policy)
    refused = serve(ep, request(b'{"room": "globex-plans"}'))
    assert refused.status == 403
    assert error_of(refused)["error"] == "forbidden"
    assert fake.calls == []
    assert serve(ep, request()).status == 200
    assert seen == [("alice", "globex-plans"), ("alice", "acme-roadmap")]


def test_non_post_is_405_with_allow(serve: Server, fake: FakeLiveblocks) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = serve(endpoint(), request(method=method))
        assert response.status == 405
        assert ("Allow", "OPTIONS, POST") in response.headers
    # OPTIONS that is not a CORS preflight says what is allowed.
    response = serve(endpoint(), request(method="OPTIONS"))
    assert (response.status, response.body) == (204, b"")
    assert ("Allow", "OPTIONS, POST") in response.headers
    assert fake.calls == []


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_non_json_is_415(serve: Server, fake: FakeLiveblocks, content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = serve(endpoint(), request(headers=headers))
    assert response.status == 415
    assert fake.calls == []


def test_json_with_charset_is_accepted(serve: Server) -> None:
    headers = {"content-type": "Application/JSON; charset=utf-8"}
    assert serve(endpoint(), request(headers=headers)).status == 200


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{", "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[]", "must be a JSON object"),
        (b'"room"', "must be a JSON object"),
        (b"42", "must be a JSON object"),
        (b"null", "must be a JSON object"),
        (b'{"room": 5}', "room must be a string"),
        (b'{"room": ["a"]}', "room must be a string"),
        (b'{"room": ""}', "must not be empty"),
        (json.dumps({"room": "r" * 129}).encode(), "longer than 128"),
        (b'{"room": "acme-*"}', "must not contain '*'"),
        (b'{"room": "*"}', "must not contain '*'"),
        # A nesting bomb under the cap: past the interpreter's recursion limit (3.11, 3.12) it
        # is not valid JSON to the parser; 3.13's parser reads it, and it is no JSON object.
        (
            b"[" * 4000 + b"]" * 4000,
            "not valid JSON" if sys.version_info < (3, 13) else "must be a JSON object",
        ),
    ],
)
def test_bad_bodies_are_400_with_a_reason(
    serve: Server, fake: FakeLiveblocks, body: bytes, reason: str
) -> None:
    response = serve(endpoint(), request(body))
    assert response.status == 400
    assert reason in error_of(response)["message"]
    assert fake.calls == []


def test_a_128_character_room_is_accepted(serve: Server) -> None:
    assert serve(endpoint(), request(json.dumps({"room": "r" * 128}).encode())).status == 200


def test_body_over_the_cap_by_content_length_is_413(serve: Server, fake: FakeLiveblocks) -> None:
    headers = {**JSON, "Content-Length": "9000"}
    response = serve(endpoint(), request(b"{}", headers=headers))
    assert response.status == 413
    assert fake.calls == []


def test_body_over_the_cap_without_content_length_is_413_while_reading(
    serve: Server, fake: FakeLiveblocks
) -> None:
    consumed: list[int] = []

    def chunks() -> Iterator[bytes]:
        for i in range(1000):
            consumed.append(i)
            yield b" " * 1024

    response = serve(endpoint(), request(chunks()))
    assert response.status == 413
    assert len(consumed) <= 9  # stopped reading right after 8 KiB
    assert fake.calls == []


def test_async_body_streams_are_counted_too(fake: FakeLiveblocks) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b" " * 1024

    async def go() -> Any:
        async with AsyncLiveblocks(SECRET, transport=fake) as client:
            return await endpoint().handle_async(request(chunks()), client)

    assert asyncio.run(go()).status == 413


def test_a_chunked_body_within_the_cap_is_read(serve: Server) -> None:
    response = serve(endpoint(), request(iter([b'{"ro', b'om": "acme-', b'roadmap"}'])))
    assert response.status == 200
    assert response.room == "acme-roadmap"


def test_bad_content_length_is_400(serve: Server) -> None:
    assert serve(endpoint(), request(headers={**JSON, "Content-Length": "abc"})).status == 400


# --- cross-site protection -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Sec-Fetch-Site": "same-origin"}, 200),
        ({"Sec-Fetch-Site": "none"}, 200),
        ({"Sec-Fetch-Site": "cross-site"}, 403),
        ({"Sec-Fetch-Site": "same-site"}, 403),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403),
        ({"Origin": "https://app.example.com"}, 200),
        ({"Origin": "https://evil.example"}, 403),
        ({"Origin": "https://app.example.com.evil.example"}, 403),
        ({"Origin": "null"}, 403),
        ({}, 200),  # not a browser: nothing a browser could forge
        ({"Origin": "https://partner.example"}, 200),  # configured
        ({"Sec-Fetch-Site": "cross-site", "Origin": "https://partner.example"}, 200),
    ],
)
def test_cross_site_rules(
    serve: Server, fake: FakeLiveblocks, headers: dict[str, str], status: int
) -> None:
    ep = endpoint(allowed_origins=["https://Partner.example/"])
    response = serve(ep, request(headers={**JSON, **headers}))
    assert response.status == status
    assert len(fake.calls) == (1 if status == 200 else 0)
    assert ("Vary", "Origin, Sec-Fetch-Site") in response.headers


@pytest.mark.parametrize(
    ("headers", "asked", "status"),
    [
        ({}, 0, 200),
        ({"Sec-Fetch-Site": "same-origin", "Origin": "https://app.example.com"}, 0, 200),
        ({"Origin": "https://app.example.com"}, 1, 200),
        ({"Origin": "https://evil.example"}, 1, 403),
    ],
)
def test_a_host_function_is_asked_only_to_compare_an_origin(
    serve: Server, fake: FakeLiveblocks, headers: dict[str, str], asked: int, status: int
) -> None:
    """Adapters pass the framework's (validating, not free) host lookup as a function."""
    calls: list[str] = []

    def host() -> str:
        calls.append("host")
        return "App.example.com"

    response = serve(endpoint(), request(headers={**JSON, **headers}, host=host))
    assert (response.status, len(calls)) == (status, asked)
    assert len(fake.calls) == (1 if status == 200 else 0)


def test_allowed_origins_must_be_origins() -> None:
    with pytest.raises(ValueError, match="allowed_origins: 'app.example.com' is not an origin"):
        endpoint(allowed_origins=["app.example.com"])
    with pytest.raises(ValueError, match="not an origin"):
        endpoint(allowed_origins=["https://app.example.com/path"])


def test_cross_site_check_is_pure() -> None:
    allowed = frozenset({"https://partner.example"})
    assert check_cross_site(None, None, "h", allowed) is None
    assert check_cross_site("cross-site", None, "h", allowed) is not None
    assert check_cross_site(None, "http://h:8000", "h:8000", allowed) is None
    assert check_cross_site(None, "http://h:8000", "h", allowed) is not None


# --- upstream trouble ------------------------------------------------------------------------


def test_upstream_unavailable_is_503_with_retry_after(
    serve: Server, fake: FakeLiveblocks, sleeps: list[float]
) -> None:
    fake.fail_next(Fault.rate_limited(retry_after=3600), times=3)
    response = serve(endpoint(), request())
    assert response.status == 503
    assert ("Retry-After", "3600") in response.headers
    assert error_of(response)["error"] == "unavailable"
    assert len(fake.calls) == 1


def test_upstream_connection_refused_is_503(
    serve: Server, fake: FakeLiveblocks, sleeps: list[float]
) -> None:
    fake.fail_next(Fault.connection_refused(), times=3)
    response = serve(endpoint(), request())
    assert response.status == 503
    assert len(fake.calls) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_upstream_refusal_passes_the_status_through_without_the_body(
    serve: Server, fake: FakeLiveblocks, status: int
) -> None:
    fake.fail_next(Fault(status=status, body=b'{"secret-detail": "x"}'))
    response = serve(endpoint(), request())
    assert response.status == status
    assert b"secret-detail" not in response.body
    assert len(fake.calls) == 1


def test_upstream_2xx_without_token_is_502_and_not_echoed(
    serve: Server, fake: FakeLiveblocks
) -> None:
    fake.fail_next(Fault.garbage(200, b"<html>internal page</html>"))
    response = serve(endpoint(), request())
    assert response.status == 502
    assert b"internal page" not in response.body


def test_upstream_redirect_is_502(serve: Server, fake: FakeLiveblocks) -> None:
    fake.fail_next(Fault(status=307, body=b"", headers={"Location": "https://elsewhere/"}))
    response = serve(endpoint(), request())
    assert response.status == 502
    assert len(fake.calls) == 1


# --- hooks: sync and async, and where they run ----------------------------------------------


def test_async_hooks_work_in_both_drivers(serve: Server) -> None:
    async def resolve(ctx: Any) -> LiveblocksUser:
        await asyncio.sleep(0)
        return ALICE

    async def policy(user: LiveblocksUser, room: str | None) -> bool:
        return room == "acme-roadmap"

    ep = AuthEndpoint(resolve, room_policy=policy)
    assert serve(ep, request()).status == 200
    assert serve(ep, request(b'{"room": "other"}')).status == 403


def test_the_resolver_receives_the_context(serve: Server) -> None:
    seen: list[Any] = []
    ep = AuthEndpoint(lambda ctx: seen.append(ctx) or ALICE)
    serve(ep, request(context="framework-request"))
    assert seen == ["framework-request"]


def test_sync_hooks_never_run_on_the_event_loop_thread(fake: FakeLiveblocks) -> None:
    threads: list[int] = []

    def resolve(ctx: Any) -> LiveblocksUser:
        threads.append(threading.get_ident())
        return ALICE

    def policy(user: LiveblocksUser, room: str | None) -> bool:
        threads.append(threading.get_ident())
        return True

    async def go() -> tuple[Any, int]:
        async with AsyncLiveblocks(SECRET, transport=fake) as client:
            ep = AuthEndpoint(resolve, room_policy=policy)
            return await ep.handle_async(request(), client), threading.get_ident()

    response, loop_thread = asyncio.run(go())
    assert response.status == 200
    assert len(threads) == 2
    assert loop_thread not in threads


def test_a_custom_run_sync_is_used_for_sync_hooks(fake: FakeLiveblocks) -> None:
    used: list[str] = []

    async def run_sync(fn: Any, *args: Any) -> Any:
        used.append(fn.__name__)
        return fn(*args)

    def resolve(ctx: Any) -> LiveblocksUser:
        return ALICE

    async def go() -> Any:
        async with AsyncLiveblocks(SECRET, transport=fake) as client:
            return await AuthEndpoint(resolve).handle_async(request(), client, run_sync=run_sync)

    assert asyncio.run(go()).status == 200
    assert used == ["resolve"]


def test_a_resolver_returning_something_else_is_a_clear_error(serve: Server) -> None:
    ep = AuthEndpoint(lambda ctx: {"id": "alice"})
    with pytest.raises(TypeError, match="must return a LiveblocksUser or None"):
        serve(ep, request())


def test_resolver_exceptions_propagate_to_the_framework(serve: Server) -> None:
    def broken(ctx: Any) -> LiveblocksUser:
        raise LookupError("database down")

    with pytest.raises(LookupError, match="database down"):
        serve(AuthEndpoint(broken), request())


def test_group_ids_must_not_be_a_string() -> None:
    with pytest.raises(TypeError, match="not a string"):
        LiveblocksUser("a", group_ids="editors")  # type: ignore[arg-type]


# --- the parser never fails with anything but a 400 ------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_body_parser_on_arbitrary_bytes(raw: bytes) -> None:
    try:
        room = parse_auth_body(raw)
    except Refused as refusal:
        assert refusal.status == 400
    else:
        assert room is None or (isinstance(room, str) and 0 < len(room) <= 128 and "*" not in room)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=140),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.sampled_from(["room", "x"]), children, max_size=2)
        ),
        max_leaves=8,
    )
)
def test_body_parser_on_arbitrary_json(value: Any) -> None:
    raw = json.dumps({"room": value}).encode()
    try:
        room = parse_auth_body(raw)
    except Refused as refusal:
        assert refusal.status == 400
    else:
        assert room == value


@pytest.mark.parametrize("value", ["²", "٣", "1e3", "0x10", "-5", "+5", " 1 2"])
def test_a_content_length_of_anything_but_ascii_digits_is_400(serve: Server, value: str) -> None:
    # str.isdigit() takes '²' (int() then raises: a 500), and int() takes '٣' as 3.
    response = serve(endpoint(), request(headers={**JSON, "Content-Length": value}))
    assert (response.status, error_of(response)["message"]) == (
        400,
        "Content-Length is not a number",
    )


@pytest.mark.parametrize("mode", ["id", "access"])
def test_a_room_that_is_not_valid_text_is_400_before_any_call(
    serve: Server, fake: FakeLiveblocks, mode: str
) -> None:
    options: dict[str, Any] = {}
    if mode == "access":
        options = {"token_mode": "access", "permissions": lambda u, room: {room: ["*:write"]}}
    response = serve(endpoint(**options), request(b'{"room": "\\ud800"}'))
    assert (response.status, error_of(response)["message"]) == (
        400,
        "room is not valid Unicode text",
    )
    assert fake.calls == []
