"""The patient's own tasks still ahead (and the procedure itself) as an iCalendar file.

Only what the patient does: the team's tasks (the IV line, the x-ray) are not the patient's to put
in a diary. Nothing already past. A period ("No driving for 24 hours", until a time) spans from the
procedure's start to its end, says "Until …" and has no alarm. A step from a time ("Restart
clopidogrel") says "From …" and rings at its time, never before. No reminder rings at night, and the
calendar's night is the text messages' night, the hospital's quiet hours (`hospital_quiet_hours()`,
21:00–08:00): a reminder that would ring in it rings at 20:00 the evening before (a step from a time:
at 08:00 the morning after, when the night ends). Each event keeps its UID, and its SEQUENCE counts
the changes recorded in its history, so a calendar that imports the file again updates the
event in place (RFC 5545 §3.8.7.4) instead of keeping the old time.
"""

import datetime as dt

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from checklists.hospital_time import evening_before_quiet, hospital_quiet_hours, morning_after_quiet
from checklists.models import ChecklistTask, Episode, Responsible

from .timeline import PatientChecklist, PatientTask, TaskState

REMINDER_BEFORE = dt.timedelta(hours=1)
TASK_DURATION = dt.timedelta(minutes=15)
PROCEDURE_DURATION = dt.timedelta(hours=1)


def reminder_at(due_at: dt.datetime) -> dt.datetime:
    """An hour before; one that would ring in the hospital's night: an hour before it begins, the evening before."""
    return evening_before_quiet(due_at - REMINDER_BEFORE, hospital_quiet_hours())


def starts_reminder_at(due_at: dt.datetime) -> dt.datetime:
    """A step from a time: at the time, never earlier; in the hospital's night, when it ends the morning after."""
    return morning_after_quiet(due_at, hospital_quiet_hours())


def checklist_calendar(checklist: PatientChecklist, *, host: str, now: dt.datetime | None = None) -> bytes:
    """One event per task of the patient's still to do, at its due time (UTC), with a reminder; plus the procedure."""
    now = now or timezone.now()
    episode = checklist.episode
    items = [
        item
        for item in checklist.tasks
        if item.state == TaskState.TO_DO and item.task.responsible == Responsible.PATIENT and item.task.due_at >= now
    ]
    sequences = _change_counts(ChecklistTask, [item.task.pk for item in items])
    calendar = Calendar()
    calendar.add("prodid", "-//Kypho Tracker//Patient checklist//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("My kyphoplasty checklist"))
    stamp = now.astimezone(dt.UTC)
    if episode.scheduled_start >= now:
        procedure = _event(
            uid=f"episode-{episode.pk}@{host}",
            sequence=_change_counts(Episode, [episode.pk]).get(episode.pk, 0),
            stamp=stamp,
            start=episode.scheduled_start,
            duration=PROCEDURE_DURATION,
            summary=_("Your kyphoplasty procedure"),
        )
        procedure.add("description", _("Please arrive at the hospital: %(when)s") % {"when": checklist.arrive_when})
        calendar.add_component(procedure)
    for item in items:
        start, duration = _when(item, episode)
        event = _event(
            # Stable per task, so importing the file again updates the events instead of doubling them.
            uid=f"task-{item.task.pk}@{host}",
            sequence=sequences.get(item.task.pk, 0),
            stamp=stamp,
            start=start,
            duration=duration,
            summary=item.title,
        )
        if item.task.waits_for_due_time:
            # "Until …" (a period) or "From …" (restart a medicine): the time is not a deadline, say which.
            event.add("description", f"{item.due_text}\n\n{item.instructions}".strip())
        else:
            event.add("description", item.instructions)
        if item.task.is_period:
            # A period to keep ("No driving … Until 8:00 a.m. Tuesday"): nothing to do at a time, no alarm.
            calendar.add_component(event)
            continue
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        if item.task.starts_at_due_time:
            # The alarm never rings before the time: taking it earlier is unsafe.
            alarm.add("description", f"{item.title}: {item.due_text}")
            alarm.add("trigger", starts_reminder_at(item.task.due_at).astimezone(dt.UTC))
        else:
            alarm.add("description", item.title)
            alarm.add("trigger", reminder_at(item.task.due_at).astimezone(dt.UTC))
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()


def _when(item: PatientTask, episode: Episode) -> tuple[dt.datetime, dt.timedelta]:
    """A step: a short event at its due time. A period: from the procedure's start until it ends."""
    due_at = item.task.due_at
    if item.task.is_period and episode.scheduled_start < due_at:
        return episode.scheduled_start, due_at - episode.scheduled_start
    return due_at, TASK_DURATION


def _event(*, uid: str, sequence: int, stamp, start, duration, summary: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", start.astimezone(dt.UTC))
    event.add("duration", duration)
    event.add("summary", summary)
    return event


def _change_counts(model, pks: list[int]) -> dict[int, int]:
    """How many times each record changed since it was created (its history rows but the first), in one query."""
    rows = model.history.filter(id__in=pks).order_by().values("id").annotate(changes=Count("history_id") - 1)
    return {row["id"]: row["changes"] for row in rows}
