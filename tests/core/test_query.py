"""Queries given as mappings (rooms, threads, inbox notifications) are written in Liveblocks'
query language character for character as the pinned ``@liveblocks/node``'s ``objectToQuery``
writes them (query_cases.mjs), on generated queries: quoting and escaping, JavaScript's number
formatting and key order, operators."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from liveblocks_auth.api.comments import THREAD_QUERY
from liveblocks_auth.api.notifications import NOTIFICATION_QUERY
from liveblocks_auth.api.query import object_to_query
from liveblocks_auth.api.rooms import ROOM_QUERY

REALSTACK = Path(__file__).resolve().parents[1] / "realstack"
_KEYS = ["status", "a_b", "x", "1", "10", "2", "ü", "it's", 'say "hi"', "back\\slash", " sp "]
_TEXTS = ["open", "", "it's", 'a "q"', "back\\slash", "日本", "tab\there", "x'\"y", "\u2028"]


def _value(rng: random.Random) -> Any:
    return rng.choice(
        [
            lambda: rng.choice(_TEXTS),
            lambda: rng.randint(-1000, 1000),
            lambda: rng.choice([0.5, -2.25, 1e-7, 3.0, 1e21, 123456789.125, -0.0]),
            lambda: rng.choice([True, False]),
            lambda: None,
            lambda: {"startsWith": rng.choice(_TEXTS)},
            lambda: {
                name: rng.choice([1, -2.5, 0, 7e-9])
                for name in rng.sample(["lt", "gt", "lte", "gte"], rng.randint(1, 4))
            },
        ]
    )()


def _metadata(rng: random.Random) -> dict[str, Any]:
    return {name: _value(rng) for name in rng.sample(_KEYS, rng.randint(0, 5))}


def _thread_query(rng: random.Random) -> dict[str, Any]:
    query: dict[str, Any] = {}
    for key in rng.sample(["resolved", "visibility", "metadata"], rng.randint(0, 3)):
        if key == "resolved":
            query[key] = rng.choice([True, False])
        elif key == "visibility":
            query[key] = rng.choice(["public", "private"])
        else:
            query[key] = _metadata(rng)
    return query


def _room_query(rng: random.Random) -> dict[str, Any]:
    query: dict[str, Any] = {}
    for key in rng.sample(["roomId", "metadata"], rng.randint(0, 2)):
        if key == "roomId":
            text = rng.choice(_TEXTS)
            query[key] = rng.choice([text, {"startsWith": text}])
        else:
            query[key] = _metadata(rng)
    return query


@pytest.mark.realstack
def test_queries_are_written_as_node_writes_them() -> None:
    rng = random.Random(20261208)
    cases = [(_thread_query(rng), THREAD_QUERY) for _ in range(1000)]
    cases += [(_room_query(rng), ROOM_QUERY) for _ in range(400)]
    cases += [({"unread": flag}, NOTIFICATION_QUERY) for flag in (True, False)]
    done = subprocess.run(
        ["node", "query_cases.mjs"],
        input=json.dumps([query for query, _ in cases]),
        capture_output=True,
        text=True,
        cwd=REALSTACK,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    theirs = json.loads(done.stdout)
    assert [object_to_query(query, fields) for query, fields in cases] == theirs
    assert sum("metadata[" in q for q in theirs) > 500
    assert sum("roomId^" in q for q in theirs) > 50
    assert theirs[-2:] == ["unread:true", "unread:false"]


@pytest.mark.parametrize(
    ("query", "fields", "message"),
    [
        ({"status": "open"}, THREAD_QUERY, "query filters on 'resolved', 'visibility', 'metadata'"),
        ({"resolved": "yes"}, THREAD_QUERY, r"query\['resolved'\] must be True or False"),
        ({"visibility": "team"}, THREAD_QUERY, "must be 'public' or 'private'"),
        ({"metadata": {"n": {"lt": "3"}}}, THREAD_QUERY, r"\['lt'\] must be a number"),
        ({"metadata": {"n": {"lt": float("inf")}}}, THREAD_QUERY, "a finite number"),
        ({"metadata": {"n": {"startsWith": "a", "x": 1}}}, ROOM_QUERY, "must be a value"),
        ({"metadata": {"n": [1, 2]}}, ROOM_QUERY, "must be a string, a number, a boolean, None"),
        ({"metadata": {" ": 1}}, ROOM_QUERY, "keys must be non-empty strings"),
        ({"roomId": {"lt": 3}}, ROOM_QUERY, r"query\['roomId'\] must be a string or"),
        ({"unread": 1}, NOTIFICATION_QUERY, "must be True or False"),
        ({"metadata": {"k": "\ud800"}}, ROOM_QUERY, "not valid Unicode"),
    ],
)
def test_what_node_would_drop_or_mangle_is_refused(query: Any, fields: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        object_to_query(query, fields)
