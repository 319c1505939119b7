"""The benchmark command runs (a short setting: benchmarks are never timed tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def bench(report: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``./run bench`` with ``options``, writing ``report``; it must succeed."""
    command = [sys.executable, str(ROOT / "benchmarks" / "run.py"), *options]
    done = subprocess.run(
        [*command, "--output", str(report)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def test_the_benchmark_command_runs_on_a_short_setting(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    bench(
        report,
        "--quick",
        "--no-tls",
        "--no-chart",  # matplotlib is in the [bench] extra, not in what ./run test installs
        "--no-judge",  # (judged in the test below)
        "--only",
        "flask: liveblocks,flask: ceiling",  # several subjects, comma-separated
    )
    text = report.read_text()
    assert "| flask: liveblocks-auth | 8 |" in text
    assert "hand-written" not in text  # only the subjects asked for
    assert "| flask: ceiling (no upstream) | 8 |" in text
    assert "Upstream TCP connections opened per subject" in text
    assert "Worker RSS (MiB) after 200 and 400 requests" in text
    rows = [line for line in text.splitlines() if line.startswith("| flask")]
    assert all(line.rstrip(" |").endswith("| 0") for line in rows), rows  # no non-2xx
    assert "| CPU µs/req | of which GC |" in text
    # Each Python subject's GC time per request, measured in its worker: a number, not a dash.
    assert all(line.split("|")[7].strip().isdigit() for line in rows), rows
    assert not (tmp_path / "BENCHMARKS.png").exists()
    assert "![requests per second]" not in text


def test_the_targets_are_judged_over_interleaved_rounds_on_every_wire(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    report.write_text("# Benchmarks\n\nkept as it is\n")
    options = ("--judge", "--quick", "--rounds", "2", "--only")
    # The Flask adapter on both wires, and its peer.
    bench(report, *options, "flask: liveblocks,flask: hand-written")
    text = report.read_text()
    assert text.startswith("# Benchmarks\n\nkept as it is\n")  # the rest of the report is kept
    assert "median over 2 interleaved rounds" in text
    targets = [line for line in text.splitlines() if line.startswith("| flask: liveblocks-auth")]
    judged = [line.split("|")[1].strip() for line in targets if " ≥ " in line]
    times = "\N{MULTIPLICATION SIGN}"
    assert judged == [
        f"flask: liveblocks-auth ≥ 1.5{times} flask: hand-written httpx (32 connections)",
        f"flask: liveblocks-auth [no curl: httpx] ≥ 1.0{times} flask: hand-written httpx "
        "(32 connections)",
    ]
    # Every cell measured once per round, each with a CPU figure and a rate.
    cells = [line for line in text.splitlines() if line.startswith("| flask") and "| 32 |" in line]
    assert len(cells) == 3
    assert all(len(line.split("|")[3].split(";")) == 2 for line in cells), cells
    # Judged again, the section is replaced, not added.
    bench(report, *options, "flask: liveblocks,flask: hand-written")
    assert report.read_text().count("## Targets, judged by CPU per request") == 1
