"""Flask subjects (gunicorn gthread): our adapter, hand-written endpoints over a pooled httpx client
and over urllib3's pool, and the no-upstream ceiling."""

from __future__ import annotations

import json

import httpx
import urllib3
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


# --- minimal hand-written over urllib3's pool: the fastest way to write it by hand ---

minimal_urllib3 = Flask("minimal_urllib3")
_pool = urllib3.connection_from_url(BASE_URL, maxsize=16, block=True)
_USER_BODY = json.dumps(USER).encode()


@minimal_urllib3.post(PATH)
def minimal_urllib3_endpoint() -> Response:
    request.get_json()
    answer = _pool.urlopen(
        "POST",
        "/v2/identify-user",
        body=_USER_BODY,
        headers={"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"},
    )
    return Response(answer.data, status=answer.status, mimetype="application/json")
