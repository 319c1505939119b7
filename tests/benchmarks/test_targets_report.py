"""The targets' report: each ratio by req/s decides, the same ratio by CPU per request is shown
beside it (steadier on a shared machine)."""

from __future__ import annotations

from benchmarks.run import Measure, Result, Subject, targets


def result(name: str, framework: str, kind: str, rate: float, cpu_us: float) -> Result:
    subject = Subject(name, framework, kind, ())
    return Result(subject, {32: Measure(rate, 1.0, 2.0, cpu_us=cpu_us)})


def test_each_target_shows_its_ratio_by_cpu_beside_the_one_that_decides() -> None:
    express = result("express", "express", "express", 3000, 300)
    results = [
        express,
        result("starlette: ours", "starlette", "adapter", 5700, 140),
        result("starlette: minimal", "starlette", "minimal", 7000, 112),
        result("starlette: ceiling", "starlette", "ceiling", 28000, 35),
        result("flask: ours", "flask", "adapter", 1800, 650),
        result("flask: hand", "flask", "handwritten", 1000, 1100),
        result("flask: ceiling", "flask", "ceiling", 3300, 350),
    ]
    ceilings = {r.subject.framework: r for r in results if r.subject.kind == "ceiling"}
    lines = targets(results, express, ceilings, {}, [10])
    assert "- starlette: ≥ 2.0\u00d7 express: 1.90 — NOT met (by CPU per request: 2.14)" in lines
    assert (
        "- starlette: ≥ 0.9\u00d7 the fastest hand-written: 0.81 — NOT met "
        "(by CPU per request: 0.80)" in lines
    )
    assert (
        "- starlette: \u00d7 own ceiling (far goal 0.5\u00d7, reported): 0.20 "
        "(by CPU per request: 0.25)" in lines
    )
    assert "- flask: ≥ 1.5\u00d7 hand-written httpx: 1.80 — met (by CPU per request: 1.69)" in lines
    assert "- flask: ≥ 0.5\u00d7 own ceiling: 0.55 — met (by CPU per request: 0.54)" in lines
