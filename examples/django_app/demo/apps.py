from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from liveblocks_auth.testing.demo import log_decisions, log_webhook
        from liveblocks_auth_django import get_client
        from liveblocks_auth_django.signals import webhook_received

        log_decisions()  # each answer of the endpoint: "[auth] alice, room ...: 200, ..."
        # Every verified webhook event (POST /api/liveblocks-webhook) is printed; for
        # storageUpdated, with the counter read from the room's storage (get_storage_document).
        webhook_received.connect(
            lambda sender, event, request, **extra: log_webhook(event, get_client()),
            weak=False,
            dispatch_uid="demo-log-webhook",
        )
