"""The completion reports: what each figure means, and every table as one SQL aggregate over a period.

The tables add up the day figures of reports.models, which reports.services computes from the
clinical tables with the definitions below (also on the report page and in the README):

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
from dataclasses import dataclass, fields

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncWeek

from accounts.models import User
from checklists.hospital_time import local_midnight
from checklists.models import ChecklistTask, Episode, Phase, Protocol

from .models import CancellationFigures, EpisodeFigures, TaskFigures

# Filters (Q objects), named by the rows they keep.
DONE_TASKS = Q(status=ChecklistTask.Status.DONE)
NOT_APPLICABLE_TASKS = Q(status=ChecklistTask.Status.NOT_APPLICABLE)
TASKS_DONE_ON_TIME = DONE_TASKS & Q(completed_at__lte=F("due_at"))
COMPLETED_EPISODES = Q(status=Episode.Status.COMPLETED)


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
        return local_midnight(self.date_from)

    @property
    def end(self) -> dt.datetime:
        """Local midnight after the last day: the period is [start, end)."""
        return local_midnight(self.date_to + dt.timedelta(days=1))

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

    def figures(self, model):
        """The period's rows of one kind of day figures (reports.models)."""
        return model.objects.filter(self.figures_lookup()).order_by()

    def figures_lookup(self, relation: str = "") -> Q:
        """The period (and protocol) as a filter on day figures, or on figures reached through `relation`."""
        prefix = f"{relation}__" if relation else ""
        lookup = Q(**{f"{prefix}day__gte": self.date_from, f"{prefix}day__lte": self.date_to})
        if self.protocol is not None:
            lookup &= Q(**{f"{prefix}protocol": self.protocol})
        return lookup

    def weeks(self) -> list[dt.date]:
        """The Mondays of every week the period touches."""
        monday = self.date_from - dt.timedelta(days=self.date_from.weekday())
        return [monday + dt.timedelta(weeks=n) for n in range((self.date_to - monday).days // 7 + 1)]


def blocks_readiness(scheduled_start) -> Q:
    """A critical task that was not closed by the start: still pending, or closed after it."""
    return Q(is_critical=True) & (Q(status=ChecklistTask.Status.PENDING) | Q(completed_at__gt=scheduled_start))


# What the task tables count; the nurses' table counts closed tasks only, so it has no total.
TASK_COUNT_FILTERS = {
    "total": None,
    "done": DONE_TASKS,
    "not_applicable": NOT_APPLICABLE_TASKS,
    "on_time": TASKS_DONE_ON_TIME,
}
TASK_FIELDS = tuple(TASK_COUNT_FILTERS)
CLOSED_TASK_FIELDS = ("done", "not_applicable", "on_time")


def task_counts(fields: tuple[str, ...] = TASK_FIELDS) -> dict[str, Count]:
    # Rows counted on episode_id (never null), not id: every task column the report reads can then
    # come from one covering index, without visiting the table.
    return {field: Count("episode", filter=TASK_COUNT_FILTERS[field]) for field in fields}


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


def headline_counts() -> dict:
    """Episodes by status, how many completed ones were ready at start, how many were signed off by override."""
    blockers = ChecklistTask.objects.filter(blocks_readiness(OuterRef("scheduled_start")), episode=OuterRef("pk"))
    return {
        "episodes": Count("pk"),
        "scheduled": Count("pk", filter=Q(status=Episode.Status.SCHEDULED)),
        "completed": Count("pk", filter=COMPLETED_EPISODES),
        "cancelled": Count("pk", filter=Q(status=Episode.Status.CANCELLED)),
        "ready": Count("pk", filter=COMPLETED_EPISODES & ~Exists(blockers)),
        "overrides": Count("pk", filter=COMPLETED_EPISODES & ~Q(sign_off_override_reason="")),
    }


def summed(*fields: str) -> dict[str, Coalesce]:
    """SUM of each figure, named as the figure, 0 where there are no rows."""
    return {field.rsplit("__", 1)[-1]: Coalesce(Sum(field), 0) for field in fields}


def readiness_headline(scope: ReportScope) -> Headline:
    return Headline(**scope.figures(EpisodeFigures).aggregate(**summed(*(field.name for field in fields(Headline)))))


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
    rows = scope.figures(TaskFigures).values("phase").annotate(**summed(*TASK_FIELDS))
    return sorted((RateRow(**row) for row in rows), key=RateRow.worst_first)


def rates_by_task(scope: ReportScope) -> list[RateRow]:
    """Tasks are grouped by phase and title, so the same task across protocol versions is one row."""
    rows = scope.figures(TaskFigures).values("phase", "title").annotate(**summed(*TASK_FIELDS))
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
    # The filter comes before the sums, so they add up only the period's figures.
    people = (
        User.objects.filter(scope.figures_lookup("report_figures"))
        .annotate(**summed(*(f"report_figures__{field}" for field in CLOSED_TASK_FIELDS)))
        .order_by("last_name", "first_name", "username")
    )
    return [
        NurseRow(name=person.display_name, **{field: getattr(person, field) for field in CLOSED_TASK_FIELDS})
        for person in people
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
    weeks = {monday: {} for monday in scope.weeks()}
    for model, figures in ((EpisodeFigures, ("completed", "ready")), (TaskFigures, ("done", "on_time"))):
        for row in scope.figures(model).values(week=TruncWeek("day")).annotate(**summed(*figures)):
            weeks[row.pop("week")].update(row)
    return [WeekRow(week=monday, **sums) for monday, sums in weeks.items()]


@dataclass(frozen=True)
class CancellationRow:
    reason: str
    count: int


def cancellations(scope: ReportScope) -> list[CancellationRow]:
    """Cancelled procedures of the period by their reason, most frequent first."""
    rows = scope.figures(CancellationFigures).values("reason").annotate(**summed("count")).order_by("-count", "reason")
    return [CancellationRow(**row) for row in rows]
