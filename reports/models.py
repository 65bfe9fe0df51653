"""The report's figures per local day: sums over the clinical tables, kept in step by `reports.services`.

A row holds counts for one day of scheduled starts (hospital time) and one protocol; a report adds up
the rows of its period. They are derived data, recomputed whole for a day whenever something that
counts in it changes, and can be rebuilt from the clinical tables at any time
(`manage.py rebuild_report_figures`).
"""

from django.conf import settings
from django.db import models

from checklists.models import Phase, Protocol


class FiguresDay(models.Model):
    """A day whose figures exist; refreshing a day locks its row, so two refreshes never interleave."""

    day = models.DateField(unique=True)
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.day.isoformat()


class DayFigures(models.Model):
    day = models.DateField()
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} for {self.day.isoformat()}"


class EpisodeFigures(DayFigures):
    """Procedures by status; for completed ones, how many were ready at start or signed off by override."""

    episodes = models.PositiveIntegerField()
    scheduled = models.PositiveIntegerField()
    completed = models.PositiveIntegerField()
    cancelled = models.PositiveIntegerField()
    ready = models.PositiveIntegerField()
    overrides = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "protocol"], name="episode_figures_unique")]


class TaskFigures(DayFigures):
    """The tasks of completed procedures, by phase and title."""

    phase = models.CharField(max_length=16, choices=Phase.choices)
    title = models.CharField(max_length=120)
    total = models.PositiveIntegerField()
    done = models.PositiveIntegerField()
    not_applicable = models.PositiveIntegerField()
    on_time = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "protocol", "phase", "title"], name="task_figures_unique")
        ]


class NurseFigures(DayFigures):
    """The tasks of completed procedures that one person closed."""

    nurse = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_figures")
    done = models.PositiveIntegerField()
    on_time = models.PositiveIntegerField()
    not_applicable = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "protocol", "nurse"], name="nurse_figures_unique")]


class CancellationFigures(DayFigures):
    """Cancelled procedures by reason (reasons are free text, so no uniqueness is asked of the database)."""

    reason = models.TextField()
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "protocol"], name="cancellation_figures_day_idx")]
