"""Request/answer cases every adapter must honour, shared by the adapters' test modules.

Each adapter test sets up an endpoint for a logged-in user of organization "acme" whose room
policy refuses rooms not starting with "acme-", with https://partner.example allowed.
"""

from __future__ import annotations

import json
from typing import Any

ROOM = {"room": "acme-roadmap"}
ALLOWED_ORIGIN = "https://partner.example"


#: A browser's CORS preflight from the allowed origin, for a POST with a bearer token.
PREFLIGHT = {
    "Origin": ALLOWED_ORIGIN,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


def acme_only(user: Any, room: str | None) -> bool:
    return room is None or room.startswith("acme-")


#: (method, body, content type, status): refused before any upstream call.
BAD_REQUESTS = [
    ("GET", None, None, 405),
    ("POST", "room=x", "application/x-www-form-urlencoded", 415),
    ("POST", "[]", "application/json", 400),
    ("POST", '{"room": "acme-*"}', "application/json", 400),
    ("POST", '{"room": 1}', "application/json", 400),
    ("POST", "{", "application/json", 400),
    ("POST", json.dumps({"room": "x" * 9000}), "application/json", 413),
    ("POST", '{"room": "globex-x"}', "application/json", 403),
]

#: (extra request headers, status) for a logged-in user; "{own}" is the test server's origin.
ORIGIN_CASES = [
    ({}, 200),
    ({"Sec-Fetch-Site": "same-origin"}, 200),
    ({"Sec-Fetch-Site": "none"}, 200),
    ({"Origin": "{own}"}, 200),
    ({"Sec-Fetch-Site": "cross-site"}, 403),
    ({"Sec-Fetch-Site": "same-site"}, 403),
    ({"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403),
    ({"Origin": "https://evil.example"}, 403),
    ({"Origin": "null"}, 403),
    ({"Origin": ALLOWED_ORIGIN}, 200),
]


def with_own_origin(headers: dict[str, str], own: str) -> dict[str, str]:
    return {key: value.replace("{own}", own) for key, value in headers.items()}


#: A webhook body written as no serialiser would write it back (key order, spacing, ``\u`` and
#: ``\/`` escapes): verifying a re-serialised body instead of the raw bytes would fail on it.
ODD_BODY = (
    '{ "data":{"updatedAt":"2026-11-23T10:00:00.000Z","roomId":"caf\\u00e9 \\/ r\\u00f4om",'
    '"projectId" : "p1"},\n  "type":"storageUpdated"}'
)
