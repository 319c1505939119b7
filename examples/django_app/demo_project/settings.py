"""Settings of the Django example. Everything Liveblocks needs is the LIVEBLOCKS dict below
(plus LIVEBLOCKS_SECRET_KEY / LIVEBLOCKS_BASE_URL in the environment)."""

import os
from pathlib import Path

from liveblocks_auth.testing.demo import DEMO_WEBHOOK_SECRET

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "demo-only-not-secret")
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "liveblocks_auth_django",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "demo_project.urls"
WSGI_APPLICATION = "demo_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DEMO_DB", BASE_DIR / "db.sqlite3"),
    }
}

STATIC_URL = "static/"
LOGIN_URL = "/login/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

LIVEBLOCKS = {
    # Liveblocks user ids are the usernames: the demo rooms grant access to "alice", "carol".
    "USER_ID": "demo.liveblocks.user_id",
    "ORGANIZATION_ID": "demo.liveblocks.organization_id",
    # Refuse (403) rooms of another organization before asking Liveblocks.
    "ROOM_POLICY": "liveblocks_auth.testing.demo.room_policy",
    # Under an ASGI server (uvicorn) use the async view and client.
    "ASYNC": os.environ.get("DEMO_ASYNC") == "1",
    # Webhooks (POST /api/liveblocks-webhook): demo/apps.py connects a receiver that prints them.
    "WEBHOOK_SECRET": os.environ.get("LIVEBLOCKS_WEBHOOK_SECRET", DEMO_WEBHOOK_SECRET),
}
