"""The worklist: upcoming procedures with their readiness, filtered, counted and paged from the URL."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checklists.models import ContactAttempt, Episode
from checklists.services.contacts import contact_attempt_record
from checklists.services.episodes import episode_cancel
from checklists.services.tasks import task_mark_done
from tests.factories import PatientFactory, ProtocolVersionFactory, TaskTemplateFactory, record_done, schedule_episode

LOCAL = ZoneInfo(settings.TIME_ZONE)
# A Monday morning in June: no daylight-saving change in the next three weeks.
NOW = dt.datetime(2025, 6, 2, 10, 0, tzinfo=LOCAL)
WORKLIST = reverse("checklists:episode-list")


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def at(days: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A local start time `days` after today."""
    return dt.datetime.combine(NOW.date() + dt.timedelta(days=days), dt.time(hour, minute), tzinfo=LOCAL)


def book(by, protocol_version, *, days: int, hour: int = 10, nurse=None, **patient_fields) -> Episode:
    return schedule_episode(
        by=by,
        start=at(days, hour),
        nurse=nurse,
        protocol_version=protocol_version,
        patient=PatientFactory(**patient_fields),
    )


def tick(episode: Episode, title: str, *, by) -> None:
    task = episode.tasks.get(title=title)
    task_mark_done(task=task, by=by, expected_version=task.version)


def listed(response) -> list[int]:
    return [episode.pk for episode in response.context["page"].object_list]


def rows(response) -> list[dict[str, str]]:
    """The worklist table as the nurse reads it: one dict per row, keyed by column heading, tags stripped."""
    html = response.content.decode()
    headings = [_text(cell) for cell in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)]
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return [
        dict(zip(headings, [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)], strict=True))
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def logged_in(client, nurse):
    client.force_login(nurse)
    return client


@pytest.fixture
def one_of_each(nurse, other_nurse, protocol_version) -> dict[str, Episode]:
    """One episode in each readiness state, keyed by its readiness value."""
    # "Arrange a driver" is due 7 days before at 09:00, so two days ahead it is overdue.
    blocked = book(
        nurse, protocol_version, days=2, nurse=nurse, first_name="Margaret", last_name="Thornbury", mrn="ZQ-40411"
    )
    # Driver arranged; today at 15:00, so the day-of "Consent signed" now counts, still open.
    at_risk = book(nurse, protocol_version, days=0, hour=15, nurse=other_nurse, first_name="Harold", last_name="Quill")
    tick(at_risk, "Arrange a driver", by=nurse)
    on_track = book(nurse, protocol_version, days=10, nurse=nurse, first_name="Iris", last_name="Penhallow")
    # Driver arranged, two days ahead: only the day-of consent is left, which cannot be done yet.
    ready_for_day = book(nurse, protocol_version, days=2, hour=11, first_name="Ruth", last_name="Early")
    tick(ready_for_day, "Arrange a driver", by=nurse)
    ready = book(nurse, protocol_version, days=5, nurse=nurse, first_name="Victor", last_name="Ashdown")
    tick(ready, "Arrange a driver", by=nurse)
    tick(ready, "Consent signed", by=nurse)
    return {
        "blocked": blocked,
        "at_risk": at_risk,
        "on_track": on_track,
        "ready_for_day": ready_for_day,
        "ready": ready,
    }


def test_by_default_the_worklist_shows_today_and_the_next_fourteen_days(logged_in, nurse, protocol_version):
    yesterday = book(nurse, protocol_version, days=-1)
    today = book(nurse, protocol_version, days=0, hour=15)
    in_ten_days = book(nurse, protocol_version, days=10)
    last_day = book(nurse, protocol_version, days=14, hour=23)
    day_after_window = book(nurse, protocol_version, days=15, hour=1)
    in_twenty_days = book(nurse, protocol_version, days=20)

    response = logged_in.get(WORKLIST)

    assert response.status_code == 200
    assert listed(response) == [today.pk, in_ten_days.pk, last_day.pk]
    assert yesterday.pk not in listed(response)
    assert {day_after_window.pk, in_twenty_days.pk}.isdisjoint(listed(response))


def test_the_worklist_is_sorted_by_start(logged_in, nurse, protocol_version):
    later = book(nurse, protocol_version, days=5)
    soonest = book(nurse, protocol_version, days=1)
    middle = book(nurse, protocol_version, days=3)
    same_start_as_middle = book(nurse, protocol_version, days=3)

    response = logged_in.get(WORKLIST)

    assert listed(response) == [soonest.pk, middle.pk, same_start_as_middle.pk, later.pk]


def test_my_patients_lists_only_episodes_assigned_to_me(logged_in, nurse, other_nurse, protocol_version):
    mine = book(nurse, protocol_version, days=1, nurse=nurse)
    olgas = book(nurse, protocol_version, days=2, nurse=other_nurse)
    unassigned = book(nurse, protocol_version, days=3)

    assert listed(logged_in.get(WORKLIST)) == [mine.pk, olgas.pk, unassigned.pk]
    response = logged_in.get(WORKLIST, {"scope": "mine"})
    assert listed(response) == [mine.pk]
    assert response.context["mine"] is True


def test_start_from_and_start_to_pick_whole_local_days(logged_in, nurse, protocol_version):
    book(nurse, protocol_version, days=3)
    first_of_range = book(nurse, protocol_version, days=5, hour=0)
    last_of_range = book(nurse, protocol_version, days=20, hour=23)
    book(nurse, protocol_version, days=21, hour=0)

    response = logged_in.get(WORKLIST, {"start_from": at(5).date().isoformat(), "start_to": at(20).date().isoformat()})

    assert response.status_code == 200
    assert listed(response) == [first_of_range.pk, last_of_range.pk]


@pytest.mark.parametrize("readiness", ["blocked", "at_risk", "on_track", "ready_for_day", "ready"])
def test_the_readiness_filter_shows_only_episodes_in_that_state(logged_in, one_of_each, readiness):
    response = logged_in.get(WORKLIST, {"readiness": readiness})

    assert listed(response) == [one_of_each[readiness].pk]
    assert response.context["page"].paginator.count == 1


def test_the_nurse_filter_shows_only_that_nurses_episodes(logged_in, other_nurse, one_of_each):
    response = logged_in.get(WORKLIST, {"nurse": other_nurse.pk})

    assert listed(response) == [one_of_each["at_risk"].pk]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("thorn", ["blocked"]),  # a fragment of the last name, any case
        ("HAR", ["at_risk"]),  # a fragment of the first name
        ("zq-40411", ["blocked"]),  # the exact MRN, any case
        ("ZQ-404", []),  # an MRN must match whole: a fragment could pick the wrong patient
        ("iris penhallow", ["on_track"]),  # every word must match
        ("iris thornbury", []),
    ],
)
def test_search_finds_patients_by_name_fragment_or_exact_mrn(logged_in, one_of_each, q, expected):
    response = logged_in.get(WORKLIST, {"q": q})

    assert listed(response) == [one_of_each[state].pk for state in expected]


@pytest.mark.parametrize(
    "params",
    [{"start_from": "not-a-date"}, {"start_to": "2025-13-40"}, {"readiness": "cancelled"}, {"nurse": "999999"}],
)
def test_an_invalid_filter_value_is_a_bad_request_not_a_crash(logged_in, one_of_each, params):
    response = logged_in.get(WORKLIST, params)

    assert response.status_code == 400
    assert response.context["filter"].errors


def test_the_worklist_shows_fifty_episodes_a_page_and_page_links_keep_the_filters(
    logged_in, nurse, other_nurse, protocol_version
):
    ninas = [
        book(nurse, protocol_version, days=1 + index % 13, hour=7 + index % 10, nurse=nurse) for index in range(51)
    ]
    book(nurse, protocol_version, days=1, nurse=other_nurse)
    by_start = sorted(ninas, key=lambda episode: (episode.scheduled_start, episode.pk))

    first = logged_in.get(WORKLIST, {"nurse": nurse.pk})
    second = logged_in.get(WORKLIST, {"nurse": nurse.pk, "page": 2})

    assert listed(first) == [episode.pk for episode in by_start[:50]]
    assert f'href="?nurse={nurse.pk}&amp;page=2">Next</a>' in first.content.decode()
    # Had the link dropped the nurse filter, Olga's episode would be on page 2 as well.
    assert listed(second) == [by_start[50].pk]
    assert f'href="?nurse={nurse.pk}&amp;page=1">Previous</a>' in second.content.decode()
    assert "Page 2 of 2" in second.content.decode()
    # The count that pages the list comes from the readiness counts: it follows a readiness filter too.
    blocked = Episode.objects.with_readiness().filter(nurse=nurse, readiness="blocked")
    assert 0 < blocked.count() < 50
    only_blocked = logged_in.get(WORKLIST, {"nurse": nurse.pk, "readiness": "blocked"})
    assert only_blocked.context["page"].paginator.count == blocked.count()
    assert listed(only_blocked) == list(blocked.order_by("scheduled_start", "pk").values_list("pk", flat=True))


def test_readiness_counts_at_the_top_follow_the_current_filter(logged_in, nurse, other_nurse, one_of_each):
    everyone = logged_in.get(WORKLIST)
    olgas = logged_in.get(WORKLIST, {"nurse": other_nurse.pk})
    mine = logged_in.get(WORKLIST, {"scope": "mine"})

    everyone_counts = {"Blocked": 1, "At risk": 1, "On track": 1, "Ready for the day": 1, "Ready": 1}
    assert everyone.context["readiness_counts"] == everyone_counts
    olgas_counts = {"Blocked": 0, "At risk": 1, "On track": 0, "Ready for the day": 0, "Ready": 0}
    assert olgas.context["readiness_counts"] == olgas_counts
    mine_counts = {"Blocked": 1, "At risk": 0, "On track": 1, "Ready for the day": 0, "Ready": 1}
    assert mine.context["readiness_counts"] == mine_counts
    assert "<strong>1</strong> at risk" in olgas.content.decode()
    assert "<strong>0</strong> blocked" in olgas.content.decode()


def test_each_row_shows_readiness_progress_by_phase_overdue_count_and_what_blocks(logged_in, one_of_each):
    response = logged_in.get(WORKLIST, {"start_to": at(2).date().isoformat()})

    at_risk, blocked, _ready_for_day = rows(response)
    assert blocked["Patient"] == "Margaret Thornbury MRN ZQ-40411"
    assert blocked["Nurse"] == "Nina Nurse"
    assert blocked["Readiness"] == "Blocked"
    assert blocked["Progress by phase"] == "Week before: 0/1 Night before: 0/1 Day of: 0/1 After: 0/1"
    assert blocked["Overdue"] == "1"
    # The driver was due seven days before the Wednesday procedure, at 09:00.
    assert blocked["What blocks"] == "Arrange a driver due Wed 28 May, 09:00 · and 1 more"
    assert at_risk["Nurse"] == "Olga Other"
    assert at_risk["Readiness"] == "At risk"
    assert at_risk["Progress by phase"] == "Week before: 1/1 Night before: 0/1 Day of: 0/1 After: 0/1"
    assert at_risk["Overdue"] == "1"
    # Not the next task (last solid food, 07:00, not critical) but the critical one: consent, an hour before 15:00.
    assert at_risk["What blocks"] == "Consent signed due Mon 2 Jun, 14:00"


def test_a_row_shows_every_cell_for_a_hand_made_episode(logged_in, nurse, protocol_version):
    """The cells worked out in Python (checklists/worklist.py) read as the template's filters wrote them."""
    later = book(nurse, protocol_version, days=2, nurse=nurse, first_name="Margaret", last_name="Thornbury", mrn="ZQ-1")
    with time_machine.travel(NOW - dt.timedelta(minutes=90), tick=False):
        contact_attempt_record(episode=later, by=nurse, outcome=ContactAttempt.Outcome.CALL_BACK)
    started = book(nurse, protocol_version, days=0, hour=8, first_name="Harold", last_name="Quill", mrn="ZQ-2")

    response = logged_in.get(WORKLIST)

    assert rows(response) == [
        {
            "Readiness": "Blocked",  # the day-of consent is still open two hours after the start
            "Patient": "Harold Quill MRN ZQ-2",
            "Procedure": "Mon 2 Jun, 08:00 2 hours ago",
            "Nurse": "—",
            "What blocks": "Arrange a driver due Mon 26 May, 09:00 · and 1 more",
            "Progress by phase": "Week before: 0/1 Night before: 0/1 Day of: 0/1 After: 0/1",
            "Overdue": "4",
            "Last contact": "None yet",
        },
        {
            "Readiness": "Blocked",
            "Patient": "Margaret Thornbury MRN ZQ-1",
            "Procedure": "Wed 4 Jun, 10:00 in 2 days",
            "Nurse": "Nina Nurse",
            "What blocks": "Arrange a driver due Wed 28 May, 09:00 · and 1 more",
            "Progress by phase": "Week before: 0/1 Night before: 0/1 Day of: 0/1 After: 0/1",
            "Overdue": "1",
            "Last contact": "Patient asked to call back Mon 2 Jun, 08:30",
        },
    ]
    html = response.content.decode()
    for episode in (later, started):
        assert f'<a href="{reverse("checklists:episode-detail", args=[episode.pk])}">' in html


def test_cancelled_and_completed_episodes_are_not_listed(logged_in, nurse, protocol_version):
    scheduled = book(nurse, protocol_version, days=1)
    cancelled = book(nurse, protocol_version, days=2)
    episode_cancel(episode=cancelled, by=nurse, reason="Patient unwell")
    completed = book(nurse, protocol_version, days=0, hour=8)
    record_done(completed, by=nurse)

    response = logged_in.get(WORKLIST)

    assert listed(response) == [scheduled.pk]


def test_a_patient_is_forbidden_and_an_admin_sees_the_worklist(client, patient_user, admin_user, one_of_each):
    client.force_login(patient_user)
    assert client.get(WORKLIST).status_code == 403

    client.force_login(admin_user)
    response = client.get(WORKLIST)
    assert response.status_code == 200
    assert len(listed(response)) == len(one_of_each)


def capture_worklist_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(WORKLIST).status_code == 200
    return [query["sql"] for query in queries]


def test_the_worklist_runs_a_fixed_number_of_queries_however_many_episodes(
    logged_in, django_assert_num_queries, nurse, other_nurse, protocol_version
):
    nurses = [nurse, other_nurse, None]
    for index in range(3):
        book(nurse, protocol_version, days=1 + index, nurse=nurses[index % 3])
    capture_worklist_queries(logged_in)  # warm up: one-time lookups are not the worklist's cost
    with_three = capture_worklist_queries(logged_in)

    for index in range(57):
        book(nurse, protocol_version, days=1 + index % 14, hour=7 + index % 10, nurse=nurses[index % 3])
    # Readiness, progress, patient and nurse come from annotations and joins, never a query per row.
    # Exactly: session, user, readiness counts (which also give the paginator its count), the page, the
    # page's progress, the patients no message can reach, the undelivered messages, the open check-in
    # alerts, the nurse filter.
    with django_assert_num_queries(9):
        with_sixty = capture_worklist_queries(logged_in)

    assert Episode.objects.count() == 60
    assert len(with_sixty) == len(with_three)


@pytest.fixture
def long_version(db):
    """A published protocol with 30 tasks, three of them critical, over every phase."""
    protocol_version = ProtocolVersionFactory()
    phases = ["week_before", "night_before", "day_of", "after"]
    for index in range(30):
        TaskTemplateFactory(protocol_version=protocol_version, phase=phases[index % 4], is_critical=index % 10 == 0)
    return protocol_version


def test_the_checklist_page_runs_the_same_queries_for_four_tasks_and_thirty(
    logged_in, django_assert_max_num_queries, nurse, other_nurse, protocol_version, long_version
):
    short = book(nurse, protocol_version, days=3, nurse=nurse)
    long = book(nurse, long_version, days=3, nurse=other_nurse)
    for episode in (short, long):
        for task, who in zip(episode.tasks.order_by("pk")[:3], [nurse, other_nurse, nurse], strict=True):
            task_mark_done(task=task, by=who, expected_version=task.version)

    def capture(episode) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert logged_in.get(reverse("checklists:episode-detail", args=[episode.pk])).status_code == 200
        return len(queries)

    capture(short)  # warm up
    # Tasks, who ticked them, the calls logged and the whole history are fetched a table at a time,
    # not a row at a time (plus one for the check-ins' pain chart and one for the time-out recorded in
    # the room; the "What blocks" box is drawn from the tasks already loaded).
    with django_assert_max_num_queries(13):
        four_tasks = capture(short)
    thirty_tasks = capture(long)

    assert long.tasks.count() == 30
    assert thirty_tasks == four_tasks
