"""The error every REST call of the clients raises: :class:`LiveblocksError`."""

from __future__ import annotations

import json

from ._protocol import ApiResult, printable

__all__ = ["UNREACHABLE", "LiveblocksError"]

#: ``LiveblocksError.code`` when nothing answered (a network failure), not a status of theirs.
UNREACHABLE = "UNAVAILABLE"


class LiveblocksError(Exception):
    """A non-2xx answer from the Liveblocks REST API (or no answer: status 503).

    ``code`` is the service's error code (``ROOM_NOT_FOUND``, ``ROOM_ALREADY_EXISTS``...).
    Never contains the secret key.
    """

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        suggestion: str | None = None,
        docs: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
        self.suggestion, self.docs = suggestion, docs

    def __str__(self) -> str:
        text = f"{self.code or 'HTTP ' + str(self.status)}: {self.message}"
        return f"{text} ({self.suggestion})" if self.suggestion else text

    @classmethod
    def from_result(cls, result: ApiResult) -> LiveblocksError:
        request = f"{result.request.method} {result.request.path}"
        if result.error is not None:
            return cls(
                503,
                f"Liveblocks could not be reached for {request} ({type(result.error).__name__})",
                UNREACHABLE,
            )
        try:
            data = json.loads(result.body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return cls(result.status, f"{request} answered {result.status}")

        def text(key: str) -> str | None:
            # The service's words, escaped: they reach logs, tracebacks and terminals.
            value = data.get(key)
            return printable(value) if isinstance(value, str) else None

        message = text("message") or text("reason") or f"{request} answered {result.status}"
        return cls(result.status, message, text("error"), text("suggestion"), text("docs"))
