"""Garbage-collection time of a benchmark subject, counted in its own processes.

With ``BENCH_GC_METER`` naming a directory, :func:`install` (called on import by the module every
Python subject shares, ``benchmarks/apps/common.py``) adds a ``gc.callbacks`` entry that keeps
the process's totals, collections and CPU seconds spent in them, in a 16-byte file of that
directory named after its PID, through a shared memory mapping: :func:`read` sums the files
before and after a measurement without talking to the subject. A collection costs the meter two
clock reads and one write to memory; a forked child gets a file of its own.
"""

from __future__ import annotations

import gc
import mmap
import os
import struct
import time
from pathlib import Path
from typing import Any

ENV = "BENCH_GC_METER"
_TOTALS = struct.Struct("=dd")  # collections, seconds

_installed: list[Any] = []  # the callback of this process, replaced in a forked child


def install() -> None:
    """Start counting when ``BENCH_GC_METER`` is set (once per process)."""
    directory = os.environ.get(ENV)
    if not directory or _installed:
        return
    _meter(Path(directory))
    os.register_at_fork(after_in_child=lambda: _meter(Path(directory)))


def _meter(directory: Path) -> None:
    path = directory / str(os.getpid())
    path.write_bytes(bytes(_TOTALS.size))
    with path.open("r+b") as file:
        shared = mmap.mmap(file.fileno(), _TOTALS.size)
    totals, started = [0.0, 0.0], [0.0]

    def count(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.thread_time()  # a collection runs in the thread that triggers it
        else:
            totals[0] += 1
            totals[1] += time.thread_time() - started[0]
            _TOTALS.pack_into(shared, 0, *totals)

    for old in _installed:
        if old in gc.callbacks:
            gc.callbacks.remove(old)
    _installed[:] = [count]
    gc.callbacks.append(count)


def read(directory: Path) -> tuple[int, float] | None:
    """Collections and seconds in them so far, summed over the processes that counted (None:
    no process did, as for a subject that is not Python)."""
    files = list(directory.iterdir())
    if not files:
        return None
    collections, seconds = 0, 0.0
    for file in files:
        done, spent = read_file(file)
        collections += done
        seconds += spent
    return collections, seconds


def read_file(path: Path) -> tuple[int, float]:
    """One process's totals."""
    done, spent = _TOTALS.unpack(path.read_bytes()[: _TOTALS.size])
    return int(done), spent
