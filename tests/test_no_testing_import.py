"""The packages never import liveblocks_auth.testing at run time (it is for tests: the fake,
the dev-server harness): checked on the source (every import statement of the four packages),
and in a fresh interpreter (every module a user's app loads, Django's included)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["liveblocks_auth", "liveblocks_auth_django", "liveblocks_auth_flask"]
PACKAGES += ["liveblocks_auth_starlette"]
TESTING = "liveblocks_auth.testing"
MODULES = [
    "liveblocks_auth",
    "liveblocks_auth.cli",
    "liveblocks_auth_flask",
    "liveblocks_auth_starlette",
    "liveblocks_auth_starlette.fastapi",
    "liveblocks_auth_django",
    "liveblocks_auth_django.urls",
    "liveblocks_auth_django.views",
    "liveblocks_auth_django.checks",
    "liveblocks_auth_django.users",
    "liveblocks_auth_django.management.commands.liveblocks",
]


def _imported(path: Path) -> list[str]:
    """The absolute names of the modules ``path`` imports (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names += [module] + [f"{module}.{alias.name}" for alias in node.names]
    return names


def test_no_source_of_the_packages_imports_the_testing_module() -> None:
    sources = [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if not path.is_relative_to(ROOT / "liveblocks_auth" / "testing")
    ]
    assert len(sources) > 30  # the walk found the packages
    found = {
        str(path.relative_to(ROOT)): name
        for path in sources
        for name in _imported(path)
        if name == TESTING or name.startswith(TESTING + ".")
    }
    assert found == {}


def test_the_source_check_sees_relative_and_absolute_imports() -> None:
    for text in ("from .testing import FakeLiveblocks", "import liveblocks_auth.testing.fake"):
        probe = ROOT / "liveblocks_auth" / "_probe_for_test.py"
        probe.write_text(text + "\n")
        try:
            assert any(name.startswith(TESTING) for name in _imported(probe)), text
        finally:
            probe.unlink()


def test_importing_the_packages_and_the_cli_loads_no_testing_module() -> None:
    code = (
        "import sys\n"
        "import django\n"
        "from django.conf import settings\n"
        "settings.configure(INSTALLED_APPS=['django.contrib.contenttypes', "
        "'django.contrib.auth', 'liveblocks_auth_django'])\n"
        "django.setup()\n"
        + "".join(f"import {module}\n" for module in MODULES)
        + "print(sorted(m for m in sys.modules if m.startswith('liveblocks_auth.testing')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
