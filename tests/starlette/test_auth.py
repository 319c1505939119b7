"""The Starlette adapter (and FastAPI usage) with Starlette's TestClient, on the fake."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
    SimpleUser,
)
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from liveblocks_auth import LiveblocksUser
from liveblocks_auth.testing import FakeLiveblocks, decode_token
from liveblocks_auth_starlette import LiveblocksAuth
from liveblocks_auth_starlette.auth import to_auth_request
from tests.contract import (
    ALLOWED_ORIGIN,
    BAD_REQUESTS,
    ORIGIN_CASES,
    ROOM,
    acme_only,
    with_own_origin,
)
from tests.core.harness import SECRET

URL = "/api/liveblocks-auth"


class HeaderBackend(AuthenticationBackend):
    """Logs in whoever the X-User header names (a SimpleUser: no `identity`)."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        name = conn.headers.get("x-user")
        return (AuthCredentials(["authenticated"]), SimpleUser(name)) if name else None


def make_app(liveblocks: LiveblocksAuth, *, auth: bool = True, **kw: Any) -> Starlette:
    middleware = [Middleware(AuthenticationMiddleware, backend=HeaderBackend())] if auth else []
    return Starlette(
        routes=[*liveblocks.routes], middleware=middleware, lifespan=liveblocks.lifespan, **kw
    )


def lb(fake: FakeLiveblocks, **options: Any) -> LiveblocksAuth:
    return LiveblocksAuth(SECRET, transport=fake, **options)


@pytest.fixture
def client(fake: FakeLiveblocks) -> Iterator[TestClient]:
    liveblocks = lb(fake, room_policy=acme_only, allowed_origins=[ALLOWED_ORIGIN])
    with TestClient(make_app(liveblocks)) as test_client:
        yield test_client


def claims(response: Any) -> dict[str, Any]:
    return decode_token(response.json()["token"])


# --- users -----------------------------------------------------------------------------------


def test_request_user_from_authentication_middleware(client: TestClient) -> None:
    response = client.post(URL, json=ROOM, headers={"X-User": "alice"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    token = claims(response)
    assert token["uid"] == "alice"  # SimpleUser has no identity: display_name
    assert token["ui"] == {"name": "alice"}


def test_anonymous_is_401(client: TestClient, fake: FakeLiveblocks) -> None:
    response = client.post(URL, json=ROOM)
    assert response.status_code == 401
    assert fake.calls == []


def test_identity_and_hooks_shape_the_user(fake: FakeLiveblocks) -> None:
    class Member(SimpleUser):
        @property
        def identity(self) -> str:
            return f"id-{self.username}"

    class Backend(AuthenticationBackend):
        async def authenticate(self, conn: HTTPConnection) -> Any:
            return AuthCredentials(["authenticated"]), Member("bob")

    async def groups(user: Member) -> list[str]:
        return ["viewers"]

    liveblocks = lb(
        fake,
        group_ids=groups,
        organization_id=lambda user: "acme",
        user_info=lambda user: {"name": user.display_name.title()},
    )
    app = Starlette(
        routes=liveblocks.routes,
        middleware=[Middleware(AuthenticationMiddleware, backend=Backend())],
        lifespan=liveblocks.lifespan,
    )
    with TestClient(app) as client:
        token = claims(client.post(URL, json=ROOM))
    assert (token["uid"], token["gids"], token["oid"]) == ("id-bob", ["viewers"], "acme")
    assert token["ui"] == {"name": "Bob"}


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_custom_resolver_replaces_the_default(fake: FakeLiveblocks, kind: str) -> None:
    def sync_resolver(request: Request) -> LiveblocksUser | None:
        name = request.headers.get("x-api-user")
        return LiveblocksUser(name) if name else None

    async def async_resolver(request: Request) -> LiveblocksUser | None:
        return sync_resolver(request)

    resolver = sync_resolver if kind == "sync" else async_resolver
    with TestClient(make_app(lb(fake, resolve_user=resolver), auth=False)) as client:
        assert (
            claims(client.post(URL, json=ROOM, headers={"X-API-User": "carol"}))["uid"] == "carol"
        )
        assert client.post(URL, json=ROOM).status_code == 401


def test_sync_hooks_never_run_on_the_event_loop(fake: FakeLiveblocks) -> None:
    threads: dict[str, int] = {}

    def resolve(request: Request) -> LiveblocksUser:
        threads["resolve"] = threading.get_ident()
        return LiveblocksUser("alice")

    def policy(user: LiveblocksUser, room: str | None) -> bool:
        threads["policy"] = threading.get_ident()
        return True

    async def where_is_the_loop(request: Request) -> PlainTextResponse:
        threads["loop"] = threading.get_ident()
        return PlainTextResponse("ok")

    liveblocks = lb(fake, resolve_user=resolve, room_policy=policy)
    app = Starlette(
        routes=[*liveblocks.routes, Route("/loop", where_is_the_loop)], lifespan=liveblocks.lifespan
    )
    with TestClient(app) as client:
        assert client.post(URL, json=ROOM).status_code == 200
        client.get("/loop")
    assert set(threads) == {"resolve", "policy", "loop"}
    assert threads["resolve"] != threads["loop"]
    assert threads["policy"] != threads["loop"]


def test_default_resolver_needs_authentication_middleware(
    fake: FakeLiveblocks, caplog: pytest.LogCaptureFixture
) -> None:
    from liveblocks_auth import Misconfigured

    Misconfigured.forget()  # another test may have reported the same fix in this process
    app = make_app(lb(fake), auth=False)
    with TestClient(app) as client:
        answers = [client.post(URL, json=ROOM) for _ in range(3)]
    assert [a.status_code for a in answers] == [500] * 3
    assert answers[0].json() == {
        "error": "misconfigured",
        "message": "Liveblocks is not configured on this server",
    }
    assert fake.calls == []
    fixes = [r for r in caplog.records if "AuthenticationMiddleware" in r.getMessage()]
    assert len(fixes) == 1  # the fix, once; not a traceback per request
    (record,) = fixes
    assert record.exc_info is None
    assert "resolve_user=" in record.getMessage()


# --- lifespan ---------------------------------------------------------------------------------


def test_the_lifespan_opens_and_closes_one_client(fake: FakeLiveblocks) -> None:
    liveblocks = lb(fake)
    app = make_app(liveblocks)
    with pytest.raises(RuntimeError, match="lifespan is not running"):
        _ = liveblocks.client
    with TestClient(app) as client:
        opened = liveblocks.client
        client.post(URL, json=ROOM, headers={"X-User": "a"})
        client.post(URL, json=ROOM, headers={"X-User": "b"})
        assert liveblocks.client is opened  # one client for the app's life
    assert opened.is_closed
    with pytest.raises(RuntimeError, match="lifespan is not running"):
        _ = liveblocks.client


def test_without_the_lifespan_the_error_names_the_fix(fake: FakeLiveblocks) -> None:
    liveblocks = lb(fake)
    app = Starlette(
        routes=liveblocks.routes,
        middleware=[Middleware(AuthenticationMiddleware, backend=HeaderBackend())],
    )
    with (
        TestClient(app) as client,
        pytest.raises(RuntimeError, match="lifespan=liveblocks.lifespan"),
    ):
        client.post(URL, json=ROOM, headers={"X-User": "a"})


def test_wrap_lifespan_composes_with_the_apps_own(fake: FakeLiveblocks) -> None:
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def mine(app: Any) -> AsyncIterator[dict[str, str]]:
        events.append("mine up")
        yield {"greeting": "hello"}
        events.append("mine down")

    liveblocks = lb(fake)

    async def greet(request: Request) -> PlainTextResponse:
        return PlainTextResponse(request.state.greeting)

    app = Starlette(
        routes=[*liveblocks.routes, Route("/greet", greet)],
        middleware=[Middleware(AuthenticationMiddleware, backend=HeaderBackend())],
        lifespan=liveblocks.wrap_lifespan(mine),
    )
    with TestClient(app) as client:
        assert client.get("/greet").text == "hello"
        assert client.post(URL, json=ROOM, headers={"X-User": "a"}).status_code == 200
    assert events == ["mine up", "mine down"]


# --- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"secret": "pk_live_x"}, "secret is not a Liveblocks secret key"),
        ({"base_url": "api.liveblocks.io"}, "base_url must be an http"),
        ({"token_mode": "access"}, "needs a permissions hook"),
        ({"allowed_origins": ["nope"]}, "not an origin"),
    ],
)
def test_configuration_errors_surface_at_construction(
    options: dict[str, Any], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    options.setdefault("secret", SECRET)
    with pytest.raises(ValueError, match=message):
        LiveblocksAuth(**options)


def test_secret_defaults_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVEBLOCKS_SECRET_KEY", raising=False)
    with pytest.raises(ValueError, match=r"\$LIVEBLOCKS_SECRET_KEY"):
        LiveblocksAuth()
    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", "sk_env_1")
    fake = FakeLiveblocks(secret="sk_env_1")  # answers 403 to any other key
    liveblocks = LiveblocksAuth(transport=fake, resolve_user=lambda request: LiveblocksUser("a"))
    app = Starlette(routes=liveblocks.routes, lifespan=liveblocks.lifespan)
    with TestClient(app) as client:
        answer = client.post("/api/liveblocks-auth", json={"room": "r"})
    assert answer.status_code == 200, answer.text
    assert [call.authorization for call in fake.calls] == ["Bearer sk_env_1"]


# --- the HTTP contract -----------------------------------------------------------------------


@pytest.mark.parametrize(("method", "content", "content_type", "status"), BAD_REQUESTS)
def test_bad_requests_are_4xx_without_upstream_call(
    client: TestClient,
    fake: FakeLiveblocks,
    method: str,
    content: Any,
    content_type: Any,
    status: int,
) -> None:
    headers = {"X-User": "alice", **({"Content-Type": content_type} if content_type else {})}
    response = client.request(method, URL, content=content, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert fake.calls == []


def test_a_chunked_body_over_the_cap_is_413(client: TestClient, fake: FakeLiveblocks) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"room": "'
        for _ in range(20):
            yield b"x" * 1024

    headers = {"X-User": "alice", "Content-Type": "application/json"}
    response = client.post(URL, content=chunks(), headers=headers)
    assert response.status_code == 413
    assert fake.calls == []


@pytest.mark.parametrize(("headers", "status"), ORIGIN_CASES)
def test_origin_rules(client: TestClient, headers: dict[str, str], status: int) -> None:
    headers = with_own_origin(headers, "http://testserver")
    response = client.post(URL, json=ROOM, headers={"X-User": "alice", **headers})
    assert response.status_code == status
    assert response.headers["vary"] == "Origin, Sec-Fetch-Site"


@pytest.mark.parametrize(
    ("headers", "server", "host"),
    [
        ([(b"host", b"App.example:8443")], ("10.0.0.1", 8000), "App.example:8443"),
        ([], ("10.0.0.1", 8000), "10.0.0.1:8000"),  # no Host (HTTP/1.0): the server's address
        ([], ("10.0.0.1", 80), "10.0.0.1"),
    ],
)
def test_the_host_an_origin_must_match(
    headers: list[tuple[bytes, bytes]], server: tuple[str, int], host: str
) -> None:
    scope = {"type": "http", "method": "POST", "scheme": "http", "path": URL, "headers": headers}
    request = Request({**scope, "query_string": b"", "server": server})
    assert to_auth_request(request).site_host() == host == request.url.netloc


@pytest.mark.parametrize(
    ("allowed", "fetch_site", "status"),
    [
        ((), None, 403),  # an older browser's Origin vs the Host the proxy rewrote
        ((), "same-origin", 200),  # a modern browser says same-origin itself
        (("https://app.example.com",), None, 200),  # the documented way out
    ],
)
def test_behind_a_proxy_that_rewrites_host(
    fake: FakeLiveblocks, allowed: tuple[str, ...], fetch_site: str | None, status: int
) -> None:
    """What the guide's "Behind a reverse proxy" says: the page is https://app.example.com,
    the proxy forwards with Host: 127.0.0.1:8000."""
    with TestClient(
        make_app(lb(fake, allowed_origins=allowed)), base_url="http://127.0.0.1:8000"
    ) as c:
        headers = {"X-User": "alice", "Origin": "https://app.example.com"}
        if fetch_site:
            headers["Sec-Fetch-Site"] = fetch_site
        assert c.post(URL, json=ROOM, headers=headers).status_code == status
    assert len(fake.calls) == (1 if status == 200 else 0)


def test_mounted_under_a_prefix(fake: FakeLiveblocks) -> None:
    liveblocks = lb(fake, path="/liveblocks-auth")
    app = Starlette(
        routes=[Mount("/api/v2", routes=liveblocks.routes)],
        middleware=[Middleware(AuthenticationMiddleware, backend=HeaderBackend())],
        lifespan=liveblocks.lifespan,
    )
    with TestClient(app) as client:
        response = client.post("/api/v2/liveblocks-auth", json=ROOM, headers={"X-User": "a"})
    assert response.status_code == 200


# --- FastAPI ---------------------------------------------------------------------------------


def test_fastapi_app_with_the_routes_and_lifespan(fake: FakeLiveblocks) -> None:
    from fastapi import FastAPI

    liveblocks = lb(fake, resolve_user=lambda request: LiveblocksUser("alice"))
    app = FastAPI(routes=liveblocks.routes, lifespan=liveblocks.lifespan)

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    with TestClient(app) as client:
        assert claims(client.post(URL, json=ROOM))["uid"] == "alice"
        assert client.get("/hello").json() == {"hello": "world"}
        assert URL not in json.dumps(client.get("/openapi.json").json())  # not in the schema


def test_fastapi_include_router(fake: FakeLiveblocks) -> None:
    from fastapi import APIRouter, FastAPI

    liveblocks = lb(fake, resolve_user=lambda request: LiveblocksUser("bob"))
    app = FastAPI(lifespan=liveblocks.lifespan)
    app.include_router(APIRouter(routes=liveblocks.routes), prefix="/v1")
    with TestClient(app) as client:
        assert claims(client.post("/v1" + URL, json=ROOM))["uid"] == "bob"
