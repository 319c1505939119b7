"""``manage.py liveblocks ...``: the liveblocks-auth CLI with this project's LIVEBLOCKS settings."""

from __future__ import annotations

import argparse
import io
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.base import SessionBase
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import HttpRequest
from django.test import RequestFactory

from liveblocks_auth import LiveblocksUser, cli
from liveblocks_auth_django.clients import get_client
from liveblocks_auth_django.users import resolve_authenticated

#: Options of ``identify`` that the endpoint takes from the user instead.
_IDENTITY_OPTIONS = ("--group", "--info", "--org")


def identify_as_endpoint(argv: list[str]) -> tuple[list[str], str]:
    """``identify USERNAME ...`` rewritten with the identity the endpoint would send for that
    Django user (its id, groups, info and organization from the LIVEBLOCKS hooks), and a line
    saying so."""
    if len(argv) < 2 or argv[1].startswith("-"):
        return argv, ""
    if any(arg.split("=", 1)[0] in _IDENTITY_OPTIONS for arg in argv[2:]):
        raise CommandError(
            "identify takes the identity from the Django user, as the endpoint does: "
            "drop --group, --info and --org",
            returncode=2,
        )
    model = get_user_model()
    try:
        user = model._default_manager.get(**{str(model.USERNAME_FIELD): argv[1]})
    except model.DoesNotExist:
        raise CommandError(
            f"no Django user with the username {argv[1]!r} (identify takes a username, and "
            "sends the id, groups, info and organization the endpoint would)",
            returncode=2,
        ) from None
    identity = resolve_authenticated(_request_for(user))
    if not isinstance(identity, LiveblocksUser):
        raise CommandError(
            f"LIVEBLOCKS['RESOLVE_USER'] gives no Liveblocks user for {argv[1]!r} "
            f"(it returned {identity!r})",
            returncode=2,
        )
    rewritten = ["identify", identity.id, *argv[2:]]
    for group in identity.group_ids:
        rewritten += ["--group", group]
    if identity.info:
        rewritten += ["--info", json.dumps(identity.info)]
    if identity.organization_id:
        rewritten += ["--org", identity.organization_id]
    return rewritten, f"Django user {argv[1]!r} is user id {identity.id!r} for Liveblocks."


def _request_for(user: Any) -> HttpRequest:
    """A request to the endpoint by ``user`` with no headers and an empty session: what hooks
    that declare ``request`` get here (a workspace switcher then finds no workspace)."""
    request = RequestFactory().post("/api/liveblocks-auth", {}, content_type="application/json")
    request.user = user
    request.session = SessionBase()
    return request


class Command(BaseCommand):
    help = (
        "Manage Liveblocks rooms and inspect tokens with this project's LIVEBLOCKS settings: "
        "rooms create|get|update|delete|list, identify USERNAME (the identity the endpoint "
        "would send for that Django user), access ROOM USER_ID "
        "(`manage.py liveblocks --help-cli` for all options)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "cli_args",
            nargs=argparse.REMAINDER,
            metavar="...",
            help="the liveblocks-auth command, e.g. rooms list --org acme --json",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        argv = list(options["cli_args"])
        if argv[:1] == ["--help-cli"]:
            argv = ["--help"]
        note = ""
        if argv[:1] == ["identify"]:
            argv, note = identify_as_endpoint(argv)
        try:
            client = get_client()
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        output, errors = io.StringIO(), io.StringIO()
        code = cli.run(
            argv, client=client, stdout=output, stderr=errors, prog="manage.py liveblocks"
        )
        if note and "--json" not in argv:
            self.stdout.write(note)
        self.stdout.write(output.getvalue(), ending="")
        if code:
            raise CommandError(errors.getvalue().strip().removeprefix("error: "), returncode=code)
