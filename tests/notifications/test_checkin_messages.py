"""The patient hears when a check-in opens: a message with its signed link, planned with the check-ins.

Maria's procedure is on Tuesday 10 March 2026 at 08:00 EDT (after the spring DST change on 8 March); her
baseline check-in opens a week before, Tuesday 3 March at 08:00 EST, and closes at the start.
"""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from checkins.models import Checkin
from checkins.protocol_data import read_checkin_protocol, shipped_checkin_files
from checkins.services import checkin_answer, checkin_protocol_import
from checklists.services import episodes
from notifications.dispatch import message_send
from notifications.models import Kind, Message
from notifications.rendering import LINK_NOT_KEPT, SMS_MAX_CHARS, builtin_source
from notifications.sms import outbox
from notifications.wording import check_template
from tests.factories import record_done, schedule_episode

from .conftest import BOOKED_AT, START, local

BASELINE_OPENS = dt.datetime(2026, 3, 3, 8, 0, tzinfo=START.tzinfo)
BASELINE_ANSWERS = {"pain_baseline": "6", "leg_weakness": "no", "bladder_bowel": "no", "anything_else": ""}


@pytest.fixture
def with_checkins(protocol_version):
    """The shipped check-ins on the test protocol (loaded before anything is booked)."""
    [path] = shipped_checkin_files()
    return checkin_protocol_import(data=read_checkin_protocol(path))[0]


@pytest.fixture
def booked(nurse, maria, with_checkins):
    with time_machine.travel(BOOKED_AT, tick=False):
        return schedule_episode(by=nurse, patient=maria, protocol_version=with_checkins, start=START, nurse=nurse)


def checkin_messages(episode, status=Message.Status.SCHEDULED):
    """(local send time, check-in, channel) of the episode's check-in messages, soonest first."""
    rows = episode.messages.filter(kind="checkin_open", status=status).select_related("checkin__point")
    return [(local(m.scheduled_for), m.checkin.point.key, m.channel) for m in rows.order_by("scheduled_for", "channel")]


def sent_sms_link(body: str) -> str:
    return next(word for word in body.split() if "/check-ins/link/" in word).removeprefix("http://localhost:8000")


def test_the_baseline_checkin_is_announced_when_it_opens_a_week_before_across_the_dst_change(booked):
    baseline = booked.checkins.get(point__key="baseline")

    assert checkin_messages(booked) == [
        ("Tue 03 Mar 08:00 EST", "baseline", "email"),
        ("Tue 03 Mar 08:00 EST", "baseline", "sms"),
    ]
    sms = booked.messages.get(kind="checkin_open", channel="sms")
    assert (sms.checkin, sms.expires_at) == (baseline, baseline.closes_at)  # pointless once the check-in closes
    assert sms.idempotency_key == f"e{booked.pk}:checkin_open:c{baseline.pk}:2026-03-03T13:00:00+00:00:sms"


def test_each_checkin_after_the_procedure_is_announced_from_the_recorded_end_and_waits_out_the_night(booked, nurse):
    # The procedure ran late: it ended at 21:45, so each check-in opens at 21:45, inside the quiet hours.
    with time_machine.travel(START + dt.timedelta(hours=14), tick=False):
        record_done(booked, by=nurse, ended_at=START + dt.timedelta(hours=13, minutes=45))

    after = [row[:2] for row in checkin_messages(booked) if row[2] == "sms" and row[1] != "baseline"]
    # Opens 21:45 the day after (Wednesday 11 March): held to 08:00 the next morning, and so on.
    assert after == [
        ("Thu 12 Mar 08:00 EDT", "day-1"),
        ("Sat 14 Mar 08:00 EDT", "day-3"),
        ("Wed 18 Mar 08:00 EDT", "day-7"),
        ("Wed 25 Mar 08:00 EDT", "day-14"),
        ("Fri 10 Apr 08:00 EDT", "day-30"),
        ("Wed 22 Apr 08:00 EDT", "day-42"),
    ]
    day_1 = booked.checkins.get(point__key="day-1")
    assert booked.messages.get(checkin=day_1, channel="email").expires_at == day_1.closes_at


def test_a_baseline_already_open_when_booked_at_night_is_announced_in_the_morning(nurse, maria, with_checkins):
    with time_machine.travel(dt.datetime(2026, 3, 6, 22, 30, tzinfo=START.tzinfo), tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=with_checkins, start=START)

    assert checkin_messages(episode) == [
        ("Sat 07 Mar 08:00 EST", "baseline", "email"),
        ("Sat 07 Mar 08:00 EST", "baseline", "sms"),
    ]


def test_the_sent_link_answers_that_checkin_once_and_the_log_keeps_a_placeholder(booked, client):
    sms = booked.messages.get(kind="checkin_open", channel="sms")
    email = booked.messages.get(kind="checkin_open", channel="email")
    with time_machine.travel(BASELINE_OPENS, tick=False):
        assert message_send(sms.pk) == "sent" and message_send(email.pk) == "sent"
    [sent] = outbox
    link = sent_sms_link(sent["body"])
    assert link in mail.outbox[0].body
    assert sent["body"].startswith("Kypho Tracker: Maria, please answer a few questions about your back before your")
    assert sent["body"].endswith("Questions: (555) 010-0100")
    sms.refresh_from_db()
    email.refresh_from_db()
    for logged in (sms, email):  # whoever reads the delivery log cannot answer for her
        assert link not in logged.body and "/check-ins/link/" not in logged.body and LINK_NOT_KEPT in logged.body

    # Six days later the link still works (the baseline is open a week), once.
    with time_machine.travel(BASELINE_OPENS + dt.timedelta(days=6), tick=False):
        page = client.get(link)
        assert page.status_code == 200 and "Maria" not in page.content.decode()
        assert client.post(link, BASELINE_ANSWERS).status_code == 200
        assert client.post(link, BASELINE_ANSWERS).status_code == 409
    baseline = booked.checkins.get(point__key="baseline")
    assert (baseline.status, baseline.answered_via) == (Checkin.Status.ANSWERED, Checkin.Via.LINK)
    assert baseline.answers.count() == 3  # the empty free text is not stored


def test_a_checkin_answered_in_the_portal_before_its_message_leaves_is_not_announced(booked):
    baseline = booked.checkins.get(point__key="baseline")
    with time_machine.travel(BASELINE_OPENS + dt.timedelta(minutes=1), tick=False):
        checkin_answer(checkin=baseline, answers=BASELINE_ANSWERS, via=Checkin.Via.PORTAL)
        sms = booked.messages.get(kind="checkin_open", channel="sms")
        assert message_send(sms.pk) == "cancelled"
    sms.refresh_from_db()
    assert sms.status_reason == "The check-in is answered: nothing to answer"
    assert outbox == []


def test_rescheduling_supersedes_the_baseline_message_with_one_at_its_new_opening(booked, nurse):
    old = booked.messages.get(kind="checkin_open", channel="sms")
    with time_machine.travel(BOOKED_AT + dt.timedelta(days=1), tick=False):
        episodes.episode_reschedule(
            episode=booked, scheduled_start=START + dt.timedelta(days=2, hours=6), by=nurse, reason="Theatre list"
        )
    old.refresh_from_db()
    assert (old.status, old.status_reason) == (Message.Status.SUPERSEDED, "Check-in moved with the procedure")
    successor = old.superseded_by
    assert (local(successor.scheduled_for), successor.checkin_id) == ("Thu 05 Mar 14:00 EST", old.checkin_id)
    assert checkin_messages(booked) == [
        ("Thu 05 Mar 14:00 EST", "baseline", "email"),
        ("Thu 05 Mar 14:00 EST", "baseline", "sms"),
    ]


def test_cancelling_the_procedure_cancels_the_checkin_messages(booked, nurse):
    with time_machine.travel(BOOKED_AT + dt.timedelta(days=1), tick=False):
        episodes.episode_cancel(episode=booked, by=nurse, reason="Fever")

    assert checkin_messages(booked) == []
    assert len(checkin_messages(booked, status=Message.Status.CANCELLED)) == 2


def test_a_spanish_speaker_gets_it_in_spanish_within_two_sms_segments(booked, maria):
    maria.preferred_language = "es"
    maria.first_name = "Maximiliana Guadalupe"
    maria.save()
    sms = booked.messages.get(kind="checkin_open", channel="sms")
    with time_machine.travel(BASELINE_OPENS, tick=False):
        message_send(sms.pk)
    [sent] = outbox
    assert "responda unas preguntas sobre su espalda antes de su procedimiento: http" in sent["body"]
    assert "/check-ins/link/" in sent["body"] and sent["body"].endswith("Dudas: (555) 010-0100")
    assert len(sent["body"]) <= SMS_MAX_CHARS


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("channel", ["sms", "email"])
def test_the_shipped_wording_passes_the_editors_check_with_a_long_name_and_a_long_link(
    with_checkins, channel, language
):
    subject, body = builtin_source(Kind.CHECKIN_OPEN, channel, language)

    check_template(version=with_checkins, channel=channel, language=language, subject=subject, body=body)
