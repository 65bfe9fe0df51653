"""Every read of a patient's data is logged (who, which patient, what, when, from where); the log is append-only."""

import pytest
from django.urls import reverse

from accounts.append_only import AppendOnlyError
from audit.models import PatientRead
from tests.factories import UserFactory


def reads():
    return list(
        PatientRead.objects.order_by("pk").values_list("user__username", "patient_id", "episode_id", "view_name")
    )


@pytest.mark.parametrize(
    "view_name", ["checklists:episode-detail", "portal:episode-pdf", "portal:episode-calendar", "portal:episode-print"]
)
def test_opening_an_episode_page_or_download_is_logged(client, nurse, patient_user, episode, view_name):
    user = patient_user if view_name.startswith("portal:") else nurse
    client.force_login(user)

    response = client.get(reverse(view_name, args=[episode.pk]), REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Ward PC")

    assert response.status_code == 200
    assert reads() == [(user.username, episode.patient_id, episode.pk, view_name)]
    read = PatientRead.objects.get()
    assert (read.ip_address, read.user_agent, read.path) == ("10.1.2.3", "Ward PC", response.request["PATH_INFO"])


def test_the_patient_page_and_my_checklist_are_logged(client, nurse, patient_user, episode):
    client.force_login(nurse)
    client.get(reverse("checklists:patient-detail", args=[episode.patient_id]))
    client.force_login(patient_user)
    client.get(reverse("portal:checklist"))

    assert reads() == [
        ("nina", episode.patient_id, None, "checklists:patient-detail"),
        ("pat", episode.patient_id, None, "portal:checklist"),
    ]


def test_a_report_and_its_csv_are_logged_with_their_filters(client, admin_user):
    client.force_login(admin_user)
    client.get(reverse("reports:completion"), {"date_from": "2026-01-05", "date_to": "2026-01-18"})
    client.get(reverse("reports:table-csv", args=["nurses"]), {"date_from": "2026-01-05", "date_to": "2026-01-18"})

    assert reads() == [("ada", None, None, "reports:completion"), ("ada", None, None, "reports:table-csv")]
    assert (
        PatientRead.objects.order_by("pk").last().path == "/reports/nurses.csv?date_from=2026-01-05&date_to=2026-01-18"
    )


def test_a_refused_request_is_not_a_read(client, patient_user, other_episode):
    client.force_login(patient_user)

    assert client.get(reverse("portal:episode-pdf", args=[other_episode.pk])).status_code == 404
    assert reads() == []


def test_the_forwarded_address_is_believed_only_behind_a_declared_proxy(client, nurse, episode, settings):
    client.force_login(nurse)
    url = reverse("checklists:episode-detail", args=[episode.pk])
    client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    settings.BEHIND_TLS_PROXY = True
    client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")

    assert list(PatientRead.objects.order_by("pk").values_list("ip_address", flat=True)) == ["10.0.0.1", "203.0.113.9"]


def test_admins_see_who_looked_at_a_record_and_no_one_else_does(client, nurse, admin_user, episode):
    client.force_login(nurse)
    client.get(reverse("checklists:episode-detail", args=[episode.pk]))
    url = reverse("audit:patient-reads", args=[episode.patient_id])

    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url)["Location"] == f"{reverse('login')}?next={url}"
    client.force_login(admin_user)
    page = client.get(url).content.decode()
    assert "Nina Nurse" in page
    assert "checklists:episode-detail" in page
    assert client.get(reverse("audit:patient-reads", args=[999999])).status_code == 404


def test_the_log_cannot_be_changed_or_deleted(client, nurse, episode):
    client.force_login(nurse)
    client.get(reverse("checklists:episode-detail", args=[episode.pk]))
    read = PatientRead.objects.get()

    read.view_name = "something else"
    with pytest.raises(AppendOnlyError):
        read.save()
    with pytest.raises(AppendOnlyError):
        read.delete()
    with pytest.raises(AppendOnlyError):
        PatientRead.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        PatientRead.objects.update(view_name="x")
    assert PatientRead.objects.get().view_name == "checklists:episode-detail"


def test_the_django_admin_shows_the_log_read_only(client, episode, nurse):
    root = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    client.force_login(nurse)
    client.get(reverse("checklists:episode-detail", args=[episode.pk]))
    client.force_login(root)
    read = PatientRead.objects.get()

    assert client.get(reverse("admin:audit_patientread_changelist")).status_code == 200
    assert client.post(reverse("admin:audit_patientread_delete", args=[read.pk]), {"post": "yes"}).status_code == 403
    assert PatientRead.objects.count() == 1
