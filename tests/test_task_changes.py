"""Ticking tasks: each change goes through one service and lands in the audit trail."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from checklists.models import ChecklistTask, RejectedTaskChange, TaskStateError
from checklists.selectors import episode_history
from checklists.services.tasks import TaskChangeConflict, task_mark_done, task_mark_not_applicable, task_reopen


@pytest.fixture
def consent(episode) -> ChecklistTask:
    return episode.tasks.get(title="Consent signed")


def test_marking_a_task_done_records_who_when_and_the_note(consent, nurse):
    task_mark_done(task=consent, by=nurse, expected_version=consent.version, note="Signed by daughter")
    consent.refresh_from_db()
    assert consent.status == ChecklistTask.Status.DONE
    assert consent.completed_by == nurse
    assert consent.completed_at is not None
    assert consent.note == "Signed by daughter"
    assert consent.version == 2
    record = consent.history.latest()
    assert record.history_user == nurse
    assert record.status == ChecklistTask.Status.DONE
    assert record.prev_record.status == ChecklistTask.Status.PENDING


def test_marking_not_applicable_requires_and_keeps_the_reason(consent, nurse):
    with pytest.raises(TaskStateError):
        task_mark_not_applicable(task=consent, by=nurse, expected_version=1, reason="  ")
    task_mark_not_applicable(task=consent, by=nurse, expected_version=1, reason="Consented last week")
    consent.refresh_from_db()
    assert consent.status == ChecklistTask.Status.NOT_APPLICABLE
    assert consent.reason == "Consented last week"
    assert consent.history.latest().history_change_reason == "Consented last week"


def test_undoing_a_done_task_requires_a_reason_and_records_old_and_new(consent, nurse, other_nurse):
    task_mark_done(task=consent, by=nurse, expected_version=1)
    with pytest.raises(TaskStateError):
        task_reopen(task=consent, by=other_nurse, expected_version=2, reason="")
    task_reopen(task=consent, by=other_nurse, expected_version=2, reason="Wrong patient's form")
    consent.refresh_from_db()
    assert consent.status == ChecklistTask.Status.PENDING
    assert consent.completed_by is None
    entry = episode_history(consent.episode)[0]
    assert entry.who == other_nurse
    assert entry.reason == "Wrong patient's form"
    assert ("status", "Done", "Pending") in entry.changes


def test_a_done_task_cannot_be_marked_done_again(consent, nurse):
    task_mark_done(task=consent, by=nurse, expected_version=1)
    with pytest.raises(TaskStateError):
        task_mark_done(task=consent, by=nurse, expected_version=2)
    assert consent.history.count() == 2  # scheduled + done, nothing more


def test_a_change_based_on_an_old_version_is_refused_and_kept_in_the_audit(consent, nurse, other_nurse):
    task_mark_done(task=consent, by=nurse, expected_version=1)
    with pytest.raises(TaskChangeConflict):
        task_mark_not_applicable(task=consent, by=other_nurse, expected_version=1, reason="Not needed")
    consent.refresh_from_db()
    assert consent.status == ChecklistTask.Status.DONE
    assert consent.completed_by == nurse
    rejected = RejectedTaskChange.objects.get(task=consent)
    assert (rejected.attempted_by, rejected.seen_version, rejected.current_version) == (other_nurse, 1, 2)
    history = episode_history(consent.episode)
    assert [entry.rejected for entry in history[:2]] == [True, False]


def test_the_episode_history_shows_every_change_newest_first(episode, nurse):
    food, consent = episode.tasks.get(title="Last solid food"), episode.tasks.get(title="Consent signed")
    task_mark_done(task=food, by=nurse, expected_version=1)
    task_mark_done(task=consent, by=nurse, expected_version=1)
    history = episode_history(episode)
    assert [entry.task_title for entry in history[:2]] == ["Consent signed", "Last solid food"]
    assert len(history) == 1 + episode.tasks.count() + 2  # episode and each task scheduled, then two ticks


@pytest.mark.django_db(transaction=True)
def test_two_nurses_changing_one_task_at_the_same_moment_one_wins_and_both_are_recorded(episode, nurse, other_nurse):
    # PostgreSQL: the episode's then the task's row is locked; SQLite: the second IMMEDIATE transaction waits.
    rounds = list(episode.tasks.all())
    for task in rounds:
        barrier = threading.Barrier(2)
        outcomes = []

        def attempt(user, operation, task=task, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait()
                operation(task=task, by=user, expected_version=1)
                outcomes.append("changed")
            except TaskChangeConflict:
                outcomes.append("refused")
            finally:
                connection.close()

        threads = [
            threading.Thread(target=attempt, args=(nurse, task_mark_done)),
            threading.Thread(
                target=attempt,
                args=(other_nurse, lambda **kw: task_mark_not_applicable(reason="Not needed", **kw)),
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes) == ["changed", "refused"]
        task.refresh_from_db()
        assert task.version == 2
        assert task.history.count() == 2
        assert RejectedTaskChange.objects.filter(task=task).count() == 1


def test_a_task_done_earlier_keeps_when_it_was_done_and_the_history_keeps_when_it_was_recorded(consent, nurse):
    earlier = timezone.now() - dt.timedelta(hours=3)
    task_mark_done(task=consent, by=nurse, expected_version=1, done_at=earlier)
    consent.refresh_from_db()
    assert consent.completed_at == earlier
    assert consent.history.latest().history_date > earlier


def test_a_task_cannot_be_recorded_as_done_in_the_future(consent, nurse):
    with pytest.raises(TaskStateError):
        task_mark_done(task=consent, by=nurse, expected_version=1, done_at=timezone.now() + dt.timedelta(minutes=5))
    consent.refresh_from_db()
    assert consent.is_pending
