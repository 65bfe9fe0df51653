"""The check-in figures of the admins' report, against a hand-counted set of four procedures (and one outside)."""

import datetime as dt

import pytest
from django.urls import reverse

from checkins.models import Alert, Checkin, CheckinAnswer, CheckinPoint, CheckinQuestion
from checkins.report import checkin_figures
from reports.selectors import ReportScope
from tests.factories import schedule_episode

from .conftest import HOSPITAL

PERIOD = {"date_from": "2026-06-01", "date_to": "2026-06-14"}


def june(day: int) -> dt.datetime:
    return dt.datetime(2026, 6, day, 9, 0, tzinfo=HOSPITAL)


def add_checkin(episode, key, *, status="answered", pain=None, level="normal") -> Checkin:
    point = CheckinPoint.objects.get(key=key)
    opens, closes = point.window_for(episode.scheduled_start)
    answered = status == "answered"
    checkin = Checkin.objects.create(
        episode=episode,
        point=point,
        opens_at=opens,
        closes_at=closes,
        status=status,
        answered_at=opens if answered else None,
        level=level if answered else "",
    )
    if pain is not None:
        question = CheckinQuestion.objects.get(key="pain_baseline" if key == "baseline" else "pain_now")
        CheckinAnswer.objects.create(checkin=checkin, question=question, value=str(pain), score=pain)
    return checkin


def add_alert(checkin, kind, *, acknowledged_after=None, nurse=None) -> Alert:
    raised = checkin.answered_at or checkin.closes_at
    acknowledged = raised + dt.timedelta(minutes=acknowledged_after) if acknowledged_after is not None else None
    return Alert.objects.create(
        checkin=checkin,
        kind=kind,
        raised_at=raised,
        acknowledged_at=acknowledged,
        acknowledged_by=nurse if acknowledged else None,
        outcome="reached" if acknowledged else "",
    )


@pytest.fixture
def hand_counted(checkin_data, nurse):
    episode = {
        name: schedule_episode(by=nurse, start=june(day), protocol_version=checkin_data)
        for name, day in {"A": 2, "B": 3, "C": 4, "D": 5, "outside": 20}.items()
    }
    # A: pain 8 before, 3 at day 30 — improved.
    add_checkin(episode["A"], "baseline", pain=8)
    add_checkin(episode["A"], "day-1", pain=5)
    add_checkin(episode["A"], "day-30", pain=3)
    # B: pain 6 before, 7 at day 30, 5 at day 42 (the latest counts) — not improved by 2.
    add_checkin(episode["B"], "baseline", pain=6)
    add_alert(
        add_checkin(episode["B"], "day-30", pain=7, level="call_today"),
        "call_today",
        acknowledged_after=90,
        nurse=nurse,
    )
    add_checkin(episode["B"], "day-42", pain=5)
    # C: a baseline, then two missed check-ins (one call made after 30 min, one not yet) and one still to come.
    add_checkin(episode["C"], "baseline", pain=7)
    add_alert(add_checkin(episode["C"], "day-1", status="missed"), "missed")
    add_alert(add_checkin(episode["C"], "day-30", status="missed"), "missed", acknowledged_after=30, nurse=nurse)
    add_checkin(episode["C"], "day-42", status="scheduled")
    # D: an emergency acknowledged in 10 minutes, a call-today in 40, and a check-in cancelled.
    add_alert(add_checkin(episode["D"], "day-1", level="emergency"), "emergency", acknowledged_after=10, nurse=nurse)
    add_alert(add_checkin(episode["D"], "day-3", level="call_today"), "call_today", acknowledged_after=40, nurse=nurse)
    add_checkin(episode["D"], "day-7", status="cancelled")
    # Outside the period: counts nowhere.
    add_alert(
        add_checkin(episode["outside"], "day-1", level="emergency"), "emergency", acknowledged_after=1000, nurse=nurse
    )
    add_checkin(episode["outside"], "baseline", pain=9)
    return episode


def test_the_figures_match_the_hand_count(hand_counted):
    figures = checkin_figures(ReportScope(date_from=dt.date(2026, 6, 1), date_to=dt.date(2026, 6, 14)))
    assert (figures.answered, figures.missed) == (9, 2)
    assert round(figures.response_rate, 1) == 81.8
    assert figures.alerts_by_kind == {"emergency": 1, "call_today": 2, "missed": 2}
    assert sorted(figures.minutes_to_acknowledge) == [10, 30, 40, 90]
    assert (figures.median_minutes_to_acknowledge, figures.p90_minutes_to_acknowledge) == (35, 90)
    assert figures.not_acknowledged == 1
    assert figures.pain_pairs == [(8, 3), (6, 5)]
    assert (figures.median_pain_baseline, figures.median_pain_4_to_6_weeks, figures.improved_rate) == (7, 4, 50)


def test_the_report_page_and_its_csv_show_the_same_figures(client, admin_user, hand_counted):
    client.force_login(admin_user)
    page = client.get(reverse("reports:completion"), PERIOD).content.decode()
    assert "Check-ins after the procedure" in page and "<td>81.8</td>" in page
    csv = client.get(reverse("reports:table-csv", args=["checkins"]), PERIOD).content.decode()
    assert "Response rate (%),81.8" in csv
    assert "Median minutes to acknowledge,35.0" in csv and "p90 minutes to acknowledge,90.0" in csv
    assert "Improved by 2 points or more (%),50.0" in csv and "Median pain at baseline,7" in csv


def test_an_empty_period_shows_dashes_not_zeros(checkin_data):
    figures = checkin_figures(ReportScope(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 1, 7)))
    assert (
        figures.response_rate is None and figures.p90_minutes_to_acknowledge is None and figures.improved_rate is None
    )
