"""What blocks a procedure, named: the box on the checklist page, the worklist's column, the "Open only" view."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checklists.models import Episode
from checklists.services.tasks import task_mark_done
from tests.factories import PatientFactory, ProtocolVersionFactory, TaskTemplateFactory, schedule_episode

LOCAL = ZoneInfo(settings.TIME_ZONE)
NOW = dt.datetime(2025, 6, 2, 10, 0, tzinfo=LOCAL)


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def logged_in(client, nurse):
    client.force_login(nurse)
    return client


def two_days_ahead(nurse, protocol_version, **patient) -> Episode:
    return schedule_episode(
        by=nurse, protocol_version=protocol_version, start=NOW + dt.timedelta(days=2), patient=PatientFactory(**patient)
    )


def tick(episode: Episode, title: str, *, by) -> None:
    task = episode.tasks.get(title=title)
    task_mark_done(task=task, by=by, expected_version=task.version)


def checklist(client, episode: Episode, **query):
    return client.get(reverse("checklists:episode-detail", args=[episode.pk]), query)


def test_the_box_names_the_open_critical_items_most_urgent_first(logged_in, nurse, protocol_version):
    episode = two_days_ahead(nurse, protocol_version)

    response = checklist(logged_in, episode)

    assert [task.title for task in response.context["blocking"]] == ["Arrange a driver", "Consent signed"]
    html = response.content.decode()
    box = html[html.index('id="blocking-heading"') : html.index("</section>", html.index('id="blocking-heading"'))]
    assert "What blocks this procedure" in box
    assert box.index("Arrange a driver") < box.index("Consent signed")
    assert "overdue" in box  # the driver was due seven days before


def test_the_box_says_nothing_blocks_once_every_critical_item_is_closed(logged_in, nurse, protocol_version):
    episode = two_days_ahead(nurse, protocol_version)
    tick(episode, "Arrange a driver", by=nurse)
    tick(episode, "Consent signed", by=nurse)

    response = checklist(logged_in, episode)

    assert response.context["blocking"] == []
    assert "Nothing: every critical item is done or not applicable." in response.content.decode()


@pytest.fixture
def long_version(db):
    """30 tasks, three of them critical."""
    version = ProtocolVersionFactory()
    for index in range(30):
        TaskTemplateFactory(
            protocol_version=version,
            phase=["week_before", "night_before", "day_of", "after"][index % 4],
            is_critical=index % 10 == 0,
        )
    return version


def test_the_blocking_summary_costs_no_query_per_task_or_per_episode(
    logged_in, nurse, protocol_version, long_version, django_assert_max_num_queries
):
    short = two_days_ahead(nurse, protocol_version)
    long = two_days_ahead(nurse, long_version)

    def count(path) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert logged_in.get(path).status_code == 200
        return len(queries)

    count(reverse("checklists:episode-list"))  # warm up
    # The box is drawn from the tasks the page loads anyway; the worklist's column is one more
    # subquery of the progress query: the same count for 4 tasks as for 30, for 2 episodes as for 12.
    assert count(reverse("checklists:episode-detail", args=[short.pk])) == count(
        reverse("checklists:episode-detail", args=[long.pk])
    )
    with django_assert_max_num_queries(10):
        with_two = count(reverse("checklists:episode-list"))
    for _ in range(10):
        two_days_ahead(nurse, long_version)
    assert count(reverse("checklists:episode-list")) == with_two


def test_open_only_lists_the_pending_items_and_works_without_javascript(logged_in, nurse, protocol_version):
    episode = two_days_ahead(nurse, protocol_version)
    tick(episode, "Arrange a driver", by=nurse)

    shown = checklist(logged_in, episode, open="1")

    titles = [task.title for group in shown.context["timeline"] for task in group.shown]
    assert titles == ["Last solid food", "Consent signed", "Lie flat"]
    assert "1 of 1 closed" in shown.content.decode()  # the phase's count still counts every task
    assert 'href="?open=1" aria-current="page"' in shown.content.decode()


def test_ticking_in_open_only_keeps_the_view_and_the_ticked_row_with_its_confirmation(
    logged_in, nurse, protocol_version
):
    episode = two_days_ahead(nurse, protocol_version)
    food = episode.tasks.get(title="Last solid food")

    plain = logged_in.post(reverse("checklists:task-mark-done", args=[food.pk]), {"version": food.version, "open": "1"})

    assert plain.status_code == 302
    episode_url = reverse("checklists:episode-detail", args=[episode.pk])
    assert plain.url == f"{episode_url}?open=1&changed={food.pk}#task-{food.pk}"
    page = logged_in.get(plain.url)
    assert page.context["changed_task"] == food.pk
    row = page.content.decode().split(f'id="task-{food.pk}"')[1].split("</li>")[0]
    assert "“Last solid food” marked done." in row
    food.refresh_from_db()
    assert not food.is_pending


def test_an_htmx_tick_answers_with_the_confirmation_in_the_ticked_row(logged_in, nurse, protocol_version):
    episode = two_days_ahead(nurse, protocol_version)
    driver = episode.tasks.get(title="Arrange a driver")

    response = logged_in.post(
        reverse("checklists:task-mark-done", args=[driver.pk]), {"version": driver.version}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    row = html.split(f'id="task-{driver.pk}"')[1].split("</li>")[0]
    assert "“Arrange a driver” marked done." in row
    assert html.count("marked done.") == 1
    assert "task-closed" in html.split(f'id="task-{driver.pk}"')[0].rsplit("<li", 1)[1]


def test_people_are_named_in_the_nurse_filter_and_the_history_never_by_login(
    logged_in, nurse, other_nurse, protocol_version
):
    episode = two_days_ahead(nurse, protocol_version)
    tick(episode, "Arrange a driver", by=other_nurse)

    worklist = logged_in.get(reverse("checklists:episode-list")).content.decode()
    page = checklist(logged_in, episode).content.decode()

    assert f'<option value="{other_nurse.pk}">Olga Other</option>' in worklist
    history = page[page.index('id="history-heading"') :]
    assert "completed by: Olga Other" in history
    for login in (nurse.username, other_nurse.username):
        assert f">{login}<" not in worklist
        assert login not in history
