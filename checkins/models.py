"""Check-ins after the procedure: the protocol's schedule, questions and rules, and each episode's answers and alerts.

The schedule (`CheckinPoint`), questions and rules belong to a protocol version, loaded from
`checkins/protocol_data/` by `load_checkin_protocols`. A version without its own check-in data uses
the nearest earlier version's (`checkin_version_for`), so a protocol published in the editor still
asks its patients. Each episode gets its own `Checkin` rows; answers never change once sent.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from checklists.hospital_time import local_moment, local_time
from checklists.models import ClinicalQuerySet, Episode, ProtocolVersion

PAIN_MIN, PAIN_MAX = 0, 10


class Level(models.TextChoices):
    """What an answer means: the patient is told what to do, the care team gets an alert unless normal."""

    NORMAL = "normal", "Normal"
    CALL_TODAY = "call_today", "Call today"
    EMERGENCY = "emergency", "Emergency"

    @classmethod
    def worst(cls, levels) -> "Level":
        order = [cls.NORMAL, cls.CALL_TODAY, cls.EMERGENCY]
        return max((cls(level) for level in levels), key=order.index, default=cls.NORMAL)


class QuestionKind(models.TextChoices):
    PAIN_SCORE = "pain_score", "Pain 0–10"
    COMPARED = "compared", "Better, same or worse"
    YES_NO = "yes_no", "Yes or no"
    TEXT = "text", "Free text"


# The stored values of the choice kinds (what rules match on), with the patient's wording.
CHOICES = {
    QuestionKind.YES_NO: [("yes", _("Yes")), ("no", _("No"))],
    QuestionKind.COMPARED: [("better", _("Better")), ("same", _("About the same")), ("worse", _("Worse"))],
}


class Anchor(models.TextChoices):
    BEFORE_START = "before_start", "Days before the scheduled start"
    AFTER_END = "after_end", "Days after the procedure's end"


class CheckinQuestion(models.Model):
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="checkin_questions")
    key = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=QuestionKind.choices)
    text = models.CharField(max_length=300)
    text_es = models.CharField("text (Spanish)", max_length=300)

    class Meta:
        ordering = ["protocol_version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["protocol_version", "key"], name="checkin_question_key_unique"),
            models.CheckConstraint(condition=Q(kind__in=QuestionKind.values), name="checkin_question_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.key


class CheckinPoint(models.Model):
    """One check-in of the schedule: when it opens, how long the patient has, what it asks."""

    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="checkin_points")
    key = models.SlugField(max_length=40)
    anchor = models.CharField(max_length=16, choices=Anchor.choices)
    days = models.SmallIntegerField(
        validators=[MinValueValidator(-14), MaxValueValidator(90)],
        help_text="Opens this many days from the anchor (negative: before), at its clock time.",
    )
    answer_within_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(14 * 24)]
    )
    questions = models.ManyToManyField(CheckinQuestion, related_name="points")

    class Meta:
        ordering = ["protocol_version", "anchor", "days"]
        constraints = [
            models.UniqueConstraint(fields=["protocol_version", "key"], name="checkin_point_key_unique"),
            models.CheckConstraint(condition=Q(anchor__in=Anchor.values), name="checkin_point_anchor_valid"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_baseline(self) -> bool:
        return self.anchor == Anchor.BEFORE_START

    def window_for(self, anchor_time: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """When this check-in opens and closes for a procedure anchored at `anchor_time`.

        Whole days are added in hospital wall-clock time, so day 7 opens at the same clock time as
        the procedure ended even across a daylight-saving change, and the answering window's whole
        days too (the baseline's 7 × 24 hours close at the start's clock time, not an hour after it);
        only the hours left over are real hours.
        """
        whole_days, hours = divmod(self.answer_within_hours, 24)
        opens = _same_clock_time(anchor_time, days=self.days)
        closes = _same_clock_time(opens, days=whole_days).astimezone(dt.UTC) + dt.timedelta(hours=hours)
        return opens, closes


def _same_clock_time(moment: dt.datetime, *, days: int) -> dt.datetime:
    """The moment `days` later (or earlier) at the same hospital wall-clock time."""
    local = local_time(moment)
    return local_moment(local.date() + dt.timedelta(days=days), local.time())


class CheckinRule(models.Model):
    """An answer that means "call today" or "emergency": a given choice, or a pain score at or above a level."""

    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="checkin_rules")
    question = models.ForeignKey(CheckinQuestion, on_delete=models.CASCADE, related_name="rules")
    answer = models.CharField(max_length=16, blank=True, help_text="The choice that triggers it (yes, worse…).")
    min_score = models.SmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(PAIN_MIN), MaxValueValidator(PAIN_MAX)]
    )
    level = models.CharField(max_length=16, choices=[c for c in Level.choices if c[0] != Level.NORMAL])
    reason = models.CharField(max_length=200, help_text="What the nurse reads on the alert.")

    class Meta:
        ordering = ["protocol_version", "question__position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(min_score__isnull=True) & ~Q(answer="")) | (Q(min_score__isnull=False) & Q(answer="")),
                name="checkin_rule_one_condition",
            ),
            models.CheckConstraint(condition=Q(level__in=["call_today", "emergency"]), name="checkin_rule_level_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.question.key} → {self.level}"

    def matches(self, value: str) -> bool:
        if self.min_score is not None:
            return value.isdigit() and int(value) >= self.min_score
        return value == self.answer


class CheckinQuerySet(ClinicalQuerySet):
    patient_login = "episode__patient__user"

    def open_at(self, now: dt.datetime):
        return self.filter(status=Checkin.Status.SCHEDULED, opens_at__lte=now, closes_at__gt=now)


class Checkin(models.Model):
    """One check-in of one episode: open from `opens_at` until `closes_at`, answered once."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        ANSWERED = "answered", "Answered"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    class Via(models.TextChoices):
        PORTAL = "portal", "Portal"
        LINK = "link", "Link"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="checkins")
    point = models.ForeignKey(CheckinPoint, on_delete=models.PROTECT, related_name="+")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_via = models.CharField(max_length=8, choices=Via.choices, blank=True)
    level = models.CharField(max_length=16, choices=Level.choices, blank=True)

    history = HistoricalRecords()
    objects = CheckinQuerySet.as_manager()

    class Meta:
        ordering = ["opens_at"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "point"], name="checkin_once_per_point"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="checkin_window_valid"),
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(answered_at__isnull=False, level__in=Level.values),
                name="checkin_answered_has_when_and_level",
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_at"], name="checkin_status_closes_idx")]

    def __str__(self) -> str:
        return f"{self.point.key} for {self.episode}"

    def is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.SCHEDULED and self.opens_at <= now < self.closes_at


class CheckinAnswer(models.Model):
    checkin = models.ForeignKey(Checkin, on_delete=models.PROTECT, related_name="answers")
    question = models.ForeignKey(CheckinQuestion, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=1000)
    # The pain score as a number, for the chart and the report.
    score = models.SmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(PAIN_MIN), MaxValueValidator(PAIN_MAX)]
    )

    class Meta:
        ordering = ["checkin", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "question"], name="checkin_answer_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=PAIN_MIN, score__lte=PAIN_MAX),
                name="checkin_answer_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.key}: {self.value}"


class AlertQuerySet(ClinicalQuerySet):
    patient_login = "checkin__episode__patient__user"

    def open(self):
        return self.filter(closed_at__isnull=True)

    def escalated(self, now: dt.datetime):
        return self.filter(acknowledged_at__isnull=True, escalate_at__lte=now)


class Alert(models.Model):
    """A check-in the care team must act on: a red-flag answer, or no answer at all (a follow-up call)."""

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", "Emergency"
        CALL_TODAY = "call_today", "Call today"
        MISSED = "missed", "Missed check-in: call the patient"

    class Outcome(models.TextChoices):
        REACHED = "reached", "Reached the patient"
        ADVISED_ED = "advised_ed", "Advised the emergency department"
        REVIEW_ARRANGED = "review_arranged", "Arranged a review"
        NO_ANSWER = "no_answer", "No answer – try again"

    checkin = models.ForeignKey(Checkin, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What raised it, as the nurse reads it (the rules' reasons and the answers), kept as it was then.
    reasons = models.TextField(blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    # Not acknowledged by then, it is escalated; null: it never escalates (a missed check-in).
    escalate_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    note = models.TextField(blank=True)
    # Off the queue; a "no answer – try again" keeps it on (acknowledged: no escalation).
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "kind"], name="alert_once_per_checkin_and_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=["emergency", "call_today", "missed"]), name="alert_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_by__isnull=False, outcome__gt=""),
                name="alert_acknowledged_has_who_and_outcome",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(acknowledged_at__isnull=False), name="alert_closed_after_ack"
            ),
        ]
        indexes = [models.Index(fields=["closed_at", "raised_at"], name="alert_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.checkin}"

    @property
    def is_escalated(self) -> bool:
        """Not acknowledged in time; computed, so it shows even before the sweep has stamped `escalated_at`."""
        return self.acknowledged_at is None and self.escalate_at is not None and self.escalate_at <= timezone.now()


def checkin_version_for(protocol_version: ProtocolVersion) -> ProtocolVersion | None:
    """The version whose check-in data applies: this one's own, else the nearest earlier version's."""
    return (
        ProtocolVersion.objects.filter(
            protocol_id=protocol_version.protocol_id, number__lte=protocol_version.number, checkin_points__isnull=False
        )
        .order_by("-number")
        .first()
    )
