"""``LiveblocksAuth.fastapi_router``: the endpoint as a FastAPI ``APIRouter`` whose user comes from
a FastAPI dependency (the ``[fastapi]`` extra). Imported only when a router is asked for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request, Security
from starlette.responses import Response

from liveblocks_auth import LiveblocksUser

if TYPE_CHECKING:
    from .auth import LiveblocksAuth

__all__ = ["build_router"]

#: Where the dependency's answer waits for the endpoint's resolver (one request's state).
STATE_KEY = "liveblocks_current_user"


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "LiveblocksAuthError",
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    "required": ["error", "message"],
}


def _error(description: str, example: str, message: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": ERROR_SCHEMA,
                "example": {"error": example, "message": message},
            }
        },
    }


REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "title": "LiveblocksAuthRequest",
                "properties": {
                    "room": {
                        "anyOf": [{"type": "string", "maxLength": 128}, {"type": "null"}],
                        "title": "Room",
                        "description": "The room to enter; absent or null for a token "
                        "outside rooms (inbox notifications).",
                    }
                },
                "additionalProperties": True,
            },
            "example": {"room": "my-room"},
        }
    },
}

RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A fresh Liveblocks token for the current user.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "title": "LiveblocksToken",
                    "properties": {"token": {"type": "string"}},
                    "required": ["token"],
                }
            }
        },
    },
    401: _error("Not logged in.", "unauthorized", "not logged in"),
    403: _error("Refused for this user, room or origin.", "forbidden", "you may not enter"),
    413: _error("The body is over the size limit.", "payload_too_large", "body too large"),
    415: _error("The body is not JSON.", "unsupported_media_type", "send the body as JSON"),
    503: _error("Liveblocks is unavailable: try again.", "unavailable", "try again later"),
}


def build_router(
    liveblocks: LiveblocksAuth,
    current_user: Callable[..., Any],
    *,
    scopes: Sequence[str] | None = None,
    tags: list[str] | None = None,
) -> APIRouter:
    dependency = Security(current_user, scopes=list(scopes)) if scopes else Depends(current_user)

    endpoint = replace(liveblocks.endpoint, resolve_user=_resolve_from_state(liveblocks))

    async def liveblocks_auth(request: Request, user: Any = dependency) -> Response:
        setattr(request.state, STATE_KEY, user)
        return await liveblocks.serve(endpoint, request)

    router = APIRouter(lifespan=liveblocks.lifespan, tags=list(tags or ["liveblocks"]))
    router.add_api_route(
        liveblocks.path,
        liveblocks_auth,
        methods=["POST"],
        name="liveblocks_auth",
        summary="Get a Liveblocks token for the current user",
        description="What `@liveblocks/client`'s `authEndpoint` calls. The user comes from "
        "the app's dependency; the room's permissions (ID tokens) or the permissions hook "
        "(access tokens) decide what they may do.",
        response_class=Response,
        responses=RESPONSES,
        openapi_extra={"requestBody": REQUEST_BODY},
    )
    # CORS preflights carry no credentials: answered without the dependency.
    router.add_route(
        liveblocks.path, liveblocks.handle, methods=["OPTIONS"], include_in_schema=False
    )
    router.add_route(
        liveblocks.webhook_path,
        liveblocks.handle_webhook,
        methods=["POST"],
        name="liveblocks_webhook",
        include_in_schema=False,
    )
    return router


def _resolve_from_state(liveblocks: LiveblocksAuth) -> Callable[..., Any]:
    async def resolve(request: Request, data: Any = None) -> LiveblocksUser | None:
        user = getattr(request.state, STATE_KEY, None)
        if user is None:
            return None
        return await liveblocks.shape_user(user, request, data)

    return resolve
