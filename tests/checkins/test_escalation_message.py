"""An alert not acknowledged in time is sent to the ward's escalation contact through the outbox, once."""

import datetime as dt

import pytest

from checkins.services import alert_acknowledge, checkin_answer, checkins_sweep
from notifications import sms
from notifications.dispatch import message_send
from notifications.models import Message

from .conftest import ALL_NORMAL


@pytest.fixture
def ward_contact(settings):
    settings.WARD_ESCALATION_EMAIL = "ward-lead@example.org"
    settings.WARD_ESCALATION_PHONE = "+12025550199"
    settings.SITE_URL = "https://kypho.example.org"
    sms.outbox.clear()
    yield settings
    sms.outbox.clear()


@pytest.fixture
def emergency(day_1, at_day_1):
    return checkin_answer(checkin=day_1, answers={**ALL_NORMAL, "leg_weakness": "yes"}, via="portal")[1]


def escalations():
    return Message.objects.filter(kind="escalation")


def test_an_emergency_not_acknowledged_in_30_minutes_is_sent_once_to_the_wards_contact(
    ward_contact, emergency, at_day_1
):
    at_day_1.shift(dt.timedelta(minutes=29))
    checkins_sweep()
    assert not escalations().exists()

    at_day_1.shift(dt.timedelta(minutes=1))
    checkins_sweep()
    checkins_sweep()  # the next minute's sweep, or a second beat: nothing more
    at_day_1.shift(dt.timedelta(minutes=5))
    checkins_sweep()

    assert sorted(escalations().values_list("channel", "status", "alert")) == [
        ("email", "scheduled", emergency.pk),
        ("sms", "scheduled", emergency.pk),
    ]
    emergency.refresh_from_db()
    assert {message.scheduled_for for message in escalations()} == {emergency.escalated_at}  # at once


def test_the_escalation_text_names_the_mrn_and_initials_and_links_the_queue(ward_contact, emergency, at_day_1):
    patient = emergency.checkin.episode.patient
    at_day_1.shift(dt.timedelta(minutes=30))
    checkins_sweep()
    for message in escalations():
        assert message_send(message.pk) == "sent"

    text, email = escalations().get(channel="sms"), escalations().get(channel="email")
    assert text.recipient == "+12025550199" and email.recipient == "ward-lead@example.org"
    assert text.body == (
        f"Kypho Tracker: EMERGENCY check-in alert for MRN {patient.mrn} (P. P.) not acknowledged for 30 min. "
        "Please act now: https://kypho.example.org/check-ins/alerts/"
    )
    assert patient.last_name not in text.body and patient.first_name not in text.body
    assert email.subject == f"Escalated: Emergency check-in alert not acknowledged (MRN {patient.mrn})"
    assert "- New leg weakness, numbness or tingling" in email.body  # the rule's reason, for the nurse in charge
    assert email.language == "en" and sms.outbox[-1]["to"] == "+12025550199"


def test_no_escalation_contact_configured_sends_nothing_and_still_escalates(settings, emergency, at_day_1):
    settings.WARD_ESCALATION_EMAIL = settings.WARD_ESCALATION_PHONE = ""
    at_day_1.shift(dt.timedelta(minutes=30))
    assert checkins_sweep()[1] == 1  # escalated all the same (the worklist shows it)
    assert not escalations().exists()


def test_an_acknowledged_alert_sends_nothing(ward_contact, nurse, emergency, at_day_1):
    alert_acknowledge(alert=emergency, by=nurse, outcome="reached", note="Called her, sent to ED")
    at_day_1.shift(dt.timedelta(hours=1))
    checkins_sweep()
    assert not escalations().exists()


def test_with_only_a_phone_configured_an_escalation_is_exactly_one_text(settings, emergency, at_day_1):
    settings.WARD_ESCALATION_EMAIL, settings.WARD_ESCALATION_PHONE = "", "(202) 555-0199"  # national form
    at_day_1.shift(dt.timedelta(minutes=30))
    for _ in range(3):
        checkins_sweep()
    [text] = escalations()
    assert message_send(text.pk) == "sent"
    text.refresh_from_db()
    assert text.recipient == "+12025550199"
