"""The Django REST framework example, in one file: an API whose users log in for a DRF token
(TokenAuthentication), and the Liveblocks endpoint authenticating with the same classes
(LIVEBLOCKS["REST_FRAMEWORK"]). django-cors-headers opens the API's views to the single-page
app; the Liveblocks endpoint answers its own CORS for LIVEBLOCKS["ALLOWED_ORIGINS"].

The page is a single-page app on ANOTHER origin (examples/spa, served by ``./run demo
--framework drf``); it sends the token from an authEndpoint callback.

export LIVEBLOCKS_SECRET_KEY=sk_localdev LIVEBLOCKS_BASE_URL=http://127.0.0.1:1153
export DEMO_SPA_ORIGIN=http://127.0.0.1:8001
python api.py migrate && python api.py seed-demo && gunicorn api:application -b 127.0.0.1:8000
"""

from __future__ import annotations

import os
import sys
from typing import Any

import django
from django.conf import settings

from liveblocks_auth.testing.demo import DEMO_WEBHOOK_SECRET, USERS

SPA_ORIGIN = os.environ.get("DEMO_SPA_ORIGIN", "http://127.0.0.1:8001")


def user_id(user: Any) -> str:
    return str(user.get_username())  # the demo rooms grant access to "alice", "carol"


def organization_id(user: Any) -> str:
    return USERS[user.get_username()].organization


settings.configure(
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "demo-only-not-secret"),
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "rest_framework",
        "rest_framework.authtoken",
        "corsheaders",
        "liveblocks_auth_django",
    ],
    MIDDLEWARE=[
        "corsheaders.middleware.CorsMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DEMO_DB", "drf-demo.sqlite3"),
        }
    },
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    USE_TZ=True,
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    },
    # CORS for the API's own views (django-cors-headers). The Liveblocks endpoints answer CORS
    # themselves for LIVEBLOCKS["ALLOWED_ORIGINS"] (with corsheaders on them too, it also works:
    # see examples/fastapi_app, where CORSMiddleware covers everything).
    CORS_ALLOWED_ORIGINS=[SPA_ORIGIN],
    CORS_URLS_REGEX=r"^/api/(token|me|access)/$",
    LIVEBLOCKS={
        "REST_FRAMEWORK": True,  # the endpoint authenticates with TokenAuthentication too
        "ALLOWED_ORIGINS": [SPA_ORIGIN],
        "USER_ID": user_id,
        "ORGANIZATION_ID": organization_id,
        "ROOM_POLICY": "liveblocks_auth.testing.demo.room_policy",
        "WEBHOOK_SECRET": os.environ.get("LIVEBLOCKS_WEBHOOK_SECRET", DEMO_WEBHOOK_SECRET),
    },
)
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.dispatch import receiver  # noqa: E402
from django.urls import include, path  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from rest_framework.decorators import api_view, permission_classes  # noqa: E402
from rest_framework.permissions import AllowAny  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.response import Response  # noqa: E402

from liveblocks_auth.testing.demo import (  # noqa: E402
    access,
    log_decisions,
    log_webhook,
    me,
    seed_django_users,
)
from liveblocks_auth_django.clients import get_client  # noqa: E402
from liveblocks_auth_django.signals import webhook_received  # noqa: E402


@api_view(["POST"])
@permission_classes([AllowAny])
def token(request: Request) -> Response:
    """Demo mode: no passwords (a real app uses rest_framework's obtain_auth_token)."""
    user = User.objects.filter(username=request.data.get("username", "")).first()
    if user is None:
        return Response({"detail": "unknown demo user"}, status=400)
    return Response({"token": Token.objects.get_or_create(user=user)[0].key})


@api_view(["GET"])
def me_view(request: Request) -> Response:
    return Response(me(request.user.get_username()))


@api_view(["GET"])
def access_view(request: Request) -> Response:
    """Why the user gets what they get in ?room= (the page's "Why" line)."""
    room = request.query_params.get("room", "")
    return Response(access(get_client(), request.user.get_username(), room))


@api_view(["GET"])
@permission_classes([AllowAny])
def health(request: Request) -> Response:
    return Response({"status": "ok"})


@receiver(webhook_received)
def print_webhook(sender: Any, event: Any, **kwargs: Any) -> None:
    log_webhook(event, get_client())


urlpatterns = [
    path("", include("liveblocks_auth_django.urls")),  # /api/liveblocks-auth, -webhook
    path("api/token/", token),
    path("api/me/", me_view),
    path("api/access/", access_view),
    path("api/health/", health),
]

log_decisions()  # each answer of the endpoint: "[auth] alice, room ...: 200, ..."
application = get_wsgi_application()


def seed_demo() -> None:
    print(f"demo users: {', '.join(seed_django_users())}")


if __name__ == "__main__":
    if sys.argv[1:] == ["seed-demo"]:
        seed_demo()
    else:
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
