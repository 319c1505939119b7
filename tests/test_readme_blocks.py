"""The README's remaining Python blocks, run as pasted (the quickstarts run in
tests/test_distribution.py, room data, webhooks and the docs pages in their own test modules),
and the rule that keeps them honest: every Python block of the README and of docs/ is either
tested (and some test names it) or marked as a fragment."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from liveblocks_auth import LiveblocksError, decode_token
from liveblocks_auth.testing import DevServer
from tests.conftest import NODE_MODULES, ROOT
from tests.processes import run_ok
from tests.readme import DOCS, pages, readme_block, run_block

pytestmark = pytest.mark.realstack


def test_every_python_block_is_tested_or_a_fragment() -> None:
    tests_text = "\n".join(path.read_text() for path in (ROOT / "tests").rglob("*.py"))
    for page in pages():
        text = page.read_text()
        for match in re.finditer(r"(?:(<!--[^>]*-->)\n)?```python\n", text):
            marker = match.group(1) or ""
            line = text[: match.start()].count("\n") + 2
            assert marker.startswith(("<!-- tested: ", "<!-- fragment")), f"{page.name}:{line}"
            name = re.match(r"<!-- tested: ([\w-]+)", marker)
            if name:  # a test runs it: its name is in the tests
                assert f'"{name.group(1)}"' in tests_text, f"{page.name}:{line} {name.group(1)}"


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, dev_server: DevServer) -> None:
    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", dev_server.secret)
    monkeypatch.setenv("LIVEBLOCKS_BASE_URL", dev_server.base_url)


@pytest.mark.usefixtures("environment")
def test_the_core_quickstart_gets_id_and_access_tokens() -> None:
    namespace: dict[str, Any] = {}
    run_block(readme_block("core-identify"), namespace)
    answer = namespace["status_and_body"]
    assert answer.status == 200
    claims = decode_token(json.loads(answer.body)["token"])
    assert (claims["k"], claims["uid"], claims["gids"]) == (
        "id",
        "olivier@example.com",
        ["engineering"],
    )
    run_block(readme_block("core-access-token"), namespace)
    claims = decode_token(json.loads(namespace["answer"].body)["token"])
    assert claims["k"] == "acc"
    assert claims["perms"] == {
        "acme-*": ["room:read", "room:presence:write"],
        "acme-roadmap": ["room:write"],
    }
    namespace["liveblocks"].close()


def test_the_rooms_block_on_a_dev_server_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    with DevServer(NODE_MODULES) as server:  # it creates and deletes acme-roadmap
        monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", server.secret)
        monkeypatch.setenv("LIVEBLOCKS_BASE_URL", server.base_url)
        namespace: dict[str, Any] = {}
        run_block(readme_block("core-identify"), namespace)
        liveblocks = namespace["liveblocks"]
        created: list[Any] = []
        real_create = liveblocks.create_room
        monkeypatch.setattr(
            liveblocks, "create_room", lambda *a, **k: created.append(real_create(*a, **k))
        )
        run_block(readme_block("rooms"), namespace)
        [room] = created
        assert (room.id, room.organization_id, room.metadata) == (
            "acme-roadmap",
            "acme",
            {"title": "Roadmap"},
        )
        assert room.groups_accesses["viewers"] == ["room:read", "room:presence:write"]
        with pytest.raises(LiveblocksError) as gone:
            liveblocks.get_room("acme-roadmap")  # the block deleted it
        assert gone.value.status == 404
        liveblocks.close()


def test_testing_your_app_runs_under_pytest(tmp_path: Path) -> None:
    (tmp_path / "test_app.py").write_text(readme_block("testing-your-app") + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIVEBLOCKS_", "DJANGO_"))}
    env["LIVEBLOCKS_NODE_MODULES"] = str(NODE_MODULES)  # else npx fetches the CLI
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:django"]
    assert "2 passed" in run_ok([*pytest, "."], cwd=tmp_path, env=env, timeout=180)


@pytest.mark.usefixtures("environment")
def test_the_starlette_quickstart_runs_as_pasted_and_answers_401() -> None:
    from starlette.testclient import TestClient

    namespace: dict[str, Any] = {}
    run_block(readme_block("quickstart-starlette"), namespace)
    with TestClient(namespace["app"]) as client:
        answer = client.post("/api/liveblocks-auth", json={"room": "r"})
        health = client.post("/api/liveblocks-auth", content=b"{", headers={"Content-Type": "x"})
    assert answer.status_code == 401  # the placeholder: nobody is logged in
    assert answer.json()["error"] == "unauthorized"
    assert health.status_code == 415  # the endpoint is really there, checking its input


@pytest.mark.usefixtures("environment")
def test_the_starlette_authentication_backend_block_serves_the_session_user() -> None:
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.testclient import TestClient

    namespace: dict[str, Any] = {}
    run_block(readme_block("starlette-backend"), namespace, DOCS / "starlette.md")
    app = namespace["app"]

    async def login(request: Request) -> PlainTextResponse:  # stands for the app's login view
        request.session["user"] = "alice"
        return PlainTextResponse("ok")

    app.add_route("/login", login)
    with TestClient(app) as client:
        anonymous = client.post("/api/liveblocks-auth", json={"room": "r"})
        client.get("/login")
        answer = client.post("/api/liveblocks-auth", json={"room": "r"})
    assert anonymous.status_code == 401
    assert answer.status_code == 200, answer.text
    assert decode_token(answer.json()["token"])["uid"] == "alice"
