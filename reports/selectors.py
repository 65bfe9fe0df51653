"""The completion reports: every table is one SQL aggregate over the episodes of a period.

Definitions (also on the report page and in the README):

- The period selects episodes by the local date (hospital time) of their scheduled start,
  both ends included. A rescheduled procedure counts once, at its final start.
- Task figures cover the tasks of *completed* procedures only: a cancelled or still scheduled
  procedure's checklist is not finished, so it would only dilute the rates.
- Completion rate = tasks done or not applicable ÷ all tasks.
- On-time rate = tasks done no later than their due time ÷ tasks done. Not-applicable tasks are
  left out of it: there was nothing to do on time.
- Ready at start = a completed procedure none of whose critical tasks was still pending, or was
  closed (done or not applicable) after the scheduled start.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncWeek

from checklists.models import ChecklistTask, Episode, Phase, Protocol

DONE = Q(status=ChecklistTask.Status.DONE)
NOT_APPLICABLE = Q(status=ChecklistTask.Status.NOT_APPLICABLE)
ON_TIME = DONE & Q(completed_at__lte=F("due_at"))
COMPLETED = Q(status=Episode.Status.COMPLETED)


def hospital_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def percent(part: int, whole: int) -> float | None:
    """part as a percentage of whole; None when there is nothing to rate."""
    return part * 100 / whole if whole else None


@dataclass(frozen=True)
class ReportScope:
    """Which episodes a report covers: scheduled to start on a local date in [date_from, date_to]."""

    date_from: dt.date
    date_to: dt.date
    protocol: Protocol | None = None

    @property
    def time_zone(self) -> str:
        return settings.TIME_ZONE

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.date_from, dt.time.min, tzinfo=hospital_tz())

    @property
    def end(self) -> dt.datetime:
        """Local midnight after the last day: the period is [start, end)."""
        return dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=hospital_tz())

    def episodes(self):
        episodes = Episode.objects.filter(scheduled_start__gte=self.start, scheduled_start__lt=self.end)
        if self.protocol is not None:
            episodes = episodes.filter(protocol_version__protocol=self.protocol)
        return episodes

    def completed_tasks(self):
        """The tasks of the period's completed episodes, the basis of every task figure."""
        tasks = ChecklistTask.objects.filter(
            episode__status=Episode.Status.COMPLETED,
            episode__scheduled_start__gte=self.start,
            episode__scheduled_start__lt=self.end,
        )
        if self.protocol is not None:
            tasks = tasks.filter(episode__protocol_version__protocol=self.protocol)
        return tasks.order_by()

    def weeks(self) -> list[dt.date]:
        """The Mondays of every week the period touches."""
        monday = self.date_from - dt.timedelta(days=self.date_from.weekday())
        return [monday + dt.timedelta(weeks=n) for n in range((self.date_to - monday).days // 7 + 1)]


def blocks_readiness(scheduled_start) -> Q:
    """A critical task that was not closed by the start: still pending, or closed after it."""
    return Q(is_critical=True) & (Q(status=ChecklistTask.Status.PENDING) | Q(completed_at__gt=scheduled_start))


def task_counts() -> dict[str, Count]:
    # Rows counted on episode_id (never null), not id: every task column the report reads can then
    # come from one covering index, without visiting the table.
    return {
        "total": Count("episode"),
        "done": Count("episode", filter=DONE),
        "not_applicable": Count("episode", filter=NOT_APPLICABLE),
        "on_time": Count("episode", filter=ON_TIME),
    }


@dataclass(frozen=True)
class Headline:
    episodes: int
    scheduled: int
    completed: int
    cancelled: int
    ready: int
    overrides: int

    @property
    def ready_rate(self) -> float | None:
        return percent(self.ready, self.completed)


def readiness_headline(scope: ReportScope) -> Headline:
    """Episodes of the period by status, how many were ready at start, how many were signed off by override."""
    blockers = ChecklistTask.objects.filter(blocks_readiness(OuterRef("scheduled_start")), episode=OuterRef("pk"))
    counts = scope.episodes().aggregate(
        episodes=Count("pk"),
        scheduled=Count("pk", filter=Q(status=Episode.Status.SCHEDULED)),
        completed=Count("pk", filter=COMPLETED),
        cancelled=Count("pk", filter=Q(status=Episode.Status.CANCELLED)),
        ready=Count("pk", filter=COMPLETED & ~Exists(blockers)),
        overrides=Count("pk", filter=COMPLETED & ~Q(sign_off_override_reason="")),
    )
    return Headline(**counts)


@dataclass(frozen=True)
class RateRow:
    """Task counts for one phase, or one task (phase and title), with the two rates."""

    phase: str
    total: int
    done: int
    not_applicable: int
    on_time: int
    title: str = ""

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label

    @property
    def completion_rate(self) -> float | None:
        return percent(self.done + self.not_applicable, self.total)

    @property
    def on_time_rate(self) -> float | None:
        return percent(self.on_time, self.done)

    def worst_first(self) -> tuple:
        """Lowest completion first, then lowest on-time (nothing done to rate: last), then timeline order."""
        on_time = float("inf") if self.on_time_rate is None else self.on_time_rate
        return (self.completion_rate, on_time, Phase.values.index(self.phase), self.title)


def rates_by_phase(scope: ReportScope) -> list[RateRow]:
    rows = scope.completed_tasks().values("phase").annotate(**task_counts())
    return sorted((RateRow(**row) for row in rows), key=RateRow.worst_first)


def rates_by_task(scope: ReportScope) -> list[RateRow]:
    """Tasks are grouped by phase and title, so the same task across protocol versions is one row."""
    rows = scope.completed_tasks().values("phase", "title").annotate(**task_counts())
    return sorted((RateRow(**row) for row in rows), key=RateRow.worst_first)


@dataclass(frozen=True)
class NurseRow:
    name: str
    done: int
    on_time: int
    not_applicable: int

    @property
    def on_time_rate(self) -> float | None:
        return percent(self.on_time, self.done)


def rates_by_nurse(scope: ReportScope) -> list[NurseRow]:
    """Tasks each person closed (done or not applicable), by who closed them."""
    rows = (
        scope.completed_tasks()
        .exclude(status=ChecklistTask.Status.PENDING)
        .values("completed_by", "completed_by__first_name", "completed_by__last_name", "completed_by__username")
        .annotate(
            done=Count("episode", filter=DONE),
            on_time=Count("episode", filter=ON_TIME),
            not_applicable=Count("episode", filter=NOT_APPLICABLE),
        )
        .order_by("completed_by__last_name", "completed_by__first_name", "completed_by__username")
    )
    return [
        NurseRow(
            name=f"{row['completed_by__first_name']} {row['completed_by__last_name']}".strip()
            or row["completed_by__username"],
            done=row["done"],
            on_time=row["on_time"],
            not_applicable=row["not_applicable"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class WeekRow:
    week: dt.date
    completed: int = 0
    ready: int = 0
    done: int = 0
    on_time: int = 0

    @property
    def ready_rate(self) -> float | None:
        return percent(self.ready, self.completed)

    @property
    def on_time_rate(self) -> float | None:
        return percent(self.on_time, self.done)


def weekly_trend(scope: ReportScope) -> list[WeekRow]:
    """Ready at start and on-time by ISO week (Monday, hospital time) of the start; weeks with nothing are zeros."""
    rows = (
        scope.completed_tasks()
        .values(week=TruncWeek("episode__scheduled_start", tzinfo=hospital_tz()))
        .annotate(
            completed=Count("episode", distinct=True),
            # Ready = completed minus those with a task that blocks readiness; see the module docstring.
            not_ready=Count("episode", distinct=True, filter=blocks_readiness(F("episode__scheduled_start"))),
            done=Count("episode", filter=DONE),
            on_time=Count("episode", filter=ON_TIME),
        )
    )
    by_week = {
        row["week"].astimezone(hospital_tz()).date(): WeekRow(
            week=row["week"].astimezone(hospital_tz()).date(),
            completed=row["completed"],
            ready=row["completed"] - row["not_ready"],
            done=row["done"],
            on_time=row["on_time"],
        )
        for row in rows
    }
    return [by_week.get(monday, WeekRow(week=monday)) for monday in scope.weeks()]


@dataclass(frozen=True)
class CancellationRow:
    reason: str
    count: int


def cancellations(scope: ReportScope) -> list[CancellationRow]:
    """Cancelled procedures of the period by their reason, most frequent first."""
    rows = (
        scope.episodes()
        .filter(status=Episode.Status.CANCELLED)
        .values("cancellation_reason")
        .annotate(count=Count("pk"))
        .order_by("-count", "cancellation_reason")
    )
    return [CancellationRow(reason=row["cancellation_reason"], count=row["count"]) for row in rows]
