"""The demo for the browser tests: seeded once per test process, copied back in before each test that asks for it.

A browser test reads through a live server, on its own database connection, so what it reads must be
committed, and the test's teardown empties every table (`transactional_db`). Seeding the demo takes
seconds; copying its rows back from a snapshot taken after the first seeding takes a fraction of one.
The demo is timed from the moment it was seeded: the browser tests run first, within a minute or two of it.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from checklists.models import ChecklistTask

SNAPSHOT_PREFIX = "demo_snapshot__"
DRIVER = "Arrange an adult to drive you home"


def model_tables() -> list[str]:
    return connection.introspection.django_table_names(only_existing=True, include_views=False)


def snapshot_tables() -> None:
    """Copy every model table into a table of its own (flush leaves them alone: no model is behind them)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in model_tables():
            cursor.execute(f"DROP TABLE IF EXISTS {quote(SNAPSHOT_PREFIX + table)}")
            cursor.execute(f"CREATE TABLE {quote(SNAPSHOT_PREFIX + table)} AS SELECT * FROM {quote(table)}")


def restore_tables() -> None:
    """Empty every model table and copy the snapshot back, in one transaction (foreign keys are checked at its end).

    Sequences are not reset: they are past every snapshot row's key, so rows a test adds get new keys."""
    quote = connection.ops.quote_name
    tables = model_tables()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in connection.ops.sql_flush(no_style(), tables):
            cursor.execute(statement)
        for table in tables:
            cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {quote(SNAPSHOT_PREFIX + table)}")
    # The content types now have the snapshot's keys, not the ones the last flush gave them.
    ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker) -> None:
    """`seed_demo` run once in this process's test database, kept as a snapshot, then the tables emptied again
    as a transactional test leaves them (content types and permissions recreated) for the tests that follow."""
    with django_db_blocker.unblock():
        call_command("seed_demo")
        snapshot_tables()
        call_command("flush", interactive=False, reset_sequences=False, verbosity=0)


@pytest.fixture
def demo(demo_snapshot, transactional_db) -> None:
    """The demo as `make run` seeds it, committed for the live server (the test's teardown empties it again)."""
    restore_tables()


@pytest.fixture
def driver_still_to_arrange(demo) -> ChecklistTask:
    """The demo leaves Maria's own tasks, the driver among them, for her to report."""
    driver = ChecklistTask.objects.get(episode__patient__mrn="DEMO-015", title=DRIVER)
    assert driver.is_pending
    return driver
