"""A deployment check (`manage.py check --deploy`): an emergency check-in answer must reach the ward outside the app."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=True)
def ward_escalation_contact_configured(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """An alert nobody acknowledges in time is escalated by text or email to the ward's contact: without one,
    it would wait in the alerts queue, where nobody may be looking."""
    if settings.WARD_ESCALATION_PHONE or settings.WARD_ESCALATION_EMAIL:
        return []
    return [
        checks.Warning(
            "No ward escalation contact: an emergency check-in alert nobody acknowledges would reach no one "
            "outside the app.",
            hint="Set WARD_ESCALATION_PHONE (a phone the ward carries) and/or WARD_ESCALATION_EMAIL.",
            id="notifications.W001",
        )
    ]
