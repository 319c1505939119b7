"""The wires the tests run on: libcurl where pycurl imports (the ``[curl]`` extra), aiohttp for
async clients where it imports (``[aiohttp]``), and httpx's transports everywhere. A venv
without pycurl (the matrix's ``nocurl`` session) runs every test on the others; none is
skipped."""

from __future__ import annotations

from liveblocks_auth.transports import aiohttp_available, curl_available

#: Each wire's class, by client ("sync" or "async") and wire name.
CLASSES = {
    ("sync", "curl"): "CurlWire",
    ("async", "curl"): "AsyncCurlWire",
    ("async", "aiohttp"): "AiohttpWire",
    ("sync", "httpx"): "HttpcoreWire",  # (HttpxWire with a proxy, or over a transport of yours)
    ("async", "httpx"): "AsyncHttpxWire",
}


def available_wires() -> list[str]:
    found = ["curl"] if curl_available() else []
    if aiohttp_available():
        found.append("aiohttp")
    return [*found, "httpx"]


def wire_kinds() -> list[tuple[str, str]]:
    """``(client, wire)`` for every wire here and every client it serves (aiohttp: async only)."""
    return [
        (mode, wire)
        for wire in available_wires()
        for mode in ("sync", "async")
        if (mode, wire) in CLASSES
    ]


def default_wire(is_async: bool = False) -> str:
    """The wire of ``LIVEBLOCKS_AUTH_TRANSPORT`` unset (no proxy in the environment)."""
    if curl_available():
        return "curl"
    return "aiohttp" if is_async and aiohttp_available() else "httpx"
