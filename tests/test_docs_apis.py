"""docs/apis-and-spas.md, run as pasted against the official dev server: the FastAPI app, and
the Flask and Starlette bearer-token resolvers (the Django blocks run in
tests/django/test_context.py; tests/test_readme_blocks.py holds every block to be tested or a
fragment)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from starlette.testclient import TestClient

from liveblocks_auth.testing import DevServer, decode_token
from liveblocks_auth_flask import LiveblocksAuth
from tests.readme import DOCS, readme_block, run_block

PAGE = DOCS / "apis-and-spas.md"
URL = "/api/liveblocks-auth"
ALICE = {"Authorization": "Bearer token-of-alice"}

pytestmark = pytest.mark.realstack


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, dev_server: DevServer) -> None:
    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", dev_server.secret)
    monkeypatch.setenv("LIVEBLOCKS_BASE_URL", dev_server.base_url)


def run(name: str, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    namespace = {} if namespace is None else namespace
    run_block(readme_block(name), namespace, PAGE)
    return namespace


def assert_alice_from_the_dev_server(response: Any) -> None:
    assert response.status_code == 200
    claims = decode_token(response.json()["token"])
    assert (claims["k"], claims["pid"], claims["uid"]) == ("id", "localdev", "alice")
    assert claims["ui"] == {"name": "Alice"}


def test_the_fastapi_app() -> None:
    app = run("fastapi-app")["app"]
    with TestClient(app) as client:
        assert_alice_from_the_dev_server(client.post(URL, json={"room": "r"}, headers=ALICE))
        anonymous = client.post(URL, json={"room": "r"})
        wrong = client.post(URL, json={"room": "r"}, headers={"Authorization": "Bearer x"})
        schema = client.get("/openapi.json").json()
    assert (anonymous.status_code, anonymous.json()) == (401, {"detail": "Not authenticated"})
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "invalid token"})
    assert URL in schema["paths"]


def test_the_flask_bearer_resolver() -> None:
    app = Flask(__name__)
    liveblocks = LiveblocksAuth(app)
    run("flask-bearer", {"liveblocks": liveblocks})
    client = app.test_client()
    response = client.post(URL, json={"room": "r"}, headers=ALICE)
    assert response.status_code == 200
    claims = decode_token(response.get_json()["token"])
    assert (claims["uid"], claims["ui"]) == ("alice", {"name": "Alice"})
    assert client.post(URL, json={"room": "r"}).status_code == 401


def test_the_starlette_bearer_app() -> None:
    app = run("starlette-bearer")["app"]
    with TestClient(app) as client:
        assert_alice_from_the_dev_server(client.post(URL, json={"room": "r"}, headers=ALICE))
        assert client.post(URL, json={"room": "r"}).status_code == 401


def test_every_liveblocks_setting_is_in_the_django_guide_s_table() -> None:
    from liveblocks_auth_django.conf import DEFAULTS

    text = (DOCS / "django.md").read_text()
    table = text[text.index("| key | default | meaning |", text.index("### `LIVEBLOCKS`")) :]
    table = table[: table.index("\n\n")]
    missing = [key for key in DEFAULTS if f"| `{key}` |" not in table]
    assert missing == []
