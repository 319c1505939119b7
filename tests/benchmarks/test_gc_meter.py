"""The benchmark's GC meter: each subject process counts its own collections and the CPU time in
them into a shared file, which the benchmark reads without talking to the subject."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from benchmarks import gc_meter
from benchmarks.run import Measure, Result, Subject, breakdown
from tests.conftest import ROOT
from tests.processes import run_ok

CHILD = """
import gc, os, sys
from benchmarks.apps import common  # what every subject imports: installs the meter

def garbage(n):
    for _ in range(n):
        a, b = [], []
        a.append(b); b.append(a)  # a cycle: only a collection frees it

garbage(20000); gc.collect(); gc.collect(); gc.collect()
pid = os.fork()
if pid == 0:
    garbage(20000); gc.collect(); gc.collect()
    os._exit(0)
os.waitpid(pid, 0)
print(pid)
"""


def run_child(directory: Path) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT), gc_meter.ENV: str(directory)}
    return int(run_ok([sys.executable, "-c", CHILD], cwd=ROOT, env=env, timeout=60))


def test_each_process_counts_its_own_collections_and_their_time(tmp_path: Path) -> None:
    child = run_child(tmp_path)
    files = {p.name: gc_meter.read_file(p) for p in tmp_path.iterdir()}
    assert len(files) == 2
    forked = files.pop(str(child))  # the forked child got a file of its own
    [parent] = files.values()
    # At least the explicit collections, and the automatic ones the garbage triggered.
    assert parent[0] >= 3
    assert forked[0] >= 2
    assert forked[0] < parent[0] + 2  # the child did not start from the parent's count
    assert parent[1] > 0
    assert forked[1] > 0
    assert gc_meter.read(tmp_path) == (parent[0] + forked[0], parent[1] + forked[1])


def test_a_subject_that_is_not_python_reads_as_none(tmp_path: Path) -> None:
    assert gc_meter.read(tmp_path) is None


def test_without_the_variable_nothing_is_counted() -> None:
    env = {k: v for k, v in os.environ.items() if k != gc_meter.ENV}
    code = "import gc\nfrom benchmarks.apps import common\nprint(len(gc.callbacks))"
    out = run_ok([sys.executable, "-c", code], cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)})
    assert out.strip() == "0"


def cell(kind: str, cpu_us: float, gc_us: float | None) -> Result:
    subject = Subject(f"starlette: {kind}", "starlette", kind, ())
    return Result(subject, {32: Measure(5000, 1.0, 2.0, cpu_us=cpu_us, gc_us=gc_us)})


def test_the_starlette_breakdown_gives_each_subjects_gc_beside_the_differences() -> None:
    lines = breakdown(
        [cell("ceiling", 34, 0.2), cell("minimal", 140, 29.4), cell("adapter", 170, 18.0)], 32
    )
    minus = "\u2212"
    assert f"- our endpoint logic, client and libcurl wire (adapter {minus} ceiling): 136" in lines
    assert (
        f"- the adapter against the minimal hand-written endpoint (adapter {minus} minimal): +30"
        in lines
    )
    assert (
        "- of these, garbage collection (measured in each process): 0 in the ceiling, 29 in the "
        "minimal endpoint, 18 in the adapter" in lines
    )
