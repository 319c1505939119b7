"""Load and soak, per adapter under its production server, against a near-free upstream.

CI runs a short setting; the full one is LIVEBLOCKS_SOAK_REQUESTS=100000 ./run test -k soak.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from examples.launch import APPS, serve_example
from liveblocks_auth.config import DEFAULT_LIMITS
from liveblocks_auth.testing.fast_upstream import FastUpstream
from liveblocks_auth.testing.loadgen import run_load

REQUESTS = int(os.environ.get("LIVEBLOCKS_SOAK_REQUESTS", "4000"))
#: Requests before the soak proper (not measured): caches, allocator arenas and pools fill up.
WARM_UP = 1000
CONNECTIONS = 64
#: What one upstream connection of the libcurl wire holds open: its socket, and the wake-up
#: socket pair of the libcurl multi handle that drives it.
FDS_PER_UPSTREAM_CONNECTION = 3
BODY = b'{"room": "acme-roadmap"}'


def process_tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").iterdir():
            try:
                children = (task / "children").read_text().split()
            except OSError:  # the thread ended meanwhile
                continue
            pending.extend(int(child) for child in children)
    return found


def measure(pid: int) -> tuple[int, int]:
    """(RSS in KiB, open file descriptors) of a server and its workers."""
    rss = fds = 0
    for member in process_tree(pid):
        status = Path(f"/proc/{member}/status").read_text()
        rss += int(
            next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]
        )
        fds += len(os.listdir(f"/proc/{member}/fd"))
    return rss, fds


def settled(pid: int, timeout: float = 10.0) -> tuple[int, int]:
    """measure() once the server has closed the load generator's finished connections: the
    descriptor count unchanged for a second (sockets closed by the client linger briefly)."""
    deadline = time.monotonic() + timeout
    previous = measure(pid)
    stable_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        current = measure(pid)
        if current[1] != previous[1]:
            stable_since = time.monotonic()
        elif time.monotonic() - stable_since >= 1.0:
            return current
        previous = current
    return previous


@pytest.mark.parametrize("name", sorted(APPS))
def test_soak(name: str, tmp_path: Path) -> None:
    with FastUpstream() as upstream, serve_example(APPS[name], upstream.base_url, tmp_path) as app:
        headers = {"Content-Type": "application/json", "Cookie": app.session_cookie("alice")}
        tenth = max(REQUESTS // 10, CONNECTIONS)
        warm_up = run_load(app.auth_url, BODY, headers, requests=WARM_UP, connections=CONNECTIONS)
        first = run_load(app.auth_url, BODY, headers, requests=tenth, connections=CONNECTIONS)
        rss_start, fds_start = settled(app.pid)
        opened_at_start, open_at_start = upstream.connections, upstream.open
        middle = run_load(
            app.auth_url, BODY, headers, requests=REQUESTS - 2 * tenth, connections=CONNECTIONS
        )
        last = run_load(app.auth_url, BODY, headers, requests=tenth, connections=CONNECTIONS)
        rss_end, fds_end = settled(app.pid)
    statuses = warm_up.statuses + first.statuses + middle.statuses + last.statuses
    report = (
        f"{name}: {len(statuses)} requests, {last.rate:.0f} req/s at the end, RSS {rss_start}"
        f"->{rss_end} KiB, fds {fds_start}->{fds_end}, upstream connections {upstream.connections}"
        f" ({opened_at_start} before the soak proper), at most {upstream.peak} open at once"
    )
    print(report)
    assert warm_up.errors + first.errors + middle.errors + last.errors == 0, report
    assert statuses == [200] * len(statuses), {s: statuses.count(s) for s in set(statuses)}
    assert upstream.requests == len(statuses)  # one upstream call each, never cached
    # Keep-alive: never more open at once than the pool allows, and connections are reused (one
    # left idle past keepalive_expiry, 5 s, is replaced: that is all a soak may add).
    assert upstream.peak <= DEFAULT_LIMITS.max_connections, report
    assert upstream.connections <= len(statuses) // 20, report
    # The upstream pool may still grow to a new peak of concurrent calls (bounded by the pool
    # size, checked above), each new connection holding its descriptors; beyond that, no growth
    # but a connection or two being opened or closed at the moment of measuring.
    pool_growth = max(upstream.peak - open_at_start, 0)
    assert fds_end <= fds_start + pool_growth * FDS_PER_UPSTREAM_CONNECTION + 2, report
    assert rss_end < rss_start * 1.10, report
