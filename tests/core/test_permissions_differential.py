"""Our resolver against the official mergeRoomPermissionScopes (@liveblocks/core, in Node)."""

from __future__ import annotations

import json
import random
import subprocess
from typing import Any

import pytest

from liveblocks_auth import resolve_room_permissions
from liveblocks_auth.permissions import KNOWN_SCOPES
from tests.conftest import ROOT

pytestmark = pytest.mark.realstack

CASES = 3000
SEED = 20261122
ORACLE = ROOT / "tests" / "realstack" / "merge_permissions.mjs"
SCOPES = sorted(KNOWN_SCOPES)
TYPICAL = [
    [],
    ["room:write"],
    ["room:read", "room:presence:write"],
    ["*:read"],
    ["*:write"],
    ["*:read", "comments:write"],
    ["*:write", "storage:read"],
]


def random_scopes(rng: random.Random) -> list[str]:
    if rng.random() < 0.3:
        return list(rng.choice(TYPICAL))
    # Any mix of known scopes, well-formed or not: the oracle must agree on all of them.
    return rng.sample(SCOPES, rng.randint(0, 5))


def random_case(rng: random.Random) -> dict[str, Any]:
    return {
        "defaultAccesses": random_scopes(rng),
        "groupsAccesses": [random_scopes(rng) for _ in range(rng.randint(0, 4))],
        "userAccesses": random_scopes(rng) if rng.random() < 0.7 else [],
    }


def oracle(script: Any, cases: list[Any]) -> list[Any]:
    """What an official-package script answers for ``cases`` (JSON in, JSON out, in Node)."""
    done = subprocess.run(
        ["node", str(script)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        cwd=script.parent,
        timeout=120,
        check=True,
    )
    results: list[Any] = json.loads(done.stdout)
    return results


def official(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return oracle(ORACLE, cases)


def test_resolution_agrees_with_the_official_implementation() -> None:
    rng = random.Random(SEED)
    cases = [random_case(rng) for _ in range(CASES)]
    expected = official(cases)
    assert len(expected) == CASES
    mismatches = []
    for case, answer in zip(cases, expected, strict=True):
        assert "error" not in answer, (case, answer)
        ours = resolve_room_permissions(
            case["defaultAccesses"], case["groupsAccesses"], case["userAccesses"]
        )
        if ours != answer["scopes"]:
            mismatches.append((case, ours, answer["scopes"]))
    assert mismatches == [], f"{len(mismatches)} of {CASES} differ, first: {mismatches[:3]}"
    # The corpus is not trivial: it covers refusals, writes, reads and feature overrides.
    outcomes = {tuple(a["scopes"]) for a in expected}
    assert () in outcomes
    assert ("*:write",) in outcomes
    assert ("*:read",) in outcomes
    assert len(outcomes) > 50


VALIDATOR = ROOT / "tests" / "realstack" / "validate_permissions.mjs"


def test_validation_agrees_with_validate_permissions_set() -> None:
    from liveblocks_auth import validate_permissions

    rng = random.Random(SEED + 1)
    lists = [
        ["room:read", "room:presence:write", "room:presence:write"],
        ["*:read", "room:presence:write", "room:presence:write", "storage:read"],
        ["*:read", "*:read"],
        ["*:write", "storage:read", "storage:write"],
        ["*:write", "comments:read", "comments:public:read"],
    ]
    # Any mix with repeats: rng.choices draws with replacement.
    lists += [rng.choices(SCOPES, k=rng.randint(1, 5)) for _ in range(3000)]
    verdicts = oracle(VALIDATOR, lists)
    mismatches = []
    for scopes, verdict in zip(lists, verdicts, strict=True):
        try:
            validate_permissions(scopes)
            ours = True
        except ValueError:
            ours = False
        if ours != (verdict is True):
            mismatches.append((scopes, verdict))
    assert mismatches == [], f"{len(mismatches)} differ, first: {mismatches[:3]}"
    assert verdicts[0] is True  # the repeated legacy presence scope is accepted
    assert 100 < sum(v is True for v in verdicts) < len(verdicts) - 100  # both verdicts common
