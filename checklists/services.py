"""Operations that change clinical state, each in one transaction.

Each clinical operation ends by announcing what changed (`checklists.events`), in the same transaction,
so the apps that keep something in step with it (the report figures) commit or roll back with it.
"""

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, TextChoices
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .events import (
    EpisodeCancelled,
    EpisodeCompleted,
    EpisodeRescheduled,
    EpisodeScheduled,
    EpisodeSignedOff,
    TaskChanged,
    announce,
)
from .models import (
    Admission,
    ChecklistTask,
    Episode,
    Patient,
    PatientPage,
    Phase,
    Protocol,
    ProtocolVersion,
    RejectedTaskChange,
    TaskStateError,
    TaskTemplate,
    WarningSign,
)
from .vertebrae import normalise_levels


class TaskChangeConflict(Exception):
    """The task changed after the user loaded it; their change was refused and recorded."""

    def __init__(self, task: ChecklistTask):
        super().__init__(
            "This task was changed by someone else a moment ago, so your change was not saved. "
            "The checklist below shows it as it is now."
        )
        self.task = task


def episode_schedule(
    *,
    patient: Patient,
    protocol_version: ProtocolVersion,
    scheduled_start: dt.datetime,
    vertebral_levels: str,
    clinician: str,
    nurse,
    by,
    admission_type: str = Admission.SAME_DAY,
) -> Episode:
    """Schedule a procedure and snapshot the protocol version's tasks for its kind of admission into it."""
    if protocol_version.status != ProtocolVersion.Status.PUBLISHED:
        raise ValidationError("Episodes can only be scheduled on a published protocol version.")
    with transaction.atomic():
        episode = Episode(
            patient=patient,
            protocol_version=protocol_version,
            scheduled_start=scheduled_start,
            vertebral_levels=normalise_levels(vertebral_levels),
            clinician=clinician,
            nurse=nurse,
            admission_type=admission_type,
        )
        episode._history_user = by
        episode._change_reason = "Scheduled"
        episode.save()
        tasks = [
            ChecklistTask(
                episode=episode,
                template=template,
                due_at=template.due_at_for(scheduled_start),
                **template.definition_fields(),
            )
            for template in protocol_version.tasks.all()
            if template.applies_to(admission_type)
        ]
        bulk_create_with_history(tasks, ChecklistTask, default_user=by, default_change_reason="Scheduled")
        announce(EpisodeScheduled(episode))
    return episode


def episode_reschedule(*, episode: Episode, scheduled_start: dt.datetime, by, reason: str) -> Episode:
    """Move the procedure; every task's due time moves with it."""
    reason = _required_reason(reason, "Give a reason for rescheduling.")
    with transaction.atomic():
        episode = _lock_scheduled_episode(episode, action="rescheduled")
        previous_start = episode.scheduled_start
        episode.scheduled_start = scheduled_start
        # A sign-off is for one day's procedure: the new day needs its own.
        episode.signed_off_at = None
        episode.signed_off_by = None
        episode.sign_off_override_reason = ""
        _save_with_history(episode, by=by, reason=reason)
        for task in episode.tasks.select_for_update():
            task.due_at = task.due_at_for(scheduled_start)
            task.version += 1
            _save_with_history(task, by=by, reason=f"Procedure rescheduled: {reason}")
        announce(EpisodeRescheduled(episode, previous_start=previous_start))
    return episode


def episode_complete(*, episode: Episode, by) -> Episode:
    """Record that the procedure took place, once its start has passed; the after-care tasks stay open to tick."""
    with transaction.atomic():
        episode = _lock_scheduled_episode(episode, action="recorded as done")
        if not episode.can_be_recorded_done:
            raise ValidationError("A procedure can be recorded as done only once its start time has passed.")
        episode.status = Episode.Status.COMPLETED
        _save_with_history(episode, by=by, reason="Procedure completed")
        announce(EpisodeCompleted(episode))
    return episode


def episode_cancel(*, episode: Episode, by, reason: str) -> Episode:
    """Cancel the procedure; nothing is deleted, the tasks stay as they were."""
    reason = _required_reason(reason, "Give a reason for cancelling.")
    with transaction.atomic():
        episode = _lock_scheduled_episode(episode, action="cancelled")
        episode.status = Episode.Status.CANCELLED
        episode.cancellation_reason = reason
        _save_with_history(episode, by=by, reason=reason)
        announce(EpisodeCancelled(episode))
    return episode


def episode_sign_off(*, episode: Episode, by, override_reason: str = "") -> Episode:
    """Record "ready for procedure" on the day; refused while a critical task is open, unless overridden."""
    with transaction.atomic():
        episode = _lock_scheduled_episode(episode, action="signed off")
        if episode.signed_off_at is not None:
            raise ValidationError("This procedure has already been signed off.")
        if not episode.is_day_of_procedure:
            raise ValidationError("Sign-off is only possible on the day of the procedure.")
        open_critical = list(
            episode.tasks.filter(is_critical=True, status=ChecklistTask.Status.PENDING).values_list("title", flat=True)
        )
        override_reason = override_reason.strip()
        if open_critical and not override_reason:
            raise ValidationError(
                "Not signed off: critical tasks are still open (%(titles)s). Finish them, or give an override reason.",
                params={"titles": "; ".join(open_critical)},
            )
        episode.signed_off_at = timezone.now()
        episode.signed_off_by = by
        episode.sign_off_override_reason = override_reason if open_critical else ""
        reason = "Ready for procedure"
        if episode.sign_off_override_reason:
            reason += f" — OVERRIDE with open critical tasks ({'; '.join(open_critical)}): {override_reason}"
        _save_with_history(episode, by=by, reason=reason)
        announce(EpisodeSignedOff(episode))
    return episode


def _lock_scheduled_episode(episode: Episode, *, action: str) -> Episode:
    locked = Episode.objects.select_for_update().get(pk=episode.pk)
    if not locked.is_scheduled:
        raise ValidationError(f"Only a scheduled procedure can be {action}.")
    return locked


def _required_reason(reason: str, message: str) -> str:
    if not reason.strip():
        raise ValidationError(message)
    return reason.strip()


def task_complete(
    *, task: ChecklistTask, by, expected_version: int, note: str = "", done_at: dt.datetime | None = None
) -> ChecklistTask:
    """Mark a task done (now, or at the earlier moment `done_at` it was really done)."""
    return _change_task(
        task,
        by=by,
        expected_version=expected_version,
        attempted_status=ChecklistTask.Status.DONE,
        reason="",
        change=lambda locked: locked.mark_done(by=by, note=note, done_at=done_at),
    )


def task_mark_not_applicable(
    *, task: ChecklistTask, by, expected_version: int, reason: str, note: str = ""
) -> ChecklistTask:
    """Mark a task as not applicable to this patient, with the reason why."""
    return _change_task(
        task,
        by=by,
        expected_version=expected_version,
        attempted_status=ChecklistTask.Status.NOT_APPLICABLE,
        reason=reason,
        change=lambda locked: locked.mark_not_applicable(by=by, reason=reason, note=note),
    )


def task_reopen(*, task: ChecklistTask, by, expected_version: int, reason: str) -> ChecklistTask:
    """Undo a done or not-applicable task, with the reason why."""
    return _change_task(
        task,
        by=by,
        expected_version=expected_version,
        attempted_status=ChecklistTask.Status.PENDING,
        reason=reason,
        change=lambda locked: locked.reopen(reason=reason),
    )


def task_report_by_patient(*, task: ChecklistTask, by, expected_version: int) -> ChecklistTask:
    """The patient says "I've done this"; the task waits for a nurse to verify it."""
    return _change_task(
        task,
        by=by,
        expected_version=expected_version,
        attempted_status=ChecklistTask.Status.PENDING,
        reason="Reported done by the patient",
        change=lambda locked: locked.report_by_patient(),
    )


def task_answer_by_patient(*, task: ChecklistTask, by, expected_version: int, answers: dict[str, str]) -> ChecklistTask:
    """The patient answers a task's short form (their driver, past anesthesia problems), for the nurse to read."""
    summary = "; ".join(f"{question}: {answer}" for question, answer in answers.items())
    return _change_task(
        task,
        by=by,
        expected_version=expected_version,
        attempted_status=ChecklistTask.Status.PENDING,
        reason=f"Answered by the patient — {summary}",
        change=lambda locked: locked.record_patient_answers(answers),
    )


def episode_information_read(*, episode: Episode, by) -> Episode:
    """The patient's "I have read this" on the pages about the procedure (what happens, the risks, saying no)."""
    with transaction.atomic():
        episode = _lock_scheduled_episode(episode, action="read about")
        if episode.information_read_at is None:
            episode.information_read_at = timezone.now()
            _save_with_history(
                episode,
                by=by,
                reason="The patient read the pages about the procedure, its risks and the right to say no",
            )
    return episode


def task_reject_patient_report(*, task: ChecklistTask, by, expected_version: int, reason: str) -> ChecklistTask:
    """A nurse finds the patient's report wrong: the task stays pending, with the reason recorded."""
    return _change_task(
        task,
        by=by,
        expected_version=expected_version,
        attempted_status=ChecklistTask.Status.PENDING,
        reason=reason,
        change=lambda locked: locked.reject_patient_report(reason=reason),
    )


def _change_task(task, *, by, expected_version, attempted_status, reason, change) -> ChecklistTask:
    with transaction.atomic():
        # FOR UPDATE locks the episode's row too (it is joined): a task change and the procedure's
        # completion never interleave, so the report figures miss neither. Keep it (no `of=`).
        locked = ChecklistTask.objects.select_for_update().select_related("episode").get(pk=task.pk)
        if not locked.episode.tasks_can_change:
            raise TaskStateError("The procedure is cancelled; its tasks can no longer be changed.")
        conflict = locked.version != expected_version
        if conflict:
            RejectedTaskChange.objects.create(
                task=locked,
                attempted_by=by,
                attempted_status=attempted_status,
                seen_version=expected_version,
                current_version=locked.version,
                reason=reason.strip(),
            )
        else:
            change(locked)
            _save_with_history(locked, by=by, reason=reason.strip())
            announce(TaskChanged(locked))
    # Raised after the transaction commits, so the record of the refused attempt is kept.
    if conflict:
        raise TaskChangeConflict(locked)
    return locked


def _save_with_history(instance, *, by, reason: str) -> None:
    instance._history_user = by
    instance._change_reason = reason
    instance.save()


class ProtocolVersionLocked(ValidationError):
    """A change to a version that is no longer a draft: published versions are what episodes were built from."""

    @classmethod
    def for_version(cls, version: ProtocolVersion, *, action: str) -> "ProtocolVersionLocked":
        return cls(
            "Version %(number)s is %(status)s, so it cannot be %(action)s: only a draft can. "
            "Start a new draft to make changes.",
            params={"number": version.number, "status": version.get_status_display().lower(), "action": action},
        )


class MoveDirection(TextChoices):
    UP = "up", "Up"
    DOWN = "down", "Down"


# The phase windows are checked against one reference procedure: 09:00 on an ordinary day with no
# daylight-saving change in the week before it. A kyphoplasty takes about an hour.
PHASE_CHECK_DAY = dt.date(2026, 6, 17)
PHASE_CHECK_TIME = dt.time(9, 0)
PROCEDURE_DURATION = dt.timedelta(hours=1)
PHASE_WINDOW_TEXT = {
    Phase.WEEK_BEFORE: "between 7 days and 2 days before the procedure day",
    Phase.NIGHT_BEFORE: "on the day before or in the night before, and before the start",
    Phase.DAY_OF: "on the procedure day, no later than the end of the procedure (start + 1 h)",
    Phase.AFTER: "at or after the start",
}


def protocol_draft_create(*, protocol: Protocol) -> ProtocolVersion:
    """Start the next version of a protocol as an editable copy of its current one."""
    with transaction.atomic():
        protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
        existing = protocol.versions.filter(status=ProtocolVersion.Status.DRAFT).first()
        if existing is not None:
            raise ValidationError(
                "%(protocol)s already has a draft (version %(number)s): edit, publish or discard that one.",
                params={"protocol": protocol.name, "number": existing.number},
            )
        source = protocol.current_version()
        number = (protocol.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        draft = ProtocolVersion.objects.create(protocol=protocol, number=number)
        if source is not None:
            TaskTemplate.objects.bulk_create(
                TaskTemplate(protocol_version=draft, **template.definition_fields()) for template in source.tasks.all()
            )
            WarningSign.objects.bulk_create(
                WarningSign(
                    protocol_version=draft,
                    severity=sign.severity,
                    position=sign.position,
                    text=sign.text,
                    text_es=sign.text_es,
                )
                for sign in source.warning_signs.all()
            )
            PatientPage.objects.bulk_create(
                PatientPage(protocol_version=draft, **page) for page in _patient_pages(source)
            )
    return draft


def protocol_draft_discard(*, version: ProtocolVersion) -> None:
    """Throw a draft away, tasks and warning signs with it: no procedure ever used a draft, so nothing
    clinical goes; its number is free for the next draft."""
    with transaction.atomic():
        version = _lock_draft(version, action="discarded")
        version.delete()


def protocol_version_publish(*, version: ProtocolVersion) -> ProtocolVersion:
    """Make a draft the version new episodes use; the previous published version is retired.

    Refused, with one message per problem, unless `protocol_version_problems` finds none.
    """
    with transaction.atomic():
        version = _lock_draft(version, action="published")
        problems = protocol_version_problems(version)
        if problems:
            raise ValidationError(problems)
        version.protocol.versions.published().update(status=ProtocolVersion.Status.RETIRED)
        version.status = ProtocolVersion.Status.PUBLISHED
        version.published_at = timezone.now()
        version.save()
    return version


def protocol_version_problems(version: ProtocolVersion) -> list[str]:
    """Why this version may not be published yet (empty when it may), in timeline order."""
    tasks = list(version.tasks.in_timeline_order())
    if not tasks:
        return ["A protocol version needs at least one task."]
    problems = []
    if not any(task.is_critical and task.phase == Phase.DAY_OF for task in tasks):
        problems.append("Mark at least one day-of task as critical: without one, nothing stops an unprepared start.")
    titles = Counter((task.phase, task.title_key) for task in tasks)
    reported = set()
    for task in tasks:
        key = (task.phase, task.title_key)
        if titles[key] > 1 and key not in reported:
            reported.add(key)
            problems.append(
                f"{titles[key]} tasks in “{Phase(task.phase).label}” are called “{task.title}”: "
                "give each task of a phase its own title."
            )
        timing = protocol_task_timing_error(task)
        if timing:
            problems.append(f"“{task.title}”: {timing}")
    kinds = set(version.warning_signs.values_list("severity", flat=True))
    for severity in WarningSign.Severity:
        if severity not in kinds:
            problems.append(
                f"Add at least one “{severity.label}” warning sign: patients must know when to act after the procedure."
            )
    return problems


def protocol_task_timing_error(task: TaskTemplate) -> str:
    """Why the task's due time does not fit its phase (empty if it does), for a procedure at 09:00."""
    hospital_tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(PHASE_CHECK_DAY, PHASE_CHECK_TIME, tzinfo=hospital_tz)
    due = task.due_at_for(start).astimezone(hospital_tz)
    days_before = (PHASE_CHECK_DAY - due.date()).days
    fits = {
        Phase.WEEK_BEFORE: 2 <= days_before <= 7,
        Phase.NIGHT_BEFORE: days_before <= 1 and due < start,
        Phase.DAY_OF: days_before == 0 and due <= start + PROCEDURE_DURATION,
        Phase.AFTER: due >= start,
    }[task.phase]
    if fits:
        return ""
    return (
        f"due {task.describe_due_rule()}, but a task in “{Phase(task.phase).label}” must be due "
        f"{PHASE_WINDOW_TEXT[task.phase]}."
    )


def protocol_task_add(*, version: ProtocolVersion, **fields) -> TaskTemplate:
    """Add a task at the end of its phase in a draft."""
    with transaction.atomic():
        version = _lock_draft(version, action="edited")
        task = TaskTemplate(protocol_version=version, **fields)
        task.position = _next_position(version.tasks.filter(phase=task.phase))
        _check_task(task)
        task.save()
    return task


def protocol_task_update(*, task: TaskTemplate, **fields) -> TaskTemplate:
    """Change a draft's task; a task moved to another phase goes to the end of that phase."""
    with transaction.atomic():
        version = _lock_draft(task.protocol_version, action="edited")
        task = _still_there(version.tasks, task, what="task")
        old_phase = task.phase
        for name, value in fields.items():
            setattr(task, name, value)
        if task.phase != old_phase:
            task.position = _next_position(version.tasks.filter(phase=task.phase))
        _check_task(task)
        task.save()
        if task.phase != old_phase:
            _renumber(version, old_phase)
    return task


def protocol_task_remove(*, task: TaskTemplate) -> None:
    """Take a task out of a draft; the rest of its phase closes up."""
    with transaction.atomic():
        version = _lock_draft(task.protocol_version, action="edited")
        task = _still_there(version.tasks, task, what="task")
        task.delete()
        _renumber(version, task.phase)


def protocol_task_move(*, task: TaskTemplate, direction: MoveDirection) -> TaskTemplate:
    """Swap a draft's task with its neighbour above or below, within its phase."""
    with transaction.atomic():
        version = _lock_draft(task.protocol_version, action="edited")
        siblings = list(version.tasks.filter(phase=task.phase).order_by("position", "pk"))
        index = next(i for i, sibling in enumerate(siblings) if sibling.pk == task.pk)
        other = index - 1 if direction == MoveDirection.UP else index + 1
        if not 0 <= other < len(siblings):
            where = "first" if direction == MoveDirection.UP else "last"
            raise ValidationError(f"“{siblings[index].title}” is already the {where} task of its phase.")
        siblings[index], siblings[other] = siblings[other], siblings[index]
        _renumber(version, task.phase, ordered=siblings)
    return next(sibling for sibling in siblings if sibling.pk == task.pk)


def protocol_warning_sign_add(*, version: ProtocolVersion, **fields) -> WarningSign:
    """Add a warning sign to a draft, last of its kind (call the care team, or emergency)."""
    with transaction.atomic():
        version = _lock_draft(version, action="edited")
        sign = WarningSign(protocol_version=version, **fields)
        sign.position = _next_position(version.warning_signs.filter(severity=sign.severity))
        sign.save()
    return sign


def protocol_warning_sign_update(*, sign: WarningSign, **fields) -> WarningSign:
    """Change a draft's warning sign; one moved to the other kind goes last there."""
    with transaction.atomic():
        version = _lock_draft(sign.protocol_version, action="edited")
        sign = _still_there(version.warning_signs, sign, what="warning sign")
        old_severity = sign.severity
        for name, value in fields.items():
            setattr(sign, name, value)
        if sign.severity != old_severity:
            sign.position = _next_position(version.warning_signs.filter(severity=sign.severity))
        sign.save()
    return sign


def protocol_warning_sign_remove(*, sign: WarningSign) -> None:
    """Take a warning sign out of a draft (a published version keeps its own)."""
    with transaction.atomic():
        version = _lock_draft(sign.protocol_version, action="edited")
        version.warning_signs.filter(pk=sign.pk).delete()


def _still_there(items, item, *, what: str):
    """The draft's current row for `item`, or a clear refusal if another admin removed it meanwhile."""
    current = items.filter(pk=item.pk).first()
    if current is None:
        raise ValidationError(f"This {what} was removed meanwhile.")
    return current


def _lock_draft(version: ProtocolVersion, *, action: str) -> ProtocolVersion:
    locked = ProtocolVersion.objects.select_for_update().select_related("protocol").filter(pk=version.pk).first()
    if locked is None:
        raise ValidationError(f"Version {version.number} was discarded meanwhile.")
    if not locked.is_editable:
        raise ProtocolVersionLocked.for_version(locked, action=action)
    return locked


def _check_task(task: TaskTemplate) -> None:
    """Refuse a task whose title repeats one in its phase or whose due time lies outside its phase."""
    errors = {}
    same_title = [
        other.pk
        for other in task.protocol_version.tasks.filter(phase=task.phase).exclude(pk=task.pk)
        if other.title_key == task.title_key
    ]
    if same_title:
        errors["title"] = f"“{Phase(task.phase).label}” already has a task with this title."
    timing = protocol_task_timing_error(task)
    if timing:
        errors["due_offset_minutes" if task.due_offset_minutes is not None else "due_day_offset"] = (
            f"This task is {timing}"
        )
    if errors:
        raise ValidationError(errors)


def _next_position(siblings) -> int:
    """The position after the last of `siblings` (a draft's tasks of one phase, or its signs of one kind)."""
    return (siblings.aggregate(last=Max("position"))["last"] or 0) + 1


def _renumber(version: ProtocolVersion, phase: str, *, ordered: list[TaskTemplate] | None = None) -> None:
    tasks = ordered if ordered is not None else list(version.tasks.filter(phase=phase).order_by("position", "pk"))
    for position, task in enumerate(tasks, start=1):
        task.position = position
    TaskTemplate.objects.bulk_update(tasks, ["position"])


def protocol_import(*, data: dict) -> tuple[ProtocolVersion, bool]:
    """Publish shipped protocol content as a new version, unless the current version already says it.

    Returns the current version and whether it was created, so running it twice changes nothing.
    """
    with transaction.atomic():
        protocol, _ = Protocol.objects.get_or_create(
            slug=data["slug"], defaults={"name": data["name"], "description": data["description"]}
        )
        current = protocol.current_version()
        content = (data["tasks"], data["warning_signs"], data["patient_pages"])
        if current is not None and protocol_version_content(current) == content:
            return current, False
        draft = protocol_draft_create(protocol=protocol)
        draft.tasks.all().delete()
        draft.warning_signs.all().delete()
        draft.patient_pages.all().delete()
        TaskTemplate.objects.bulk_create(TaskTemplate(protocol_version=draft, **task) for task in data["tasks"])
        WarningSign.objects.bulk_create(WarningSign(protocol_version=draft, **sign) for sign in data["warning_signs"])
        PatientPage.objects.bulk_create(PatientPage(protocol_version=draft, **page) for page in data["patient_pages"])
        return protocol_version_publish(version=draft), True


def protocol_version_content(version: ProtocolVersion) -> tuple[list[dict], list[dict], list[dict]]:
    """A version's tasks, warning signs and patient pages as plain dicts, in order, for comparing versions."""
    tasks = [template.definition_fields() for template in version.tasks.in_timeline_order()]
    signs = list(
        version.warning_signs.order_by("severity", "position").values("severity", "position", "text", "text_es")
    )
    return tasks, signs, _patient_pages(version)


def _patient_pages(version: ProtocolVersion) -> list[dict]:
    return list(version.patient_pages.order_by("position").values("position", "title", "title_es", "body", "body_es"))
