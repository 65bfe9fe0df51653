"""Two invitations that used to end in a 500 are a 400 with the reason, and create no login."""

from django.urls import reverse

from accounts.models import Role, User
from tests.factories import PatientFactory, UserFactory


def invite(client, patient):
    return client.post(reverse("portal:patient-invite", args=[patient.pk]))


def test_an_email_longer_than_a_login_name_can_be_is_refused(client, nurse):
    patient = PatientFactory(email=("a" * 140) + "@example.org")  # 152 characters; login names hold 150
    client.force_login(nurse)
    logins = User.objects.count()

    response = invite(client, patient)

    assert response.status_code == 400
    assert "longer than a login name can be (150 characters)" in response.content.decode()
    assert User.objects.count() == logins
    patient.refresh_from_db()
    assert patient.user is None


def test_an_email_that_is_another_login_in_another_case_is_refused(client, nurse):
    UserFactory(username="Rosa.Diaz@Example.org", role=Role.NURSE)
    patient = PatientFactory(email="rosa.diaz@example.org")
    client.force_login(nurse)

    response = invite(client, patient)

    assert response.status_code == 400
    assert "already belongs to another login" in response.content.decode()
    patient.refresh_from_db()
    assert patient.user is None
