"""``liveblocks-auth webhooks send|secret`` against a real app listening on loopback."""

from __future__ import annotations

import io
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from liveblocks_auth import MemoryWebhookStore, WebhookEvent, WebhookHandler
from liveblocks_auth.cli import run
from liveblocks_auth.testing import FakeLiveblocks
from liveblocks_auth.testing.devserver import free_port
from liveblocks_auth.webhooks import generate_webhook_secret
from liveblocks_auth_flask import LiveblocksAuth
from tests.core.harness import SECRET as API_SECRET

SECRET = generate_webhook_secret()
BIN = Path(__import__("sys").executable).parent


class App:
    def __init__(self, url: str) -> None:
        self.url = url
        self.events: list[WebhookEvent] = []


@pytest.fixture
def app(fake: FakeLiveblocks) -> Iterator[App]:
    flask_app = Flask(__name__)
    flask_app.config.update(
        LIVEBLOCKS_SECRET_KEY=API_SECRET,
        LIVEBLOCKS_TRANSPORT=fake,
        LIVEBLOCKS_WEBHOOK_SECRET=SECRET,
    )
    liveblocks = LiveblocksAuth(flask_app, webhook_store=MemoryWebhookStore())
    port = free_port()
    served = App(f"http://127.0.0.1:{port}/api/liveblocks-webhook")
    liveblocks.webhook_handler(served.events.append)
    server = make_server("127.0.0.1", port, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served
    server.shutdown()
    thread.join()


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_send_posts_a_signed_event_the_app_accepts(app: App) -> None:
    code, out, err = cli(
        "webhooks", "send", "userEntered", "--url", app.url, "--secret", SECRET,
        "--room", "acme-roadmap", "--user", "alice",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "your app answered 200" in out
    [event] = app.events
    assert (event.type, event.room_id, event.user_id) == ("userEntered", "acme-roadmap", "alice")
    assert event.id in out


def test_send_reads_the_secret_from_the_environment_and_prints_json(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEBLOCKS_WEBHOOK_SECRET", SECRET)
    code, out, _ = cli(
        "webhooks", "send", "notification", "--kind", "textMention", "--url", app.url, "--json"
    )
    assert code == 0
    answer = json.loads(out)
    assert answer["status"] == 200
    assert answer["event"]["data"]["kind"] == "textMention"
    assert app.events[0].data["mentionId"] == answer["event"]["data"]["mentionId"]


def test_a_repeated_id_is_a_redelivery(app: App) -> None:
    args = ["webhooks", "send", "storageUpdated", "--url", app.url, "--secret", SECRET]
    assert cli(*args, "--id", "msg_fixed")[0] == 0
    code, out, _ = cli(*args, "--id", "msg_fixed", "--json")
    assert code == 0
    assert json.loads(json.loads(out)["answer"]) == {"ok": True, "duplicate": True}
    assert len(app.events) == 1


def test_the_wrong_secret_exits_1_with_the_apps_answer(app: App) -> None:
    code, out, _ = cli(
        "webhooks", "send", "roomCreated", "--url", app.url, "--secret", generate_webhook_secret()
    )
    assert code == 1
    assert "your app answered 401" in out
    assert "bad signature" in out
    assert app.events == []


def test_usage_errors_name_the_fix() -> None:
    code, _, err = cli("webhooks", "send", "storageUpdated")
    assert code == 2
    assert "--secret (or $LIVEBLOCKS_WEBHOOK_SECRET) is missing" in err
    code, _, err = cli("webhooks", "send", "storageUpdate", "--secret", SECRET)
    assert code == 2
    assert "invalid choice: 'storageUpdate'" in err
    code, _, err = cli("webhooks", "send", "userLeft", "--kind", "thread", "--secret", SECRET)
    assert (code, "only applies to notification" in err) == (2, True)


def test_nothing_listening_says_so_without_a_traceback() -> None:
    url = f"http://127.0.0.1:{free_port()}/api/liveblocks-webhook"
    done = subprocess.run(
        [str(BIN / "liveblocks-auth"), "webhooks", "send", "storageUpdated", "--url", url],
        env={"LIVEBLOCKS_WEBHOOK_SECRET": SECRET, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert f"could not reach {url}" in done.stderr
    assert "Is your app running?" in done.stderr
    assert "Traceback" not in done.stderr


def test_secret_prints_a_fresh_usable_secret() -> None:
    code, first, _ = cli("webhooks", "secret")
    second = json.loads(cli("webhooks", "secret", "--json")[1])["secret"]
    assert code == 0
    assert first.strip() != second
    handler: Any = WebhookHandler(first.strip())
    body = b'{"type": "roomDeleted", "data": {}}'
    assert handler.verify_request(handler.sign("msg_1", body), body).type == "roomDeleted"


def test_send_s_help_lists_the_event_types_and_no_liveblocks_url(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from liveblocks_auth.webhook_types import EVENT_TYPES

    assert run(["webhooks", "send", "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "--base-url" not in shown  # the command talks to your app, not to Liveblocks
    for event_type in EVENT_TYPES:
        assert event_type in shown
    assert run(["webhooks", "secret", "--help"]) == 0
    assert "--base-url" not in capsys.readouterr().out
