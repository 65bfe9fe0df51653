"""What the other apps' pages include: the patient's open check-ins, the pain chart, the escalation banner."""

from django import template
from django.utils.translation import gettext as _

from checklists.models import Episode
from portal.timeline import format_moment

from .. import selectors

register = template.Library()


@register.simple_tag
def open_checkins(user) -> list[dict]:
    """The patient's open check-ins, each with its answer-by time in words."""
    return [
        {"checkin": checkin, "closes": format_moment(checkin.closes_at)}
        for checkin in selectors.open_checkins_for(user)
    ]


@register.simple_tag
def pain_chart(episode: Episode) -> dict:
    """The pain scores for the chart (json_script) and the table under it."""
    series = selectors.pain_series(episode)
    return {
        "points": series,
        "data": {
            "label": _("Pain (0 to 10)"),
            "labels": [point.label for point in series],
            "scores": [point.score for point in series],
        },
    }


@register.simple_tag
def alert_counts(user) -> selectors.AlertCounts:
    return selectors.alert_counts(user)
