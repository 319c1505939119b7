"""The wires the tests run on: libcurl where pycurl imports (the ``[curl]`` extra), and httpx's
transports everywhere. A venv without pycurl (the matrix's ``nocurl`` session) runs every test
on httpx's wire; none is skipped."""

from __future__ import annotations

from liveblocks_auth.transports import curl_available


def available_wires() -> list[str]:
    return ["curl", "httpx"] if curl_available() else ["httpx"]


def default_wire() -> str:
    """The wire of ``LIVEBLOCKS_AUTH_TRANSPORT`` unset (no proxy in the environment)."""
    return "curl" if curl_available() else "httpx"
