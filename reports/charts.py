"""Chart data for static/reports/charts.js, from the same rows as the tables (passed with json_script)."""

from .selectors import RateRow, WeekRow


def _rounded(value: float | None) -> float | None:
    """As the tables show it (one decimal); None leaves a gap in the chart."""
    return None if value is None else round(value, 1)


def trend_chart(weeks: list[WeekRow]) -> dict:
    return {
        "type": "line",
        "labels": [week.week.isoformat() for week in weeks],
        "datasets": [
            {"label": "Ready at start (%)", "data": [_rounded(week.ready_rate) for week in weeks]},
            {"label": "On-time rate (%)", "data": [_rounded(week.on_time_rate) for week in weeks]},
        ],
    }


def phase_chart(phases: list[RateRow]) -> dict:
    return {
        "type": "bar",
        "labels": [row.phase_label for row in phases],
        "datasets": [
            {"label": "Completion rate (%)", "data": [_rounded(row.completion_rate) for row in phases]},
            {"label": "On-time rate (%)", "data": [_rounded(row.on_time_rate) for row in phases]},
        ],
    }
