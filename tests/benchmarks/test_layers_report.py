"""The layer-by-layer report of an async call: each layer is shown with what it adds to the one
above it; the ceiling stands apart (it is not a layer of the call)."""

from __future__ import annotations

from benchmarks.layers import render_layers


def test_each_layer_shows_what_it_adds_and_the_ceiling_stands_apart() -> None:
    lines = render_layers(
        {
            "floor": 20.0,
            "library": 140.4,
            "wire": 200.0,
            "Starlette ceiling (in-process ASGI)": 25.0,
            "adapter": 390.0,
        }
    )
    rows = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    assert rows == [
        "| floor | 20 | \u2013 |",
        "| library | 140 | +120 |",
        "| wire | 200 | +60 |",
        "| Starlette ceiling (in-process ASGI) | 25 | \u2013 |",
        "| adapter | 390 | +190 |",
    ]
