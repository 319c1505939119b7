"""The OpenTelemetry SDK behind the global API for the tests (in-memory exporter and reader),
and what they read back. The ``otel`` fixture (tests/conftest.py) installs it once per process:
OpenTelemetry allows one provider."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

_SPANS = InMemorySpanExporter()
# Delta: each collection holds what was recorded since the one before (one test's worth).
_METRICS = InMemoryMetricReader(
    preferred_temporality={
        Counter: AggregationTemporality.DELTA,
        Histogram: AggregationTemporality.DELTA,
    }
)
_installed: list[bool] = []


def recording() -> Iterator[tuple[InMemorySpanExporter, InMemoryMetricReader]]:
    """The SDK behind the global API, once per process (OpenTelemetry allows one provider)."""
    if not _installed:
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_SPANS))
        trace.set_tracer_provider(provider)
        metrics.set_meter_provider(MeterProvider(metric_readers=[_METRICS]))
        _installed.append(True)
    _METRICS.get_metrics_data()  # what earlier tests recorded is read, and gone
    _SPANS.clear()
    yield _SPANS, _METRICS
    _SPANS.clear()


def points(reader: InMemoryMetricReader, name: str) -> list[Any]:
    """The data points of ``name`` recorded since the last read (a read takes them all)."""
    data = reader.get_metrics_data()
    found = []
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == name:
                    found += list(metric.data.data_points)
    return found


def client_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.kind == SpanKind.CLIENT]


def endpoint_spans(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name == f"liveblocks_auth {name}"]


def answers_counted(reader: InMemoryMetricReader) -> dict[tuple[str, int, str], int]:
    return {
        (
            p.attributes["liveblocks_auth.endpoint"],
            p.attributes["http.response.status_code"],
            p.attributes["liveblocks_auth.reason"],
        ): p.value
        for p in points(reader, "liveblocks_auth.endpoint.answers")
    }


def check_adapter_answers(
    exporter: InMemorySpanExporter, reader: InMemoryMetricReader, webhooks: dict[str, int]
) -> None:
    """What every adapter's test shows after one token issued, one 401 and its webhook
    deliveries (``webhooks``: count by reason): the issued answer's span holds the one call to
    Liveblocks, and each answer is counted."""
    issued, refused = endpoint_spans(exporter, "auth")
    [upstream] = client_spans(exporter)
    assert upstream.parent is not None
    assert upstream.parent.span_id == issued.context.span_id
    assert (refused.attributes or {})["http.response.status_code"] == 401
    assert answers_counted(reader) == {
        ("auth", 200, "token_issued"): 1,
        ("auth", 401, "unauthorized"): 1,
        **{("webhook", 200, reason): count for reason, count in webhooks.items()},
    }
