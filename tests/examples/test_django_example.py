"""The Django example project is consistent: system checks pass, migrations match the models."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

APP = ROOT / "examples" / "django_app"


def manage(*argv: str, tmp_db: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "demo_project.settings",
        "LIVEBLOCKS_SECRET_KEY": "sk_localdev",
        "LIVEBLOCKS_BASE_URL": "http://127.0.0.1:1153",
        "DEMO_DB": tmp_db,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=APP,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_checks_pass_and_migrations_are_complete(tmp_path) -> None:
    db = str(tmp_path / "db.sqlite3")
    check = manage("check", "--fail-level", "WARNING", tmp_db=db)
    assert check.returncode == 0, check.stderr
    pending = manage("makemigrations", "--check", "--dry-run", tmp_db=db)
    assert pending.returncode == 0, pending.stdout + pending.stderr
    assert manage("migrate", "-v0", tmp_db=db).returncode == 0
    seeded = manage("seed_demo", tmp_db=db)
    assert seeded.stdout.strip() == "demo users: alice, bob, carol, dave"


def test_a_bad_key_is_reported_by_check(tmp_path) -> None:
    env_db = str(tmp_path / "db.sqlite3")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=APP,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "demo_project.settings",
            "LIVEBLOCKS_SECRET_KEY": "pk_public",
            "DEMO_DB": env_db,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "liveblocks_auth.E002" in result.stderr
    assert "Traceback" not in result.stderr
