"""The check-ins follow the episode: baseline when scheduled, the rest from the procedure's end, as protocol data."""

import datetime as dt

import time_machine
from django.core.management import call_command

from checkins.models import Checkin, CheckinRule, checkin_version_for
from checkins.protocol_data import read_checkin_protocol, shipped_checkin_files
from checkins.services import ImportResult, checkin_protocol_import
from checklists.services import episodes, protocols
from tests.factories import PatientFactory, record_done, schedule_episode

from .conftest import HOSPITAL, START, done_episode


def test_after_checkins_open_on_days_1_3_7_14_30_42_from_the_end_and_close_a_day_later(pats_episode):
    after = pats_episode.checkins.exclude(point__key="baseline").order_by("opens_at")
    opens = [checkin.opens_at.astimezone(HOSPITAL) for checkin in after]
    assert [moment.date() for moment in opens] == [
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 16),
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 13),
    ]
    # Same clock time as the end, also after the change to summer time on 8 March.
    assert {moment.time() for moment in opens} == {dt.time(10, 30)}
    assert all(checkin.closes_at - checkin.opens_at == dt.timedelta(hours=24) for checkin in after)
    assert {checkin.status for checkin in after} == {Checkin.Status.SCHEDULED}


def test_after_checkins_run_from_the_recorded_end_not_the_scheduled_start(checkin_data, nurse):
    with time_machine.travel(START - dt.timedelta(days=10), tick=False):
        episode = schedule_episode(by=nurse, start=START, protocol_version=checkin_data)
    ended_at = START + dt.timedelta(minutes=95)  # 12:05, an hour and a half late
    with time_machine.travel(START + dt.timedelta(hours=3), tick=False):
        record_done(episode, by=nurse, ended_at=ended_at)
    day_1 = episode.checkins.get(point__key="day-1")
    assert day_1.opens_at == ended_at + dt.timedelta(days=1)
    assert day_1.opens_at.astimezone(HOSPITAL).time() == dt.time(12, 5)


def test_baseline_is_asked_in_the_week_before_and_closes_at_the_start(pats_episode):
    baseline = pats_episode.checkins.get(point__key="baseline")
    assert baseline.opens_at == START - dt.timedelta(days=7)
    assert baseline.closes_at == START


def test_the_baseline_closes_at_the_start_across_the_change_to_summer_time(checkin_data, nurse):
    start = dt.datetime(2026, 3, 10, 8, 0, tzinfo=HOSPITAL)  # the week before holds 8 March, 02:00 -> 03:00
    with time_machine.travel(start - dt.timedelta(days=10), tick=False):
        episode = schedule_episode(by=nurse, start=start, protocol_version=checkin_data)
    baseline = episode.checkins.get(point__key="baseline")
    assert baseline.opens_at == dt.datetime(2026, 3, 3, 8, 0, tzinfo=HOSPITAL)
    assert baseline.closes_at == start  # 167 real hours, not 168: never an hour into the procedure


def test_no_after_checkins_before_the_procedure_is_recorded_done(checkin_data, nurse):
    with time_machine.travel(START - dt.timedelta(days=10), tick=False):
        episode = schedule_episode(by=nurse, start=START, protocol_version=checkin_data)
    assert list(episode.checkins.values_list("point__key", flat=True)) == ["baseline"]


def test_rescheduling_moves_the_baseline(checkin_data, nurse):
    with time_machine.travel(START - dt.timedelta(days=10), tick=False):
        episode = schedule_episode(by=nurse, start=START, protocol_version=checkin_data)
        episodes.episode_reschedule(episode=episode, scheduled_start=START + dt.timedelta(days=2), by=nurse, reason="x")
    assert episode.checkins.get().closes_at == START + dt.timedelta(days=2)


def test_cancelling_cancels_the_checkins_still_to_answer(checkin_data, nurse):
    with time_machine.travel(START - dt.timedelta(days=10), tick=False):
        episode = schedule_episode(by=nurse, start=START, protocol_version=checkin_data)
        episodes.episode_cancel(episode=episode, by=nurse, reason="Fever")
    assert episode.checkins.get().status == Checkin.Status.CANCELLED


def test_a_checkin_whose_window_closed_before_it_was_scheduled_is_not_created(checkin_data, nurse):
    # Recorded done four days late: days 1 and 3 can no longer be answered.
    with time_machine.travel(START - dt.timedelta(days=10), tick=False):
        episode = schedule_episode(by=nurse, start=START, protocol_version=checkin_data)
    with time_machine.travel(START + dt.timedelta(days=4, hours=12), tick=False):
        record_done(episode, by=nurse)
    assert "day-1" not in set(episode.checkins.values_list("point__key", flat=True))
    assert "day-7" in set(episode.checkins.values_list("point__key", flat=True))


def test_a_later_protocol_version_without_its_own_checkins_uses_the_earlier_ones(protocol_version, nurse):
    # The draft was started before the check-in data was loaded onto the published version: it has none.
    draft = protocols.protocol_draft_create(protocol=protocol_version.protocol)
    [path] = shipped_checkin_files()
    checkin_data, _ = checkin_protocol_import(data=read_checkin_protocol(path))
    newer = protocols.protocol_version_publish(version=draft)
    assert checkin_version_for(newer) == checkin_data
    episode = done_episode(nurse=nurse, patient=PatientFactory(), protocol_version=newer)
    assert episode.checkins.count() == 7


def test_loading_twice_changes_nothing(checkin_data):
    [path] = shipped_checkin_files()
    assert checkin_protocol_import(data=read_checkin_protocol(path)) == (checkin_data, ImportResult.ALREADY_CURRENT)
    assert CheckinRule.objects.count() == 12


def test_loading_never_overwrites_an_admins_edit(checkin_data):
    rule = CheckinRule.objects.get(question__key="pain_now")
    rule.min_score = 9
    rule.save()
    [path] = shipped_checkin_files()
    assert checkin_protocol_import(data=read_checkin_protocol(path))[1] == ImportResult.LEFT_AS_EDITED
    rule.refresh_from_db()
    assert rule.min_score == 9


def test_load_command_reports_what_it_did(checkin_data, capsys):
    call_command("load_checkin_protocols")
    assert "already current" in capsys.readouterr().out
