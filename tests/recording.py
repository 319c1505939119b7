"""A recording server for the request-shape differentials: it records each request (method,
target, content type, body; a binary body as hex) and answers what ``answer(method, path)``
gives, so that our client and the pinned ``@liveblocks/node`` can be compared call by call."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from liveblocks_auth._service import serving

#: ``(method, path without query) -> (status, content type, body)``.
Answer = Callable[[str, str], tuple[int, str, bytes]]
Seen = list[tuple[str, str, str | None, Any]]


@contextmanager
def recording(answer: Answer) -> Iterator[tuple[str, Seen]]:
    """``(base URL, the requests seen)`` of a server answering with ``answer``."""
    seen: Seen = []

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            kind = self.headers.get("Content-Type")
            binary = kind == "application/octet-stream"
            body: Any = raw.hex() if binary else (json.loads(raw) if raw else None)
            seen.append((self.command, self.path, kind, body))
            status, content_type, content = answer(self.command, self.path.split("?")[0])
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if status != 204:
                self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if status != 204:
                self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_DELETE = _record

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with serving(server):
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
