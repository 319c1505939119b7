"""The Django adapter beyond the session: Django REST framework's authentication, RESOLVE_USER,
request-aware hooks (the workspace switcher of the docs), avatar, CORS alone and beside
django-cors-headers."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.checks import run_checks
from django.test import AsyncClient, Client
from rest_framework.authtoken.models import Token
from rest_framework_simplejwt.tokens import RefreshToken

from liveblocks_auth import LiveblocksUser
from liveblocks_auth.testing import FakeLiveblocks, decode_token
from liveblocks_auth_django.users import default_user_info
from tests.contract import ALLOWED_ORIGIN, PREFLIGHT
from tests.core.test_endpoint_context import FileField
from tests.readme import DOCS, readme_block, run_block

URL = "/api/liveblocks-auth"
ASYNC_URL = "/async/liveblocks-auth"
ROOM = json.dumps({"room": "acme-roadmap"})
PAGE = DOCS / "apis-and-spas.md"
TOKEN_AUTH = "rest_framework.authentication.TokenAuthentication"
JWT_AUTH = "rest_framework_simplejwt.authentication.JWTAuthentication"
SESSION_AUTH = "rest_framework.authentication.SessionAuthentication"


def docs_namespace(name: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    run_block(readme_block(name), namespace, PAGE)
    return namespace


def claims(response: Any) -> dict[str, Any]:
    return decode_token(response.json()["token"])


@pytest.fixture
def drf(settings: Any, configure: Any) -> Any:
    """The docs' settings block, on top of the fake; DRF's default classes as given."""

    def apply(*classes: str, **more: Any) -> None:
        settings.REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": list(classes)}
        configure(**{**docs_namespace("drf-settings")["LIVEBLOCKS"], **more})

    return apply


# --- Django REST framework -------------------------------------------------------------------


BASIC_AUTH = "rest_framework.authentication.BasicAuthentication"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("classes", "status", "challenge"),
    [
        ([SESSION_AUTH, BASIC_AUTH], 403, None),  # DRF's default order: no challenge, 403
        ([BASIC_AUTH, SESSION_AUTH], 401, 'Basic realm="api"'),  # the first class challenges
    ],
)
def test_a_wrong_basic_password_gets_drf_s_status_as_the_drf_guide_says(
    drf: Any, alice: User, fake: FakeLiveblocks, classes: list[str], status: int, challenge: Any
) -> None:
    import base64

    drf(*classes)
    wrong = base64.b64encode(b"alice:wrong-password").decode()
    answer = Client().post(
        URL, ROOM, content_type="application/json", HTTP_AUTHORIZATION=f"Basic {wrong}"
    )
    assert answer.status_code == status
    assert answer.json()["message"] == "Invalid username/password."
    assert answer.headers.get("WWW-Authenticate") == challenge
    assert fake.calls == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", [URL, ASYNC_URL])
def test_drf_token_authentication(drf: Any, alice: User, fake: FakeLiveblocks, url: str) -> None:
    drf(TOKEN_AUTH)
    key = Token.objects.create(user=alice).key
    client = Client()
    if url == ASYNC_URL:
        import asyncio

        async_client = AsyncClient()

        def post(**headers: str) -> Any:
            return asyncio.run(
                async_client.post(url, ROOM, content_type="application/json", headers=headers)
            )
    else:

        def post(**headers: str) -> Any:
            return client.post(url, ROOM, content_type="application/json", headers=headers)

    ok = post(Authorization=f"Token {key}")
    assert ok.status_code == 200
    token = claims(ok)
    assert (token["uid"], token["gids"], token["ui"]) == (
        str(alice.pk),
        ["editors", "viewers"],
        {"name": "Alice Martin"},
    )
    bad = post(Authorization="Token not-a-token")
    assert (bad.status_code, bad.json()) == (
        401,
        {"error": "unauthorized", "message": "Invalid token."},
    )
    assert bad["WWW-Authenticate"] == "Token"
    anonymous = post()
    assert (anonymous.status_code, anonymous.json()["message"]) == (401, "not logged in")
    assert len(fake.calls) == 1


@pytest.mark.django_db
def test_simplejwt_through_authentication_classes(
    drf: Any, alice: User, fake: FakeLiveblocks
) -> None:
    drf(TOKEN_AUTH, AUTHENTICATION_CLASSES=[JWT_AUTH])  # the endpoint's own classes win
    access = str(RefreshToken.for_user(alice).access_token)
    client = Client()
    ok = client.post(
        URL, ROOM, content_type="application/json", headers={"Authorization": f"Bearer {access}"}
    )
    assert ok.status_code == 200
    assert claims(ok)["uid"] == str(alice.pk)
    key = Token.objects.create(user=alice).key  # not among the endpoint's classes
    refused = client.post(
        URL, ROOM, content_type="application/json", headers={"Authorization": f"Token {key}"}
    )
    assert refused.status_code == 401
    expired = client.post(
        URL, ROOM, content_type="application/json", headers={"Authorization": "Bearer x.y.z"}
    )
    assert expired.status_code == 401
    assert expired["WWW-Authenticate"].startswith("Bearer")
    assert len(fake.calls) == 1


@pytest.mark.django_db
def test_drf_session_authentication_keeps_drf_s_csrf_rule(
    drf: Any, alice: User, fake: FakeLiveblocks
) -> None:
    drf(SESSION_AUTH)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    refused = client.post(URL, ROOM, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["message"].startswith("CSRF Failed")
    client.get("/csrf")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    ok = client.post(URL, ROOM, content_type="application/json", headers={"X-CSRFToken": token})
    assert ok.status_code == 200
    assert len(fake.calls) == 1


@pytest.mark.django_db
def test_without_rest_framework_a_token_header_is_not_a_login(
    configure: Any, alice: User, fake: FakeLiveblocks
) -> None:
    configure()
    key = Token.objects.create(user=alice).key
    response = Client().post(
        URL, ROOM, content_type="application/json", headers={"Authorization": f"Token {key}"}
    )
    assert response.status_code == 401
    assert fake.calls == []


# --- RESOLVE_USER ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", [URL, ASYNC_URL])
def test_resolve_user_replaces_the_default(
    configure: Any, alice: User, fake: FakeLiveblocks, url: str
) -> None:
    resolve = docs_namespace("django-resolve-user")["resolve_user"]
    threads: list[str] = []

    def resolve_and_touch_the_orm(request: Any) -> LiveblocksUser | None:
        threads.append(threading.current_thread().name)
        User.objects.count()  # raises SynchronousOnlyOperation on an event loop
        result: LiveblocksUser | None = resolve(request)
        return result

    configure(RESOLVE_USER=resolve_and_touch_the_orm)
    staff = User.objects.create_user("sam", is_staff=True)
    for user, expected in ((alice, str(alice.pk)), (staff, "support")):
        if url == URL:
            client = Client()
            client.force_login(user)
            response = client.post(url, ROOM, content_type="application/json")
        else:
            import asyncio

            async_client = AsyncClient()
            async_client.force_login(user)  # (aforce_login: Django 5.0+)
            response = asyncio.run(async_client.post(url, ROOM, content_type="application/json"))
        assert response.status_code == 200
        assert claims(response)["uid"] == expected
    assert claims(response)["gids"] == ["staff"]
    assert len(threads) == 2


@pytest.mark.django_db
def test_resolve_user_as_a_dotted_path_and_with_drf(
    drf: Any, alice: User, fake: FakeLiveblocks
) -> None:
    drf(TOKEN_AUTH, RESOLVE_USER="tests.django.hooks.user_by_auth_token")
    key = Token.objects.create(user=alice).key
    response = Client().post(
        URL, ROOM, content_type="application/json", headers={"Authorization": f"Token {key}"}
    )
    assert response.status_code == 200
    assert claims(response)["uid"] == f"token-user-{alice.pk}"  # DRF's request.user/auth


# --- request-aware hooks: the workspace switcher ---------------------------------------------


@pytest.fixture
def member(db: Any) -> User:
    user = User.objects.create_user("olivier", first_name="Olivier")
    for name in ("workspace:acme", "workspace:globex"):
        user.groups.add(Group.objects.create(name=name))
    return user


@pytest.mark.django_db
def test_the_workspace_switcher_of_the_docs(
    configure: Any, member: User, fake: FakeLiveblocks
) -> None:
    # The README shows the docs page's block as is.
    assert readme_block("workspace-switcher", PAGE)  # on the page of the docs
    configure(ORGANIZATION_ID=docs_namespace("workspace-switcher")["organization_id"])
    client = Client()
    client.force_login(member)

    def post(**headers: str) -> Any:
        return client.post(URL, ROOM, content_type="application/json", headers=headers)

    assert "oid" not in claims(post())  # nothing chosen: the default organization
    assert claims(post(**{"X-Workspace": "globex"}))["oid"] == "globex"
    session = client.session
    session["workspace"] = "acme"
    session.save()
    assert claims(post())["oid"] == "acme"
    assert claims(post(**{"X-Workspace": "globex"}))["oid"] == "globex"  # the header wins
    refused = post(**{"X-Workspace": "initech"})
    assert (refused.status_code, refused.json()["message"]) == (
        403,
        "you are not a member of workspace initech",
    )
    assert len(fake.calls) == 4


@pytest.mark.django_db
def test_hooks_get_the_posted_data_which_only_asks_for_less(
    configure: Any, alice: User, fake: FakeLiveblocks
) -> None:
    configure(TOKEN_MODE="access", PERMISSIONS=docs_namespace("hook-data")["permissions"])
    bob = User.objects.create_user("bob")
    bob.groups.add(Group.objects.get(name="viewers"))
    read_only = ["room:read", "room:presence:write"]
    for user, mode, scopes in (
        (alice, "edit", ["room:write"]),  # an editor, as she may
        (alice, "view", read_only),  # an editor asking for less
        (alice, None, ["room:write"]),
        (bob, "edit", read_only),  # a viewer asking for more gets what he may have
        (bob, "admin", read_only),
    ):
        client = Client()
        client.force_login(user)
        body = json.dumps({"room": "acme-roadmap", **({"mode": mode} if mode else {})})
        assert client.post(URL, body, content_type="application/json").status_code == 200
        assert fake.calls[-1].json["permissions"] == {"acme-roadmap": scopes}, (user, mode)
    assert len(fake.calls) == 5


@pytest.mark.django_db
def test_the_default_user_info_has_the_avatar_when_the_model_has_one(alice: User) -> None:
    assert default_user_info(alice) == {"name": "Alice Martin"}
    alice.avatar = FileField("/media/alice.png")  # type: ignore[attr-defined]
    assert default_user_info(alice) == {"name": "Alice Martin", "avatar": "/media/alice.png"}
    alice.avatar = FileField(None)  # type: ignore[attr-defined]
    assert default_user_info(alice) == {"name": "Alice Martin"}


# --- CORS ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_cors_headers", [False, True])
@pytest.mark.parametrize("url", [URL, ASYNC_URL])
def test_cors_alone_or_beside_django_cors_headers(
    settings: Any, drf: Any, alice: User, fake: FakeLiveblocks, with_cors_headers: bool, url: str
) -> None:
    drf(TOKEN_AUTH, ALLOWED_ORIGINS=[ALLOWED_ORIGIN])
    if with_cors_headers:
        settings.MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", *settings.MIDDLEWARE]
        settings.CORS_ALLOWED_ORIGINS = [ALLOWED_ORIGIN]
        settings.CORS_ALLOW_CREDENTIALS = True
    key = Token.objects.create(user=alice).key
    if url == ASYNC_URL:
        import asyncio

        async_client = AsyncClient()

        def send(method: str, **headers: str) -> Any:
            call = getattr(async_client, method)
            if method == "options":
                return asyncio.run(call(url, headers=headers))
            return asyncio.run(call(url, ROOM, content_type="application/json", headers=headers))
    else:
        client = Client()

        def send(method: str, **headers: str) -> Any:
            call = getattr(client, method)
            if method == "options":
                return call(url, headers=headers)
            return call(url, ROOM, content_type="application/json", headers=headers)

    preflight = send("options", **PREFLIGHT)
    assert preflight.status_code in (200, 204)
    assert preflight["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert preflight["Access-Control-Allow-Credentials"] == "true"
    assert "authorization" in preflight["Access-Control-Allow-Headers"].lower()
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    for auth, status in ((f"Token {key}", 200), ("Token wrong", 401)):
        answer = send("post", Authorization=auth, Origin=ALLOWED_ORIGIN)
        assert answer.status_code == status
        assert answer["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
        assert answer["Access-Control-Allow-Credentials"] == "true"
        assert [v for k, v in answer.items() if k.lower() == "vary"] == [answer["Vary"]]
    other = send("post", Authorization=f"Token {key}", Origin="https://evil.example")
    assert other.status_code == 403
    assert not other.has_header("Access-Control-Allow-Origin")
    assert len(fake.calls) == 1


# --- system checks ---------------------------------------------------------------------------


def check_ids() -> set[str]:
    return {message.id for message in run_checks(tags=["liveblocks"]) if message.id}


def test_checks_for_the_rest_framework_settings(
    configure: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(REST_FRAMEWORK=True)
    assert not {"liveblocks_auth.E012", "liveblocks_auth.E013"} & check_ids()
    configure(REST_FRAMEWORK=True, AUTHENTICATION_CLASSES=["no.such.Authentication"])
    assert "liveblocks_auth.E013" in check_ids()
    configure(AUTHENTICATION_CLASSES=[TOKEN_AUTH])
    assert "liveblocks_auth.W003" in check_ids()
    configure(REST_FRAMEWORK=True)
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "rest_framework" else real(name, *a),
    )
    messages = {m.id: m for m in run_checks(tags=["liveblocks"])}
    assert "liveblocks-auth[drf]" in (messages["liveblocks_auth.E012"].hint or "")
