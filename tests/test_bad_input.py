"""Input no page can use gets a 4xx and a clear message, never a 500 (each case was once a 500)."""

import pytest
from django.urls import reverse

from checklists.models import Episode


@pytest.fixture
def logged_in(client, nurse):
    client.force_login(nurse)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start_to": "9999-12-31"}, "less than or equal to 2999-12-31"),
        ({"start_from": "0001-01-01"}, "greater than or equal to 2000-01-01"),
        ({"start_from": "2026-03-10", "start_to": "2026-03-01"}, "“From” must be on or before “To”."),
        ({"scope": "everyone"}, "Select a valid choice."),
        ({"q": "x " * 60}, "at most 100 characters"),
    ],
)
def test_a_worklist_filter_out_of_range_is_a_bad_request_with_its_reason(logged_in, query, message):
    response = logged_in.get(reverse("checklists:episode-list"), query)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_procedure_cannot_be_scheduled_or_moved_years_ahead(logged_in, episode):
    far = {"scheduled_start": "9999-12-31T10:00", "reason": "Typo"}

    moved = logged_in.post(reverse("checklists:episode-reschedule", args=[episode.pk]), far)
    booked = logged_in.post(
        reverse("checklists:episode-create", args=[episode.patient_id]),
        {**far, "protocol_version": episode.protocol_version_id, "vertebral_levels": "L1", "clinician": "Dr. Patel"},
    )

    assert moved.status_code == 400
    assert messages_of(moved) == ["New start: A procedure can be scheduled at most 2 years ahead."]
    assert booked.status_code == 400
    assert "A procedure can be scheduled at most 2 years ahead." in booked.content.decode()
    assert Episode.objects.count() == 1


def test_a_task_version_beyond_any_real_one_is_a_bad_request(logged_in, client, episode, patient_user):
    task = episode.tasks.get(title="Arrange a driver")
    huge = {"version": 2**31, "note": ""}

    assert logged_in.post(reverse("checklists:task-mark-done", args=[task.pk]), huge).status_code == 400
    client.force_login(patient_user)
    assert client.post(reverse("portal:task-report", args=[task.pk]), huge).status_code == 400
    task.refresh_from_db()
    assert (task.status, task.version) == ("pending", 1)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-01-01", "date_to": "9999-12-31"}, "less than or equal to 2999-12-31"),
        ({"date_from": "2010-01-01", "date_to": "2026-01-01"}, "A report covers at most 5 years"),
    ],
)
def test_a_report_period_out_of_range_is_a_bad_request(client, admin_user, query, message):
    client.force_login(admin_user)

    page = client.get(reverse("reports:completion"), query)
    csv_file = client.get(reverse("reports:table-csv", args=["trend"]), query)

    assert page.status_code == 400
    assert message in page.content.decode()
    assert csv_file.status_code == 400


@pytest.mark.parametrize("login_url", [reverse("login"), reverse("admin:login")])
def test_an_over_long_username_is_refused_by_the_login_forms(client, db, login_url):
    response = client.post(login_url, {"username": "x" * 300, "password": "whatever"})

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["Ensure this value has at most 150 characters (it has 300)."]


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"QUERY_STRING": "q=a%00b"},
        {"HTTP_USER_AGENT": "Mozilla\x00"},
    ],
)
def test_a_nul_character_in_the_query_or_a_header_is_a_bad_request(client, nurse, request_kwargs):
    client.force_login(nurse)

    response = client.get(reverse("checklists:episode-list"), **request_kwargs)

    assert response.status_code == 400
    assert response.content == b"The request contains a NUL character."


def test_a_history_page_with_a_non_numeric_id_is_not_found(client, admin_user, episode):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)

    assert client.get(f"/admin/checklists/patient/{episode.patient_id}/history/abc/").status_code == 404
    assert client.get("/admin/checklists/patient/abc/history/").status_code == 404


def test_a_refused_worklist_filter_keeps_the_my_patients_tab(logged_in):
    response = logged_in.get(reverse("checklists:episode-list"), {"scope": "mine", "start_to": "9999-12-31"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-current="page" href="?start_to=9999-12-31&amp;scope=mine">My patients</a>' in html
    assert '<input type="hidden" name="scope" value="mine"' in html
