"""docs/webhooks.md's Celery recipe, run as pasted for each framework: a real Celery worker
(``celery -A tasks worker``) on a real Redis broker, the webhook endpoint on the Redis store.
Every delivery, redeliveries included, is answered 200 once enqueued, and its task runs once,
under the delivery id."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from starlette.applications import Starlette
from starlette.testclient import TestClient

from liveblocks_auth.testing import SignedWebhook, signed_webhook
from liveblocks_auth.webhooks import generate_webhook_secret
from tests.readme import DOCS, readme_block, run_block
from tests.redis_server import RedisServer

PAGE = DOCS / "webhooks.md"
SECRET = generate_webhook_secret()
URL = "/api/liveblocks-webhook"
EVENTS = 12
_DONE = re.compile(r"Task tasks\.handle_webhook_event\[([^\]]+)\] succeeded")


class Worker:
    """A Celery worker over the docs' tasks.py, its log read back."""

    def __init__(self, directory: Path, broker: str) -> None:
        self.log = directory / "worker.log"
        self.broker = broker
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        argv = [
            str(Path(sys.executable).parent / "celery"),
            "-A", "tasks", "worker",
            "--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel=INFO",
        ]  # fmt: skip
        env = {**os.environ, "CELERY_BROKER_URL": self.broker, "PYTHONPATH": str(self.directory)}
        env.pop("DJANGO_SETTINGS_MODULE", None)  # (the tests' Django; Celery would load it)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                argv,
                cwd=self.directory,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while "ready." not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the Celery worker did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    def done(self) -> Counter[str]:
        return Counter(_DONE.findall(self.log.read_text()))

    def wait_for(self, ids: set[str], timeout: float = 30) -> Counter[str]:
        deadline = time.monotonic() + timeout
        while not ids <= set(self.done()) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # a second run of any of them would show by now
        return self.done()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="module")
def worker(redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    directory = tmp_path_factory.mktemp("celery")
    (directory / "tasks.py").write_text(readme_block("celery-tasks", PAGE))
    running = Worker(directory, redis.url.replace("/0", "/1"))
    running.start()
    yield running
    running.stop()


@pytest.fixture
def tasks_module(worker: Worker, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The docs' ``from tasks import ...`` works here too, publishing to the worker's broker."""
    monkeypatch.setenv("CELERY_BROKER_URL", worker.broker)
    monkeypatch.setenv("LIVEBLOCKS_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", "sk_localdev")
    monkeypatch.setenv("LIVEBLOCKS_BASE_URL", "http://127.0.0.1:1153")
    monkeypatch.syspath_prepend(str(worker.directory))
    sys.modules.pop("tasks", None)
    yield
    sys.modules.pop("tasks", None)


def deliveries() -> list[SignedWebhook]:
    """Each event, then each again as Liveblocks redelivers it (same id, signed anew)."""
    first = [signed_webhook(SECRET, room_id=f"room-{n}") for n in range(EVENTS)]
    again = [signed_webhook(SECRET, body=d.body, webhook_id=d.id) for d in first]
    return first + again


def check(answers: list[tuple[int, Any]], sent: list[SignedWebhook], worker: Worker) -> None:
    assert [status for status, _ in answers] == [200] * len(sent)
    assert [body for _, body in answers[EVENTS:]] == [{"ok": True, "duplicate": True}] * EVENTS
    ids = {d.id for d in sent}
    assert worker.wait_for(ids) & Counter(ids) == Counter(ids)
    assert all(worker.done()[i] == 1 for i in ids)  # once per delivery id, no more
    log = worker.log.read_text()
    assert all(f"handling storageUpdated for room-{n}" in log for n in range(EVENTS))


@pytest.mark.usefixtures("tasks_module")
def test_the_django_recipe(settings: Any, worker: Worker, redis: RedisServer) -> None:
    from django.test import Client

    from liveblocks_auth_django.signals import webhook_received

    settings.LIVEBLOCKS = {
        "SECRET_KEY": "sk_test_0123456789abcdef",
        "WEBHOOK_DEDUPLICATION": redis.url,
    }
    namespace: dict[str, Any] = {}
    run_block(readme_block("celery-django", PAGE), namespace, PAGE)
    sent = deliveries()
    try:
        answers = []
        for delivery in sent:
            response = Client().post(
                URL, delivery.body, content_type="application/json", headers=delivery.headers
            )
            answers.append((response.status_code, response.json()))
    finally:
        webhook_received.disconnect(namespace["enqueue"])
    check(answers, sent, worker)


@pytest.mark.usefixtures("tasks_module")
def test_the_flask_recipe(worker: Worker, redis: RedisServer) -> None:
    app = Flask(__name__)
    app.config["LIVEBLOCKS_WEBHOOK_STORE"] = redis.url
    namespace: dict[str, Any] = {"app": app}
    run_block(readme_block("quickstart-flask"), namespace)
    run_block(readme_block("celery-flask", PAGE), namespace, PAGE)
    client = app.test_client()
    sent = deliveries()
    answers = []
    for delivery in sent:
        response = client.post(URL, data=delivery.body, headers=delivery.headers)
        answers.append((response.status_code, response.get_json()))
    check(answers, sent, worker)


@pytest.mark.usefixtures("tasks_module")
def test_the_starlette_recipe(
    worker: Worker, redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", redis.url)
    namespace: dict[str, Any] = {}
    run_block("from liveblocks_auth_starlette import LiveblocksAuth", namespace)
    run_block(readme_block("celery-starlette", PAGE), namespace, PAGE)
    liveblocks = namespace["liveblocks"]
    app = Starlette(routes=liveblocks.routes, lifespan=liveblocks.lifespan)
    sent = deliveries()
    with TestClient(app) as client:
        answers = []
        for delivery in sent:
            response = client.post(URL, content=delivery.body, headers=delivery.headers)
            answers.append((response.status_code, response.json()))
    check(answers, sent, worker)
