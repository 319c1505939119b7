"""``./run`` itself: its help is the comment at its top, nothing of the script after it."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize("argv", [[], ["help"], ["--help"]])
def test_run_without_a_command_prints_its_help(argv: list[str]) -> None:
    done = subprocess.run(
        [str(ROOT / "run"), *argv], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].startswith("The project's one entry point.")
    assert any(line.strip().startswith("./run setup") for line in lines)
    for command in ("demo", "test", "docs", "bench", "setup"):
        assert any(line.strip().startswith(f"./run {command} ") for line in lines), command
    assert "set -euo" not in done.stdout
    assert not any(line.startswith("#") for line in lines)


def test_an_unknown_command_names_the_known_ones() -> None:
    done = subprocess.run(
        [str(ROOT / "run"), "tests"], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "[run] error: unknown command 'tests' (expected: demo, test, docs, bench, setup)"
    )


def test_run_docs_serves_the_documentation_site() -> None:
    import os
    import signal
    import time

    import httpx

    from liveblocks_auth.devserver import free_port
    from tests.processes import read_until

    port = free_port()
    process = subprocess.Popen(
        [str(ROOT / "run"), "docs", "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        said = read_until(process, "the documentation site at", timeout=300)
        # The address it serves at, as given (it said 127.0.0.1:8001 whatever was asked).
        assert f"the documentation site at http://127.0.0.1:{port} (Ctrl-C stops it)" in said
        deadline = time.monotonic() + 90
        page = None
        while time.monotonic() < deadline and page is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/django/", timeout=2)
            except httpx.HTTPError:
                time.sleep(0.5)
        assert page is not None, "./run docs served nothing"
        assert page.status_code == 200
        assert "REST_FRAMEWORK" in page.text  # the Django guide's settings table
        assert "Material for MkDocs" in page.text
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
