"""The outbox and delivery log (one row per message and channel), message templates, contact preferences."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from checkins.models import Alert, Checkin
from checklists.hospital_time import hospital_quiet_hours
from checklists.models import ChecklistTask, Episode, Language, Patient, ProtocolVersion


class Kind(models.TextChoices):
    CONFIRMATION = "confirmation", "Confirmation"
    WEEK_BEFORE = "week_before", "Week-before summary"
    NIGHT_BEFORE = "night_before", "Night-before summary"
    TASK_REMINDER = "task_reminder", "Task reminder"
    AFTER_CARE = "after_care", "After-care reminder"
    CHECKIN_OPEN = "checkin_open", "Check-in open (its link)"
    RESCHEDULED = "rescheduled", "Change alert: new time"
    ARRIVAL_CHANGED = "arrival_changed", "Change alert: new arrival time"
    CANCELLED = "cancelled", "Change alert: cancelled"
    INVITATION = "invitation", "Portal invitation"
    ESCALATION = "escalation", "Alert escalated to the ward"


# Kinds planned from the episode's start, tasks and check-ins: re-planned when any of them changes.
# The others are alerts written once, for the change that caused them.
PLANNED_KINDS = (Kind.WEEK_BEFORE, Kind.NIGHT_BEFORE, Kind.TASK_REMINDER, Kind.AFTER_CARE, Kind.CHECKIN_OPEN)


# Kinds sent to the ward, not the patient: the recipient is the ward's escalation contact (settings),
# in the hospital's language, whatever the patient's channels, opt-out or quiet hours.
WARD_KINDS = (Kind.ESCALATION,)


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class MessageQuerySet(models.QuerySet):
    def to_send(self, *, now: dt.datetime | None = None):
        """Rows a worker should take now: scheduled and due (not waiting for a retry), or claimed by a
        worker that died (after CLAIM_TIMEOUT_SECONDS: sent again, at least once)."""
        now = now or timezone.now()
        due = Q(status="scheduled", scheduled_for__lte=now) & (Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        stale = Q(status="sending", claimed_at__lt=now - dt.timedelta(seconds=Message.CLAIM_TIMEOUT_SECONDS))
        return self.filter(due | stale)

    def failed(self):
        return self.filter(status=Message.Status.FAILED)


class Message(models.Model):
    """One message on one channel: scheduled with the clinical change, then sent, delivered or failed."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        SUPERSEDED = "superseded", "Superseded"

    # A worker that claimed a row and did not settle it within this time is presumed dead.
    CLAIM_TIMEOUT_SECONDS = 10 * 60
    # Rows still in force: at most one per idempotency key (superseded and cancelled rows stay as history).
    LIVE_STATUSES = ("scheduled", "sending", "sent", "delivered", "failed")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="messages")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="messages", null=True, blank=True)
    task = models.ForeignKey(ChecklistTask, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # (episode or patient, kind, task, scheduled time, channel): two workers or a retry never send one twice.
    idempotency_key = models.CharField(max_length=160)
    scheduled_for = models.DateTimeField()
    # After this a message is pointless (a reminder for a step already due): the worker drops it.
    expires_at = models.DateTimeField(null=True, blank=True)
    # For a check-in's opening: the check-in its link answers (the link itself is made at sending, never kept).
    checkin = models.ForeignKey(Checkin, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    # For an escalation: the check-in alert the ward is told about.
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    # For a change alert: the start it replaces.
    previous_start = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    status_reason = models.CharField(max_length=300, blank=True)
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # What was sent, as sent (filled by the worker).
    language = models.CharField(max_length=8, choices=Language.choices, blank=True)
    recipient = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_for", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(status__in=["scheduled", "sending", "sent", "delivered", "failed"]),
                name="message_idempotency_key_live_unique",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["scheduled", "sending", "sent", "delivered", "failed", "cancelled", "superseded"]
                ),
                name="message_status_valid",
            ),
            models.CheckConstraint(condition=Q(channel__in=["email", "sms"]), name="message_channel_valid"),
        ]
        indexes = [
            # The pick-up job: due rows, oldest first.
            models.Index(fields=["status", "scheduled_for"], name="message_status_due_idx"),
            models.Index(fields=["episode", "scheduled_for"], name="message_episode_idx"),
            models.Index(fields=["provider_id"], condition=~Q(provider_id=""), name="message_provider_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()}) for {self.scheduled_for:%Y-%m-%d %H:%M}"

    @property
    def to_ward(self) -> bool:
        return self.kind in WARD_KINDS

    @property
    def language_to_send(self) -> str:
        """The patient's language; the hospital's for a message to the ward."""
        return settings.LANGUAGE_CODE if self.to_ward else self.patient.preferred_language

    @property
    def is_problem(self) -> bool:
        return self.status == self.Status.FAILED

    @staticmethod
    def key_for(
        *,
        patient_id: int,
        episode_id: int | None,
        kind: str,
        task_id: int | None,
        at: dt.datetime,
        channel: str,
        checkin_id: int | None = None,
    ):
        owner = f"e{episode_id}" if episode_id else f"p{patient_id}"
        about = f"c{checkin_id}" if checkin_id else (task_id or "-")
        return f"{owner}:{kind}:{about}:{at.astimezone(dt.UTC).isoformat()}:{channel}"


class MessageTemplate(models.Model):
    """An admin's wording of one kind of message, for a protocol version onwards (else the built-in text).

    Versioned like the tasks: an episode uses the template of its own protocol version or, failing
    that, of the latest earlier version of the same protocol that has one.
    """

    # A discarded draft takes its templates with it; a published version is never deleted.
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="message_templates")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    language = models.CharField(max_length=8, choices=Language.choices)
    subject = models.CharField(max_length=200, blank=True, help_text="Email only.")
    body = models.TextField(help_text="Django template syntax; see the notifications README for the variables.")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["protocol_version", "kind", "channel", "language"], name="message_template_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.channel}, {self.language}) — {self.protocol_version}"


class ContactPreference(models.Model):
    """How a patient wants to be reached: channels, SMS opt-out (STOP), own quiet hours."""

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="contact_preference")
    email_enabled = models.BooleanField(default=True)
    sms_enabled = models.BooleanField(default=True)
    # Set by an inbound STOP, cleared by START: the carrier's rule, whatever the nurse chose.
    sms_opted_out_at = models.DateTimeField(null=True, blank=True)
    quiet_start = models.TimeField(null=True, blank=True, help_text="Overrides the hospital's quiet hours.")
    quiet_end = models.TimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="contact_preference_quiet_hours_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"Contact preferences of {self.patient}"

    def channels(self) -> list[str]:
        """The channels this patient accepts (whether a contact is on file is checked separately)."""
        wanted = []
        if self.email_enabled:
            wanted.append(Channel.EMAIL)
        if self.sms_enabled and self.sms_opted_out_at is None:
            wanted.append(Channel.SMS)
        return wanted

    def quiet_hours(self) -> tuple[dt.time, dt.time]:
        if self.quiet_start is not None:
            return self.quiet_start, self.quiet_end
        return hospital_quiet_hours()


def preference_for(patient: Patient) -> ContactPreference:
    """The patient's saved preferences, or the defaults (not saved) when there are none."""
    try:
        return patient.contact_preference
    except ContactPreference.DoesNotExist:
        return ContactPreference(patient=patient)
