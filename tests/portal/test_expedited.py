"""Scheduled too late for the protocol (issue #14, point 2): the patient reads "Do this today" or "Call us",
never a past date as a deadline — on the page, the print/PDF, the calendar and in her reminders."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from checklists.models import Responsible
from notifications.models import Kind
from portal.timeline import patient_checklist
from tests.factories import schedule_episode

NEW_YORK = ZoneInfo("America/New_York")
WEDNESDAY_10 = dt.datetime(2026, 3, 4, 10, 0, tzinfo=NEW_YORK)
FRIDAY_8 = dt.datetime(2026, 3, 6, 8, 0, tzinfo=NEW_YORK)


def schedule_late(nurse, patient, protocol, *, now, start=FRIDAY_8):
    with time_machine.travel(now, tick=False):
        return schedule_episode(by=nurse, patient=patient, protocol_version=protocol, start=start, expedite_late=True)


@pytest.fixture
def expedited(nurse, maria, kyphoplasty):
    """Maria, scheduled on Wednesday at 10:00 for Friday at 08:00: her week-before steps are late."""
    return schedule_late(nurse, maria, kyphoplasty, now=WEDNESDAY_10)


def due_texts(episode, now, language="en") -> dict[str, str]:
    with translation.override(language):
        return {item.task.title: item.due_text for item in patient_checklist(episode, now=now).tasks}


def test_her_late_steps_read_do_this_today_and_nothing_open_is_due_in_the_past(expedited):
    late_own = expedited.tasks.filter(is_expedited=True, responsible=Responsible.PATIENT)
    assert late_own.exists()

    texts = due_texts(expedited, WEDNESDAY_10)
    spanish = due_texts(expedited, WEDNESDAY_10, "es")

    for task in late_own:
        assert texts[task.title] == "Do this today, by 2:00 p.m."
        assert spanish[task.title] == "Hágalo hoy, antes de las 14:00"
    assert not expedited.tasks.filter(status="pending", due_at__lt=WEDNESDAY_10).exists()
    with translation.override("en"):
        next_task = patient_checklist(expedited, now=WEDNESDAY_10).next_task
    assert next_task.task.is_expedited and next_task.due_text == "Do this today, by 2:00 p.m."


def test_the_teams_late_tasks_do_not_tell_her_to_do_them(expedited):
    team_task = expedited.tasks.filter(is_expedited=True).exclude(responsible=Responsible.PATIENT)
    team_task = team_task.filter(patient_form="").first()
    assert team_task is not None

    assert due_texts(expedited, WEDNESDAY_10)[team_task.title] == "By 2:00 p.m. Wednesday 4 March"


def test_once_the_expedited_time_has_passed_she_is_asked_to_call_never_shown_the_past_time(expedited):
    later = dt.datetime(2026, 3, 4, 14, 30, tzinfo=NEW_YORK)
    texts = due_texts(expedited, later)

    for task in expedited.tasks.filter(is_expedited=True, responsible=Responsible.PATIENT):
        assert texts[task.title] == "Please call us about this step: (555) 010-0100."


def test_scheduled_in_the_evening_the_step_is_as_soon_as_she_can_by_the_next_working_morning(nurse, maria, kyphoplasty):
    evening = dt.datetime(2026, 3, 4, 20, 0, tzinfo=NEW_YORK)
    episode = schedule_late(
        nurse, maria, kyphoplasty, now=evening, start=dt.datetime(2026, 3, 7, 8, 0, tzinfo=NEW_YORK)
    )

    texts = due_texts(episode, evening)
    spanish = due_texts(episode, evening, "es")

    for task in episode.tasks.filter(is_expedited=True, responsible=Responsible.PATIENT):
        assert texts[task.title] == "As soon as you can, by 12:00 p.m. Thursday 5 March"
        assert spanish[task.title] == "Lo antes posible, a más tardar el jueves 5 de marzo a las 12:00"


def test_the_page_and_the_printout_say_do_this_today_in_her_language(client, maria, expedited):
    with time_machine.travel(WEDNESDAY_10, tick=False):
        client.force_login(maria.user)
        page = client.get(reverse("portal:checklist")).content.decode()
        printout = client.get(reverse("portal:episode-print", args=[expedited.pk])).content.decode()

    assert "Hágalo hoy, antes de las 14:00" in page
    assert "Hágalo hoy, antes de las 14:00" in printout


def test_the_calendar_has_no_event_in_the_past_and_the_late_steps_at_their_new_time(client, maria, expedited):
    with time_machine.travel(WEDNESDAY_10, tick=False):
        client.force_login(maria.user)
        response = client.get(reverse("portal:episode-calendar", args=[expedited.pk]))
    events = Calendar.from_ical(response.content).walk("VEVENT")
    starts = {str(event["summary"]): event.decoded("dtstart").astimezone(NEW_YORK) for event in events}

    assert all(start >= WEDNESDAY_10 for start in starts.values())
    with translation.override("es"):
        for task in expedited.tasks.filter(is_expedited=True, responsible=Responsible.PATIENT):
            title = task.patient_title_es or task.title_es or task.title
            assert starts[title] == dt.datetime(2026, 3, 4, 14, 0, tzinfo=NEW_YORK)


def test_her_reminders_of_late_steps_go_before_their_new_time_not_in_the_past(expedited):
    reminders = expedited.messages.filter(kind=Kind.TASK_REMINDER, task__is_expedited=True)

    assert reminders.exists()
    for message in reminders.select_related("task"):
        assert WEDNESDAY_10 <= message.scheduled_for <= message.task.due_at
