"""How a call reaches Liveblocks: a *wire* per client, over a well-kept HTTP library, and the
one place that chooses it (:func:`choose_wire`, for the clients of every adapter).

- ``curl`` (:mod:`._wire_curl`, the ``[curl]`` extra): libcurl through pycurl, for the sync
  client (easy handles lent to one thread at a time) and the async one (libcurl's multi
  interface on the running asyncio event loop). The least CPU per call where pycurl installs
  from a wheel.
- ``aiohttp`` (:mod:`._wire_aiohttp`, the ``[aiohttp]`` extra, which ``[starlette]`` and
  ``[fastapi]`` bring): an aiohttp session, for the async client without ``[curl]``.
- ``httpx`` (:mod:`._wire_httpx`): httpx's own transports, which install everywhere: the sync
  client's without ``[curl]``; also the wire of a transport or client of yours (httpx stays
  the public interface).

``LIVEBLOCKS_AUTH_TRANSPORT`` chooses: ``curl``, ``aiohttp`` (async clients; sync ones take
httpx), ``httpx``, or ``auto`` (the default: libcurl when pycurl imports, else aiohttp for an
async client when it imports, else httpx; httpx whenever a proxy is set in the environment,
which only httpx's transports route through).

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
from ._wire_httpx import AsyncHttpxWire, HttpcoreWire, HttpxWire, bound_by_deadlines
from .config import DEFAULT_LIMITS

__all__ = [
    "ENV_TRANSPORT",
    "WIRES",
    "AsyncHttpxWire",
    "AsyncWire",
    "HttpcoreWire",
    "HttpxWire",
    "Outgoing",
    "Reply",
    "SyncWire",
    "WireMisuse",
    "aiohttp_available",
    "check_head",
    "choose_wire",
    "curl_available",
    "forked",
    "generation",
    "wire_name",
]

#: The wires ``LIVEBLOCKS_AUTH_TRANSPORT`` may name (besides ``auto``, the default).
WIRES = ("curl", "aiohttp", "httpx")
#: The library of each optional wire (its extra has the wire's name).
_LIBRARIES = {"curl": "pycurl", "aiohttp": "aiohttp"}


@functools.cache
def _imports(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def curl_available() -> bool:
    """Whether pycurl imports (the ``[curl]`` extra is installed, and its libcurl loads)."""
    return _imports("pycurl")


def aiohttp_available() -> bool:
    """Whether aiohttp imports (the ``[aiohttp]`` extra, or ``[starlette]`` / ``[fastapi]``)."""
    return _imports("aiohttp")


def _proxy_in_environment() -> bool:
    # NO_PROXY alone (common in container images) names no proxy: getproxies() lists it
    # under the key "no".
    return any(scheme != "no" for scheme in urllib.request.getproxies())


def wire_name(is_async: bool = False) -> str:
    """The wire a new client uses (``"curl"``, ``"aiohttp"`` or ``"httpx"``), from
    ``LIVEBLOCKS_AUTH_TRANSPORT``.

    Raises ``ValueError`` naming the variable for a value that names no wire, and for a wire
    whose library cannot be imported.
    """
    raw = os.environ.get(ENV_TRANSPORT, "")
    asked = raw.strip().lower()
    if asked in ("", "auto"):
        if _proxy_in_environment():
            return "httpx"
        if curl_available():
            return "curl"
        return "aiohttp" if is_async and aiohttp_available() else "httpx"
    if asked not in WIRES:
        raise ValueError(
            f"{ENV_TRANSPORT}={raw!r} names no wire: set it to curl, aiohttp, httpx or auto (the "
            "default), or unset it"
        )
    library = _LIBRARIES.get(asked)
    if library is not None and not _imports(library):
        raise ValueError(
            f"{ENV_TRANSPORT}={asked}, but {library} cannot be imported: install the "
            f"extra (pip install 'liveblocks-auth[{asked}]'), or unset {ENV_TRANSPORT}"
        )
    if asked == "aiohttp" and not is_async:
        return "httpx"  # aiohttp has no blocking client
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
    name = wire_name(is_async)
    if name == "curl":
        from . import _wire_curl

        return _wire_curl.AsyncCurlWire(limits) if is_async else _wire_curl.CurlWire(limits)
    if name == "aiohttp":
        from . import _wire_aiohttp

        return _wire_aiohttp.AiohttpWire(limits)

    if not is_async and not _proxy_in_environment():
        return HttpcoreWire(limits)  # httpx's transport without httpx's objects

    def client() -> Any:
        if is_async:  # (the whole attempt is cut at the deadline by AsyncHttpxWire)
            return httpx.AsyncClient(limits=limits, follow_redirects=False, cookies=_no_cookies())
        made = httpx.Client(limits=limits, follow_redirects=False, cookies=_no_cookies())
        return bound_by_deadlines(made)  # honours the proxy

    return httpx_wire(client(), client)
