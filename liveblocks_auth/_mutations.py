"""``mutate_storage`` and ``mass_mutate_storage``, as ``@liveblocks/node`` has them: the
room's storage read as Live nodes (``request_storage_mutation``), your callback changing them,
the operations sent (``send_storage_operations``); over every room matching a query, several
rooms at a time. A callback that raises sends nothing for its room."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from ._effects import drive, drive_async
from .api import storage
from .api.rooms import Room
from .live import LiveObject

if TYPE_CHECKING:
    from .client import AsyncLiveblocks, Liveblocks

__all__ = ["criteria", "mass_mutate", "mass_mutate_async", "mutate", "mutate_async"]

MassMutateCallback = Callable[[Room, LiveObject], Any]


def check_concurrency(concurrency: object) -> int:
    if (
        isinstance(concurrency, bool)
        or not isinstance(concurrency, int)
        or not 1 <= concurrency <= 20
    ):
        raise ValueError("concurrency must be from 1 to 20 (rooms changed at the same time)")
    return concurrency


def criteria(
    user_id: str | None, group_ids: Sequence[str] | None, organization_id: str | None, query: Any
) -> dict[str, Any]:
    """``list_rooms``'s filters, for ``mass_mutate_storage``."""
    return {
        "user_id": user_id,
        "group_ids": group_ids,
        "organization_id": organization_id,
        "query": query,
    }


def _page_size(concurrency: int) -> int:
    """Node's page size for a mass mutation: enough rooms to keep every worker busy."""
    return max(20, concurrency * 4)


def mutate(
    client: Liveblocks, room_id: str, callback: Callable[..., Any], room: Room | None = None
) -> None:
    mutation = drive(storage.request_storage_mutation(room_id), client.call)
    if room is None:
        callback(mutation.root)
    else:
        callback(room, mutation.root)
    drive(storage.send_storage_operations(mutation), client.call)


async def mutate_async(
    client: AsyncLiveblocks, room_id: str, callback: Callable[..., Any], room: Room | None = None
) -> None:
    mutation = await drive_async(storage.request_storage_mutation(room_id), client.call)
    result = callback(mutation.root) if room is None else callback(room, mutation.root)
    if inspect.isawaitable(result):
        await result
    await drive_async(storage.send_storage_operations(mutation), client.call)


def mass_mutate(
    client: Liveblocks, callback: MassMutateCallback, concurrency: int, criteria: dict[str, Any]
) -> None:
    """Every matching room, ``concurrency`` at a time (threads); the first failure stops the
    rooms not yet started and is raised once those running are done."""
    check_concurrency(concurrency)
    every_room = client.list_rooms(**criteria, page_size=_page_size(concurrency))
    with ThreadPoolExecutor(concurrency, thread_name_prefix="liveblocks-mutate") as pool:
        running: set[Future[None]] = set()
        for room in every_room:
            if len(running) >= concurrency:
                done, running = wait(running, return_when=FIRST_EXCEPTION)
                for future in done:
                    future.result()  # the first failure stops here
            running.add(pool.submit(mutate, client, room.id, callback, room))
        for future in running:
            future.result()


async def mass_mutate_async(
    client: AsyncLiveblocks,
    callback: Callable[..., Any],
    concurrency: int,
    criteria: dict[str, Any],
) -> None:
    """As :func:`mass_mutate`, with tasks on the event loop."""
    check_concurrency(concurrency)
    every_room = client.list_rooms(**criteria, page_size=_page_size(concurrency))
    running: set[asyncio.Task[None]] = set()
    try:
        async for room in every_room:
            if len(running) >= concurrency:
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_EXCEPTION)
                for task in done:
                    task.result()
            running.add(asyncio.ensure_future(mutate_async(client, room.id, callback, room)))
        if running:
            await asyncio.gather(*running)
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
