"""Values passed between the adapters, the endpoint and the clients."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._effects import call_async, call_sync, drive, drive_async


@dataclass(frozen=True, slots=True)
class LiveblocksUser:
    """Who the logged-in user is, as user resolvers return it.

    ``id`` is sent as Liveblocks' ``userId``; ``group_ids`` select the room's ``groupsAccesses``;
    ``info`` is visible to everyone in the room (``self.info`` / ``other.info``);
    ``organization_id`` confines the user to one organization (tenant/workspace).
    """

    id: str
    group_ids: Sequence[str] = ()
    info: Mapping[str, Any] | None = None
    organization_id: str | None = None

    def __post_init__(self) -> None:
        # A lone string is a sequence too: "editors" would become e,d,i,t,o,r,s.
        if isinstance(self.group_ids, str):
            raise TypeError("LiveblocksUser.group_ids must be a list of strings, not a string")
        object.__setattr__(self, "group_ids", tuple(self.group_ids))


@dataclass(frozen=True, slots=True)
class AuthResponse:
    """What ``identify_user`` and ``Session.authorize`` return, as in ``@liveblocks/node``.

    ``status`` is 200 on success (``body`` is then ``{"token": "..."}``), 503 when Liveblocks is
    unreachable or failing (try again later), otherwise the status Liveblocks answered.
    ``retry_after`` carries the seconds Liveblocks asked to wait, when it did.
    """

    status: int
    body: str
    retry_after: int | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == 200


UserHook = Callable[[Any], Any]


def _user_flow(
    user: Any,
    user_id: UserHook,
    group_ids: UserHook | None,
    user_info: UserHook | None,
    organization_id: UserHook | None,
) -> Generator[tuple[UserHook, Any], Any, LiveblocksUser]:
    return LiveblocksUser(
        id=(yield user_id, user),
        group_ids=(yield group_ids, user) if group_ids else (),
        info=(yield user_info, user) if user_info else None,
        organization_id=(yield organization_id, user) if organization_id else None,
    )


def user_from(
    user: Any,
    *,
    user_id: Callable[[Any], str],
    group_ids: Callable[[Any], Sequence[str]] | None = None,
    user_info: Callable[[Any], Mapping[str, Any] | None] | None = None,
    organization_id: Callable[[Any], str | None] | None = None,
) -> LiveblocksUser:
    """A LiveblocksUser from a framework's user object and the adapter's hooks (sync or async)."""
    flow = _user_flow(user, user_id, group_ids, user_info, organization_id)
    return drive(flow, lambda hook_and_user: call_sync(*hook_and_user))


async def user_from_async(
    user: Any,
    *,
    user_id: Callable[[Any], Any],
    group_ids: Callable[[Any], Any] | None = None,
    user_info: Callable[[Any], Any] | None = None,
    organization_id: Callable[[Any], Any] | None = None,
    run_sync: Callable[..., Awaitable[Any]] | None = None,
) -> LiveblocksUser:
    """:func:`user_from` for async code: async hooks are awaited, sync ones run in a thread."""
    flow = _user_flow(user, user_id, group_ids, user_info, organization_id)
    return await drive_async(
        flow, lambda hook_and_user: call_async(*hook_and_user, run_sync=run_sync)
    )
