"""``flask liveblocks ...``: the liveblocks-auth CLI with this app's client."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from liveblocks_auth.cli import run as run_cli


@click.command(
    "liveblocks",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,  # --help goes to the liveblocks-auth parser
    help="Manage Liveblocks rooms and inspect tokens with this app's LIVEBLOCKS_* config.",
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def liveblocks_command(args: tuple[str, ...]) -> None:
    from .extension import state

    code = run_cli(
        list(args),
        client=state(current_app).client,
        stdout=sys.stdout,
        stderr=sys.stderr,
        prog="flask liveblocks",
    )
    if code:
        raise SystemExit(code)
