"""The packages never import liveblocks_auth.testing at run time (it is for tests: the fake,
the dev-server harness); checked on the source, and in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "liveblocks_auth",
    "liveblocks_auth.cli",
    "liveblocks_auth_flask",
    "liveblocks_auth_starlette",
    "liveblocks_auth_starlette.fastapi",
]


def test_importing_the_packages_and_the_cli_loads_no_testing_module() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {module}\n" for module in MODULES)
        + "print(sorted(m for m in sys.modules if m.startswith('liveblocks_auth.testing')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
