"""The version matrix: the core and adapter tests on every Python that pyproject.toml admits, at
both ends of every dependency's range.

    ./run matrix                        # every session (what .ci/run runs after ./run test)
    ./run matrix -s "tests-3.13(lowest)"  # one; ./run matrix -l lists them

``nocurl`` runs the same tests without the ``[curl]`` extra.

``lowest`` installs the lowest version of every dependency that pyproject.toml allows (uv's
``--resolution lowest-direct``: Django 4.2, Flask 3.0, Starlette, FastAPI, DRF, httpx, PyJWT,
anyio, pycurl and certifi at their floors), then the test libraries over those versions without
moving them. ``latest`` installs the newest of everything (Django 5.2 on Python 3.11, 6.x on 3.12
and later, where Django 6 runs). Each session prints the versions it tests.

Interpreters are found on PATH, or in pyenv's versions (``$(pyenv root)/versions/3.12.*``); a
missing one is an error, not a skipped session.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.error_on_missing_interpreters = True
nox.options.reuse_existing_virtualenvs = False

ROOT = Path(__file__).resolve().parent
PYTHONS = ["3.11", "3.12", "3.13"]
# Every extra that carries a dependency of ours (all but the tools').
EXTRAS = "django,drf,flask,starlette,fastapi,yjs,redis,otel,markdown,curl"
# The core and adapter tests (their endpoint tests included), the adapters served by real
# servers in several worker processes (gunicorn; uvicorn for Starlette and Django under ASGI),
# and the hostile-upstream suite on every wire (each library at its floor and its latest).
TESTS = [
    "tests/core",
    "tests/django",
    "tests/flask",
    "tests/starlette",
    "tests/reliability/test_workers.py",
    "tests/reliability/test_hostile_upstream.py",
]
# What the sessions print: the versions they test.
SHOWN = [
    "django",
    "djangorestframework",
    "flask",
    "werkzeug",
    "starlette",
    "fastapi",
    "httpx",
    "httpcore",
    "pyjwt",
    "anyio",
    "pycurl",
    "aiohttp",
    "certifi",
    "pycrdt",
    "redis",
    "opentelemetry-api",
    "markdown-it-py",
]


def _works(python: str) -> bool:
    try:
        return subprocess.run([python, "-c", ""], capture_output=True).returncode == 0  # noqa: S603
    except OSError:
        return False


def _find_interpreters() -> None:
    """Put pyenv's interpreters on PATH for the versions PATH does not already run (a pyenv shim
    for a version that is not pyenv's global one is on PATH, and fails)."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    extra: list[str] = []
    for version in PYTHONS:
        found = shutil.which(f"python{version}")
        if found and _works(found):
            continue
        builds = sorted(
            glob.glob(str(root / "versions" / f"{version}.*" / "bin")),
            key=lambda path: [int(p) for p in Path(path).parent.name.split(".") if p.isdigit()],
        )
        if builds:
            extra.append(builds[-1])
    if extra:
        os.environ["PATH"] = os.pathsep.join([*extra, os.environ.get("PATH", "")])


_find_interpreters()


@nox.session(python=PYTHONS)
@nox.parametrize("deps", ["lowest", "latest"], ids=["lowest", "latest"])
def tests(session: nox.Session, deps: str) -> None:
    """The core and adapter tests at the lowest or the latest versions allowed."""
    if deps == "lowest":
        session.install("--resolution", "lowest-direct", "-e", f".[{EXTRAS}]")
        # The test libraries go over those versions without moving them.
        frozen = session.run("uv", "pip", "freeze", silent=True, external=True)
        assert isinstance(frozen, str)
        pins = [line for line in frozen.splitlines() if "==" in line]  # (uv adds its own lines)
        # (Not session.create_tmp(): it sets TMPDIR inside the checkout, where the dev-server
        # tests' "a user's own project" would find the checkout's node_modules.)
        constraints = Path(session.virtualenv.location) / "constraints.txt"
        constraints.write_text("\n".join(pins) + "\n")
        session.install("-c", str(constraints), "-e", f".[{EXTRAS},test]")
    else:
        session.install("--upgrade", "-e", f".[{EXTRAS},test]")
    _show_versions(session)
    _check_classifiers(session)
    _pytest(session, *TESTS)


@nox.session(python="3.11")
def nocurl(session: nox.Session) -> None:
    """Without the [curl] extra, as on Alpine (musl), Amazon Linux 2 or PyPy, where pycurl has
    no wheel: the same tests, every call over aiohttp (async) or httpx's transports."""
    session.install("--upgrade", "-e", f".[{EXTRAS.replace(',curl', '')},test]")
    absent = "import importlib.util, sys; sys.exit(importlib.util.find_spec('pycurl') is not None)"
    session.run("python", "-c", absent)  # fails if anything brought pycurl in
    _show_versions(session)
    _pytest(session, *TESTS)


def _pytest(session: nox.Session, *paths: str) -> None:
    session.run(
        "pytest",
        *paths,
        "-p",
        "no:cacheprovider",
        "-q",
        "--timeout=300",
        # The official SDK's witness tests run in ./run test: the SDK caps httpx below 0.29.
        "-m",
        "not official_sdk",
        *session.posargs,
        env={"PYTHONDONTWRITEBYTECODE": "1"},
    )


def _check_classifiers(session: nox.Session) -> None:
    """pyproject.toml's classifiers name exactly what the matrix tests: a session on a Python or
    a Django release that they do not name fails, until they do."""
    with open(ROOT / "pyproject.toml", "rb") as file:
        named = set(tomllib.load(file)["project"]["classifiers"])
    code = (
        "import django, sys; "
        "print(f'{sys.version_info[0]}.{sys.version_info[1]}', "
        "'.'.join(map(str, django.VERSION[:2])))"
    )
    versions = session.run("python", "-c", code, silent=True)
    python, django = str(versions).split()[-2:]
    for classifier in (
        f"Programming Language :: Python :: {python}",
        f"Framework :: Django :: {django}",
    ):
        if classifier not in named:
            session.error(f"tested, but not in pyproject.toml's classifiers: {classifier!r}")


def _show_versions(session: nox.Session) -> None:
    code = (
        "import importlib.metadata as m, platform\n"
        f"names = {SHOWN!r}\n"
        "found = []\n"
        "for name in names:\n"
        "    try: found.append(f'{name} {m.version(name)}')\n"
        "    except m.PackageNotFoundError: found.append(f'{name} -')\n"
        "print('Python', platform.python_version(), '|', ', '.join(found))\n"
    )
    shown = session.run("python", "-c", code, silent=True)
    session.log(str(shown).strip())
