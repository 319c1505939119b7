"""docs/deploying.md, run as pasted against the official dev server: the secret key read from a
mounted file (its newline stripped), and the reachability check, true with the dev server and
false without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from liveblocks_auth import Liveblocks
from liveblocks_auth.testing import DevServer
from liveblocks_auth.testing.devserver import free_port
from tests.readme import DOCS, readme_block, run_block

PAGE = DOCS / "deploying.md"
pytestmark = pytest.mark.realstack


def test_the_secret_key_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dev_server: DevServer
) -> None:
    key_file = tmp_path / "liveblocks_secret_key"
    key_file.write_text(dev_server.secret + "\n")  # as `echo sk_... > file` writes it
    monkeypatch.setenv("LIVEBLOCKS_SECRET_KEY_FILE", str(key_file))
    monkeypatch.setenv("LIVEBLOCKS_BASE_URL", dev_server.base_url)
    namespace: dict[str, Any] = {}
    run_block(readme_block("secret-from-file", PAGE), namespace, PAGE)
    with namespace["client"] as client:
        assert client.identify_user("alice").status == 200


def test_the_reachability_check(dev_server: DevServer) -> None:
    namespace: dict[str, Any] = {}
    run_block(readme_block("health-check", PAGE), namespace, PAGE)
    reachable = namespace["liveblocks_reachable"]
    with Liveblocks(dev_server.secret, base_url=dev_server.base_url) as up:
        assert reachable(up) is True
    with Liveblocks(dev_server.secret, base_url=f"http://127.0.0.1:{free_port()}") as down:
        assert reachable(down) is False
