"""One lock order for every service (the episode's row first, then its tasks): a tick racing a
reschedule waits for it instead of deadlocking. Real threads, on PostgreSQL and on SQLite."""

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from checklists.models import ChecklistTask
from checklists.services.episodes import episode_reschedule, lock_episode
from checklists.services.tasks import TaskChangeConflict, task_mark_done

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(target, outcomes: list) -> threading.Thread:
    """Run `target` on its own database connection; record "changed", "refused" or the error."""

    def run():
        try:
            target()
            outcomes.append("changed")
        except TaskChangeConflict:
            outcomes.append("refused")
        except Exception as error:  # a deadlock or a lock error is what this test looks for
            outcomes.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def waiting_for_a_lock() -> bool:
    """Whether another PostgreSQL session of this database waits for a row lock."""
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL keeps showing the activity it read first, unless told to forget it.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def test_a_tick_waiting_for_a_reschedule_holds_no_task_lock_on_postgresql(episode, nurse):
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite's own version of the race is below)")
    consent = episode.tasks.get(title="Consent signed")
    outcomes = []
    with transaction.atomic():
        # A reschedule's first step: the episode's row.
        lock_episode(episode.pk)
        tick = in_thread(lambda: task_mark_done(task=consent, by=nurse, expected_version=1), outcomes)
        for _ in range(1000):  # until the tick waits (bounded: about 10 s at most)
            if waiting_for_a_lock():
                break
            threading.Event().wait(0.01)
        else:
            pytest.fail("the tick never waited for the episode's lock")
        # Its second step: the tasks' rows. The waiting tick must hold none of them (NOWAIT fails otherwise).
        tasks = list(ChecklistTask.objects.select_for_update(nowait=True).filter(episode=episode))
        for task in tasks:
            task.version += 1
            task.save(update_fields=["version"])
    tick.join(timeout=30)

    assert outcomes == ["refused"]  # it saw the rescheduled task's new version, and was refused cleanly
    consent.refresh_from_db()
    assert consent.is_pending


def test_ticks_racing_reschedules_all_finish_without_a_deadlock(episode, nurse, other_nurse):
    """Real threads: each round a nurse ticks a task while another reschedules the procedure.
    On PostgreSQL both take row locks in the same order; on SQLite each takes the database's write
    lock at BEGIN (IMMEDIATE transactions) and the second waits for the first to commit."""
    start = episode.scheduled_start
    for round_number, task in enumerate(episode.tasks.order_by("pk")):
        barrier = threading.Barrier(2)
        outcomes = []
        new_start = start + (round_number + 1) * (start - start.replace(hour=0, minute=0)) / 10

        def tick(task=task, barrier=barrier):
            barrier.wait()
            task_mark_done(task=task, by=nurse, expected_version=task.version)

        def reschedule(barrier=barrier, new_start=new_start):
            barrier.wait()
            episode_reschedule(episode=episode, scheduled_start=new_start, by=other_nurse, reason="Theatre moved")

        threads = [in_thread(tick, outcomes), in_thread(reschedule, outcomes)]
        for thread in threads:
            thread.join(timeout=30)
        close_old_connections()

        assert "refused" in outcomes or outcomes == ["changed", "changed"], outcomes
        assert all(outcome in ("changed", "refused") for outcome in outcomes), outcomes
        episode.refresh_from_db()
        assert episode.scheduled_start == new_start
        task.refresh_from_db()
        assert task.version >= 2
