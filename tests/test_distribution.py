"""The distribution as a new user gets it: ``python -m build`` makes an sdist and a wheel that
``twine check`` accepts; installed from the wheel alone (no checkout), or from a checkout's
folder as the README says until the package is on PyPI, into a fresh venv with one extra, the
README's quickstart for that framework, pasted into a fresh minimal project, serves a logged-in
user a token from the official dev server (200, the expected claims) and refuses an anonymous
one (401)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from liveblocks_auth.config import VERSION
from liveblocks_auth.testing import DevServer
from tests.conftest import ROOT
from tests.processes import run_ok
from tests.readme import readme_block

pytestmark = pytest.mark.realstack

URL = "/api/liveblocks-auth"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run_ok([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], timeout=600)
    return out


def wheel_of(dist: Path) -> Path:
    [wheel] = dist.glob("*.whl")
    return wheel


def test_build_makes_an_sdist_and_a_wheel_twine_accepts(dist: Path) -> None:
    wheel = wheel_of(dist)
    [sdist] = dist.glob("*.tar.gz")
    assert wheel.name == f"liveblocks_auth-{VERSION}-py3-none-any.whl"
    assert sdist.name == f"liveblocks_auth-{VERSION}.tar.gz"
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(f"liveblocks_auth-{VERSION}.dist-info/METADATA").decode()
    for package in ("liveblocks_auth", "liveblocks_auth_django", "liveblocks_auth_flask"):
        assert f"{package}/py.typed" in names
    assert "liveblocks_auth_django/management/commands/liveblocks.py" in names
    assert not [name for name in names if name.startswith(("tests/", "examples/"))]
    for extra in ("django", "drf", "flask", "starlette", "fastapi", "yjs", "all"):
        assert f"Provides-Extra: {extra}" in metadata
    assert "Classifier: Typing :: Typed" in metadata


# --- the quickstarts, each in a fresh venv and project ----------------------------------------


def fresh_venv(tmp: Path, wheel: Path, extra: str) -> Path:
    """A venv with ``wheel[extra]`` installed (``wheel``: a wheel, or a checkout's folder, as
    the README's "Installing" says to install before the package is on PyPI)."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    run_ok([*install, f"{wheel}[{extra}]"], timeout=600)
    return python


def run_in(project: Path, python: Path, dev_server: DevServer, *argv: str) -> Any:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LIVEBLOCKS_", "DJANGO_", "PYTHON")) and key != "VIRTUAL_ENV"
    }
    env.update(LIVEBLOCKS_SECRET_KEY=dev_server.secret, LIVEBLOCKS_BASE_URL=dev_server.base_url)
    lines = run_ok([str(python), *argv], cwd=project, env=env).strip().splitlines()
    return json.loads(lines[-1]) if lines else None


#: Prints, as one JSON line, what the endpoint answers an anonymous request and a logged-in one
#: (``login`` is the header that logs "alice" in, in each throwaway project), and where the
#: package was imported from.
CHECK = """
import json, liveblocks_auth
from liveblocks_auth import decode_token

def report(anonymous, logged_in):
    claims = decode_token(logged_in[1]["token"]) if logged_in[0] == 200 else None
    print(json.dumps({"anonymous": anonymous, "status": logged_in[0], "claims": claims,
                      "package": liveblocks_auth.__file__}))
"""

DJANGO_CHECK = (
    CHECK
    + """
from django.contrib.auth.models import User
from django.test import Client
user = User.objects.create_user("alice", first_name="Alice", last_name="Martin")
client = Client(SERVER_NAME="localhost")  # startproject: DEBUG, ALLOWED_HOSTS = []
body = {"room": "quickstart-room"}
anonymous = client.post("/api/liveblocks-auth", body, content_type="application/json")
HEADERS = {}
LOGIN
answer = client.post("/api/liveblocks-auth", body, content_type="application/json", headers=HEADERS)
report(anonymous.status_code, (answer.status_code, answer.json()))
"""
)

ASGI_CHECK = (
    CHECK
    + """
from TESTCLIENT import TestClient
from app import app
with TestClient(app) as client:
    anonymous = client.post("/api/liveblocks-auth", json={"room": "quickstart-room"})
    answer = client.post("/api/liveblocks-auth", json={"room": "quickstart-room"},
                         headers={"X-Test-User": "alice"})
report(anonymous.status_code, (answer.status_code, answer.json()))
"""
)


def django_project(python: Path, project: Path, dev_server: DevServer) -> Path:
    project.mkdir()
    django_admin = python.parent / "django-admin"
    subprocess.run([str(django_admin), "startproject", "mysite", "."], cwd=project, check=True)
    settings = project / "mysite" / "settings.py"
    settings.write_text(
        settings.read_text() + "\n" + readme_block("quickstart-django-settings") + "\n"
    )
    urls = project / "mysite" / "urls.py"
    urls.write_text(urls.read_text() + "\n" + readme_block("quickstart-django-urls") + "\n")
    return settings


def assert_alice(result: dict[str, Any], uid: str | None = None) -> None:
    assert result["anonymous"] == 401
    assert result["status"] == 200
    claims = result["claims"]
    assert (claims["k"], claims["pid"]) == ("id", "localdev")  # from the official dev server
    if uid is not None:
        assert claims["uid"] == uid
    assert claims["ui"]["name"] in ("Alice Martin", "alice", "Alice")
    assert "site-packages" in result["package"]  # the wheel, not the checkout
    assert not result["package"].startswith(str(ROOT))


def test_django_quickstart_from_the_wheel(
    dist: Path, tmp_path: Path, dev_server: DevServer
) -> None:
    python = fresh_venv(tmp_path, wheel_of(dist), "django")
    project = tmp_path / "project"
    django_project(python, project, dev_server)
    run_in(project, python, dev_server, "manage.py", "migrate", "-v0", "--skip-checks")
    check = DJANGO_CHECK.replace("LOGIN", "client.force_login(user)")
    result = run_in(project, python, dev_server, "manage.py", "shell", "-c", check)
    assert_alice(result, uid="1")
    assert result["claims"]["ui"] == {"name": "Alice Martin"}


def test_drf_quickstart_from_the_wheel(dist: Path, tmp_path: Path, dev_server: DevServer) -> None:
    python = fresh_venv(tmp_path, wheel_of(dist), "drf")
    project = tmp_path / "project"
    settings = django_project(python, project, dev_server)
    drf_setup = (
        '\nINSTALLED_APPS += ["rest_framework", "rest_framework.authtoken"]\n'
        "REST_FRAMEWORK = {'DEFAULT_AUTHENTICATION_CLASSES': "
        "['rest_framework.authentication.TokenAuthentication']}\n"
    )
    settings.write_text(settings.read_text() + drf_setup + readme_block("quickstart-drf") + "\n")
    run_in(project, python, dev_server, "manage.py", "migrate", "-v0")
    login = (
        "from rest_framework.authtoken.models import Token\n"
        'HEADERS = {"Authorization": f"Token {Token.objects.create(user=user).key}"}'
    )
    result = run_in(
        project,
        python,
        dev_server,
        "manage.py",
        "shell",
        "-c",
        DJANGO_CHECK.replace("LOGIN", login),
    )
    assert_alice(result, uid="1")


def test_flask_quickstart_from_a_checkout(tmp_path: Path, dev_server: DevServer) -> None:
    # pip install "/path/to/liveblocks-auth[flask]", as the README says until it is on PyPI.
    python = fresh_venv(tmp_path, ROOT, "flask")
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(
        "from flask import Flask, g, request\n\napp = Flask(__name__)\n\n"
        + readme_block("quickstart-flask")
        + "\n\n\n@app.before_request\ndef log_in():  # stands for the app's own login\n"
        + '    if request.headers.get("X-Test-User"):\n'
        + '        g.user = {"id": request.headers["X-Test-User"], "name": "Alice"}\n'
    )
    check = ASGI_CHECK.replace("from TESTCLIENT import TestClient\n", "").replace(
        "with TestClient(app) as client:", "with app.test_client() as client:"
    )
    check = check.replace("answer.json()", "answer.get_json()")
    result = run_in(project, python, dev_server, "-c", check)
    assert_alice(result, uid="alice")


@pytest.mark.parametrize("extra", ["starlette", "fastapi"])
def test_starlette_and_fastapi_quickstarts_from_the_wheel(
    dist: Path, tmp_path: Path, dev_server: DevServer, extra: str
) -> None:
    python = fresh_venv(tmp_path, wheel_of(dist), extra)
    project = tmp_path / "project"
    project.mkdir()
    if extra == "starlette":
        # The block as pasted, its placeholder replaced as the reader is told to.
        block = readme_block("quickstart-starlette")
        placeholder = "resolve_user=lambda request: None"
        assert placeholder in block
        app = (
            "from liveblocks_auth import LiveblocksUser\n\n\n"
            "def current_user(request):  # stands for the app's own login\n"
            '    name = request.headers.get("x-test-user")\n'
            '    return LiveblocksUser(name, info={"name": "Alice"}) if name else None\n\n\n'
            + block.replace(placeholder, "resolve_user=current_user")
        )
    else:
        app = (
            "from fastapi import Header\n\n\n"
            "def get_current_user(x_test_user: str | None = Header(default=None)):\n"
            '    return {"id": x_test_user, "name": "Alice"} if x_test_user else None\n\n\n'
            + readme_block("quickstart-fastapi")
        )
    (project / "app.py").write_text(app + "\n")
    check = ASGI_CHECK.replace("TESTCLIENT", "starlette.testclient")
    result = run_in(project, python, dev_server, "-c", check)
    assert_alice(result, uid="alice")
