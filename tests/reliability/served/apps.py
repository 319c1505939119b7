"""Each adapter as a real server runs it, for the multi-worker tests: ``SERVED=django`` (WSGI or,
with ``SERVED_ASYNC=1``, ASGI), ``flask`` or ``starlette``. The user comes from the
``X-Test-User`` header (tests/reliability/users.py); ``/pid`` answers the worker's process id.
With ``SERVED_WARM=1`` each app makes one call to Liveblocks when it is imported: under
``gunicorn --preload`` that is in the master, before the workers are forked, so the client's
pool holds a connection that every worker inherits."""

from __future__ import annotations

import os
from typing import Any

from tests.reliability import users

KIND = os.environ.get("SERVED", "starlette")
WARM = os.environ.get("SERVED_WARM") == "1"


def _groups(user: Any) -> list[str]:
    return list(user.groups)


def _org(user: Any) -> str | None:
    return user.org  # type: ignore[no-any-return]


#: With SERVED_WEBHOOK_STORE (a redis:// URL), the webhook endpoint de-duplicates there and each
#: run of the handler is a line in SERVED_RUNS: "<event id> <pid> ok|fail". A room named
#: "flaky-..." fails on its event's first run.
STORE = os.environ.get("SERVED_WEBHOOK_STORE")
RUNS = os.environ.get("SERVED_RUNS", "")


def record_run(event: Any, *_: Any, **__: Any) -> None:
    import time

    time.sleep(0.2)  # long enough for concurrent copies of the delivery to meet
    with open(RUNS, "a+") as runs:
        runs.seek(0)
        earlier = sum(1 for line in runs if line.split()[0] == event.id)
        fail = event.room_id.startswith("flaky-") and earlier == 0
        runs.write(f"{event.id} {os.getpid()} {'fail' if fail else 'ok'}\n")
    if fail:
        raise RuntimeError("the first run of a flaky event fails")


def _info(user: Any) -> dict[str, Any]:
    # The worker's pid travels to the upstream with the user: the test sees which workers served.
    return {"name": user.username, "pid": os.getpid()}


if KIND == "django":
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="served",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["liveblocks_auth_django"],
        MIDDLEWARE=[f"{__name__}.HeaderUser"],
        LIVEBLOCKS={
            "ASYNC": os.environ.get("SERVED_ASYNC") == "1",
            "GROUP_IDS": _groups,
            "ORGANIZATION_ID": _org,
            "USER_INFO": _info,
            "WEBHOOK_DEDUPLICATION": STORE,
        },
    )
    django.setup()
    if STORE:
        from liveblocks_auth_django.signals import webhook_received

        webhook_received.connect(lambda sender, event, **kw: record_run(event), weak=False)

    from django.http import HttpRequest, HttpResponse
    from django.urls import include, path
    from django.utils.deprecation import MiddlewareMixin

    class HeaderUser(MiddlewareMixin):
        def process_request(self, request: HttpRequest) -> None:
            request.user = users.parse(request.headers.get("X-Test-User"))  # type: ignore[assignment]

    def pid(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(os.getpid()))

    urlpatterns = [path("pid", pid), path("", include("liveblocks_auth_django.urls"))]
    if WARM:
        from liveblocks_auth_django.clients import get_client

        assert get_client().identify_user("warm-up").status == 200
    if os.environ.get("SERVED_ASYNC") == "1":
        from django.core.asgi import get_asgi_application

        application = get_asgi_application()
    else:
        from django.core.wsgi import get_wsgi_application

        application = get_wsgi_application()

elif KIND == "flask":
    from flask import Flask, g, request

    from liveblocks_auth_flask import LiveblocksAuth

    application = Flask(__name__)
    application.config["LIVEBLOCKS_WEBHOOK_STORE"] = STORE
    liveblocks = LiveblocksAuth(
        application, group_ids=_groups, organization_id=_org, user_info=_info
    )

    if STORE:
        liveblocks.webhook_handler(record_run)

    @application.before_request
    def _user() -> None:
        g.user = users.parse(request.headers.get("X-Test-User"))

    @application.get("/pid")
    def _pid() -> str:
        return str(os.getpid())

    if WARM:
        with application.app_context():
            assert liveblocks.client.identify_user("warm-up").status == 200

else:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from liveblocks_auth import LiveblocksUser
    from liveblocks_auth_starlette import LiveblocksAuth as StarletteAuth

    def _resolve(request: Request) -> LiveblocksUser | None:
        user = users.parse(request.headers.get("X-Test-User"))
        if user is None:
            return None
        return LiveblocksUser(
            user.username, group_ids=user.groups, info=_info(user), organization_id=user.org
        )

    async def _pid(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(os.getpid()))

    auth = StarletteAuth(
        resolve_user=_resolve, on_webhook=record_run if STORE else None, webhook_store=STORE
    )
    application = Starlette(routes=[Route("/pid", _pid), *auth.routes], lifespan=auth.lifespan)
