"""The README's main-job command: up, serving, and stopped cleanly by Ctrl-C."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from liveblocks_auth.devserver import port_in_use
from liveblocks_auth.testing import DevServer
from liveblocks_auth.testing.devserver import free_port
from tests.conftest import ROOT
from tests.processes import read_until
from tests.readme import readme_block

pytestmark = pytest.mark.realstack


def start_demo(port: int, framework: str = "starlette", **env: str) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOCKS_")}
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "examples" / "run_demo.py"),
            "--framework",
            framework,
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**clean, **env},
    )


def read_until_ready(process: subprocess.Popen[str], timeout: float = 90) -> str:
    return read_until(process, "Ready.", timeout)


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=30)
    return process.returncode, rest


def test_the_demo_comes_up_serves_and_stops_cleanly() -> None:
    port = free_port()
    process = start_demo(port)
    output = read_until_ready(process)
    try:
        assert "Liveblocks: the official Liveblocks dev server at http://127.0.0.1:" in output
        assert "Rooms ready: acme-roadmap, acme-handbook, acme-private" in output
        assert f"http://127.0.0.1:{port}/login/" in output
        assert "alice  Alice Martin" in output
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            assert client.get("/login/").status_code == 200
            client.post("/login/", data={"username": "alice"})
            me: Any = client.get("/me").json()
            assert me["id"] == "alice"
            assert me["liveblocksBaseUrl"].startswith("http://127.0.0.1:")
            assert client.get("/static/liveblocks-demo.js").status_code == 200
            token = client.post("/api/liveblocks-auth", json={"room": "acme-roadmap"})
            assert token.status_code == 200
            dev_url = me["liveblocksBaseUrl"]
        # The CLI lines the terminal prints, and the page shows, run as printed from a second
        # terminal: another directory, none of the demo's environment.
        printed = output.split("in a second terminal, paste:\n", 1)[1].split("\n\n", 1)[0]
        cli_lines = [line.strip() for line in printed.splitlines()]
        assert cli_lines == [*me["cliSetup"], f"{me['cli']} rooms active-users acme-roadmap"]
        fresh = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOCKS_")}
        fresh["PATH"] = "/usr/bin:/bin"
        ran = subprocess.run(
            ["bash", "-c", "\n".join(cli_lines)],
            cwd="/",
            env=fresh,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert "connected to acme-roadmap" in ran.stdout
        # The webhook command the demo prints, run as printed, shows up in the demo's terminal.
        [command] = [line.strip() for line in output.splitlines() if "webhooks send" in line]
        assert f"--url http://127.0.0.1:{port}/api/liveblocks-webhook" in command
        # The README shows the same command for the default port.
        assert command.replace(f":{port}/", ":8000/") == readme_block("demo-webhook")
        sent = subprocess.run(
            shlex.split(command), cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert sent.returncode == 0, sent.stdout + sent.stderr
        time.sleep(1)  # the demo polls the app's log every 0.2 s
    finally:
        code, rest = stop(process)
    assert code == 0, rest
    assert rest.strip().endswith("Stopped.")
    assert "[webhook] storageUpdated msg_" in rest
    # The token the test asked for, as the demo's terminal shows the endpoint's decision.
    assert (
        "[auth] alice, room 'acme-roadmap': 200, id token issued; the room's permissions decide "
        "at its door" in rest
    )
    assert "room=acme-roadmap" in rest
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/login/", timeout=2)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{dev_url}/health", timeout=2)  # the dev server is gone too


def test_with_a_configured_project_it_uses_that_and_says_so(dev_server: DevServer) -> None:
    port = free_port()
    process = start_demo(
        port, LIVEBLOCKS_SECRET_KEY=dev_server.secret, LIVEBLOCKS_BASE_URL=dev_server.base_url
    )
    output = read_until_ready(process)
    code, _ = stop(process)
    assert (
        f"your Liveblocks project at {dev_server.base_url} (from LIVEBLOCKS_SECRET_KEY)" in output
    )
    assert code == 0
    assert httpx.get(f"{dev_server.base_url}/health").status_code == 200  # not ours to stop


def two_free_ports() -> int:
    """A port whose next one is free too (the token-based demos use both)."""
    for _ in range(20):
        port = free_port()
        if not port_in_use(port + 1):
            return port
    raise AssertionError("no two consecutive free ports")


@pytest.mark.parametrize(("framework", "login"), [("drf", "/api/token/"), ("fastapi", "/token")])
def test_the_token_based_demos_serve_their_page_from_another_origin(
    framework: str, login: str
) -> None:
    port = two_free_ports()
    api, page = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
    process = start_demo(port, framework)
    output = read_until_ready(process)
    try:
        # The first URL printed is the page's: the API's answers 404 in a browser.
        urls = re.findall(r"http://127\.0\.0\.1:\d+/?", output.split("Rooms ready:", 1)[1])
        assert urls[0] == f"{page}/", output
        assert f"example: open its page, {page}/ (its API runs at {api})" in output
        assert "a single-page app on another origin than the API" in output
        assert f"Open {page}/ and log in" in output
        config: Any = httpx.get(f"{page}/config.json", timeout=10).json()
        assert (config["api"], config["tokenPath"]) == (api, login)
        assert "liveblocks-spa.js" in httpx.get(f"{page}/", timeout=10).text
        token = httpx.post(f"{api}{login}", data={"username": "alice", "password": "x"}).json()
        bearer = f"{config['scheme']} {token[config['tokenField']]}"
        answer = httpx.post(
            f"{api}/api/liveblocks-auth",
            json={"room": "acme-roadmap"},
            headers={"Authorization": bearer, "Origin": page, "Sec-Fetch-Site": "same-site"},
        )
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == page
    finally:
        code, rest = stop(process)
    assert code == 0, rest


def test_a_busy_port_is_refused_with_a_clear_message() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start_demo(port)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 2
    assert f"error: port {port} on 127.0.0.1 is already in use" in output
    assert "--port" in output
    assert "Ready" not in output
    assert "Liveblocks:" not in output  # refused before starting anything


def _time_wait_port() -> int:
    """A port nothing listens on any more, whose server closed a connection first: the
    kernel keeps that connection in TIME_WAIT for a minute, as after the demo's Ctrl-C."""
    import socket

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as every server binds
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    accepted.close()  # the server side closes first: its end goes to TIME_WAIT
    client.recv(1)
    client.close()
    listener.close()
    return int(port)


def test_a_port_in_time_wait_is_not_busy() -> None:
    assert not port_in_use(_time_wait_port())


def test_the_demo_restarts_at_once_on_the_same_port() -> None:
    port = free_port()
    first = start_demo(port)
    read_until_ready(first)
    # Kept-alive connections, still open when the demo stops: the servers close them first,
    # which leaves them in TIME_WAIT on the demo's port, as a browser's do.
    with httpx.Client(timeout=10) as client:
        for _ in range(3):
            assert client.get(f"http://127.0.0.1:{port}/login/").status_code == 200
        code, _ = stop(first)
    assert code == 0
    again = start_demo(port)
    output = read_until_ready(again)
    code, rest = stop(again)
    assert f"http://127.0.0.1:{port}/login/" in output, output
    assert code == 0, rest


def test_help_says_the_whole_description() -> None:
    shown = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "run_demo.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    # Not cut after its first line (it used to end at "the demo rooms and").
    assert "the demo rooms and users, and an\nexample app under its production server" in shown
    assert "your real Liveblocks project is used" in shown
