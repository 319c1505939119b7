"""docs/room-data.md, run as pasted: the tour and the Yjs example against the official dev
server, the fake example, and each framework's webhook handler receiving a signed
storageUpdated delivery through the real endpoint and reading the room's storage."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from starlette.applications import Starlette
from starlette.testclient import TestClient

from liveblocks_auth import Liveblocks
from liveblocks_auth.testing import DevServer, signed_webhook
from liveblocks_auth.webhooks import generate_webhook_secret
from liveblocks_auth_flask import LiveblocksAuth
from tests.readme import DOCS, readme_block, run_block

PAGE = DOCS / "room-data.md"
WEBHOOK_SECRET = generate_webhook_secret()
URL = "/api/liveblocks-webhook"
STORAGE = {"liveblocksType": "LiveObject", "data": {"count": 3, "title": "Roadmap"}}

pytestmark = pytest.mark.realstack


def block(name: str) -> str:
    return readme_block(name, PAGE)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, dev_server: DevServer) -> None:
    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", dev_server.secret)
    monkeypatch.setenv("LIVEBLOCKS_BASE_URL", dev_server.base_url)
    monkeypatch.setenv("LIVEBLOCKS_WEBHOOK_SECRET", WEBHOOK_SECRET)


@pytest.fixture
def room(dev_server: DevServer) -> str:
    """A room whose storage holds STORAGE, as a storageUpdated event would announce."""
    room_id = f"docs-{uuid.uuid4().hex[:8]}"
    with Liveblocks(dev_server.secret, base_url=dev_server.base_url) as lb:
        lb.create_room(room_id, default_accesses=["room:write"])
        lb.initialize_storage_document(room_id, STORAGE)
    return room_id


def test_the_tour_runs_and_runs_again(capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(2):
        namespace: dict[str, Any] = {}
        run_block(block("room-data-tour"), namespace, PAGE)
        namespace["lb"].close()
        assert capsys.readouterr().out == "{'count': 1, 'todos': ['write the docs']}\n[]\n"


def test_the_readme_example(capsys: pytest.CaptureFixture[str], dev_server: DevServer) -> None:
    with Liveblocks(dev_server.secret, base_url=dev_server.base_url) as lb:
        if any(room.id == "my-room" for room in lb.list_rooms()):
            lb.delete_room("my-room")  # "a new room", as the README says
    namespace: dict[str, Any] = {}
    run_block(readme_block("room-data"), namespace)
    namespace["lb"].close()
    storage, users = capsys.readouterr().out.splitlines()
    assert (storage, users) == ("{}", "[]")


def test_the_yjs_example_writes_with_pycrdt(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {}
    run_block(block("room-data-yjs"), namespace, PAGE)
    lb = namespace["lb"]
    try:
        out = capsys.readouterr().out
        assert out.startswith("{'title': '")
        assert "Hello from Python. " in out
        assert "Hello from Python. " in lb.get_yjs_document("docs-yjs", key="title")["title"]
    finally:
        lb.close()


def test_the_fake_example() -> None:
    namespace: dict[str, Any] = {}
    run_block(block("room-data-fake"), namespace, PAGE)
    assert namespace["fake"].calls[-1].path == "/v2/rooms/my-room/broadcast-event"


def test_django_receiver_saves_the_storage(settings: Any, room: str, dev_server: DevServer) -> None:
    from django.test import Client

    from liveblocks_auth_django.signals import webhook_received

    settings.LIVEBLOCKS = {"SECRET_KEY": dev_server.secret, "BASE_URL": dev_server.base_url}
    namespace: dict[str, Any] = {}
    run_block(block("room-data-django"), namespace, PAGE)
    try:
        delivery = signed_webhook(WEBHOOK_SECRET, "storageUpdated", room_id=room)
        response = Client().post(
            URL, delivery.body, content_type="application/json", headers=delivery.headers
        )
    finally:
        webhook_received.disconnect(namespace["save_storage"])
    assert response.status_code == 200
    assert namespace["SAVED"] == {room: {"count": 3, "title": "Roadmap"}}


def flask_quickstart() -> dict[str, Any]:
    """The Flask quickstart's app and extension, the key from $LIVEBLOCKS_SECRET_KEY (the
    quickstart's other way) instead of its placeholder."""
    app = Flask(__name__)
    return {"app": app, "liveblocks": LiveblocksAuth(app)}


def test_flask_handler_saves_the_storage(room: str) -> None:
    namespace = flask_quickstart()
    run_block(block("room-data-flask"), namespace, PAGE)
    client = namespace["app"].test_client()
    delivery = signed_webhook(WEBHOOK_SECRET, "storageUpdated", room_id=room)
    assert client.post(URL, data=delivery.body, headers=delivery.headers).status_code == 200
    assert namespace["SAVED"] == {room: {"count": 3, "title": "Roadmap"}}


def test_starlette_handler_saves_the_storage(room: str) -> None:
    namespace: dict[str, Any] = {}
    run_block("from liveblocks_auth_starlette import LiveblocksAuth", namespace)
    run_block(block("room-data-starlette"), namespace, PAGE)
    liveblocks = namespace["liveblocks"]
    app = Starlette(routes=liveblocks.routes, lifespan=liveblocks.lifespan)
    delivery = signed_webhook(WEBHOOK_SECRET, "storageUpdated", room_id=room)
    with TestClient(app) as client:
        response = client.post(URL, content=delivery.body, headers=delivery.headers)
    assert response.status_code == 200
    assert namespace["SAVED"] == {room: {"count": 3, "title": "Roadmap"}}


def test_a_handler_that_cannot_read_the_storage_answers_500_for_a_redelivery(
    dev_server: DevServer,
) -> None:
    namespace = flask_quickstart()
    run_block(block("room-data-flask"), namespace, PAGE)
    client = namespace["app"].test_client()
    delivery = signed_webhook(WEBHOOK_SECRET, "storageUpdated", room_id="no-such-room")
    assert client.post(URL, data=delivery.body, headers=delivery.headers).status_code == 500
    assert namespace["SAVED"] == {}
