"""The demo in a real browser (Debian's Chromium, driven by Playwright), for each framework.

alice and bob on acme-roadmap see each other; alice's +1 reaches bob; bob's button is disabled
and a storage write forced from his page changes nothing for anyone; carol is refused by the
room and dave by our endpoint. Screenshots are kept in test-artifacts/browser/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from examples.launch import APPS, RunningApp, serve_example
from liveblocks_auth import Liveblocks
from liveblocks_auth.testing import DevServer
from tests.conftest import ROOT, SECRET

pytestmark = pytest.mark.realstack

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI"):
    # CI installs it (.ci/run): there, a missing browser is a broken set-up, not a skip.
    pytest.fail("Chromium is not installed, and CI must run the browser tests", pytrace=False)
if CHROMIUM is None:
    pytest.skip(
        "BROWSER TEST SKIPPED: Chromium is not installed (apt-get install chromium); "
        "CI installs it, so it runs there",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts" / "browser"
#: The screenshots this run took, in order.
SHOT: list[Path] = []
# Flags for a machine whose network is closed (see the README's development notes).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module", params=["django-wsgi", "flask", "starlette"])
def example(
    request: pytest.FixtureRequest,
    dev_server: DevServer,
    demo_rooms: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningApp]:
    workdir = tmp_path_factory.mktemp(f"browser-{request.param}")
    with serve_example(APPS[request.param], dev_server.base_url, workdir) as running:
        yield running


def open_room(browser: Browser, example: RunningApp, user: str, room: str) -> Page:
    page = browser.new_context(viewport={"width": 900, "height": 760}).new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{example.url}/login/")
    if user == "alice":
        shoot(page, example, "login")
    page.select_option("select[name=username]", user)
    page.click("button[type=submit]")
    page.wait_for_url(f"{example.url}/")
    page.goto(f"{example.url}/?room={room}")
    page.wait_for_selector("[data-testid=access][data-access]")
    return page


def wait_for_why(page: Page, expected: str) -> None:
    page.wait_for_function(
        "w => document.querySelector('[data-testid=why]').textContent === w", arg=expected
    )


def text(page: Page, testid: str) -> str:
    return page.inner_text(f"[data-testid={testid}]")


def shoot(page: Page, example: RunningApp, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{example.app.name}-{name}.png"
    path.unlink(missing_ok=True)  # what is there after this line is this run's
    page.screenshot(path=str(path))
    SHOT.append(path)


def wait_for_count(page: Page, value: int) -> None:
    page.wait_for_function(
        "v => document.querySelector('[data-testid=count]').textContent === String(v)", arg=value
    )


def assert_page_agrees_with_active_users(page: Page, dev_server: DevServer, room: str) -> None:
    def shown() -> set[tuple[int, str]]:
        items = page.eval_on_selector_all(
            "[data-testid=avatars] [data-connection]",
            "els => els.map(e => [Number(e.dataset.connection), e.dataset.user])",
        )
        return {(int(connection), user) for connection, user in items}

    with Liveblocks(SECRET, base_url=dev_server.base_url) as lb:
        listed: set[tuple[int, str]] = set()
        for _ in range(50):  # a closed page of an earlier test may take a moment to leave
            listed = {(u.connection_id, u.id or "") for u in lb.get_active_users(room)}
            if listed == shown():
                return
            page.wait_for_timeout(200)
    assert shown() == listed


def test_editor_and_viewer_share_the_room(
    browser: Browser, example: RunningApp, dev_server: DevServer
) -> None:
    alice = open_room(browser, example, "alice", "acme-roadmap")
    bob = open_room(browser, example, "bob", "acme-roadmap")
    try:
        assert alice.get_attribute("[data-testid=access]", "data-access") == "write"
        assert bob.get_attribute("[data-testid=access]", "data-access") == "read-only"
        # "Why", from the app's explanation (room policy, then the level that decided).
        wait_for_why(alice, "write, via group editors")
        wait_for_why(bob, "read-only, via group viewers")
        assert text(alice, "me-name") == "Alice Martin"
        # Each sees the other's live avatar, and themselves.
        alice.wait_for_selector("[data-testid=avatars] [data-user=bob]")
        bob.wait_for_selector("[data-testid=avatars] [data-user=alice]")
        assert text(alice, "connection") == text(bob, "connection") == "connected"
        assert "Alice Martin (you)" in text(alice, "avatars")
        # "In this room" is what Liveblocks lists (rooms active-users): same connections.
        assert_page_agrees_with_active_users(alice, dev_server, "acme-roadmap")
        assert_page_agrees_with_active_users(bob, dev_server, "acme-roadmap")
        # The lines it shows to paste in a second terminal name this room and this dev server.
        cli = text(alice, "cli").splitlines()
        assert (
            cli[0]
            == f"export LIVEBLOCKS_SECRET_KEY=sk_localdev LIVEBLOCKS_BASE_URL={dev_server.base_url}"
        )
        assert cli[-1].endswith("/liveblocks-auth rooms active-users acme-roadmap")

        start = int(text(alice, "count"))
        wait_for_count(bob, start)
        assert alice.is_enabled("[data-testid=increment]")
        alice.click("[data-testid=increment]")
        wait_for_count(alice, start + 1)
        wait_for_count(bob, start + 1)  # alice's +1 reached bob

        assert bob.is_disabled("[data-testid=increment]")
        forced: Any = bob.evaluate("window.demo.forceIncrement()")
        assert forced.startswith("refused: Cannot write to storage with a read only user")
        alice.wait_for_timeout(1500)  # time for a write to travel, had it been accepted
        assert int(text(alice, "count")) == start + 1
        assert int(text(bob, "count")) == start + 1
        shoot(alice, example, "alice-roadmap")
        shoot(bob, example, "bob-roadmap")
    finally:
        alice.context.close()
        bob.context.close()


@pytest.mark.parametrize(
    ("user", "reason", "why"),
    [
        (
            "carol",
            "refused by Liveblocks (the room's permissions) — You have no access to this room",
            "refused by the room: no access for you, your groups (none) or everyone",
        ),
        (
            "dave",
            "refused by this app's endpoint — you may not enter this room",
            "refused by this app: you are in organization globex, this room belongs to acme",
        ),
    ],
)
def test_refused_users_see_why(
    browser: Browser, example: RunningApp, user: str, reason: str, why: str
) -> None:
    page = open_room(browser, example, user, "acme-roadmap")
    try:
        assert page.get_attribute("[data-testid=access]", "data-access") == "refused"
        assert reason in text(page, "access")  # the words, and who said them
        wait_for_why(page, why)
        assert page.is_disabled("[data-testid=increment]")
        # The empty cards say why they are empty.
        assert "you were refused, so you are not connected" in text(page, "avatars")
        assert "only people in the room can read it" in text(page, "write-note")
        shoot(page, example, f"{user}-roadmap")
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("user", "room"),
    [("alice", "acme-roadmap"), ("carol", "acme-handbook"), ("dave", "acme-roadmap")],
)
def test_each_user_lands_on_a_room_they_may_enter(
    browser: Browser, example: RunningApp, user: str, room: str
) -> None:
    """After login the page opens the first room the user may enter (dave may enter none)."""
    page = browser.new_context(viewport={"width": 900, "height": 760}).new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        page.goto(f"{example.url}/login/")
        page.select_option("select[name=username]", user)
        page.click("button[type=submit]")
        page.wait_for_url(f"{example.url}/")
        page.wait_for_selector("[data-testid=access][data-access]")
        assert page.get_attribute("[data-testid=rooms] [aria-current=page]", "href") == (
            f"/?room={room}"
        )
        expected = "refused" if user == "dave" else "write"
        assert page.get_attribute("[data-testid=access]", "data-access") == expected
    finally:
        page.context.close()


def test_artifacts_are_kept(example: RunningApp) -> None:
    """This run's screenshots of ``example`` (run after its other tests): every one the tests
    above take, each a PNG written by this run (``shoot`` removes an older one first)."""
    names = ["login", "alice-roadmap", "bob-roadmap", "carol-roadmap", "dave-roadmap"]
    expected = [ARTIFACTS / f"{example.app.name}-{name}.png" for name in names]
    assert [path for path in expected if path not in SHOT] == []
    for path in expected:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
