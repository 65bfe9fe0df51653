"""Hospital time: the one phase-window table, its agreement with the editor, the patient's timeline and
the README, local days taken in the hospital's timezone whatever timezone is active, and the hospital's night
(its quiet hours)."""

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone, translation
from django.utils.formats import date_format

from checklists import hospital_time
from checklists.hospital_time import PHASE_WINDOWS, Moment, local_day, phase_begins, reference_start, short_local
from checklists.models import ChecklistTask, Phase, TaskTemplate, overdue
from checklists.protocol_data import read_protocol, shipped_protocol_files
from checklists.protocol_selectors import protocol_task_timing_error
from portal.timeline import patient_checklist, phase_starts
from tests.factories import PatientFactory, schedule_episode, small_protocol_version

NEW_YORK = ZoneInfo("America/New_York")
ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "checklists" / "README.md"
# Django's helpers for the *current* timezone, or a zone built by hand: hospital_time.py is their one home.
OTHER_CLOCKS = re.compile(r"\b(localdate|localtime|make_aware|get_current_timezone)\(|\bZoneInfo\(")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NEW_YORK)


def test_the_readme_table_is_the_phase_window_table():
    rows = re.findall(r"^\| (Week before|Night before|Day of|After) \| (.+?) \| (.+?) \|$", README.read_text(), re.M)

    assert rows == [
        (Phase(phase).label, str(window.begins), window.due_text()) for phase, window in PHASE_WINDOWS.items()
    ]


def current_phase(start: dt.datetime, moment: dt.datetime, tasks=()) -> str | None:
    """The phase the patient's timeline marks "Now" at `moment` (the last one begun) for an episode of `tasks`."""
    begun = [phase for phase, begins in phase_starts(start, tasks).items() if begins <= moment]
    return begun[-1] if begun else None


def shipped_templates() -> list[TaskTemplate]:
    return [TaskTemplate(**task) for path in shipped_protocol_files() for task in read_protocol(path)["tasks"]]


@pytest.mark.parametrize("start", [at(2026, 6, 17, 9, 0), at(2026, 6, 17, 7, 0), at(2026, 6, 17, 14, 30)])
def test_every_shipped_task_before_the_start_is_due_while_the_timeline_shows_its_phase(start):
    tasks = [ChecklistTask(phase=template.phase, due_at=template.due_at_for(start)) for template in shipped_templates()]
    for template, task in zip(shipped_templates(), tasks, strict=True):
        if task.due_at < start:
            assert current_phase(start, task.due_at, tasks) == template.phase, template.title


def test_the_editor_accepts_every_shipped_task_and_a_night_before_task_at_one_in_the_morning():
    assert [template.title for template in shipped_templates() if protocol_task_timing_error(template)] == []
    at_one = TaskTemplate(phase=Phase.NIGHT_BEFORE, title="Last fatty food", due_offset_minutes=-8 * 60)

    assert template_due_local_time(at_one) == dt.time(1, 0)
    assert protocol_task_timing_error(at_one) == ""
    assert current_phase(reference_start(), at_one.due_at_for(reference_start())) == Phase.NIGHT_BEFORE


def template_due_local_time(template: TaskTemplate) -> dt.time:
    return template.due_at_for(reference_start()).astimezone(hospital_time.hospital_tz()).time()


def test_a_task_the_editor_accepts_in_a_phase_is_due_while_the_timeline_shows_that_phase_every_15_minutes():
    """Sweep the reference procedure's fortnight: wherever the editor accepts a due time for a phase
    before the start, the timeline shows that phase then (the week before may begin earlier, below)."""
    start = reference_start()
    moment = Moment(days=-14).at(start)
    while moment < start:
        for phase, window in PHASE_WINDOWS.items():
            if window.fits(moment, start) and moment >= phase_begins(start)[Phase.WEEK_BEFORE]:
                assert current_phase(start, moment) == phase, (phase, moment)
        moment += dt.timedelta(minutes=15)


@pytest.mark.django_db
def test_a_week_before_task_due_ten_days_ahead_begins_the_week_before_on_its_day(nurse):
    version = small_protocol_version()
    version.tasks.filter(phase=Phase.WEEK_BEFORE).update(due_day_offset=-10)
    episode = schedule_episode(by=nurse, patient=PatientFactory(), protocol_version=version, start=at(2026, 6, 17, 9))

    week_before = patient_checklist(episode, now=at(2026, 6, 8, 12)).phases[0]

    assert week_before.starts_at == at(2026, 6, 7, 0, 0)
    assert week_before.is_current


def test_phases_begin_on_calendar_days_across_the_spring_daylight_saving_change():
    begins = phase_begins(at(2026, 3, 9, 8, 0))

    assert begins[Phase.WEEK_BEFORE] == at(2026, 3, 2, 0, 0)
    assert begins[Phase.NIGHT_BEFORE] == at(2026, 3, 8, 0, 0)
    assert begins[Phase.DAY_OF] == at(2026, 3, 9, 4, 0)
    assert begins[Phase.AFTER] == at(2026, 3, 9, 8, 0)


def test_today_is_the_hospitals_date_whatever_timezone_is_active():
    # 02:30 UTC on 18 June is still 17 June in New York.
    with time_machine.travel(dt.datetime(2026, 6, 18, 2, 30, tzinfo=dt.UTC)), timezone.override("Asia/Tokyo"):
        assert hospital_time.today() == dt.date(2026, 6, 17)
        assert local_day(timezone.now()) == dt.date(2026, 6, 17)


def test_the_app_reads_the_hospitals_clock_only_through_hospital_time():
    sources = [
        path
        for path in ROOT.rglob("*.py")
        if not {".venv", "tests", "migrations"} & set(path.relative_to(ROOT).parts)
        and path != ROOT / "checklists" / "hospital_time.py"
    ]
    offenders = {
        f"{path.relative_to(ROOT)}:{number}": line.strip()
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if OTHER_CLOCKS.search(line)
    }
    assert len(sources) > 100
    assert offenders == {}


@pytest.mark.django_db
def test_overdue_is_one_rule_in_sql_and_on_a_task(episode):
    consent = episode.tasks.get(title="Consent signed")
    due = consent.due_at
    for now, expected in [(due, False), (due + dt.timedelta(minutes=1), True)]:
        in_sql = ChecklistTask.objects.filter(overdue(now), pk=consent.pk).exists()
        assert in_sql is consent.is_overdue(now) is expected
    consent.status = ChecklistTask.Status.DONE
    assert not consent.is_overdue(due + dt.timedelta(minutes=1))


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2025, 6, 4, 13, 5, tzinfo=dt.UTC),  # summer: EDT
        dt.datetime(2025, 1, 9, 4, 30, tzinfo=dt.UTC),  # winter: EST, and the day before in New York
        dt.datetime(2025, 3, 9, 7, 0, tzinfo=dt.UTC),  # the spring-forward morning, 03:00 EDT
        dt.datetime(2025, 11, 2, 5, 59, tzinfo=dt.UTC),  # the fall-back night, 01:59 EDT
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_short_local_writes_a_moment_as_the_date_filter_did_in_hospital_time(moment, language):
    """The worklist formats hundreds of moments with `short_local` instead of the `date` filter: the same
    text, in the hospital's timezone whatever timezone is active."""
    with translation.override(language), timezone.override(ZoneInfo("UTC")):
        assert short_local(moment) == date_format(moment.astimezone(hospital_time.hospital_tz()), "D j M, H:i")
    assert short_local(dt.datetime(2025, 6, 4, 13, 5, tzinfo=dt.UTC)) == "Wed 4 Jun, 09:05"


QUIET = (dt.time(21, 0), dt.time(8, 0))


def test_quiet_hours_run_overnight_from_their_start_to_their_end_the_next_morning():
    quiet = {hour: hospital_time.is_quiet(at(2026, 6, 17, hour, 0), QUIET) for hour in (7, 8, 20, 21, 23)}
    assert quiet == {7: True, 8: False, 20: False, 21: True, 23: True}


def test_a_moment_in_quiet_hours_moves_to_an_hour_before_they_began_or_waits_until_they_end():
    for moment in (at(2026, 6, 17, 22, 30), at(2026, 6, 18, 5, 0)):
        assert hospital_time.evening_before_quiet(moment, QUIET) == at(2026, 6, 17, 20, 0)
        assert hospital_time.morning_after_quiet(moment, QUIET) == at(2026, 6, 18, 8, 0)
    daytime = at(2026, 6, 17, 14, 0)
    assert hospital_time.evening_before_quiet(daytime, QUIET) == daytime
    assert hospital_time.morning_after_quiet(daytime, QUIET) == daytime


def test_the_hospitals_quiet_hours_come_from_the_setting(settings):
    settings.NOTIFY_QUIET_HOURS = "22:00-07:30"

    assert hospital_time.hospital_quiet_hours() == (dt.time(22, 0), dt.time(7, 30))
