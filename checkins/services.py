"""Check-in writes, each in one transaction: loading the protocol data, scheduling, answering, alerts."""

import datetime as dt
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from checklists.events import announce
from checklists.hospital_time import add_working_hours
from checklists.models import Episode, Protocol, ProtocolVersion
from checklists.services.audit import save_with_history

from .events import AlertEscalated, CheckinsPlanned
from .models import (
    CHOICES,
    PAIN_MAX,
    PAIN_MIN,
    Alert,
    Anchor,
    Checkin,
    CheckinAnswer,
    CheckinPoint,
    CheckinQuestion,
    CheckinRule,
    Level,
    QuestionKind,
    checkin_version_for,
)

MAX_TEXT_ANSWER = 1000


class ImportResult(StrEnum):
    LOADED = "loaded"
    ALREADY_CURRENT = "already current"
    LEFT_AS_EDITED = "differs from the shipped file: left as it is (edited by an admin?)"
    NO_PROTOCOL = "no published version of this protocol yet: run load_protocols first"


class CheckinRefused(Exception):
    """The check-in cannot take answers (already answered, not open); the message is for the patient."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.status = status


# --- The protocol's check-in data -----------------------------------------------------------------


def checkin_protocol_content(version: ProtocolVersion) -> dict:
    """A version's own questions, schedule and rules as plain data, in the shape of the shipped files."""
    questions = list(
        version.checkin_questions.order_by("position").values("key", "kind", "text", "text_es", "position")
    )
    points = [
        {
            "key": point.key,
            "anchor": point.anchor,
            "days": point.days,
            "answer_within_hours": point.answer_within_hours,
            "questions": [question.key for question in sorted(point.questions.all(), key=lambda q: q.position)],
        }
        for point in version.checkin_points.prefetch_related("questions").order_by("anchor", "days")
    ]
    rules = [
        {
            "question": rule.question.key,
            "answer": rule.answer,
            "min_score": rule.min_score,
            "level": rule.level,
            "reason": rule.reason,
        }
        for rule in version.checkin_rules.select_related("question").order_by("pk")
    ]
    return {"questions": questions, "points": points, "rules": rules}


def _shipped_shape(data: dict) -> dict:
    points = sorted(data["points"], key=lambda point: (point["anchor"], point["days"]))
    return {"questions": data["questions"], "points": points, "rules": data["rules"]}


def checkin_protocol_import(*, data: dict) -> tuple[ProtocolVersion | None, ImportResult]:
    """Load shipped check-in data onto the protocol's current version, unless check-in data is already in effect.

    Data in effect that differs from the file (an admin's edit) is never overwritten: the result says so.
    """
    with transaction.atomic():
        protocol = Protocol.objects.filter(slug=data["protocol"]).first()
        current = protocol.current_version() if protocol else None
        if current is None:
            return None, ImportResult.NO_PROTOCOL
        in_effect = checkin_version_for(current)
        if in_effect is not None:
            same = checkin_protocol_content(in_effect) == _shipped_shape(data)
            return in_effect, ImportResult.ALREADY_CURRENT if same else ImportResult.LEFT_AS_EDITED
        _checkin_data_write(current, data)
    return current, ImportResult.LOADED


def checkin_protocol_copy(*, source: ProtocolVersion | None, draft: ProtocolVersion) -> bool:
    """A new draft starts with the check-in data in effect for the version it copies, as its own rows.

    Without it, the first question an admin adds to the draft would make that one question the
    draft's whole check-in data (a version with data of its own no longer uses the earlier one's).
    Returns whether there was anything to copy.
    """
    in_effect = checkin_version_for(source) if source is not None else None
    if in_effect is None:
        return False
    with transaction.atomic():
        _checkin_data_write(draft, checkin_protocol_content(in_effect))
    return True


def _checkin_data_write(version: ProtocolVersion, data: dict) -> None:
    """Questions, schedule and rules (in the shape of the shipped files) onto a version that has none."""
    questions = {
        question["key"]: CheckinQuestion.objects.create(protocol_version=version, **question)
        for question in data["questions"]
    }
    for point in data["points"]:
        created = CheckinPoint.objects.create(
            protocol_version=version, **{key: value for key, value in point.items() if key != "questions"}
        )
        created.questions.set([questions[key] for key in point["questions"]])
    for rule in data["rules"]:
        CheckinRule.objects.create(protocol_version=version, **{**rule, "question": questions[rule["question"]]})


# --- Scheduling, following the episode ------------------------------------------------------------


def procedure_end(episode: Episode) -> dt.datetime:
    """When the procedure ended: the end the room recorded ("record procedure done"), else the scheduled start."""
    return episode.procedure_ended_at or episode.scheduled_start


def checkins_schedule(*, episode: Episode, anchor: Anchor, now: dt.datetime | None = None) -> list[Checkin]:
    """Create the episode's check-ins of one kind (baseline before the start, or after the end).

    A check-in whose answering window has already closed is not created: nobody could answer it.
    """
    now = now or timezone.now()
    version = checkin_version_for(episode.protocol_version)
    if version is None:
        return []
    anchor_time = episode.scheduled_start if anchor == Anchor.BEFORE_START else procedure_end(episode)
    existing = set(episode.checkins.values_list("point_id", flat=True))
    checkins = []
    for point in version.checkin_points.filter(anchor=anchor).exclude(pk__in=existing):
        opens_at, closes_at = point.window_for(anchor_time)
        if closes_at > now:
            checkins.append(Checkin(episode=episode, point=point, opens_at=opens_at, closes_at=closes_at))
    with transaction.atomic():
        created = bulk_create_with_history(checkins, Checkin, default_change_reason="Scheduled")
        if created:
            announce(CheckinsPlanned(episode, reason="Check-ins scheduled"))
        return created


def checkins_reschedule(*, episode: Episode, now: dt.datetime | None = None) -> None:
    """The procedure moved: the baseline check-in still to answer moves with it."""
    with transaction.atomic():
        for checkin in episode.checkins.select_for_update().filter(
            status=Checkin.Status.SCHEDULED, point__anchor=Anchor.BEFORE_START
        ):
            checkin.opens_at, checkin.closes_at = checkin.point.window_for(episode.scheduled_start)
            save_with_history(checkin, by=None, reason="Procedure rescheduled")
        checkins_schedule(episode=episode, anchor=Anchor.BEFORE_START, now=now)
        announce(CheckinsPlanned(episode, reason="Check-in moved with the procedure"))


def checkins_cancel(*, episode: Episode) -> None:
    """The procedure was cancelled: its check-ins still to answer will not be asked (nothing is deleted)."""
    with transaction.atomic():
        for checkin in episode.checkins.select_for_update().filter(status=Checkin.Status.SCHEDULED):
            checkin.status = Checkin.Status.CANCELLED
            save_with_history(checkin, by=None, reason="Procedure cancelled")


# --- Answering ------------------------------------------------------------------------------------


# Shown to the patient, translated (marked here so makemessages finds them).
ALREADY_ANSWERED = gettext_noop("You have already sent this check-in. Thank you.")
NOT_OPEN_YET = gettext_noop("This check-in is not open yet. We will let you know when it is.")
CLOSED = gettext_noop("This check-in is closed, so it cannot take answers any more. If you need help, call the ward.")


def checkin_refusal(checkin: Checkin, *, now: dt.datetime | None = None) -> CheckinRefused | None:
    """Why this check-in cannot take answers now (None when it can): answered once (409), not open (410)."""
    now = now or timezone.now()
    if checkin.status == Checkin.Status.ANSWERED:
        return CheckinRefused(ALREADY_ANSWERED, status=409)
    if checkin.status == Checkin.Status.SCHEDULED and now < checkin.opens_at:
        return CheckinRefused(NOT_OPEN_YET, status=409)
    if not checkin.is_open(now):
        return CheckinRefused(CLOSED, status=410)
    return None


def checkin_answer(
    *, checkin: Checkin, answers: dict[str, str], via: str, by=None, now: dt.datetime | None = None
) -> tuple[Checkin, Alert | None]:
    """Store the patient's answers once, apply the rules, and raise an alert for a red flag, all at once.

    `now` is for answers entered later than given (the demo data); the check-in must have been open then.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Checkin.objects.select_for_update().select_related("point").get(pk=checkin.pk)
        refusal = checkin_refusal(locked, now=now)
        if refusal is not None:
            raise refusal
        questions = list(locked.point.questions.order_by("position"))
        values = {question.key: _checked_value(question, answers.get(question.key, "")) for question in questions}
        rules = CheckinRule.objects.filter(question__in=questions).select_related("question")
        raised = [rule for rule in rules if rule.matches(values[rule.question.key])]
        locked.level = Level.worst(rule.level for rule in raised)
        locked.status = Checkin.Status.ANSWERED
        locked.answered_at = now
        locked.answered_via = via
        save_with_history(locked, by=by, reason=f"Answered ({locked.get_level_display()})")
        CheckinAnswer.objects.bulk_create(
            CheckinAnswer(
                checkin=locked,
                question=question,
                value=values[question.key],
                score=int(values[question.key]) if question.kind == QuestionKind.PAIN_SCORE else None,
            )
            for question in questions
            if values[question.key]
        )
        alert = None
        if locked.level != Level.NORMAL:
            reasons = [
                f"{rule.reason} (answer: {values[rule.question.key]})" for rule in raised if rule.level == locked.level
            ]
            alert = _alert_raise(checkin=locked, kind=Alert.Kind(locked.level), reasons=reasons, now=now)
    return locked, alert


def _checked_value(question: CheckinQuestion, value: str) -> str:
    """The answer as stored; the form checks the same, this keeps the service safe on its own."""
    value = value.strip()
    if question.kind == QuestionKind.TEXT:
        if len(value) > MAX_TEXT_ANSWER:
            raise ValidationError(f"Keep the last answer under {MAX_TEXT_ANSWER} characters.")
        return value
    if question.kind == QuestionKind.PAIN_SCORE:
        valid = [str(score) for score in range(PAIN_MIN, PAIN_MAX + 1)]
    else:
        valid = [choice for choice, _ in CHOICES[question.kind]]
    if value not in valid:
        raise ValidationError(f"“{question.key}” needs one of: {', '.join(valid)}.")
    return value


# --- Alerts ---------------------------------------------------------------------------------------


def escalate_at_for(kind: str, raised_at: dt.datetime) -> dt.datetime | None:
    """Emergency: minutes on the clock; call today: working hours; a missed check-in does not escalate."""
    if kind == Alert.Kind.EMERGENCY:
        return raised_at + dt.timedelta(minutes=settings.CHECKIN_EMERGENCY_ESCALATION_MINUTES)
    if kind == Alert.Kind.CALL_TODAY:
        return add_working_hours(raised_at, settings.CHECKIN_CALL_TODAY_ESCALATION_WORKING_HOURS)
    return None


def _alert_raise(*, checkin: Checkin, kind: str, reasons: list[str], now: dt.datetime) -> Alert:
    alert = Alert(
        checkin=checkin, kind=kind, reasons="\n".join(reasons), raised_at=now, escalate_at=escalate_at_for(kind, now)
    )
    save_with_history(alert, by=None, reason="Raised")
    return alert


def alert_acknowledge(*, alert: Alert, by, outcome: str, note: str) -> Alert:
    """A nurse records what they did; any outcome stops the escalation, all but "no answer" take it off the queue."""
    note = note.strip()
    if outcome not in Alert.Outcome.values:
        raise ValidationError("Choose what happened.")
    if not note:
        raise ValidationError("Write a short note of what happened.")
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.closed_at is not None:
            raise ValidationError("This alert was already dealt with (see its history); nothing was saved.")
        now = timezone.now()
        if locked.acknowledged_at is None:
            locked.acknowledged_at = now
            locked.acknowledged_by = by
        locked.outcome = outcome
        locked.note = note
        if outcome != Alert.Outcome.NO_ANSWER:
            locked.closed_at = now
        save_with_history(locked, by=by, reason=f"{Alert.Outcome(outcome).label}: {note}")
    return locked


def checkins_sweep(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Mark unanswered check-ins missed (a follow-up call for those after the procedure) and stamp escalations.

    Each escalation is announced (`AlertEscalated`): the notifications app queues a message to the
    ward's escalation contact in this transaction. An alert is escalated once (`escalated_at`), so a
    second sweep sends nothing more. Run every few minutes (`manage.py checkins_sweep`). Returns (missed, escalated).
    """
    now = now or timezone.now()
    with transaction.atomic():
        missed = list(
            Checkin.objects.select_for_update()
            .select_related("point")
            .filter(status=Checkin.Status.SCHEDULED, closes_at__lte=now)
        )
        for checkin in missed:
            checkin.status = Checkin.Status.MISSED
            save_with_history(checkin, by=None, reason="Not answered in time")
            if not checkin.point.is_baseline:
                _alert_raise(
                    checkin=checkin, kind=Alert.Kind.MISSED, reasons=["The check-in was not answered."], now=now
                )
        escalated = list(Alert.objects.select_for_update().escalated(now).filter(escalated_at__isnull=True))
        for alert in escalated:
            alert.escalated_at = now
            save_with_history(alert, by=None, reason="Escalated: not acknowledged in time")
            announce(AlertEscalated(alert))
    return len(missed), len(escalated)
