"""Sending: due rows go once, provider trouble is retried with backoff, a bad number fails with its reason."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from notifications import tasks
from notifications.dispatch import message_send, retry_delay
from notifications.models import ContactPreference, Message
from notifications.sms import PermanentSendError, TransientSendError, outbox

from .conftest import BOOKED_AT, START, local

WEEK_BEFORE_AT = dt.datetime(2026, 3, 3, 10, 0, tzinfo=START.tzinfo)


class FailingSms:
    """An SMS backend that fails the way it is told to."""

    def __init__(self, error):
        self.error = error

    def send(self, **kwargs):
        raise self.error


@pytest.fixture
def failing_sms(monkeypatch):
    def use(error):
        monkeypatch.setattr("notifications.dispatch.get_sms_backend", lambda: FailingSms(error))

    return use


def test_the_pick_up_job_sends_what_is_due_and_nothing_early(booked):
    with time_machine.travel(BOOKED_AT, tick=False):
        assert tasks.dispatch_due_messages.delay().get() == 2  # the confirmation, by email and SMS
    assert [m.subject for m in mail.outbox] == ["Your back procedure is booked: Tue 10 March at 8 a.m."]
    assert outbox[0]["to"] == "+12025550143"
    sent = booked.messages.filter(status="sent")
    assert {(m.kind, m.recipient) for m in sent} == {
        ("confirmation", "maria@example.org"),
        ("confirmation", "+12025550143"),
    }
    assert all(m.body and m.sent_at and m.attempts == 1 for m in sent)
    assert booked.messages.filter(status="scheduled").count() == 10


def test_a_message_is_never_sent_twice_even_if_queued_twice(booked):
    confirmation = booked.messages.get(kind="confirmation", channel="sms")
    with time_machine.travel(BOOKED_AT, tick=False):
        assert message_send(confirmation.pk) == "sent"
        assert message_send(confirmation.pk) == "skipped"
        tasks.dispatch_due_messages.delay()
    assert len([sms for sms in outbox if "is booked" in sms["body"]]) == 1


def test_a_provider_timeout_is_retried_with_backoff_then_sent(booked, failing_sms):
    week = booked.messages.get(kind="week_before", channel="sms")
    failing_sms(TransientSendError("Twilio unreachable: ReadTimeout"))
    with time_machine.travel(WEEK_BEFORE_AT, tick=False):
        assert message_send(week.pk) == "retry"
    week.refresh_from_db()
    assert (week.status, week.attempts, week.last_error) == ("scheduled", 1, "Twilio unreachable: ReadTimeout")
    assert week.retry_at == WEEK_BEFORE_AT + dt.timedelta(seconds=60)
    # Not before its retry time, then with the next delay doubled.
    with time_machine.travel(WEEK_BEFORE_AT + dt.timedelta(seconds=30), tick=False):
        assert message_send(week.pk) == "skipped"
    with time_machine.travel(WEEK_BEFORE_AT + dt.timedelta(seconds=61), tick=False):
        assert message_send(week.pk) == "retry"
    week.refresh_from_db()
    assert week.retry_at == WEEK_BEFORE_AT + dt.timedelta(seconds=61 + 120)
    assert [retry_delay(n) for n in (1, 2, 3, 10)] == [60, 120, 240, 3600]


def test_the_celery_task_retries_a_transient_failure_until_it_gives_up(booked, failing_sms, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    week = booked.messages.get(kind="week_before", channel="sms")
    failing_sms(TransientSendError("Twilio 503 (code 20500): Service unavailable"))
    for minute in range(0, 10, 3):
        with time_machine.travel(WEEK_BEFORE_AT + dt.timedelta(minutes=minute), tick=False):
            tasks.send_sms_message.delay(week.pk)
    week.refresh_from_db()
    assert (week.status, week.attempts) == ("failed", 3)
    assert week.last_error == "Gave up after 3 attempts: Twilio 503 (code 20500): Service unavailable"


def test_a_bad_number_fails_at_once_with_the_reason(booked, failing_sms):
    week = booked.messages.get(kind="week_before", channel="sms")
    failing_sms(PermanentSendError("Twilio 400 (code 21211): The 'To' number is not a valid phone number."))
    with time_machine.travel(WEEK_BEFORE_AT, tick=False):
        assert message_send(week.pk) == "failed"
    week.refresh_from_db()
    assert (week.status, week.attempts) == ("failed", 1)
    assert "21211" in week.last_error


def test_a_reminder_left_unsent_past_its_step_is_dropped_not_sent_late(booked):
    reminder = booked.messages.get(kind="task_reminder", task__title="Last solid food", channel="sms")
    with time_machine.travel(START - dt.timedelta(hours=7), tick=False):  # 01:00, after the 00:00 cut-off
        assert message_send(reminder.pk) == "cancelled"
    reminder.refresh_from_db()
    assert reminder.status_reason == "Too late to be useful: its time had passed"
    assert outbox == []


def test_a_worker_that_died_mid_send_leaves_the_row_to_be_sent_again(booked):
    week = booked.messages.get(kind="week_before", channel="email")
    Message.objects.filter(pk=week.pk).update(status="sending", claimed_at=WEEK_BEFORE_AT, attempts=1)
    with time_machine.travel(WEEK_BEFORE_AT + dt.timedelta(minutes=5), tick=False):
        assert message_send(week.pk) == "skipped"
    with time_machine.travel(WEEK_BEFORE_AT + dt.timedelta(minutes=11), tick=False):
        assert message_send(week.pk) == "sent"
    week.refresh_from_db()
    assert week.attempts == 2


def test_opting_out_of_sms_keeps_email(booked):
    ContactPreference.objects.create(patient=booked.patient, sms_enabled=False)
    week = booked.messages.get(kind="week_before", channel="sms")
    with time_machine.travel(WEEK_BEFORE_AT, tick=False):
        assert message_send(week.pk) == "cancelled"
        assert message_send(booked.messages.get(kind="week_before", channel="email").pk) == "sent"
    week.refresh_from_db()
    assert week.status_reason == "The patient turned this channel off or replied STOP"


def test_the_night_before_summary_gives_the_cut_offs_as_clock_times(booked):
    night = booked.messages.get(kind="night_before", channel="email")
    with time_machine.travel(night.scheduled_for, tick=False):
        message_send(night.pk)
    night.refresh_from_db()
    assert local(night.sent_at) == "Mon 09 Mar 17:00 EDT"
    assert night.subject == "Tomorrow: your back procedure at 8 a.m."
    assert "Please arrive by 6:30 a.m." in night.body
    assert "- By Tue 10 March at " in night.body and ": Last solid food" in night.body
    assert "(555) 010-0100" in night.body
