"""Read-side questions of the check-ins: what a patient may answer now, the nurses' queue, pain over time."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from checklists.models import Episode

from .models import Alert, Checkin, CheckinAnswer


def open_checkins_for(user, *, now: dt.datetime | None = None) -> list[Checkin]:
    """The patient's check-ins open for answers now, the one closing first first."""
    now = now or timezone.now()
    return list(Checkin.objects.visible_to(user).open_at(now).order_by("closes_at"))


def checkins_to_announce(episode: Episode) -> list[Checkin]:
    """The episode's check-ins still to answer, each to be announced to the patient when it opens (with its link)."""
    return list(episode.checkins.filter(status=Checkin.Status.SCHEDULED).select_related("point"))


def alert_queue(user, *, now: dt.datetime | None = None) -> list[Alert]:
    """Open alerts: escalated first, then emergency before call-today before missed, oldest first.

    Three queries whatever the number of alerts: the alerts with their patient, then every answer of
    their check-ins with its question.
    """
    now = now or timezone.now()
    answers = CheckinAnswer.objects.select_related("question").order_by("question__position")
    return list(
        Alert.objects.visible_to(user)
        .open()
        .select_related("checkin__episode__patient", "checkin__point", "acknowledged_by")
        .prefetch_related(Prefetch("checkin__answers", queryset=answers))
        .alias(
            late=Case(
                When(acknowledged_at__isnull=True, escalate_at__lte=now, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            urgency=Case(
                When(kind=Alert.Kind.EMERGENCY, then=Value(0)),
                When(kind=Alert.Kind.CALL_TODAY, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("late", "urgency", "raised_at", "pk")
    )


@dataclass(frozen=True)
class AlertCounts:
    open: int
    escalated: int


def alert_counts(user, *, now: dt.datetime | None = None) -> AlertCounts:
    """How many alerts are open, and how many of them are escalated (one query)."""
    now = now or timezone.now()
    late = Q(acknowledged_at__isnull=True, escalate_at__lte=now)
    counts = Alert.objects.visible_to(user).open().aggregate(open=Count("pk"), escalated=Count("pk", filter=late))
    return AlertCounts(**counts)


@dataclass(frozen=True)
class PainPoint:
    label: str
    answered_at: dt.datetime
    score: int


def pain_series(episode: Episode) -> list[PainPoint]:
    """Baseline and each check-in's pain score, in the order they were asked."""
    answers = (
        CheckinAnswer.objects.filter(checkin__episode=episode, score__isnull=False)
        .select_related("checkin__point")
        .order_by("checkin__opens_at")
    )
    return [
        PainPoint(label=checkin_label(answer.checkin), answered_at=answer.checkin.answered_at, score=answer.score)
        for answer in answers
    ]


def checkin_label(checkin: Checkin) -> str:
    point = checkin.point
    if point.is_baseline:
        return _("Before the procedure")
    return _("Day %(day)s after") % {"day": point.days}
