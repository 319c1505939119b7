"""``python -m liveblocks_auth``: the ``liveblocks-auth`` command line."""

from liveblocks_auth.cli import main

main()
