"""Webhook de-duplication shared by every worker and host, on Redis (the ``[redis]`` extra).

:class:`RedisWebhookStore` is a :class:`~liveblocks_auth.webhooks.WebhookStore` and an
:class:`~liveblocks_auth.webhooks.AsyncWebhookStore` at once: blocking endpoints (Flask, Django
under WSGI) use ``add``/``get``/``set``/``delete`` on ``redis.Redis``, async ones (Starlette,
FastAPI, Django under ASGI) ``aadd``/``aget``/``aset``/``adelete`` on ``redis.asyncio.Redis``, so
the event loop never waits on the network. The claim is one ``SET key value NX PX ttl``: atomic
in Redis, whichever worker or host asks first.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    import redis
    import redis.asyncio

__all__ = ["REDIS_SCHEMES", "RedisWebhookStore", "is_redis_url"]

#: The URL schemes ``redis.Redis.from_url`` takes; a setting holding one of these builds a store.
REDIS_SCHEMES: Final = ("redis", "rediss", "unix")
#: Seconds to connect and to wait for an answer: Redis answers in microseconds, and a webhook
#: delivery that waits longer is better answered 503 (Liveblocks redelivers) than left hanging.
DEFAULT_TIMEOUT: Final = 2.0


def is_redis_url(value: object) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in REDIS_SCHEMES


def _redis() -> Any:
    try:
        import redis
    except ImportError:
        raise ImportError(
            "RedisWebhookStore needs redis-py: pip install 'liveblocks-auth[redis]'"
        ) from None
    return redis


def _split_prefix(url: str) -> tuple[str, str | None]:
    """``url`` without its ``key_prefix`` query parameter (ours, not redis-py's), and that."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((value for name, value in query if name == "key_prefix"), None)
    rest = urlencode([(name, value) for name, value in query if name != "key_prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix


class RedisWebhookStore:
    """Handled webhook ids in Redis, for every worker and host of the app.

    ``RedisWebhookStore("redis://localhost:6379/0")`` (a ``key_prefix`` query parameter sets the
    prefix), or give your own clients: ``client=redis.Redis(...)`` for blocking endpoints,
    ``async_client=redis.asyncio.Redis(...)`` for async ones. Keys are
    ``{key_prefix}liveblocks-webhook:{webhook id}``. Built from a URL, the clients are made
    when first used (the async one once per event loop) with :data:`DEFAULT_TIMEOUT` and a
    short retry, so a Redis that is down answers in well under a second and the endpoint
    answers 503.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        key_prefix: str | None = None,
        client: redis.Redis | None = None,
        async_client: redis.asyncio.Redis | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if url is None and client is None and async_client is None:
            raise TypeError("RedisWebhookStore needs a redis:// URL, a client or an async_client")
        if url is not None and not is_redis_url(url):
            raise ValueError(
                f"RedisWebhookStore needs a redis://, rediss:// or unix:// URL, not {url!r}"
            )
        _redis()  # the missing extra is named now, not on the first delivery
        url_prefix = None
        if url is not None:
            url, url_prefix = _split_prefix(url)
        self.key_prefix = key_prefix if key_prefix is not None else (url_prefix or "")
        self._url, self._timeout = url, timeout
        self._client = client
        self._async_client = async_client
        self._per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never the URL: it may hold a password
        return f"RedisWebhookStore(key_prefix={self.key_prefix!r})"

    def _options(self, asynchronous: bool = False) -> dict[str, Any]:
        from redis.backoff import ExponentialBackoff
        from redis.exceptions import ConnectionError, TimeoutError

        if asynchronous:
            from redis.asyncio.retry import Retry
        else:
            from redis.retry import Retry  # type: ignore[assignment]

        return {
            "socket_timeout": self._timeout,
            "socket_connect_timeout": self._timeout,
            # One quick retry: a pooled connection that Redis closed (a restart) is replaced;
            # a Redis that is down fails fast instead of redis-py's ten tries.
            "retry": Retry(ExponentialBackoff(cap=0.05, base=0.01), 1),
            # Named, or redis-py 5's asyncio client retries nothing: after a restart each
            # stale pooled connection would fail one call before being replaced.
            "retry_on_error": [ConnectionError, TimeoutError],
        }

    def sync_client(self) -> redis.Redis:
        if self._client is None:
            if self._url is None:
                raise TypeError(
                    "this RedisWebhookStore has only an async_client: a blocking endpoint "
                    "(Flask, Django under WSGI) needs client= or a URL"
                )
            with self._lock:
                if self._client is None:
                    self._client = _redis().Redis.from_url(self._url, **self._options())
        return self._client

    def async_client(self) -> redis.asyncio.Redis:
        """The client for the running event loop (redis-py's asyncio connections belong to the
        loop that opened them)."""
        if self._async_client is not None:
            return self._async_client
        if self._url is None:
            raise TypeError(
                "this RedisWebhookStore has only a blocking client: an async endpoint "
                "(Starlette, Django under ASGI) needs async_client= or a URL"
            )
        loop = asyncio.get_running_loop()
        found = self._per_loop.get(loop)
        if found is None:
            import redis.asyncio

            found = redis.asyncio.Redis.from_url(self._url, **self._options(asynchronous=True))
            self._per_loop[loop] = found
        return found

    def _key(self, key: str) -> str:
        return self.key_prefix + key

    @staticmethod
    def _ms(timeout: float) -> int:
        return max(1, int(timeout * 1000))

    @staticmethod
    def _text(value: bytes | str | None) -> str | None:
        return value.decode() if isinstance(value, bytes) else value

    # The WebhookStore protocol: blocking.

    def add(self, key: str, value: str, timeout: float) -> bool:
        return bool(self.sync_client().set(self._key(key), value, nx=True, px=self._ms(timeout)))

    def get(self, key: str) -> str | None:
        return self._text(self.sync_client().get(self._key(key)))

    def set(self, key: str, value: str, timeout: float) -> None:
        self.sync_client().set(self._key(key), value, px=self._ms(timeout))

    def delete(self, key: str) -> None:
        self.sync_client().delete(self._key(key))

    # The AsyncWebhookStore protocol: the same commands on the event loop.

    async def aadd(self, key: str, value: str, timeout: float) -> bool:
        client = self.async_client()
        return bool(await client.set(self._key(key), value, nx=True, px=self._ms(timeout)))

    async def aget(self, key: str) -> str | None:
        return self._text(await self.async_client().get(self._key(key)))

    async def aset(self, key: str, value: str, timeout: float) -> None:
        await self.async_client().set(self._key(key), value, px=self._ms(timeout))

    async def adelete(self, key: str) -> None:
        await self.async_client().delete(self._key(key))

    def close(self) -> None:
        """Close the blocking client's connections (the async ones close with their loop)."""
        if self._client is not None and self._url is not None:
            self._client.close()
