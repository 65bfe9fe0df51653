"""The Celery application: workers send the patients' messages (see notifications/README.md)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kypho_tracker.settings")

app = Celery("kypho_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
