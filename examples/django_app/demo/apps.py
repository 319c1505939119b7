from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from liveblocks_auth.testing.demo import log_webhook
        from liveblocks_auth_django.signals import webhook_received

        # Every verified webhook event (POST /api/liveblocks-webhook) is printed.
        webhook_received.connect(
            lambda sender, event, request, **extra: log_webhook(event, request),
            weak=False,
            dispatch_uid="demo-log-webhook",
        )
