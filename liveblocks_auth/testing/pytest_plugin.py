"""pytest fixtures for apps that use liveblocks-auth (registered automatically on install).

- ``liveblocks_fake``: a fresh :class:`FakeLiveblocks`; pass it as ``transport=`` to the
  client (or the adapter's settings) and inspect ``liveblocks_fake.calls``.
- ``liveblocks_dev_server``: the official dev server for the whole session (needs the npm
  packages ``liveblocks`` and ``bun``; see :mod:`liveblocks_auth.testing.devserver`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .devserver import DevServer
from .fake import FakeLiveblocks


@pytest.fixture
def liveblocks_fake() -> FakeLiveblocks:
    return FakeLiveblocks()


@pytest.fixture(scope="session")
def liveblocks_dev_server() -> Iterator[DevServer]:
    with DevServer(use_npx=True) as server:  # npx fetches the CLI outside a checkout
        yield server
