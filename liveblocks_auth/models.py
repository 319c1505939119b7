"""Values passed between the adapters, the endpoint and the clients."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jwt

from ._effects import call_async, call_sync, drive, drive_async, with_extras


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


UserHook = Callable[..., Any]


def _user_flow(
    user: Any,
    user_id: UserHook,
    group_ids: UserHook | None,
    user_info: UserHook | None,
    organization_id: UserHook | None,
    extras: Mapping[str, Any],
) -> Generator[tuple[UserHook, Any], Any, LiveblocksUser]:
    def ask(hook: UserHook) -> tuple[UserHook, Any]:
        return with_extras(hook, 1, extras), user

    return LiveblocksUser(
        id=(yield ask(user_id)),
        group_ids=(yield ask(group_ids)) if group_ids else (),
        info=(yield ask(user_info)) if user_info else None,
        organization_id=(yield ask(organization_id)) if organization_id else None,
    )


def _extras(request: Any, data: Mapping[str, Any] | None) -> dict[str, Any]:
    return {"request": request, "data": {} if data is None else data}


def user_from(
    user: Any,
    *,
    user_id: Callable[..., str],
    group_ids: Callable[..., Sequence[str]] | None = None,
    user_info: Callable[..., Mapping[str, Any] | None] | None = None,
    organization_id: Callable[..., str | None] | None = None,
    request: Any = None,
    data: Mapping[str, Any] | None = None,
) -> LiveblocksUser:
    """A LiveblocksUser from a framework's user object and the adapter's hooks (sync or async).

    Each hook gets ``user``; a hook that declares a ``request`` or ``data`` parameter also gets
    ``request`` (the framework's request) or ``data`` (the JSON object the front end posted).
    """
    flow = _user_flow(user, user_id, group_ids, user_info, organization_id, _extras(request, data))
    return drive(flow, lambda hook_and_user: call_sync(*hook_and_user))


async def user_from_async(
    user: Any,
    *,
    user_id: Callable[..., Any],
    group_ids: Callable[..., Any] | None = None,
    user_info: Callable[..., Any] | None = None,
    organization_id: Callable[..., Any] | None = None,
    run_sync: Callable[..., Awaitable[Any]] | None = None,
    request: Any = None,
    data: Mapping[str, Any] | None = None,
) -> LiveblocksUser:
    """:func:`user_from` for async code: async hooks are awaited, sync ones run in a thread."""
    flow = _user_flow(user, user_id, group_ids, user_info, organization_id, _extras(request, data))
    return await drive_async(
        flow, lambda hook_and_user: call_async(*hook_and_user, run_sync=run_sync)
    )


# --- defaults for app user objects (Flask, Starlette, FastAPI; Django has its own id/name) ---


def _field(user: Any, name: str) -> Any:
    """``user[name]`` for mappings and rows (``sqlite3.Row``, as in Flask's tutorial), else
    ``user.name``; None when absent or not implemented."""
    try:
        if isinstance(user, Mapping) or hasattr(user, "keys"):
            try:
                return user[name]
            except (KeyError, IndexError):  # sqlite3.Row raises IndexError
                return None
        return getattr(user, name, None)
    except NotImplementedError:  # Starlette's BaseUser.display_name/identity
        return None


def default_user_id(user: Any) -> str:
    """The id of an app's user object: ``get_id()`` (Flask-Login), ``identity`` (Starlette's
    ``BaseUser``), ``id`` (attribute or key), else a Starlette user's ``display_name``."""
    get_id = getattr(user, "get_id", None)
    if callable(get_id):
        return str(get_id())
    for name in ("identity", "id", "display_name"):
        value = _field(user, name)
        if value is not None and value != "":
            return str(value)
    raise TypeError(
        f"cannot tell the id of the user object ({type(user).__name__}): give it an `id`, or "
        "pass a user_id hook / a resolver returning a LiveblocksUser"
    )


def user_avatar(user: Any) -> str | None:
    """The user's avatar URL when the object has one: ``avatar``/``avatar_url``/``picture``, as a
    string or as a file field with a ``url`` (Django's ``ImageField``)."""
    for name in ("avatar", "avatar_url", "picture"):
        value = _field(user, name)
        if isinstance(value, str):
            if value:
                return value
            continue
        if value:  # a FieldFile is falsy when no file is set
            try:
                url = getattr(value, "url", None)
            except ValueError:
                url = None
            if isinstance(url, str) and url:
                return url
    return None


def default_user_info(user: Any) -> dict[str, Any] | None:
    """``{"name", "avatar"}`` as the default Comments components need them, from the first
    non-empty ``name``/``full_name``/``display_name``/``username`` and :func:`user_avatar`;
    None when the object has neither."""
    info: dict[str, Any] = {}
    for key in ("name", "full_name", "display_name", "username"):
        value = _field(user, key)
        if isinstance(value, str) and value:
            info["name"] = value
            break
    avatar = user_avatar(user)
    if avatar is not None:
        info["avatar"] = avatar
    return info or None


def decode_token(token: str) -> dict[str, Any]:
    """The claims of a Liveblocks token, without verifying its signature (to inspect a token:
    the CLI's ``--json``, tests). Never use it to decide who a user is."""
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims
