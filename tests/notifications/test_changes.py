"""Change alerts: a reschedule supersedes the plan, re-plans and alerts at once; a cancellation cancels; a new
arrival time is told at once."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from checklists.models import Phase
from checklists.services import episodes
from notifications.dispatch import message_send
from notifications.models import ContactPreference, Kind, Message
from notifications.rendering import builtin_source
from notifications.sms import outbox
from notifications.wording import check_template
from tests.factories import schedule_episode

from .conftest import BOOKED_AT, START, add_patient_step, local

MOVED_AT = dt.datetime(2026, 3, 4, 15, 0, tzinfo=START.tzinfo)


def test_rescheduling_supersedes_the_old_plan_schedules_the_new_one_and_alerts_at_once(booked, nurse):
    old_night = booked.messages.get(kind="night_before", channel="sms")
    with time_machine.travel(MOVED_AT, tick=False):
        episodes.episode_reschedule(
            episode=booked, scheduled_start=START + dt.timedelta(days=1, hours=6), by=nurse, reason="Theatre list"
        )
    old_night.refresh_from_db()
    assert old_night.status == Message.Status.SUPERSEDED
    assert old_night.status_reason == "Procedure moved from 2026-03-10 08:00 to 2026-03-11 14:00"
    assert local(old_night.superseded_by.scheduled_for) == "Tue 10 Mar 17:00 EDT"
    # The messages already sent or due earlier stay as they were; the new plan is in force.
    alert = booked.messages.get(kind="rescheduled", channel="sms")
    assert (local(alert.scheduled_for), alert.previous_start) == ("Wed 04 Mar 15:00 EST", START)
    live = {(m.kind, local(m.scheduled_for)) for m in booked.messages.filter(status="scheduled", channel="sms")}
    assert ("night_before", "Tue 10 Mar 17:00 EDT") in live
    assert ("task_reminder", "Tue 10 Mar 20:00 EDT") in live  # last solid food now at 06:00 on the 11th: 04:00 is quiet


def test_moved_after_midnight_to_the_same_morning_the_night_before_summary_is_dropped_not_sent_at_once(booked, nurse):
    old_night = booked.messages.get(kind="night_before", channel="sms")
    # At 03:47 on Wednesday 4 March, the procedure is moved to 10:00 that morning.
    with time_machine.travel(dt.datetime(2026, 3, 4, 3, 47, tzinfo=START.tzinfo), tick=False):
        episodes.episode_reschedule(
            episode=booked, scheduled_start=dt.datetime(2026, 3, 4, 10, 0, tzinfo=START.tzinfo), by=nurse, reason="Gap"
        )
    old_night.refresh_from_db()
    assert old_night.status == Message.Status.SUPERSEDED
    assert not booked.messages.filter(kind="night_before", status="scheduled").exists()
    # The change alert goes at once and names the day.
    alert = booked.messages.get(kind="rescheduled", channel="sms")
    assert local(alert.scheduled_for) == "Wed 04 Mar 03:47 EST"
    with time_machine.travel(alert.scheduled_for, tick=False):
        assert message_send(alert.pk) == "sent"
    assert "to 10:00 a.m. Wednesday 4 March" in outbox[-1]["body"]
    assert "tomorrow" not in outbox[-1]["body"]


def test_the_change_alert_restates_old_and_new_start_and_every_cut_off(booked, nurse):
    with time_machine.travel(MOVED_AT, tick=False):
        episodes.episode_reschedule(
            episode=booked, scheduled_start=START + dt.timedelta(days=1, hours=6), by=nurse, reason="Theatre list"
        )
        alert = booked.messages.get(kind="rescheduled", channel="sms")
        assert message_send(alert.pk) == "sent"
    assert outbox[-1]["body"] == (
        "Kypho Tracker: Maria, your procedure has MOVED from 8:00 a.m. Tuesday 10 March "
        "to 2:00 p.m. Wednesday 11 March. "
        "Arrive by 12:30 p.m.\n"
        "By 6:00 a.m. Wednesday 11 March: Last solid food\n"
        "Questions: (555) 010-0100"
    )
    email = booked.messages.get(kind="rescheduled", channel="email")
    with time_machine.travel(MOVED_AT, tick=False):
        message_send(email.pk)
    email.refresh_from_db()
    assert email.subject == "New time for your back procedure: 2:00 p.m. Wednesday 11 March"
    assert "Old time: 8:00 a.m. Tuesday 10 March\nNEW time: 2:00 p.m. Wednesday 11 March" in email.body
    assert f"/my/episodes/{booked.pk}/calendar.ics" in email.body


def test_two_quick_reschedules_send_one_alert_from_the_first_start_to_the_last(booked, nurse):
    with time_machine.travel(MOVED_AT, tick=False):
        episodes.episode_reschedule(episode=booked, scheduled_start=START + dt.timedelta(days=1), by=nurse, reason="A")
        episodes.episode_reschedule(episode=booked, scheduled_start=START + dt.timedelta(days=2), by=nurse, reason="B")
    alerts = booked.messages.filter(kind="rescheduled", channel="sms")
    assert sorted(alerts.values_list("status", flat=True)) == ["scheduled", "superseded"]
    assert alerts.get(status="scheduled").previous_start == START


def test_rescheduling_back_to_the_first_time_plans_it_again(booked, nurse):
    with time_machine.travel(MOVED_AT, tick=False):
        episodes.episode_reschedule(episode=booked, scheduled_start=START + dt.timedelta(days=1), by=nurse, reason="A")
        episodes.episode_reschedule(episode=booked, scheduled_start=START, by=nurse, reason="Back")
    night = booked.messages.filter(kind="night_before", channel="sms")
    assert sorted(night.values_list("status", flat=True)) == ["scheduled", "superseded", "superseded"]


def test_cancelling_cancels_what_is_left_and_tells_the_patient_at_once(booked, nurse):
    with time_machine.travel(MOVED_AT, tick=False):
        episodes.episode_cancel(episode=booked, by=nurse, reason="Fever")
    rows = booked.messages.exclude(kind__in=["confirmation", "cancelled"])
    assert set(rows.values_list("status", "status_reason")) == {("cancelled", "Procedure cancelled")}
    alert = booked.messages.get(kind="cancelled", channel="sms")
    assert local(alert.scheduled_for) == "Wed 04 Mar 15:00 EST"
    with time_machine.travel(MOVED_AT, tick=False):
        message_send(alert.pk)
    assert "is CANCELLED. Do not come in for it." in outbox[-1]["body"]


def test_a_change_rolled_back_leaves_no_message(booked, nurse):
    before = list(Message.objects.values_list("pk", "status"))
    with pytest.raises(RuntimeError), transaction.atomic():
        episodes.episode_reschedule(episode=booked, scheduled_start=START + dt.timedelta(days=1), by=nurse, reason="A")
        assert Message.objects.filter(kind="rescheduled").exists()
        raise RuntimeError("the request failed after the change")
    assert list(Message.objects.values_list("pk", "status")) == before


def test_a_booking_at_noon_sends_the_confirmation_at_noon(booked):
    assert local(booked.messages.get(kind="confirmation", channel="email").scheduled_for) == local(BOOKED_AT)


# A new arrival time (the procedure itself does not move): the patient is told at once.


def arrive_earlier(episode, nurse, *, minutes_before: int = 120, at: dt.datetime = MOVED_AT):
    with time_machine.travel(at, tick=False):
        episodes.episode_update(episode=episode, by=nurse, arrival_minutes_before=minutes_before)


def test_a_new_arrival_time_is_told_at_once_on_each_of_her_channels_with_the_unchanged_start(booked, nurse):
    arrive_earlier(booked, nurse)  # 06:30 → 06:00

    alerts = booked.messages.filter(kind="arrival_changed")
    assert {(m.channel, local(m.scheduled_for)) for m in alerts} == {
        ("email", "Wed 04 Mar 15:00 EST"),
        ("sms", "Wed 04 Mar 15:00 EST"),
    }
    with time_machine.travel(MOVED_AT, tick=False):
        assert message_send(alerts.get(channel="sms").pk) == "sent"
        assert message_send(alerts.get(channel="email").pk) == "sent"
    assert outbox[-1]["body"] == (
        "Kypho Tracker: Maria, your ARRIVAL TIME has changed. Please arrive by 6:00 a.m. Tuesday 10 March. "
        "Your procedure is still at 8:00 a.m. Tuesday 10 March.\n"
        "Questions: (555) 010-0100"
    )
    email = alerts.get(channel="email")
    assert email.subject == "New arrival time for your back procedure: 6:00 a.m. Tuesday 10 March"
    assert "NEW arrival time: please arrive by 6:00 a.m. Tuesday 10 March\n" in email.body
    assert "Procedure (same time as before): 8:00 a.m. Tuesday 10 March" in email.body


def test_a_spanish_speaking_patient_is_told_her_new_arrival_time_in_spanish(booked, nurse, maria):
    maria.preferred_language = "es"
    maria.save()
    arrive_earlier(booked, nurse)

    sms = booked.messages.get(kind="arrival_changed", channel="sms")
    with time_machine.travel(MOVED_AT, tick=False):
        assert message_send(sms.pk) == "sent"
    assert outbox[-1]["body"] == (
        "Kypho Tracker: Maria, cambio su HORA DE LLEGADA. Llegue a mas tardar el martes 10 de marzo a las 06:00. "
        "Su procedimiento sigue siendo el martes 10 de marzo a las 08:00.\n"
        "Preguntas: (555) 010-0100"
    )


def test_every_later_message_gives_the_procedures_own_arrival_time(booked, nurse):
    arrive_earlier(booked, nurse)

    night = booked.messages.get(kind="night_before", channel="sms", status="scheduled")
    with time_machine.travel(night.scheduled_for, tick=False):
        assert message_send(night.pk) == "sent"
    assert "Arrive by 6:00 a.m. with your driver." in outbox[-1]["body"]


def test_a_step_due_once_she_has_arrived_loses_its_reminder(nurse, maria, protocol_version):
    add_patient_step(protocol_version, "Take your morning tablets", phase=Phase.DAY_OF, minutes=-180, position=2)
    # Quiet hours of her own, so this reminder (03:00) is a message of its own, not one with the night's others.
    ContactPreference.objects.create(patient=maria, quiet_start=dt.time(1, 0), quiet_end=dt.time(2, 0))
    with time_machine.travel(BOOKED_AT, tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=START)
    reminders = episode.messages.filter(kind="task_reminder", task__title="Take your morning tablets")
    assert set(reminders.values_list("status", flat=True)) == {"scheduled"}  # due at 05:00, she arrives at 06:30

    arrive_earlier(episode, nurse, minutes_before=240)  # 04:00: she takes them in the hospital

    assert set(reminders.values_list("status", "status_reason")) == {
        ("superseded", "Arrival moved to 2026-03-10 04:00")
    }


def test_correcting_the_clinician_or_the_nurse_sends_the_patient_nothing(booked, nurse, other_nurse):
    before = list(Message.objects.values_list("pk", "status"))
    with time_machine.travel(MOVED_AT, tick=False):
        episodes.episode_update(episode=booked, by=nurse, clinician="Dr. Okafor", nurse=other_nurse, reason="Rota")
    assert list(Message.objects.values_list("pk", "status")) == before


def test_no_arrival_alert_for_a_procedure_already_past(booked, nurse):
    arrive_earlier(booked, nurse, at=START + dt.timedelta(hours=1))

    assert not booked.messages.filter(kind="arrival_changed").exists()


def test_a_second_arrival_change_before_the_first_alert_went_replaces_it(booked, nurse):
    arrive_earlier(booked, nurse, minutes_before=120)
    arrive_earlier(booked, nurse, minutes_before=150)

    alerts = booked.messages.filter(kind="arrival_changed", channel="sms")
    first, second = alerts.get(status="superseded"), alerts.get(status="scheduled")
    assert (first.superseded_by, first.status_reason) == (second, "Replaced by a later change alert")
    with time_machine.travel(MOVED_AT, tick=False):
        assert message_send(second.pk) == "sent"
    assert "Please arrive by 5:30 a.m. Tuesday 10 March." in outbox[-1]["body"]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("channel", ["sms", "email"])
def test_the_shipped_arrival_alert_passes_the_editors_check_with_a_long_name(protocol_version, channel, language):
    subject, body = builtin_source(Kind.ARRIVAL_CHANGED, channel, language)

    check_template(version=protocol_version, channel=channel, language=language, subject=subject, body=body)
