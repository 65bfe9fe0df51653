"""Changes to one task of a procedure: done, not applicable, reopened, reported by the patient, report rejected.

Each change carries the task's version the user saw: a change made on an older version is refused
(`TaskChangeConflict`) and the refused attempt is recorded (`RejectedTaskChange`).
"""

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from ..events import TaskChanged, announce
from ..models import ChecklistTask, RejectedTaskChange, TaskStateError
from .audit import save_with_history
from .episodes import lock_episode


class TaskChangeConflict(Exception):
    """The task changed after the user loaded it; their change was refused and recorded."""

    def __init__(self, task: ChecklistTask):
        super().__init__(
            "This task was changed by someone else a moment ago, so your change was not saved. "
            "The checklist below shows it as it is now."
        )
        self.task = task


def task_mark_done(
    *, task: ChecklistTask, by, expected_version: int, note: str = "", done_at: dt.datetime | None = None
) -> ChecklistTask:
    """Mark a task done (now, or at the earlier moment `done_at` it was really done)."""
    return _change_task(
        task,
        by,
        expected_version,
        ChecklistTask.Status.DONE,
        "",
        lambda locked: locked.mark_done(by=by, note=note, done_at=done_at),
    )


def task_mark_not_applicable(
    *, task: ChecklistTask, by, expected_version: int, reason: str, note: str = ""
) -> ChecklistTask:
    """Mark a task as not applicable to this patient, with the reason why."""
    return _change_task(
        task,
        by,
        expected_version,
        ChecklistTask.Status.NOT_APPLICABLE,
        reason,
        lambda locked: locked.mark_not_applicable(by=by, reason=reason, note=note),
    )


def task_reopen(*, task: ChecklistTask, by, expected_version: int, reason: str) -> ChecklistTask:
    """Undo a done or not-applicable task, with the reason why."""
    return _change_task(
        task, by, expected_version, ChecklistTask.Status.PENDING, reason, lambda locked: locked.reopen(reason=reason)
    )


def task_report_by_patient(*, task: ChecklistTask, by, expected_version: int) -> ChecklistTask:
    """The patient says "I've done this"; the task waits for a nurse to verify it."""
    return _change_task(
        task,
        by,
        expected_version,
        ChecklistTask.Status.PENDING,
        "Reported done by the patient",
        lambda locked: locked.report_by_patient(),
    )


def task_reject_patient_report(*, task: ChecklistTask, by, expected_version: int, reason: str) -> ChecklistTask:
    """A nurse finds the patient's report wrong: the task stays pending, with the reason recorded."""
    return _change_task(
        task,
        by,
        expected_version,
        ChecklistTask.Status.PENDING,
        reason,
        lambda locked: locked.reject_patient_report(reason=reason),
    )


def _change_task(
    task: ChecklistTask,
    by,
    expected_version: int,
    attempted_status: str,
    reason: str,
    change: Callable[[ChecklistTask], None],
) -> ChecklistTask:
    """Lock, check the version the user saw, then apply `change` and record it, or record the refusal."""
    with transaction.atomic():
        # The procedure's row first, then the task's, as every service locks them: a tick racing a
        # reschedule (episode, then its tasks) waits for it instead of deadlocking; and a tick never
        # interleaves with the procedure being recorded done, so the report figures miss neither.
        episode = lock_episode(task.episode_id)
        locked = ChecklistTask.objects.select_for_update().get(pk=task.pk)
        locked.episode = episode
        if not episode.tasks_can_change:
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
            save_with_history(locked, by=by, reason=reason.strip())
            announce(TaskChanged(locked))
    # Raised after the transaction commits, so the record of the refused attempt is kept.
    if conflict:
        raise TaskChangeConflict(locked)
    return locked
