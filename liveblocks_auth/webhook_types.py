"""The payloads of Liveblocks webhook events, typed after ``@liveblocks/node`` 3.24.2.

``WebhookEvent.payload`` is a :data:`WebhookPayload`; checking ``payload["type"]`` narrows it
(mypy and pyright narrow tagged unions of TypedDicts)::

    payload = event.payload
    if payload["type"] == "userEntered":
        print(payload["data"]["numActiveUsers"])

Dates are ISO 8601 strings, as Liveblocks sends them.
"""

from __future__ import annotations

from typing import Any, Final, Literal, TypeAlias, TypedDict

__all__ = [
    "EVENT_TYPES",
    "NOTIFICATION_CHANNELS",
    "CommentCreatedEvent",
    "CommentDeletedEvent",
    "CommentEditedEvent",
    "CommentMetadataUpdatedEvent",
    "CommentReactionAddedEvent",
    "CommentReactionRemovedEvent",
    "CustomNotificationEvent",
    "NotificationChannel",
    "NotificationEvent",
    "RoomCreatedEvent",
    "RoomDeletedEvent",
    "StorageUpdatedEvent",
    "TextMentionNotificationEvent",
    "ThreadCreatedEvent",
    "ThreadDeletedEvent",
    "ThreadMarkedAsResolvedEvent",
    "ThreadMarkedAsUnresolvedEvent",
    "ThreadMetadataUpdatedEvent",
    "ThreadNotificationEvent",
    "UserEnteredEvent",
    "UserLeftEvent",
    "WebhookPayload",
    "YDocUpdatedEvent",
]

#: The event types ``WebhookHandler`` of ``@liveblocks/node`` 3.24.2 accepts, in its order.
EVENT_TYPES: Final = (
    "storageUpdated",
    "userEntered",
    "userLeft",
    "roomCreated",
    "roomDeleted",
    "commentCreated",
    "commentEdited",
    "commentDeleted",
    "commentReactionAdded",
    "commentReactionRemoved",
    "commentMetadataUpdated",
    "threadMetadataUpdated",
    "threadCreated",
    "threadDeleted",
    "ydocUpdated",
    "notification",
    "threadMarkedAsResolved",
    "threadMarkedAsUnresolved",
)
NOTIFICATION_CHANNELS: Final = ("email", "slack", "teams", "webPush")
NotificationChannel: TypeAlias = Literal["email", "slack", "teams", "webPush"]


class _RoomData(TypedDict):
    projectId: str
    roomId: str


class StorageUpdatedData(_RoomData):
    updatedAt: str


class StorageUpdatedEvent(TypedDict):
    type: Literal["storageUpdated"]
    data: StorageUpdatedData


class YDocUpdatedEvent(TypedDict):
    type: Literal["ydocUpdated"]
    data: StorageUpdatedData


class _PresenceData(_RoomData):
    connectionId: int
    userId: str | None
    userInfo: dict[str, Any] | None
    numActiveUsers: int


class UserEnteredData(_PresenceData):
    enteredAt: str


class UserEnteredEvent(TypedDict):
    type: Literal["userEntered"]
    data: UserEnteredData


class UserLeftData(_PresenceData):
    leftAt: str


class UserLeftEvent(TypedDict):
    type: Literal["userLeft"]
    data: UserLeftData


class RoomCreatedData(_RoomData):
    createdAt: str


class RoomCreatedEvent(TypedDict):
    type: Literal["roomCreated"]
    data: RoomCreatedData


class RoomDeletedData(_RoomData):
    deletedAt: str


class RoomDeletedEvent(TypedDict):
    type: Literal["roomDeleted"]
    data: RoomDeletedData


class _ThreadData(_RoomData):
    threadId: str


class _CommentData(_ThreadData):
    commentId: str


class CommentCreatedData(_CommentData):
    createdAt: str
    createdBy: str


class CommentCreatedEvent(TypedDict):
    type: Literal["commentCreated"]
    data: CommentCreatedData


class CommentEditedData(_CommentData):
    editedAt: str


class CommentEditedEvent(TypedDict):
    type: Literal["commentEdited"]
    data: CommentEditedData


class CommentDeletedData(_CommentData):
    deletedAt: str


class CommentDeletedEvent(TypedDict):
    type: Literal["commentDeleted"]
    data: CommentDeletedData


class CommentReactionAddedData(_CommentData):
    emoji: str
    addedAt: str
    addedBy: str


class CommentReactionAddedEvent(TypedDict):
    type: Literal["commentReactionAdded"]
    data: CommentReactionAddedData


class CommentReactionRemovedData(_CommentData):
    emoji: str
    removedAt: str
    removedBy: str


class CommentReactionRemovedEvent(TypedDict):
    type: Literal["commentReactionRemoved"]
    data: CommentReactionRemovedData


class CommentMetadataUpdatedData(_CommentData):
    updatedAt: str
    updatedBy: str


class CommentMetadataUpdatedEvent(TypedDict):
    type: Literal["commentMetadataUpdated"]
    data: CommentMetadataUpdatedData


class ThreadUpdatedData(_ThreadData):
    updatedAt: str
    updatedBy: str


class ThreadMetadataUpdatedEvent(TypedDict):
    type: Literal["threadMetadataUpdated"]
    data: ThreadUpdatedData


class ThreadMarkedAsResolvedEvent(TypedDict):
    type: Literal["threadMarkedAsResolved"]
    data: ThreadUpdatedData


class ThreadMarkedAsUnresolvedEvent(TypedDict):
    type: Literal["threadMarkedAsUnresolved"]
    data: ThreadUpdatedData


class ThreadCreatedData(_ThreadData):
    createdAt: str
    createdBy: str


class ThreadCreatedEvent(TypedDict):
    type: Literal["threadCreated"]
    data: ThreadCreatedData


class ThreadDeletedData(_ThreadData):
    deletedAt: str


class ThreadDeletedEvent(TypedDict):
    type: Literal["threadDeleted"]
    data: ThreadDeletedData


class _NotificationData(TypedDict):
    channel: NotificationChannel
    projectId: str
    userId: str
    inboxNotificationId: str
    createdAt: str
    triggeredAt: str


class ThreadNotificationData(_NotificationData):
    kind: Literal["thread"]
    roomId: str
    threadId: str


class ThreadNotificationEvent(TypedDict):
    type: Literal["notification"]
    data: ThreadNotificationData


class TextMentionNotificationData(_NotificationData):
    kind: Literal["textMention"]
    roomId: str
    mentionId: str


class TextMentionNotificationEvent(TypedDict):
    type: Literal["notification"]
    data: TextMentionNotificationData


class CustomNotificationData(_NotificationData):
    kind: str  # "$" followed by your kind's name
    roomId: str | None
    subjectId: str


class CustomNotificationEvent(TypedDict):
    type: Literal["notification"]
    data: CustomNotificationData


NotificationEvent: TypeAlias = (
    ThreadNotificationEvent | TextMentionNotificationEvent | CustomNotificationEvent
)
WebhookPayload: TypeAlias = (
    StorageUpdatedEvent
    | UserEnteredEvent
    | UserLeftEvent
    | RoomCreatedEvent
    | RoomDeletedEvent
    | CommentCreatedEvent
    | CommentEditedEvent
    | CommentDeletedEvent
    | CommentReactionAddedEvent
    | CommentReactionRemovedEvent
    | CommentMetadataUpdatedEvent
    | ThreadMetadataUpdatedEvent
    | NotificationEvent
    | ThreadCreatedEvent
    | ThreadDeletedEvent
    | ThreadMarkedAsResolvedEvent
    | ThreadMarkedAsUnresolvedEvent
    | YDocUpdatedEvent
)
