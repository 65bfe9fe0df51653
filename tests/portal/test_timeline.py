"""The patient's timeline: four phases with real dates, the current one highlighted, what is next first."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from checklists.models import Phase
from checklists.services.tasks import task_mark_done
from portal.timeline import current_episode, format_moment, format_time, patient_checklist, phase_starts
from tests.factories import PatientFactory, record_done, schedule_episode, small_protocol_version

NEW_YORK = ZoneInfo("America/New_York")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NEW_YORK)


@pytest.fixture
def schedule(nurse, patient_user):
    patient = PatientFactory(user=patient_user, first_name="Pat", preferred_language="en")

    def schedule_at(start: dt.datetime):
        return schedule_episode(by=nurse, patient=patient, protocol_version=small_protocol_version(), start=start)

    return schedule_at


def headings(episode, now) -> list[str]:
    with translation.override("en"):
        return [phase.heading for phase in patient_checklist(episode, now=now).phases]


def due_texts(episode, now) -> dict[str, str]:
    with translation.override("en"):
        return {item.task.title: item.due_text for item in patient_checklist(episode, now=now).tasks}


def test_monday_morning_procedure_shows_each_phase_with_its_real_date(schedule):
    episode = schedule(at(2026, 3, 16, 8, 0))

    assert headings(episode, now=at(2026, 3, 1, 12, 0)) == [
        "Week before: from Monday 9 March",
        "Night before: Sunday 15 March",
        "Day of: Monday 16 March, procedure at 8:00 a.m.",
        "After: from Monday 16 March, after your procedure",
    ]
    assert due_texts(episode, now=at(2026, 3, 1, 12, 0)) == {
        "Arrange a driver": "By 9:00 a.m. Monday 9 March",
        # Due at midnight: never "midnight", which reads as Monday night; the last minute of Sunday.
        "Last solid food": "By 11:59 p.m. Sunday 15 March",
        "Consent signed": "By 7:00 a.m. Monday 16 March",
        "Lie flat": "By 9:00 a.m. Monday 16 March",
    }


def test_a_clock_time_at_midnight_is_the_last_minute_before_it_in_both_languages():
    midnight = at(2026, 3, 16, 0, 0)
    with translation.override("en"):
        assert format_time(midnight) == "11:59 p.m."
    with translation.override("es"):
        assert format_time(midnight) == "23:59"


def test_monday_after_the_spring_daylight_saving_change(schedule):
    # Clocks go forward at 2:00 on Sunday 8 March 2026: the night before is 23 hours long.
    episode = schedule(at(2026, 3, 9, 8, 0))

    week_before, night_before, *_ = headings(episode, now=at(2026, 3, 1, 12, 0))
    assert (week_before, night_before) == ("Week before: from Monday 2 March", "Night before: Sunday 8 March")
    assert phase_starts(episode.scheduled_start)[Phase.NIGHT_BEFORE] == at(2026, 3, 8, 0, 0)
    # 8 hours of real time before 8:00 EDT is midnight: no hour lost or gained on the clock face.
    assert due_texts(episode, now=at(2026, 3, 1))["Last solid food"] == "By 11:59 p.m. Sunday 8 March"


def test_sunday_procedure_on_the_spring_change_counts_real_hours(schedule):
    episode = schedule(at(2026, 3, 8, 8, 0))

    texts = due_texts(episode, now=at(2026, 3, 1))

    # 8:00 EDT minus 8 real hours is 23:00 EST the evening before (not midnight: an hour was skipped).
    assert texts["Last solid food"] == "By 11:00 p.m. Saturday 7 March"
    # A clock-time rule stays at 9:00 on the wall clock, a week before in calendar days.
    assert texts["Arrange a driver"] == "By 9:00 a.m. Sunday 1 March"
    assert headings(episode, now=at(2026, 3, 1))[:2] == [
        "Week before: from Sunday 1 March",
        "Night before: Saturday 7 March",
    ]


def test_sunday_procedure_on_the_autumn_change_counts_real_hours(schedule):
    # Clocks go back at 2:00 on Sunday 1 November 2026: 1:00 happens twice.
    episode = schedule(at(2026, 11, 1, 8, 0))

    texts = due_texts(episode, now=at(2026, 10, 20))

    assert texts["Last solid food"] == "By 1:00 a.m. Sunday 1 November"
    assert episode.tasks.get(title="Last solid food").due_at == dt.datetime(2026, 11, 1, 5, 0, tzinfo=dt.UTC)
    assert headings(episode, now=at(2026, 10, 20))[1] == "Night before: Saturday 31 October"


@pytest.mark.parametrize(
    ("now", "current"),
    [
        (at(2026, 3, 1, 23, 59), None),
        (at(2026, 3, 2, 0, 0), Phase.WEEK_BEFORE),
        (at(2026, 3, 8, 3, 30), Phase.NIGHT_BEFORE),  # an hour after the clocks went forward
        # Midnight is still the night before: "Last solid food" (T0 − 8 h) is due at midnight.
        (at(2026, 3, 9, 0, 30), Phase.NIGHT_BEFORE),
        (at(2026, 3, 9, 3, 59), Phase.NIGHT_BEFORE),
        (at(2026, 3, 9, 4, 0), Phase.DAY_OF),  # 4 hours before the start
        (at(2026, 3, 9, 7, 59), Phase.DAY_OF),
        (at(2026, 3, 9, 8, 0), Phase.AFTER),
    ],
)
def test_the_current_phase_follows_the_clock(schedule, now, current):
    episode = schedule(at(2026, 3, 9, 8, 0))

    phases = patient_checklist(episode, now=now).phases

    assert [phase.phase for phase in phases if phase.is_current] == ([current] if current else [])


def test_next_is_the_first_open_task_ahead_or_the_patients_own_late_task(schedule, nurse):
    episode = schedule(at(2026, 3, 16, 8, 0))
    now = at(2026, 3, 12, 12, 0)

    # "Arrange a driver" (the patient's, due 9 March) is late: it stays first until done.
    assert patient_checklist(episode, now=now).next_task.task.title == "Arrange a driver"

    driver = episode.tasks.get(title="Arrange a driver")
    task_mark_done(task=driver, by=nurse, expected_version=driver.version)

    assert patient_checklist(episode, now=now).next_task.task.title == "Last solid food"


def test_the_teams_tasks_are_never_the_patients_next_step(schedule, nurse):
    episode = schedule(at(2026, 3, 16, 8, 0))
    for title in ("Arrange a driver", "Last solid food"):
        task = episode.tasks.get(title=title)
        task_mark_done(task=task, by=nurse, expected_version=task.version)

    # The consent (clinician) and "Lie flat" (nurse) are the team's: nothing is left for the patient.
    for now in (at(2026, 3, 12, 12, 0), at(2026, 3, 16, 7, 30)):
        assert patient_checklist(episode, now=now).next_task is None


def test_checklist_page_highlights_the_current_phase_ticks_done_tasks_and_puts_next_first(
    client, patient_user, schedule, nurse
):
    episode = schedule(at(2026, 3, 16, 8, 0))
    consent = episode.tasks.get(title="Consent signed")
    task_mark_done(task=consent, by=nurse, expected_version=consent.version)
    client.force_login(patient_user)

    with time_machine.travel(at(2026, 3, 15, 20, 0).timestamp()):
        page = client.get(reverse("portal:checklist")).content.decode()

    # On a phone's first screen: when to come, then what to do next; printing and the calendar come after.
    assert page.index("Your procedure:") < page.index("Next for you") < page.index("Save or print my checklist")
    assert page.index("Next for you") < page.index("Step by step")
    current = page[page.index('aria-current="step"') :]
    assert current.index("Night before: Sunday 15 March") < current.index("Day of")
    assert page.count('aria-current="step"') == 1
    assert "✓ </span>The team will take care of this: Consent signed" in page
    assert "Do this." in page  # the task's plain-language instructions


def test_warning_signs_come_after_the_timeline_before_the_procedure_and_first_after_it(
    client, patient_user, schedule, settings
):
    settings.WARD_PHONE = "(555) 987-6543"
    schedule(at(2026, 3, 16, 8, 0))
    client.force_login(patient_user)

    with time_machine.travel(at(2026, 3, 10, 12, 0).timestamp()):
        before = client.get(reverse("portal:checklist")).content.decode()
    with time_machine.travel(at(2026, 3, 16, 12, 0).timestamp()):
        after = client.get(reverse("portal:checklist")).content.decode()

    assert before.index("Step by step") < before.index('id="warning-signs-heading"')
    assert after.index('id="warning-signs-heading"') < after.index("Next for you") < after.index("Step by step")
    assert '<a href="tel:5559876543" class="alert-link">(555) 987-6543</a>' in after
    assert "Fever" in after


def test_warning_signs_page_is_reachable_from_every_portal_page(client, patient_user, schedule):
    episode = schedule(at(2026, 3, 16, 8, 0))
    client.force_login(patient_user)

    for url in (reverse("portal:checklist"), reverse("portal:episode", args=[episode.pk])):
        assert reverse("portal:warning-signs") in client.get(url).content.decode()
    page = client.get(reverse("portal:warning-signs")).content.decode()
    assert "Fever" in page
    assert "Call 911" in page


def test_patient_with_no_procedure_is_told_to_call(client, patient_user, settings):
    PatientFactory(user=patient_user)
    client.force_login(patient_user)

    page = client.get(reverse("portal:checklist")).content.decode()

    assert "You have no procedure scheduled." in page
    assert f"call the ward at {settings.WARD_PHONE}." in page


def test_checklist_page_query_count_does_not_grow_with_tasks(client, patient_user, schedule, django_assert_num_queries):
    schedule(at(2026, 3, 16, 8, 0))
    client.force_login(patient_user)
    # session, user, preferred language, current episode, its tasks, warning signs, other episodes,
    # then the read log: the patient's record id and the log row;
    # and the check-ins' two: open check-ins (the card) and pain scores (the chart).
    with django_assert_num_queries(11):
        client.get(reverse("portal:checklist"))


def test_the_patient_sees_first_the_next_procedure_from_today_not_an_older_one_left_scheduled(schedule, patient_user):
    with time_machine.travel(at(2026, 2, 1, 9, 0), tick=False):
        forgotten = schedule(at(2026, 3, 2, 8, 0))  # took place, never recorded done
        upcoming = schedule(at(2026, 3, 20, 8, 0))
        later = schedule(at(2026, 4, 20, 8, 0))

    assert current_episode(patient_user, now=at(2026, 3, 10, 9, 0)) == upcoming
    assert current_episode(patient_user, now=at(2026, 3, 20, 12, 0)) == upcoming  # the day itself, after the start
    assert current_episode(patient_user, now=at(2026, 5, 1, 9, 0)) == later  # nothing ahead: the latest
    assert current_episode(patient_user, now=at(2026, 3, 2, 7, 0)) == forgotten  # its own day, before the start


def test_a_procedure_done_with_after_care_open_comes_first_for_a_week(schedule, patient_user, nurse):
    with time_machine.travel(at(2026, 2, 1, 9, 0), tick=False):
        done = schedule(at(2026, 3, 9, 8, 0))
        upcoming = schedule(at(2026, 3, 30, 8, 0))
    with time_machine.travel(at(2026, 3, 9, 11, 0), tick=False):
        record_done(done, by=nurse)

    assert current_episode(patient_user, now=at(2026, 3, 10, 9, 0)) == done  # "Lie flat" still open
    assert current_episode(patient_user, now=at(2026, 3, 17, 9, 0)) == upcoming  # a week on
    lie_flat = done.tasks.get(phase=Phase.AFTER)
    task_mark_done(task=lie_flat, by=nurse, expected_version=lie_flat.version)
    assert current_episode(patient_user, now=at(2026, 3, 10, 9, 0)) == upcoming  # after care closed


def test_noon_reads_12_00_noon_in_english_and_12_00_in_spanish_never_midnight():
    noon = dt.datetime(2026, 12, 7, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    with translation.override("en"):
        assert format_time(noon) == "12:00 noon"
        assert format_moment(noon) == "12:00 noon Monday 7 December"
        assert format_time(noon + dt.timedelta(minutes=30)) == "12:30 p.m."
        assert format_moment(noon + dt.timedelta(hours=12)) == "11:59 p.m. Monday 7 December"
    with translation.override("es"):
        assert format_moment(noon) == "lunes 7 de diciembre a las 12:00"
