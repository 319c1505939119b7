"""``liveblocks-auth dev-server``: the official dev server for your own app, from one command."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from liveblocks_auth import Liveblocks, decode_token
from liveblocks_auth.devserver import BUN_VERSION, LIVEBLOCKS_CLI_VERSION, DevServer
from liveblocks_auth.testing.devserver import free_port
from tests.conftest import NODE_MODULES, ROOT
from tests.processes import read_until

pytestmark = pytest.mark.realstack
CLI = str(Path(sys.executable).parent / "liveblocks-auth")


def start(*argv: str, cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOCKS_")}
    return subprocess.Popen(
        [CLI, "dev-server", *argv],
        cwd=cwd,  # the node_modules is found from the working directory, as in a user's app
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_it_runs_prints_the_settings_and_stops_with_everything_it_started(
    tmp_path: Path,
) -> None:
    port = free_port()
    process = start("--port", str(port), cwd=ROOT)
    output = read_until(process, "Press Ctrl-C to stop.")
    base = f"http://127.0.0.1:{port}"
    try:
        assert f"Liveblocks dev server running at {base}" in output
        assert f"export LIVEBLOCKS_BASE_URL={base}" in output
        assert "export LIVEBLOCKS_SECRET_KEY=sk_localdev" in output
        assert f'baseUrl: "{base}"' in output
        # The settings it printed work.
        with Liveblocks("sk_localdev", base_url=base) as lb:
            answer = lb.identify_user("olivier")
        assert answer.status == 200
        assert decode_token(json.loads(answer.body)["token"])["uid"] == "olivier"
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=30)
    assert process.returncode == 0, rest
    assert rest.strip().endswith("Stopped.")
    with pytest.raises(httpx.ConnectError):  # bun is gone too, not only its node wrapper
        httpx.get(f"{base}/health", timeout=2)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # the port is free again


def test_a_busy_port_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [CLI, "dev-server", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: port {port} on 127.0.0.1 is already in use")
    assert "Traceback" not in done.stderr


def test_without_node_modules_npx_fetches_the_pinned_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Outside a checkout (no node_modules found), npx fetches the same versions as the tests pin.
    pinned = json.loads((NODE_MODULES.parent / "package.json").read_text())["dependencies"]
    assert (pinned["liveblocks"], pinned["bun"]) == (LIVEBLOCKS_CLI_VERSION, BUN_VERSION)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LIVEBLOCKS_NODE_MODULES", raising=False)
    server = DevServer(use_npx=True, port=1234, data_dir=tmp_path / "rooms")
    argv = server.command()
    assert Path(argv[0]).name == "npx"
    assert argv[1:7] == [
        "--yes",
        "--package",
        f"liveblocks@{LIVEBLOCKS_CLI_VERSION}",
        "--package",
        f"bun@{BUN_VERSION}",
        "liveblocks",
    ]
    assert argv[7:] == ["dev", "--no-check", "--host", "127.0.0.1", "-p", "1234"]  # persisted
    assert "npx" in server.source


def test_outside_a_checkout_it_really_runs_through_npx(tmp_path: Path) -> None:
    # A user's own project: no node_modules anywhere up from it. npx fetches the pinned CLI
    # and bun (once: npm caches them), and Ctrl-C stops them all.
    port = free_port()
    project = tmp_path / "my-app"
    project.mkdir()
    process = start("--port", str(port), "--data", str(project / "rooms"), cwd=project)
    output = read_until(process, "Press Ctrl-C to stop.", timeout=280)
    base = f"http://127.0.0.1:{port}"
    try:
        assert f"from npx (liveblocks@{LIVEBLOCKS_CLI_VERSION}, bun@{BUN_VERSION})" in output
        assert f"Rooms are kept in {project / 'rooms'}" in output
        with Liveblocks("sk_localdev", base_url=base) as lb:
            lb.create_room("kept-room", default_accesses=["room:write"])
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=30)
    assert process.returncode == 0, rest
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/health", timeout=2)
    # --data keeps the rooms: a second run finds the room again.
    process = start("--port", str(port), "--data", str(project / "rooms"), cwd=project)
    read_until(process, "Press Ctrl-C to stop.", timeout=280)
    try:
        with Liveblocks("sk_localdev", base_url=base) as lb:
            assert lb.get_room("kept-room").id == "kept-room"
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
