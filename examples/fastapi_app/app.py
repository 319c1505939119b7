"""The FastAPI example: an API whose users log in for an OAuth2 bearer token (password flow),
and the Liveblocks endpoint whose user comes from the same ``get_current_user`` dependency.

The page is a single-page app on ANOTHER origin (examples/spa, served by ``./run demo
--framework fastapi``); it sends the token from an authEndpoint callback.

export LIVEBLOCKS_SECRET_KEY=sk_localdev LIVEBLOCKS_BASE_URL=http://127.0.0.1:1153
export DEMO_SPA_ORIGIN=http://127.0.0.1:8001
uvicorn app:app --port 8000
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel

from liveblocks_auth import WebhookEvent
from liveblocks_auth.testing.demo import (
    DEMO_WEBHOOK_SECRET,
    USERS,
    access_async,
    log_decisions,
    log_webhook_async,
    me,
    room_policy,
)
from liveblocks_auth_starlette import LiveblocksAuth

SPA_ORIGIN = os.environ.get("DEMO_SPA_ORIGIN", "http://127.0.0.1:8001")
SIGNING_KEY = os.environ.get("DEMO_TOKEN_KEY", "demo-only-not-secret").encode()


class User(BaseModel):
    """The API's user, as its dependency returns it (the endpoint shapes it with the hooks
    below: id from `id`, info from `name`)."""

    id: str
    name: str
    organization: str
    groups: list[str]


# --- the app's own authentication: OAuth2 password flow, signed bearer tokens ----------------

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def sign(username: str) -> str:
    mac = hmac.new(SIGNING_KEY, username.encode(), hashlib.sha256).hexdigest()
    return f"{username}.{mac}"


def get_current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> User:
    username = token.rpartition(".")[0]
    demo = USERS.get(username)
    if demo is None or not hmac.compare_digest(sign(username), token):
        raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
    return User(
        id=demo.username, name=demo.name, organization=demo.organization, groups=list(demo.groups)
    )


# --- Liveblocks ------------------------------------------------------------------------------


async def print_webhook(event: WebhookEvent, request: object) -> None:
    await log_webhook_async(event, liveblocks.client)


log_decisions()  # each answer of the endpoint: "[auth] alice, room ...: 200, ..."

liveblocks = LiveblocksAuth(
    group_ids=lambda user: user.groups,
    organization_id=lambda user: user.organization,
    room_policy=room_policy,  # refuse (403) rooms of another organization
    allowed_origins=[SPA_ORIGIN],  # the single-page app's origin: CORS for the endpoint
    webhook_secret=os.environ.get("LIVEBLOCKS_WEBHOOK_SECRET", DEMO_WEBHOOK_SECRET),
    on_webhook=print_webhook,
)

app = FastAPI(title="Liveblocks auth demo API")
app.include_router(liveblocks.fastapi_router(current_user=get_current_user))
# CORS for the rest of the API (the Liveblocks endpoint answers its own, identically).
app.add_middleware(
    CORSMiddleware,
    allow_origins=[SPA_ORIGIN],
    allow_credentials=True,
    allow_methods=["GET", "POST"],
    allow_headers=["Authorization", "Content-Type"],
)


@app.post("/token")
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    """Demo mode: any password; a real app checks it."""
    if form.username not in USERS:
        raise HTTPException(400, "unknown demo user")
    return {"access_token": sign(form.username), "token_type": "bearer"}


@app.get("/me")
def me_view(user: Annotated[User, Depends(get_current_user)]) -> dict[str, object]:
    return me(user.id)


@app.get("/access")
async def access_view(
    room: str, user: Annotated[User, Depends(get_current_user)]
) -> dict[str, str]:
    """Why the user gets what they get in the room (the page's "Why" line)."""
    return await access_async(liveblocks.client, user.id, room)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
