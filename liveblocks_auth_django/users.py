"""How a Django user becomes a LiveblocksUser, with the defaults of the ``LIVEBLOCKS`` setting."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from liveblocks_auth import LiveblocksUser, user_from

from . import conf


def default_user_id(user: Any) -> str:
    return str(user.pk)


def default_user_info(user: Any) -> dict[str, Any]:
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return {"name": full_name or user.get_username()}


def default_group_ids(user: Any) -> list[str]:
    groups = getattr(user, "groups", None)
    if groups is None:
        return []
    return sorted(groups.values_list("name", flat=True))


def resolve_user(request: HttpRequest) -> LiveblocksUser | None:
    """The logged-in ``request.user`` as a LiveblocksUser, or None when anonymous.

    Runs in a worker thread under ASGI (the ORM is sync), never on the event loop.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return liveblocks_user(user)


def liveblocks_user(user: Any) -> LiveblocksUser:
    """A Django user as the endpoint identifies it: the ``LIVEBLOCKS`` hooks applied."""
    user_id = conf.hook("USER_ID")
    assert user_id is not None
    return user_from(
        user,
        user_id=user_id,
        group_ids=conf.hook("GROUP_IDS"),
        user_info=conf.hook("USER_INFO"),
        organization_id=conf.hook("ORGANIZATION_ID"),
    )
