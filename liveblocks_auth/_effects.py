"""Run a generator of effects to completion: the one loop behind every sync/async pair.

Logic that needs I/O is written once as a generator yielding effects; ``drive`` performs them
with blocking calls and ``drive_async`` with awaited ones, sending each result back in.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable, Generator, Mapping
from functools import partial
from typing import Any, ParamSpec, TypeVar

import anyio.to_thread

E = TypeVar("E")
T = TypeVar("T")
P = ParamSpec("P")


def drive(flow: Generator[E, Any, T], perform: Callable[[E], Any]) -> T:
    """Run ``flow``; what an effect raises is thrown into the flow, where it may be caught."""
    try:
        effect = next(flow)
        while True:
            try:
                result = perform(effect)
            except Exception as exc:
                effect = flow.throw(exc)
            else:
                effect = flow.send(result)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


async def drive_async(flow: Generator[E, Any, T], perform: Callable[[E], Awaitable[Any]]) -> T:
    try:
        effect = next(flow)
        while True:
            try:
                result = await perform(effect)
            except Exception as exc:
                effect = flow.throw(exc)
            else:
                effect = flow.send(result)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


def _per_hook(function: Callable[P, T]) -> Callable[P, T]:
    """``function`` (a fact about a hook, asked on every request of the same few hooks),
    remembered per argument; an unhashable hook is looked at again each time."""
    cached: Callable[..., T] = functools.lru_cache(maxsize=512)(function)

    def lookup(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return cached(*args, **kwargs)
        except TypeError:  # unhashable
            return function(*args, **kwargs)

    return lookup


@_per_hook
def _is_async_function(function: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
        getattr(function, "__call__", None)  # noqa: B004 - async callable objects
    )


def is_async_callable(function: Callable[..., Any]) -> bool:
    while isinstance(function, partial):
        function = function.func
    return _is_async_function(function)


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def call_sync(function: Callable[..., Any], *args: Any) -> Any:
    """Call a sync or async hook from blocking code (an async one runs to completion)."""
    result = function(*args)
    return asyncio.run(_await(result)) if inspect.isawaitable(result) else result


async def call_async(
    function: Callable[..., Any],
    *args: Any,
    run_sync: Callable[..., Awaitable[Any]] | None = None,
) -> Any:
    """Call a sync or async hook from async code: a sync one runs in a worker thread
    (``run_sync(fn, *args)``, default ``anyio.to_thread.run_sync``), never on the event loop."""
    if is_async_callable(function):
        return await function(*args)
    result = await (run_sync or anyio.to_thread.run_sync)(function, *args)
    return await result if inspect.isawaitable(result) else result


#: The optional keyword arguments any hook may declare to receive (docs: "Hooks that need the
#: request"): the framework's request, and the JSON object the front end posted.
HOOK_EXTRAS: tuple[str, ...] = ("request", "data")


@_per_hook
def _accepted(function: Callable[..., Any], positional: int) -> frozenset[str]:
    while isinstance(function, partial):
        positional += len(function.args)
        function = function.func
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):  # builtins and C callables: no extras
        return frozenset()
    names = set()
    for index, parameter in enumerate(parameters):
        if parameter.name not in HOOK_EXTRAS:
            continue
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY or (
            parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and index >= positional
        ):
            names.add(parameter.name)
    return frozenset(names)


def hook_extras(
    function: Callable[..., Any], positional: int, available: Mapping[str, Any]
) -> dict[str, Any]:
    """The entries of ``available`` (keys from :data:`HOOK_EXTRAS`) that ``function`` declares as
    parameters beyond its first ``positional`` ones, by name: a hook asks for what it needs."""
    names = _accepted(function, positional)
    return {name: available[name] for name in names if name in available}


def with_extras(
    function: Callable[..., Any], positional: int, available: Mapping[str, Any]
) -> Callable[..., Any]:
    """``function`` with the extras it asks for bound (a partial, so async hooks stay async)."""
    if not _accepted(function, positional):  # most hooks ask for none
        return function
    return partial(function, **hook_extras(function, positional, available))
