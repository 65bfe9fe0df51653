"""The report's tables as text cells, built once from the selectors' rows for both the page and the CSV files.

Both render exactly these strings, so a downloaded file always says what the page says.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checkins.models import Alert
from checkins.report import CheckinFigures, checkin_figures

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


def _number(value: float | None) -> str:
    return NO_RATE if value is None else f"{value:g}"


def checkins_table(figures: CheckinFigures) -> Table:
    """Check-ins after the procedure (app checkins): definitions in checkins/report.py and on the page."""
    kinds = figures.alerts_by_kind
    return Table(
        slug="checkins",
        title="Check-ins after the procedure",
        description=(
            "Response rate = answered ÷ (answered + missed). Time to acknowledge: from the alert to its first "
            "acknowledgement, in minutes (p90 by nearest rank). Pain 0–10: procedures with a baseline and a "
            "4–6 week score (days 28–42 after); improved = at least 2 points lower."
        ),
        headers=["Figure", "Value"],
        rows=[
            ["Check-ins answered", str(figures.answered)],
            ["Check-ins missed", str(figures.missed)],
            ["Response rate (%)", rate(figures.response_rate)],
            ["Emergency alerts", str(kinds[Alert.Kind.EMERGENCY])],
            ["Call-today alerts", str(kinds[Alert.Kind.CALL_TODAY])],
            ["Missed check-in alerts", str(kinds[Alert.Kind.MISSED])],
            ["Alerts not yet acknowledged", str(figures.not_acknowledged)],
            ["Median minutes to acknowledge", rate(figures.median_minutes_to_acknowledge)],
            ["p90 minutes to acknowledge", rate(figures.p90_minutes_to_acknowledge)],
            ["Procedures with baseline and 4–6 week pain", str(len(figures.pain_pairs))],
            ["Median pain at baseline", _number(figures.median_pain_baseline)],
            ["Median pain at 4–6 weeks", _number(figures.median_pain_4_to_6_weeks)],
            ["Improved by 2 points or more (%)", rate(figures.improved_rate)],
        ],
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
    "checkins": (checkin_figures, checkins_table),
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
