"""The README's main-job command works as pasted."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from liveblocks_auth.testing import decode_token
from tests.conftest import ROOT

pytestmark = pytest.mark.realstack


def test_run_demo_prints_a_token_from_the_dev_server() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOCKS_")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "token_from_devserver.py"), "--user", "bob"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Using the official dev server at http://127.0.0.1:" in done.stdout
    token = re.search(r"^token: (\S+)$", done.stdout, re.M)
    assert token is not None
    claims = decode_token(token.group(1))
    assert (claims["k"], claims["uid"], claims["pid"]) == ("id", "bob", "localdev")
    printed = json.loads(done.stdout.split("claims:", 1)[1])
    assert printed == claims


def test_a_bad_configured_secret_is_a_one_line_error() -> None:
    env = {**os.environ, "LIVEBLOCKS_SECRET_KEY": "pk_oops"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "token_from_devserver.py")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: secret")
    assert "Traceback" not in done.stderr
    assert "pk_oops" not in done.stderr
