"""The layer-by-layer measure of a blocking call runs (a short setting: never a timed test) and
reaches every layer: each one answered 200 through the upstream, which counts the calls."""

from __future__ import annotations

from benchmarks.layers import SYNC_TITLE, measure_sync_layers, render_layers
from liveblocks_auth.testing.fast_upstream import FastUpstream


def test_the_sync_layers_measure_each_layer_through_the_upstream() -> None:
    with FastUpstream() as upstream:
        found = measure_sync_layers(upstream.base_url, rounds=1, per_round=8)
        calls = upstream.requests
    assert list(found) == [
        "our wire (CurlWire.send, libcurl)",
        "our wire without [curl] (HttpcoreWire.send, httpcore)",
        "reference: urllib3 pool, leanest use",
        "our client (Liveblocks.identify_user)",
        "Django adapter (in-process WSGI)",
        "reference: Django hand-written httpx (in-process WSGI)",
        "Django ceiling (in-process WSGI)",
    ]
    assert all(value > 0 for value in found.values())
    # warm-up (64) and one round (8) per layer, for the six layers that call the upstream
    assert calls == 6 * (64 + 8)
    lines = render_layers(found, SYNC_TITLE)
    assert lines[1] == SYNC_TITLE
    assert "| Django adapter (in-process WSGI) |" in "\n".join(lines)
