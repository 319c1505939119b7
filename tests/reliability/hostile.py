"""A hostile upstream: a raw TCP server on loopback that answers each connection from a script,
byte for byte, so a test can send what no well-behaved HTTP server would."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from liveblocks_auth._service import Service

TOKEN = b'{"token":"a.b.c"}'  # 17 bytes: 0x11


def answer(body: bytes = TOKEN, status: bytes = b"200 OK", extra: bytes = b"") -> bytes:
    """A well-formed HTTP/1.1 answer with a Content-Length."""
    return b"HTTP/1.1 %s\r\nContent-Length: %d\r\n%s\r\n" % (status, len(body), extra) + body


def user_token(user_id: str) -> bytes:
    """A token naming ``user_id`` (base64url-free, so tests can read it back)."""
    return json.dumps({"token": f"h.{user_id}.s"}).encode()


@dataclass
class Request:
    head: bytes
    body: bytes

    @property
    def line(self) -> str:
        return self.head.split(b"\r\n", 1)[0].decode()

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Peer:
    """One accepted connection, as a script sees it."""

    index: int
    sock: socket.socket
    server: HostileServer
    _buffer: bytes = b""

    def read_request(self) -> Request | None:
        """The next request on this connection (None when the client closed it)."""
        while b"\r\n\r\n" not in self._buffer:
            data = self.sock.recv(65536)
            if not data:
                return None
            self._buffer += data
        head, _, rest = self._buffer.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            data = self.sock.recv(65536)
            if not data:
                return None
            rest += data
        self._buffer = rest[length:]
        request = Request(head, rest[:length])
        with self.server.lock:
            self.server.requests.append(request)
        return request

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)


Script = Callable[[Peer], None]


def serve_each(data: bytes | Callable[[Request], bytes]) -> Script:
    """Answer every request of every connection with ``data`` (or ``data(request)``)."""

    def script(peer: Peer) -> None:
        while (request := peer.read_request()) is not None:
            peer.send(data(request) if callable(data) else data)

    return script


@dataclass
class HostileServer(Service):
    script: Script
    tls: ssl.SSLContext | None = None
    port: int = 0
    #: Connections accepted in all, and the most open at once.
    connections: int = 0
    peak: int = 0
    _open: int = 0
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _listener: socket.socket | None = None
    _peers: list[socket.socket] = field(default_factory=list)

    @property
    def open_now(self) -> int:
        """Connections open at this moment (a client closing one ends its peer's script)."""
        with self.lock:
            return self._open

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> Self:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(256)
        self._listener, self.port = listener, listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        assert self._listener is not None
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self.lock:
                index = self.connections
                self.connections += 1
                self._open += 1
                self.peak = max(self.peak, self._open)
                self._peers.append(sock)
            threading.Thread(target=self._run, args=(index, sock), daemon=True).start()

    def _run(self, index: int, sock: socket.socket) -> None:
        try:
            if self.tls is not None:
                sock = self.tls.wrap_socket(sock, server_side=True)
            self.script(Peer(index, sock, self))
        except (OSError, ssl.SSLError):
            pass
        finally:
            sock.close()
            with self.lock:
                self._open -= 1

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
        with self.lock:
            peers, self._peers = self._peers, []
        for sock in peers:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
