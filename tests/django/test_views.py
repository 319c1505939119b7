"""The Django view (WSGI, sync) and async view (ASGI) on the fake."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import AsyncClient, Client
from django.urls import reverse

from liveblocks_auth.testing import FakeLiveblocks, Fault, decode_token
from liveblocks_auth_django import signals
from liveblocks_auth_django.views import auth_view, liveblocks_auth, liveblocks_auth_async
from tests.contract import ALLOWED_ORIGIN, BAD_REQUESTS, ORIGIN_CASES, acme_only, with_own_origin

URL = "/api/liveblocks-auth"
ROOM = json.dumps({"room": "acme-roadmap"})


def post(client: Client, body: str = ROOM, **extra: Any) -> Any:
    return client.post(URL, body, content_type="application/json", **extra)


def claims(response: Any) -> dict[str, Any]:
    return decode_token(response.json()["token"])


def test_the_include_mounts_the_endpoint() -> None:
    assert reverse("liveblocks_auth:auth") == URL


@pytest.mark.django_db
def test_a_logged_in_user_gets_an_id_token(
    client: Client, alice: User, fake: FakeLiveblocks
) -> None:
    client.force_login(alice)
    response = post(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert "Origin" in response["Vary"]
    token = claims(response)
    assert token["uid"] == str(alice.pk)  # default: the primary key
    assert token["gids"] == ["editors", "viewers"]  # default: the Django group names
    assert token["ui"] == {"name": "Alice Martin"}  # default: the full name
    assert len(fake.calls) == 1


@pytest.mark.django_db
def test_anonymous_is_401_without_upstream_call(client: Client, fake: FakeLiveblocks) -> None:
    response = post(client)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert fake.calls == []


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "body", "content_type", "status"), BAD_REQUESTS)
def test_bad_requests_are_4xx_without_upstream_call(
    client: Client,
    alice: User,
    configure: Any,
    fake: FakeLiveblocks,
    method: str,
    body: Any,
    content_type: str | None,
    status: int,
) -> None:
    configure(ROOM_POLICY=acme_only)
    client.force_login(alice)
    if method == "GET":
        response = client.get(URL)
        assert response["Allow"] == "OPTIONS, POST"
    else:
        response = client.post(URL, body, content_type=content_type)
    assert response.status_code == status
    assert fake.calls == []


@pytest.mark.django_db
def test_hooks_from_settings_by_dotted_path(
    client: Client, alice: User, configure: Any, fake: FakeLiveblocks
) -> None:
    configure(
        USER_ID="tests.django.hooks.username",
        ORGANIZATION_ID="tests.django.hooks.organization",
        ROOM_POLICY="tests.django.hooks.acme_only",
        USER_INFO=lambda user: {"name": user.first_name, "avatar": "a.png"},
        GROUP_IDS=lambda user: ["staff"],
    )
    client.force_login(alice)
    token = claims(post(client))
    assert (token["uid"], token["oid"], token["gids"]) == ("alice", "acme", ["staff"])
    assert token["ui"] == {"name": "Alice", "avatar": "a.png"}
    refused = post(client, json.dumps({"room": "globex-plans"}))
    assert refused.status_code == 403
    assert len(fake.calls) == 1


@pytest.mark.django_db
def test_access_token_mode(client: Client, alice: User, configure: Any) -> None:
    configure(TOKEN_MODE="access", PERMISSIONS="tests.django.hooks.write_own_room")
    client.force_login(alice)
    token = claims(post(client))
    assert token["k"] == "acc"
    assert token["perms"] == {"acme-roadmap": ["room:write"]}


@pytest.mark.django_db
def test_upstream_unavailable_is_503(
    client: Client, alice: User, fake: FakeLiveblocks, sleeps: list[float]
) -> None:
    fake.fail_next(Fault.server_error(503), times=3)
    client.force_login(alice)
    response = post(client)
    assert response.status_code == 503
    assert len(fake.calls) == 3


@pytest.mark.django_db
def test_signals_report_issued_and_denied(
    client: Client, alice: User, fake: FakeLiveblocks
) -> None:
    seen: list[tuple[str, Any, Any, int]] = []

    def on_issued(sender: Any, user: Any, room: Any, status: int, request: Any, **kw: Any) -> None:
        seen.append(("issued", user.id if user else None, room, status))

    def on_denied(sender: Any, user: Any, room: Any, status: int, request: Any, **kw: Any) -> None:
        seen.append(("denied", user.id if user else None, room, status))

    signals.token_issued.connect(on_issued)
    signals.token_denied.connect(on_denied)
    try:
        post(client)  # anonymous
        client.force_login(alice)
        post(client)
        post(client, "[]")
    finally:
        signals.token_issued.disconnect(on_issued)
        signals.token_denied.disconnect(on_denied)
    assert seen == [
        ("denied", None, "acme-roadmap", 401),
        ("issued", str(alice.pk), "acme-roadmap", 200),
        ("denied", None, None, 400),
    ]


# --- CSRF and origins ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("headers", "status"), ORIGIN_CASES)
def test_csrf_checks_on_the_official_client_works_and_cross_site_is_refused(
    alice: User, configure: Any, fake: FakeLiveblocks, headers: dict[str, str], status: int
) -> None:
    configure(ALLOWED_ORIGINS=[ALLOWED_ORIGIN])
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    meta = {
        "HTTP_" + name.upper().replace("-", "_"): value
        for name, value in with_own_origin(headers, "http://testserver").items()
    }
    response = post(client, **meta)
    assert response.status_code == status, response.content
    assert len(fake.calls) == (1 if status == 200 else 0)


@pytest.mark.django_db
def test_csrf_protection_still_guards_other_views(alice: User, fake: FakeLiveblocks) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    # The exemption is for the auth endpoints only: Django's own protection is untouched.
    assert client.post("/csrf", {"a": "b"}).status_code == 403  # no CSRF token: refused
    assert post(client).status_code == 200  # the official client sends none either
    answer = client.post("/async/liveblocks-auth", ROOM, content_type="application/json")
    assert answer.status_code == 200
    assert len(fake.calls) == 2


@pytest.mark.django_db
def test_the_own_origin_follows_x_forwarded_host(
    alice: User, settings: Any, fake: FakeLiveblocks
) -> None:
    settings.USE_X_FORWARDED_HOST = True
    client = Client()
    client.force_login(alice)
    forwarded = {"HTTP_X_FORWARDED_HOST": "proxy.example.com"}
    ok = post(client, HTTP_ORIGIN="https://proxy.example.com", **forwarded)
    assert ok.status_code == 200
    assert post(client, HTTP_ORIGIN="http://testserver", **forwarded).status_code == 403


# --- settings changes, view selection --------------------------------------------------------


@pytest.mark.django_db
def test_override_settings_rebuilds_the_client(client: Client, alice: User, settings: Any) -> None:
    first, second = FakeLiveblocks(secret="sk_first_1"), FakeLiveblocks(secret="sk_second_2")
    client.force_login(alice)
    settings.LIVEBLOCKS = {"SECRET_KEY": "sk_first_1", "TRANSPORT": first}
    assert post(client).status_code == 200
    settings.LIVEBLOCKS = {"SECRET_KEY": "sk_second_2", "TRANSPORT": second}
    assert post(client).status_code == 200
    assert (len(first.calls), len(second.calls)) == (1, 1)


def test_the_async_setting_selects_the_async_view(settings: Any) -> None:
    settings.LIVEBLOCKS = {"ASYNC": True}
    assert auth_view() is liveblocks_auth_async
    settings.LIVEBLOCKS = {}
    assert auth_view() is liveblocks_auth


# --- the async view (ASGI) -------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)
async def test_the_async_view_issues_tokens_with_orm_hooks(fake: FakeLiveblocks) -> None:
    from asgiref.sync import sync_to_async

    @sync_to_async
    def make_user() -> User:
        user = User.objects.create_user("bob", first_name="Bob")
        user.groups.create(name="viewers")
        return user

    bob = await make_user()
    client = AsyncClient()
    await sync_to_async(client.force_login)(bob)  # (aforce_login: Django 5.0+)
    response = await client.post("/async/liveblocks-auth", ROOM, content_type="application/json")
    assert response.status_code == 200
    token = claims(response)
    assert (token["uid"], token["gids"]) == (str(bob.pk), ["viewers"])  # groups via the ORM
    anonymous = await AsyncClient().post(
        "/async/liveblocks-auth", ROOM, content_type="application/json"
    )
    assert anonymous.status_code == 401
    assert len(fake.calls) == 1


@pytest.mark.parametrize("built_before", [False, True])
def test_the_endpoint_reads_the_headers_django_would(built_before: bool) -> None:
    """Read from META in place (whether or not request.headers was built): every name and value
    as Django's request.headers gives them, in any case, looked up and listed."""
    from django.test import RequestFactory

    from liveblocks_auth_django.views import to_auth_request

    request = RequestFactory().post(
        URL,
        ROOM,
        content_type="application/json; charset=utf-8",
        headers={
            "Origin": "https://app.example.com",
            "X-Workspace": "acme",
            "Sec-Fetch-Site": "none",
        },
    )
    if built_before:
        request.headers  # noqa: B018 - a middleware read it
    auth_request = to_auth_request(request)
    expected = dict(request.headers)
    assert expected["Content-Type"] == "application/json; charset=utf-8"
    for name, value in expected.items():
        assert auth_request.header(name) == value
        assert auth_request.header(name.upper()) == value
    assert auth_request.header("content-length") == str(len(ROOM))
    listed = {name.lower(): value for name, value in auth_request.headers.items()}
    assert listed == {name.lower(): value for name, value in expected.items()}
    assert auth_request.header("x-absent") is None
    assert auth_request.site_host() == "testserver"


@pytest.mark.django_db
@pytest.mark.parametrize("logged_in", [True, False])
def test_answers_are_sized_without_any_middleware(
    alice: User, fake: FakeLiveblocks, logged_in: bool
) -> None:
    """The view itself sets Content-Length (CommonMiddleware is not needed), as Flask's and
    Starlette's answers have it: a WSGI server then sends no chunked encoding."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from liveblocks_auth_django.views import liveblocks_auth

    request = RequestFactory().post(URL, ROOM, content_type="application/json")
    request.user = alice if logged_in else AnonymousUser()
    response = liveblocks_auth(request)
    assert response.status_code == (200 if logged_in else 401)
    assert response["Content-Length"] == str(len(response.content))
    assert len(fake.calls) == (1 if logged_in else 0)


def test_the_async_views_stay_coroutine_functions_and_csrf_exempt() -> None:
    """Django 4.2's csrf_exempt wrapped an async view in a plain function, which Django then
    ran as a sync view (every ASGI request got an unawaited coroutine): the views carry the
    attribute CsrfViewMiddleware reads instead."""
    import inspect

    from liveblocks_auth_django import views

    for view in (views.liveblocks_auth_async, views.liveblocks_webhook_async):
        assert inspect.iscoroutinefunction(view)
        assert view.csrf_exempt is True  # type: ignore[attr-defined]
    for view in (views.liveblocks_auth, views.liveblocks_webhook):
        assert not inspect.iscoroutinefunction(view)
        assert view.csrf_exempt is True  # type: ignore[attr-defined]


def test_signals_are_sent_without_asend_as_on_django_4_2() -> None:
    import asyncio

    from liveblocks_auth_django.views import _send_async

    class Django42Signal:  # Signal.asend came with Django 5.0
        def __init__(self) -> None:
            self.sent: list[dict[str, Any]] = []

        def send(self, **kwargs: Any) -> None:
            self.sent.append(kwargs)

    signal = Django42Signal()
    asyncio.run(_send_async(signal, sender="s", user="alice"))  # type: ignore[arg-type]
    assert signal.sent == [{"sender": "s", "user": "alice"}]
