"""Celery beat runs the sweep every minute: missed check-ins become follow-up calls, late alerts escalate."""

from celery import shared_task

from .services import checkins_sweep


@shared_task
def sweep_checkins() -> tuple[int, int]:
    return checkins_sweep()
