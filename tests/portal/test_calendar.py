"""The .ics: the patient's own tasks still ahead, no reminder in the hospital's night (the messages' quiet hours),
and a SEQUENCE that grows with each change."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from checklists.models import Responsible
from checklists.services.episodes import episode_reschedule, episode_schedule
from portal.ics import reminder_at, starts_reminder_at

NEW_YORK = ZoneInfo("America/New_York")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NEW_YORK)


@pytest.fixture
def english(maria):
    maria.preferred_language = "en"
    maria.save()
    return maria


def schedule(nurse, patient, protocol, start):
    return episode_schedule(
        patient=patient,
        protocol_version=protocol,
        scheduled_start=start,
        vertebral_levels="L1",
        clinician="Dr. Patel",
        nurse=nurse,
        by=nurse,
    )


def calendar_events(client, episode, now) -> dict[str, object]:
    with time_machine.travel(now.timestamp()):
        client.force_login(episode.patient.user)  # a fresh session: sessions expire, and the clock jumps here
        response = client.get(reverse("portal:episode-calendar", args=[episode.pk]))
    return {str(event["summary"]): event for event in Calendar.from_ical(response.content).walk("VEVENT")}


def alarm_local(event) -> dt.datetime:
    return event.walk("VALARM")[0].decoded("trigger").astimezone(NEW_YORK)


def test_calendar_holds_only_the_patients_own_tasks_and_the_procedure(client, english, nurse, kyphoplasty):
    with time_machine.travel(at(2026, 12, 1, 9, 0).timestamp()):
        episode = schedule(nurse, english, kyphoplasty, at(2026, 12, 14, 14, 0))
    client.force_login(english.user)

    events = calendar_events(client, episode, at(2026, 12, 1, 10, 0))

    own = episode.tasks.filter(responsible=Responsible.PATIENT)
    assert set(events) == {"Your kyphoplasty procedure", *own.values_list("title", flat=True)}
    assert "The team will put a small tube in a vein (an IV)" not in events
    assert "The team may take an x-ray or CT scan of your back" not in events


def test_no_reminder_rings_between_9_pm_and_8_am(client, english, nurse, kyphoplasty):
    with time_machine.travel(at(2026, 12, 1, 9, 0).timestamp()):
        eight = schedule(nurse, english, kyphoplasty, at(2026, 12, 14, 8, 0))
        two = schedule(nurse, english, kyphoplasty, at(2026, 12, 15, 14, 0))
    client.force_login(english.user)

    for episode in (eight, two):
        for event in calendar_events(client, episode, at(2026, 12, 1, 10, 0)).values():
            if event.walk("VALARM"):
                assert dt.time(8, 0) <= alarm_local(event).time() < dt.time(21, 0)
    # 08:00 case: the last fatty meal is due at 00:00; its reminder (23:00) rings at 20:00 that evening.
    eight_events = calendar_events(client, eight, at(2026, 12, 1, 10, 0))
    assert alarm_local(eight_events["Last fatty or fried food or meat"]) == at(2026, 12, 13, 20, 0)
    # 14:00 case: due at 06:00 on the day; its 05:00 reminder moves to 20:00 the evening before.
    two_events = calendar_events(client, two, at(2026, 12, 1, 10, 0))
    assert alarm_local(two_events["Last fatty or fried food or meat"]) == at(2026, 12, 14, 20, 0)
    # A daytime reminder stays an hour before.
    assert alarm_local(two_events["Last clear drink"]) == at(2026, 12, 15, 11, 0)


def test_the_calendars_night_is_the_messages_night(settings):
    settings.NOTIFY_QUIET_HOURS = "22:00-07:30"

    # A step due at 23:00: its alarm (22:00) would ring in the night, so it rings an hour before the night begins.
    assert reminder_at(at(2026, 12, 13, 23, 0)) == at(2026, 12, 13, 21, 0)
    # A step from 06:00 (restart a medicine): never before its time, and not in the night: when it ends.
    assert starts_reminder_at(at(2026, 12, 14, 6, 0)) == at(2026, 12, 14, 7, 30)
    # Out of the night, both ring as ever: an hour before, and at the time.
    assert reminder_at(at(2026, 12, 14, 9, 0)) == at(2026, 12, 14, 8, 0)
    assert starts_reminder_at(at(2026, 12, 14, 7, 30)) == at(2026, 12, 14, 7, 30)


def test_no_past_events(client, english, nurse, kyphoplasty):
    with time_machine.travel(at(2026, 12, 1, 9, 0).timestamp()):
        episode = schedule(nurse, english, kyphoplasty, at(2026, 12, 14, 14, 0))
    client.force_login(english.user)

    # The driver was due a week before (7 December, 09:00): on the 10th it is no longer in the file.
    events = calendar_events(client, episode, at(2026, 12, 10, 9, 0))

    assert "Arrange an adult to drive you home" not in events
    assert all(event.decoded("dtstart") >= at(2026, 12, 10, 9, 0) for event in events.values())
    assert "Your kyphoplasty procedure" not in calendar_events(client, episode, at(2026, 12, 14, 15, 0))


def test_a_reschedule_raises_the_sequence_and_keeps_the_uids(client, english, nurse, kyphoplasty):
    with time_machine.travel(at(2026, 12, 1, 9, 0).timestamp()):
        episode = schedule(nurse, english, kyphoplasty, at(2026, 12, 14, 14, 0))
    client.force_login(english.user)
    before = calendar_events(client, episode, at(2026, 12, 1, 10, 0))

    with time_machine.travel(at(2026, 12, 2, 9, 0).timestamp()):
        episode_reschedule(episode=episode, scheduled_start=at(2026, 12, 16, 8, 0), by=nurse, reason="Room")
    after = calendar_events(client, episode, at(2026, 12, 2, 10, 0))

    assert set(after) == set(before)
    for summary, event in after.items():
        assert str(event["uid"]) == str(before[summary]["uid"])
        assert int(event["sequence"]) > int(before[summary]["sequence"])
    assert after["Your kyphoplasty procedure"].decoded("dtstart") == at(2026, 12, 16, 8, 0)
