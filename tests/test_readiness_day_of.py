"""Readiness counts a task only once it can be done: a day-of task from the start of the procedure's day.

No more "At risk" two days ahead for a fully prepared patient, nor "Blocked" at 06:40 for an 08:00
case whose fasting check is due at 06:30: the day-of checks are done with the patient in the building.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from checklists.models import Episode, Phase, Readiness
from checklists.services.tasks import task_mark_done
from tests.factories import ProtocolVersionFactory, TaskTemplateFactory, schedule_episode

NEW_YORK = ZoneInfo("America/New_York")
START = dt.datetime(2026, 12, 14, 8, 0, tzinfo=NEW_YORK)
TICK = dt.timedelta(microseconds=1)


@pytest.fixture
def episode(nurse) -> Episode:
    """An 08:00 case: driver (critical, a week before) and fasting confirmed (critical, day of, 06:30)."""
    version = ProtocolVersionFactory()
    TaskTemplateFactory(
        protocol_version=version,
        phase=Phase.WEEK_BEFORE,
        title="Driver",
        is_critical=True,
        due_offset_minutes=-7 * 1440,
    )
    TaskTemplateFactory(
        protocol_version=version,
        phase=Phase.DAY_OF,
        title="Fasting confirmed",
        is_critical=True,
        due_offset_minutes=-90,
    )
    with time_machine.travel(START - dt.timedelta(days=30), tick=False):
        return schedule_episode(by=nurse, start=START, protocol_version=version)


def readiness(episode: Episode, now: dt.datetime) -> str:
    return Episode.objects.with_readiness(now=now).get(pk=episode.pk).readiness


def tick(episode: Episode, title: str, nurse) -> None:
    task = episode.tasks.get(title=title)
    task_mark_done(task=task, by=nurse, expected_version=task.version)


@pytest.fixture
def prepared(episode, nurse) -> Episode:
    tick(episode, "Driver", nurse)
    return episode


def test_a_prepared_patient_is_ready_for_the_day_49_hours_ahead_not_at_risk(prepared):
    assert readiness(prepared, START - dt.timedelta(hours=49)) == Readiness.READY_FOR_THE_DAY


def test_ready_for_the_day_until_the_last_moment_of_the_evening_before(prepared):
    midnight = dt.datetime(2026, 12, 14, 0, 0, tzinfo=NEW_YORK)
    assert readiness(prepared, midnight - TICK) == Readiness.READY_FOR_THE_DAY
    # From the start of the procedure's day the day-of tasks count: one is open.
    assert readiness(prepared, midnight) == Readiness.AT_RISK


def test_at_0640_an_open_fasting_check_due_at_0630_is_at_risk_not_blocked(prepared):
    assert readiness(prepared, dt.datetime(2026, 12, 14, 6, 40, tzinfo=NEW_YORK)) == Readiness.AT_RISK


def test_a_day_of_task_still_open_at_the_start_is_at_risk_and_blocked_just_after(prepared):
    assert readiness(prepared, START) == Readiness.AT_RISK
    assert readiness(prepared, START + TICK) == Readiness.BLOCKED


def test_ready_once_the_day_of_task_is_done(prepared, nurse):
    tick(prepared, "Fasting confirmed", nurse)
    assert readiness(prepared, dt.datetime(2026, 12, 14, 6, 40, tzinfo=NEW_YORK)) == Readiness.READY


def test_a_task_before_the_day_still_counts_at_once(episode):
    # The driver is due a week ahead: 48 h before that it is at risk, after it blocked, whatever the day-of tasks.
    driver_due = START - dt.timedelta(days=7)
    assert readiness(episode, driver_due - dt.timedelta(hours=49)) == Readiness.ON_TRACK
    assert readiness(episode, driver_due - dt.timedelta(hours=48)) == Readiness.AT_RISK
    assert readiness(episode, driver_due + TICK) == Readiness.BLOCKED
