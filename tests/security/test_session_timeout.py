"""Automatic log-off: staff after 15 idle minutes, patients after 30, everyone 12 hours after log-in."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

LOGIN = reverse("login")
WORKLIST = reverse("checklists:episode-list")
PORTAL = reverse("portal:checklist")
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def later(clock, **delta) -> None:
    clock.move_to(START + dt.timedelta(**delta))


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_nurse_idle_for_15_minutes_is_logged_out_and_told_why(client, nurse, clock):
    client.force_login(nurse)
    later(clock, minutes=15)

    response = client.get(WORKLIST)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not is_logged_in(client)
    page = client.get(response["Location"]).content.decode()
    assert "logged out because nothing happened for 15 minutes" in page


def test_a_nurse_who_keeps_working_stays_logged_in(client, nurse, clock):
    client.force_login(nurse)
    for minutes in (10, 20, 30, 40):
        later(clock, minutes=minutes)
        assert client.get(WORKLIST).status_code == 200
    assert is_logged_in(client)


def test_the_idle_limit_is_a_setting(client, nurse, clock, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 5
    client.force_login(nurse)
    later(clock, minutes=5)

    assert client.get(WORKLIST).status_code == 302
    assert not is_logged_in(client)


def test_a_patient_may_stay_idle_29_minutes_but_not_30(client, patient_user, episode, clock):
    client.force_login(patient_user)
    later(clock, minutes=29)
    assert client.get(PORTAL).status_code == 200

    later(clock, minutes=29 + 30)
    response = client.get(PORTAL)

    assert response.status_code == 302
    assert "nothing happened for 30 minutes" in client.get(response["Location"]).content.decode()


def test_everyone_is_logged_out_12_hours_after_logging_in_however_busy(client, nurse, clock, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 90  # fewer requests to stay busy for 12 hours
    client.force_login(nurse)
    for hours in range(1, 12):
        later(clock, hours=hours)
        client.get(WORKLIST)
    assert is_logged_in(client)

    later(clock, hours=12)
    response = client.get(WORKLIST)

    assert not is_logged_in(client)
    assert "you logged in 12 hours ago" in client.get(response["Location"]).content.decode()


def test_an_htmx_request_after_expiry_sends_the_whole_page_to_log_in(client, nurse, episode, clock):
    client.force_login(nurse)
    task = episode.tasks.first()
    page = reverse("checklists:episode-detail", args=[episode.pk])
    later(clock, minutes=16)

    response = client.post(
        reverse("checklists:task-mark-done", args=[task.pk]),
        {"version": task.version},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{LOGIN}?next=%2Fepisodes%2F{episode.pk}%2F"
    assert response.content == b""
    task.refresh_from_db()
    assert task.status == "pending"
