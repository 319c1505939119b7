"""Starlette subjects (uvicorn with uvloop and httptools): our adapter, a hand-written pooled-httpx
endpoint as the seeds' guides would be ported, a minimal one over an aiohttp session, the official
Python SDK, and the no-upstream ceiling."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from benchmarks.apps.common import BASE_URL, FIXED_TOKEN, SECRET, USER
from liveblocks_auth import LiveblocksUser
from liveblocks_auth_starlette import LiveblocksAuth

PATH = "/api/liveblocks-auth"


# --- our adapter ---


async def alice(request: Request) -> LiveblocksUser:
    return LiveblocksUser("alice", ["editors"], {"name": "Alice"})


liveblocks = LiveblocksAuth(SECRET, base_url=BASE_URL, resolve_user=alice)
adapter = Starlette(routes=liveblocks.routes, lifespan=liveblocks.lifespan)


# --- hand-written, pooled httpx.AsyncClient ---

_http: dict[str, httpx.AsyncClient] = {}


@contextlib.asynccontextmanager
async def _pool(app: Any) -> AsyncIterator[None]:
    async with httpx.AsyncClient(base_url=BASE_URL) as client:
        _http["client"] = client
        yield


async def handwritten_endpoint(request: Request) -> Response:
    await request.json()  # the seeds' endpoints read the body too
    answer = await _http["client"].post(
        "/v2/identify-user",
        json=USER,
        headers={"Authorization": f"Bearer {SECRET}"},
    )
    return Response(answer.content, status_code=answer.status_code, media_type="application/json")


handwritten = Starlette(
    routes=[Route(PATH, handwritten_endpoint, methods=["POST"])], lifespan=_pool
)


# --- the official liveblocks Python SDK ---

_sdk: dict[str, Any] = {}


@contextlib.asynccontextmanager
async def _sdk_client(app: Any) -> AsyncIterator[None]:
    from liveblocks import AsyncLiveblocks

    _sdk["client"] = AsyncLiveblocks(secret=SECRET, base_url=BASE_URL)
    yield


async def official_sdk_endpoint(request: Request) -> Response:
    from liveblocks.models import IdentifyUserRequestBody

    await request.json()
    body = IdentifyUserRequestBody.from_dict(USER)
    answer = await _sdk["client"].identify_user(body=body)
    return Response(json.dumps({"token": answer.token}), media_type="application/json")


official_sdk = Starlette(
    routes=[Route(PATH, official_sdk_endpoint, methods=["POST"])], lifespan=_sdk_client
)


# --- the ceiling: same parsing, no upstream ---


async def ceiling_endpoint(request: Request) -> Response:
    await request.json()
    return Response(FIXED_TOKEN, media_type="application/json")


ceiling = Starlette(routes=[Route(PATH, ceiling_endpoint, methods=["POST"])])


# --- minimal hand-written over an aiohttp session: the fastest way to write it by hand ---

_aiohttp: dict[str, Any] = {}


@contextlib.asynccontextmanager
async def _session(app: Any) -> AsyncIterator[None]:
    import aiohttp

    async with aiohttp.ClientSession(BASE_URL) as session:
        _aiohttp["session"] = session
        yield


async def minimal_aiohttp_endpoint(request: Request) -> Response:
    await request.json()
    async with _aiohttp["session"].post(
        "/v2/identify-user", json=USER, headers={"Authorization": f"Bearer {SECRET}"}
    ) as answer:
        body = await answer.read()
    return Response(body, status_code=answer.status, media_type="application/json")


minimal_aiohttp = Starlette(
    routes=[Route(PATH, minimal_aiohttp_endpoint, methods=["POST"])], lifespan=_session
)
