"""Get a Liveblocks ID token from the official dev server (or your real project) and show it.

./run demo                      # starts the dev server installed by ./run setup
LIVEBLOCKS_SECRET_KEY=sk_... LIVEBLOCKS_BASE_URL=https://api.liveblocks.io ./run demo
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from liveblocks_auth import Liveblocks
from liveblocks_auth.testing import DevServer, DevServerError, decode_token

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def liveblocks_target() -> Iterator[tuple[str, str, str]]:
    """(secret, base URL, description): the configured project, else a fresh dev server."""
    secret = os.environ.get("LIVEBLOCKS_SECRET_KEY")
    if secret:
        base_url = os.environ.get("LIVEBLOCKS_BASE_URL", "https://api.liveblocks.io")
        yield secret, base_url, f"your Liveblocks project at {base_url} (LIVEBLOCKS_SECRET_KEY)"
        return
    with DevServer(ROOT / "tests" / "realstack" / "node_modules") as server:
        yield server.secret, server.base_url, f"the official dev server at {server.base_url}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="alice", help="user id to identify (default: alice)")
    parser.add_argument("--group", action="append", default=None, help="group id (repeatable)")
    parser.add_argument("--org", default=None, help="organization id")
    args = parser.parse_args(argv)
    try:
        with liveblocks_target() as (secret, base_url, where):
            print(f"Using {where}")
            with Liveblocks(secret, base_url=base_url) as client:
                answer = client.identify_user(
                    args.user,
                    group_ids=args.group or ["editors"],
                    organization_id=args.org,
                    user_info={"name": args.user.title()},
                )
    except (DevServerError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if answer.status != 200:
        print(f"error: Liveblocks answered {answer.status}: {answer.body}", file=sys.stderr)
        return 1
    token = json.loads(answer.body)["token"]
    print(f"identify_user({args.user!r}) -> HTTP {answer.status}")
    print(f"token: {token}")
    print("claims:", json.dumps(decode_token(token), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
