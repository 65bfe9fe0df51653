"""Keeping the report's figures (reports.models) in step with the clinical tables.

The figures of a day are recomputed whole, in the transaction of the change that touched it, with
one SQL aggregate per kind of figure over that day's procedures (the definitions are in
reports.selectors). Only what a report counts triggers a refresh: a procedure scheduled, moved,
completed or cancelled, and a task changed on a completed procedure (task figures, and sign-off
overrides, count for completed procedures only).

Locking: a refresh locks each day's FiguresDay row, in date order, until its transaction ends, so
a second change on the same day waits and then sees the first. A clinical service calls
`refresh_figures` once, at its end, with every day it touched.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import TruncDate
from django.utils import timezone

from checklists.hospital_time import hospital_tz, local_day
from checklists.models import ChecklistTask, Episode

from .models import CancellationFigures, EpisodeFigures, FiguresDay, NurseFigures, TaskFigures
from .selectors import CLOSED_TASK_FIELDS, ReportScope, headline_counts, task_counts

PROTOCOL = "protocol_version__protocol"


def refresh_figures_for_episode(episode: Episode, *, previous_start: dt.datetime | None = None) -> None:
    """After a change to a procedure: refresh its day, and the day it moved from."""
    starts = [episode.scheduled_start] if previous_start is None else [previous_start, episode.scheduled_start]
    # A procedure counts in the figures of its start's local day.
    refresh_figures(local_day(start) for start in starts)


def refresh_figures_for_task(task: ChecklistTask) -> None:
    """After a change to a task: only a completed procedure's tasks count in the report."""
    if task.episode.status == Episode.Status.COMPLETED:
        refresh_figures_for_episode(task.episode)


def refresh_figures(days: Iterable[dt.date]) -> None:
    """Recompute the figures of each day from the clinical tables (days locked in date order: no deadlock)."""
    with transaction.atomic():
        for day in sorted(set(days)):
            _lock_day(day)
            scope = ReportScope(date_from=day, date_to=day)
            for model in (EpisodeFigures, TaskFigures, NurseFigures, CancellationFigures):
                model.objects.filter(day=day).delete()
            EpisodeFigures.objects.bulk_create(_episode_figures(scope))
            TaskFigures.objects.bulk_create(_task_figures(scope))
            NurseFigures.objects.bulk_create(_nurse_figures(scope))
            CancellationFigures.objects.bulk_create(_cancellation_figures(scope))


def rebuild_figures() -> int:
    """Recompute every day that has a procedure, and empty the days that no longer have one.

    One transaction a day, so the ward's changes wait for one day's refresh at most, never the rebuild.
    """
    start_days = Episode.objects.order_by().values_list(TruncDate("scheduled_start", tzinfo=hospital_tz()), flat=True)
    days = set(start_days.distinct()) | set(FiguresDay.objects.values_list("day", flat=True))
    for day in sorted(days):
        refresh_figures([day])
    return len(days)


def _lock_day(day: dt.date) -> None:
    """Hold the day's row until the transaction ends: a second refresh of the day waits, then sees this one."""
    figures_day, created = FiguresDay.objects.select_for_update().get_or_create(
        day=day, defaults={"refreshed_at": timezone.now()}
    )
    if not created:
        figures_day.refreshed_at = timezone.now()
        figures_day.save(update_fields=["refreshed_at"])


def _episode_figures(scope: ReportScope) -> list[EpisodeFigures]:
    rows = scope.episodes().values(PROTOCOL).order_by().annotate(**headline_counts())
    return [EpisodeFigures(day=scope.date_from, protocol_id=row.pop(PROTOCOL), **row) for row in rows]


def _task_figures(scope: ReportScope) -> list[TaskFigures]:
    rows = (
        scope.completed_tasks().values("phase", "title", protocol=F(f"episode__{PROTOCOL}")).annotate(**task_counts())
    )
    return [TaskFigures(day=scope.date_from, protocol_id=row.pop("protocol"), **row) for row in rows]


def _nurse_figures(scope: ReportScope) -> list[NurseFigures]:
    rows = (
        scope.completed_tasks()
        .exclude(status=ChecklistTask.Status.PENDING)
        .values(nurse_id=F("completed_by"), protocol=F(f"episode__{PROTOCOL}"))
        .annotate(**task_counts(CLOSED_TASK_FIELDS))
    )
    return [NurseFigures(day=scope.date_from, protocol_id=row.pop("protocol"), **row) for row in rows]


def _cancellation_figures(scope: ReportScope) -> list[CancellationFigures]:
    rows = (
        scope.episodes()
        .filter(status=Episode.Status.CANCELLED)
        .values(reason=F("cancellation_reason"), protocol=F(PROTOCOL))
        .order_by()
        .annotate(count=Count("pk"))
    )
    return [CancellationFigures(day=scope.date_from, protocol_id=row.pop("protocol"), **row) for row in rows]
