"""Cross-site requests through every adapter, with a valid logged-in user."""

from __future__ import annotations

import pytest

from liveblocks_auth.testing import FakeLiveblocks
from tests.contract import ORIGIN_CASES, with_own_origin
from tests.reliability import users
from tests.reliability.adapters import AdapterFactory, Call

OWN = {
    "django-wsgi": "http://testserver",
    "django-asgi": "http://testserver",
    "flask": "http://localhost",
    "starlette": "http://testserver",
}


@pytest.mark.parametrize(("headers", "status"), ORIGIN_CASES)
def test_cross_site_rules(
    make: AdapterFactory, fake: FakeLiveblocks, headers: dict[str, str], status: int
) -> None:
    call = Call(
        user=users.header("alice", org="acme"), headers=with_own_origin(headers, OWN[make.name])
    )
    answer = make(transport=fake).send(call)
    assert answer.status == status
    assert answer.headers["vary"].startswith("Origin, Sec-Fetch-Site")
    assert len(fake.calls) == (1 if status == 200 else 0)
    if status == 403:
        assert answer.json()["message"].startswith("cross-origin request refused")
