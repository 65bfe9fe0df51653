"""Readiness: one rule, computed in SQL, the same for a list and for one episode."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from checklists.models import Episode, Readiness
from checklists.services.episodes import episode_cancel, episode_reschedule
from checklists.services.tasks import task_mark_done, task_mark_not_applicable
from tests.factories import TaskTemplateFactory, record_done, schedule_episode

START = dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def critical_only_version(protocol_version):
    """Two critical tasks: one due 24 h before the start, one 1 h before; nothing else counts."""
    protocol_version.tasks.update(is_critical=False)
    TaskTemplateFactory(
        protocol_version=protocol_version, title="Bloods on file", is_critical=True, due_offset_minutes=-24 * 60
    )
    TaskTemplateFactory(
        protocol_version=protocol_version, title="Level verified", is_critical=True, due_offset_minutes=-60
    )
    return protocol_version


@pytest.fixture
def episode_at_start(nurse, critical_only_version) -> Episode:
    with time_machine.travel(START - dt.timedelta(days=30), tick=False):
        return schedule_episode(by=nurse, start=START, protocol_version=critical_only_version)


def readiness(episode: Episode, now: dt.datetime) -> str:
    return Episode.objects.with_readiness(now=now).get(pk=episode.pk).readiness


def tick(episode: Episode, title: str, nurse) -> None:
    task = episode.tasks.get(title=title)
    task_mark_done(task=task, by=nurse, expected_version=task.version)


def test_on_track_when_no_critical_task_is_due_within_48_hours(episode_at_start):
    assert readiness(episode_at_start, START - dt.timedelta(hours=73)) == Readiness.ON_TRACK


def test_at_risk_when_a_critical_task_is_due_in_exactly_48_hours(episode_at_start):
    # "Bloods on file" is due at START − 24 h; 48 h before that is the edge of the window.
    assert readiness(episode_at_start, START - dt.timedelta(hours=72)) == Readiness.AT_RISK


def test_a_task_due_exactly_now_is_at_risk_not_yet_overdue(episode_at_start):
    assert readiness(episode_at_start, START - dt.timedelta(hours=24)) == Readiness.AT_RISK


def test_blocked_once_a_critical_task_is_past_due(episode_at_start):
    just_after = START - dt.timedelta(hours=24) + dt.timedelta(microseconds=1)
    assert readiness(episode_at_start, just_after) == Readiness.BLOCKED


def test_not_applicable_critical_task_counts_as_closed(episode_at_start, nurse):
    task = episode_at_start.tasks.get(title="Bloods on file")
    task_mark_not_applicable(task=task, by=nurse, expected_version=task.version, reason="Done at GP")
    assert readiness(episode_at_start, START - dt.timedelta(hours=23)) == Readiness.AT_RISK  # "Level verified" next
    tick(episode_at_start, "Level verified", nurse)
    assert readiness(episode_at_start, START - dt.timedelta(hours=23)) == Readiness.READY


def test_ready_even_while_non_critical_tasks_remain_and_are_overdue(episode_at_start, nurse):
    tick(episode_at_start, "Bloods on file", nurse)
    tick(episode_at_start, "Level verified", nurse)
    assert episode_at_start.tasks.filter(status="pending").exists()
    assert readiness(episode_at_start, START + dt.timedelta(hours=2)) == Readiness.READY


def test_a_cancelled_episode_is_cancelled_whatever_its_tasks(episode_at_start, nurse):
    episode_cancel(episode=episode_at_start, by=nurse, reason="Chest infection")
    assert readiness(episode_at_start, START - dt.timedelta(hours=1)) == Readiness.CANCELLED


def test_a_completed_episode_is_procedure_done_even_with_a_critical_task_left_open(episode_at_start, nurse):
    with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
        record_done(episode_at_start, by=nurse)
    assert episode_at_start.tasks.filter(is_critical=True, status="pending").exists()
    assert readiness(episode_at_start, START + dt.timedelta(hours=3)) == Readiness.DONE


def test_rescheduling_moves_a_blocked_episode_back_to_on_track(episode_at_start, nurse):
    now = START - dt.timedelta(hours=12)
    assert readiness(episode_at_start, now) == Readiness.BLOCKED
    with time_machine.travel(now, tick=False):
        episode_reschedule(
            episode=episode_at_start, scheduled_start=START + dt.timedelta(days=7), by=nurse, reason="Bloods delayed"
        )
    assert readiness(episode_at_start, now) == Readiness.ON_TRACK


def test_the_at_risk_window_is_a_setting(episode_at_start, settings):
    settings.READINESS_AT_RISK_HOURS = 12
    assert readiness(episode_at_start, START - dt.timedelta(hours=48)) == Readiness.ON_TRACK


def test_the_list_and_the_single_episode_give_the_same_answer(nurse, critical_only_version):
    now = timezone.now()
    episodes = [
        schedule_episode(by=nurse, start=now + dt.timedelta(hours=hours), protocol_version=critical_only_version)
        for hours in (12, 30, 100)
    ]
    listed = dict(Episode.objects.with_readiness(now=now).values_list("pk", "readiness"))
    assert listed == {episode.pk: readiness(episode, now) for episode in episodes}
    assert listed == {
        episodes[0].pk: Readiness.BLOCKED,  # bloods were due 12 h ago
        episodes[1].pk: Readiness.AT_RISK,  # bloods due in 6 h
        episodes[2].pk: Readiness.ON_TRACK,  # bloods due in 76 h
    }


def test_per_phase_progress_and_overdue_count(nurse, protocol_version):
    now = timezone.now()
    episode = schedule_episode(by=nurse, start=now + dt.timedelta(days=2), protocol_version=protocol_version)
    tick(episode, "Arrange a driver", nurse)
    annotated = Episode.objects.with_progress(now=now + dt.timedelta(days=2)).get(pk=episode.pk)
    assert annotated.phase_progress() == [
        ("Week before", 1, 1),
        ("Night before", 0, 1),
        ("Day of", 0, 1),
        ("After", 0, 1),
    ]
    assert annotated.tasks_overdue == 2  # last solid food (T0 − 8 h) and consent (T0 − 1 h)
    # What blocks: the open critical tasks, the earliest due first (consent, T0 − 1 h; the driver is done).
    assert (annotated.blocking_count, annotated.first_blocking_title) == (1, "Consent signed")
