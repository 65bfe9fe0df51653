"""How long the admin's completion report takes to serve, against one hand-written SQL query for its headline.

    .venv/bin/python benchmarks/reports.py

PostgreSQL only. Builds the database kypho_bench_reports afresh with production settings (DEBUG
off), fills it with a year of procedures (50,000 episodes, about 1M tasks), then times in-process,
with Django's test client, the report page for its default period (the last 8 full weeks) and for
the whole year, and the raw SQL that computes the same headline on the same period.
"""

import argparse
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.worklist import (
    POSTGRES_SERVER,
    build_schema,
    configure_django,
    milliseconds,
    timed_get,
)

POSTGRES_DATABASE = "kypho_bench_reports"
WARMUP_REQUESTS = 3
ROUNDS = {"last 8 weeks": 15, "whole year": 5}
TARGET_RATIO = 1.5
REFRESH_ROUNDS = 10

# The headline (procedures ready at start, override sign-offs) as one would write it by hand.
RAW_HEADLINE_SQL = """
SELECT
    count(*) FILTER (WHERE e.status = 'completed') AS completed,
    count(*) FILTER (
        WHERE e.status = 'completed' AND NOT EXISTS (
            SELECT 1 FROM checklists_checklisttask t
            WHERE t.episode_id = e.id AND t.is_critical
              AND (t.status = 'pending' OR t.completed_at > e.scheduled_start)
        )
    ) AS ready,
    count(*) FILTER (WHERE e.status = 'completed' AND e.sign_off_override_reason <> '') AS overrides
FROM checklists_episode e
WHERE e.scheduled_start >= %s AND e.scheduled_start < %s
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reuse-data", action="store_true", help="time the data set a previous run left, instead of building it"
    )
    reuse = parser.parse_args().reuse_data
    if not reuse:
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
            server.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
    configure_django(database_url=f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}")
    build_schema()
    # Imported only now: the project's models need Django set up first.
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils.http import urlencode

    from accounts.models import Role, User
    from benchmarks import dataset
    from reports.filters import ReportFilterForm
    from reports.selectors import ReportScope, readiness_headline
    from reports.services import rebuild_figures, refresh_figures

    if not reuse:
        started = time.perf_counter()
        dataset.generate_year()
        print(f"Generated the data set in {time.perf_counter() - started:.1f} s")
    counts = dataset.row_counts()
    print(", ".join(f"{count:,} {table}" for table, count in counts.items()))
    for table, mix in dataset.status_mix().items():
        print(f"  {table}: " + ", ".join(f"{count:,} {status}" for status, count in mix.items()))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # What autovacuum does on a live database within minutes of a bulk load: statistics for the
        # planner, and the visibility map that lets it answer from the covering index alone.
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
    # The data set is bulk-loaded around the services, so its day figures are built here, as
    # `manage.py rebuild_report_figures` would after an import.
    started = time.perf_counter()
    days = rebuild_figures()
    print(f"Report figures rebuilt for {days} days in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": Role.ADMIN})
    client = Client()
    client.force_login(admin)
    url = reverse("reports:completion")
    default = ReportFilterForm.default_params()
    first_day = (dataset.today() - dataset.dt.timedelta(days=dataset.YEAR_DAYS_BEFORE)).isoformat()
    periods = {"last 8 weeks": default, "whole year": {**default, "date_from": first_day}}

    results = []
    for name, params in periods.items():
        form = ReportFilterForm(params)
        assert form.is_valid(), form.errors
        scope = ReportScope(**form.cleaned_data)
        page_url = f"{url}?{urlencode(params)}"
        for _ in range(WARMUP_REQUESTS):
            timed_get(client, page_url)
            raw_headline(connection, scope)
        page, raw = [], []
        for _ in range(ROUNDS[name]):
            page.append(timed_get(client, page_url))
            raw.append(timed(lambda scope=scope: raw_headline(connection, scope)))
        with CaptureQueriesContext(connection) as queries:
            timed_get(client, page_url)
        headline = readiness_headline(scope)  # what the page shows, from the same selector
        completed, ready, overrides = raw_headline(connection, scope)
        if (headline.completed, headline.ready, headline.overrides) != (completed, ready, overrides):
            raise SystemExit(f"Headlines differ: page {headline}, raw SQL {completed, ready, overrides}.")
        print(f"\n{name} ({params['date_from']} to {params['date_to']}): {headline}")
        print(f"SQL of one report request ({len(queries)} queries):")
        for number, query in enumerate(queries.captured_queries, start=1):
            print(f"{number:>2}. [{float(query['time']) * 1000:6.1f} ms] {query['sql'][:150]}")
        results.append((name, milliseconds(page), milliseconds(raw), len(queries), ROUNDS[name]))

    # The price of keeping the figures in step: every completion, cancellation or reschedule (and
    # every task changed on a completed procedure) refreshes its day like this, in its transaction.
    busiest_day = dataset.today() - dataset.dt.timedelta(days=7)
    refresh = [timed(lambda: refresh_figures([busiest_day])) for _ in range(REFRESH_ROUNDS)]
    print_summary(counts, results, milliseconds(refresh))
    connection.close()


def raw_headline(connection, scope) -> tuple[int, int, int]:
    with connection.cursor() as cursor:
        cursor.execute(RAW_HEADLINE_SQL, [scope.start, scope.end])
        return cursor.fetchone()


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def print_summary(counts: dict[str, int], results: list, refresh: dict[str, float]) -> None:
    print(f"\nReport page vs the raw headline SQL ({counts['episodes']:,} episodes, {counts['tasks']:,} tasks):")
    for name, page, raw, query_count, rounds in results:
        ratio = page["median"] / raw["median"]
        verdict = "within target" if ratio <= TARGET_RATIO else "OVER TARGET"
        print(f"  {name} ({rounds} rounds after {WARMUP_REQUESTS} warm-up requests)")
        print(f"    report page median / p90   {page['median']:8.1f} / {page['p90']:.1f} ms")
        print(f"    raw headline median / p90  {raw['median']:8.1f} / {raw['p90']:.1f} ms")
        print(f"    ratio (medians)            {ratio:8.1f}×  target ≤ {TARGET_RATIO}× — {verdict}")
        print(f"    queries per report page    {query_count:8d}")
    print("  refreshing one day's figures, as after a change")
    print(f"    median / p90               {refresh['median']:8.1f} / {refresh['p90']:.1f} ms")


if __name__ == "__main__":
    main()
