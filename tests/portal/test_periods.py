"""A period ("No driving for 24 hours", "Lie flat while the cement hardens") lasts until its time: the
patient reads "Until …" everywhere, it is never her next step before it ends, never late, no reminder."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from checklists.models import ChecklistTask, DueMeans, Episode, Readiness, TaskStateError, overdue
from notifications.planning import episode_plan
from notifications.rendering import _step, builtin_source
from portal.timeline import patient_checklist
from tests.factories import schedule_episode

NEW_YORK = ZoneInfo("America/New_York")
NO_DRIVING = "No driving for 24 hours"
LIE_FLAT = "Lie flat while the cement hardens"
BOOKED = dt.datetime(2026, 12, 1, 9, 0, tzinfo=NEW_YORK)
START = dt.datetime(2026, 12, 14, 8, 0, tzinfo=NEW_YORK)  # Monday 14 December, 08:00


@pytest.fixture
def episode(nurse, maria, kyphoplasty):
    with time_machine.travel(BOOKED.timestamp()):
        return schedule_episode(by=nurse, patient=maria, protocol_version=kyphoplasty, nurse=nurse, start=START)


def items(episode, *, now, language="en"):
    with translation.override(language):
        checklist = patient_checklist(episode, now=now)
    return checklist, {item.task.title: item for item in checklist.tasks}


def test_the_shipped_periods_are_no_driving_and_lying_flat_and_none_is_critical(kyphoplasty):
    periods = kyphoplasty.tasks.filter(due_means=DueMeans.UNTIL)
    assert sorted(periods.values_list("title", flat=True)) == [LIE_FLAT, NO_DRIVING]
    assert not periods.filter(is_critical=True).exists()


@pytest.mark.parametrize(
    "language, expected",
    [
        ("en", {NO_DRIVING: "Until 8:00 a.m. Tuesday 15 December", LIE_FLAT: "Until 9:00 a.m. Monday 14 December"}),
        (
            "es",
            {
                NO_DRIVING: "Hasta el martes 15 de diciembre a las 08:00",
                LIE_FLAT: "Hasta el lunes 14 de diciembre a las 09:00",
            },
        ),
    ],
)
def test_every_period_reads_until_never_by_in_both_languages(episode, language, expected):
    periods = episode.tasks.filter(due_means=DueMeans.UNTIL)
    # Before, during and after the period: never a deadline, never "call us about this step".
    for now in (BOOKED, START + dt.timedelta(minutes=30), START + dt.timedelta(days=3)):
        _, by_title = items(episode, now=now, language=language)
        texts = {task.title: by_title[task.title].due_text for task in periods}
        assert texts == expected
        for text in texts.values():
            assert not text.startswith(("By", "A más tardar"))


def test_a_period_is_not_the_next_step_nor_reported_before_it_ends(episode):
    episode.status = Episode.Status.COMPLETED
    episode.save()
    during = START + dt.timedelta(hours=2)
    checklist, by_title = items(episode, now=during)
    assert not by_title[NO_DRIVING].can_report
    assert checklist.next_task is None or checklist.next_task.task.title != NO_DRIVING
    no_driving = episode.tasks.get(title=NO_DRIVING)
    with time_machine.travel(during.timestamp()), pytest.raises(TaskStateError, match="lasts until"):
        no_driving.report_by_patient()

    # Once the 24 hours are over, she may tell us she kept to it.
    after = no_driving.due_at + dt.timedelta(minutes=1)
    _, by_title = items(episode, now=after)
    assert by_title[NO_DRIVING].can_report
    with time_machine.travel(after.timestamp()):
        no_driving.report_by_patient()


def test_a_period_is_never_overdue_nor_a_readiness_blocker(episode):
    no_driving = episode.tasks.get(title=NO_DRIVING)
    later = no_driving.due_at + dt.timedelta(hours=5)
    assert not no_driving.is_overdue(later)
    assert not ChecklistTask.objects.filter(overdue(later), pk=no_driving.pk).exists()
    # The episode's overdue count leaves it out too (every other task closed).
    episode.tasks.exclude(pk=no_driving.pk).update(
        status=ChecklistTask.Status.NOT_APPLICABLE, reason="test", completed_at=later, completed_by=episode.nurse
    )
    annotated = Episode.objects.with_progress(now=later).with_readiness(now=later).get(pk=episode.pk)
    assert annotated.tasks_overdue == 0
    assert annotated.readiness != Readiness.BLOCKED
    # Readiness counts critical tasks only, and a period can never be one.
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistTask.objects.filter(pk=no_driving.pk).update(is_critical=True)


def test_the_calendar_spans_the_period_with_no_alarm(client, episode):
    with time_machine.travel(BOOKED.timestamp()):
        client.force_login(episode.patient.user)
        client.post(reverse("set_language"), {"language": "en"})
        response = client.get(reverse("portal:episode-calendar", args=[episode.pk]))
    events = {str(event["summary"]): event for event in Calendar.from_ical(response.content).walk("VEVENT")}
    no_driving = events[NO_DRIVING]
    assert no_driving.decoded("dtstart").astimezone(NEW_YORK) == START
    assert no_driving.decoded("duration") == dt.timedelta(hours=24)
    assert not no_driving.walk("VALARM")
    assert str(no_driving["description"]).startswith("Until 8:00 a.m. Tuesday 15 December")
    # A step keeps its alarm.
    assert events["Confirm your driver"].walk("VALARM")


def test_no_do_this_by_reminder_for_a_period(episode):
    tasks = list(episode.tasks.all())
    planned = episode_plan(episode, tasks, quiet=(dt.time(21, 0), dt.time(8, 0)))
    reminded = {task.title for item in planned if item.task is not None for task in (item.task, *item.also)}
    assert "Confirm your driver" in reminded
    assert NO_DRIVING not in reminded and LIE_FLAT not in reminded


@pytest.mark.parametrize("language, word", [("en", "- Until "), ("es", "- Hasta el ")])
def test_the_after_care_email_says_until_for_a_period(episode, language, word):
    _, body = builtin_source("after_care", "email", language)
    with translation.override(language):
        step = _step(episode.tasks.get(title=NO_DRIVING))
        text = Template(body).render(Context({"after_steps": [step], "emergency_signs": [], "call_signs": []}))
    assert f"{word}{step['due']}: " in text
