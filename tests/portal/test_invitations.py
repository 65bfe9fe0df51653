"""A nurse or admin invites a patient: a login named after the email, and a one-time, expiring link."""

import datetime as dt
import re
import smtplib

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from notifications.models import Message
from portal.services import LINK_NOT_KEPT
from tests.factories import PatientFactory, UserFactory

NEW_PASSWORD = "Cement-sets-in-1-hour"


@pytest.fixture(autouse=True)
def a_week_without_a_clock_change():
    """Django counts a link's age in the hospital's wall-clock time: across a daylight-saving change the link lasts
    an hour less (March) or more (November). These tests time the expiry to the minute, so they run in a week
    with no change, whatever day the suite runs."""
    with time_machine.travel(dt.datetime(2026, 6, 8, 10, 0, tzinfo=dt.UTC), tick=True):
        yield


def invite(client, patient):
    return client.post(reverse("portal:patient-invite", args=[patient.pk]))


def later(seconds: float) -> float:
    """A moment `seconds` from now, as a timestamp: time-machine then leaves the local timezone alone,
    which matters because Django's tokens count naive local time."""
    return timezone.now().timestamp() + seconds


def link_in(message) -> str:
    return re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)


def set_password_with(client, link: str, password: str = NEW_PASSWORD):
    """Follow the emailed link the way a browser does, and choose a password."""
    response = client.get(link)
    if response.status_code != 302:
        return response
    return client.post(response.url, {"new_password1": password, "new_password2": password})


@pytest.fixture
def rosa(db):
    return PatientFactory(first_name="Rosa", last_name="Diaz", email="Rosa.Diaz@Example.org", preferred_language="en")


def test_invitation_creates_a_patient_login_named_after_the_lowercased_email(client, nurse, rosa):
    client.force_login(nurse)

    response = invite(client, rosa)

    assert response.status_code == 302
    assert response.url == reverse("checklists:patient-detail", args=[rosa.pk])
    rosa.refresh_from_db()
    assert rosa.user.username == rosa.user.email == "rosa.diaz@example.org"
    assert rosa.user.role == Role.PATIENT
    assert not rosa.user.has_usable_password()
    assert [message.to for message in mail.outbox] == [["rosa.diaz@example.org"]]
    assert "rosa.diaz@example.org" in mail.outbox[0].body
    assert settings.WARD_PHONE in mail.outbox[0].body


def test_patient_sets_a_password_with_the_link_and_logs_in_to_their_checklist(client, nurse, rosa):
    client.force_login(nurse)
    invite(client, rosa)
    link = link_in(mail.outbox[0])
    client.logout()

    response = set_password_with(client, link)

    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    logged_in = client.post(reverse("login"), {"username": "rosa.diaz@example.org", "password": NEW_PASSWORD})
    assert logged_in.status_code == 302
    assert client.get(reverse("portal:checklist")).status_code == 200


def test_a_used_link_does_not_work_a_second_time(client, nurse, rosa):
    client.force_login(nurse)
    invite(client, rosa)
    link = link_in(mail.outbox[0])
    client.logout()
    set_password_with(client, link)

    response = client.get(link, follow=True)

    assert response.context["validlink"] is False
    assert "This link no longer works" in response.content.decode()
    rosa.refresh_from_db()
    assert rosa.user.check_password(NEW_PASSWORD)


def test_the_link_expires_after_the_configured_time(client, nurse, rosa):
    client.force_login(nurse)
    invite(client, rosa)
    link = link_in(mail.outbox[0])
    client.logout()

    with time_machine.travel(later(settings.PASSWORD_RESET_TIMEOUT + 1)):
        response = client.get(link, follow=True)

    assert response.context["validlink"] is False
    rosa.refresh_from_db()
    assert not rosa.user.has_usable_password()


def test_the_link_still_works_just_before_it_expires(client, nurse, rosa):
    client.force_login(nurse)
    invite(client, rosa)
    link = link_in(mail.outbox[0])
    client.logout()

    with time_machine.travel(later(settings.PASSWORD_RESET_TIMEOUT - 60)):
        response = set_password_with(client, link)

    assert response.status_code == 302, response.context["form"].errors
    assert response.url == reverse("password_reset_complete")


def test_reinviting_sends_a_fresh_link_to_the_same_login(client, nurse, rosa):
    client.force_login(nurse)
    invite(client, rosa)
    rosa.refresh_from_db()
    first_user = rosa.user

    with time_machine.travel(later(24 * 60 * 60)):
        client.force_login(nurse)  # a day later: yesterday's session has ended
        response = invite(client, rosa)

    assert response.status_code == 302
    rosa.refresh_from_db()
    assert rosa.user == first_user
    assert User.objects.filter(role=Role.PATIENT).count() == 1
    assert len(mail.outbox) == 2
    assert link_in(mail.outbox[0]) != link_in(mail.outbox[1])


def test_a_new_invitation_ends_the_earlier_link(client, nurse, rosa):
    client.force_login(nurse)
    invite(client, rosa)
    invite(client, rosa)
    client.logout()

    stale = client.get(link_in(mail.outbox[0]), follow=True)
    fresh = set_password_with(client, link_in(mail.outbox[1]))

    assert stale.context["validlink"] is False
    assert fresh.url == reverse("password_reset_complete")


def test_reinvite_after_the_password_was_set_gives_a_working_link(client, nurse, rosa):
    client.force_login(nurse)
    invite(client, rosa)
    client.logout()
    set_password_with(client, link_in(mail.outbox[0]))
    client.force_login(nurse)

    invite(client, rosa)
    client.logout()

    # A new password: the current one cannot be chosen again.
    response = set_password_with(client, link_in(mail.outbox[1]), password="Another-" + NEW_PASSWORD)
    assert response.url == reverse("password_reset_complete")


def test_admin_can_invite_too(client, admin_user, rosa):
    client.force_login(admin_user)

    assert invite(client, rosa).status_code == 302
    assert len(mail.outbox) == 1


def test_patient_without_an_email_cannot_be_invited(client, nurse):
    patient = PatientFactory(first_name="Nomail", email="")
    client.force_login(nurse)

    response = invite(client, patient)

    assert response.status_code == 400
    assert "has no email address on file" in response.content.decode()
    patient.refresh_from_db()
    assert patient.user is None
    assert mail.outbox == []


def test_email_already_used_by_another_login_is_refused(client, nurse, rosa):
    UserFactory(username="rosa.diaz@example.org", role=Role.NURSE)
    client.force_login(nurse)

    response = invite(client, rosa)

    assert response.status_code == 400
    assert "already belongs to another login" in response.content.decode()
    rosa.refresh_from_db()
    assert rosa.user is None


def test_invitation_email_is_in_the_patients_language(client, nurse):
    patient = PatientFactory(first_name="Ana", email="ana@example.org", preferred_language="es")
    client.force_login(nurse)

    invite(client, patient)

    assert mail.outbox[0].subject == "Su lista en Kypho Tracker: elija su contraseña"
    assert "Hola, Ana:" in mail.outbox[0].body
    assert "El enlace funciona una sola vez" in mail.outbox[0].body


def test_invitation_is_in_the_patients_history(client, nurse, rosa):
    client.force_login(nurse)

    invite(client, rosa)

    record = rosa.history.latest()
    assert record.history_user == nurse
    assert record.history_change_reason == "Portal invitation sent to rosa.diaz@example.org"


def test_patient_page_offers_the_invitation_to_the_care_team(client, nurse, rosa):
    client.force_login(nurse)

    page = client.get(reverse("checklists:patient-detail", args=[rosa.pk])).content.decode()

    assert reverse("portal:patient-invite", args=[rosa.pk]) in page
    assert "Invite to the patient portal" in page


def test_a_patient_can_log_in_with_their_email_in_any_case(client, patient_user):
    patient_user.username = "pat@example.org"
    patient_user.set_password("a-long-pass-phrase")
    patient_user.save()

    response = client.post(reverse("login"), {"username": "Pat@Example.ORG", "password": "a-long-pass-phrase"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(patient_user.pk)


def test_two_logins_cannot_differ_only_in_case(db, patient_user):
    patient_user.username = "pat@example.org"
    patient_user.save()
    with pytest.raises(IntegrityError):
        UserFactory(username="PAT@example.org")


def test_the_invitation_email_is_in_the_delivery_log_without_its_link(client, nurse, rosa):
    client.force_login(nurse)

    invite(client, rosa)

    [logged] = Message.objects.filter(patient=rosa, kind="invitation", channel="email")
    sent = mail.outbox[0]
    assert (logged.status, logged.recipient, logged.subject) == ("sent", "rosa.diaz@example.org", sent.subject)
    assert logged.sent_at is not None and logged.language == "en"
    assert link_in(sent) in sent.body and "/accounts/reset/" not in logged.body  # the one-time link is not kept
    assert logged.body == sent.body.replace("http://testserver" + link_in(sent), LINK_NOT_KEPT)


def test_a_mail_server_failure_changes_nothing_and_says_so(client, nurse, rosa, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("portal.services.send_mail", refuse)
    client.force_login(nurse)

    response = invite(client, rosa)

    assert response.status_code == 400
    assert "could not be sent" in response.content.decode()
    rosa.refresh_from_db()
    assert rosa.user is None and not Message.objects.filter(patient=rosa).exists()
