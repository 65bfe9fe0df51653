from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        # Connect the receivers: the session's clocks (automatic log-off), the second step at log-in,
        # and the refusal to delete a login that authored changes.
        from . import authorship, mfa, sessions  # noqa: F401
