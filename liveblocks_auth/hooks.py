"""The contract of hooks, for the adapters and for anyone writing one.

A hook (the user resolver, the user id, info, groups and organization hooks, the room policy,
the permissions hook, a webhook handler) may be a plain or an ``async`` function. Beyond its
positional arguments it may declare keyword parameters named in :data:`HOOK_EXTRAS`:
``request`` (the framework's request) and ``data`` (the JSON object the front end posted);
each is passed only to hooks that ask for it, by name. Adapters bind them with
:func:`with_extras`; the endpoint runs sync hooks off the event loop.
"""

from __future__ import annotations

from ._effects import HOOK_EXTRAS, hook_extras, is_async_callable, with_extras

__all__ = ["HOOK_EXTRAS", "hook_extras", "is_async_callable", "with_extras"]
