"""Nurses record how a patient wants to be reached; her scheduled messages follow at once."""

import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains

from checklists.services.patients import patient_update
from notifications.models import ContactPreference
from tests.factories import PatientFactory, schedule_episode

from .conftest import BOOKED_AT, START, local


def save(client, patient, **data):
    with time_machine.travel(BOOKED_AT, tick=False):
        return client.post(reverse("notifications:contact-preference-edit", args=[patient.pk]), data)


def test_turning_texts_off_cancels_the_scheduled_texts_and_keeps_email(client, nurse, booked):
    client.force_login(nurse)
    response = save(client, booked.patient, email_enabled="on")
    assert response.status_code == 302
    preference = ContactPreference.objects.get(patient=booked.patient)
    assert (preference.email_enabled, preference.sms_enabled) == (True, False)
    assert preference.history.latest().history_user == nurse
    sms = booked.messages.filter(channel="sms").exclude(kind="confirmation")
    assert set(sms.values_list("status", "status_reason")) == {("cancelled", "Contact preferences changed")}
    assert booked.messages.filter(channel="email", status="scheduled").count() == 6


def test_her_own_quiet_hours_move_her_scheduled_reminders(client, nurse, booked):
    client.force_login(nurse)
    save(client, booked.patient, email_enabled="on", sms_enabled="on", quiet_start="19:00", quiet_end="09:00")
    reminders = booked.messages.filter(kind="task_reminder", channel="sms", status="scheduled")
    assert sorted(local(m.scheduled_for) for m in reminders) == ["Mon 02 Mar 18:00 EST", "Mon 09 Mar 18:00 EDT"]


def test_quiet_hours_need_both_ends(client, nurse, booked):
    client.force_login(nurse)
    response = save(client, booked.patient, email_enabled="on", quiet_start="19:00")
    assert response.status_code == 302
    assert not ContactPreference.objects.exists()
    page = client.get(reverse("checklists:patient-detail", args=[booked.patient.pk]))
    assertContains(page, "Give both ends of the quiet hours")


def test_the_patient_page_shows_a_stop_reply_and_only_nurses_change_preferences(
    client, nurse, admin_user, patient_user, booked
):
    ContactPreference.objects.create(patient=booked.patient, sms_opted_out_at=BOOKED_AT)
    url = reverse("notifications:contact-preference-edit", args=[booked.patient.pk])
    client.force_login(admin_user)
    page = client.get(reverse("checklists:patient-detail", args=[booked.patient.pk]))
    assertContains(page, "Maria replied STOP on 1 Mar 2026")
    assert url not in page.content.decode()
    assert client.post(url, {"email_enabled": "on"}).status_code == 403
    client.force_login(patient_user)
    assert client.post(url, {"email_enabled": "on"}).status_code == 404  # not her record
    client.force_login(nurse)
    assert client.get(url).status_code == 405
    assert url in client.get(reverse("checklists:patient-detail", args=[booked.patient.pk])).content.decode()


def test_a_new_phone_number_plans_her_texts_and_a_removed_email_cancels_her_emails(nurse, protocol_version):
    patient = PatientFactory(first_name="Ana", email="ana@example.org", phone="")
    with time_machine.travel(BOOKED_AT, tick=False):
        episode = schedule_episode(by=nurse, patient=patient, protocol_version=protocol_version, start=START)
        assert not episode.messages.filter(channel="sms").exists()

        patient_update(patient=patient, by=nurse, phone="+12025550143")
        patient_update(patient=patient, by=nurse, email="")

    planned = episode.messages.exclude(kind="confirmation")
    texts = planned.filter(channel="sms", status="scheduled").values_list("kind", "task", "scheduled_for")
    emails = planned.filter(channel="email").values_list("kind", "task", "scheduled_for")
    assert len(texts) == 5 and set(texts) == set(emails)  # the same plan, now by text
    assert set(planned.filter(channel="email").values_list("status", "status_reason")) == {
        ("cancelled", "Contact details changed")
    }


def test_a_corrected_name_replans_nothing(nurse, booked):
    before = list(booked.messages.values_list("pk", "status", "scheduled_for"))
    with time_machine.travel(BOOKED_AT, tick=False):
        patient_update(patient=booked.patient, by=nurse, first_name="María")
    assert list(booked.messages.values_list("pk", "status", "scheduled_for")) == before
