"""After care: procedures recorded as done whose tasks are not all closed, for the follow-up calls and checks."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from checklists import services
from checklists.models import Episode
from tests.factories import PatientFactory, schedule_episode

LOCAL = ZoneInfo(settings.TIME_ZONE)
NOW = dt.datetime(2025, 6, 12, 10, 0, tzinfo=LOCAL)
AFTER_CARE = reverse("checklists:after-care-list")


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def done_procedure(nurse, protocol_version, *, days_ago: int, last_name: str, close_all: bool = False) -> Episode:
    """A procedure `days_ago` days ago at 10:00, booked a fortnight before it and recorded as done on its day."""
    start = NOW - dt.timedelta(days=days_ago)
    with time_machine.travel(start - dt.timedelta(days=14), tick=False):
        episode = schedule_episode(
            by=nurse,
            start=start,
            nurse=nurse,
            protocol_version=protocol_version,
            patient=PatientFactory(last_name=last_name),
        )
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        for task in episode.tasks.exclude(phase="after") if not close_all else episode.tasks.all():
            services.task_complete(task=task, by=nurse, expected_version=task.version)
        services.episode_complete(episode=episode, by=nurse)
    return episode


@pytest.fixture
def logged_in(client, nurse):
    client.force_login(nurse)
    return client


def listed(response) -> list[str]:
    return [episode.patient.last_name for episode in response.context["page"].object_list]


def test_lists_completed_procedures_with_open_tasks_the_most_overdue_first(logged_in, nurse, protocol_version):
    done_procedure(nurse, protocol_version, days_ago=1, last_name="Yesterday")
    done_procedure(nurse, protocol_version, days_ago=5, last_name="LastWeek")
    done_procedure(nurse, protocol_version, days_ago=3, last_name="AllClosed", close_all=True)
    schedule_episode(by=nurse, start=NOW + dt.timedelta(days=2), protocol_version=protocol_version)
    cancelled = schedule_episode(by=nurse, start=NOW + dt.timedelta(days=3), protocol_version=protocol_version)
    services.episode_cancel(episode=cancelled, by=nurse, reason="Patient unwell")

    response = logged_in.get(AFTER_CARE)

    assert response.status_code == 200
    assert listed(response) == ["LastWeek", "Yesterday"]


def test_each_row_shows_the_open_and_overdue_tasks_and_the_next_one(logged_in, nurse, protocol_version):
    # "Lie flat" (after care) was due an hour after the start, five days ago.
    done_procedure(nurse, protocol_version, days_ago=5, last_name="LastWeek")

    html = logged_in.get(AFTER_CARE).content.decode()

    assert "<td>1</td>" in html  # one open task
    assert '<strong class="text-danger">1</strong>' in html  # overdue
    assert "Lie flat" in html
    assert "Sat 7 Jun, 11:00" in html


def test_nothing_waiting_says_so(logged_in, nurse, protocol_version):
    done_procedure(nurse, protocol_version, days_ago=3, last_name="AllClosed", close_all=True)

    response = logged_in.get(AFTER_CARE)

    assert listed(response) == []
    assert "No after care is waiting" in response.content.decode()


def test_the_care_team_reaches_it_from_the_menu_and_patients_are_forbidden(client, nurse, admin_user, patient_user):
    client.force_login(nurse)
    assert f'href="{AFTER_CARE}"' in client.get(reverse("checklists:episode-list")).content.decode()
    client.force_login(admin_user)
    assert client.get(AFTER_CARE).status_code == 200
    client.force_login(patient_user)
    assert client.get(AFTER_CARE).status_code == 403


def test_after_care_runs_the_same_queries_for_two_procedures_and_twenty(
    logged_in, nurse, protocol_version, django_assert_num_queries
):
    for number in range(2):
        done_procedure(nurse, protocol_version, days_ago=1 + number, last_name=f"First{number}")
    logged_in.get(AFTER_CARE)
    with django_assert_num_queries(5):  # session, user, count, page, the page's progress
        logged_in.get(AFTER_CARE)
    for number in range(18):
        done_procedure(nurse, protocol_version, days_ago=1 + number % 9, last_name=f"More{number}")

    with django_assert_num_queries(5):
        response = logged_in.get(AFTER_CARE)
    assert len(listed(response)) == 20
