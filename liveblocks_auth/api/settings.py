"""What a user is told about, and where: notification settings (per channel: e-mail, Slack,
Teams, web push; per kind: threads, text mentions, your custom kinds) and room subscription
settings (which threads and mentions of a room notify the user)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, TypedDict, cast

from liveblocks_auth._protocol import ApiRequest, check_organization_id, check_user_id

from ._operation import Operation, Pager, no_content, ok_json, page_size_param, path_segment

__all__ = [
    "NOTIFICATION_CHANNELS",
    "ROOM_SUBSCRIPTION_CHOICES",
    "NotificationSettings",
    "RoomSubscriptionSettings",
    "delete_notification_settings",
    "delete_room_subscription_settings",
    "get_notification_settings",
    "get_room_subscription_settings",
    "get_user_room_subscription_settings",
    "update_notification_settings",
    "update_room_subscription_settings",
]

NOTIFICATION_CHANNELS = ("email", "slack", "teams", "webPush")
#: The values each room subscription setting takes.
ROOM_SUBSCRIPTION_CHOICES: Final = {
    "threads": ("all", "replies_and_mentions", "none"),
    "textMentions": ("mine", "none"),
}


class NotificationSettings(TypedDict, total=False):
    """Per channel, each kind of notification on or off (``{"thread": True, ...}``); a channel
    the project has not set up is None, as the Node SDK reads it. Other keys Liveblocks sends
    are kept."""

    email: dict[str, bool] | None
    slack: dict[str, bool] | None
    teams: dict[str, bool] | None
    webPush: dict[str, bool] | None


class RoomSubscriptionSettings(TypedDict, total=False):
    threads: Literal["all", "replies_and_mentions", "none"]
    textMentions: Literal["mine", "none"]
    #: In a listing of a user's settings (``get_user_room_subscription_settings``).
    roomId: str


def _user_path(user_id: str, rest: str) -> str:
    check_user_id(user_id)
    return f"/v2/users/{path_segment(user_id, 'user_id')}/{rest}"


def _room_user_path(room_id: str, user_id: str) -> str:
    check_user_id(user_id)
    room, user = path_segment(room_id, "room_id"), path_segment(user_id, "user_id")
    return f"/v2/rooms/{room}/users/{user}/subscription-settings"


def _notification_settings(data: Any) -> NotificationSettings:
    settings = dict(data) if isinstance(data, Mapping) else {}
    for channel in NOTIFICATION_CHANNELS:
        settings.setdefault(channel, None)
    return cast(NotificationSettings, settings)


def _settings_answer(request: ApiRequest) -> Operation[NotificationSettings]:
    return _notification_settings(ok_json((yield request)))


def get_notification_settings(user_id: str) -> Operation[NotificationSettings]:
    """The user's notification settings, per channel."""
    return _settings_answer(ApiRequest("GET", _user_path(user_id, "notification-settings")))


def update_notification_settings(
    user_id: str, data: Mapping[str, Mapping[str, bool]]
) -> Operation[NotificationSettings]:
    """Change some of the user's settings (``{"email": {"thread": False}}``); answers them all.
    Sending it twice is harmless."""
    if not isinstance(data, Mapping) or not data:
        raise ValueError('data must be a mapping like {"email": {"thread": False}}')
    body: dict[str, dict[str, bool]] = {}
    for channel, kinds in data.items():
        if channel not in NOTIFICATION_CHANNELS:
            raise ValueError(
                f"unknown notification channel {channel!r}; use {', '.join(NOTIFICATION_CHANNELS)}"
            )
        if not isinstance(kinds, Mapping) or not all(
            isinstance(kind, str) and kind and isinstance(on, bool) for kind, on in kinds.items()
        ):
            raise ValueError(f"data[{channel!r}] must map notification kinds to True or False")
        body[channel] = dict(kinds)
    path = _user_path(user_id, "notification-settings")
    return _settings_answer(ApiRequest("POST", path, body, idempotent=True))


def delete_notification_settings(user_id: str) -> Operation[None]:
    """Forget the user's settings: the project's defaults apply again."""
    return no_content(ApiRequest("DELETE", _user_path(user_id, "notification-settings")))


def _room_settings(data: Any) -> RoomSubscriptionSettings:
    return cast(RoomSubscriptionSettings, dict(data) if isinstance(data, Mapping) else {})


def _room_settings_answer(request: ApiRequest) -> Operation[RoomSubscriptionSettings]:
    data = ok_json((yield request))
    return _room_settings(data)


def get_room_subscription_settings(
    room_id: str, *, user_id: str
) -> Operation[RoomSubscriptionSettings]:
    """Which threads and mentions of the room notify the user."""
    return _room_settings_answer(ApiRequest("GET", _room_user_path(room_id, user_id)))


def update_room_subscription_settings(
    room_id: str, *, user_id: str, data: Mapping[str, str]
) -> Operation[RoomSubscriptionSettings]:
    """Change them: ``threads`` (``"all"``, ``"replies_and_mentions"``, ``"none"``) and
    ``textMentions`` (``"mine"``, ``"none"``). Sending it twice is harmless."""
    allowed = ROOM_SUBSCRIPTION_CHOICES
    if not isinstance(data, Mapping) or not data:
        raise ValueError('data must be a mapping like {"threads": "all"}')
    for key, value in data.items():
        if key not in allowed or value not in allowed[key]:
            choices = "; ".join(f"{k}: {', '.join(v)}" for k, v in allowed.items())
            raise ValueError(f"invalid room subscription setting {key}={value!r} ({choices})")
    path = _room_user_path(room_id, user_id)
    return _room_settings_answer(ApiRequest("POST", path, dict(data), idempotent=True))


def delete_room_subscription_settings(room_id: str, *, user_id: str) -> Operation[None]:
    """Forget the user's settings for the room."""
    return no_content(ApiRequest("DELETE", _room_user_path(room_id, user_id)))


def get_user_room_subscription_settings(
    user_id: str,
    *,
    organization_id: str | None = None,
    tenant_id: str | None = None,
    page_size: int | None = None,
) -> Pager[RoomSubscriptionSettings]:
    """The user's room subscription settings in every room that has some, page after page."""
    params = page_size_param(page_size)
    organization = check_organization_id(organization_id, tenant_id)
    if organization is not None:
        params["organizationId"] = organization
    path = _user_path(user_id, "room-subscription-settings")
    return Pager(path, params, _room_settings, ("startingAfter", "limit", "organizationId"))
