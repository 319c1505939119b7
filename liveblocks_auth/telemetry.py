"""OpenTelemetry traces and metrics (the ``[otel]`` extra, ``opentelemetry-api``): without it,
or with it but neither a tracer provider nor a meter provider set (no SDK configured: FastAPI
brings the API along), nothing here runs beyond two look-ups per call.

Every call to Liveblocks, on every wire, is one ``CLIENT`` span named ``{method} {route}``
(``POST /v2/identify-user``, ``GET /v2/rooms/{room_id}``) with the HTTP client attributes of
OpenTelemetry's semantic conventions: ``http.request.method``, ``url.template``,
``server.address``, ``server.port``, ``url.scheme``, ``http.response.status_code``,
``http.request.resend_count`` (the retries), ``error.type``, and ``liveblocks_auth.wire`` (the
library that sent it). Never the secret, a token, a query or a body. Its duration is recorded in
the ``http.client.request.duration`` histogram (seconds).

Every answer of the auth and webhook endpoints is one ``INTERNAL`` span, ``liveblocks_auth
auth`` or ``liveblocks_auth webhook``, with ``http.response.status_code`` and
``liveblocks_auth.reason`` (``token_issued``, ``handled``, ``duplicate``, or the error code the
body carries: ``unauthorized``, ``liveblocks_refused``...), counted in
``liveblocks_auth.endpoint.answers`` by endpoint, status and reason.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar
from urllib.parse import urlsplit

from .config import VERSION

if TYPE_CHECKING:
    from ._protocol import ApiRequest, ApiResult

try:
    from opentelemetry import context as _context
    from opentelemetry import metrics as _metrics
    from opentelemetry import trace as _trace
except ImportError:  # the [otel] extra is not installed: nothing is recorded
    _trace = None  # type: ignore[assignment]

__all__ = ["ENABLED", "Server", "answered", "route_template", "start_call"]

#: Whether opentelemetry-api could be imported.
ENABLED: Final = _trace is not None
SCOPE: Final = "liveblocks_auth"

#: Path segments that name a collection: the segment after one is an id, so routes stay few.
_COLLECTIONS: Final = {
    "rooms": "{room_id}",
    "threads": "{thread_id}",
    "comments": "{comment_id}",
    "users": "{user_id}",
    "groups": "{group_id}",
    "inbox-notifications": "{inbox_notification_id}",
    "attachments": "{attachment_id}",
    "versions": "{version_id}",
    "files": "{file_id}",
    "feeds": "{feed_id}",
    "messages": "{message_id}",
    "copilots": "{copilot_id}",
    "knowledge": "{knowledge_source_id}",
    "web": "{knowledge_source_id}",
    "file": "{knowledge_source_id}",
    "upload": "{name}",
    "multipart": "{upload_id}",
}
#: Segments after a collection that are calls, not ids.
_CALLS: Final = {
    ("inbox-notifications", "trigger"),
    ("knowledge", "web"),
    ("knowledge", "file"),
}


def route_template(path: str) -> str:
    """``/v2/rooms/my%20room/storage`` -> ``/v2/rooms/{room_id}/storage`` (ids out, so a
    route names a kind of call, not a room)."""
    path = path.split("?", 1)[0]
    segments = path.split("/")
    for index in range(1, len(segments)):
        before = segments[index - 1]
        placeholder = _COLLECTIONS.get(before)
        if placeholder is not None and segments[index] and (before, segments[index]) not in _CALLS:
            segments[index] = placeholder
        elif index >= 2 and segments[index - 2] == "multipart" and segments[index].isdigit():
            segments[index] = "{part_number}"
    return "/".join(segments)


class Server:
    """Where a client's calls go, as the attributes name it (parsed once per client)."""

    __slots__ = ("attributes",)

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        self.attributes: dict[str, Any] = {
            "server.address": parts.hostname or "",
            "server.port": port,
            "url.scheme": parts.scheme,
        }


if ENABLED:
    # What the API answers before an SDK is set up: while both are still these, nothing would
    # be recorded, and nothing is done.
    # (An SDK set up before this module loaded is not one of them: then it always records.)
    _UNSET_TRACING: object = _trace.get_tracer_provider()
    if not isinstance(_UNSET_TRACING, _trace.ProxyTracerProvider):
        _UNSET_TRACING = None
    _UNSET_METRICS: object = _metrics.get_meter_provider()
    if not type(_UNSET_METRICS).__name__.startswith("_Proxy"):  # the API's proxy is private
        _UNSET_METRICS = None
    _tracer = _trace.get_tracer(SCOPE, VERSION)
    _meter = _metrics.get_meter(SCOPE, VERSION)
    _duration = _meter.create_histogram(
        "http.client.request.duration",
        unit="s",
        description="Duration of calls to Liveblocks, retries included",
    )
    _answers = _meter.create_counter(
        "liveblocks_auth.endpoint.answers",
        unit="{answer}",
        description="Answers of the auth and webhook endpoints, by status and reason",
    )


class NoRecord:
    """What :func:`start_call` gives without opentelemetry-api: a context that does nothing."""

    __slots__ = ()

    def __enter__(self) -> NoRecord:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def done(self, result: ApiResult) -> None:
        return None


_NO_RECORD: Final = NoRecord()


class CallRecord:
    """One call in flight, as a context: its span (current inside it, when recorded) and its
    clock; ``done(result)`` gives the outcome, an exception leaving the context is one."""

    __slots__ = ("attributes", "result", "span", "started", "token")

    def __init__(self, request: ApiRequest, server: Server, wire: str) -> None:
        route = route_template(request.path)
        self.attributes: dict[str, Any] = {
            "http.request.method": request.method,
            "url.template": route,
            **server.attributes,
            "liveblocks_auth.wire": wire,
        }
        self.span = _tracer.start_span(
            f"{request.method} {route}",
            kind=_trace.SpanKind.CLIENT,
            attributes=self.attributes,
        )
        self.token = (
            _context.attach(_trace.set_span_in_context(self.span))
            if self.span.is_recording()
            else None
        )
        self.started = time.perf_counter()
        self.result: ApiResult | None = None

    def __enter__(self) -> CallRecord:
        return self

    def done(self, result: ApiResult) -> None:
        self.result = result

    def __exit__(self, kind: object, error: BaseException | None, traceback: object) -> None:
        self.finish(self.result, error)

    def finish(self, result: ApiResult | None, error: BaseException | None = None) -> None:
        """Close the span with the call's outcome (``error``: the call raised instead)."""
        elapsed = time.perf_counter() - self.started
        attributes = self.attributes
        failure = error if error is not None else (result.error if result else None)
        if failure is not None:
            attributes["error.type"] = type(failure).__qualname__
        elif result is not None:
            attributes["http.response.status_code"] = result.status
            if result.status >= 400:
                attributes["error.type"] = str(result.status)
        span = self.span
        if span.is_recording():
            span.set_attributes(attributes)
            if result is not None and result.attempts > 1:
                span.set_attribute("http.request.resend_count", result.attempts - 1)
            if "error.type" in attributes:
                span.set_status(_trace.Status(_trace.StatusCode.ERROR, attributes["error.type"]))
        if self.token is not None:
            _context.detach(self.token)
        span.end()
        _duration.record(elapsed, attributes)


def _recording() -> bool:
    """Whether an SDK is set up (a tracer or a meter provider set since this module loaded)."""
    return ENABLED and (
        _trace.get_tracer_provider() is not _UNSET_TRACING
        or _metrics.get_meter_provider() is not _UNSET_METRICS
    )


def start_call(request: ApiRequest, server: Server, wire: str) -> CallRecord | NoRecord:
    """The record of a call about to be made (a context); one that does nothing while nothing
    would be recorded."""
    return CallRecord(request, server, wire) if _recording() else _NO_RECORD


class Answer(Protocol):
    """What an endpoint answers, as far as telemetry reads it (``EndpointResponse``)."""

    @property
    def status(self) -> int: ...

    @property
    def reason(self) -> str | None: ...


Y = TypeVar("Y")
S = TypeVar("S")
A = TypeVar("A", bound=Answer)


def answered(endpoint: str, flow: Generator[Y, S, A]) -> Generator[Y, S, A]:
    """``flow`` inside the endpoint's span, its answer counted (``flow`` itself while nothing
    would be recorded)."""
    if not _recording():
        return flow
    return _answered(endpoint, flow)


def _answered(endpoint: str, flow: Generator[Y, S, A]) -> Generator[Y, S, A]:
    with _tracer.start_as_current_span(
        f"liveblocks_auth {endpoint}", kind=_trace.SpanKind.INTERNAL
    ) as span:
        answer = yield from flow
        attributes: dict[str, Any] = {
            "liveblocks_auth.endpoint": endpoint,
            "http.response.status_code": answer.status,
            "liveblocks_auth.reason": answer.reason or "",
        }
        if span.is_recording():
            span.set_attributes(attributes)
            if answer.status >= 500:
                span.set_status(_trace.Status(_trace.StatusCode.ERROR, answer.reason))
        _answers.add(1, attributes)
    return answer
