"""The speed targets, judged as they are stated (issue 34): by CPU µs per request of the
subject's processes, the median over at least 5 interleaved rounds in one run (each round
measures every subject once, the order rotated from round to round); req/s beside it.

Every wire is measured in the same run: the adapters over libcurl (``[curl]``, the default
where pycurl imports) and over the wire each takes without it (``LIVEBLOCKS_AUTH_TRANSPORT``:
aiohttp for Starlette, httpx's for Flask and Django).

    ./run bench --judge [--rounds 5] [--duration 3]   # only this; writes its section of BENCHMARKS.md
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.run import SUBJECTS, Measure, Subject, Upstream, cpu_seconds, drive, serve

#: Each adapter again, over the wire it takes without the [curl] extra.
WITHOUT_CURL = {
    "starlette: liveblocks-auth": "aiohttp",
    "flask: liveblocks-auth": "httpx",
    "django wsgi: liveblocks-auth": "httpx",
}


def _without_curl(subject: Subject, wire: str) -> Subject:
    return replace(
        subject,
        name=f"{subject.name} [no curl: {wire}]",
        env=(*subject.env, ("LIVEBLOCKS_AUTH_TRANSPORT", wire)),
    )


JUDGED: list[Subject] = [
    *SUBJECTS,
    *(_without_curl(s, WITHOUT_CURL[s.name]) for s in SUBJECTS if s.name in WITHOUT_CURL),
]

EXPRESS = "express + @liveblocks/node"


@dataclass(frozen=True)
class Target:
    ours: str
    other: str
    goal: float  # ours at least goal times other, by CPU per request (other's µs / ours)
    connections: int = 32

    @property
    def label(self) -> str:
        return f"{self.ours} ≥ {self.goal:.1f}× {self.other} ({self.connections} connections)"


def _targets() -> list[Target]:
    s, f = "starlette: liveblocks-auth", "flask: liveblocks-auth"
    dw, da = "django wsgi: liveblocks-auth", "django asgi: liveblocks-auth"
    nc = {name: f"{name} [no curl: {wire}]" for name, wire in WITHOUT_CURL.items()}
    return [
        # With [curl].
        Target(s, EXPRESS, 2.0),
        Target(s, "starlette: minimal hand-written aiohttp", 0.8),
        Target(f, "flask: hand-written httpx", 1.5),
        Target(f, "flask: ceiling (no upstream)", 0.5),
        Target(f, "flask: minimal hand-written urllib3", 0.9),
        Target(dw, "django wsgi: hand-written httpx", 1.5),
        Target(dw, "django wsgi: ceiling (no upstream)", 0.5),
        Target(da, "django asgi: hand-written httpx", 1.5),
        # The default wire without pycurl.
        Target(nc[s], EXPRESS, 1.0),
        Target(nc[s], EXPRESS, 1.0, 128),
        Target(nc[f], "flask: hand-written httpx", 1.0),
        Target(nc[dw], "django wsgi: hand-written httpx", 1.0),
    ]


TARGETS = _targets()

#: (subject name, connections) -> one Measure per round.
Samples = dict[tuple[str, int], list[Measure]]


def cells(subjects: list[Subject]) -> dict[str, list[int]]:
    """The connection counts each subject is measured at: those of the targets it is in, both
    of whose subjects are among ``subjects``."""
    names = {s.name for s in subjects}
    wanted: dict[str, set[int]] = {}
    for target in TARGETS:
        if target.ours in names and target.other in names:
            for name in (target.ours, target.other):
                wanted.setdefault(name, set()).add(target.connections)
    return {name: sorted(counts) for name, counts in wanted.items()}


def judge(
    subjects: list[Subject],
    upstream: Upstream,
    wrk: str | None,
    script: Path,
    rounds: int,
    seconds: float,
) -> Samples:
    """Every subject of a target, once per round, in an order rotated from round to round."""
    wanted = cells(subjects)
    order = [s for s in subjects if s.name in wanted]
    samples: Samples = {}
    for index in range(rounds):
        shift = index % max(len(order), 1)
        for subject in order[shift:] + order[:shift]:
            with serve(subject, upstream.base_url, {}) as (url, pid, _):
                drive(url, wanted[subject.name][0], min(seconds, 1.0), wrk, script)  # warm up
                for count in wanted[subject.name]:
                    spent = cpu_seconds(pid)
                    measure = drive(url, count, seconds, wrk, script)
                    measure.cpu_us = (cpu_seconds(pid) - spent) / max(measure.requests, 1) * 1e6
                    samples.setdefault((subject.name, count), []).append(measure)
                    print(
                        f"  round {index + 1}/{rounds}  {subject.name:52} c={count:<4}"
                        f" {measure.rate:8.0f} req/s  CPU {measure.cpu_us:6.0f} µs/req"
                        f"  non-2xx {measure.non_2xx}",
                        flush=True,
                    )
    return samples


def _median(samples: Samples, name: str, count: int) -> tuple[float, float] | None:
    """(CPU µs per request, req/s), each the median over the rounds."""
    measures = samples.get((name, count))
    if not measures:
        return None
    return (
        statistics.median(m.cpu_us for m in measures),
        statistics.median(m.rate for m in measures),
    )


@dataclass(frozen=True)
class Verdict:
    target: Target
    ours: tuple[float, float]  # (CPU µs per request, req/s), medians
    other: tuple[float, float]

    @property
    def by_cpu(self) -> float:
        return self.other[0] / self.ours[0] if self.ours[0] else 0.0

    @property
    def by_rate(self) -> float:
        return self.ours[1] / self.other[1] if self.other[1] else 0.0

    @property
    def met(self) -> bool:
        return self.by_cpu >= self.target.goal


def verdicts(samples: Samples) -> list[Verdict]:
    """Each target both of whose subjects were measured."""
    found = []
    for target in TARGETS:
        ours = _median(samples, target.ours, target.connections)
        other = _median(samples, target.other, target.connections)
        if ours is not None and other is not None:
            found.append(Verdict(target, ours, other))
    return found


def render(samples: Samples, rounds: int, seconds: float) -> list[str]:
    lines = [
        "## Targets, judged by CPU per request",
        "",
        f"Each target by CPU µs per request of the subject's processes, the median over {rounds} "
        f"interleaved rounds of this run ({seconds:g} s per cell, one worker per subject; each "
        "round measures every subject once, the order rotated from round to round); the ratio "
        "by req/s (medians) beside it. `[no curl: …]`: the adapter over the wire it takes "
        "without the `[curl]` extra.",
        "",
        "| target | ours µs/req | other µs/req | by CPU | by req/s | |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    found = verdicts(samples)
    for v in found:
        lines.append(
            f"| {v.target.label} | {v.ours[0]:.0f} | {v.other[0]:.0f} | {v.by_cpu:.2f} "
            f"| {v.by_rate:.2f} | {'met' if v.met else '**NOT met**'} |"
        )
    saved = []
    for name, wire in WITHOUT_CURL.items():
        with_curl = _median(samples, name, 32)
        without = _median(samples, f"{name} [no curl: {wire}]", 32)
        if with_curl and without:
            saved.append(f"{without[0] - with_curl[0]:.0f} µs for {name.split(':')[0]} ({wire})")
    if saved:
        defaults = [v for v in found if "[no curl" in v.target.ours]
        met = "meet" if all(v.met for v in defaults) else "do not all meet"
        lines += [
            "",
            "Who should add `[curl]`: anyone whose platform has a pycurl wheel (Linux with glibc "
            "2.28+, macOS, Windows) and who issues many tokens; in this run it saved, per "
            f"request at 32 connections, {', '.join(saved)}; the defaults without it {met} "
            "their targets.",
        ]
    lines += ["", "Every cell, CPU µs per request by round (req/s in brackets):", ""]
    lines += ["| subject | connections | rounds |", "| --- | ---: | --- |"]
    for (name, count), measures in samples.items():
        each = "; ".join(f"{m.cpu_us:.0f} ({m.rate:,.0f})" for m in measures)
        lines.append(f"| {name} | {count} | {each} |")
    return lines


BEGIN, END = "<!-- judged: begin -->", "<!-- judged: end -->"


def write_section(report: Path, lines: list[str]) -> None:
    """Put the judged section into ``report`` (between its markers), keeping the rest."""
    section = "\n".join([BEGIN, *lines, END])
    text = report.read_text() if report.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    report.write_text(text)
