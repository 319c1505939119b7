from django.conf import settings
from django.db import models


class Profile(models.Model):
    """Which organization (Liveblocks organization id) a user belongs to."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    organization = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"
