"""Log-in attempts and reset emails per address, invitations and PDFs per login, are rate limited (429)."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PatientFactory


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS = {"login": "3/m", "password-reset": "2/h", "invitation": "2/h", "pdf": "2/m"}


@pytest.mark.parametrize("url", [reverse("login"), reverse("admin:login")], ids=["app", "django-admin"])
def test_log_in_attempts_from_one_address_are_limited_whatever_the_account(client, db, tight, url):
    statuses = [
        client.post(url, {"username": f"someone{n}", "password": "x"}, REMOTE_ADDR="10.9.9.9").status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]
    assert client.post(url, {"username": "a", "password": "x"}, REMOTE_ADDR="10.9.9.8").status_code == 200


def test_password_reset_emails_are_limited_per_address(client, patient_user, tight):
    statuses = [client.post(reverse("password_reset"), {"email": patient_user.email}).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_invitation_emails_are_limited_per_login(client, nurse, tight):
    client.force_login(nurse)
    patient = PatientFactory(email="rosa@example.org")

    statuses = [client.post(reverse("portal:patient-invite", args=[patient.pk])).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_pdf_downloads_are_limited_per_login(client, patient_user, episode, tight):
    client.force_login(patient_user)
    url = reverse("portal:episode-pdf", args=[episode.pk])

    statuses = [client.get(url).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert "wait a minute" in client.get(url).content.decode()
