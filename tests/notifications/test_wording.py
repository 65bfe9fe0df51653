"""What the patient reads: her language, plain words, the ward phone, SMS within two segments."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from notifications.dispatch import message_send
from notifications.models import Kind, MessageTemplate
from notifications.rendering import SMS_MAX_CHARS, fit_sms, gsm_text
from notifications.sms import outbox
from tests.factories import PatientFactory, schedule_episode

from .conftest import BOOKED_AT, START, add_patient_step, local

NY = ZoneInfo("America/New_York")


@pytest.fixture
def rosa(nurse, protocol_version):
    patient = PatientFactory(first_name="Rosa", email="rosa@example.org", phone="+12025550144", preferred_language="es")
    with time_machine.travel(BOOKED_AT, tick=False):
        return schedule_episode(by=nurse, patient=patient, protocol_version=protocol_version, start=START)


def send(episode, kind, channel):
    message = episode.messages.filter(kind=kind, channel=channel, status="scheduled").earliest("scheduled_for")
    with time_machine.travel(message.scheduled_for, tick=False):
        assert message_send(message.pk) == "sent"
    message.refresh_from_db()
    return message


def test_a_spanish_speaking_patient_gets_her_messages_in_spanish(rosa):
    email = send(rosa, Kind.CONFIRMATION, "email")
    assert email.language == "es"
    assert email.subject == "Su procedimiento de espalda está programado: martes 10 de marzo a las 08:00"
    assert "Hola, Rosa:" in email.body and "¿Preguntas? Llámenos al (555) 010-0100" in email.body
    sms = send(rosa, Kind.CONFIRMATION, "sms")
    # GSM-7 has no "á" or "í": dropped rather than turning the text into UCS-2 (67 characters a segment).
    assert "Responda STOP para no recibir mensajes." in sms.body
    assert "á" not in sms.body and "í" not in sms.body


def test_every_kind_names_the_ward_phone_in_both_languages(booked, rosa):
    for episode in (booked, rosa):
        for message in episode.messages.filter(status="scheduled").exclude(kind=Kind.TASK_REMINDER)[:20]:
            with time_machine.travel(message.scheduled_for, tick=False):
                message_send(message.pk)
            message.refresh_from_db()
            assert "(555) 010-0100" in message.body, (message.kind, message.channel, message.language)


def test_the_after_care_message_gives_the_warning_signs_and_911(booked):
    email = send(booked, Kind.AFTER_CARE, "email")
    assert "Call 911 at once, and do not drive yourself, if:\n- Sudden chest pain" in email.body
    assert "Call us at (555) 010-0100, day or night, if:\n- Fever" in email.body


def test_a_reminder_names_the_step_and_its_clock_time(booked):
    sms = send(booked, Kind.TASK_REMINDER, "sms")
    assert sms.body == (
        "Kypho Tracker reminder: Arrange a driver, by 9:00 a.m. Tuesday 3 March.\nQuestions: (555) 010-0100"
    )
    assert local(sms.sent_at) == "Mon 02 Mar 20:00 EST"


def test_after_the_autumn_change_the_times_stay_on_the_wall_clock(nurse, maria, protocol_version):
    start = dt.datetime(2026, 11, 3, 8, 0, tzinfo=NY)  # Tuesday; clocks went back on Sunday 1 November
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, 0, tzinfo=NY), tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=start)
    planned = episode.messages.filter(channel="sms").exclude(kind="task_reminder")
    times = {message.kind: local(message.scheduled_for) for message in planned}
    assert times == {
        "confirmation": "Tue 20 Oct 09:00 EDT",
        "week_before": "Tue 27 Oct 10:00 EDT",
        "night_before": "Mon 02 Nov 17:00 EST",
        "after_care": "Wed 04 Nov 10:00 EST",
    }


def test_an_sms_over_two_segments_drops_whole_middle_lines_and_keeps_the_ward_phone():
    steps = [f"By {hour} a.m.: Step number {hour} of a long list" for hour in range(1, 12)]
    cut = fit_sms("\n".join(["Kypho Tracker: Maria, tomorrow at 8 a.m.", *steps, "Questions: (555) 010-0100"]))
    lines = cut.splitlines()
    assert len(cut) <= SMS_MAX_CHARS
    assert lines[0] == "Kypho Tracker: Maria, tomorrow at 8 a.m."
    assert lines[-2:] == ["More: http://localhost:8000/my/", "Questions: (555) 010-0100"]
    assert lines[1:-2] == steps[: len(lines) - 3] and len(lines) > 4


def test_the_spanish_night_before_text_gives_the_overnight_cut_offs_within_two_segments(rosa):
    sms = send(rosa, Kind.NIGHT_BEFORE, "sms")
    assert sms.body == (
        "Kypho Tracker: Rosa, su procedimiento es mañana a las 08:00. "
        "Llegue a las 06:30 con quien lo/la llevara a casa.\n"
        "Antes de las 23:59: Last solid food\n"
        "Preguntas: (555) 010-0100"
    )


def test_sms_text_keeps_to_the_gsm_alphabet():
    assert gsm_text("¿Preguntas? Llámenos – día “ya” ñ é ü") == '¿Preguntas? Llamenos - dia "ya" ñ é ü'


def test_an_admins_template_for_the_protocol_version_replaces_the_built_in_one(booked, protocol_version):
    MessageTemplate.objects.create(
        protocol_version=protocol_version,
        kind=Kind.CONFIRMATION,
        channel="sms",
        language="en",
        body="Booked, {{ first_name }}: {{ procedure_moment }}. Call {{ ward_phone }}.",
    )
    confirmation = send(booked, Kind.CONFIRMATION, "sms").body
    assert confirmation == "Booked, Maria: 8:00 a.m. Tuesday 10 March. Call (555) 010-0100."
    assert outbox[-1]["body"].startswith("Booked, Maria")
    assert len(mail.outbox) == 0


def test_the_after_care_message_lists_only_the_steps_still_to_come(nurse, maria, protocol_version):
    for title, hours in (("Lie flat for an hour", 1), ("No driving for 24 hours", 36)):
        add_patient_step(protocol_version, title, minutes=hours * 60)
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=NY), tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=START)
    email = send(episode, Kind.AFTER_CARE, "email")  # the day after, 10:00
    assert "No driving for 24 hours" in email.body and "Lie flat for an hour" not in email.body
