"""Our WebhookHandler against the official one (@liveblocks/node 3.24.2, in Node).

Thousands of generated deliveries (valid, tampered, wrong or rotated secrets, timestamps at the
tolerance edges, missing headers, unknown types and kinds, odd bodies) get the same verdict from
both, and accepted ones the same event. Where ours is deliberately stricter, the case says why,
and the difference must go that way only: the official handler accepts, ours refuses.
"""

from __future__ import annotations

import base64
import json
import os
import random
from dataclasses import dataclass, field
from typing import Any

import pytest

from liveblocks_auth import WebhookHandler, WebhookVerificationError
from liveblocks_auth.webhook_samples import NOTIFICATION_KINDS, sample_event
from liveblocks_auth.webhook_types import EVENT_TYPES
from tests.conftest import ROOT
from tests.core.test_permissions_differential import oracle

pytestmark = pytest.mark.realstack

SEED = 20261123
CASES = 2500
NOW = 1_795_000_000
ORACLE = ROOT / "tests" / "realstack" / "verify_webhooks.mjs"


def make_secret(rng: random.Random) -> str:
    key = rng.randbytes(rng.choice([24, 32]))
    text = base64.b64encode(key).decode()
    style = rng.random()
    if style < 0.2:
        text = text.rstrip("=")  # Node's Buffer.from decodes it the same
    elif style < 0.3:
        text = base64.urlsafe_b64encode(key).decode()
    return "whsec_" + text


@dataclass
class Case:
    secret: str
    headers: dict[str, str]
    raw_body: str
    now: float
    why: str
    #: Set when ours refuses on purpose where the official handler accepts.
    stricter: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def serialise(rng: random.Random, body: Any) -> str:
    """The same JSON written the many ways a sender may write it."""
    return json.dumps(
        body,
        ensure_ascii=rng.random() < 0.5,
        indent=rng.choice([None, None, 2]),
        separators=rng.choice([(",", ":"), (", ", ": ")]),
        sort_keys=rng.random() < 0.5,
    )


def random_body(rng: random.Random) -> tuple[Any, str, str | None]:
    """(body, why, stricter-reason)."""
    roll = rng.random()
    if roll < 0.75:
        kind = rng.choice(EVENT_TYPES)
        notification = (
            rng.choice([*NOTIFICATION_KINDS, "$mention"]) if kind == "notification" else None
        )
        room = rng.choice(["my-room", "é-room", "room/with/slashes", "日本"])
        return sample_event(kind, kind=notification, room_id=room), f"a {kind} event", None
    odd: list[tuple[Any, str, str | None]] = [
        ({"type": "futureEvent", "data": {}}, "an unknown type", None),
        ({"type": "notification", "data": {"kind": "digest"}}, "an unknown kind", None),
        ({"type": "notification", "data": {"kind": "$"}}, "the custom kind $", None),
        ({"type": "storageUpdated"}, "no data", "an event without a data object"),
        ({"type": "storageUpdated", "data": []}, "data not an object", "data must be an object"),
        ({"type": "", "data": {}}, "an empty type", None),
        ([{"type": "storageUpdated", "data": {}}], "a JSON array", None),
        ({"type": 7, "data": {}}, "a number type", None),
    ]
    return rng.choice(odd)


def random_case(rng: random.Random, index: int) -> Case:
    secret = make_secret(rng)
    body, why, stricter = random_body(rng)
    raw = serialise(rng, body)
    webhook_id = f"msg_{index:06d}{rng.randrange(10**9)}"
    offset = rng.choice([0, 0, 0, -299, -300, -301, 299, 300, 301, -100_000, 100_000])
    stamp = str(NOW + offset)
    signer = WebhookHandler(secret)
    signature = signer.signature(webhook_id, stamp, raw)
    headers = {"webhook-id": webhook_id, "webhook-timestamp": stamp, "webhook-signature": signature}
    case = Case(secret, headers, raw, NOW + rng.random(), f"{why}, timestamp {offset:+d}", stricter)

    mutation = rng.random()
    if mutation < 0.1:
        case.raw_body = raw + rng.choice([" ", "\n"])
        case.why += ", body with trailing whitespace"
    elif mutation < 0.18:
        position = rng.randrange(len(raw))
        case.raw_body = raw[:position] + chr(ord(raw[position]) ^ 1) + raw[position + 1 :]
        case.why += f", one character changed at {position}"
    elif mutation < 0.26:
        case.secret = make_secret(rng)
        case.why += ", checked with another secret"
    elif mutation < 0.36:
        other = WebhookHandler(make_secret(rng)).signature(webhook_id, stamp, raw)
        entries = [other, signature] if rng.random() < 0.5 else [signature, other]
        case.headers["webhook-signature"] = " ".join(entries)
        case.why += ", two signatures (secret rotation)"
    elif mutation < 0.42:
        case.headers["webhook-signature"] = WebhookHandler(make_secret(rng)).signature(
            webhook_id, stamp, raw
        )
        case.why += ", signed with another secret"
    elif mutation < 0.5:
        name = rng.choice(list(case.headers))
        del case.headers[name]
        case.why += f", no {name}"
    elif mutation < 0.54:
        case.headers["webhook-id"] = webhook_id + "x"
        case.why += ", another webhook-id"
    elif mutation < 0.58:
        case.headers = {name.title(): value for name, value in case.headers.items()}
        case.why += ", header names in title case"
    elif mutation < 0.61:
        case.headers["webhook-signature"] = "v2," + signature[3:]
        case.why += ", a v2 signature"
        case.stricter = case.stricter or "only v1 signatures are accepted"
    elif mutation < 0.64:
        junk = stamp + "abc"
        case.headers["webhook-timestamp"] = junk
        case.headers["webhook-signature"] = signer.signature(webhook_id, junk, raw)
        case.why += ", a timestamp with trailing letters"
        case.stricter = case.stricter or "timestamps must be ASCII digits (Node's parseInt stops)"
    elif mutation < 0.67:
        case.headers["webhook-signature"] = "v1," + signature[3:].lower()
        case.why += ", signature in lower case"
    elif mutation < 0.7:
        case.headers["webhook-signature"] = "v1," + signature[3:].rstrip("=")
        case.why += ", signature without padding"
    return case


def generated_cases() -> list[Case]:
    rng = random.Random(SEED)
    cases = [random_case(rng, index) for index in range(CASES)]
    # A NaN in a correctly signed body: JSON.parse refuses it, so must we.
    secret = make_secret(rng)
    raw = '{"type": "storageUpdated", "data": {"roomId": NaN}}'
    headers = WebhookHandler(secret).sign("msg_nan", raw, NOW)
    cases.append(Case(secret, headers, raw, NOW, "NaN in the body"))
    return cases


def ours(case: Case) -> dict[str, Any]:
    try:
        event = WebhookHandler(case.secret).verify_request(
            case.headers, case.raw_body.encode(), now=case.now
        )
    except WebhookVerificationError as exc:
        return {"ok": False, "error": exc.reason, "status": exc.status}
    return {"ok": True, "event": event.raw}


def test_same_verdicts_as_the_official_webhook_handler() -> None:
    cases = generated_cases()
    official = oracle(
        ORACLE,
        [
            {
                "secret": case.secret,
                "headers": case.headers,
                "rawBody": case.raw_body,
                "nowMs": case.now * 1000,
            }
            for case in cases
        ],
    )
    accepted = stricter = 0
    for case, theirs in zip(cases, official, strict=True):
        mine = ours(case)
        if case.stricter is not None and theirs["ok"]:
            assert not mine["ok"], f"{case.why}: ours accepted ({case.stricter})"
            assert mine["status"] in (400, 401)
            stricter += 1
            continue
        assert mine["ok"] == theirs["ok"], (
            f"{case.why}: official {theirs}, ours {mine}; headers {case.headers}"
        )
        if mine["ok"]:
            assert mine["event"] == theirs["event"], case.why
            accepted += 1
    # The generator must exercise both verdicts and the documented differences.
    assert accepted > CASES // 5
    assert len(cases) - accepted - stricter > CASES // 5
    assert stricter > 20


def test_what_we_sign_the_official_handler_accepts() -> None:
    rng = random.Random(SEED + 1)
    cases = []
    for event_type in EVENT_TYPES:
        for kind in NOTIFICATION_KINDS if event_type == "notification" else [None]:
            secret = make_secret(rng)
            raw = serialise(rng, sample_event(event_type, kind=kind))
            headers = WebhookHandler(secret).sign(f"msg_{event_type}", raw, NOW)
            cases.append({"secret": secret, "headers": headers, "rawBody": raw, "nowMs": NOW * 1e3})
    results = oracle(ORACLE, cases)
    assert [result["ok"] for result in results] == [True] * len(cases), results
    assert [result["event"] for result in results] == [json.loads(c["rawBody"]) for c in cases]


def test_a_secret_from_the_generator_round_trips_through_node() -> None:
    from liveblocks_auth.webhooks import generate_webhook_secret

    secret = generate_webhook_secret()
    raw = json.dumps(sample_event("userEntered"))
    headers = WebhookHandler(secret).sign("msg_1", raw, NOW)
    [result] = oracle(
        ORACLE, [{"secret": secret, "headers": headers, "rawBody": raw, "nowMs": NOW * 1e3}]
    )
    assert result["ok"], result
    assert len(base64.b64decode(secret[6:])) == 32
    assert os.path.exists(ORACLE)
