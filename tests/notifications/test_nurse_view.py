"""Nurses see the delivery log on the episode page and contact problems on the worklist."""

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from notifications.dispatch import message_send
from notifications.models import Message
from notifications.services import message_record_provider_status
from tests.factories import PatientFactory, schedule_episode

from .conftest import START


def test_the_episode_page_shows_each_message_with_when_it_was_sent_and_whether_it_arrived(client, nurse, booked):
    night = booked.messages.get(kind="night_before", channel="sms")
    with time_machine.travel(night.scheduled_for, tick=False):
        message_send(night.pk)
    night.refresh_from_db()
    message_record_provider_status(provider_id=night.provider_id, status="delivered")
    client.force_login(nurse)
    response = client.get(reverse("checklists:episode-detail", args=[booked.pk]))
    assertContains(response, "Messages to the patient")
    row = response.content.decode().split("Night-before summary")[2].split("</tr>")[0]
    assert "sent Mon 9 Mar, 17:00" in row
    assert "Delivered" in row and "+12025550143" in row
    assertContains(response, "Arrange a driver")  # a reminder names its step


def test_a_failed_message_shows_its_reason_on_the_episode_page(client, nurse, booked):
    Message.objects.filter(pk=booked.messages.get(kind="week_before", channel="sms").pk).update(
        status="failed", last_error="Twilio 400 (code 21211): The 'To' number is not valid.", attempts=1
    )
    client.force_login(nurse)
    response = client.get(reverse("checklists:episode-detail", args=[booked.pk]))
    assertContains(response, "Twilio 400 (code 21211)")


def test_the_log_costs_one_query_whatever_the_number_of_messages(client, nurse, booked, protocol_version):
    quiet = schedule_episode(by=nurse, patient=PatientFactory(email="", phone=""), protocol_version=protocol_version)
    client.force_login(nurse)

    def queries(episode) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("checklists:episode-detail", args=[episode.pk]))
        return len(captured)

    queries(quiet)  # warm up
    assert quiet.messages.count() == 0 and booked.messages.count() == 12
    assert queries(booked) == queries(quiet)


def test_the_worklist_lists_patients_who_cannot_be_reached_and_failed_messages(client, nurse, protocol_version):
    now = dt.datetime.now(dt.UTC)
    unreachable = schedule_episode(
        by=nurse, patient=PatientFactory(first_name="Ursula", email="", phone=""), protocol_version=protocol_version
    )
    failing = schedule_episode(
        by=nurse,
        patient=PatientFactory(first_name="Fatima", phone="+12025550188"),
        protocol_version=protocol_version,
        start=now + dt.timedelta(days=2),
    )
    fixed = schedule_episode(
        by=nurse, patient=PatientFactory(first_name="Felix", phone="+12025550189"), protocol_version=protocol_version
    )
    for episode, recipient in ((failing, "+12025550188"), (fixed, "+12025550100")):  # Felix's number was corrected
        Message.objects.filter(episode=episode, kind="confirmation", channel="sms").update(
            status="failed", recipient=recipient, last_error="Twilio 400 (code 21211): not a valid phone number"
        )
    client.force_login(nurse)
    response = client.get(reverse("checklists:episode-list"))
    assertContains(response, "Contact problems (2)")
    assertContains(response, f"{unreachable.patient.full_name}</a>")
    assertContains(response, "Cannot be reached: no email and no phone on file")
    assertContains(response, "SMS failed: Twilio 400 (code 21211): not a valid phone number")
    assertNotContains(response, f"{fixed.patient.full_name}</a> (")


def test_the_soonest_five_contact_problems_show_and_the_rest_are_folded_so_the_worklist_stays_in_view(
    client, nurse, protocol_version
):
    now = dt.datetime.now(dt.UTC)
    for days in range(7, 0, -1):  # booked latest first: the box sorts them
        schedule_episode(
            by=nurse,
            patient=PatientFactory(first_name=f"Day{days}", last_name="Unreachable", email="", phone=""),
            protocol_version=protocol_version,
            start=now + dt.timedelta(days=days),
        )
    client.force_login(nurse)

    page = client.get(reverse("checklists:episode-list")).content.decode()

    box = page[page.index("Contact problems (7)") : page.index("</section>")]
    shown, folded = box.split("<details")
    assert [f"Day{days} Unreachable" in shown for days in range(1, 8)] == [True] * 5 + [False] * 2
    assert "Show the other 2" in folded and "Day6 Unreachable" in folded and "Day7 Unreachable" in folded
    assert shown.index("Day1 ") < shown.index("Day2 ") < shown.index("Day5 ")


def test_no_contact_problem_box_when_everyone_is_reachable(client, nurse, booked):
    client.force_login(nurse)
    with time_machine.travel(START - dt.timedelta(days=3), tick=False):
        response = client.get(reverse("checklists:episode-list"))
    assertNotContains(response, "Contact problems")


def test_the_episode_page_lists_the_patients_portal_invitation_email_as_sent(client, nurse, booked):
    client.force_login(nurse)
    client.post(reverse("portal:patient-invite", args=[booked.patient.pk]))
    response = client.get(reverse("checklists:episode-detail", args=[booked.pk]))
    rows = response.content.decode().split("Portal invitation")
    assert any("maria@example.org" in row.split("</tr>")[0] and "Sent" in row.split("</tr>")[0] for row in rows[1:])
