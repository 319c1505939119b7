"""WebhookHandler, the de-duplication store and WebhookEndpoint (the adapters' shared flow)."""

from __future__ import annotations

import asyncio
import json
import pickle
import threading
import time
from typing import Any

import pytest

from liveblocks_auth import (
    AuthRequest,
    MemoryWebhookStore,
    WebhookEndpoint,
    WebhookEvent,
    WebhookHandler,
    WebhookVerificationError,
)
from liveblocks_auth.testing import signed_webhook
from liveblocks_auth.webhook_samples import sample_event
from liveblocks_auth.webhooks import generate_webhook_secret, webhook_handler_from_setting

SECRET = "whsec_" + "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0zMmJ5dGVz"  # 32 bytes
OTHER = generate_webhook_secret()


def verify(delivery: Any, **kwargs: Any) -> WebhookEvent:
    return WebhookHandler(SECRET).verify_request(delivery.headers, delivery.body, **kwargs)


def refusal(headers: dict[str, str], body: bytes | str, **kwargs: Any) -> WebhookVerificationError:
    with pytest.raises(WebhookVerificationError) as info:
        WebhookHandler(SECRET).verify_request(headers, body, **kwargs)
    return info.value


# --- the secret ---


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "LIVEBLOCKS_WEBHOOK_SECRET is missing"),
        ("", "LIVEBLOCKS_WEBHOOK_SECRET is missing"),
        ("sk_dev_abc", "must start with whsec_"),
        ("whsec_not base64!", "followed by base64"),
        ('"whsec_c2VjcmV0"', "must start with whsec_"),
        ("whsec_c2VjcmV0LWtleQ==", "too short"),
        ("whsec_a", "followed by base64"),
    ],
)
def test_a_bad_secret_is_refused_at_construction_naming_the_setting(
    value: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message) as info:
        WebhookHandler(value, setting="LIVEBLOCKS_WEBHOOK_SECRET")
    assert "LIVEBLOCKS_WEBHOOK_SECRET" in str(info.value)
    if isinstance(value, str) and len(value) > 8:
        assert value not in str(info.value)


def test_the_secret_never_shows() -> None:
    handler = WebhookHandler(SECRET)
    assert SECRET[6:] not in repr(handler)
    assert repr(handler) == "WebhookHandler(secret='whsec_***')"
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(handler)


def test_from_setting_reads_the_environment_and_none_means_not_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LIVEBLOCKS_WEBHOOK_SECRET", raising=False)
    assert webhook_handler_from_setting(None, "WEBHOOK_SECRET") is None
    monkeypatch.setenv("LIVEBLOCKS_WEBHOOK_SECRET", "whsec_bad!")
    # The error names where the malformed value was read: the environment variable.
    with pytest.raises(ValueError, match=r"^\$LIVEBLOCKS_WEBHOOK_SECRET is not a whsec_"):
        webhook_handler_from_setting(None, "WEBHOOK_SECRET")
    monkeypatch.setenv("LIVEBLOCKS_WEBHOOK_SECRET", SECRET + "\n")  # as a secret file has it
    handler = webhook_handler_from_setting(None, "WEBHOOK_SECRET")
    assert handler is not None
    assert verify(signed_webhook(SECRET)).type == "storageUpdated"


# --- verification ---


def test_a_valid_delivery_gives_the_typed_event() -> None:
    delivery = signed_webhook(SECRET, "userEntered", room_id="room-1", user_id="ada")
    event = verify(delivery)
    assert event.id == delivery.id
    assert event.type == "userEntered"
    assert event.room_id == "room-1"
    assert event.user_id == "ada"
    assert event.raw == delivery.json()
    assert event.raw_body == delivery.body
    assert event.known
    payload = event.payload
    assert payload["type"] == "userEntered"
    if payload["type"] == "userEntered":  # narrows the TypedDict union for mypy
        assert payload["data"]["numActiveUsers"] == 1


def test_str_and_bytes_bodies_verify_alike() -> None:
    delivery = signed_webhook(SECRET, body={"type": "roomCreated", "data": {"roomId": "é"}})
    assert verify(delivery).room_id == "é"
    text = WebhookHandler(SECRET).verify_request(delivery.headers, delivery.body.decode())
    assert text.room_id == "é"


@pytest.mark.parametrize(
    "reserialise",
    [
        lambda body: json.dumps(body, sort_keys=True),
        lambda body: json.dumps(body, separators=(",", ":")),
        lambda body: json.dumps(body, ensure_ascii=False),
    ],
    ids=["key-order", "spacing", "unicode-escapes"],
)
def test_a_reserialised_body_never_verifies(reserialise: Any) -> None:
    raw = (
        '{"type": "storageUpdated", '
        '"data": {"roomId": "caf\\u00e9", "projectId": "p", "updatedAt": "x"}}'
    )
    headers = WebhookHandler(SECRET).sign("msg_1", raw)
    assert WebhookHandler(SECRET).verify_request(headers, raw).room_id == "café"
    again = reserialise(json.loads(raw))
    assert again != raw
    assert refusal(headers, again).reason.startswith("bad signature")


def test_a_parsed_body_is_a_usage_error_with_the_fix() -> None:
    delivery = signed_webhook(SECRET)
    with pytest.raises(TypeError, match="re-serialised body never matches"):
        WebhookHandler(SECRET).verify_request(delivery.headers, delivery.json())


@pytest.mark.parametrize("name", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_named(name: str) -> None:
    delivery = signed_webhook(SECRET)
    headers = {key: value for key, value in delivery.headers.items() if key != name}
    error = refusal(headers, delivery.body)
    assert (error.status, error.reason) == (400, f"missing {name} header")


def test_header_names_in_any_case_and_header_lists() -> None:
    delivery = signed_webhook(SECRET)
    upper = [(key.upper(), value) for key, value in delivery.headers.items()]
    assert WebhookHandler(SECRET).verify_request(upper, delivery.body).id == delivery.id


def test_a_repeated_header_with_another_value_is_refused() -> None:
    delivery = signed_webhook(SECRET)
    headers = [*delivery.headers.items(), ("webhook-id", "msg_other")]
    with pytest.raises(WebhookVerificationError, match="webhook-id header is repeated"):
        WebhookHandler(SECRET).verify_request(headers, delivery.body)
    same = [*delivery.headers.items(), ("webhook-id", delivery.id)]
    assert WebhookHandler(SECRET).verify_request(same, delivery.body).id == delivery.id


@pytest.mark.parametrize(
    ("offset", "reason"),
    [
        (-301, "too old"),
        (-300, None),
        (300, None),
        (301, "in the future"),
    ],
)
def test_the_timestamp_tolerance_is_five_minutes_each_way(offset: int, reason: str | None) -> None:
    now = 1_800_000_000
    delivery = signed_webhook(SECRET, timestamp=now + offset)
    if reason is None:
        assert verify(delivery, now=now + 0.9).id == delivery.id
    else:
        error = refusal(delivery.headers, delivery.body, now=now + 0.9)
        assert error.status == 401
        assert reason in error.reason


@pytest.mark.parametrize("stamp", ["", "12a", "-5", "1e9", "²", " 1", "1" * 16])
def test_a_timestamp_must_be_ascii_digits(stamp: str) -> None:
    delivery = signed_webhook(SECRET)
    headers = {**delivery.headers, "webhook-timestamp": stamp}
    error = refusal(headers, delivery.body)
    assert (error.status, error.reason) == (
        400,
        "webhook-timestamp header is not a number of seconds",
    )


def test_signatures_during_a_secret_rotation() -> None:
    delivery = signed_webhook(SECRET)
    stamp = delivery.headers["webhook-timestamp"]
    old = WebhookHandler(OTHER).signature(delivery.id, stamp, delivery.body)
    right = delivery.headers["webhook-signature"]
    for value in (f"{old} {right}", f"{right} {old}", f"v1,junk {right}"):
        assert verify(signed_with(delivery, value)).id == delivery.id
    assert "bad signature" in refusal(signed_with(delivery, old).headers, delivery.body).reason


def signed_with(delivery: Any, signature: str) -> Any:
    return type(delivery)({**delivery.headers, "webhook-signature": signature}, delivery.body)


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        ("v2,{sig}", "has no v1 signature"),
        ("{sig}", "has no v1 signature"),
        ("v1,{sig}x", "bad signature"),
        ("v1,é", "has no v1 signature"),
        ("", "has no v1 signature"),
    ],
)
def test_only_v1_signatures_count(signature: str, reason: str) -> None:
    delivery = signed_webhook(SECRET)
    sig = delivery.headers["webhook-signature"][3:]
    error = refusal(signed_with(delivery, signature.format(sig=sig)).headers, delivery.body)
    assert (error.status, reason in error.reason) == (401, True)
    assert sig not in error.reason  # never tells the expected signature


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff{}", "body is not UTF-8"),
        (b"{", "body is not valid JSON"),
        (b'{"type": "storageUpdated", "data": {"n": NaN}}', "NaN is not JSON"),
        (b"[]", "body is not a JSON object"),
        (b'{"data": {}}', 'body has no "type"'),
        (b'{"type": "storageUpdated"}', 'body has no "data" object'),
        (b'{"type": "futureThing", "data": {}}', "unknown event type 'futureThing'"),
        (b'{"type": "notification", "data": {"kind": "digest"}}', "unknown notification kind"),
        (b"[" * 100_000, "body is not valid JSON"),
    ],
)
def test_a_signed_but_malformed_body_is_400(body: bytes, reason: str) -> None:
    headers = WebhookHandler(SECRET).sign("msg_1", body)
    error = refusal(headers, body)
    assert error.status == 400
    assert reason in error.reason


def test_unknown_types_can_be_accepted() -> None:
    body = b'{"type": "futureThing", "data": {"roomId": "r"}}'
    headers = WebhookHandler(SECRET).sign("msg_1", body)
    event = WebhookHandler(SECRET, accept_unknown_types=True).verify_request(headers, body)
    assert (event.type, event.room_id, event.known) == ("futureThing", "r", False)


@pytest.mark.parametrize("kind", ["thread", "textMention", "$invite"])
def test_every_notification_kind_verifies(kind: str) -> None:
    event = verify(signed_webhook(SECRET, "notification", kind=kind))
    assert event.data["kind"] == kind


def test_sample_events_refuse_unknown_types_and_kinds() -> None:
    with pytest.raises(ValueError, match="unknown event type 'storageUpdate'"):
        sample_event("storageUpdate")
    with pytest.raises(ValueError, match="unknown notification kind"):
        sample_event("notification", kind="digest")
    with pytest.raises(ValueError, match="only applies to notification"):
        sample_event("userLeft", kind="thread")


# --- the store ---


def test_memory_store_add_is_atomic_and_entries_expire() -> None:
    clock = [0.0]
    store = MemoryWebhookStore(clock=lambda: clock[0])
    assert store.add("k", "processing", 10)
    assert not store.add("k", "processing", 10)
    store.set("k", "done", 100)
    assert store.get("k") == "done"
    clock[0] = 100.5
    assert store.get("k") is None
    assert store.add("k", "processing", 10)
    store.delete("k")
    assert store.get("k") is None


def test_memory_store_forgets_the_oldest_beyond_its_size() -> None:
    store = MemoryWebhookStore(max_entries=3)
    for key in "abcd":
        store.set(key, "done", 60)
    assert len(store) == 3
    assert [store.get(key) for key in "abcd"] == [None, "done", "done", "done"]


def test_memory_store_add_under_threads_lets_exactly_one_win() -> None:
    store = MemoryWebhookStore()
    wins: list[bool] = []
    barrier = threading.Barrier(16)

    def claim() -> None:
        barrier.wait()
        wins.append(store.add("event", "processing", 60))

    threads = [threading.Thread(target=claim) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 15 + [True]


# --- the endpoint ---


def request(delivery: Any, method: str = "POST") -> AuthRequest:
    return AuthRequest(method=method, headers=delivery.headers, body=delivery.body)


class Recorder:
    def __init__(self, fail: int = 0) -> None:
        self.events: list[WebhookEvent] = []
        self.fail = fail

    def __call__(self, event: WebhookEvent, context: Any) -> None:
        self.events.append(event)
        if self.fail:
            self.fail -= 1
            raise RuntimeError("database down")


def test_endpoint_dispatches_a_valid_delivery_once() -> None:
    handled = Recorder()
    delivery = signed_webhook(SECRET, "commentCreated", room_id="r1")
    answer = WebhookEndpoint(WebhookHandler(SECRET)).handle(request(delivery), handled)
    assert (answer.status, answer.json(), answer.room) == (200, {"ok": True}, "r1")
    assert [event.id for event in handled.events] == [delivery.id]


def test_endpoint_refusals_reach_no_handler() -> None:
    handled = Recorder()
    endpoint = WebhookEndpoint(WebhookHandler(SECRET))
    good = signed_webhook(SECRET)
    cases = [
        (signed_webhook(OTHER), 401, "bad signature"),
        (type(good)(good.headers, good.body + b" "), 401, "bad signature"),
        (signed_webhook(SECRET, timestamp=int(time.time()) - 3600), 401, "too old"),
        (signed_webhook(SECRET, body=b"not json"), 400, "not valid JSON"),
        (type(good)({}, good.body), 400, "missing webhook-id"),
    ]
    for delivery, status, reason in cases:
        answer = endpoint.handle(request(delivery), handled)
        assert answer.status == status
        assert answer.json()["error"] == "invalid_webhook"
        assert reason in answer.json()["message"]
    assert endpoint.handle(request(good, "GET"), handled).status == 405
    assert handled.events == []


def test_endpoint_without_a_secret_answers_503_naming_the_setting() -> None:
    answer = WebhookEndpoint(None, setting="LIVEBLOCKS['WEBHOOK_SECRET']").handle(
        request(signed_webhook(SECRET)), Recorder()
    )
    assert answer.status == 503
    assert "LIVEBLOCKS['WEBHOOK_SECRET']" in answer.json()["message"]


def test_endpoint_refuses_a_large_body_before_reading_it_all() -> None:
    endpoint = WebhookEndpoint(WebhookHandler(SECRET), max_body_size=1000)
    read: list[int] = []

    def chunks() -> Any:
        for index in range(100):
            read.append(index)
            yield b"x" * 100

    answer = endpoint.handle(AuthRequest("POST", {}, chunks()), Recorder())
    assert answer.status == 413
    assert len(read) == 11
    headers = {"Content-Length": "5000"}
    assert endpoint.handle(AuthRequest("POST", headers, b""), Recorder()).status == 413


def test_a_failing_handler_answers_500_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    delivery = signed_webhook(SECRET)
    answer = WebhookEndpoint(WebhookHandler(SECRET)).handle(request(delivery), Recorder(fail=1))
    assert answer.status == 500
    assert answer.json()["error"] == "handler_failed"
    assert "database down" not in answer.body.decode()
    assert "a handler raised" in caplog.text
    assert "database down" in caplog.text
    assert SECRET[6:] not in caplog.text


def test_with_a_store_a_redelivery_reaches_handlers_once() -> None:
    handled = Recorder()
    endpoint = WebhookEndpoint(WebhookHandler(SECRET), store=MemoryWebhookStore())
    delivery = signed_webhook(SECRET)
    first = endpoint.handle(request(delivery), handled)
    # Liveblocks redelivers with the same id, a new timestamp and a new signature.
    again = signed_webhook(SECRET, body=delivery.body, webhook_id=delivery.id)
    second = endpoint.handle(request(again), handled)
    assert (first.status, second.status) == (200, 200)
    assert second.json() == {"ok": True, "duplicate": True}
    assert len(handled.events) == 1
    other = endpoint.handle(request(signed_webhook(SECRET)), handled)
    assert other.status == 200
    assert len(handled.events) == 2


def test_with_a_store_a_failed_event_is_handled_again_on_redelivery() -> None:
    handled = Recorder(fail=1)
    endpoint = WebhookEndpoint(WebhookHandler(SECRET), store=MemoryWebhookStore())
    delivery = signed_webhook(SECRET)
    assert endpoint.handle(request(delivery), handled).status == 500
    assert endpoint.handle(request(delivery), handled).status == 200
    assert endpoint.handle(request(delivery), handled).json()["duplicate"] is True
    assert len(handled.events) == 2


def test_with_a_store_an_event_being_handled_answers_409() -> None:
    store = MemoryWebhookStore()
    endpoint = WebhookEndpoint(WebhookHandler(SECRET), store=store)
    delivery = signed_webhook(SECRET)
    inside: list[int] = []

    def slow(event: WebhookEvent, context: Any) -> None:
        inside.append(endpoint.handle(request(delivery), Recorder()).status)

    assert endpoint.handle(request(delivery), slow).status == 200
    assert inside == [409]


def test_handle_async_awaits_async_handlers_and_threads_sync_ones() -> None:
    delivery = signed_webhook(SECRET)
    endpoint = WebhookEndpoint(WebhookHandler(SECRET), store=MemoryWebhookStore())
    seen: list[tuple[str, int]] = []

    async def async_handler(event: WebhookEvent, context: Any) -> None:
        seen.append(("async", threading.get_ident()))

    def sync_handler(event: WebhookEvent, context: Any) -> None:
        seen.append(("sync", threading.get_ident()))

    async def body() -> Any:
        yield delivery.body

    async def main() -> list[int]:
        loop_thread = threading.get_ident()
        statuses = [
            (await endpoint.handle_async(request(delivery), async_handler)).status,
            (await endpoint.handle_async(request(signed_webhook(SECRET)), sync_handler)).status,
            (
                await endpoint.handle_async(
                    AuthRequest("POST", delivery.headers, body()), async_handler
                )
            ).status,
        ]
        assert seen[0] == ("async", loop_thread)
        assert seen[1][0] == "sync"
        assert seen[1][1] != loop_thread
        return statuses

    assert asyncio.run(main()) == [200, 200, 200]
    assert len(seen) == 2  # the third was a redelivery of the first


def test_no_frame_of_a_failing_handlers_traceback_holds_the_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import base64

    key = base64.b64decode(SECRET[6:])
    delivery = signed_webhook(SECRET)
    endpoint = WebhookEndpoint(WebhookHandler(SECRET), store=MemoryWebhookStore())
    assert endpoint.handle(request(delivery), Recorder(fail=1)).status == 500
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.exc_info is not None
    traceback = record.exc_info[2]
    frames = 0
    while traceback is not None:
        for name, value in traceback.tb_frame.f_locals.items():
            shown = repr(value)
            assert SECRET[6:] not in shown, name
            assert repr(key) not in shown, name
        frames += 1
        traceback = traceback.tb_next
    assert frames >= 2
