"""How a call reaches Liveblocks: a *wire* per client, over a well-kept HTTP library, and the
one place that chooses it (:func:`choose_wire`, for the clients of every adapter).

- ``curl`` (:mod:`._wire_curl`, the ``[curl]`` extra): libcurl through pycurl, for the sync
  client (easy handles lent to one thread at a time) and the async one (libcurl's multi
  interface on the running asyncio event loop). The least CPU per call where pycurl installs
  from a wheel.
- ``httpx`` (:mod:`._wire_httpx`): httpx's own transports, which install everywhere; also
  the wire of a transport or client of yours (httpx stays the public interface).

``LIVEBLOCKS_AUTH_TRANSPORT`` chooses: ``curl``, ``httpx``, or ``auto`` (the default: libcurl
when pycurl imports and no proxy is set in the environment, which only httpx's transports
route through; else httpx).

What is ours, the same for every wire (:mod:`._wire`): ``send(call) -> Reply`` reads the whole
answer up to the call's size cap and before its deadline; heads that a strict HTTP/1.1 client
refuses are refused (:func:`check_head`); answers are never decompressed (we ask for
``identity``); failures become httpx's exceptions, raised afresh so that no library frame
(whose locals hold the request's bytes, secret included) rides along in a traceback; and a
client used before ``fork()`` never shares a connection with the child (:func:`forked`).
"""

from __future__ import annotations

import functools
import importlib
import os
import urllib.request
from typing import Any

import httpx

from ._wire import (
    ENV_TRANSPORT,
    AsyncWire,
    Outgoing,
    Reply,
    SyncWire,
    WireMisuse,
    _no_cookies,
    check_head,
    forked,
    generation,
)
from ._wire_httpx import AsyncHttpxWire, HttpxWire, bound_by_deadlines
from .config import DEFAULT_LIMITS

__all__ = [
    "ENV_TRANSPORT",
    "WIRES",
    "AsyncHttpxWire",
    "AsyncWire",
    "HttpxWire",
    "Outgoing",
    "Reply",
    "SyncWire",
    "WireMisuse",
    "check_head",
    "choose_wire",
    "curl_available",
    "forked",
    "generation",
    "wire_name",
]

#: The wires ``LIVEBLOCKS_AUTH_TRANSPORT`` may name (besides ``auto``, the default).
WIRES = ("curl", "httpx")


@functools.cache
def curl_available() -> bool:
    """Whether pycurl imports (the ``[curl]`` extra is installed, and its libcurl loads)."""
    try:
        importlib.import_module("pycurl")
    except ImportError:
        return False
    return True


def _proxy_in_environment() -> bool:
    # NO_PROXY alone (common in container images) names no proxy: getproxies() lists it
    # under the key "no".
    return any(scheme != "no" for scheme in urllib.request.getproxies())


def wire_name() -> str:
    """The wire new clients use, ``"curl"`` or ``"httpx"``, from ``LIVEBLOCKS_AUTH_TRANSPORT``.

    Raises ``ValueError`` naming the variable for a value that names no wire, and for ``curl``
    where pycurl cannot be imported.
    """
    raw = os.environ.get(ENV_TRANSPORT, "")
    asked = raw.strip().lower()
    if asked in ("", "auto"):
        if _proxy_in_environment() or not curl_available():
            return "httpx"
        return "curl"
    if asked not in WIRES:
        raise ValueError(
            f"{ENV_TRANSPORT}={raw!r} names no wire: set it to curl, httpx or auto (the "
            "default), or unset it"
        )
    if asked == "curl" and not curl_available():
        raise ValueError(
            f"{ENV_TRANSPORT}=curl, but pycurl cannot be imported: install the extra "
            f"(pip install 'liveblocks-auth[curl]'), or unset {ENV_TRANSPORT}"
        )
    return asked


def choose_wire(
    is_async: bool,
    base_url: str,
    limits: httpx.Limits | None,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None,
    http_client: httpx.Client | httpx.AsyncClient | None,
) -> SyncWire | AsyncWire:
    """A client's wire: the client or transport you gave, else the one :func:`wire_name`
    names."""
    httpx_wire = AsyncHttpxWire if is_async else HttpxWire
    if http_client is not None or transport is not None:
        return httpx_wire(http_client or transport)
    limits = limits or DEFAULT_LIMITS
    if wire_name() == "curl":
        from . import _wire_curl

        return _wire_curl.AsyncCurlWire(limits) if is_async else _wire_curl.CurlWire(limits)

    def client() -> Any:
        if is_async:  # (the whole attempt is cut at the deadline by AsyncHttpxWire)
            return httpx.AsyncClient(limits=limits, follow_redirects=False, cookies=_no_cookies())
        made = httpx.Client(limits=limits, follow_redirects=False, cookies=_no_cookies())
        return bound_by_deadlines(made)

    return httpx_wire(client(), client)
