from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.adapters import ADAPTERS, AdapterFactory, iterate


@pytest.fixture(params=ADAPTERS)
def make(request: pytest.FixtureRequest) -> Iterator[AdapterFactory]:
    """make(transport=..., base_url=..., retry=..., timeout=..., limits=...) -> Adapter."""
    yield from iterate(AdapterFactory(request.param))
