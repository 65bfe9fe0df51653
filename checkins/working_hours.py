"""Working hours on the ward: the clock that a "call today" alert's escalation runs on."""

import datetime as dt

from django.conf import settings

from checklists.hospital_time import hospital_tz

SATURDAY = 5


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` working hours after `start`: Monday to Friday, CHECKIN_WORKDAY_START/END hospital time.

    Time outside working hours does not count: an alert raised on Friday evening escalates on Monday.
    """
    tz = hospital_tz()
    remaining = dt.timedelta(hours=hours)
    moment = start.astimezone(tz)
    while True:
        day = moment.date()
        if day.weekday() < SATURDAY:
            opens = dt.datetime.combine(day, settings.CHECKIN_WORKDAY_START, tzinfo=tz)
            closes = dt.datetime.combine(day, settings.CHECKIN_WORKDAY_END, tzinfo=tz)
            moment = max(moment, opens)
            if moment < closes:
                if moment + remaining <= closes:
                    return moment + remaining
                remaining -= closes - moment
        moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
