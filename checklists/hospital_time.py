"""The hospital's clock: its timezone, its local days, and the one table of the phases' windows.

Every "today", every local day (a report's day figures, the day of a procedure) and every phase
boundary is in the hospital's timezone (`settings.TIME_ZONE`), never the server's nor whatever
timezone happens to be active.

The hospital's night is its quiet hours (`hospital_quiet_hours()`, settings.NOTIFY_QUIET_HOURS,
21:00–08:00; a patient may choose her own for her messages): no text message goes and no calendar
alarm rings in it. A reminder due in the night moves to the evening before (`evening_before_quiet`),
what must not come early to the morning after (`morning_after_quiet`).

`add_working_hours` is the ward's working clock (Monday to Friday, WORKDAY_START–WORKDAY_END): a
late-scheduled task's "as soon as possible" and a check-in alert's escalation both run on it.

`PHASE_WINDOWS` is the one definition of when each phase of a procedure is: the protocol editor
refuses a task due outside its phase's window, the patient's timeline starts each phase where its
window begins, and the table in checklists/README.md is tested against it.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Case, TextChoices, Value, When
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR

# The dates a worklist or a report may ask about: anything else is a typing slip.
PLAUSIBLE_DATE_VALIDATORS = [MinValueValidator(dt.date(2000, 1, 1)), MaxValueValidator(dt.date(2999, 12, 31))]


def hospital_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(moment: dt.datetime) -> dt.date:
    """The hospital's date of a moment."""
    return moment.astimezone(hospital_tz()).date()


def today(now: dt.datetime | None = None) -> dt.date:
    """The hospital's date now (or at `now`)."""
    return local_day(now or timezone.now())


def local_time(moment: dt.datetime | None = None) -> dt.datetime:
    """A moment (by default now) on the hospital's clock, to show or print it."""
    return (moment or timezone.now()).astimezone(hospital_tz())


def local_moment(day: dt.date, clock: dt.time) -> dt.datetime:
    """The moment the hospital's clock shows `clock` on local day `day` (a procedure at 08:30 on 4 March)."""
    return dt.datetime.combine(day, clock, tzinfo=hospital_tz())


def local_midnight(day: dt.date) -> dt.datetime:
    """The moment a local day begins in the hospital."""
    return local_moment(day, dt.time.min)


def day_start(moment: dt.datetime, *, days: int = 0) -> dt.datetime:
    """Local midnight (hospital time) at the start of `moment`'s day, or `days` days later."""
    return local_midnight(local_day(moment) + dt.timedelta(days=days))


def hospital_quiet_hours() -> tuple[dt.time, dt.time]:
    """The hospital's night, from settings.NOTIFY_QUIET_HOURS ("21:00-08:00"): when it begins and when it ends."""
    start, end = settings.NOTIFY_QUIET_HOURS.split("-")
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


def is_quiet(moment: dt.datetime, quiet: tuple[dt.time, dt.time]) -> bool:
    """Whether a moment falls in quiet hours, which run overnight from quiet[0] to quiet[1] the next morning."""
    clock = local_time(moment).time()
    start, end = quiet
    return clock >= start or clock < end


def evening_before_quiet(moment: dt.datetime, quiet: tuple[dt.time, dt.time]) -> dt.datetime:
    """A moment in quiet hours moves to one hour before they began that evening (20:00 for 21:00–08:00);
    any other moment stays. For a reminder ahead of a deadline: earlier, never later."""
    if not is_quiet(moment, quiet):
        return moment
    local = local_time(moment)
    evening_day = local.date() if local.time() >= quiet[0] else local.date() - dt.timedelta(days=1)
    return local_moment(evening_day, quiet[0]) - dt.timedelta(hours=1)


def morning_after_quiet(moment: dt.datetime, quiet: tuple[dt.time, dt.time]) -> dt.datetime:
    """A moment in quiet hours waits until they end (08:00 for 21:00–08:00); any other moment stays.
    For what must not come early (restart a medicine from a time) or is tied to no deadline."""
    if not is_quiet(moment, quiet):
        return moment
    local = local_time(moment)
    day = local.date() + dt.timedelta(days=1) if local.time() >= quiet[0] else local.date()
    return local_moment(day, quiet[1])


class Phase(TextChoices):
    """The four phases of a procedure's checklist, in the order they happen (their windows are below)."""

    WEEK_BEFORE = "week_before", "Week before"
    NIGHT_BEFORE = "night_before", "Night before"
    DAY_OF = "day_of", "Day of"
    AFTER = "after", "After"

    @classmethod
    def timeline_rank(cls) -> Case:
        """An SQL expression that sorts phases in the order they happen, not alphabetically."""
        return Case(*(When(phase=value, then=Value(rank)) for rank, value in enumerate(cls.values)))


def duration_text(minutes: int) -> str:
    """A length of time in hours and minutes, whatever its sign: "8 h", "1 h 30 min", "45 min"."""
    hours, rest = divmod(abs(minutes), 60)
    return " ".join(part for part in (f"{hours} h" if hours else "", f"{rest} min" if rest else "") if part)


@dataclass(frozen=True)
class Moment:
    """A moment relative to a procedure: local midnight `days` from the procedure's day (D), or, when
    `days` is None, the start (T0) plus `minutes`."""

    days: int | None = None
    minutes: int = 0

    def at(self, start: dt.datetime) -> dt.datetime:
        """This moment for a procedure starting at `start`."""
        if self.days is not None:
            return local_midnight(local_day(start) + dt.timedelta(days=self.days))
        # In UTC: minutes from the start are elapsed time, also across a daylight-saving change.
        return start.astimezone(dt.UTC) + dt.timedelta(minutes=self.minutes)

    def __str__(self) -> str:
        """In symbols, as in the README's table: "D−14 00:00", "T0 − 4 h"."""
        if self.days is not None:
            day = "D" if not self.days else f"D{'−' if self.days < 0 else '+'}{abs(self.days)}"
            return f"{day} 00:00"
        if not self.minutes:
            return "T0"
        return f"T0 {'−' if self.minutes < 0 else '+'} {duration_text(self.minutes)}"

    @property
    def words(self) -> str:
        """In words, for the editor's messages: "00:00 the day before", "4 h before the start"."""
        if self.days is not None:
            named = {-1: "the day before", 0: "the procedure day", 1: "the day after"}
            side = "before" if self.days < 0 else "after"
            return f"00:00 {named.get(self.days) or f'{abs(self.days)} days {side} the procedure day'}"
        if not self.minutes:
            return "the start"
        return f"{duration_text(self.minutes)} {'before' if self.minutes < 0 else 'after'} the start"


# The night before runs into the procedure's morning (the fasting times, T0 − 8 h and T0 − 6 h, are
# in it); the day of begins 4 hours before the start, about when the patient gets up to come in.
DAY_OF_BEGINS = Moment(minutes=-4 * 60)


@dataclass(frozen=True)
class PhaseWindow:
    """When a phase is: where it begins on the patient's timeline, and the due times its tasks may have,
    from `earliest_due` to before `due_before` (or up to and including `due_by`)."""

    phase: Phase
    begins: Moment
    earliest_due: Moment
    due_before: Moment | None = None
    due_by: Moment | None = None

    def fits(self, due: dt.datetime, start: dt.datetime) -> bool:
        """Whether a task due at `due` lies in this phase, for a procedure starting at `start`."""
        if due < self.earliest_due.at(start):
            return False
        if self.due_before is not None and due >= self.due_before.at(start):
            return False
        return self.due_by is None or due <= self.due_by.at(start)

    def due_text(self, *, words: bool = False) -> str:
        """The window of due times: in symbols for the README's table, or in words for the editor."""
        say = (lambda moment: moment.words) if words else str
        if self.due_before is not None:
            return f"from {say(self.earliest_due)} to {say(self.due_before)}, not included"
        if self.due_by is not None:
            return f"from {say(self.earliest_due)} to {say(self.due_by)}"
        return f"from {say(self.earliest_due)} on"


PHASE_WINDOWS = {
    window.phase: window
    for window in (
        # Tasks may be due up to 14 days ahead (a medicine held 10 days), but the patient's timeline
        # begins the week before 7 days ahead, or on the day its first task is due if that is earlier.
        PhaseWindow(
            Phase.WEEK_BEFORE, begins=Moment(days=-7), earliest_due=Moment(days=-14), due_before=Moment(days=-1)
        ),
        PhaseWindow(Phase.NIGHT_BEFORE, begins=Moment(days=-1), earliest_due=Moment(days=-1), due_before=DAY_OF_BEGINS),
        # The day of lasts until the end of the procedure (it takes about an hour); "after" begins at the start.
        PhaseWindow(Phase.DAY_OF, begins=DAY_OF_BEGINS, earliest_due=DAY_OF_BEGINS, due_by=Moment(minutes=60)),
        PhaseWindow(Phase.AFTER, begins=Moment(minutes=0), earliest_due=Moment(minutes=0)),
    )
}


def phase_begins(start: dt.datetime) -> dict[str, dt.datetime]:
    """When each phase begins for a procedure starting at `start` (calendar days in the hospital, so a
    daylight-saving change in between moves nothing)."""
    return {phase: window.begins.at(start) for phase, window in PHASE_WINDOWS.items()}


# The editor judges a protocol's due rules for one reference procedure: 09:00 on an ordinary day with
# no daylight-saving change in the two weeks before it.
REFERENCE_DAY = dt.date(2026, 6, 17)
REFERENCE_START_TIME = dt.time(9, 0)


def reference_start() -> dt.datetime:
    return dt.datetime.combine(REFERENCE_DAY, REFERENCE_START_TIME, tzinfo=hospital_tz())


SATURDAY = 5


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` working hours after `start`: Monday to Friday, WORKDAY_START–WORKDAY_END hospital time.

    Time outside working hours does not count: 4 working hours from Friday 16:00 end on Monday at 10:00.
    """
    tz = hospital_tz()
    remaining = dt.timedelta(hours=hours)
    moment = start.astimezone(tz)
    while True:
        day = moment.date()
        if day.weekday() < SATURDAY:
            opens = dt.datetime.combine(day, settings.WORKDAY_START, tzinfo=tz)
            closes = dt.datetime.combine(day, settings.WORKDAY_END, tzinfo=tz)
            moment = max(moment, opens)
            if moment < closes:
                if moment + remaining <= closes:
                    return moment + remaining
                remaining -= closes - moment
        moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)


def short_local(moment: dt.datetime) -> str:
    """A moment as lists show it, in hospital time: "Wed 28 May, 09:00" (what the `date` filter's
    "D j M, H:i" gives, in the active language, without its general-purpose parsing: lists show
    hundreds of these)."""
    local = moment.astimezone(hospital_tz())
    day = WEEKDAYS_ABBR[local.weekday()]
    month = str(MONTHS_3[local.month]).title()
    return f"{day} {local.day} {month}, {local.hour:02d}:{local.minute:02d}"
