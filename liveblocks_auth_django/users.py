"""How a Django request's user becomes a LiveblocksUser, with the defaults of ``LIVEBLOCKS``.

Resolution, in order: with ``REST_FRAMEWORK``, Django REST framework's authentication classes
authenticate the request first (so ``request.user`` is DRF's user); then ``RESOLVE_USER`` if set,
else the logged-in ``request.user`` through the ``USER_ID``/``USER_INFO``/``GROUP_IDS``/
``ORGANIZATION_ID`` hooks. Everything here may touch the ORM: under ASGI it runs in Django's sync
executor, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from liveblocks_auth import Denied, LiveblocksUser, user_from
from liveblocks_auth.hooks import with_extras
from liveblocks_auth.models import user_avatar

from . import conf


def default_user_id(user: Any) -> str:
    return str(user.pk)


def default_user_info(user: Any) -> dict[str, Any]:
    """``{"name": full name or username}``, plus ``"avatar"`` when the user model has one
    (``avatar``/``avatar_url``/``picture``: a URL string or an ``ImageField``)."""
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    info: dict[str, Any] = {"name": full_name or user.get_username()}
    avatar = user_avatar(user)
    if avatar is not None:
        info["avatar"] = avatar
    return info


def default_group_ids(user: Any) -> list[str]:
    groups = getattr(user, "groups", None)
    if groups is None:
        return []
    return sorted(groups.values_list("name", flat=True))


def resolve_user(request: HttpRequest, data: Mapping[str, Any] | None = None) -> Any:
    """The endpoint's resolver: a LiveblocksUser, or None when nobody is logged in.

    Under ASGI it runs in Django's sync executor (the ORM is sync), never on the event loop.
    """
    if conf.get("REST_FRAMEWORK"):
        authenticate_with_rest_framework(request)
    return resolve_authenticated(request, data)


def resolve_authenticated(request: HttpRequest, data: Mapping[str, Any] | None = None) -> Any:
    """:func:`resolve_user` once ``request.user`` is known (after DRF, or set by the caller, as
    ``manage.py liveblocks identify`` does): ``RESOLVE_USER``, else the hooks."""
    custom = conf.hook("RESOLVE_USER")
    if custom is not None:
        return with_extras(custom, 1, {"data": data})(request)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return liveblocks_user(user, request=request, data=data)


def liveblocks_user(
    user: Any, *, request: HttpRequest | None = None, data: Mapping[str, Any] | None = None
) -> LiveblocksUser:
    """A Django user as the endpoint identifies it: the ``LIVEBLOCKS`` hooks applied (hooks that
    declare a ``request``/``data`` parameter get them; None outside a request)."""
    user_id, group_ids, user_info, organization_id = conf.hooks(
        "USER_ID", "GROUP_IDS", "USER_INFO", "ORGANIZATION_ID"
    )
    assert user_id is not None
    return user_from(
        user,
        user_id=user_id,
        group_ids=group_ids,
        user_info=user_info,
        organization_id=organization_id,
        request=request,
        data=data,
    )


# --- Django REST framework (optional: the [drf] extra) ---------------------------------------


def authentication_classes() -> list[type[Any]]:
    """``LIVEBLOCKS['AUTHENTICATION_CLASSES']`` (dotted paths or classes), else DRF's
    ``DEFAULT_AUTHENTICATION_CLASSES``."""
    configured = conf.get("AUTHENTICATION_CLASSES")
    if configured is None:
        from rest_framework.settings import api_settings

        return list(api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    if isinstance(configured, str):
        configured = [configured]
    return [conf.import_setting("AUTHENTICATION_CLASSES", c) for c in configured]


def authenticate_with_rest_framework(request: HttpRequest) -> None:
    """Authenticate ``request`` as a DRF view would, so ``request.user`` (and ``request.auth``)
    become DRF's. A failure (bad token, DRF's CSRF rule for sessions) refuses the request with
    DRF's status and message, and its ``WWW-Authenticate`` header as DRF sends it."""
    from rest_framework import exceptions
    from rest_framework.parsers import JSONParser
    from rest_framework.request import Request

    authenticators = [cls() for cls in authentication_classes()]
    # The JSON parser: DRF's session CSRF check reads request.POST, which parses the body.
    drf_request = Request(request, parsers=[JSONParser()], authenticators=authenticators)
    try:
        drf_request.user  # noqa: B018 - DRF authenticates on first access, then sets request.user
    except exceptions.APIException as exc:
        status = exc.status_code
        headers: tuple[tuple[str, str], ...] = ()
        if status == 401:
            challenge = (
                authenticators[0].authenticate_header(drf_request) if authenticators else None
            )
            if challenge:
                headers = (("WWW-Authenticate", challenge),)
            else:
                status = 403  # DRF's own rule: no challenge, no 401
        detail = " ".join(str(exc.detail).split())[:200]
        raise Denied(detail or "authentication failed", status, headers=headers) from None
