"""What each row of the nurses' worklist shows, worked out once per row in Python.

The worklist is the page drawn most often, fifty rows at a time: formatting every moment, link and
relative time here, with plain functions, instead of through a template filter or tag per cell,
keeps the page's own cost near its SQL (issue #16). The markup stays in the template.
"""

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils.timesince import timesince, timeuntil

from .hospital_time import short_local
from .models import Episode


@dataclass(frozen=True)
class WorklistRow:
    episode: Episode  # annotated with_readiness() and with_progress()
    url: str
    starts: str  # "Wed 28 May, 09:00", hospital time
    starts_in: str  # "in 2 days, 3 hours" or "3 hours ago"
    blocking_due: str  # when the first open critical task is due, or ""
    blocking_more: int  # how many more open critical tasks than the one named
    last_contact_at: str


def worklist_rows(episodes: list[Episode], *, now: dt.datetime) -> list[WorklistRow]:
    # The same URL for every row but the number: built once, not reversed fifty times.
    url_for_zero = reverse("checklists:episode-detail", args=[0])
    prefix, suffix = url_for_zero.rsplit("0", 1)
    return [
        WorklistRow(
            episode=episode,
            url=f"{prefix}{episode.pk}{suffix}",
            starts=short_local(episode.scheduled_start),
            starts_in=_relative(episode.scheduled_start, now),
            blocking_due=short_local(episode.first_blocking_due_at) if episode.first_blocking_due_at else "",
            blocking_more=max(episode.blocking_count - 1, 0),
            last_contact_at=short_local(episode.last_contact_at) if episode.last_contact_at else "",
        )
        for episode in episodes
    ]


def _relative(moment: dt.datetime, now: dt.datetime) -> str:
    if moment > now:
        return f"in {timeuntil(moment, now)}"
    return f"{timesince(moment, now)} ago"
