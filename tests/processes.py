"""Running commands as a user would, for the tests that do: one way to run one to success (its
output in the failure message) and to read a long-running one's output up to a line."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


def run_ok(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> str:
    """Run ``argv`` to completion; its stdout. A failure shows the end of both outputs."""
    done = subprocess.run(
        list(argv),
        cwd=cwd,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def read_until(process: subprocess.Popen[str], marker: str, timeout: float = 90) -> str:
    """What ``process`` printed up to the line holding ``marker`` (killed if it never comes)."""
    assert process.stdout is not None
    output = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output += line
        if marker in line:
            return output
    process.kill()
    raise AssertionError(f"never printed {marker!r}:\n{output}")
