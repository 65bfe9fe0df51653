"""The day figures behind the report stay equal to what the clinical tables say, change after change."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from checklists.models import Episode
from reports.models import CancellationFigures, EpisodeFigures, FiguresDay, NurseFigures, TaskFigures
from reports.services import rebuild_figures, refresh_figures
from tests.factories import record_done
from tests.reports.conftest import CONSENT, DRIVER, LIE_FLAT, PERIOD, REPORT, june, table_rows

FIGURE_MODELS = (EpisodeFigures, TaskFigures, NurseFigures, CancellationFigures)


def all_figures() -> dict[str, list[tuple]]:
    """Every figure row, without ids, in a stable order."""
    return {
        model.__name__: sorted(
            tuple(row.values())
            for row in model.objects.values(*(f.attname for f in model._meta.fields if f.attname != "id"))
        )
        for model in FIGURE_MODELS
    }


def test_the_services_leave_the_same_figures_as_a_rebuild_from_the_clinical_tables(fortnight):
    # The fortnight went through scheduling, ticking, sign-off, rescheduling, completion and cancelling.
    kept_in_step = all_figures()
    assert kept_in_step["EpisodeFigures"], "the fortnight has figures"

    rebuild_figures()

    assert all_figures() == kept_in_step


def test_moving_a_procedure_to_another_day_moves_its_figures(ward):
    episode = ward.book(june(3, 10))
    assert EpisodeFigures.objects.get(day=dt.date(2025, 6, 3)).scheduled == 1

    ward.reschedule(episode, to=june(5, 14), on=june(2, 9))

    assert not EpisodeFigures.objects.filter(day=dt.date(2025, 6, 3)).exists()
    assert EpisodeFigures.objects.get(day=dt.date(2025, 6, 5)).scheduled == 1


def lie_flat_figures(client) -> tuple[str, str]:
    """Done and on time for "Lie flat", as the report's task table says."""
    [row] = [row for row in table_rows(client.get(REPORT, PERIOD), "tasks") if row["Task"] == LIE_FLAT]
    return row["Done"], row["On time"]


def test_an_after_care_task_ticked_after_completion_counts_at_once(client, admin_user, ward, nurse):
    episode = ward.book(june(3, 10))
    for title in (DRIVER, CONSENT):
        ward.done(episode, title, by=nurse, at=june(2, 9))
    ward.complete(episode)
    client.force_login(admin_user)
    assert lie_flat_figures(client) == ("0", "0")

    ward.done(episode, LIE_FLAT, by=nurse, at=june(3, 11))

    assert lie_flat_figures(client) == ("1", "1")
    [nurse_row] = table_rows(client.get(REPORT, PERIOD), "nurses")
    assert nurse_row["Tasks done"] == "3"


def test_ticking_a_task_of_a_procedure_still_scheduled_leaves_the_figures_alone(ward, nurse):
    episode = ward.book(june(3, 10))
    refreshed_at = FiguresDay.objects.get(day=dt.date(2025, 6, 3)).refreshed_at

    ward.done(episode, DRIVER, by=nurse, at=june(2, 9))

    assert FiguresDay.objects.get(day=dt.date(2025, 6, 3)).refreshed_at == refreshed_at
    assert not TaskFigures.objects.exists()


def test_the_rebuild_command_fills_days_loaded_around_the_services_and_empties_stale_ones(ward, nurse):
    episode = ward.book(june(3, 10))
    # As a bulk import would: straight to the table, no service, so no refresh.
    Episode.objects.filter(pk=episode.pk).update(scheduled_start=june(4, 10), status=Episode.Status.CANCELLED)
    assert EpisodeFigures.objects.get(day=dt.date(2025, 6, 3)).scheduled == 1

    call_command("rebuild_report_figures", stdout=None)

    assert not EpisodeFigures.objects.filter(day=dt.date(2025, 6, 3)).exists()
    figures = EpisodeFigures.objects.get(day=dt.date(2025, 6, 4))
    assert (figures.episodes, figures.cancelled, figures.scheduled) == (1, 1, 0)


@pytest.mark.django_db
def test_refreshing_a_day_without_procedures_leaves_it_empty():
    refresh_figures([dt.date(2025, 6, 3)])

    assert all(not model.objects.exists() for model in FIGURE_MODELS)
    assert FiguresDay.objects.filter(day=dt.date(2025, 6, 3)).exists()


@pytest.mark.django_db(transaction=True)
def test_two_procedures_of_one_day_completed_at_the_same_moment_both_count(ward):
    # PostgreSQL: the day's figures row is locked; SQLite: the second IMMEDIATE transaction waits for the first.
    first, second = ward.book(june(3, 9)), ward.book(june(3, 14))
    barrier = threading.Barrier(2)
    errors = []

    def complete(episode):
        try:
            barrier.wait()
            with time_machine.travel(june(3, 18), tick=False):
                record_done(episode, by=ward.scheduler)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(episode,)) for episode in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    figures = EpisodeFigures.objects.get(day=dt.date(2025, 6, 3))
    assert (figures.completed, figures.scheduled) == (2, 0)
