"""The Celery beat runs the check-in sweep."""

from django.conf import settings

from checkins.models import Alert
from checkins.tasks import sweep_checkins


def test_the_beat_sweeps_checkins_every_minute(pats_episode):
    assert settings.CELERY_BEAT_SCHEDULE["sweep-checkins"] == {"task": "checkins.tasks.sweep_checkins", "schedule": 60}
    # Today, long after March 2026, all seven check-ins are past: missed, and six follow-up calls (not the baseline).
    assert sweep_checkins() == (7, 0)
    assert Alert.objects.filter(kind=Alert.Kind.MISSED).count() == 6
