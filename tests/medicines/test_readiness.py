"""Readiness with a medication plan (issue #11): a listed medicine without a decision makes the episode
At risk at once and Blocked once its proposed last dose is due; a decided or removed medicine does not
count; a hold made too short by a reschedule blocks; the medicine review needs an explicit answer."""

import datetime as dt

import pytest

from checklists.models import Episode, Readiness
from checklists.services.episodes import episode_reschedule
from checklists.services.tasks import task_mark_done, task_mark_not_applicable
from medicines import services
from medicines.models import Decision

from .conftest import NEW_YORK


def local(*args):
    return dt.datetime(*args, tzinfo=NEW_YORK)


def readiness(episode, now):
    return Episode.objects.with_readiness(now=now).get(pk=episode.pk).readiness


def add(episode, nurse, medicine):
    return services.medicine_add(episode=episode, by=nurse, medicine=medicine, dose="75 mg once a day")


def decide(medication, nurse, decision=Decision.STOP_AS_PROPOSED, **fields):
    return services.medicine_decide(
        medication=medication, by=nurse, decision=decision, prescriber_name="Dr. Rivera", channel="phone", **fields
    )


def tick_critical(episode, nurse, *, but=()):
    for task in episode.tasks.filter(is_critical=True, status="pending").exclude(title__in=but):
        task_mark_done(task=task, by=nurse, expected_version=task.version)


@pytest.fixture
def ready_episode(plan_episode, nurse):
    """Pat's procedure (Mon 14 Dec 08:00) with every critical task done and "no regular medicines" answered."""
    tick_critical(plan_episode, nurse, but=[services.REVIEW_TASK_TITLE])
    services.medicine_review_record(episode=plan_episode, by=nurse, no_regular_medicines=True)
    assert readiness(plan_episode, local(2026, 12, 2, 10, 0)) == Readiness.READY
    return plan_episode


def test_an_undecided_medicine_is_at_risk_from_the_moment_it_is_listed(ready_episode, nurse, catalogue):
    # Wednesday 2 December, 12 days ahead: clopidogrel's proposed last dose (Sun 6 Dec 23:59) is 4 days off,
    # outside the 48-hour window, yet the episode is At risk as soon as the medicine is on the list.
    add(ready_episode, nurse, catalogue["clopidogrel"])

    assert readiness(ready_episode, local(2026, 12, 2, 10, 0)) == Readiness.AT_RISK
    assert readiness(ready_episode, local(2026, 12, 6, 23, 59)) == Readiness.AT_RISK


def test_an_undecided_medicine_blocks_once_its_proposed_last_dose_is_due(ready_episode, nurse, catalogue):
    medication = add(ready_episode, nurse, catalogue["clopidogrel"])

    assert readiness(ready_episode, local(2026, 12, 7, 0, 0)) == Readiness.BLOCKED

    decide(medication, nurse)
    assert readiness(ready_episode, local(2026, 12, 7, 0, 0)) == Readiness.READY


@pytest.mark.parametrize("decision", [Decision.STOP_AS_PROPOSED, Decision.CONTINUE])
def test_a_decided_medicine_does_not_count(ready_episode, nurse, catalogue, decision):
    decide(add(ready_episode, nurse, catalogue["apixaban"]), nurse, decision)

    assert readiness(ready_episode, local(2026, 12, 2, 10, 0)) == Readiness.READY


def test_a_medicine_taken_off_the_list_does_not_count(ready_episode, nurse, catalogue):
    medication = add(ready_episode, nurse, catalogue["apixaban"])
    services.medicine_remove(medication=medication, by=nurse, reason="Entered for the wrong patient")
    services.medicine_review_record(episode=ready_episode, by=nurse, no_regular_medicines=True)

    assert readiness(ready_episode, local(2026, 12, 2, 10, 0)) == Readiness.READY


def test_a_hold_too_short_after_a_reschedule_blocks_until_the_prescriber_decides_again(ready_episode, nurse, catalogue):
    medication = decide(add(ready_episode, nurse, catalogue["clopidogrel"]), nurse)
    assert readiness(ready_episode, local(2026, 12, 2, 10, 1)) == Readiness.READY

    episode_reschedule(episode=ready_episode, scheduled_start=local(2026, 12, 8, 8, 0), by=nurse, reason="Earlier")
    medication.refresh_from_db()
    assert medication.hold_too_short is True
    assert readiness(ready_episode, local(2026, 12, 2, 10, 1)) == Readiness.BLOCKED

    decide(medication, nurse, Decision.STOP_OTHER_DATE, last_dose_on=dt.date(2026, 12, 2), shorter_hold_confirmed=True)
    assert readiness(ready_episode, local(2026, 12, 2, 10, 1)) == Readiness.READY


def test_the_unanswered_review_is_at_risk_from_its_window_and_blocks_once_due(plan_episode, nurse):
    # The review is due Mon 30 Nov 09:00 (14 days before); nothing else is open.
    tick_critical(plan_episode, nurse, but=[services.REVIEW_TASK_TITLE])

    assert readiness(plan_episode, local(2026, 11, 28, 8, 59)) == Readiness.ON_TRACK
    assert readiness(plan_episode, local(2026, 11, 28, 9, 0)) == Readiness.AT_RISK
    assert readiness(plan_episode, local(2026, 11, 30, 9, 1)) == Readiness.BLOCKED


@pytest.mark.parametrize("close", [task_mark_done, task_mark_not_applicable])
def test_a_review_closed_on_the_checklist_without_an_answer_stays_at_risk(plan_episode, nurse, close):
    tick_critical(plan_episode, nurse, but=[services.REVIEW_TASK_TITLE])
    task = plan_episode.tasks.get(title=services.REVIEW_TASK_TITLE)
    extra = {"reason": "Ticked by mistake"} if close is task_mark_not_applicable else {}
    close(task=task, by=nurse, expected_version=task.version, **extra)

    # An empty list is not an answer.
    assert readiness(plan_episode, local(2026, 12, 2, 10, 0)) == Readiness.AT_RISK

    services.medicine_review_record(episode=plan_episode, by=nurse, no_regular_medicines=True)
    assert readiness(plan_episode, local(2026, 12, 2, 10, 0)) == Readiness.READY
