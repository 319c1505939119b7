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
    assert lines[-1].strip().startswith("./run setup")
    assert "set -euo" not in done.stdout
    assert not any(line.startswith("#") for line in lines)


def test_an_unknown_command_names_the_known_ones() -> None:
    done = subprocess.run(
        [str(ROOT / "run"), "tests"], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "[run] error: unknown command 'tests' (expected: demo, test, bench, setup)"
    )
