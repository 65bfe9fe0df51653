"""The medication plan's "Restart clopidogrel" and "Start clear liquids only" are steps FROM a time.

"By 8:00 a.m." would tell the patient she may restart a blood thinner earlier: unsafe. Everywhere she
reads them (portal, print page, calendar, reminders) they say "From …" / "A partir del …", never "By";
she cannot tell us she did them before their time, they are never overdue, never critical, and their
reminder goes at the time (out of the quiet hours: the morning after), never before.
"""

import datetime as dt
import importlib

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from checklists.models import ChecklistTask, DueMeans, TaskStateError, overdue
from medicines.models import Decision
from notifications.models import Kind
from notifications.planning import episode_plan
from notifications.rendering import _step, builtin_source, render_message
from portal.ics import starts_reminder_at
from portal.timeline import patient_checklist

from .conftest import NEW_YORK
from .test_plan import add, decide, local

QUIET = (dt.time(21, 0), dt.time(8, 0))
RESTART_EN = "From 8:00 a.m. Tuesday 15 December"
RESTART_ES = "A partir del martes 15 de diciembre a las 08:00"
LIQUIDS_EN = "From 8:00 a.m. Sunday 13 December"
LIQUIDS_ES = "A partir del domingo 13 de diciembre a las 08:00"


@pytest.fixture
def restart(plan_episode, nurse, catalogue):
    """Clopidogrel stopped as proposed: "Restart clopidogrel" from Tuesday 15 December, 08:00."""
    return decide(add(plan_episode, nurse, catalogue["clopidogrel"]), nurse).restart_task


@pytest.fixture
def liquids(plan_episode, nurse, catalogue):
    """Semaglutide continued with a liquid diet: "Start clear liquids only" from Sunday 13 December, 08:00."""
    medication = add(plan_episode, nurse, catalogue["semaglutide"], dose="1 mg weekly")
    return decide(medication, nurse, Decision.CONTINUE_LIQUID_DIET).liquid_diet_task


def due_texts(episode, *, now, language):
    with translation.override(language):
        return {item.task.title: item.due_text for item in patient_checklist(episode, now=now).tasks}


def test_the_restart_and_the_clear_liquids_are_steps_from_their_time_never_critical(restart, liquids):
    assert (restart.due_means, liquids.due_means) == (DueMeans.FROM, DueMeans.FROM)
    assert not restart.is_critical and not liquids.is_critical
    # The database refuses a critical step "from" a time (it would block readiness before its time).
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistTask.objects.filter(pk=restart.pk).update(is_critical=True)


@pytest.mark.parametrize(
    "language, restart_text, liquids_text", [("en", RESTART_EN, LIQUIDS_EN), ("es", RESTART_ES, LIQUIDS_ES)]
)
def test_the_portal_reads_from_never_by_before_and_after_the_time(
    plan_episode, restart, liquids, language, restart_text, liquids_text
):
    for now in (local(2026, 12, 2, 10, 0), local(2026, 12, 15, 12, 0)):
        texts = due_texts(plan_episode, now=now, language=language)
        assert (texts["Restart clopidogrel"], texts["Start clear liquids only"]) == (restart_text, liquids_text)


@pytest.mark.parametrize("language, expected", [("en", RESTART_EN), ("es", RESTART_ES)])
def test_the_print_page_reads_from(client, patient_user, plan_episode, restart, language, expected):
    client.force_login(patient_user)
    client.post(reverse("set_language"), {"language": language})
    page = client.get(reverse("portal:episode-print", args=[plan_episode.pk])).content.decode()
    assert expected in page
    assert "By 8:00 a.m. Tuesday 15 December" not in page
    assert "A más tardar el martes 15 de diciembre" not in page


def test_not_reportable_nor_next_before_its_time_a_normal_step_after(plan_episode, restart, frozen_now):
    before = restart.due_at - dt.timedelta(minutes=1)
    checklist = patient_checklist(plan_episode, now=before)
    item = next(item for item in checklist.tasks if item.task.pk == restart.pk)
    assert not item.can_report and not item.asks_patient
    assert checklist.next_task is None or checklist.next_task.task.pk != restart.pk
    frozen_now.move_to(before)
    with pytest.raises(TaskStateError, match="starts at the time shown"):
        restart.report_by_patient()

    after = restart.due_at + dt.timedelta(minutes=1)
    item = next(item for item in patient_checklist(plan_episode, now=after).tasks if item.task.pk == restart.pk)
    assert item.can_report
    frozen_now.move_to(after)
    restart.report_by_patient()
    assert restart.patient_reported_at is not None


def test_never_overdue(restart):
    later = restart.due_at + dt.timedelta(days=2)
    assert not restart.is_overdue(later)
    assert not ChecklistTask.objects.filter(overdue(later), pk=restart.pk).exists()


def test_the_reminder_goes_at_the_time_not_before(plan_episode, restart, liquids):
    planned = episode_plan(plan_episode, list(plan_episode.tasks.all()), quiet=QUIET)
    sends = {task.pk: item.send_at for item in planned for task in item.tasks}
    assert sends[restart.pk] == restart.due_at == local(2026, 12, 15, 8, 0)
    assert sends[liquids.pk] == liquids.due_at == local(2026, 12, 13, 8, 0)


def test_a_restart_in_the_quiet_hours_is_reminded_when_they_end_the_morning_after(plan_episode, nurse, catalogue):
    medication = decide(
        add(plan_episode, nurse, catalogue["warfarin"], dose="5 mg"),
        nurse,
        Decision.STOP_OTHER_DATE,
        last_dose_on=dt.date(2026, 12, 7),
        restart_at=local(2026, 12, 14, 22, 30),
    )
    planned = episode_plan(plan_episode, list(plan_episode.tasks.all()), quiet=QUIET)
    (reminder,) = [item for item in planned if medication.restart_task in item.tasks]
    assert reminder.send_at == local(2026, 12, 15, 8, 0)
    # The calendar's alarm: never before the time either, and at the same moment as the text message.
    assert starts_reminder_at(medication.restart_task.due_at) == local(2026, 12, 15, 8, 0)


@pytest.mark.parametrize(
    "language, subject, line",
    [
        (
            "en",
            "Reminder: Restart clopidogrel from 8:00 a.m. Tuesday 15 December",
            f"Restart clopidogrel, {RESTART_EN[0].lower()}{RESTART_EN[1:]}.",
        ),
        (
            "es",
            f"Recordatorio: Vuelva a tomar clopidogrel, {RESTART_ES[0].lower()}{RESTART_ES[1:]}",
            f"Vuelva a tomar clopidogrel, {RESTART_ES[0].lower()}{RESTART_ES[1:]}.",
        ),
    ],
)
def test_the_reminder_goes_at_the_time_and_reads_from(plan_episode, restart, language, subject, line):
    message = plan_episode.messages.get(kind=Kind.TASK_REMINDER, task=restart)
    assert message.scheduled_for == restart.due_at
    message.patient.preferred_language = language
    rendered = render_message(message, now=restart.due_at)
    assert rendered.subject == subject
    assert line in rendered.body
    assert " by " not in rendered.body and "antes del" not in rendered.body


@pytest.mark.parametrize("language, expected", [("en", RESTART_EN), ("es", RESTART_ES)])
def test_the_calendar_reads_from_and_rings_at_the_time(client, patient_user, plan_episode, restart, language, expected):
    client.force_login(patient_user)
    client.post(reverse("set_language"), {"language": language})
    response = client.get(reverse("portal:episode-calendar", args=[plan_episode.pk]))
    (event,) = [
        e
        for e in Calendar.from_ical(response.content).walk("VEVENT")
        if str(e["uid"]).startswith(f"task-{restart.pk}@")
    ]
    assert event.decoded("dtstart").astimezone(NEW_YORK) == local(2026, 12, 15, 8, 0)
    assert str(event["description"]).startswith(expected)
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger").astimezone(NEW_YORK) == local(2026, 12, 15, 8, 0)
    assert expected in str(alarm["description"])


def test_a_step_from_its_time_reads_from_on_the_nurses_row(client, nurse, plan_episode, restart):
    client.force_login(nurse)
    with time_machine.travel(local(2026, 12, 2, 10, 0), tick=False):
        page = client.get(reverse("checklists:episode-detail", args=[plan_episode.pk])).content.decode()
    assert "From Tue 15 Dec, 08:00" in page


@pytest.mark.parametrize("language, word", [("en", "- From "), ("es", "- A partir del ")])
def test_the_after_care_step_list_says_from(restart, language, word):
    _, body = builtin_source("after_care", "email", language)
    with translation.override(language):
        step = _step(restart)
        text = Template(body).render(Context({"after_steps": [step], "emergency_signs": [], "call_signs": []}))
    assert f"{word}{step['due']}: " in text


def test_the_migration_makes_existing_restart_steps_from_their_time_with_a_history_row(restart):
    from django.apps import apps

    migration = importlib.import_module("medicines.migrations.0002_restart_and_liquid_diet_from_their_time")
    ChecklistTask.objects.filter(pk=restart.pk).update(due_means=DueMeans.BY)  # as written before FROM existed

    migration.from_their_time(apps, None)

    restart.refresh_from_db()
    assert restart.due_means == DueMeans.FROM
    latest = restart.history.latest()
    assert (latest.due_means, latest.history_change_reason) == (DueMeans.FROM, migration.REASON)
