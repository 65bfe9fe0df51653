"""Late scheduling, the reads: which tasks a procedure scheduled (or moved) this late cannot meet on
time, and when "as soon as possible" is: EXPEDITED_WORKING_HOURS working hours from now (hospital
time, Mon–Fri), never after the patient's arrival. The nurse sees the list and confirms; the episode
services (`services/episodes.py`, `expedite_late=True`) then move those tasks."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .hospital_time import add_working_hours
from .models import Admission, ChecklistTask, Episode, ProtocolVersion, Responsible


@dataclass(frozen=True)
class LateTask:
    """A task the protocol wants done before now: scheduled this late, it cannot be met on time."""

    title: str
    responsible: str
    is_critical: bool
    protocol_due_at: dt.datetime
    expedited_due_at: dt.datetime

    @property
    def responsible_label(self) -> str:
        return Responsible(self.responsible).label


def expedited_due_at(*, scheduled_start: dt.datetime, arrival_at: dt.datetime, now: dt.datetime) -> dt.datetime:
    """ "As soon as possible": EXPEDITED_WORKING_HOURS working hours from `now` (hospital time, Mon–Fri),
    but never after the patient's arrival, nor, when the arrival has passed, after the start."""
    soon = add_working_hours(now, settings.EXPEDITED_WORKING_HOURS)
    # A time a patient can read: down to the quarter hour ("by 10:30 a.m.", not "by 10:37 a.m.").
    soon = soon.replace(minute=soon.minute - soon.minute % 15, second=0, microsecond=0)
    return min(soon, latest_expedited_due_at(scheduled_start=scheduled_start, arrival_at=arrival_at, now=now))


def latest_expedited_due_at(*, scheduled_start: dt.datetime, arrival_at: dt.datetime, now: dt.datetime) -> dt.datetime:
    """The latest an expedited task may be due: the patient's arrival, or the start once the arrival has passed."""
    return arrival_at if arrival_at > now else scheduled_start


def late_tasks_if_scheduled(
    *,
    protocol_version: ProtocolVersion,
    scheduled_start: dt.datetime,
    admission_type: str = Admission.SAME_DAY,
    now: dt.datetime | None = None,
) -> list[LateTask]:
    """The tasks a procedure scheduled now at `scheduled_start` could not meet: due before now, soonest first."""
    now = now or timezone.now()
    arrival_at = scheduled_start - dt.timedelta(minutes=protocol_version.protocol.arrival_minutes_before)
    templates = [t for t in protocol_version.tasks.in_timeline_order() if t.applies_to(admission_type)]
    return _late_tasks(templates, scheduled_start=scheduled_start, arrival_at=arrival_at, now=now)


def late_tasks_if_rescheduled(
    *, episode: Episode, scheduled_start: dt.datetime, now: dt.datetime | None = None
) -> list[LateTask]:
    """The open tasks of `episode` that a move to `scheduled_start` would leave due before now."""
    now = now or timezone.now()
    arrival_at = scheduled_start - dt.timedelta(minutes=episode.arrival_minutes_before)
    tasks = episode.tasks.filter(status=ChecklistTask.Status.PENDING).in_timeline_order()
    return _late_tasks(tasks, scheduled_start=scheduled_start, arrival_at=arrival_at, now=now)


def _late_tasks(definitions, *, scheduled_start, arrival_at, now) -> list[LateTask]:
    expedited = expedited_due_at(scheduled_start=scheduled_start, arrival_at=arrival_at, now=now)
    late = [
        LateTask(
            title=definition.title,
            responsible=definition.responsible,
            is_critical=definition.is_critical,
            protocol_due_at=definition.due_at_for(scheduled_start),
            expedited_due_at=expedited,
        )
        for definition in definitions
        if definition.due_at_for(scheduled_start) < now
    ]
    return sorted(late, key=lambda task: task.protocol_due_at)
