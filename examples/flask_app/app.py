"""The Flask example: Flask-Login, users in SQLite, Flask-WTF's CSRFProtect, Liveblocks auth.

export LIVEBLOCKS_SECRET_KEY=sk_localdev LIVEBLOCKS_BASE_URL=http://127.0.0.1:1153
flask --app app seed-demo && gunicorn 'app:create_app()'
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, g, jsonify, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import CSRFProtect
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from liveblocks_auth import WebhookEvent
from liveblocks_auth.testing.demo import (
    DEMO_WEBHOOK_SECRET,
    USERS,
    access,
    find_sqlite_user,
    frontend_bundle,
    frontend_page,
    log_decisions,
    log_webhook,
    login_page,
    me,
    room_policy,
    seed_sqlite_users,
)
from liveblocks_auth_flask import LiveblocksAuth

liveblocks = LiveblocksAuth()
login_manager = LoginManager()
csrf = CSRFProtect()


@dataclass
class User(UserMixin):  # type: ignore[misc]
    id: str
    name: str
    organization: str
    groups: list[str]


def db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect(os.environ.get("DEMO_DB", "demo.sqlite3"))
    connection: sqlite3.Connection = g.db
    return connection


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    found = find_sqlite_user(db(), user_id)
    return (
        User(found.username, found.name, found.organization, list(found.groups)) if found else None
    )


# The Liveblocks identity of the Flask-Login user (its id is get_id(), its name user.name).
@liveblocks.group_ids
def group_ids(user: User) -> list[str]:
    return user.groups


@liveblocks.organization_id
def organization_id(user: User) -> str:
    return user.organization


# Refuse (403) rooms of another organization before asking Liveblocks.
liveblocks.room_policy(room_policy)


# Every verified webhook event (POST /api/liveblocks-webhook) is printed; for storageUpdated,
# with the counter read from the room's storage (liveblocks.client.get_storage_document).
@liveblocks.webhook_handler
def print_webhook(event: WebhookEvent) -> None:
    log_webhook(event, liveblocks.client)


def csrf_field() -> str:
    return f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'


def create_app(config: dict[str, Any] | None = None) -> Flask:
    log_decisions()  # each answer of the endpoint: "[auth] alice, room ...: 200, ..."
    app = Flask(__name__, static_folder=None)
    app.config["SECRET_KEY"] = os.environ.get("FLASK_SECRET_KEY", "demo-only-not-secret")
    app.config["LIVEBLOCKS_WEBHOOK_SECRET"] = os.environ.get(
        "LIVEBLOCKS_WEBHOOK_SECRET", DEMO_WEBHOOK_SECRET
    )
    app.config.update(config or {})
    login_manager.init_app(app)
    login_manager.login_view = "login"
    csrf.init_app(app)
    liveblocks.init_app(app)  # POST /api/liveblocks-auth and /api/liveblocks-webhook

    @app.teardown_appcontext
    def close_db(_: BaseException | None) -> None:
        connection = g.pop("db", None)
        if connection is not None:
            connection.close()

    @app.get("/login/")
    def login() -> str:
        signed_in = current_user.id if current_user.is_authenticated else None
        return login_page(csrf_field(), signed_in=signed_in)

    @app.post("/login/")
    def do_login() -> Any:
        user = load_user(request.form.get("username", ""))
        if user is None:
            return login_page(csrf_field(), error=True), 400
        login_user(user)
        return redirect(url_for("home"))

    @app.get("/logout/")
    def logout() -> Any:
        logout_user()
        return redirect(url_for("login"))

    @app.get("/")
    def home() -> Any:
        """The shared demo page (examples/frontend)."""
        if not current_user.is_authenticated:
            return redirect(url_for("login"))
        return Response(frontend_page(), mimetype="text/html")

    @app.get("/me")
    def me_view() -> Any:
        if not current_user.is_authenticated:
            return jsonify(error="not logged in"), 401
        return jsonify(me(current_user.id))

    @app.get("/access")
    def access_view() -> Any:
        """Why the user gets what they get in ?room= (the page's "Why" line)."""
        if not current_user.is_authenticated:
            return jsonify(error="not logged in"), 401
        return jsonify(access(liveblocks.client, current_user.id, request.args.get("room", "")))

    @app.get("/static/liveblocks-demo.js")
    def bundle() -> Response:
        return Response(frontend_bundle(), mimetype="text/javascript")

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Create the demo users (alice, bob, carol, dave) in SQLite."""
        seed_sqlite_users(db())
        print(f"demo users: {', '.join(USERS)}")

    return app
