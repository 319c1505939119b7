"""A test-only way to be logged in: the ``X-Test-User`` header, e.g.
``alice; groups=editors,viewers; org=acme``. Each adapter turns it into its own kind of user."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HeaderUser:
    username: str
    groups: tuple[str, ...] = ()
    org: str | None = None
    is_authenticated: bool = field(default=True, init=False)

    # What Django's default hooks and Starlette's BaseUser look at.
    @property
    def pk(self) -> str:
        return self.username

    def get_username(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return self.username.title()

    @property
    def identity(self) -> str:
        return self.username

    @property
    def display_name(self) -> str:
        return self.username.title()


def parse(header: str | None) -> HeaderUser | None:
    if not header:
        return None
    name, *parts = (part.strip() for part in header.split(";"))
    options = dict(part.split("=", 1) for part in parts if "=" in part)
    groups = tuple(g for g in options.get("groups", "").split(",") if g)
    return HeaderUser(name, groups, options.get("org"))


def header(username: str, groups: tuple[str, ...] | list[str] = (), org: str | None = None) -> str:
    text = username
    if groups:
        text += "; groups=" + ",".join(groups)
    if org:
        text += f"; org={org}"
    return text


class DjangoHeaderUserMiddleware:
    """After AuthenticationMiddleware: an X-Test-User header replaces request.user."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        user = parse(request.headers.get("X-Test-User"))
        if user is not None:
            request.user = user
        return self.get_response(request)


def group_ids(user: HeaderUser) -> list[str]:
    return list(user.groups)


def organization_id(user: HeaderUser) -> str | None:
    return user.org


def acme_only(user: Any, room: str | None) -> bool:
    return room is None or room.startswith(f"{user.organization_id}-")
