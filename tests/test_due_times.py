"""Due times: exact clock times computed from the real start, in the hospital's timezone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from checklists.models import ChecklistTask
from checklists.services.episodes import episode_cancel, episode_reschedule
from tests.factories import TaskTemplateFactory, schedule_episode

NEW_YORK = ZoneInfo("America/New_York")


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def hospital_in_new_york(settings):
    settings.TIME_ZONE = "America/New_York"


def test_offset_rule_is_exact_minutes_from_the_start(db):
    template = TaskTemplateFactory.build(due_offset_minutes=-8 * 60)
    assert template.due_at_for(local(2026, 6, 10, 9, 30)) == local(2026, 6, 10, 1, 30)


def test_day_and_clock_rule_is_local_wall_time_on_the_day(db):
    template = TaskTemplateFactory.build(due_offset_minutes=None, due_day_offset=-1, due_clock_time=dt.time(23, 59))
    assert template.due_at_for(local(2026, 6, 10, 9, 30)) == local(2026, 6, 9, 23, 59)


def test_day_rule_uses_the_hospital_date_not_the_utc_date(db):
    # 21:00 in New York is already the next day in UTC; "the day before" is still the 9th locally.
    template = TaskTemplateFactory.build(due_offset_minutes=None, due_day_offset=-1, due_clock_time=dt.time(18, 0))
    assert template.due_at_for(local(2026, 6, 10, 21, 0)) == local(2026, 6, 9, 18, 0)


def test_week_before_rule_keeps_its_clock_time_across_the_spring_dst_change(db):
    # Clocks go forward on Sunday 8 March 2026: 09:00 a week earlier is still 09:00 on the wall.
    template = TaskTemplateFactory.build(due_offset_minutes=None, due_day_offset=-7, due_clock_time=dt.time(9, 0))
    due = template.due_at_for(local(2026, 3, 9, 8, 0))
    assert due == local(2026, 3, 2, 9, 0)
    assert due.astimezone(dt.UTC).hour == 14  # EST, UTC-5
    assert local(2026, 3, 9, 8, 0).astimezone(dt.UTC).hour == 12  # EDT, UTC-4


def test_offset_rule_counts_real_hours_across_the_dst_change(db):
    # A 10:00 start on the DST Sunday: eight real hours earlier is 01:00 on the wall, not 02:00.
    template = TaskTemplateFactory.build(due_offset_minutes=-8 * 60)
    due = template.due_at_for(local(2026, 3, 8, 10, 0))
    assert due.astimezone(NEW_YORK).time() == dt.time(1, 0)
    assert local(2026, 3, 8, 10, 0) - due == dt.timedelta(hours=8)


def test_scheduling_gives_every_task_its_due_time(nurse, protocol_version):
    start = timezone.now().astimezone(NEW_YORK).replace(microsecond=0) + dt.timedelta(days=10)
    episode = schedule_episode(by=nurse, protocol_version=protocol_version, start=start)
    due = {task.title: task.due_at for task in episode.tasks.all()}
    assert due["Last solid food"] == start - dt.timedelta(hours=8)
    assert due["Lie flat"] == start + dt.timedelta(hours=1)
    assert due["Arrange a driver"].astimezone(NEW_YORK).time() == dt.time(9, 0)
    assert due["Arrange a driver"].astimezone(NEW_YORK).date() == start.date() - dt.timedelta(days=7)


def test_rescheduling_moves_every_due_time_and_records_why(episode, nurse):
    new_start = episode.scheduled_start + dt.timedelta(days=2, hours=3)
    episode_reschedule(episode=episode, scheduled_start=new_start, by=nurse, reason="Theatre overrun")
    episode.refresh_from_db()
    assert episode.scheduled_start == new_start
    food = episode.tasks.get(title="Last solid food")
    assert food.due_at == new_start - dt.timedelta(hours=8)
    latest = food.history.latest()
    assert latest.history_user == nurse
    assert latest.history_change_reason == "Procedure rescheduled: Theatre overrun"
    assert episode.history.latest().history_change_reason == "Theatre overrun"


def test_rescheduling_needs_a_reason(episode, nurse):
    with pytest.raises(ValidationError):
        episode_reschedule(
            episode=episode, scheduled_start=episode.scheduled_start + dt.timedelta(days=1), by=nurse, reason=" "
        )


def test_a_cancelled_episode_cannot_be_rescheduled(episode, nurse):
    episode_cancel(episode=episode, by=nurse, reason="Patient has the flu")
    with pytest.raises(ValidationError):
        episode_reschedule(episode=episode, scheduled_start=episode.scheduled_start, by=nurse, reason="Feeling better")
    assert not ChecklistTask.objects.filter(episode=episode, version__gt=1).exists()
