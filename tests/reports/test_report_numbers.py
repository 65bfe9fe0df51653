"""The report's figures for a fortnight counted by hand (see `build_fortnight` for what happened)."""

import pytest
import time_machine
from django.urls import reverse

from tests.factories import ProtocolFactory, small_protocol_version
from tests.reports.conftest import CONSENT, DRIVER, PERIOD, REPORT, june, table_rows


@pytest.fixture
def report(client, admin_user, fortnight_once):
    client.force_login(admin_user)
    response = client.get(REPORT, PERIOD)
    assert response.status_code == 200
    return response


class TestTheFortnightsReport:
    """The fortnight, built once for these tests that only read its report."""

    def test_readiness_at_start_counts_completed_procedures_ready_by_their_final_start(self, report):
        # In the period: 1-4 and 10 completed, 6-8 cancelled, 9 still scheduled; 5 was moved out.
        # Ready: 1, 4 (consent after the first start but before the final one) and 10.
        # Not ready: 2 (consent at 10:30, after the start) and 3 (driver never arranged, override).
        assert table_rows(report, "readiness") == [
            {
                "Procedures": "9",
                "Completed": "5",
                "Ready at start": "3",
                "Ready at start (%)": "60.0",
                "Signed off with override": "1",
                "Cancelled": "3",
                "Still scheduled": "1",
            }
        ]
        assert "<strong>60.0%</strong> of completed procedures were ready at start" in report.content.decode()
        assert "3 of 5 completed procedures" in report.content.decode()

    def test_rates_by_phase_count_na_as_complete_but_not_on_time_and_list_the_worst_first(self, report):
        # Week before (driver): 1 done, 2 N/A, 3 pending, 4 done on its moved due time, 10 done:
        # 4/5 closed, 3/3 on time.
        # Day of (consent): all 5 done, 2 and 3 late: 3/5 on time.
        # After (lie flat): 1 late, 3 N/A: 5/5 closed, 3/4 on time.
        # Night before (food): all 5 done, 2 late: 4/5 on time.
        assert table_rows(report, "phases") == [
            _rates("Week before", tasks=5, done=3, na=1, completion="80.0", on_time=3, on_time_rate="100.0"),
            _rates("Day of", tasks=5, done=5, na=0, completion="100.0", on_time=3, on_time_rate="60.0"),
            _rates("After", tasks=5, done=4, na=1, completion="100.0", on_time=3, on_time_rate="75.0"),
            _rates("Night before", tasks=5, done=5, na=0, completion="100.0", on_time=4, on_time_rate="80.0"),
        ]

    def test_rates_by_task_group_by_phase_and_title(self, report):
        rows = table_rows(report, "tasks")

        assert [(row["Phase"], row["Task"]) for row in rows] == [
            ("Week before", "Arrange a driver"),
            ("Day of", "Consent signed"),
            ("After", "Lie flat"),
            ("Night before", "Last solid food"),
        ]
        assert [(row["Completion rate (%)"], row["On-time rate (%)"]) for row in rows] == [
            ("80.0", "100.0"),
            ("100.0", "60.0"),
            ("100.0", "75.0"),
            ("100.0", "80.0"),
        ]

    def test_rates_by_nurse_count_only_tasks_of_completed_procedures(self, report):
        # Nina: 11 done (1: driver, food; 2: food late, lie flat; 3: food; 4: driver, food; 10: all four), 1 N/A.
        # Olga: 6 done (consent of 1, 2 late, 3 late, 4; lie flat of 1 late, 4), 1 N/A.
        # Nina's tick on cancelled 6 and Olga's on still-scheduled 9 count for no one.
        assert table_rows(report, "nurses") == [
            {
                "Nurse": "Nina Nurse",
                "Tasks done": "11",
                "On time": "10",
                "On-time rate (%)": "90.9",
                "Marked not applicable": "1",
            },
            {
                "Nurse": "Olga Other",
                "Tasks done": "6",
                "On time": "3",
                "On-time rate (%)": "50.0",
                "Marked not applicable": "1",
            },
        ]

    def test_weekly_trend_groups_by_the_local_monday_so_sunday_night_stays_in_its_week(self, report):
        # Week of 2 June: 1, 2, 3 (1 ready); 9 tasks done, 5 on time.
        # Week of 9 June: 4 and 10 — 10 starts Monday 16 June in UTC, but Sunday 23:30 in the hospital.
        assert table_rows(report, "trend") == [
            {
                "Week starting": "2025-06-02",
                "Completed": "3",
                "Ready at start": "1",
                "Ready at start (%)": "33.3",
                "Tasks done": "9",
                "On time": "5",
                "On-time rate (%)": "55.6",
            },
            {
                "Week starting": "2025-06-09",
                "Completed": "2",
                "Ready at start": "2",
                "Ready at start (%)": "100.0",
                "Tasks done": "8",
                "On time": "8",
                "On-time rate (%)": "100.0",
            },
        ]

    def test_cancellations_are_counted_by_reason_most_frequent_first(self, report):
        assert table_rows(report, "cancellations") == [
            {"Reason": "Patient had a chest infection", "Cancelled procedures": "2"},
            {"Reason": "Anticoagulant not stopped", "Cancelled procedures": "1"},
        ]

    def test_charts_carry_the_tables_numbers(self, report):
        charts = report.context["report"].charts

        assert charts["trend"]["labels"] == ["2025-06-02", "2025-06-09"]
        assert charts["trend"]["datasets"][0]["data"] == [33.3, 100.0]
        assert charts["trend"]["datasets"][1]["data"] == [55.6, 100.0]
        assert charts["phases"]["labels"] == ["Week before", "Day of", "After", "Night before"]
        assert charts["phases"]["datasets"][0]["data"] == [80.0, 100.0, 100.0, 100.0]
        assert charts["phases"]["datasets"][1]["data"] == [100.0, 60.0, 75.0, 80.0]
        assert 'id="trend-chart-data" type="application/json"' in report.content.decode()


def test_a_critical_task_closed_at_the_very_start_is_in_time_and_a_minute_later_is_not(client, admin_user, ward, nurse):
    on_the_dot, a_minute_late = ward.book(june(3, 10)), ward.book(june(4, 10))
    for episode in (on_the_dot, a_minute_late):
        ward.not_applicable(episode, DRIVER, by=nurse, at=june(2, 9))
    ward.done(on_the_dot, CONSENT, by=nurse, at=june(3, 10))
    ward.done(a_minute_late, CONSENT, by=nurse, at=june(4, 10, 1))
    ward.complete(on_the_dot)
    ward.complete(a_minute_late)
    client.force_login(admin_user)

    response = client.get(REPORT, PERIOD)

    assert table_rows(response, "readiness")[0]["Ready at start"] == "1"
    assert table_rows(response, "readiness")[0]["Ready at start (%)"] == "50.0"


def test_the_period_runs_from_local_midnight_to_local_midnight(client, admin_user, ward):
    # In UTC the first would be 2 June and the last 16 June: the hospital's dates decide.
    ward.book(june(1, 23, 30))  # out: the day before the period
    ward.book(june(2, 0, 30))  # in: first day
    ward.book(june(15, 23, 30))  # in: last day
    ward.book(june(16, 0, 30))  # out: the day after
    client.force_login(admin_user)

    response = client.get(REPORT, PERIOD)

    assert table_rows(response, "readiness")[0]["Procedures"] == "2"
    assert table_rows(response, "readiness")[0]["Still scheduled"] == "2"


def test_the_protocol_filter_keeps_only_that_protocols_procedures(client, admin_user, ward, protocol_version):
    other_version = small_protocol_version(protocol=ProtocolFactory(slug="vertebroplasty", name="Vertebroplasty"))
    ward.book(june(3, 10))
    ward.book(june(4, 10), protocol_version=other_version)
    client.force_login(admin_user)

    every_protocol = client.get(REPORT, PERIOD)
    kyphoplasty = client.get(REPORT, {**PERIOD, "protocol": protocol_version.protocol.pk})

    assert table_rows(every_protocol, "readiness")[0]["Procedures"] == "2"
    assert table_rows(kyphoplasty, "readiness")[0]["Procedures"] == "1"
    assert "protocol Kyphoplasty" in kyphoplasty.content.decode()


@pytest.mark.parametrize(
    ("today", "date_from", "date_to"),
    [
        (june(18, 9), "2025-04-21", "2025-06-15"),  # a Wednesday: up to last Sunday
        (june(16, 9), "2025-04-21", "2025-06-15"),  # a Monday: the week just ended is the last
        (june(15, 23), "2025-04-14", "2025-06-08"),  # a Sunday: its week is not over yet
    ],
)
def test_by_default_the_report_covers_the_last_eight_full_weeks(client, admin_user, today, date_from, date_to):
    client.force_login(admin_user)
    with time_machine.travel(today, tick=False):
        response = client.get(REPORT)

    assert response.status_code == 200
    scope = response.context["scope"]
    assert (scope.date_from.isoformat(), scope.date_to.isoformat()) == (date_from, date_to)
    assert len(table_rows(response, "trend")) == 8


def test_a_period_that_ends_before_it_starts_is_refused(client, admin_user):
    client.force_login(admin_user)

    backwards = {"date_from": "2025-06-15", "date_to": "2025-06-02"}

    response = client.get(REPORT, backwards)
    csv_response = client.get(reverse("reports:table-csv", args=["phases"]), backwards)

    assert response.status_code == 400
    assert "“From” must be on or before “To”." in response.content.decode()
    assert csv_response.status_code == 400


def _rates(phase, *, tasks, done, na, completion, on_time, on_time_rate) -> dict[str, str]:
    return {
        "Phase": phase,
        "Tasks": str(tasks),
        "Done": str(done),
        "Not applicable": str(na),
        "Completion rate (%)": completion,
        "On time": str(on_time),
        "On-time rate (%)": on_time_rate,
    }
