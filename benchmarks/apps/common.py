"""What every benchmark subject shares: the upstream, the key, the fixed user, the token, and
the meter of its garbage collection (on when the benchmark asks for it)."""

from __future__ import annotations

import json
import os

from benchmarks import gc_meter

gc_meter.install()

BASE_URL = os.environ.get("LIVEBLOCKS_BASE_URL", "http://127.0.0.1:1153")
SECRET = os.environ.get("LIVEBLOCKS_SECRET_KEY", "sk_bench")
USER = {"userId": "alice", "groupIds": ["editors"], "userInfo": {"name": "Alice"}}
#: What the no-upstream ceilings answer: the shape of a real answer, no call made.
FIXED_TOKEN = json.dumps({"token": "eyJhbGciOiJub25lIn0.eyJrIjoiaWQiLCJ1aWQiOiJhbGljZSJ9."})
