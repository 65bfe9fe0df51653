"""The report's tables as text cells, built once from the selectors' rows for both the page and the CSV files.

Both render exactly these strings, so a downloaded file always says what the page says.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import charts, selectors
from .selectors import ReportScope

NO_RATE = "—"  # a rate with nothing to rate, e.g. on-time for a task that was never done


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    description: str = ""


def rate(value: float | None) -> str:
    return NO_RATE if value is None else f"{value:.1f}"


def readiness_table(headline: selectors.Headline) -> Table:
    return Table(
        slug="readiness",
        title="Readiness at start",
        description="Procedures of the period; readiness and overrides count completed procedures only.",
        headers=[
            "Procedures",
            "Completed",
            "Ready at start",
            "Ready at start (%)",
            "Signed off with override",
            "Cancelled",
            "Still scheduled",
        ],
        rows=[
            [
                str(headline.episodes),
                str(headline.completed),
                str(headline.ready),
                rate(headline.ready_rate),
                str(headline.overrides),
                str(headline.cancelled),
                str(headline.scheduled),
            ]
        ],
    )


RATE_HEADERS = ["Tasks", "Done", "Not applicable", "Completion rate (%)", "On time", "On-time rate (%)"]


def _rate_cells(row: selectors.RateRow) -> list[str]:
    return [
        str(row.total),
        str(row.done),
        str(row.not_applicable),
        rate(row.completion_rate),
        str(row.on_time),
        rate(row.on_time_rate),
    ]


def phases_table(phases: list[selectors.RateRow]) -> Table:
    return Table(
        slug="phases",
        title="By phase, worst first",
        headers=["Phase", *RATE_HEADERS],
        rows=[[row.phase_label, *_rate_cells(row)] for row in phases],
    )


def tasks_table(tasks: list[selectors.RateRow]) -> Table:
    return Table(
        slug="tasks",
        title="By task, worst first",
        headers=["Phase", "Task", *RATE_HEADERS],
        rows=[[row.phase_label, row.title, *_rate_cells(row)] for row in tasks],
    )


def nurses_table(nurses: list[selectors.NurseRow]) -> Table:
    return Table(
        slug="nurses",
        title="By nurse",
        description="Tasks of completed procedures, by who closed them.",
        headers=["Nurse", "Tasks done", "On time", "On-time rate (%)", "Marked not applicable"],
        rows=[
            [row.name, str(row.done), str(row.on_time), rate(row.on_time_rate), str(row.not_applicable)]
            for row in nurses
        ],
    )


def trend_table(weeks: list[selectors.WeekRow]) -> Table:
    return Table(
        slug="trend",
        title="Trend by week",
        description="Weeks start on Monday, hospital time.",
        headers=[
            "Week starting",
            "Completed",
            "Ready at start",
            "Ready at start (%)",
            "Tasks done",
            "On time",
            "On-time rate (%)",
        ],
        rows=[
            [
                week.week.isoformat(),
                str(week.completed),
                str(week.ready),
                rate(week.ready_rate),
                str(week.done),
                str(week.on_time),
                rate(week.on_time_rate),
            ]
            for week in weeks
        ],
    )


def cancellations_table(reasons: list[selectors.CancellationRow]) -> Table:
    return Table(
        slug="cancellations",
        title="Cancellations by reason",
        headers=["Reason", "Cancelled procedures"],
        rows=[[row.reason, str(row.count)] for row in reasons],
    )


# In the order the page shows them, each with the selector that feeds it (one SQL sum over the day
# figures; two for the trend);
# each table is also a CSV file at reports/<slug>.csv.
TABLES: dict[str, tuple[Callable[[ReportScope], Any], Callable[[Any], Table]]] = {
    "readiness": (selectors.readiness_headline, readiness_table),
    "trend": (selectors.weekly_trend, trend_table),
    "phases": (selectors.rates_by_phase, phases_table),
    "tasks": (selectors.rates_by_task, tasks_table),
    "nurses": (selectors.rates_by_nurse, nurses_table),
    "cancellations": (selectors.cancellations, cancellations_table),
}


def build_table(slug: str, scope: ReportScope) -> Table:
    select, build = TABLES[slug]
    return build(select(scope))


@dataclass(frozen=True)
class Report:
    headline: selectors.Headline
    tables: list[Table]
    charts: dict[str, dict]

    @property
    def ready_rate(self) -> str:
        return rate(self.headline.ready_rate)


def build_report(scope: ReportScope) -> Report:
    """Every table and chart of the page; each selector runs once, so the query count never grows with the data."""
    rows = {slug: select(scope) for slug, (select, _) in TABLES.items()}
    return Report(
        headline=rows["readiness"],
        tables=[build(rows[slug]) for slug, (_, build) in TABLES.items()],
        charts={"trend": charts.trend_chart(rows["trend"]), "phases": charts.phase_chart(rows["phases"])},
    )
