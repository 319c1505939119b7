"""Every default of the package, in one place. Adapters map their settings onto these."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

import httpx

VERSION: Final = "0.1.0"  # the distribution's version, read by pyproject.toml (one place)

DEFAULT_BASE_URL: Final = "https://api.liveblocks.io"
ENV_SECRET_KEY: Final = "LIVEBLOCKS_SECRET_KEY"
ENV_BASE_URL: Final = "LIVEBLOCKS_BASE_URL"

#: Per-attempt timeouts. ``pool`` bounds the wait for a free connection, so an exhausted pool
#: fails fast (503) instead of piling requests up.
DEFAULT_TIMEOUT: Final = httpx.Timeout(5.0, connect=2.0, pool=2.0)
#: Connections kept to Liveblocks per client. As many kept alive as may be open: under load a
#: smaller keep-alive pool closes and reopens connections (TLS handshakes) for nothing.
DEFAULT_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=100)

#: Service limits (the Node SDK and the REST API enforce the same).
MAX_USER_ID_LENGTH: Final = 128
MAX_ROOM_ID_LENGTH: Final = 128
MAX_USER_INFO_LENGTH: Final = 1024
MAX_PATTERNS_PER_TOKEN: Final = 10

#: The auth endpoint's request body cap: ``{"room": <128 chars>}`` is far below it.
MAX_REQUEST_BODY: Final = 8 * 1024
#: Largest answer read for a token (identify-user, authorize-user); a token is about 1 KiB.
MAX_TOKEN_ANSWER: Final = 64 * 1024
#: Largest answer read for other REST calls: a page of 100 rooms, each with its permissions
#: and metadata, stays far below it.
MAX_REST_ANSWER: Final = 8 * 1024 * 1024
#: Largest room document read (storage, Yjs) unless the client is given ``max_document_size``.
#: Documents grow with their rooms, far past a page of rooms: the cap only stops an answer
#: that would exhaust the worker's memory.
MAX_DOCUMENT_ANSWER: Final = 128 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and full jitter, inside one overall deadline.

    Retried: connection errors, timeouts, 429 (``Retry-After`` honoured while it fits the
    remaining deadline) and 502/503/504. Never other 4xx. ``max_attempts`` counts the first try.
    """

    max_attempts: int = 3
    backoff_initial: float = 0.1
    backoff_max: float = 1.0
    deadline: float = 8.0
    #: Seed for the jitter (tests); None draws from the OS.
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("retry.max_attempts must be at least 1")
        if self.backoff_initial < 0 or self.backoff_max < self.backoff_initial:
            raise ValueError("retry backoff must satisfy 0 <= backoff_initial <= backoff_max")
        if self.deadline <= 0:
            raise ValueError("retry.deadline must be positive (seconds)")

    def backoff_ceiling(self, retry_number: int) -> float:
        """Upper bound of the jittered sleep before retry ``retry_number`` (1-based)."""
        return float(min(self.backoff_max, self.backoff_initial * 2 ** (retry_number - 1)))


DEFAULT_RETRY: Final = RetryPolicy()


def resolve_base_url(base_url: str | None, setting: str = "base_url") -> str:
    """The base URL to use: ``base_url``, else ``$LIVEBLOCKS_BASE_URL``, else the cloud."""
    if base_url is None:
        base_url = os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
        setting = f"{setting} (from ${ENV_BASE_URL})" if ENV_BASE_URL in os.environ else setting
    try:
        parts = urlsplit(base_url)
        hostname = parts.hostname
    except (TypeError, ValueError):  # not a string, or "http://[::1" (an unclosed bracket)
        hostname = None
    if hostname is None or parts.scheme not in ("http", "https"):
        raise ValueError(
            f"{setting} must be an http(s) URL such as {DEFAULT_BASE_URL} "
            f"or http://127.0.0.1:1153 for the dev server, got {base_url!r}"
        )
    if parts.scheme == "http" and not is_local_url(base_url):
        raise ValueError(
            f"{setting} {base_url!r} is plain http to another machine: the secret key would "
            "travel in clear. Use https://, or http://127.0.0.1 / localhost for the dev server "
            "(reach a remote one through an SSH tunnel or a TLS proxy)"
        )
    return base_url.rstrip("/")


#: The official dev server's secret key; it works nowhere else.
LOCAL_DEV_SECRET: Final = "sk_localdev"


def check_key_and_base_url(
    is_localdev: bool,
    base_url: str,
    *,
    key_setting: str = "secret",
    base_url_setting: str = "base_url",
) -> None:
    """The one configuration check every adapter makes at start (Django: check E004):
    ``sk_localdev`` only works with the local dev server. ValueError naming both settings."""
    if is_localdev and not is_local_url(base_url):
        raise ValueError(
            f"{key_setting} is the dev server's key {LOCAL_DEV_SECRET}, but {base_url_setting} "
            f"is {base_url}: {LOCAL_DEV_SECRET} only works with the local dev server. Set "
            f"{base_url_setting} (or ${ENV_BASE_URL}) to http://127.0.0.1:1153 for the dev "
            "server, or use your project's secret key (sk_...) for Liveblocks"
        )


def is_local_url(base_url: str) -> bool:
    """True when ``base_url``'s host is ``localhost`` or a literal loopback address
    (127.0.0.0/8, ::1): the only hosts plain http may reach with the secret key, and where a
    connection failure means the dev server is down. A name that merely starts like one
    (``127.0.0.1.nip.io``, ``127.attacker.example``) is resolved by DNS to anywhere: refused."""
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name, or a form ipaddress does not read as an address (127.1)
        return False
