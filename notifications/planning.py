"""When each message of an episode goes: the plan, from the start, the tasks, the check-ins and the quiet hours.

Pure functions over the episode and its tasks; `services` turns the plan into outbox rows. Every
clock time is local to the hospital (settings.TIME_ZONE), so "17:00 the day before" stays 17:00
across a daylight-saving change.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from django.conf import settings

from checkins.models import Checkin
from checklists.hospital_time import (
    evening_before_quiet,
    local_day,
    local_midnight,
    local_moment,
    morning_after_quiet,
)
from checklists.models import ChecklistTask, Episode, Responsible

from .models import Kind

# How long after its time a "from" step's reminder is still worth sending (planned late, it is not).
FROM_REMINDER_VALID = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Planned:
    """One message of the plan: `nominal` names it (the idempotency key), `send_at` is when it goes."""

    kind: str
    nominal: dt.datetime
    send_at: dt.datetime
    expires_at: dt.datetime | None
    task: ChecklistTask | None = None
    # May it go at once when its time has passed at planning (the night-before summary does)?
    late_ok: bool = False
    # A reminder that also names these steps (they fall at the same minute: one message, not several).
    also: tuple[ChecklistTask, ...] = ()
    # The check-in a "check-in open" message announces.
    checkin: Checkin | None = None
    # Planned late (its time passed), does it still wait out the quiet hours (what is not tied to a deadline)?
    late_waits_quiet: bool = False

    @property
    def tasks(self) -> list[ChecklistTask]:
        return [self.task, *self.also] if self.task else []


def episode_plan(
    episode: Episode, tasks: list[ChecklistTask], *, quiet: tuple[dt.time, dt.time], checkins: list[Checkin] = ()
) -> list[Planned]:
    """Every planned message of a scheduled or completed episode (none for a cancelled one)."""
    if episode.status == Episode.Status.CANCELLED:
        return []
    start = episode.scheduled_start
    day = local_day(start)
    night = _clock_on(day, -1, settings.NOTIFY_NIGHT_BEFORE_AT)
    plan = [
        _at_fixed_time(Kind.WEEK_BEFORE, _clock_on(day, -7, settings.NOTIFY_WEEK_BEFORE_AT), night, quiet),
        # It says "tomorrow": planned late it goes at once, but not once the procedure's day has begun.
        _at_fixed_time(Kind.NIGHT_BEFORE, night, local_midnight(day), quiet, late_ok=True),
        _at_fixed_time(
            Kind.AFTER_CARE,
            _clock_on(day, 1, settings.NOTIFY_AFTER_CARE_AT),
            start + dt.timedelta(days=7),
            quiet,
        ),
    ]
    in_care = (episode.arrival_at, start + dt.timedelta(hours=settings.NOTIFY_IN_CARE_HOURS))
    plan += combined_reminders(
        [task_reminder(task, quiet=quiet) for task in tasks if needs_reminder(task, in_care=in_care)]
    )
    plan += [checkin_opening(c, quiet=quiet) for c in checkins if c.status == Checkin.Status.SCHEDULED]
    return plan


def checkin_opening(checkin: Checkin, *, quiet: tuple[dt.time, dt.time]) -> Planned:
    """When a check-in opens (in quiet hours: when they end, it is not a deadline); pointless once it closes.

    Planned after it opened (the baseline of a procedure booked less than a week ahead), it goes at once,
    or when the quiet hours end."""
    return Planned(
        Kind.CHECKIN_OPEN,
        checkin.opens_at,
        morning_after_quiet(checkin.opens_at, quiet),
        expires_at=checkin.closes_at,
        checkin=checkin,
        late_ok=True,
        late_waits_quiet=True,
    )


def combined_reminders(reminders: list[Planned]) -> list[Planned]:
    """Reminders that go at the same minute become one message naming every step, soonest due first.

    The night's eating and drinking cut-offs all move out of the quiet hours to 20:00 the evening
    before, and steps due at the same time share a send time: three texts in the same minute read as
    a fault. The message is the first step's (its key and its drop time, the soonest due); if that
    step is done, the re-plan gives the rest a message of their own.
    """
    by_minute: dict[dt.datetime, list[Planned]] = defaultdict(list)
    for reminder in reminders:
        by_minute[reminder.send_at].append(reminder)
    combined = []
    for group in by_minute.values():
        group.sort(key=lambda reminder: (reminder.task.due_at, reminder.task.pk))
        combined.append(replace(group[0], also=tuple(reminder.task for reminder in group[1:])))
    return combined


def needs_reminder(task: ChecklistTask, *, in_care: tuple[dt.datetime, dt.datetime]) -> bool:
    """The patient's own open steps, not reported done, get a reminder; not those due while she is in our care,
    nor a period ("No driving … until"): there is nothing to do by its time."""
    return (
        task.responsible == Responsible.PATIENT
        and not task.is_period
        and task.is_pending
        and task.patient_reported_at is None
        and task.reminder_lead_minutes != 0
        and not in_care[0] <= task.due_at <= in_care[1]
    )


def task_reminder(task: ChecklistTask, *, quiet: tuple[dt.time, dt.time]) -> Planned:
    """The step's lead time (the protocol's, else the default) before it is due; in quiet hours, the evening before.

    A step from a time (restart a medicine) is reminded at its time, never before (she must not take it
    earlier); in quiet hours, when they end the morning after. It stays worth sending for a day."""
    if task.starts_at_due_time:
        return Planned(
            Kind.TASK_REMINDER,
            task.due_at,
            morning_after_quiet(task.due_at, quiet),
            expires_at=task.due_at + FROM_REMINDER_VALID,
            task=task,
        )
    lead = (
        task.reminder_lead_minutes
        if task.reminder_lead_minutes is not None
        else settings.NOTIFY_TASK_REMINDER_LEAD_MINUTES
    )
    nominal = task.due_at - dt.timedelta(minutes=lead)
    return Planned(Kind.TASK_REMINDER, nominal, evening_before_quiet(nominal, quiet), expires_at=task.due_at, task=task)


def _at_fixed_time(kind, nominal, expires_at, quiet, *, late_ok: bool = False) -> Planned:
    return Planned(kind, nominal, evening_before_quiet(nominal, quiet), expires_at=expires_at, late_ok=late_ok)


def _clock_on(day: dt.date, days: int, clock: str) -> dt.datetime:
    """A clock time from the settings ("17:00") on the hospital's clock, `days` after local day `day`."""
    return local_moment(day + dt.timedelta(days=days), dt.time.fromisoformat(clock))
