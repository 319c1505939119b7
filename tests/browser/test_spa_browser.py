"""The token-based examples in a real browser (Debian's Chromium, driven by Playwright): the
single-page app on one origin, the API and its Liveblocks endpoint on another (another port).

The page logs in for a bearer token and sends it from an authEndpoint callback: alice edits,
bob watches, dave is refused by our endpoint with its reason. A page on an origin that is not
allowed cannot log in, and the browser itself refuses it the endpoint's answer even with a valid
token (drf: the endpoint's own CORS; fastapi: beside Starlette's CORSMiddleware).
Screenshots are kept in test-artifacts/browser/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from examples.launch import TOKEN_APPS, RunningApp, serve_spa, serve_token_example
from liveblocks_auth.testing import DevServer, decode_token
from tests.browser.test_demo_browser import (
    TIMEOUT,
    assert_page_agrees_with_active_users,
    browser,
    shoot,
    text,
    wait_for_count,
    wait_for_why,
)

pytestmark = pytest.mark.realstack
__all__ = ["browser"]  # the fixture, from the demo's browser test

from playwright.sync_api import Browser, Page  # noqa: E402


class SpaExample:
    def __init__(self, running: RunningApp, spa: str, denied: str) -> None:
        self.running, self.spa, self.denied = running, spa, denied


@pytest.fixture(scope="module", params=sorted(TOKEN_APPS))
def example(
    request: pytest.FixtureRequest,
    dev_server: DevServer,
    demo_rooms: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SpaExample]:
    app = TOKEN_APPS[request.param]
    workdir: Path = tmp_path_factory.mktemp(f"spa-{request.param}")
    assert app.token is not None
    with (
        serve_token_example(app, dev_server.base_url, workdir) as (running, spa),
        serve_spa(running.url, app.token) as denied,  # the same page, an origin not allowed
    ):
        yield SpaExample(running, spa, denied)


def log_in(browser: Browser, origin: str, user: str, room: str | None = None) -> Page:
    page = browser.new_context(viewport={"width": 900, "height": 760}).new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{origin}/")
    page.wait_for_selector("[data-testid=login] select")
    # Logged out: no "Log out"; the hint names the header the token travels in.
    assert page.is_hidden("[data-testid=logout]")
    hint = page.inner_text("[data-testid=login] .hint")
    assert 'as "Authorization: Token' in hint or 'as "Authorization: Bearer' in hint, hint
    assert "Token token" not in hint
    page.select_option("[data-testid=login] select", user)
    page.click("[data-testid=login] button[type=submit]")
    if room is not None:
        page.wait_for_selector("[data-testid=me-name]:not(:empty)")
        page.goto(f"{origin}/?room={room}")
    return page


def wait_for_access(page: Page) -> str:
    page.wait_for_selector("[data-testid=access][data-access]")
    return str(page.get_attribute("[data-testid=access]", "data-access"))


CALL_ENDPOINT = """async ([url, authorization]) => {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: authorization },
      body: JSON.stringify({ room: "acme-roadmap" }),
    });
    return { status: response.status, body: await response.json() };
  } catch (error) {
    return { error: `${error.name}: ${error.message}` };
  }
}"""


def test_the_page_on_another_origin_enters_rooms_with_its_bearer_token(
    browser: Browser, example: SpaExample, dev_server: DevServer
) -> None:
    assert example.spa.rsplit(":", 1)[1] != example.running.url.rsplit(":", 1)[1]
    alice = log_in(browser, example.spa, "alice", "acme-roadmap")
    bob = log_in(browser, example.spa, "bob", "acme-roadmap")
    dave = log_in(browser, example.spa, "dave", "acme-roadmap")
    try:
        assert (wait_for_access(alice), wait_for_access(bob)) == ("write", "read-only")
        wait_for_why(alice, "write, via group editors")  # the API's /access, with the token
        assert text(alice, "me-name") == "Alice Martin"
        alice.wait_for_selector("[data-testid=avatars] [data-user=bob]")
        bob.wait_for_selector("[data-testid=avatars] [data-user=alice]")
        assert "Alice Martin (you)" in text(alice, "avatars")
        assert_page_agrees_with_active_users(alice, dev_server, "acme-roadmap")
        start = int(text(alice, "count"))
        alice.click("[data-testid=increment]")
        wait_for_count(bob, start + 1)
        assert bob.is_disabled("[data-testid=increment]")
        # dave (organization globex): refused by our endpoint, its reason shown, no retry loop.
        assert wait_for_access(dave) == "refused"
        refusal = "refused by this app's endpoint — you may not enter this room"
        assert text(dave, "access") == refusal
        wait_for_why(
            dave, "refused by this app: you are in organization globex, this room belongs to acme"
        )
        shoot(alice, example.running, "spa-alice")
        shoot(dave, example.running, "spa-dave-refused")
        # The same call from the page's script: a readable answer with a fresh token.
        answer: Any = alice.evaluate(
            CALL_ENDPOINT, [example.running.auth_url, example.running.bearer("alice")]
        )
        assert answer["status"] == 200
        assert decode_token(answer["body"]["token"])["uid"] == "alice"
        refused: Any = alice.evaluate(CALL_ENDPOINT, [example.running.auth_url, "Token nope"])
        assert refused["status"] == 401  # readable too: the page can tell the user
    finally:
        for page in (alice, bob, dave):
            page.context.close()


def test_a_page_on_an_origin_not_allowed_gets_nothing(
    browser: Browser, example: SpaExample
) -> None:
    page = log_in(browser, example.denied, "alice")
    try:
        page.wait_for_selector("[data-testid=login-error]:not(:empty)")
        assert text(page, "login-error").startswith("cannot log in from this origin: ")
        # Even with a valid token, the browser refuses the page the endpoint's answer.
        answer: Any = page.evaluate(
            CALL_ENDPOINT, [example.running.auth_url, example.running.bearer("alice")]
        )
        assert answer == {"error": "TypeError: Failed to fetch"}
        shoot(page, example.running, "spa-denied-origin")
    finally:
        page.context.close()
    log = example.running.log.read_text()
    if example.running.app.name == "drf":  # our endpoint answered the preflight itself
        assert '"OPTIONS /api/liveblocks-auth HTTP/1.1" 403' in log
