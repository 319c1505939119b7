"""``manage.py liveblocks ...``: the liveblocks-auth CLI with this project's LIVEBLOCKS settings."""

from __future__ import annotations

import argparse
import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liveblocks_auth import cli
from liveblocks_auth_django.clients import get_client


class Command(BaseCommand):
    help = (
        "Manage Liveblocks rooms and inspect tokens with this project's LIVEBLOCKS settings: "
        "rooms create|get|update|delete|list, identify USER, access ROOM USER "
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
        try:
            client = get_client()
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        output, errors = io.StringIO(), io.StringIO()
        code = cli.run(
            argv, client=client, stdout=output, stderr=errors, prog="manage.py liveblocks"
        )
        self.stdout.write(output.getvalue(), ending="")
        if code:
            raise CommandError(errors.getvalue().strip().removeprefix("error: "), returncode=code)
