"""Liveblocks / AsyncLiveblocks against the fake and a real loopback server (both kinds)."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from typing import Any

import httpx
import pytest

from liveblocks_auth import AsyncLiveblocks, Liveblocks, RetryPolicy
from liveblocks_auth._protocol import ApiRequest
from liveblocks_auth.testing import FakeLiveblocks, Fault, decode_token
from tests.core.harness import SECRET, dripping, scripted_server, send_json
from tests.wires import CLASSES, default_wire

IDENTIFY = "/v2/identify-user"
AUTHORIZE = "/v2/authorize-user"


def token_claims(body: str) -> dict[str, Any]:
    return decode_token(json.loads(body)["token"])


# --- identify_user ---------------------------------------------------------------------------


def test_identify_user_returns_a_token_for_the_identity(make_client, fake: FakeLiveblocks) -> None:
    lb = make_client()
    answer = lb.run(
        lb.client.identify_user(
            "alice",
            group_ids=["editors"],
            organization_id="acme",
            user_info={"name": "Alice"},
        )
    )
    assert answer.status == 200
    claims = token_claims(answer.body)
    assert claims["k"] == "id"
    assert claims["uid"] == "alice"
    assert claims["gids"] == ["editors"]
    assert claims["ui"] == {"name": "Alice"}
    assert claims["oid"] == "acme"
    [call] = fake.calls
    assert call.authorization == f"Bearer {SECRET}"
    assert call.json == {
        "userId": "alice",
        "groupIds": ["editors"],
        "userInfo": {"name": "Alice"},
        "organizationId": "acme",
    }


def test_absent_optional_fields_are_omitted_not_null(make_client, fake: FakeLiveblocks) -> None:
    lb = make_client()
    assert lb.run(lb.client.identify_user("bob")).status == 200
    assert fake.calls[0].json == {"userId": "bob"}


def test_tenant_id_is_sent_as_organization_id(make_client, fake: FakeLiveblocks) -> None:
    lb = make_client()
    assert lb.run(lb.client.identify_user("bob", tenant_id="globex")).status == 200
    assert fake.calls[0].json == {"userId": "bob", "organizationId": "globex"}


def test_every_call_yields_a_fresh_token(make_client) -> None:
    lb = make_client()
    tokens = {json.loads(lb.run(lb.client.identify_user("a")).body)["token"] for _ in range(5)}
    assert len(tokens) == 5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"user_id": ""}, "user_id must be a non-empty string"),
        ({"user_id": 42}, "user_id must be a non-empty string"),
        ({"user_id": "u" * 129}, "at most 128"),
        ({"user_id": "a", "group_ids": "editors"}, "group_ids must be a list"),
        ({"user_id": "a", "group_ids": ["ok", 3]}, "group_ids must hold non-empty strings"),
        ({"user_id": "a", "user_info": ["x"]}, "user_info must be a JSON object"),
        ({"user_id": "a", "user_info": {"bio": "x" * 1100}}, "at most 1024"),
        ({"user_id": "a", "user_info": {"f": object()}}, "JSON-serializable"),
        ({"user_id": "a", "user_info": {"score": float("nan")}}, "JSON-serializable"),
        ({"user_id": "a", "organization_id": "x", "tenant_id": "y"}, "not both"),
    ],
)
def test_programmer_errors_raise_before_any_call(
    make_client, fake: FakeLiveblocks, kwargs: dict[str, Any], message: str
) -> None:
    lb = make_client()
    kwargs = dict(kwargs)
    user_id = kwargs.pop("user_id")
    with pytest.raises(ValueError, match=message):
        lb.run(lb.client.identify_user(user_id, **kwargs))
    assert fake.calls == []


def test_user_info_of_exactly_1024_characters_is_accepted(make_client) -> None:
    info = {"n": "x" * (1024 - len('{"n":""}'))}
    assert len(json.dumps(info, separators=(",", ":"))) == 1024
    lb = make_client()
    assert lb.run(lb.client.identify_user("a", user_info=info)).status == 200


# --- status contract -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_pass_through_after_exactly_one_call(
    make_client, fake: FakeLiveblocks, sleeps: list[float], status: int
) -> None:
    fake.fail_next(Fault(status=status, body=b'{"error":"nope"}'))
    lb = make_client()
    answer = lb.run(lb.client.identify_user("a"))
    assert (answer.status, answer.body) == (status, '{"error":"nope"}')
    assert len(fake.calls) == 1
    assert sleeps == []


def test_wrong_secret_is_403_and_missing_secret_401_from_the_fake(make_client) -> None:
    lb = make_client(transport=FakeLiveblocks(secret="sk_other"))
    assert lb.run(lb.client.identify_user("a")).status == 403


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_become_503_after_the_configured_attempts(
    make_client, fake: FakeLiveblocks, sleeps: list[float], status: int
) -> None:
    fake.fail_next(Fault.server_error(status), times=10)
    lb = make_client(retry=RetryPolicy(max_attempts=4))
    answer = lb.run(lb.client.identify_user("a"))
    assert answer.status == 503
    # 500 is not retried (not a transient gateway error); 502/503/504 are.
    assert len(fake.calls) == (1 if status == 500 else 4)


def test_503_503_200_succeeds_on_the_third_attempt_with_jittered_backoff(
    make_client, fake: FakeLiveblocks, sleeps: list[float]
) -> None:
    fake.fail_next(Fault.server_error(503), times=2)
    policy = RetryPolicy(max_attempts=3, backoff_initial=0.1, backoff_max=1.0, seed=7)
    lb = make_client(retry=policy)
    answer = lb.run(lb.client.identify_user("a"))
    assert answer.status == 200
    assert len(fake.calls) == 3
    expected_rng = random.Random(7)
    assert sleeps == [expected_rng.uniform(0, 0.1), expected_rng.uniform(0, 0.2)]
    assert all(0 <= s <= policy.backoff_ceiling(i + 1) for i, s in enumerate(sleeps))


def test_connection_refused_is_retried_then_503_with_dev_server_hint(
    make_client, fake: FakeLiveblocks, sleeps: list[float]
) -> None:
    fake.fail_next(Fault.connection_refused(), times=5)
    lb = make_client(base_url="http://127.0.0.1:1153")
    answer = lb.run(lb.client.identify_user("a"))
    assert answer.status == 503
    assert "dev server" in answer.body
    assert "Is it running?" in answer.body
    assert len(fake.calls) == 3


def test_connection_refused_against_the_cloud_names_the_url(
    make_client, fake: FakeLiveblocks, sleeps: list[float]
) -> None:
    fake.fail_next(Fault.connection_refused(), times=5)
    lb = make_client()
    answer = lb.run(lb.client.identify_user("a"))
    assert answer.status == 503
    assert "https://api.liveblocks.io/v2/identify-user" in answer.body
    assert "dev server" not in answer.body


def test_retry_after_is_honoured_when_it_fits_the_deadline(
    make_client, fake: FakeLiveblocks, sleeps: list[float]
) -> None:
    fake.fail_next(Fault.rate_limited(retry_after=1))
    lb = make_client()
    answer = lb.run(lb.client.identify_user("a"))
    assert answer.status == 200
    assert sleeps == [1.0]
    assert len(fake.calls) == 2


def test_retry_after_beyond_the_deadline_answers_503_at_once(
    make_client, fake: FakeLiveblocks, sleeps: list[float]
) -> None:
    fake.fail_next(Fault.rate_limited(retry_after=3600), times=3)
    lb = make_client()
    answer = lb.run(lb.client.identify_user("a"))
    assert answer.status == 503
    assert answer.retry_after == 3600
    assert sleeps == []
    assert len(fake.calls) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"<html>",
        b'{"nope": 1}',
        b'{"token": 5}',
        b'{"token": "not-a-jwt"}',
        b"[]",
        b'{"token": "a.b.\xff"}',  # not UTF-8: never relayed with replacement characters
    ],
)
def test_a_2xx_without_a_token_becomes_502(make_client, fake: FakeLiveblocks, body: bytes) -> None:
    fake.fail_next(Fault.garbage(200, body))
    lb = make_client()
    answer = lb.run(lb.client.identify_user("a"))
    assert answer.status == 502
    assert body.decode(errors="replace") not in answer.body


def test_an_oversized_2xx_body_is_cut_and_refused(make_client, fake: FakeLiveblocks) -> None:
    huge = b'{"token": "a.b.c", "pad": "' + b"x" * 70_000 + b'"}'
    fake.fail_next(Fault(status=200, body=huge))
    lb = make_client()
    answer = lb.run(lb.client.identify_user("a"))
    assert answer.status == 502


def test_redirects_are_not_followed(make_client, fake: FakeLiveblocks) -> None:
    fake.fail_next(Fault(status=307, body=b"", headers={"Location": "https://evil.example/x"}))
    lb = make_client()
    answer = lb.run(lb.client.identify_user("a"))
    assert answer.status == 307
    assert [c.path for c in fake.calls] == [IDENTIFY]


def test_upstream_cookies_are_never_sent_back(make_client, fake: FakeLiveblocks) -> None:
    fake.fail_next(Fault(status=400, body=b"{}", headers={"Set-Cookie": "session=victim; Path=/"}))
    lb = make_client()
    lb.run(lb.client.identify_user("a"))
    lb.run(lb.client.identify_user("b"))
    assert "cookie" not in fake.calls[1].headers


def test_x_lb_warn_is_logged(make_client, fake: FakeLiveblocks, caplog) -> None:
    fake.fail_next(Fault(status=200, body=b'{"token":"a.b.c"}', headers={"X-LB-Warn": "old API"}))
    lb = make_client()
    with caplog.at_level(logging.WARNING, logger="liveblocks_auth"):
        lb.run(lb.client.identify_user("a"))
    assert any("old API" in r.getMessage() for r in caplog.records)


# --- access tokens ---------------------------------------------------------------------------


def test_prepare_session_authorizes_an_access_token(make_client, fake: FakeLiveblocks) -> None:
    lb = make_client()
    session = lb.client.prepare_session("alice", user_info={"name": "A"}, organization_id="acme")
    session.allow("acme-roadmap", ["room:write"]).allow("acme-*", ["room:read"])
    answer = lb.run(session.authorize())
    assert answer.status == 200
    claims = token_claims(answer.body)
    assert claims["k"] == "acc"
    assert claims["perms"] == {"acme-roadmap": ["room:write"], "acme-*": ["room:read"]}
    assert fake.calls[0].json["organizationId"] == "acme"


def test_a_session_is_used_once(make_client) -> None:
    lb = make_client()
    session = lb.client.prepare_session("alice").allow("r", ["room:read"])
    assert lb.run(session.authorize()).status == 200
    with pytest.raises(RuntimeError, match="used once"):
        lb.run(session.authorize())
    with pytest.raises(RuntimeError, match="already authorized"):
        session.allow("s", ["room:read"])


@pytest.mark.parametrize(
    ("pattern", "scopes", "message"),
    [
        ("a*b", ["room:read"], "invalid room name or pattern"),
        ("**", ["room:read"], "invalid room name or pattern"),
        ("", ["room:read"], "invalid room name or pattern"),
        ("r" * 129, ["room:read"], "invalid room name or pattern"),
        (5, ["room:read"], "must be a string"),
        ("room", [], "cannot be empty"),
        ("room", ["room:admin"], "unknown permission scope 'room:admin'"),
        ("room", "room:read", "must be a list"),
        ("room", ["comments:write"], "has no base scope"),
        ("room", ["room:read", "*:write"], "several base scopes"),
    ],
)
def test_allow_validates_like_the_node_sdk(
    make_client, pattern: Any, scopes: Any, message: str
) -> None:
    lb = make_client()
    with pytest.raises(ValueError, match=message):
        lb.client.prepare_session("a").allow(pattern, scopes)


def test_allow_accepts_the_pattern_forms_of_the_node_sdk(make_client) -> None:
    session = make_client().client.prepare_session("a")
    for pattern in ("*", "r" * 128, "r" * 128 + "*", "org-*", "x"):
        session.allow(pattern, ["*:read"])
    assert len(session.permissions) == 5


def test_at_most_ten_patterns_per_token(make_client) -> None:
    session = make_client().client.prepare_session("a")
    for i in range(10):
        session.allow(f"room-{i}", ["room:read"])
    session.allow("room-0", ["comments:write"])  # an existing pattern can still grow
    assert session.permissions["room-0"] == ["room:read", "comments:write"]
    with pytest.raises(ValueError, match="several base scopes"):
        session.allow("room-0", ["room:write"])
    with pytest.raises(ValueError, match="at most 10"):
        session.allow("room-10", ["room:read"])


# --- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [Liveblocks, AsyncLiveblocks])
@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("pk_live_abcdef", "secret keys start with 'sk_'"),
        ("sk_live abc", "contains characters"),
        ('sk_live_abc"', "contains characters"),  # copied with a quote
        ("", r"secret is not set, and neither is \$LIVEBLOCKS_SECRET_KEY"),
        (" \n", r"secret is not set, and neither is \$LIVEBLOCKS_SECRET_KEY"),
    ],
)
def test_bad_secret_fails_at_construction_without_echoing_it(
    cls: type, secret: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LIVEBLOCKS_SECRET_KEY", raising=False)
    with pytest.raises(ValueError, match=message) as info:
        cls(secret)
    if secret.strip():
        assert secret.strip() not in str(info.value)


@pytest.mark.parametrize("padded", ["sk_live_abc\n", "  sk_live_abc\r\n", "\tsk_live_abc "])
def test_whitespace_around_a_key_is_stripped(padded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key read from a secret file (Kubernetes, Docker) ends in a newline: it is the key."""
    from liveblocks_auth.testing import FakeLiveblocks

    fake = FakeLiveblocks(secret="sk_live_abc")
    with Liveblocks(padded, transport=fake) as client:
        assert client.identify_user("alice").status == 200  # the fake checks the header
    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", padded)
    with Liveblocks(transport=fake) as client:
        assert client.identify_user("alice").status == 200
    assert len(fake.calls) == 2


def test_secret_and_base_url_default_to_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", "sk_from_env")
    monkeypatch.setenv("LIVEBLOCKS_BASE_URL", "http://127.0.0.1:1153/")
    with Liveblocks() as client:
        assert client.base_url == "http://127.0.0.1:1153"
        assert client._secret.reveal() == "sk_from_env"


def test_missing_secret_names_the_environment_variable(monkeypatch) -> None:
    monkeypatch.delenv("LIVEBLOCKS_SECRET_KEY", raising=False)
    with pytest.raises(ValueError, match=r"LIVEBLOCKS_SECRET_KEY"):
        Liveblocks()


def test_base_url_defaults_to_the_cloud(monkeypatch) -> None:
    monkeypatch.delenv("LIVEBLOCKS_BASE_URL", raising=False)
    with Liveblocks(SECRET) as client:
        assert client.base_url == "https://api.liveblocks.io"


def test_bad_base_url_names_the_setting(monkeypatch) -> None:
    with pytest.raises(ValueError, match="base_url must be an http"):
        Liveblocks(SECRET, base_url="api.liveblocks.io")
    monkeypatch.setenv("LIVEBLOCKS_BASE_URL", "ftp://x")
    with pytest.raises(ValueError, match=r"\$LIVEBLOCKS_BASE_URL"):
        Liveblocks(SECRET)


def test_repr_hides_the_secret() -> None:
    with Liveblocks(SECRET) as client:
        assert SECRET not in repr(client)
        assert "sk_***" in repr(client)


# --- pooling, deadline, event loops (real loopback server) ------------------------------------


def _token_handler(handler: Any) -> None:
    send_json(handler, 200, b'{"token":"a.b.c"}')


def test_sync_client_reuses_one_connection() -> None:
    with scripted_server(_token_handler) as server, Liveblocks(SECRET, base_url=server.url) as c:
        for _ in range(20):
            assert c.identify_user("a").status == 200
    assert len(server.requests) == 20
    assert server.connections == 1


@pytest.mark.anyio
async def test_async_client_reuses_one_connection() -> None:
    with scripted_server(_token_handler) as server:
        async with AsyncLiveblocks(SECRET, base_url=server.url) as client:
            for _ in range(20):
                assert (await client.identify_user("a")).status == 200
    assert len(server.requests) == 20
    assert server.connections == 1


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_dripping_server_is_cut_at_the_overall_deadline(kind: str) -> None:
    policy = RetryPolicy(max_attempts=3, deadline=1.5)
    with scripted_server(dripping()) as server:
        started = time.monotonic()
        if kind == "sync":
            with Liveblocks(SECRET, base_url=server.url, retry=policy) as client:
                answer = client.identify_user("a")
        else:
            import asyncio

            async def go() -> Any:
                async with AsyncLiveblocks(SECRET, base_url=server.url, retry=policy) as client:
                    return await client.identify_user("a")

            answer = asyncio.run(go())
        elapsed = time.monotonic() - started
    assert answer.status == 503
    # Cut at the deadline: not before it (the drip never stops), and not much after it (room
    # for a loaded machine).
    assert policy.deadline - 0.1 <= elapsed < policy.deadline + 1.0
    assert len(server.requests) == 1  # a missed deadline is not retried


def test_async_client_refuses_a_second_event_loop() -> None:
    import asyncio

    client = AsyncLiveblocks(SECRET, transport=FakeLiveblocks(secret=SECRET))
    assert asyncio.run(client.identify_user("a")).status == 200
    with pytest.raises(RuntimeError, match="another event loop"):
        asyncio.run(client.identify_user("a"))


def test_an_injected_http_client_is_used_and_not_closed() -> None:
    fake = FakeLiveblocks(secret=SECRET)
    http = httpx.Client(transport=fake)
    with Liveblocks(SECRET, http_client=http) as client:
        assert client.identify_user("a").status == 200
    assert not http.is_closed
    assert len(fake.calls) == 1
    http.close()


def test_an_injected_http_client_applies_its_own_headers_and_hooks() -> None:
    fake = FakeLiveblocks(secret=SECRET)
    seen: list[str] = []
    http = httpx.Client(
        transport=fake,
        headers={"X-Egress-Tag": "billing"},
        event_hooks={"request": [lambda r: seen.append(r.url.path)]},
    )
    with Liveblocks(SECRET, http_client=http) as client:
        assert client.identify_user("a").status == 200
    assert seen == [IDENTIFY]
    assert fake.calls[0].headers["x-egress-tag"] == "billing"
    http.close()


def test_requests_carry_our_user_agent_on_the_wire() -> None:
    from liveblocks_auth import __version__

    answer = b'{"token":"a.b.c"}'
    with (
        scripted_server(lambda h: send_json(h, 200, answer)) as upstream,
        Liveblocks(SECRET, base_url=upstream.url) as client,
    ):
        assert client.identify_user("a").status == 200
    headers = upstream.requests[0][2]
    assert headers["User-Agent"] == f"liveblocks-auth-python/{__version__}"
    assert headers["Content-Type"] == "application/json"
    assert json.loads(headers["Content-Length"]) > 0


@pytest.mark.parametrize("variable", ["NO_PROXY", "no_proxy"])
@pytest.mark.parametrize("cls", [Liveblocks, AsyncLiveblocks])
def test_no_proxy_alone_keeps_the_default_wire(
    cls: type, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_PROXY without a proxy (as container images often set it) names no proxy: the clients
    keep their default wire, whose deadline holds on every phase (issue 34)."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    monkeypatch.delenv("LIVEBLOCKS_AUTH_TRANSPORT", raising=False)
    monkeypatch.setenv(variable, "localhost,127.0.0.1")
    client = cls(SECRET, base_url="http://127.0.0.1:9")
    mode = "async" if cls is AsyncLiveblocks else "sync"
    assert type(client._wire).__name__ == CLASSES[(mode, default_wire(mode == "async"))]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_proxy_from_the_environment_is_used(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Our wires do not read proxy settings: with one in the environment, httpx's transports are
    # used, and route the calls through it (a loopback base URL: plain http elsewhere is refused).
    with scripted_server(lambda h: send_json(h, 200, b'{"token":"a.b.c"}')) as proxy:
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        base = "http://127.0.0.2:9"
        if kind == "sync":
            with Liveblocks(SECRET, base_url=base) as client:
                status = client.identify_user("a").status
        else:

            async def go() -> int:
                async with AsyncLiveblocks(SECRET, base_url=base) as client:
                    return (await client.identify_user("a")).status

            status = asyncio.run(go())
    assert status == 200
    assert [(m, p) for m, p, _ in proxy.requests] == [("POST", base + IDENTIFY)]


def test_the_package_version_is_the_distributions() -> None:
    import tomllib
    from importlib.metadata import version
    from pathlib import Path

    from liveblocks_auth import __version__

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    # One place: pyproject reads it from liveblocks_auth.config.VERSION.
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "liveblocks_auth.config.VERSION"
    }
    assert version("liveblocks-auth") == __version__  # what pip installed says the same


def test_call_sends_arbitrary_requests_with_retries(make_client, fake: FakeLiveblocks) -> None:
    lb = make_client()
    result = lb.run(lb.client.call(ApiRequest("GET", "/v2/rooms", params={"limit": "5"})))
    assert result.status == 200
    assert fake.calls[0].params == {"limit": "5"}


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("http://api.liveblocks.io", False),
        ("http://10.0.0.5:1153", False),
        ("http://liveblocks.internal:1153", False),
        # Names that only start like a loopback address: DNS sends them anywhere (issue 33).
        ("http://127.attacker.example", False),
        ("http://127.0.0.1.nip.io:1153", False),
        ("http://127.liveblocks-proxy.corp.example", False),
        ("http://localhost.attacker.example", False),
        ("http://127.1:1153", False),  # not a literal address ipaddress reads: a name
        ("http://[::ffff:10.0.0.5]:1153", False),
        ("https://api.liveblocks.io", True),
        ("http://127.45.6.7:1153", True),  # the whole of 127.0.0.0/8 is loopback
        ("http://127.0.0.1:1153", True),
        ("http://localhost:1153", True),
        ("http://[::1]:1153", True),
    ],
)
def test_plain_http_is_refused_beyond_loopback(url: str, accepted: bool) -> None:
    if accepted:
        assert Liveblocks(SECRET, base_url=url).base_url == url
        if url.startswith("http:"):
            assert Liveblocks("sk_localdev", base_url=url).base_url == url
        return
    with pytest.raises(ValueError, match="travel in clear") as raised:
        Liveblocks(SECRET, base_url=url)
    assert "https://" in str(raised.value)  # the fix is named
    assert "base_url" in str(raised.value)  # and the setting
    # The dev server's key is no way around it.
    with pytest.raises(ValueError, match="travel in clear"):
        Liveblocks("sk_localdev", base_url=url)


@pytest.mark.parametrize("room_id", [".", "..", "\ud800"])
def test_room_ids_that_cannot_name_a_room_raise_before_any_call(
    make_client, fake: FakeLiveblocks, room_id: str
) -> None:
    lb = make_client()
    for call in (
        lambda: lb.client.get_room(room_id),
        lambda: lb.client.delete_room(room_id),
        lambda: lb.client.update_room(room_id, default_accesses=[]),
        lambda: lb.client.create_room(room_id, default_accesses=[]),
    ):
        with pytest.raises(ValueError, match="room_id"):
            lb.run(call())
    assert fake.calls == []


def test_other_room_ids_travel_as_one_path_segment(make_client, fake: FakeLiveblocks) -> None:
    lb = make_client()
    for room_id in ("a/../b", "...", "a?b#c", "%2e%2e"):
        lb.run(lb.client.create_room(room_id, default_accesses=[]))
        assert lb.run(lb.client.get_room(room_id)).id == room_id
    assert len(fake.calls) == 8
