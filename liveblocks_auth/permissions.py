"""Room permission scopes, as ``@liveblocks/core`` names them, and their validation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

#: Base scopes: what the whole room allows. Current names first, legacy aliases after.
READ: Final = "*:read"
WRITE: Final = "*:write"
ROOM_READ: Final = "room:read"
ROOM_WRITE: Final = "room:write"
#: Legacy scope still accepted by the service alongside ``room:read``.
ROOM_PRESENCE_WRITE: Final = "room:presence:write"

BASE_SCOPES: Final = frozenset({READ, WRITE, ROOM_READ, ROOM_WRITE})

#: Feature resources, each with its three levels (``storage:write`` ...).
FEATURES: Final = ("storage", "comments", "comments:public", "comments:private", "feeds")
ACCESS_LEVELS: Final = ("none", "read", "write")

FEATURE_SCOPES: Final = frozenset(
    f"{feature}:{level}" for feature in FEATURES for level in ACCESS_LEVELS
)
KNOWN_SCOPES: Final = BASE_SCOPES | FEATURE_SCOPES | {ROOM_PRESENCE_WRITE}


def check_known_scopes(scopes: object) -> list[str]:
    """Return ``scopes`` as a list, or raise ``ValueError`` naming the first unknown scope."""
    if isinstance(scopes, str | bytes) or not isinstance(scopes, Iterable):
        raise ValueError(f"permissions must be a list of scopes, not {type(scopes).__name__}")
    result = list(scopes)
    for scope in result:
        if scope not in KNOWN_SCOPES:
            known = ", ".join(sorted(KNOWN_SCOPES))
            raise ValueError(f"unknown permission scope {scope!r}; known scopes: {known}")
    return result


# --- validation ------------------------------------------------------------------------------

#: The resource each scope speaks about (``room`` for the base scopes).
_RESOURCE_OF: Final = {
    **{scope: "room" for scope in BASE_SCOPES},
    **{f"{feature}:{level}": feature for feature in FEATURES for level in ACCESS_LEVELS},
    ROOM_PRESENCE_WRITE: "room:presence",
}


def validate_permissions(scopes: object, setting: str = "permissions") -> list[str]:
    """Check a room permission list as the cloud does; return it as a list.

    ``[]`` (no access) is valid. A non-empty list holds exactly one base scope (``*:read``,
    ``*:write``, or the legacy ``room:read``/``room:write``) and at most one scope per feature.
    Raises ``ValueError`` with the exact reason. (The dev server stores anything, even
    ``room:admin``; the cloud refuses it, so this runs before every room write.)
    """
    result = check_known_scopes(scopes)
    if not result:
        return result
    bases = [scope for scope in result if scope in BASE_SCOPES]
    if not bases:
        raise ValueError(
            f"{setting} {result!r} has no base scope: add exactly one of "
            "'*:read', '*:write' (or the legacy 'room:read', 'room:write'), or use [] for no access"
        )
    if len(bases) > 1:
        raise ValueError(
            f"{setting} {result!r} has several base scopes {bases!r}: keep exactly one"
        )
    seen: dict[str, str] = {}
    for scope in result:
        resource = _RESOURCE_OF[scope]
        if resource == "room:presence":
            continue  # the legacy presence scope may repeat (as validatePermissionsSet allows)
        if resource in seen and resource != "room":
            raise ValueError(
                f"{setting} {result!r} has two scopes for {resource!r}: {seen[resource]!r} and "
                f"{scope!r}; keep one"
            )
        seen[resource] = scope
    return result


# --- resolution: a port of mergeRoomPermissionScopes (@liveblocks/core) --------------------------

Access = str  # "none" | "read" | "write"
Matrix = dict[str, Access]

_RANK: Final = {"none": 0, "read": 1, "write": 2}
_SCOPES_BY_RESOURCE: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "room": {"read": (READ, ROOM_READ), "write": (WRITE, ROOM_WRITE)},
    **{
        feature: {level: (f"{feature}:{level}",) for level in ("write", "read", "none")}
        for feature in FEATURES
    },
}
_COMMENT_VISIBILITY: Final = ("comments:public", "comments:private")

#: Resources of the full matrix, in the order they are reported.
RESOURCES: Final = ("room", *FEATURES)


def _resource_access(scopes: Sequence[str], resource: str) -> Access | None:
    # The highest level present wins (levels are walked from none to write).
    found: Access | None = None
    for level in ACCESS_LEVELS:
        if any(scope in scopes for scope in _SCOPES_BY_RESOURCE[resource].get(level, ())):
            found = level
    return found


def explicit_matrix(scopes: Sequence[str]) -> Matrix:
    """What a scope list says explicitly, resource by resource (silent resources absent)."""
    matrix: Matrix = {}
    for resource in RESOURCES:
        access = _resource_access(scopes, resource)
        if access is not None:
            matrix[resource] = access
    return matrix


def _explicit_access(source: Matrix, resource: str) -> Access | None:
    if resource in source:
        return source[resource]
    return source.get("comments") if resource in _COMMENT_VISIBILITY else None


def _strongest(left: Access, right: Access) -> Access:
    return right if _RANK[right] > _RANK[left] else left


def _merge_groups(sources: Iterable[Matrix]) -> Matrix:
    merged: Matrix = {}
    for source in sources:
        for resource in RESOURCES:
            access = (
                source.get("room") if resource == "room" else _explicit_access(source, resource)
            )
            if access is not None:
                merged[resource] = _strongest(merged.get(resource, "none"), access)
    return merged


def full_matrix(explicit: Matrix) -> Matrix:
    """Fill in what a resource inherits: features from the base, comment kinds from comments."""
    base = explicit.get("room")
    if base is None:
        return {resource: "none" for resource in RESOURCES}
    comments = explicit.get("comments", base)
    return {
        "room": base,
        "storage": explicit.get("storage", base),
        "comments": comments,
        "comments:public": explicit.get("comments:public", comments),
        "comments:private": explicit.get("comments:private", comments),
        "feeds": explicit.get("feeds", base),
    }


def matrix_to_scopes(matrix: Matrix) -> list[str]:
    """The shortest scope list for a full matrix, in the current scope names."""
    base = matrix["room"]
    scopes = [] if base == "none" else [_SCOPES_BY_RESOURCE["room"][base][0]]
    if matrix["storage"] != base:
        scopes.append(f"storage:{matrix['storage']}")
    comments = matrix["comments"]
    if comments != base:
        scopes.append(f"comments:{comments}")
    for resource in _COMMENT_VISIBILITY:
        if matrix[resource] != comments:
            scopes.append(f"{resource}:{matrix[resource]}")
    if matrix["feeds"] != base:
        scopes.append(f"feeds:{matrix['feeds']}")
    return scopes


@dataclass(frozen=True, slots=True)
class Resolution:
    """The scopes a user gets at the door, and which level decided each resource."""

    scopes: list[str]
    matrix: Matrix
    decided_by: dict[str, str]  # resource -> "default" | "groups" | "user" | "nobody"

    @property
    def can_enter(self) -> bool:
        return self.matrix["room"] != "none"

    @property
    def can_write_storage(self) -> bool:
        return self.matrix["storage"] == "write"

    @property
    def can_read_storage(self) -> bool:
        return self.matrix["storage"] != "none"

    @property
    def can_comment(self) -> bool:
        return any(
            self.matrix[r] == "write" for r in ("comments", "comments:public", "comments:private")
        )


def explain_room_permissions(
    default_accesses: Sequence[str],
    groups_accesses: Sequence[Sequence[str]] = (),
    user_accesses: Sequence[str] | None = None,
) -> Resolution:
    """:func:`resolve_room_permissions` with the matrix and the level that decided each part."""
    levels = (
        ("default", explicit_matrix(default_accesses)),
        ("groups", _merge_groups(explicit_matrix(scopes) for scopes in groups_accesses)),
        ("user", explicit_matrix(user_accesses or ())),
    )
    merged: Matrix = {}
    decided_by = {resource: "nobody" for resource in RESOURCES}
    for level, source in levels:
        for resource in RESOURCES:
            access = (
                source.get("room") if resource == "room" else _explicit_access(source, resource)
            )
            if access is not None:
                merged[resource] = access
                decided_by[resource] = level
    matrix = full_matrix(merged)
    for resource in RESOURCES:
        # A resource no level mentions inherits the base access, and so its decider; without
        # a base nothing else counts (the door is shut).
        if resource not in merged or "room" not in merged:
            decided_by[resource] = decided_by["room"]
    return Resolution(matrix_to_scopes(matrix), matrix, decided_by)


def resolve_room_permissions(
    default_accesses: Sequence[str],
    groups_accesses: Sequence[Sequence[str]] = (),
    user_accesses: Sequence[str] | None = None,
) -> list[str]:
    """The scopes a user gets at the door of a room (``[]``: refused).

    ``groups_accesses`` holds the scope lists of the user's groups present on the room; of those
    the strongest access per resource wins. Each level (default, groups, user) overrides the
    earlier ones resource by resource where it says something. Agrees with
    ``mergeRoomPermissionScopes`` of ``@liveblocks/core`` on every input (a differential test
    checks it against the official implementation).
    """
    return explain_room_permissions(default_accesses, groups_accesses, user_accesses).scopes
