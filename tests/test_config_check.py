"""One configuration check, in the core, made by every adapter at start: the dev server's key
sk_localdev with a base URL that is not local (Django: system check E004)."""

from __future__ import annotations

import pytest
from flask import Flask

from liveblocks_auth import AsyncLiveblocks, Liveblocks
from liveblocks_auth.testing import FakeLiveblocks
from liveblocks_auth_flask import LiveblocksAuth as FlaskLiveblocks
from liveblocks_auth_starlette import LiveblocksAuth as StarletteLiveblocks

CLOUD = "https://api.liveblocks.io"


@pytest.fixture(autouse=True)
def no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVEBLOCKS_BASE_URL", raising=False)
    monkeypatch.delenv("LIVEBLOCKS_SECRET_KEY", raising=False)


@pytest.mark.parametrize("client", [Liveblocks, AsyncLiveblocks])
def test_the_core_clients_refuse_sk_localdev_with_the_cloud(client: type) -> None:
    with pytest.raises(
        ValueError, match="secret is the dev server's key sk_localdev, but base_url"
    ):
        client("sk_localdev")
    with pytest.raises(ValueError, match="http://127.0.0.1:1153"):
        client("sk_localdev", base_url=CLOUD)
    client("sk_localdev", base_url="http://127.0.0.1:1153")  # the dev server: fine
    client("sk_localdev", transport=FakeLiveblocks())  # a transport decides where requests go
    client("sk_prod_abc", base_url=CLOUD)


def test_flask_init_app_names_its_config_keys() -> None:
    app = Flask(__name__)
    app.config["LIVEBLOCKS_SECRET_KEY"] = "sk_localdev"
    with pytest.raises(ValueError) as info:
        FlaskLiveblocks(app)
    assert str(info.value).startswith(
        "LIVEBLOCKS_SECRET_KEY is the dev server's key sk_localdev, but LIVEBLOCKS_BASE_URL is "
        f"{CLOUD}"
    )
    app.config["LIVEBLOCKS_BASE_URL"] = "http://127.0.0.1:1153"
    FlaskLiveblocks(app)


def test_starlette_refuses_at_construction() -> None:
    with pytest.raises(ValueError, match="sk_localdev only works with the local dev server"):
        StarletteLiveblocks("sk_localdev")
    StarletteLiveblocks("sk_localdev", base_url="http://localhost:1153")
