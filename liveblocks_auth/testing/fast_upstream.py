"""A near-free Liveblocks stand-in for load tests: answers identify-user and authorize-user with
a fixed, well-formed token as fast as asyncio can, and counts the TCP connections it accepted
(to prove keep-alive). Runs in a background thread on a loopback port.

    with FastUpstream() as upstream:      # upstream.base_url, upstream.connections, .requests
        ...
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from typing import Self

from liveblocks_auth._service import Service

__all__ = ["FastUpstream"]

TOKEN_BODY = (
    b'{"token":"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.'
    b'eyJrIjoiaWQiLCJwaWQiOiJmYXN0IiwidWlkIjoidXNlciJ9."}'
)
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(TOKEN_BODY)).encode()
    + b"\r\n\r\n"
    + TOKEN_BODY
)


class FastUpstream(Service):
    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None
    ) -> None:
        """``tls``: a server SSL context (for example with a self-signed certificate)."""
        self.host, self.port, self.tls = host, port, tls
        #: Connections accepted in all, open now, and the most open at once.
        self.connections = self.open = self.peak = 0
        self.requests = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open += 1
        self.peak = max(self.peak, self.open)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                if length:
                    await reader.readexactly(length)
                self.requests += 1
                writer.write(RESPONSE)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            self.open -= 1
            writer.close()

    def start(self) -> Self:
        ready = threading.Event()

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()
            self._server = loop.run_until_complete(
                asyncio.start_server(self._serve, self.host, self.port, backlog=1024, ssl=self.tls)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=run, name="fast-upstream", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = self._thread = None
