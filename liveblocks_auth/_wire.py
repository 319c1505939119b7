"""What every wire shares: the call and its reply, the protocol a wire follows, and the checks
that are ours whatever library moves the bytes (:mod:`liveblocks_auth.transports` chooses the
wire; one module per wire: :mod:`._wire_curl`, :mod:`._wire_httpx`)."""

from __future__ import annotations

import asyncio
import ctypes
import http.cookiejar
import os
import re
import select
import ssl
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import certifi
import httpx

from ._retry import DeadlineExceeded

#: The environment variable that chooses the wire (:func:`liveblocks_auth.transports.wire_name`).
ENV_TRANSPORT = "LIVEBLOCKS_AUTH_TRANSPORT"


@dataclass(slots=True)
class Outgoing:
    """One attempt of a call, ready to send. ``headers`` holds the Authorization header."""

    method: str
    url: str  # absolute
    target: str  # path and query
    headers: Mapping[str, str]
    body: bytes | None
    timeout: httpx.Timeout
    deadline: float  # time.monotonic()
    limit: int  # the largest answer body read; past it the answer is cut (truncated)
    #: Whether it may be sent twice (``ApiRequest.is_idempotent``): only then may it travel
    #: on a reused connection (libcurl resends a request itself if one turns out closed).
    idempotent: bool = True


@dataclass(slots=True)
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names; repeated fields joined with ", "
    body: bytes
    truncated: bool


class WireMisuse(RuntimeError):
    """The client is used where it cannot work (another event loop library, a transport of
    yours carried across fork()): raised to the caller, never turned into a 503."""


class SyncWire(Protocol):
    #: The library under the wire: "curl", "httpx" or "aiohttp" (traces name it).
    name: str

    def send(self, call: Outgoing) -> Reply: ...

    def close(self) -> None: ...


class AsyncWire(Protocol):
    name: str

    async def send(self, call: Outgoing) -> Reply: ...

    async def aclose(self) -> None: ...


# --- what every wire shares ------------------------------------------------------------------

#: Incremented in a child process after ``fork()``: a wire built in an earlier generation holds
#: connections that the parent shares, and must not touch them.
_generation = 0


def _after_fork() -> None:
    global _generation
    _generation += 1


os.register_at_fork(after_in_child=_after_fork)


def forked(generation: int) -> bool:
    """True when this process was forked after ``generation`` was read."""
    return generation != _generation


def generation() -> int:
    return _generation


#: What wires of a parent process held, abandoned in this child (see :func:`_abandon`).
_ABANDONED: list[Any] = []


def _abandon(held: object) -> None:
    """Keep what a wire of the parent process held, in a forked child, for the life of the
    process, even through the interpreter's own exit: freeing a libcurl handle ends its
    connection gracefully (a TLS close_notify written with the child's stale copy of the
    session, which breaks the connection for the parent), and closing an asyncio transport
    removes its socket from the epoll set both processes share. One reference is never given
    back, so it is never freed."""
    _ABANDONED.append(held)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(held))


#: Field names, one per line: tokens (RFC 9110 5.1).
_NAMES = re.compile(rb"(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+\n)*")
#: Control characters, which no field value may hold (HTAB aside).
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_DIGITS = re.compile(rb"[0-9]{1,18}")
#: As http.client: no answer of the REST API has more than a few header fields.
_MAX_FIELDS = 100


def check_head(status: int, fields: Sequence[tuple[bytes, bytes]]) -> dict[str, str]:
    """The answer's headers (lower-case names, repeats joined), once its head is known sane.

    Raises ``httpx.RemoteProtocolError`` for what a strict client refuses and some libraries
    let through: a status outside 100-599, more than 100 fields, control characters in a field,
    a transfer coding other than plain ``chunked``, a Content-Length that is not ASCII digits,
    several different ones, or one beside ``chunked``.
    """
    if not 100 <= status <= 599:
        raise httpx.RemoteProtocolError(f"invalid status {status}")
    if len(fields) > _MAX_FIELDS:
        raise httpx.RemoteProtocolError(f"more than {_MAX_FIELDS} header fields")
    names = b"".join(name + b"\n" for name, _ in fields)
    if not _NAMES.fullmatch(names) or _CONTROL.search(b"".join(v for _, v in fields)):
        raise httpx.RemoteProtocolError("invalid character in a header field")
    headers: dict[str, str] = {}
    for raw_name, raw_value in fields:
        name = raw_name.decode("ascii").lower()
        text = raw_value.strip(b" \t").decode("latin-1")
        headers[name] = f"{headers[name]}, {text}" if name in headers else text
    _check_framing(headers, fields)
    return headers


def _check_framing(headers: dict[str, str], fields: Sequence[tuple[bytes, bytes]]) -> None:
    coding = headers.get("transfer-encoding")
    if coding is not None and coding.lower() != "chunked":
        raise httpx.RemoteProtocolError("unsupported Transfer-Encoding")
    if "content-length" not in headers:
        return
    lengths = {
        value.strip(b" \t").lstrip(b"0") or b"0"
        for name, value in fields
        if name.lower() == b"content-length"
    }
    if not all(_DIGITS.fullmatch(length) for length in lengths):
        raise httpx.RemoteProtocolError("invalid Content-Length")
    if len(lengths) > 1 or coding is not None:
        raise httpx.RemoteProtocolError("conflicting message framing")


class _Body:
    """An answer's body, up to ``limit`` bytes and until the deadline."""

    __slots__ = ("call", "data", "truncated")

    def __init__(self, call: Outgoing) -> None:
        self.call = call
        self.data = bytearray()
        self.truncated = False

    def feed(self, chunk: bytes) -> bool:
        """Add a chunk; True means stop reading (the cap is reached)."""
        if time.monotonic() > self.call.deadline:
            raise _too_late(self.call)
        self.data += chunk
        if len(self.data) > self.call.limit:
            del self.data[self.call.limit :]
            self.truncated = True
        return self.truncated

    def take(self, chunks: Iterable[bytes]) -> None:
        """Feed ``chunks`` until they end or the cap is reached."""
        for chunk in chunks:
            if self.feed(chunk):
                return

    def reply(self, status: int, headers: dict[str, str]) -> Reply:
        return Reply(status, headers, bytes(self.data), self.truncated)


async def acquire_slot(slots: asyncio.Semaphore, timeout: float | None) -> None:
    """One of an async wire's connections, waited for at most ``timeout`` (the pool timeout):
    past it, ``httpx.PoolTimeout``."""
    if not slots.locked():
        await slots.acquire()  # returns at once, without a suspension
        return
    try:
        async with asyncio.timeout(timeout):
            await slots.acquire()
    except TimeoutError:
        raise httpx.PoolTimeout("no free connection within the pool timeout") from None


def readable(fd: int) -> bool:
    """Whether bytes (or the end of the stream) wait on an idle connection's socket."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def ca_locations() -> tuple[str | None, str | None]:
    """``(cafile, capath)``: one TLS policy for every wire, httpx's: ``SSL_CERT_FILE``, else
    ``SSL_CERT_DIR``, else certifi's bundle (read when a wire is made)."""
    cafile = os.environ.get("SSL_CERT_FILE") or None
    if cafile is not None:
        return cafile, None
    capath = os.environ.get("SSL_CERT_DIR") or None
    if capath is not None:
        return None, capath
    return certifi.where(), None


def ssl_context() -> ssl.SSLContext:
    """A client context that verifies the chain and the host name against :func:`ca_locations`."""
    cafile, capath = ca_locations()
    return ssl.create_default_context(cafile=cafile, capath=capath)


def _fresh(error: BaseException) -> BaseException:
    """``error`` as a new exception of the same kind, without traceback, cause or context: the
    library frames behind it hold the request's bytes (the secret key included) in their
    locals, which error trackers record. An error that is no transport failure (a bug
    somewhere) becomes a RuntimeError naming it."""
    if isinstance(error, httpx.TransportError | DeadlineExceeded):
        return type(error)(str(error))
    return RuntimeError(f"{type(error).__name__}: {error}")


def _too_late(call: Outgoing) -> DeadlineExceeded:
    return DeadlineExceeded(f"no whole answer before the deadline ({call.target})")


def at_deadline(call: Outgoing) -> bool:
    """Whether a timeout now is the call's deadline (not retried) rather than one phase's
    (5 ms of slack: the library's own clock may fire a little early)."""
    return time.monotonic() >= call.deadline - 0.005


class _RejectAllCookies(http.cookiejar.DefaultCookiePolicy):
    """Liveblocks needs no cookies; one user's call must never carry another's."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def _no_cookies() -> http.cookiejar.CookieJar:
    return http.cookiejar.CookieJar(policy=_RejectAllCookies())
