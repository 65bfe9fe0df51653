"""Working hours in the hospital: when "as soon as possible" falls for a task scheduled too late for the protocol."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

WORKDAY_OPENS = dt.time(8, 0)
WORKDAY_CLOSES = dt.time(18, 0)
WORKDAYS = range(0, 5)  # Monday to Friday


def working_hours_after(moment: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` working hours after `moment` (Monday to Friday, 08:00 to 18:00, hospital time)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    local = moment.astimezone(tz)
    remaining = dt.timedelta(hours=hours)
    while True:
        opens = dt.datetime.combine(local.date(), WORKDAY_OPENS, tz)
        closes = dt.datetime.combine(local.date(), WORKDAY_CLOSES, tz)
        if local.weekday() in WORKDAYS and local < closes:
            local = max(local, opens)
            if local + remaining <= closes:
                return local + remaining
            remaining -= closes - local
        local = dt.datetime.combine(local.date() + dt.timedelta(days=1), WORKDAY_OPENS, tz)
