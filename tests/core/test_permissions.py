"""Scope validation and local permission resolution (unit and property-based)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liveblocks_auth import Room, explain_room_permissions, resolve_room_permissions
from liveblocks_auth.permissions import (
    BASE_SCOPES,
    FEATURE_SCOPES,
    KNOWN_SCOPES,
    validate_permissions,
)


@pytest.mark.parametrize(
    "scopes",
    [
        [],
        ["room:write"],
        ["*:read"],
        ["room:read", "room:presence:write"],
        ["*:read", "storage:write", "comments:none", "comments:public:write", "feeds:read"],
    ],
)
def test_valid_permission_lists(scopes: list[str]) -> None:
    assert validate_permissions(scopes) == scopes


@pytest.mark.parametrize(
    ("scopes", "reason"),
    [
        (["room:admin"], "unknown permission scope 'room:admin'"),
        (["storage:write"], "has no base scope"),
        (["room:read", "*:write"], "has several base scopes"),
        (["*:read", "storage:read", "storage:write"], "two scopes for 'storage'"),
        ("room:write", "must be a list"),
        (None, "must be a list"),
    ],
)
def test_invalid_permission_lists_name_the_reason(scopes: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_permissions(scopes)


def test_the_seed_levels_override_each_other() -> None:
    # Seed 004: "a room with private access will allow a user with room:write access to enter".
    assert resolve_room_permissions([], [], ["room:write"]) == ["*:write"]
    assert resolve_room_permissions([], [["room:read", "room:presence:write"]]) == ["*:read"]
    assert resolve_room_permissions(["room:write"], [["room:read"]]) == ["*:read"]
    assert resolve_room_permissions([]) == []


def test_the_strongest_group_wins() -> None:
    assert resolve_room_permissions([], [["*:read"], ["*:write"], ["*:read"]]) == ["*:write"]
    groups = [["*:read", "comments:write"], ["*:write", "comments:none"]]
    assert resolve_room_permissions([], groups) == ["*:write"]


def test_explain_names_the_deciding_level() -> None:
    explained = explain_room_permissions(
        ["*:write", "comments:read"], [["*:read"]], ["storage:write"]
    )
    assert explained.scopes == ["*:read", "storage:write"]
    assert explained.decided_by["room"] == "groups"
    assert explained.decided_by["storage"] == "user"
    assert explained.decided_by["comments"] == "default"
    assert explained.decided_by["feeds"] == "groups"  # inherits the base
    assert explained.can_enter
    assert explained.can_write_storage
    assert not explained.can_comment


def test_room_helpers_answer_share_dialog_questions() -> None:
    room = Room(
        id="acme-roadmap",
        default_accesses=[],
        groups_accesses={
            "editors": ["room:write"],
            "viewers": ["room:read", "room:presence:write"],
        },
        users_accesses={"carol": ["room:read"]},
    )
    assert room.permissions_for("alice", ["editors"]) == ["*:write"]
    assert room.permissions_for("bob", ["viewers"]) == ["*:read"]
    assert room.permissions_for("dave", ["strangers"]) == []
    assert room.can_enter("carol")
    assert not room.can_write_storage("carol")
    assert room.can_write_storage("alice", ["editors"])
    assert room.can_comment("alice", ["editors"])
    assert not room.can_enter("dave")


# --- properties ------------------------------------------------------------------------------

known = st.sampled_from(sorted(KNOWN_SCOPES))
scope_lists = st.lists(known, max_size=6)


@settings(max_examples=500)
@given(scope_lists)
def test_validation_accepts_exactly_the_well_formed_lists(scopes: list[str]) -> None:
    bases = [s for s in scopes if s in BASE_SCOPES]
    features = [s.rsplit(":", 1)[0] for s in scopes if s in FEATURE_SCOPES]
    # The legacy presence scope may repeat, as @liveblocks/core's validatePermissionsSet allows.
    well_formed = not scopes or (len(bases) == 1 and len(features) == len(set(features)))
    try:
        validate_permissions(scopes)
    except ValueError:
        assert not well_formed
    else:
        assert well_formed


@settings(max_examples=500)
@given(scope_lists, st.lists(scope_lists, max_size=4), scope_lists | st.none())
def test_resolution_output_is_valid_and_stable(
    default: list[str], groups: list[list[str]], user: list[str] | None
) -> None:
    scopes = resolve_room_permissions(default, groups, user)
    assert validate_permissions(scopes) == scopes  # the output is itself a valid list
    # Resolving the result again changes nothing (it is normalized).
    assert resolve_room_permissions(scopes) == scopes
    # Group order never matters.
    assert resolve_room_permissions(default, list(reversed(groups)), user) == scopes


@settings(max_examples=300)
@given(scope_lists, st.lists(scope_lists, max_size=3))
def test_a_user_entry_saying_everything_overrides_everything(
    default: list[str], groups: list[list[str]]
) -> None:
    full = ["*:read", "storage:write", "comments:none", "feeds:write"]
    assert resolve_room_permissions(default, groups, full) == full
