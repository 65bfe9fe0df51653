"""Keeping the report's figures (reports.models) in step with the clinical tables.

The figures of a day are recomputed whole, in the transaction of the change that touched it, with
one SQL aggregate per kind of figure over that day's procedures (the definitions are in
reports.selectors). Only what a report counts triggers a refresh: a procedure scheduled, moved,
signed off, completed or cancelled, and a task changed on a completed procedure (task figures
cover completed procedures only).
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, Max, Min
from django.utils import timezone

from checklists.models import ChecklistTask, Episode

from .models import CancellationFigures, EpisodeFigures, FiguresDay, NurseFigures, TaskFigures
from .selectors import DONE, NOT_APPLICABLE, ON_TIME, ReportScope, headline_counts, task_counts

PROTOCOL = "protocol_version__protocol"


def refresh_figures_for_episode(episode: Episode, *, previous_start: dt.datetime | None = None) -> None:
    """After a change to a procedure: refresh its day, and the day it moved from."""
    starts = [episode.scheduled_start] if previous_start is None else [previous_start, episode.scheduled_start]
    refresh_figures(timezone.localdate(start) for start in starts)


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
    """Recompute every day that has a procedure, and drop figures of days that no longer have one."""
    span = Episode.objects.aggregate(first=Min("scheduled_start"), last=Max("scheduled_start"))
    with transaction.atomic():
        days = set(FiguresDay.objects.values_list("day", flat=True))
        if span["first"] is not None:
            first, last = timezone.localdate(span["first"]), timezone.localdate(span["last"])
            days.update(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
        refresh_figures(days)
    return len(days)


def _lock_day(day: dt.date) -> None:
    """Hold the day's row until the transaction ends: a second refresh of the day waits, then sees this one."""
    figures_day, _ = FiguresDay.objects.select_for_update().get_or_create(
        day=day, defaults={"refreshed_at": timezone.now()}
    )
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
        .annotate(
            done=Count("episode", filter=DONE),
            on_time=Count("episode", filter=ON_TIME),
            not_applicable=Count("episode", filter=NOT_APPLICABLE),
        )
    )
    return [NurseFigures(day=scope.date_from, protocol_id=row.pop("protocol"), **row) for row in rows]


def _cancellation_figures(scope: ReportScope) -> list[CancellationFigures]:
    rows = (
        scope.episodes()
        .filter(status=Episode.Status.CANCELLED)
        .values("cancellation_reason", PROTOCOL)
        .order_by()
        .annotate(count=Count("pk"))
    )
    return [
        CancellationFigures(
            day=scope.date_from, protocol_id=row[PROTOCOL], reason=row["cancellation_reason"], count=row["count"]
        )
        for row in rows
    ]
