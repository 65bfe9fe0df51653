"""Change alerts: a reschedule supersedes the plan, re-plans and alerts at once; a cancellation cancels."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from checklists.services import episodes
from notifications.dispatch import message_send
from notifications.models import Message
from notifications.sms import outbox

from .conftest import BOOKED_AT, START, local

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
