from django.apps import AppConfig


class MedicinesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "medicines"
    verbose_name = "Medicines"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (reschedules move and check each medicine's hold)
