"""Read-side questions about procedures whose answers span several models (the protocol editor's are in
protocol_selectors.py)."""

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count
from django.utils.formats import date_format

from .hospital_time import hospital_tz
from .models import ChecklistTask, ContactAttempt, Episode, Patient, Phase, Readiness, RejectedTaskChange, TimeOut


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a task's audit trail: who changed what from what to what, and why."""

    when: object
    who: object
    task_title: str
    changes: list[tuple[str, str, str]]
    reason: str
    rejected: bool = False
    override: bool = False


@dataclass(frozen=True)
class PhaseGroup:
    phase: str
    label: str
    tasks: list[ChecklistTask]
    shown: list[ChecklistTask]  # the tasks on screen: all of them, or the open ones only

    @property
    def closed_count(self) -> int:
        return sum(not task.is_pending for task in self.tasks)


AUDITED_TASK_FIELDS = (
    "status",
    "patient_reported_at",
    "patient_answers",
    "due_at",
    "note",
    "reason",
    "completed_by",
)
AUDITED_EPISODE_FIELDS = (
    "scheduled_start",
    "status",
    "vertebral_levels",
    "side",
    "clinician",
    "nurse",
    "arrival_minutes_before",
    "signed_off_at",
    "sign_off_override_reason",
    "procedure_ended_at",
    "levels_treated",
    "information_read_at",
)
AUDITED_PATIENT_FIELDS = (*Patient.EDITABLE_FIELDS, "user")


def episode_timeline(episode: Episode, *, open_only: bool = False, keep: int | None = None) -> list[PhaseGroup]:
    """The episode's tasks grouped by phase, phases in the order they happen (one query).

    With `open_only`, each phase shows only its pending tasks, and the task `keep` (the one just
    changed, so its confirmation stays where the nurse was looking).
    """
    tasks = episode.tasks.select_related("completed_by").in_timeline_order()
    labels = dict(Phase.choices)
    groups = []
    for phase, group in groupby(tasks, key=lambda t: t.phase):
        group = list(group)
        shown = [task for task in group if task.is_pending or task.pk == keep] if open_only else group
        groups.append(PhaseGroup(phase, labels[phase], group, shown))
    return groups


def blocking_tasks(timeline: list[PhaseGroup]) -> list[ChecklistTask]:
    """What blocks the procedure: its open critical tasks, the most urgent (earliest due) first."""
    return sorted(
        (task for group in timeline for task in group.tasks if task.is_critical and task.is_pending),
        key=lambda task: (task.due_at, task.pk),
    )


def readiness_counts(episodes) -> dict[str, int]:
    """How many of `episodes` (annotated with_readiness) are in each readiness state, in one query."""
    counted = dict(episodes.order_by().values_list("readiness").annotate(count=Count("pk")))
    return {label: counted.get(value, 0) for value, label in Readiness.upcoming_choices()}


def with_progress_for_page(episodes) -> list[Episode]:
    """The page's episodes, in order, each carrying its `with_progress()` figures (one query)."""
    episodes = list(episodes)
    if not episodes:
        return episodes  # building the annotated query costs more than the page with no rows
    annotated = Episode.objects.filter(pk__in=[episode.pk for episode in episodes]).with_progress()
    progress = {row.pop("id"): row for row in annotated.values("id", *annotated.query.annotations)}
    for episode in episodes:
        for name, value in progress[episode.pk].items():
            setattr(episode, name, value)
    return episodes


def latest_time_out(episode: Episode) -> TimeOut | None:
    """The episode's time-out as recorded in the room (the latest, should there be more), with who recorded it."""
    return episode.time_outs.select_related("recorded_by").order_by("-recorded_at").first()


def episode_history(episode: Episode) -> list[HistoryEntry]:
    """Every recorded change to the episode and its tasks, refused attempts included, newest first."""
    records = list(
        ChecklistTask.history.filter(episode_id=episode.pk)
        .select_related("history_user", "completed_by")
        .order_by("id", "history_date", "history_id")
    )
    entries = []
    for _task_id, task_records in groupby(records, key=lambda record: record.id):
        previous = None
        for record in task_records:
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=record.history_user,
                    task_title=record.title,
                    changes=_field_changes(previous, record, AUDITED_TASK_FIELDS),
                    reason=record.history_change_reason or "",
                )
            )
            previous = record
    episode_records = list(
        episode.history.select_related("history_user", "nurse").order_by("history_date", "history_id")
    )
    entries.extend(
        HistoryEntry(
            when=record.history_date,
            who=record.history_user,
            task_title="Procedure",
            changes=_field_changes(previous, record, AUDITED_EPISODE_FIELDS),
            reason=record.history_change_reason or "",
            override=bool(record.sign_off_override_reason) and not (previous and previous.sign_off_override_reason),
        )
        for previous, record in zip([None, *episode_records], episode_records, strict=False)
    )
    entries.extend(
        HistoryEntry(
            when=call.made_at,
            who=call.made_by,
            task_title="Call to the patient",
            changes=[("outcome", "", call.get_outcome_display())],
            reason=call.note,
        )
        for call in episode_contact_attempts(episode)
    )
    rejected = RejectedTaskChange.objects.filter(task__episode=episode).select_related("attempted_by", "task")
    entries.extend(
        HistoryEntry(
            when=attempt.attempted_at,
            who=attempt.attempted_by,
            task_title=attempt.task.title,
            changes=[("status", "", attempt.get_attempted_status_display())],
            reason=attempt.reason,
            rejected=True,
        )
        for attempt in rejected
    )
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def episode_contact_attempts(episode: Episode) -> list[ContactAttempt]:
    """The calls logged for this procedure, the latest first (cached on the episode: the page shows them twice)."""
    if not hasattr(episode, "_contact_attempts"):
        episode._contact_attempts = list(episode.contact_attempts.select_related("made_by"))
    return episode._contact_attempts


def patient_history(patient: Patient) -> list[HistoryEntry]:
    """Every recorded change to the patient's record, newest first: who, when, old → new and why."""
    records = list(patient.history.select_related("history_user", "user").order_by("history_date", "history_id"))
    entries = [
        HistoryEntry(
            when=record.history_date,
            who=record.history_user,
            task_title="Patient record",
            changes=_field_changes(previous, record, AUDITED_PATIENT_FIELDS) if previous else [("record", "", "added")],
            reason=record.history_change_reason or "",
        )
        for previous, record in zip([None, *records], records, strict=False)
    ]
    return entries[::-1]


def _field_changes(previous, record, fields) -> list[tuple[str, str, str]]:
    if previous is None:
        return [("status", "", record.get_status_display())]
    changes = []
    for field in fields:
        old, new = getattr(previous, field), getattr(record, field)
        if old != new:
            changes.append((field.replace("_", " "), _display(previous, field), _display(record, field)))
    return changes


def _display(record, field: str) -> str:
    if field in ("status", "side", "preferred_language"):
        return getattr(record, f"get_{field}_display")()
    if isinstance(getattr(record, field), bool):
        return "yes" if getattr(record, field) else "no"
    value = getattr(record, field)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return date_format(value.astimezone(hospital_tz()), "D j M Y, H:i")
    # A person by their name, never their login.
    return getattr(value, "display_name", None) or str(value)
