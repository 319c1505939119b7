"""liveblocks-auth: Liveblocks authentication for Python web apps (the framework-free core)."""

from __future__ import annotations

from ._secret import Secret, hold_secret, secret_from_setting, validate_secret
from .api.ai import AiCopilot, KnowledgeSource, WebKnowledgeSourceLink
from .api.comments import Comment, CommentAttachment, CommentReaction, Subscription, Thread
from .api.feeds import Feed, FeedMessage
from .api.files import StorageFile
from .api.groups import Group, GroupMember
from .api.notifications import InboxNotification
from .api.presence import ActiveUser
from .api.rooms import Room, RoomChanges, RoomSettings
from .api.versions import HistoryVersion
from .client import AsyncLiveblocks, AsyncSession, Liveblocks, Session
from .comment_body import (
    CommentBody,
    comment_body_from_text,
    get_mentions_from_comment_body,
    markdown_to_comment_body,
    stringify_comment_body,
    stringify_comment_body_async,
)
from .config import DEFAULT_BASE_URL, VERSION, RetryPolicy
from .endpoint import (
    AuthEndpoint,
    AuthRequest,
    Denied,
    EndpointResponse,
    Misconfigured,
    PermissionsHook,
    RoomPolicy,
    TokenMode,
    UserResolver,
)
from .errors import LiveblocksError
from .models import (
    AuthResponse,
    LiveblocksUser,
    decode_token,
    default_user_id,
    default_user_info,
    user_from,
    user_from_async,
)
from .permissions import (
    Resolution,
    explain_room_permissions,
    resolve_room_permissions,
    validate_permissions,
)
from .redis_store import RedisWebhookStore
from .webhooks import (
    AsyncWebhookStore,
    MemoryWebhookStore,
    WebhookEndpoint,
    WebhookEvent,
    WebhookHandler,
    WebhookStore,
    WebhookVerificationError,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "ActiveUser",
    "AiCopilot",
    "AsyncLiveblocks",
    "AsyncSession",
    "AsyncWebhookStore",
    "AuthEndpoint",
    "AuthRequest",
    "AuthResponse",
    "Comment",
    "CommentAttachment",
    "CommentBody",
    "CommentReaction",
    "Denied",
    "EndpointResponse",
    "Feed",
    "FeedMessage",
    "Group",
    "GroupMember",
    "HistoryVersion",
    "InboxNotification",
    "KnowledgeSource",
    "Liveblocks",
    "LiveblocksError",
    "LiveblocksUser",
    "MemoryWebhookStore",
    "Misconfigured",
    "PermissionsHook",
    "RedisWebhookStore",
    "Resolution",
    "RetryPolicy",
    "Room",
    "RoomChanges",
    "RoomPolicy",
    "RoomSettings",
    "Secret",
    "Session",
    "StorageFile",
    "Subscription",
    "Thread",
    "TokenMode",
    "UserResolver",
    "WebKnowledgeSourceLink",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookHandler",
    "WebhookStore",
    "WebhookVerificationError",
    "comment_body_from_text",
    "decode_token",
    "default_user_id",
    "default_user_info",
    "explain_room_permissions",
    "get_mentions_from_comment_body",
    "hold_secret",
    "markdown_to_comment_body",
    "resolve_room_permissions",
    "secret_from_setting",
    "stringify_comment_body",
    "stringify_comment_body_async",
    "user_from",
    "user_from_async",
    "validate_permissions",
    "validate_secret",
]

__version__ = VERSION
