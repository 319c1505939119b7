"""The real-client scenarios, run against every adapter's example under its production server.

The official dev server holds the demo rooms; each example app logs users in through its own
login page (session examples) or its token endpoint (drf, fastapi); the official
@liveblocks/client (Node + ws) enters each room with that session cookie or bearer token. The
outcome must match the demo table for every user and room.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from examples.launch import APPS, TOKEN_APPS, RunningApp, serve_example, serve_spa
from liveblocks_auth.testing import DevServer
from liveblocks_auth.testing.demo import EXPECTED, USERS, login_page
from tests.realstack.endpoint_server import enter_room

pytestmark = pytest.mark.realstack


EVERY_APP = {**APPS, **TOKEN_APPS}
#: The demo users as every page labels them (literal: not from the code that builds them).
LABELS = [
    "Alice Martin (acme, editors)",
    "Bob Stone (acme, viewers)",
    "Carol Diaz (acme)",
    "Dave Kim (globex, editors)",
]


@pytest.fixture(scope="module", params=sorted(EVERY_APP))
def example(
    request: pytest.FixtureRequest,
    dev_server: DevServer,
    demo_rooms: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningApp]:
    workdir: Path = tmp_path_factory.mktemp(request.param)
    with serve_example(EVERY_APP[request.param], dev_server.base_url, workdir) as running:
        yield running


@pytest.fixture(scope="module")
def credentials(example: RunningApp) -> dict[str, dict[str, str]]:
    return {username: example.credentials(username) for username in USERS}


@pytest.mark.parametrize(("user", "room"), sorted(EXPECTED, key=lambda k: (k[0] or "", k[1])))
def test_the_official_client_gets_what_the_demo_table_says(
    dev_server: DevServer,
    example: RunningApp,
    credentials: dict[str, dict[str, str]],
    user: str | None,
    room: str,
) -> None:
    expected = EXPECTED[(user, room)]
    sent = credentials[user] if user else {}
    outcome = enter_room(dev_server.base_url, example.auth_url, room, **sent)
    context = f"{example.app.name}: {user} in {room}: {outcome}"
    if expected in ("write", "read-only"):
        assert outcome["outcome"] == "connected", context
        assert outcome["canWrite"] is (expected == "write"), context
        assert outcome["id"] == user, context
        assert outcome["info"] == {"name": USERS[user].name}, context
        assert outcome["authRequests"] == [200], context
    elif expected == "refused":
        assert outcome["outcome"] == "refused", context
        assert outcome["code"] == 4001, context
    else:
        assert outcome["outcome"] == "auth-failed", context
        assert f"({expected} returned by POST {example.auth_url})" in outcome["message"], context
        assert outcome["authRequests"] == [expected], context  # the client stopped at once


def test_every_example_labels_the_demo_users_alike(example: RunningApp) -> None:
    """One login page (styled like the demo page) in every framework, the same labels in the
    single-page app: "Alice Martin (acme, editors)"."""
    if example.app.token is not None:
        # What the browser reads: the running single-page app's /config.json.
        with serve_spa(example.url, example.app.token) as spa:
            config = httpx.get(f"{spa}/config.json", timeout=10).json()
        assert config["api"] == example.url
        assert [user["label"] for user in config["users"]] == LABELS
        return
    page = httpx.get(f"{example.url}/login/", timeout=10).text
    without_csrf = re.sub(r'<input type="hidden" name="\w+" value="[^"]*">', "", page)
    assert without_csrf == login_page()
    for label in LABELS:
        assert f">{label}</option>" in page
    assert "<style>" in page


def test_the_login_page_says_who_is_signed_in_in_this_browser(example: RunningApp) -> None:
    """Windows of one browser share its session: the login page says who is signed in (and
    that logging in again replaces them), and how to see two users at once."""
    if example.app.token is not None:
        return  # the single-page app keeps its token per tab (sessionStorage)
    with httpx.Client(base_url=example.url, timeout=10) as client:
        before = client.get("/login/").text
        example.app.login(client, "alice")
        after = client.get("/login/").text
    assert 'data-testid="signed-in"' not in before
    assert "a normal and a private window, or two browsers" in before
    assert "Signed in as <strong>Alice Martin</strong> in this browser" in after


def test_every_example_explains_each_user_s_access(
    example: RunningApp, credentials: dict[str, dict[str, str]]
) -> None:
    """The page's "Why" line: the app's /access route agrees with the demo table for every
    user and room (the room policy first, then the room's permissions)."""
    path = example.app.token.access_path if example.app.token else "/access"
    words = {"write": "write, ", "read-only": "read-only, ", "refused": "refused by the room"}
    for (user, room), expected in EXPECTED.items():
        if user is None:
            continue
        sent = credentials[user]
        headers = (
            {"Cookie": sent["cookie"]}
            if "cookie" in sent
            else {"Authorization": sent["authorization"]}
        )
        answer = httpx.get(f"{example.url}{path}", params={"room": room}, headers=headers)
        assert answer.status_code == 200, answer.text
        why = answer.json()["why"]
        prefix = words.get(str(expected), "refused by this app")
        assert why.startswith(prefix), (example.app.name, user, room, why)
    anonymous = httpx.get(f"{example.url}{path}", params={"room": "acme-roadmap"})
    assert anonymous.status_code in (401, 403)
