"""The report page runs the same queries for a fortnight of ten procedures as for one of forty."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from checklists.models import ChecklistTask
from tests.reports.conftest import DRIVER, FOOD, PERIOD, REPORT, june


def report_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(REPORT, PERIOD).status_code == 200
    return [query["sql"] for query in queries]


def test_the_report_runs_a_fixed_number_of_queries_however_many_procedures(
    client, admin_user, ward, fortnight, nurse, other_nurse, django_assert_num_queries
):
    client.force_login(admin_user)
    small = report_queries(client)

    for number in range(30):
        episode = ward.book(june(2 + number % 14, 8 + number % 9))
        ward.done(episode, DRIVER, by=[nurse, other_nurse][number % 2], at=june(1, 9))
        ward.done(episode, FOOD, by=nurse, at=episode.scheduled_start)
        ward.complete(episode)
    assert ChecklistTask.objects.count() == 4 * 40

    # Session, user, the protocol list of the filter form, then one sum over the day figures per
    # table: readiness, trend (two: procedures, tasks), phases, tasks, nurses, cancellations —
    # never a query per procedure, task or row —, the check-ins' three (counts, alerts, pain
    # scores) and the read log's row.
    with django_assert_num_queries(14):
        large = report_queries(client)
    assert len(large) == len(small)
