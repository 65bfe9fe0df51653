from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        # Connects the log-in receiver that starts the session's clocks (automatic log-off).
        from . import sessions  # noqa: F401
