from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from liveblocks_auth.testing import FakeLiveblocks
from tests.core.harness import SECRET


@pytest.fixture
def fake(settings: Any) -> FakeLiveblocks:
    """The fake, wired in through LIVEBLOCKS['TRANSPORT'] (settings are restored after)."""
    transport = FakeLiveblocks(secret=SECRET)
    settings.LIVEBLOCKS = {"SECRET_KEY": SECRET, "TRANSPORT": transport}
    return transport


@pytest.fixture
def configure(settings: Any, fake: FakeLiveblocks) -> Any:
    """configure(**options) adds LIVEBLOCKS options on top of the fake."""

    def apply(**options: Any) -> None:
        settings.LIVEBLOCKS = {"SECRET_KEY": SECRET, "TRANSPORT": fake, **options}

    return apply


@pytest.fixture
def alice(db: Any) -> User:
    user = User.objects.create_user("alice", first_name="Alice", last_name="Martin")
    user.groups.add(Group.objects.create(name="viewers"), Group.objects.create(name="editors"))
    return user
