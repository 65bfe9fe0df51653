"""The patient's open tasks (and the procedure itself) as an iCalendar file."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from .timeline import PatientChecklist, TaskState

REMINDER_BEFORE = dt.timedelta(hours=1)
TASK_DURATION = dt.timedelta(minutes=15)
PROCEDURE_DURATION = dt.timedelta(hours=1)


def checklist_calendar(checklist: PatientChecklist, *, host: str) -> bytes:
    """One event per task still to do, at its due time (UTC), with a reminder an hour before."""
    episode = checklist.episode
    calendar = Calendar()
    calendar.add("prodid", "-//Kypho Tracker//Patient checklist//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("My kyphoplasty checklist"))
    stamp = timezone.now().astimezone(dt.UTC)
    procedure = Event()
    procedure.add("uid", f"episode-{episode.pk}@{host}")
    procedure.add("dtstamp", stamp)
    procedure.add("dtstart", episode.scheduled_start.astimezone(dt.UTC))
    procedure.add("duration", PROCEDURE_DURATION)
    procedure.add("summary", _("Your kyphoplasty procedure"))
    procedure.add("description", _("Please arrive at the hospital: %(when)s") % {"when": checklist.arrive_when})
    calendar.add_component(procedure)
    for item in checklist.tasks:
        if item.state != TaskState.TO_DO:
            continue
        event = Event()
        # Stable per task, so importing the file again updates the events instead of doubling them.
        event.add("uid", f"task-{item.task.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.task.due_at.astimezone(dt.UTC))
        event.add("duration", TASK_DURATION)
        event.add("summary", item.title)
        event.add("description", item.instructions)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", item.title)
        alarm.add("trigger", -REMINDER_BEFORE)
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
