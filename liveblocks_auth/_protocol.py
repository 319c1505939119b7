"""Pure functions for the Liveblocks REST calls: validate, build, and map the answers.

No I/O here: the sync and async clients are thin shells over these.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._secret import Secret
from .config import (
    MAX_PATTERNS_PER_TOKEN,
    MAX_REST_ANSWER,
    MAX_TOKEN_ANSWER,
    MAX_USER_ID_LENGTH,
    MAX_USER_INFO_LENGTH,
    is_local_url,
)
from .models import AuthResponse
from .permissions import check_known_scopes, validate_permissions

logger = logging.getLogger("liveblocks_auth")

IDENTIFY_USER_PATH = "/v2/identify-user"
AUTHORIZE_USER_PATH = "/v2/authorize-user"


_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


# The records of one call (this, ApiResult, the retry loop's effects, the wire's Outgoing and
# Reply) are made several times per request and never changed once made (dataclasses.replace
# makes a new one); not frozen, as a frozen dataclass pays a __setattr__ call per field.
@dataclass(slots=True)
class ApiRequest:
    """One REST call, before the secret and the base URL are added.

    ``json`` is sent as JSON; ``content`` (bytes) as ``application/octet-stream`` (a Yjs
    update). ``idempotent``: whether sending it twice has the effect of sending it once (None:
    by the method, as HTTP defines it); only then is it sent again after it may have reached
    the server. ``limit``: the largest answer body read (past it the answer is refused);
    ``document``: the answer is a room's document (storage, Yjs), capped instead by the
    client's ``max_document_size``.
    """

    method: str
    path: str
    json: Any = None
    params: Mapping[str, str] = field(default_factory=dict)
    idempotent: bool | None = None
    limit: int = MAX_REST_ANSWER
    content: bytes | None = None
    document: bool = False
    #: The content type of ``content`` (None: ``application/octet-stream``).
    content_type: str | None = None

    @property
    def is_idempotent(self) -> bool:
        if self.idempotent is not None:
            return self.idempotent
        return self.method in _IDEMPOTENT_METHODS


@dataclass(slots=True)
class ApiResult:
    """The last answer of a call (after retries), or the transport error that ended it."""

    request: ApiRequest
    status: int = 0
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    truncated: bool = False
    error: BaseException | None = None
    retry_after: int | None = None
    #: How many times the request was sent (the retries are the rest).
    attempts: int = 1

    @property
    def failed(self) -> bool:
        return self.error is not None

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


#: What Liveblocks is sent: compact JSON, text as is (UTF-8), no NaN or Infinity (not JSON).
#: Built once: ``json.dumps`` with options builds an encoder on every call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def to_json(value: Any) -> str:
    """``value`` as the JSON body of a request to Liveblocks."""
    return _JSON.encode(value)


# --- validation ------------------------------------------------------------------------------


def check_text(value: str, setting: str) -> str:
    """``value``, if it can be sent as UTF-8 (a lone surrogate cannot); ValueError otherwise."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{setting} holds a character that is not valid Unicode text") from None
    return value


def check_json(value: Any, setting: str) -> Any:
    """``value`` if it can be sent as JSON (no NaN, string keys, valid Unicode text);
    ValueError naming ``setting`` otherwise."""
    try:
        check_text(to_json(value), setting)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{setting} must be JSON: {exc}") from None
    return value


def check_user_id(user_id: object, setting: str = "user_id") -> str:
    if not isinstance(user_id, str) or not user_id:
        raise ValueError(f"{setting} must be a non-empty string, got {type(user_id).__name__}")
    check_text(user_id, setting)
    if len(user_id) > MAX_USER_ID_LENGTH:
        raise ValueError(
            f"{setting} is {len(user_id)} characters long; Liveblocks accepts at most "
            f"{MAX_USER_ID_LENGTH}"
        )
    return user_id


def check_group_ids(group_ids: object) -> list[str] | None:
    if group_ids is None:
        return None
    if isinstance(group_ids, str | bytes) or not isinstance(group_ids, Sequence | set | frozenset):
        raise ValueError("group_ids must be a list of strings, not " + type(group_ids).__name__)
    result = list(group_ids)
    for group_id in result:
        if not isinstance(group_id, str) or not group_id:
            raise ValueError(f"group_ids must hold non-empty strings, found {group_id!r}")
        check_text(group_id, "group_ids")
    return result


def check_user_info(user_info: object) -> dict[str, Any] | None:
    if user_info is None:
        return None
    if not isinstance(user_info, Mapping):
        raise ValueError(f"user_info must be a JSON object (dict), not {type(user_info).__name__}")
    info = dict(user_info)
    try:
        serialized = to_json(info)
        serialized.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("user_info holds a character that is not valid Unicode text") from None
    except (TypeError, ValueError) as exc:
        raise ValueError(f"user_info must be JSON-serializable: {exc}") from None
    if len(serialized) > MAX_USER_INFO_LENGTH:
        raise ValueError(
            f"user_info is {len(serialized)} characters once serialized to JSON; Liveblocks "
            f"accepts at most {MAX_USER_INFO_LENGTH}: keep it to display data (name, avatar)"
        )
    return info


def check_organization_id(
    organization_id: object, tenant_id: object = None, setting: str = "organization_id"
) -> str | None:
    if organization_id is not None and tenant_id is not None and organization_id != tenant_id:
        raise ValueError("pass organization_id or its older name tenant_id, not both")
    value = organization_id if organization_id is not None else tenant_id
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(f"{setting} must be a non-empty string, got {type(value).__name__}")
    return check_text(value, setting)


def check_room_pattern(pattern: object) -> str:
    """``*``, or 1-128 characters without ``*`` except one trailing ``*`` (as the Node SDK)."""
    if not isinstance(pattern, str):
        raise ValueError(f"room name or pattern must be a string, not {type(pattern).__name__}")
    if pattern == "*":
        return pattern
    stem = pattern[:-1] if pattern.endswith("*") else pattern
    if not 1 <= len(stem) <= MAX_USER_ID_LENGTH or "*" in stem:
        raise ValueError(
            f"invalid room name or pattern {pattern!r}: use '*', a room id of 1-128 characters, "
            "or a prefix followed by one trailing '*'"
        )
    return check_text(pattern, "room name or pattern")


# --- request building ------------------------------------------------------------------------


def _compact(**fields: Any) -> dict[str, Any]:
    # The dev server answers 422 to "groupIds": null, so absent values are omitted, not null.
    return {key: value for key, value in fields.items() if value is not None}


def identify_user_request(
    user_id: object,
    *,
    group_ids: object = None,
    organization_id: object = None,
    tenant_id: object = None,
    user_info: object = None,
) -> ApiRequest:
    body = _compact(
        userId=check_user_id(user_id),
        groupIds=check_group_ids(group_ids),
        userInfo=check_user_info(user_info),
        organizationId=check_organization_id(organization_id, tenant_id),
    )
    return ApiRequest("POST", IDENTIFY_USER_PATH, body, idempotent=True, limit=MAX_TOKEN_ANSWER)


class SessionBuilder:
    """The permissions of one access token, validated as ``allow()`` is called.

    Single use: once built, it cannot be changed or built again.
    """

    def __init__(
        self, user_id: object, user_info: object = None, organization_id: object = None
    ) -> None:
        self._user_id = check_user_id(user_id)
        self._user_info = check_user_info(user_info)
        self._organization_id = check_organization_id(organization_id)
        self._permissions: dict[str, list[str]] = {}
        self._sealed = False

    def allow(self, pattern: object, scopes: object) -> None:
        if self._sealed:
            raise RuntimeError("this session was already authorized; create a new session")
        pattern = check_room_pattern(pattern)
        checked = check_known_scopes(scopes)
        if not checked:
            raise ValueError(f"the permission list for {pattern!r} cannot be empty")
        if pattern not in self._permissions and len(self._permissions) >= MAX_PATTERNS_PER_TOKEN:
            raise ValueError(
                f"an access token holds at most {MAX_PATTERNS_PER_TOKEN} room patterns; "
                "use a prefix pattern such as 'org-*'"
            )
        existing = self._permissions.get(pattern, [])
        merged = existing + [scope for scope in checked if scope not in existing]
        # The set the service will see for this pattern must be well-formed as a whole.
        self._permissions[pattern] = validate_permissions(merged, f"permissions for {pattern!r}")

    @property
    def permissions(self) -> dict[str, list[str]]:
        return {pattern: list(scopes) for pattern, scopes in self._permissions.items()}

    def build(self, *, empty_ok: bool = False) -> ApiRequest:
        """The authorize-user request; ``empty_ok`` when no permission is expected (a token for
        resources outside a room), else an empty session is logged as a likely mistake."""
        if self._sealed:
            raise RuntimeError(
                "a session is used once: create a new one with prepare_session() per request"
            )
        self._sealed = True
        if not self._permissions and not empty_ok:
            logger.warning(
                "authorizing an access token without any permission; call allow() first "
                "(use a wildcard pattern for resources outside a room)"
            )
        body = _compact(
            userId=self._user_id,
            permissions=self.permissions,
            userInfo=self._user_info,
            organizationId=self._organization_id,
        )
        return ApiRequest(
            "POST", AUTHORIZE_USER_PATH, body, idempotent=True, limit=MAX_TOKEN_ANSWER
        )


# --- response mapping ------------------------------------------------------------------------


def normalize_status(status: int) -> int:
    """2xx -> 200, 5xx -> 503, others unchanged: the ``@liveblocks/node`` contract."""
    if 200 <= status < 300:
        return 200
    if status >= 500:
        return 503
    return status


def parse_token_body(body: str | bytes) -> str | None:
    """The token of a ``{"token": "<JWT>"}`` body, or None when the body is anything else."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str) or token.count(".") != 2:
        return None
    return token


_HINTS = {
    401: "Liveblocks got no secret key: check LIVEBLOCKS_SECRET_KEY / the secret setting",
    403: "Liveblocks refused the secret key: check LIVEBLOCKS_SECRET_KEY and LIVEBLOCKS_BASE_URL "
    "(sk_localdev only works with the dev server)",
    404: "Liveblocks does not know this endpoint: check LIVEBLOCKS_BASE_URL",
    422: "Liveblocks rejected the request's fields: check the user id, group ids and user info",
}


def auth_response(result: ApiResult, base_url: str, secret: Secret) -> AuthResponse:
    """Map the outcome of identify-user / authorize-user as the Node SDK does, and log it."""
    path = result.request.path
    if result.error is not None:
        description = describe_error(result.error, secret)
        logger.warning("call to %s%s failed: %s", base_url, path, description)
        message = (
            "Could not connect to your Liveblocks dev server. Is it running?"
            if is_local_url(base_url)
            else f"Call to {base_url}{path} failed. Liveblocks could not be reached; try again."
        )
        return AuthResponse(503, message, retry_after=result.retry_after)
    status = normalize_status(result.status)
    if status == 200:
        try:  # decoded once, strictly: the text relayed is the text checked
            text = None if result.truncated else result.body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or parse_token_body(text) is None:
            logger.error(
                "Liveblocks answered %s %s with %d but no token (%d bytes); refusing to relay it",
                result.request.method,
                path,
                result.status,
                len(result.body),
            )
            return AuthResponse(502, "Liveblocks answered without a token.")
        return AuthResponse(200, text)
    if status == 503 or result.status == 429:
        logger.warning("Liveblocks answered %d to %s; giving up for now", result.status, path)
        return AuthResponse(503, result.text(), retry_after=result.retry_after)
    logger.error(
        "Liveblocks answered %d to %s: %s%s",
        result.status,
        path,
        printable(result.text()[:300]),
        f" (hint: {_HINTS[status]})" if status in _HINTS else "",
    )
    return AuthResponse(status, result.text())


def describe_error(error: BaseException, secret: Secret) -> str:
    """One line about an error, with the secret masked should any layer have put it there."""
    text = str(error).replace(secret.reveal(), "sk_***").splitlines()
    return f"{type(error).__name__}: {printable(text[0])}" if text else type(error).__name__


def log_service_warning(headers: Mapping[str, str], method: str, path: str, ok: bool) -> None:
    """Liveblocks sends warnings in ``X-LB-Warn``; surface them as the Node SDK does."""
    message = headers.get("x-lb-warn")
    if message:
        logger.log(
            logging.WARNING if ok else logging.ERROR,
            "[Liveblocks] %s (%s %s)",
            printable(message[:500]),
            method,
            path,
        )


def printable(text: str) -> str:
    """``text`` with every character that could forge or hide log output (line breaks, escape
    sequences, direction overrides, lone surrogates...) written as an escape instead. Every
    upstream-controlled string goes through it before a log record, an exception message or
    the CLI's output."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
