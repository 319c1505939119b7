"""docs/comments.md: the fake example prints what its comment says, and each framework's bot,
run as pasted after its quickstart, answers a new thread (a signed ``threadCreated`` delivery)
with a reply posted through the adapter's client, against the fake."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from flask import Flask
from starlette.applications import Starlette
from starlette.testclient import TestClient

from liveblocks_auth import Liveblocks, Thread, comment_body_from_text, stringify_comment_body
from liveblocks_auth.testing import FakeLiveblocks, signed_webhook
from liveblocks_auth.webhook_samples import sample_event
from liveblocks_auth.webhooks import generate_webhook_secret
from liveblocks_auth_flask import LiveblocksAuth as FlaskLiveblocksAuth
from liveblocks_auth_starlette import LiveblocksAuth as StarletteLiveblocksAuth
from tests.core.harness import SECRET
from tests.readme import DOCS, readme_block, run_block

PAGE = DOCS / "comments.md"
WEBHOOK_SECRET = generate_webhook_secret()
URL = "/api/liveblocks-webhook"
ANSWER = "Thanks! Someone will look at: Why is the build red?"


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY", SECRET)
    monkeypatch.setenv("LIVEBLOCKS_WEBHOOK_SECRET", WEBHOOK_SECRET)


@pytest.fixture
def thread(fake: FakeLiveblocks) -> Thread:
    fake.add_room("support")
    with Liveblocks(SECRET, transport=fake) as lb:
        body = comment_body_from_text("Why is the build red?")
        return lb.create_thread("support", user_id="alice", body=body)


def delivery(thread: Thread) -> Any:
    event = sample_event("threadCreated", room_id=thread.room_id, user_id="alice")
    event["data"]["threadId"] = thread.id
    return signed_webhook(WEBHOOK_SECRET, body=event)


def answered(fake: FakeLiveblocks, thread: Thread) -> list[tuple[str, str]]:
    comments = fake.threads[thread.room_id][thread.id]["comments"]
    return [(c["userId"], stringify_comment_body(c["body"])) for c in comments[1:]]


def test_the_fake_example(capsys: pytest.CaptureFixture[str]) -> None:
    run_block(readme_block("threads-fake", PAGE), {}, PAGE)
    assert capsys.readouterr().out == "['Ship on Friday?', 'Yes.']\n"


def test_the_django_bot(settings: Any, fake: FakeLiveblocks, thread: Thread) -> None:
    from django.test import Client

    from liveblocks_auth_django.signals import webhook_received

    settings.LIVEBLOCKS = {"SECRET_KEY": SECRET, "TRANSPORT": fake}
    namespace: dict[str, Any] = {}
    run_block(readme_block("thread-bot-django", PAGE), namespace, PAGE)
    try:
        signed = delivery(thread)
        response = Client().post(
            URL, signed.body, content_type="application/json", headers=signed.headers
        )
    finally:
        webhook_received.disconnect(namespace["answer_new_thread"])
    assert response.status_code == 200
    assert answered(fake, thread) == [("support-bot", ANSWER)]


def test_the_flask_bot(fake: FakeLiveblocks, thread: Thread) -> None:
    app = Flask(__name__)
    app.config["LIVEBLOCKS_TRANSPORT"] = fake
    namespace: dict[str, Any] = {"app": app, "liveblocks": FlaskLiveblocksAuth(app)}
    run_block(readme_block("thread-bot-flask", PAGE), namespace, PAGE)
    signed = delivery(thread)
    response = app.test_client().post(URL, data=signed.body, headers=signed.headers)
    assert response.status_code == 200
    assert answered(fake, thread) == [("support-bot", ANSWER)]
    # Another event type reaches no handler: nothing more is posted.
    other = signed_webhook(WEBHOOK_SECRET, "commentCreated", room_id="support")
    assert app.test_client().post(URL, data=other.body, headers=other.headers).status_code == 200
    assert len(answered(fake, thread)) == 1


def test_the_starlette_bot(fake: FakeLiveblocks, thread: Thread) -> None:
    namespace: dict[str, Any] = {
        "LiveblocksAuth": functools.partial(StarletteLiveblocksAuth, transport=fake)
    }
    run_block(readme_block("thread-bot-starlette", PAGE), namespace, PAGE)
    liveblocks = namespace["liveblocks"]
    app = Starlette(routes=liveblocks.routes, lifespan=liveblocks.lifespan)
    signed = delivery(thread)
    with TestClient(app) as client:
        response = client.post(URL, content=signed.body, headers=signed.headers)
    assert response.status_code == 200
    assert answered(fake, thread) == [("support-bot", ANSWER)]


def test_a_bot_that_cannot_read_the_thread_answers_500_and_posts_nothing(
    fake: FakeLiveblocks, thread: Thread
) -> None:
    app = Flask(__name__)
    app.config["LIVEBLOCKS_TRANSPORT"] = fake
    namespace: dict[str, Any] = {"app": app, "liveblocks": FlaskLiveblocksAuth(app)}
    run_block(readme_block("thread-bot-flask", PAGE), namespace, PAGE)
    gone = Thread.from_json({**thread.raw, "id": "th_deleted"})
    signed = delivery(gone)
    response = app.test_client().post(URL, data=signed.body, headers=signed.headers)
    assert response.status_code == 500  # Liveblocks delivers it again later
    assert answered(fake, thread) == []


def test_the_feeds_example(capsys: pytest.CaptureFixture[str]) -> None:
    page = DOCS / "feeds.md"
    run_block(readme_block("feeds-fake", page), {}, page)
    assert capsys.readouterr().out == "['Summarize', 'Done.']\n"


def test_the_ai_example(capsys: pytest.CaptureFixture[str]) -> None:
    page = DOCS / "ai-copilots.md"
    run_block(readme_block("ai-fake", page), {}, page)
    assert capsys.readouterr().out == "['ai-knowledge-file-source', 'ai-knowledge-web-source']\n"
