"""Each example app, under its production server, verifies and handles webhook deliveries sent
with the README's command (``liveblocks-auth webhooks send``), and refuses forged ones."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from liveblocks_auth import Liveblocks
from liveblocks_auth.testing import DevServer, signed_webhook
from liveblocks_auth.testing.demo import DEMO_WEBHOOK_SECRET, WEBHOOK_LOG_PREFIX
from liveblocks_auth.webhooks import generate_webhook_secret
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "examples"))
from launch import APPS, TOKEN_APPS, serve_example

EVERY_APP = {**APPS, **TOKEN_APPS}

pytestmark = pytest.mark.realstack
CLI = str(Path(sys.executable).parent / "liveblocks-auth")


def webhook_lines(log: Path, count: int, timeout: float = 10) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        lines = [
            line for line in log.read_text().splitlines() if line.startswith(WEBHOOK_LOG_PREFIX)
        ]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


@pytest.mark.parametrize("name", sorted(EVERY_APP))
def test_the_example_prints_verified_webhooks(
    name: str, dev_server: DevServer, tmp_path: Path
) -> None:
    # A room whose storage holds the demo's counter, as the page would have left it.
    room = f"acme-hook-{uuid.uuid4().hex[:8]}"
    with Liveblocks(dev_server.secret, base_url=dev_server.base_url) as lb:
        lb.create_room(room, default_accesses=["room:write"])
        lb.initialize_storage_document(room, {"liveblocksType": "LiveObject", "data": {"count": 5}})
    with serve_example(EVERY_APP[name], dev_server.base_url, tmp_path) as running:
        url = f"{running.url}/api/liveblocks-webhook"
        sent = subprocess.run(
            [CLI, "webhooks", "send", "storageUpdated", "--room", room, "--url", url],
            env={"LIVEBLOCKS_WEBHOOK_SECRET": DEMO_WEBHOOK_SECRET, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert "your app answered 200" in sent.stdout
        forged = signed_webhook(generate_webhook_secret(), "roomDeleted")
        refused = httpx.post(url, content=forged.body, headers=forged.headers, timeout=10)
        assert refused.status_code == 401
        event, storage = webhook_lines(running.log, 2)
    assert event.startswith(f"{WEBHOOK_LOG_PREFIX} storageUpdated msg_")
    assert event.endswith(f"room={room}")
    # The handler read the room's storage with get_storage_document, as the README says.
    assert storage == f"{WEBHOOK_LOG_PREFIX}   storage of {room}: count = 5"
