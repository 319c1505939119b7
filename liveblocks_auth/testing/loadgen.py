"""A small HTTP/1.1 keep-alive load generator for loopback load tests (no dependencies).

``run_load(url, body, headers, requests=10_000, connections=64)`` sends ``requests`` POSTs over
``connections`` persistent connections and returns every status and latency. Loopback only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["LoadResult", "run_load"]


@dataclass
class LoadResult:
    statuses: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.statuses) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


def _request(path: str, host: str, body: bytes, headers: Mapping[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length, chunked = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def _load(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    requests: int,
    connections: int,
    on_progress: Callable[[int], None] | None,
) -> LoadResult:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    assert host in ("127.0.0.1", "localhost", "::1"), "load tests target loopback only"
    raw = _request(parts.path or "/", parts.netloc, body, headers)
    result = LoadResult()
    remaining = [requests]

    async def worker() -> None:
        reader = writer = None
        while remaining[0] > 0:
            remaining[0] -= 1
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                assert reader is not None
                started = time.perf_counter()
                writer.write(raw)
                status = await _read_response(reader)
                result.latencies.append(time.perf_counter() - started)
                result.statuses.append(status)
                if on_progress is not None:
                    on_progress(len(result.statuses))
            except (OSError, asyncio.IncompleteReadError, ValueError):
                result.errors += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    return result


def run_load(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    requests: int = 10_000,
    connections: int = 64,
    on_progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """Send ``requests`` POSTs to a loopback ``url`` over ``connections`` keep-alive sockets."""
    return asyncio.run(_load(url, body, headers, requests, connections, on_progress))
