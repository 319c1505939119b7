"""Flask subjects (gunicorn gthread): our adapter, a hand-written pooled-httpx endpoint, and the
no-upstream ceiling."""

from __future__ import annotations

import httpx
from flask import Flask, Response, request

from benchmarks.apps.common import BASE_URL, FIXED_TOKEN, SECRET, USER
from liveblocks_auth import LiveblocksUser
from liveblocks_auth_flask import LiveblocksAuth

PATH = "/api/liveblocks-auth"

adapter = Flask("adapter")
adapter.config.update(LIVEBLOCKS_SECRET_KEY=SECRET, LIVEBLOCKS_BASE_URL=BASE_URL)
LiveblocksAuth(
    adapter, user_resolver=lambda: LiveblocksUser("alice", ["editors"], {"name": "Alice"})
)

handwritten = Flask("handwritten")
_http = httpx.Client(base_url=BASE_URL)


@handwritten.post(PATH)
def handwritten_endpoint() -> Response:
    request.get_json()
    answer = _http.post(
        "/v2/identify-user", json=USER, headers={"Authorization": f"Bearer {SECRET}"}
    )
    return Response(answer.content, status=answer.status_code, mimetype="application/json")


ceiling = Flask("ceiling")


@ceiling.post(PATH)
def ceiling_endpoint() -> Response:
    request.get_json()
    return Response(FIXED_TOKEN, mimetype="application/json")
