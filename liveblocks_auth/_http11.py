"""HTTP/1.1 for an API client, without I/O: requests as bytes, answers parsed from bytes.

Shared by the sync and async transports (``transports.py``), which only move bytes. The subset
is what a JSON API client needs: one request at a time per connection; answers framed by
Content-Length, chunked transfer coding, or the server closing; 1xx interim answers skipped;
gzip and deflate content codings decoded (as httpx does). Anything else is refused with
``httpx.RemoteProtocolError``.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import NamedTuple

import httpx

MAX_HEAD = 65_536
MAX_HEADERS = 100
_NO_BODY = frozenset({204, 304})
_UNTIL_CLOSE = None
_CHUNKED = -1

Headers = list[tuple[bytes, bytes]]


class Disconnected(Exception):
    """The server closed the connection before answering (a stale kept-alive one, usually)."""


class Head(NamedTuple):
    status: int
    headers: Headers
    #: Whether the server keeps the connection open after this answer.
    keep: bool
    #: Body length: a number, ``-1`` for chunked, ``None`` for "until the server closes".
    length: int | None
    #: The Content-Encoding fields, joined (``b""`` when none).
    encoding: bytes = b""


def request_bytes(method: str, target: bytes, headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    """The request head, ready to send (the body follows it)."""
    lines = [method.encode("ascii") + b" " + target + b" HTTP/1.1"]
    for name, value in headers:
        if b"\r" in value or b"\n" in value or b"\r" in name or b"\n" in name:
            raise httpx.LocalProtocolError("illegal header value")
        lines.append(name + b": " + value)
    lines.append(b"\r\n")
    return b"\r\n".join(lines)


def header_fields(headers: Headers) -> dict[str, str]:
    """As httpx's ``dict(response.headers)``: lower-cased names, repeats joined by commas."""
    fields: dict[str, str] = {}
    for name, value in headers:
        key = name.lower().decode("latin-1")
        if key in fields:
            fields[key] += ", " + value.decode("latin-1")
        else:
            fields[key] = value.decode("latin-1")
    return fields


#: The fields the framing depends on, collected while the head is parsed.
_FRAMING = frozenset({b"transfer-encoding", b"content-length", b"connection", b"content-encoding"})


def _framing(method: str, status: int, found: dict[bytes, list[bytes]]) -> int | None:
    if method == "HEAD" or status in _NO_BODY:
        return 0
    codings = found.get(b"transfer-encoding")
    if codings:
        if b",".join(codings).lower().rsplit(b",", 1)[-1].strip() != b"chunked":
            raise httpx.RemoteProtocolError("unsupported Transfer-Encoding")
        return _CHUNKED
    lengths = set(found.get(b"content-length", ()))
    if not lengths:
        return _UNTIL_CLOSE
    if len(lengths) > 1 or not next(iter(lengths)).isdigit():
        raise httpx.RemoteProtocolError("invalid Content-Length")
    return int(next(iter(lengths)))


def _parse_head(block: bytes, method: str) -> Head:
    status_line, *lines = block.split(b"\r\n")
    version, _, rest = status_line.partition(b" ")
    code = rest[:3]
    if not (version.startswith(b"HTTP/1.") and code.isdigit() and len(code) == 3):
        raise httpx.RemoteProtocolError(f"malformed status line {status_line[:80]!r}")
    if len(lines) > MAX_HEADERS:
        raise httpx.RemoteProtocolError("too many response headers")
    headers: Headers = []
    found: dict[bytes, list[bytes]] = {}
    for line in lines:
        name, colon, value = line.partition(b":")
        # No empty name, no whitespace around it, no folded (continuation) lines.
        if not colon or not name or name[-1:] in b" \t" or name[:1] in b" \t":
            raise httpx.RemoteProtocolError(f"malformed response header {line[:80]!r}")
        value = value.strip()
        headers.append((name, value))
        lower = name.lower()
        if lower in _FRAMING:
            found.setdefault(lower, []).append(value)
    status = int(code)
    tokens = b",".join(found.get(b"connection", ())).lower()
    keep = b"close" not in tokens if version == b"HTTP/1.1" else b"keep-alive" in tokens
    length = _framing(method, status, found)
    return Head(status, headers, keep, length, b",".join(found.get(b"content-encoding", ())))


class ResponseParser:
    """One answer, fed the bytes as they arrive: first :meth:`head`, then :meth:`body` until
    :attr:`complete`. :meth:`feed_eof` says the server closed the connection."""

    __slots__ = ("_chunk_left", "_method", "_remaining", "_state", "buffer", "complete", "eof")

    def __init__(self, method: str) -> None:
        self._method = method
        self.buffer = bytearray()
        self.eof = False
        self.complete = False
        self._remaining = 0
        self._state = "head"  # head -> body | size -> data -> crlf -> ... -> trailers
        self._chunk_left = 0

    def feed(self, data: bytes) -> None:
        self.buffer += data

    def feed_eof(self) -> None:
        self.eof = True

    @property
    def reusable(self) -> bool:
        """Read to its end, with nothing after it: the connection may carry another request."""
        return self.complete and self._state != "until-close" and not self.buffer

    def head(self) -> Head | None:
        """The answer's head once it has arrived (1xx answers skipped), else None."""
        while True:
            buffer = self.buffer
            end = buffer.find(b"\r\n\r\n")
            if end < 0 or end > MAX_HEAD:
                if end > MAX_HEAD or len(buffer) > MAX_HEAD:
                    raise httpx.RemoteProtocolError("response head too long")
                if self.eof:
                    if not buffer:
                        raise Disconnected("server closed the connection without answering")
                    raise httpx.RemoteProtocolError("connection closed inside the response head")
                return None
            head = _parse_head(bytes(buffer[:end]), self._method)
            del buffer[: end + 4]
            if 100 <= head.status < 200:
                continue  # interim answers are skipped
            if head.length is _UNTIL_CLOSE:
                self._state = "until-close"
            elif head.length == _CHUNKED:
                self._state = "size"
            else:
                self._state = "body"
                self._remaining = head.length
                self.complete = head.length == 0
            return head

    def body(self) -> bytes:
        """The body bytes available now (maybe none); sets :attr:`complete` at the end."""
        if self.complete:
            return b""
        buffer = self.buffer
        if self._state == "body":
            data = bytes(buffer[: self._remaining])
            del buffer[: self._remaining]
            self._remaining -= len(data)
            self.complete = not self._remaining
        elif self._state == "until-close":
            data = bytes(buffer)
            buffer.clear()
            self.complete = self.eof
        else:
            data = self._chunked()
        if self.eof and not self.complete:
            raise httpx.RemoteProtocolError("connection closed inside the response body")
        return data

    def _chunked(self) -> bytes:
        buffer = self.buffer
        out = bytearray()
        while buffer and not self.complete:
            if self._state == "data":
                take = buffer[: self._chunk_left]
                del buffer[: len(take)]
                out += take
                self._chunk_left -= len(take)
                if not self._chunk_left:
                    self._state = "crlf"
                continue
            if self._state == "crlf":
                if len(buffer) < 2:
                    break
                if buffer[:2] != b"\r\n":
                    raise httpx.RemoteProtocolError("malformed chunked response body")
                del buffer[:2]
                self._state = "size"
                continue
            end = buffer.find(b"\r\n")
            if end < 0:
                if len(buffer) > MAX_HEAD:
                    raise httpx.RemoteProtocolError("chunk header too long")
                break
            line = bytes(buffer[:end])
            del buffer[: end + 2]
            if self._state == "trailers":
                self.complete = not line
                continue
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise httpx.RemoteProtocolError("malformed chunk size") from None
            self._chunk_left = size
            self._state = "data" if size else "trailers"
        return bytes(out)


class ContentDecoder:
    """Decodes the gzip/deflate codings of a Content-Encoding value as httpx does (others are
    passed through), never producing more than ``limit`` bytes from one chunk (a compressed
    bomb stays small)."""

    def __init__(self, encoding: bytes, limit: int) -> None:
        self._limit = limit
        self._steps: list[zlib._Decompress] = []
        self._deflate: list[bool] = []
        for coding in encoding.lower().split(b","):
            coding = coding.strip()
            if coding in (b"gzip", b"x-gzip"):
                self._steps.append(zlib.decompressobj(zlib.MAX_WBITS | 16))
                self._deflate.append(False)
            elif coding == b"deflate":
                self._steps.append(zlib.decompressobj())
                self._deflate.append(True)

    @property
    def active(self) -> bool:
        return bool(self._steps)

    def decode(self, data: bytes) -> bytes:
        if not data:
            return data
        # Codings are listed in the order they were applied: undo them in reverse.
        for index in range(len(self._steps) - 1, -1, -1):
            data = self._step(index, data)
        return data

    def _step(self, index: int, data: bytes) -> bytes:
        try:
            decoded = self._steps[index].decompress(data, self._limit)
        except zlib.error as exc:
            if self._deflate[index]:  # some servers send raw deflate, without the zlib wrapper
                self._deflate[index] = False
                self._steps[index] = zlib.decompressobj(-zlib.MAX_WBITS)
                return self._step(index, data)
            raise httpx.DecodingError(str(exc)) from exc
        self._deflate[index] = False  # the first bytes decided which deflate it is
        return decoded
