"""Operations on a procedure (an episode): schedule, reschedule, correct, cancel; the day of it is in `day_of`.

Late scheduling: a procedure scheduled (or moved) closer than the protocol allows has tasks whose
due time is already past; `checklists.late_scheduling` lists them for the nurse to confirm. With
`expedite_late=True` the service makes each "due as soon as possible" (`expedited_due_at`) and
labels it expedited, with the protocol's due time in its history. An expedited task is never due after
the patient's arrival: when `episode_update` moves the arrival earlier, it follows.

Each runs in one transaction, locks the episode's row first (`lock_episode`; then its tasks, if it
touches them), records who and why in the episode's history and announces the change
(`checklists.events`) before it commits.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ..events import (
    EpisodeCancelled,
    EpisodeDetailsChanged,
    EpisodeRescheduled,
    EpisodeScheduled,
    TaskChanged,
    announce,
)
from ..hospital_time import local_time
from ..late_scheduling import expedited_due_at, latest_expedited_due_at
from ..models import (
    Admission,
    ChecklistTask,
    Episode,
    Patient,
    PatientForm,
    ProtocolVersion,
    Responsible,
)
from ..vertebrae import normalise_levels
from .audit import save_with_history


def _expedite_if_late(task: ChecklistTask, *, protocol_due_at: dt.datetime, expedited_at: dt.datetime, now) -> str:
    """Give `task` its protocol due time, or, when that has passed, the expedited one; say why for its history."""
    late = task.is_pending and protocol_due_at < now
    task.due_at = expedited_at if late else protocol_due_at
    task.is_expedited = late
    if not late:
        return ""
    protocol_text = local_time(protocol_due_at).strftime("%a %d %b %H:%M")
    due_text = local_time(expedited_at).strftime("%a %d %b %H:%M")
    return (
        f"Expedited: scheduled too late for the protocol's due time ({protocol_text}, already past); "
        f"due as soon as possible, {due_text} ({settings.EXPEDITED_WORKING_HOURS} working hours, "
        "never after the arrival)"
    )


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
    side: str = "",
    expedite_late: bool = False,
) -> Episode:
    """Schedule a procedure and snapshot the protocol version's tasks for its kind of admission into it.

    The patient is asked to arrive the protocol's usual time before the start (`episode_update` changes it).
    With `expedite_late` (the nurse confirmed the list of `late_tasks_if_scheduled`), a task whose due
    time has already passed is due as soon as possible instead and labelled expedited; without it the
    protocol's due times are kept as they are (back-dated records, imports).
    """
    if protocol_version.status != ProtocolVersion.Status.PUBLISHED:
        raise ValidationError("Episodes can only be scheduled on a published protocol version.")
    with transaction.atomic():
        now = timezone.now()
        episode = Episode(
            patient=patient,
            protocol_version=protocol_version,
            scheduled_start=scheduled_start,
            vertebral_levels=normalise_levels(vertebral_levels),
            clinician=clinician,
            nurse=nurse,
            admission_type=admission_type,
            side=side,
            arrival_minutes_before=protocol_version.protocol.arrival_minutes_before,
        )
        save_with_history(episode, by=by, reason="Scheduled")
        expedited_at = expedited_due_at(scheduled_start=scheduled_start, arrival_at=episode.arrival_at, now=now)
        tasks = []
        for template in protocol_version.tasks.all():
            if not template.applies_to(admission_type):
                continue
            task = ChecklistTask(episode=episode, template=template, due_at=now, **template.definition_fields())
            protocol_due_at = template.due_at_for(scheduled_start)
            if expedite_late:
                why = _expedite_if_late(task, protocol_due_at=protocol_due_at, expedited_at=expedited_at, now=now)
                if why:
                    task._change_reason = f"Scheduled. {why}"
            else:
                task.due_at = protocol_due_at
            tasks.append(task)
        bulk_create_with_history(tasks, ChecklistTask, default_user=by, default_change_reason="Scheduled")
        announce(EpisodeScheduled(episode))
    return episode


def episode_reschedule(
    *, episode: Episode, scheduled_start: dt.datetime, by, reason: str, expedite_late: bool = False
) -> Episode:
    """Move the procedure; every task's due time moves with it.

    With `expedite_late` (the nurse confirmed `late_tasks_if_rescheduled`), an open task whose new due
    time has already passed is due as soon as possible instead and labelled expedited; a task expedited
    before whose new due time is ahead loses the label.
    """
    reason = _required_reason(reason, "Give a reason for rescheduling.")
    with transaction.atomic():
        now = timezone.now()
        episode = lock_scheduled_episode(episode, action="rescheduled")
        previous_start = episode.scheduled_start
        episode.scheduled_start = scheduled_start
        # A sign-off is for one day's procedure: the new day needs its own.
        episode.signed_off_at = None
        episode.signed_off_by = None
        episode.sign_off_override_reason = ""
        save_with_history(episode, by=by, reason=reason)
        expedited_at = expedited_due_at(scheduled_start=scheduled_start, arrival_at=episode.arrival_at, now=now)
        # The episode's row is locked already: the tasks' rows come second, as in every service.
        for task in episode.tasks.select_for_update().order_by("pk"):
            protocol_due_at = task.due_at_for(scheduled_start)
            why = ""
            if expedite_late:
                why = _expedite_if_late(task, protocol_due_at=protocol_due_at, expedited_at=expedited_at, now=now)
            else:
                task.due_at = protocol_due_at
                task.is_expedited = False
            task.version += 1
            task_reason = f"Procedure rescheduled: {reason}"
            save_with_history(task, by=by, reason=f"{task_reason}. {why}" if why else task_reason)
        announce(EpisodeRescheduled(episode, previous_start=previous_start))
    return episode


# Changing what is done, or who answers for it, needs a reason; the nurse and the arrival time do not.
CLINICAL_EPISODE_FIELDS = ("vertebral_levels", "side", "clinician", "admission_type")
EDITABLE_EPISODE_FIELDS = (*CLINICAL_EPISODE_FIELDS, "nurse", "arrival_minutes_before")


def episode_update(*, episode: Episode, by, reason: str = "", **changes) -> Episode:
    """Correct a scheduled procedure's levels, side, clinician, admission, assigned nurse or arrival time.

    A change to the levels, side, clinician or admission is refused without a reason; every change is in
    the history. A new admission changes the after care (`_follow_admission`); an earlier arrival brings the
    open expedited tasks forward to it (`_expedited_by_the_earlier_arrival`).
    """
    unknown = set(changes) - set(EDITABLE_EPISODE_FIELDS)
    if unknown:
        raise TypeError(f"Not fields a nurse edits: {', '.join(sorted(unknown))}")
    if "vertebral_levels" in changes:
        changes["vertebral_levels"] = normalise_levels(changes["vertebral_levels"])
    with transaction.atomic():
        episode = lock_scheduled_episode(episode, action="changed")
        changed = {name: value for name, value in changes.items() if getattr(episode, name) != value}
        if not changed:
            return episode
        reason = reason.strip()
        clinical = [Episode._meta.get_field(name).verbose_name for name in changed if name in CLINICAL_EPISODE_FIELDS]
        if clinical and not reason:
            raise ValidationError({"reason": f"Give a reason for changing the {' and '.join(clinical)}."})
        previous = {name: getattr(episode, name) for name in changed}
        for name, value in changed.items():
            setattr(episode, name, value)
        episode.full_clean(exclude=["patient", "protocol_version", "nurse", "signed_off_by"])
        save_with_history(episode, by=by, reason=reason or "Details corrected")
        if "admission_type" in changed:
            _follow_admission(episode, by=by, reason=reason)
        # More minutes before the start: the arrival moved earlier.
        if episode.arrival_minutes_before > previous.get("arrival_minutes_before", episode.arrival_minutes_before):
            _expedited_by_the_earlier_arrival(episode, by=by)
        announce(EpisodeDetailsChanged(episode, previous=previous))
    return episode


def _expedited_by_the_earlier_arrival(episode: Episode, *, by) -> None:
    """The arrival moved earlier: an open expedited task ("as soon as possible", never after the arrival) due
    after the new arrival is due at it, or at the start if the new arrival has already passed. Moved later,
    the arrival leaves them as they are: as soon as possible is not later."""
    latest = latest_expedited_due_at(
        scheduled_start=episode.scheduled_start, arrival_at=episode.arrival_at, now=timezone.now()
    )
    arrival_text = local_time(episode.arrival_at).strftime("%H:%M")
    if latest == episode.arrival_at:
        why = f"Arrival moved to {arrival_text}: due by the arrival"
    else:
        why = f"Arrival moved to {arrival_text}, already past: due by the start ({local_time(latest):%H:%M})"
    # The episode's row is locked already: the tasks' rows come second, as in every service.
    tasks = episode.tasks.select_for_update().filter(
        is_expedited=True, status=ChecklistTask.Status.PENDING, due_at__gt=latest
    )
    for task in tasks.order_by("pk"):
        task.due_at = latest
        task.version += 1
        save_with_history(task, by=by, reason=why)
        announce(TaskChanged(task))


def _follow_admission(episode: Episode, *, by, reason: str) -> None:
    """After a change of admission: the open tasks only for another admission no longer apply, and the
    protocol's tasks for this one are added (or reopened, if a change back had set them aside)."""
    why = f"Admission changed to {episode.get_admission_type_display().lower()}: {reason}"
    # The episode's row is locked already: the tasks' rows come second, as in every service.
    tasks = {task.template_id: task for task in episode.tasks.select_for_update().order_by("pk")}
    for task in tasks.values():
        if task.is_pending and not task.applies_to(episode.admission_type):
            task.mark_not_applicable(by=by, reason=why)
            save_with_history(task, by=by, reason=why)
            announce(TaskChanged(task))
    for template in episode.protocol_version.tasks.exclude(admission="").filter(admission=episode.admission_type):
        task = tasks.get(template.pk)
        if task is None:
            task = ChecklistTask(
                episode=episode,
                template=template,
                due_at=template.due_at_for(episode.scheduled_start),
                **template.definition_fields(),
            )
        elif task.status == ChecklistTask.Status.NOT_APPLICABLE:
            task.reopen(reason=why)
        else:
            continue
        save_with_history(task, by=by, reason=why)
        announce(TaskChanged(task))


def episode_cancel(*, episode: Episode, by, reason: str) -> Episode:
    """Cancel the procedure; nothing is deleted, the tasks stay as they were."""
    reason = _required_reason(reason, "Give a reason for cancelling.")
    with transaction.atomic():
        episode = lock_scheduled_episode(episode, action="cancelled")
        episode.status = Episode.Status.CANCELLED
        episode.cancellation_reason = reason
        save_with_history(episode, by=by, reason=reason)
        announce(EpisodeCancelled(episode))
    return episode


def episode_information_read(*, episode: Episode, by) -> Episode:
    """The patient's "I have read this" on the pages about the procedure (what happens, the risks, saying no);
    it is also "I've done this" on the patient's own reading task, for a nurse to verify."""
    with transaction.atomic():
        episode = lock_scheduled_episode(episode, action="read about")
        if episode.information_read_at is None:
            episode.information_read_at = timezone.now()
            reason = "The patient read the pages about the procedure, its risks and the right to say no"
            save_with_history(episode, by=by, reason=reason)
            reading_tasks = episode.tasks.select_for_update().filter(
                patient_form=PatientForm.READ_INFORMATION,
                responsible=Responsible.PATIENT,
                status=ChecklistTask.Status.PENDING,
                patient_reported_at__isnull=True,
            )
            for task in reading_tasks:
                task.patient_reported_at = episode.information_read_at
                task.version += 1
                save_with_history(task, by=by, reason=reason)
    return episode


def lock_episode(episode_pk: int) -> Episode:
    """Lock the procedure's row until the transaction ends. Always the first lock a service takes on a
    procedure, before any of its tasks: one order everywhere, so two services on it never deadlock."""
    return Episode.objects.select_for_update().get(pk=episode_pk)


def lock_scheduled_episode(episode: Episode, *, action: str) -> Episode:
    """Lock the procedure's row (`lock_episode`), refusing the `action` unless it is still scheduled."""
    locked = lock_episode(episode.pk)
    if not locked.is_scheduled:
        raise ValidationError(f"Only a scheduled procedure can be {action}.")
    return locked


def _required_reason(reason: str, message: str) -> str:
    if not reason.strip():
        raise ValidationError(message)
    return reason.strip()
