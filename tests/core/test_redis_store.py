"""RedisWebhookStore on a real redis-server (tests/redis_server.py), and the webhook endpoint over
it: claim before the handlers, done for the TTL after them, released when they raise, 503 while
the store is down (logged once), nothing lost once it is back."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from typing import Any

import pytest
import redis

from liveblocks_auth import (
    AuthRequest,
    RedisWebhookStore,
    WebhookEndpoint,
    WebhookEvent,
    WebhookHandler,
)
from liveblocks_auth.testing import signed_webhook
from liveblocks_auth.testing.devserver import free_port
from liveblocks_auth.webhooks import webhook_store_from_setting
from tests.redis_server import RedisServer

SECRET = "whsec_" + "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0zMmJ5dGVz"


def raw(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, decode_responses=True)


def test_the_blocking_methods_claim_once_keep_and_expire(redis_url: str) -> None:
    store = RedisWebhookStore(redis_url)
    assert store.add("k", "processing", 60) is True
    assert store.add("k", "processing", 60) is False  # SET NX: the first claim wins
    assert store.get("k") == "processing"
    store.set("k", "done", 0.2)
    assert store.get("k") == "done"
    assert 0 < raw(redis_url).pttl("k") <= 200
    time.sleep(0.3)
    assert store.get("k") is None
    assert store.add("k", "processing", 60) is True  # expired: claimable again
    store.delete("k")
    assert store.get("k") is None
    store.close()


def test_the_async_methods_do_the_same_on_the_event_loop(redis_url: str) -> None:
    store = RedisWebhookStore(redis_url)

    async def main() -> list[Any]:
        return [
            await store.aadd("k", "processing", 60),
            await store.aadd("k", "processing", 60),
            await store.aget("k"),
            await store.aset("k", "done", 60),
            await store.aget("k"),
            await store.adelete("k"),
            await store.aget("k"),
        ]

    assert asyncio.run(main()) == [True, False, "processing", None, "done", None, None]
    # A second event loop gets its own connections (redis-py's belong to the loop that made
    # them): the same store keeps working there.
    assert asyncio.run(main()) == [True, False, "processing", None, "done", None, None]


def test_both_forms_share_the_keys_and_the_prefix_is_configurable(redis_url: str) -> None:
    store = RedisWebhookStore(redis_url + "?key_prefix=acme:")
    assert store.key_prefix == "acme:"
    assert store.add("liveblocks-webhook:msg_1", "processing", 60)
    assert raw(redis_url).get("acme:liveblocks-webhook:msg_1") == "processing"
    assert asyncio.run(store.aadd("liveblocks-webhook:msg_1", "processing", 60)) is False
    assert RedisWebhookStore(redis_url, key_prefix="other:").key_prefix == "other:"


def test_own_clients_are_used_as_given(redis_url: str) -> None:
    import redis.asyncio

    sync_only = RedisWebhookStore(client=redis.Redis.from_url(redis_url))
    assert sync_only.add("a", "processing", 60)
    with pytest.raises(TypeError, match="async_client= or a URL"):
        asyncio.run(sync_only.aget("a"))

    async def main() -> Any:
        async_only = RedisWebhookStore(async_client=redis.asyncio.Redis.from_url(redis_url))
        found = await async_only.aget("a")
        with pytest.raises(TypeError, match="client= or a URL"):
            async_only.get("a")
        return found

    assert asyncio.run(main()) == "processing"


def test_the_url_and_its_password_never_show() -> None:
    store = RedisWebhookStore("redis://:hunter2@127.0.0.1:1/0")
    assert "hunter2" not in repr(store)
    assert "127.0.0.1" not in repr(store)


def test_settings_build_a_store_or_name_the_setting_and_the_fix(redis_url: str) -> None:
    assert webhook_store_from_setting(None, "S") is None
    built = webhook_store_from_setting(redis_url, "S")
    assert isinstance(built, RedisWebhookStore)
    with pytest.raises(ValueError, match=r"S must be a webhook store or a redis:// URL"):
        webhook_store_from_setting("memcached://x", "S")
    with pytest.raises(TypeError, match="S must be a webhook store"):
        webhook_store_from_setting(object(), "S")

    class AsyncOnly:
        async def aadd(self, *a: Any) -> bool: ...
        async def aget(self, *a: Any) -> Any: ...
        async def aset(self, *a: Any) -> Any: ...
        async def adelete(self, *a: Any) -> Any: ...

    assert isinstance(webhook_store_from_setting(AsyncOnly(), "S"), AsyncOnly)
    with pytest.raises(TypeError, match="S must have add/get/set/delete for a blocking"):
        webhook_store_from_setting(AsyncOnly(), "S", blocking=True)


def test_without_redis_py_the_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ImportError, match=r"pip install 'liveblocks-auth\[redis\]'"):
        webhook_store_from_setting("redis://127.0.0.1:6379/0", "S")


# --- the endpoint over Redis, blocking and async ---------------------------------------------


def request(delivery: Any) -> AuthRequest:
    return AuthRequest(method="POST", headers=delivery.headers, body=delivery.body)


class Recorder:
    def __init__(self, fail: int = 0) -> None:
        self.events: list[str] = []
        self.fail = fail

    def __call__(self, event: WebhookEvent, context: Any) -> None:
        self.events.append(event.id)
        if self.fail:
            self.fail -= 1
            raise RuntimeError("database down")


def answer(endpoint: WebhookEndpoint, delivery: Any, handler: Any, mode: str) -> Any:
    if mode == "sync":
        return endpoint.handle(request(delivery), handler)
    return asyncio.run(endpoint.handle_async(request(delivery), handler))


MODES = ["sync", "async"]


@pytest.mark.parametrize("mode", MODES)
def test_a_redelivery_reaches_the_handlers_once(redis_url: str, mode: str) -> None:
    endpoint = WebhookEndpoint(WebhookHandler(SECRET), store=RedisWebhookStore(redis_url))
    handled = Recorder()
    delivery = signed_webhook(SECRET)
    again = signed_webhook(SECRET, body=delivery.body, webhook_id=delivery.id)
    first = answer(endpoint, delivery, handled, mode)
    second = answer(endpoint, again, handled, mode)
    assert (first.status, second.status) == (200, 200)
    assert second.json() == {"ok": True, "duplicate": True}
    assert handled.events == [delivery.id]
    assert raw(redis_url).get(f"liveblocks-webhook:{delivery.id}") == "done"
    assert raw(redis_url).ttl(f"liveblocks-webhook:{delivery.id}") > 47 * 3600


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_event_is_released_and_runs_again(redis_url: str, mode: str) -> None:
    endpoint = WebhookEndpoint(WebhookHandler(SECRET), store=RedisWebhookStore(redis_url))
    handled = Recorder(fail=1)
    delivery = signed_webhook(SECRET)
    assert answer(endpoint, delivery, handled, mode).status == 500
    assert raw(redis_url).get(f"liveblocks-webhook:{delivery.id}") is None
    assert answer(endpoint, delivery, handled, mode).status == 200
    assert answer(endpoint, delivery, handled, mode).json()["duplicate"] is True
    assert handled.events == [delivery.id, delivery.id]


@pytest.mark.parametrize("mode", MODES)
def test_an_event_claimed_by_another_worker_answers_409(redis_url: str, mode: str) -> None:
    endpoint = WebhookEndpoint(WebhookHandler(SECRET), store=RedisWebhookStore(redis_url))
    delivery = signed_webhook(SECRET)
    raw(redis_url).set(f"liveblocks-webhook:{delivery.id}", "processing", ex=600)
    handled = Recorder()
    refused = answer(endpoint, delivery, handled, mode)
    assert (refused.status, refused.json()["error"]) == (409, "in_progress")
    assert handled.events == []


@pytest.mark.parametrize("mode", MODES)
def test_redis_down_answers_503_logged_once_and_nothing_is_lost(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="liveblocks_auth")
    with RedisServer() as server:
        store = RedisWebhookStore(server.url)
        endpoint = WebhookEndpoint(WebhookHandler(SECRET), store=store)
        handled = Recorder()
        before = signed_webhook(SECRET)
        assert answer(endpoint, before, handled, mode).status == 200  # pooled connections
        server.stop()
        delivery = signed_webhook(SECRET)
        started = time.monotonic()
        refused = [answer(endpoint, delivery, handled, mode) for _ in range(3)]
        assert time.monotonic() - started < 3  # fails fast, no ten retries
        assert {(r.status, r.json()["error"]) for r in refused} == {(503, "store_unavailable")}
        assert handled.events == [before.id]  # no handler ran without its claim
        down = [r for r in caplog.records if "webhook store RedisWebhookStore failed" in r.message]
        assert len(down) == 1
        assert "ConnectionError" in down[0].message
        assert "answered 503" not in caplog.text  # the one line says it all
        server.start()  # the same port: Liveblocks' next redelivery finds it back
        assert answer(endpoint, delivery, handled, mode).status == 200
        assert handled.events == [before.id, delivery.id]
        assert "webhook store RedisWebhookStore is back" in caplog.text
        # (This Redis keeps nothing across a restart: a production one persists, or forgets,
        # and then a redelivery of an older event runs again: at least once, never lost.)
        assert answer(endpoint, delivery, handled, mode).json()["duplicate"] is True


def test_an_unreachable_redis_at_start_is_503_not_a_crash() -> None:
    endpoint = WebhookEndpoint(
        WebhookHandler(SECRET), store=RedisWebhookStore(f"redis://127.0.0.1:{free_port()}/0")
    )
    refused = endpoint.handle(request(signed_webhook(SECRET)), Recorder())
    assert (refused.status, refused.json()["error"]) == (503, "store_unavailable")
