from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "checkins"
    verbose_name = "Check-ins after the procedure"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (schedules check-ins as episodes are scheduled, moved, done, cancelled)
