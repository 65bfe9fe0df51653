from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Messages to patients"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (registers the deployment check and the outbox's receivers)
