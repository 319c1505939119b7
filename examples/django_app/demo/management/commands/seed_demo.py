"""Create the demo users, groups and organizations (and, with --rooms, the Liveblocks rooms)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.models import Profile
from liveblocks_auth import LiveblocksError
from liveblocks_auth.testing.demo import USERS, seed_rooms
from liveblocks_auth_django.clients import get_client


class Command(BaseCommand):
    help = "Create the demo users (alice, bob, carol, dave), their groups and organizations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rooms", action="store_true", help="also create the demo rooms on Liveblocks"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        for demo in USERS.values():
            first, _, last = demo.name.partition(" ")
            user, _ = User.objects.update_or_create(
                username=demo.username, defaults={"first_name": first, "last_name": last}
            )
            user.set_unusable_password()
            user.save()
            user.groups.set([Group.objects.get_or_create(name=g)[0] for g in demo.groups])
            Profile.objects.update_or_create(
                user=user, defaults={"organization": demo.organization}
            )
        self.stdout.write(f"demo users: {', '.join(USERS)}")
        if options["rooms"]:
            try:
                rooms = seed_rooms(get_client())
            except (LiveblocksError, ValueError) as exc:
                raise CommandError(f"could not create the demo rooms: {exc}") from None
            self.stdout.write(f"demo rooms: {', '.join(rooms)}")
