"""Run a generator of effects to completion: the one loop behind every sync/async pair.

Logic that needs I/O is written once as a generator yielding effects; ``drive`` performs them
with blocking calls and ``drive_async`` with awaited ones, sending each result back in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

E = TypeVar("E")
T = TypeVar("T")


def drive(flow: Generator[E, Any, T], perform: Callable[[E], Any]) -> T:
    try:
        effect = next(flow)
        while True:
            effect = flow.send(perform(effect))
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


async def drive_async(flow: Generator[E, Any, T], perform: Callable[[E], Awaitable[Any]]) -> T:
    try:
        effect = next(flow)
        while True:
            effect = flow.send(await perform(effect))
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
