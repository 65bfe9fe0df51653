"""After care: procedures that started but nobody recorded done, and after-care tasks still open once one is."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from checklists.models import Episode, Phase
from checklists.services.episodes import episode_cancel, episode_record_done
from checklists.services.tasks import task_mark_done
from tests.factories import PatientFactory, schedule_episode

LOCAL = ZoneInfo(settings.TIME_ZONE)
NOW = dt.datetime(2025, 6, 12, 10, 0, tzinfo=LOCAL)
AFTER_CARE = reverse("checklists:after-care-list")


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def book(nurse, protocol_version, *, start: dt.datetime, last_name: str) -> Episode:
    """Booked a fortnight ahead of its start, as the ward does."""
    with time_machine.travel(start - dt.timedelta(days=14), tick=False):
        return schedule_episode(
            by=nurse,
            start=start,
            nurse=nurse,
            protocol_version=protocol_version,
            patient=PatientFactory(last_name=last_name),
        )


def done_procedure(nurse, protocol_version, *, days_ago: int, last_name: str, after_care_done: bool = False) -> Episode:
    """A procedure `days_ago` days ago at 10:00, recorded done two hours later; "Arrange a driver" was never ticked."""
    start = NOW - dt.timedelta(days=days_ago)
    episode = book(nurse, protocol_version, start=start, last_name=last_name)
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        if after_care_done:
            for task in episode.tasks.filter(phase=Phase.AFTER):
                task_mark_done(task=task, by=nurse, expected_version=task.version)
        episode_record_done(episode=episode, by=nurse)
    return episode


@pytest.fixture
def logged_in(client, nurse):
    client.force_login(nurse)
    return client


def after_care_names(response) -> list[str]:
    return [episode.patient.last_name for episode in response.context["page"].object_list]


def not_recorded_names(response) -> list[str]:
    return [episode.patient.last_name for episode in response.context["not_recorded"]]


def test_after_care_lists_completed_procedures_with_open_after_care_tasks_most_urgent_first(
    logged_in, nurse, protocol_version
):
    done_procedure(nurse, protocol_version, days_ago=1, last_name="Yesterday")
    done_procedure(nurse, protocol_version, days_ago=5, last_name="LastWeek")
    # Only "Arrange a driver", from before the procedure, is open here: a gap in the record, not after care.
    done_procedure(nurse, protocol_version, days_ago=3, last_name="AfterCareDone", after_care_done=True)
    book(nurse, protocol_version, start=NOW + dt.timedelta(days=2), last_name="Upcoming")
    cancelled = book(nurse, protocol_version, start=NOW + dt.timedelta(days=3), last_name="Cancelled")
    episode_cancel(episode=cancelled, by=nurse, reason="Patient unwell")

    response = logged_in.get(AFTER_CARE)

    assert response.status_code == 200
    assert after_care_names(response) == ["LastWeek", "Yesterday"]


def test_each_row_shows_how_many_after_care_tasks_are_open_and_the_next_one(logged_in, nurse, protocol_version):
    episode = done_procedure(nurse, protocol_version, days_ago=5, last_name="LastWeek")
    assert episode.tasks.filter(phase=Phase.AFTER).count() == 1  # "Lie flat", due an hour after the start

    html = logged_in.get(AFTER_CARE).content.decode()

    assert "<td>1</td>" in html
    assert 'Lie flat<div>Sat 7 Jun, 11:00 · <strong class="text-danger">Overdue</strong></div>' in html
    assert "Arrange a driver" not in html


def test_procedures_started_but_not_recorded_done_are_listed_oldest_first(logged_in, nurse, protocol_version):
    book(nurse, protocol_version, start=NOW - dt.timedelta(hours=1), last_name="ThisMorning")
    book(nurse, protocol_version, start=NOW - dt.timedelta(days=2), last_name="TwoDaysAgo")
    book(nurse, protocol_version, start=NOW + dt.timedelta(hours=1), last_name="NotStartedYet")
    done_procedure(nurse, protocol_version, days_ago=1, last_name="Recorded")

    response = logged_in.get(AFTER_CARE)

    assert not_recorded_names(response) == ["TwoDaysAgo", "ThisMorning"]
    assert response.context["not_recorded_count"] == 2


def test_nothing_waiting_says_so(logged_in, nurse, protocol_version):
    done_procedure(nurse, protocol_version, days_ago=3, last_name="AllClosed", after_care_done=True)

    response = logged_in.get(AFTER_CARE)

    assert after_care_names(response) == []
    assert not_recorded_names(response) == []
    html = response.content.decode()
    assert "None: every procedure that has started is recorded as done or cancelled." in html
    assert "None: every procedure recorded as done has its after care closed." in html


def test_the_care_team_reaches_it_from_the_menu_and_patients_are_forbidden(client, nurse, admin_user, patient_user):
    client.force_login(nurse)
    assert f'href="{AFTER_CARE}"' in client.get(reverse("checklists:episode-list")).content.decode()
    client.force_login(admin_user)
    assert client.get(AFTER_CARE).status_code == 200
    client.force_login(patient_user)
    assert client.get(AFTER_CARE).status_code == 403


def test_after_care_pages_by_fifty_and_runs_the_same_queries_for_two_procedures_and_sixty(
    logged_in, nurse, protocol_version, django_assert_num_queries
):
    for number in range(2):
        done_procedure(nurse, protocol_version, days_ago=1 + number, last_name=f"First{number}")
        book(nurse, protocol_version, start=NOW - dt.timedelta(hours=1 + number), last_name=f"Open{number}")
    logged_in.get(AFTER_CARE)
    # Session, user; not recorded done: the list and its count; after care: the count and the page.
    with django_assert_num_queries(6):
        logged_in.get(AFTER_CARE)
    for number in range(58):
        done_procedure(nurse, protocol_version, days_ago=1 + number % 9, last_name=f"More{number}")

    with django_assert_num_queries(6):
        first_page = logged_in.get(AFTER_CARE)
    second_page = logged_in.get(AFTER_CARE, {"page": 2})

    assert len(after_care_names(first_page)) == 50
    assert len(after_care_names(second_page)) == 10
    assert "Page 1 of 2" in first_page.content.decode()
