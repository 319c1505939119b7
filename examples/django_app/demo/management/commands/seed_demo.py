"""Create the demo users, groups and organizations (and, with --rooms, the Liveblocks rooms)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.models import Profile
from liveblocks_auth import LiveblocksError
from liveblocks_auth.testing.demo import USERS, seed_django_users, seed_rooms
from liveblocks_auth_django.clients import get_client


class Command(BaseCommand):
    help = "Create the demo users (alice, bob, carol, dave), their groups and organizations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rooms", action="store_true", help="also create the demo rooms on Liveblocks"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for username, user in seed_django_users().items():
            Profile.objects.update_or_create(
                user=user, defaults={"organization": USERS[username].organization}
            )
        self.stdout.write(f"demo users: {', '.join(USERS)}")
        if options["rooms"]:
            try:
                rooms = seed_rooms(get_client())
            except (LiveblocksError, ValueError) as exc:
                raise CommandError(f"could not create the demo rooms: {exc}") from None
            self.stdout.write(f"demo rooms: {', '.join(rooms)}")
