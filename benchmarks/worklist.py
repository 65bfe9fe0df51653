"""How long the nurses' worklist takes to serve, against the time its own SQL takes.

    .venv/bin/python benchmarks/worklist.py --database sqlite
    .venv/bin/python benchmarks/worklist.py --database postgresql

Builds a fresh database with production settings (DEBUG off), fills it with a realistic data set,
then times the page in-process with Django's test client (the server's time: middleware, view,
SQL, template, without network or WSGI server) and, in the same rounds, the page's own queries run
bare (execute and fetch every row). Prints the ratio and the top entries of a cProfile profile.
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django
import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

PROJECT_DIR = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "kypho_bench"
WARMUP_REQUESTS = 5
ROUNDS = 30
REPETITIONS = 3
TARGET_RATIO = 3.0
PROFILED_REQUESTS = 20
PROFILE_ENTRIES = 25
SQL = "worklist's SQL, run bare"
EMPTY_WINDOW = "start_from=2100-01-01&start_to=2100-01-14"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql", "both"],
        required=True,
        help="both: SQLite, then PostgreSQL, each in its own process, and a table of the two at the end",
    )
    parser.add_argument(
        "--postgres-database",
        default=POSTGRES_DATABASE,
        help=f"name of the PostgreSQL database to drop and re-create (default {POSTGRES_DATABASE})",
    )
    parser.add_argument(
        "--repeat", type=int, default=REPETITIONS, help=f"timed repetitions of {ROUNDS} rounds (default {REPETITIONS})"
    )
    parser.add_argument(
        "--reuse-data",
        metavar="SQLITE_FILE",
        nargs="?",
        const="",
        help="time the data a previous run left (the PostgreSQL database, or this SQLite file) instead of "
        "building it: to compare two versions of the code on the same data, one after the other",
    )
    parser.add_argument("--keep-sqlite", type=Path, help="write the SQLite database to this file and keep it")
    parser.add_argument("--summary-file", type=Path, help=argparse.SUPPRESS)  # written for --database both
    arguments = parser.parse_args()
    if arguments.database == "both":
        compare_databases(arguments)
        return
    database = arguments.database
    with tempfile.TemporaryDirectory(prefix="kypho-bench-") as workdir:
        if arguments.reuse_data is not None:
            configure_django(database_url=existing_database(database, arguments))
        else:
            sqlite_file = arguments.keep_sqlite or Path(workdir) / "bench.sqlite3"
            configure_django(database_url=fresh_database(database, sqlite_file, arguments.postgres_database))
            build_schema()
        # Imported only now: the project's models need Django set up first.
        from benchmarks import dataset

        if arguments.reuse_data is not None:
            nurses = list(dataset.nurses())
        else:
            started = time.perf_counter()
            nurses = dataset.generate()
            print(f"Generated the data set in {time.perf_counter() - started:.1f} s")
        counts = dataset.row_counts()
        print(", ".join(f"{count:,} {table}" for table, count in counts.items()))
        for table, mix in dataset.status_mix().items():
            print(f"  {table}: " + ", ".join(f"{count:,} {status}" for status, count in mix.items()))
        refresh_planner_statistics()

        client = Client()
        client.force_login(nurses[0])
        urls = {
            "worklist": reverse("checklists:episode-list"),
            # The same page and filters over a fortnight with no procedures: what the worklist costs
            # before its first row (tabs, filter form, counts, empty queries).
            "worklist, no rows": f"{reverse('checklists:episode-list')}?{EMPTY_WINDOW}",
            "trivial page": reverse("bench-trivial-page"),
        }
        statements = record_statements(client, urls["worklist"])
        repetitions = [time_requests(client, urls, statements) for _ in range(arguments.repeat)]
        queries = capture_queries(client, urls["worklist"])
        print_queries(queries)
        if connection.vendor == "postgresql":
            print_explain_analyze(max(queries, key=lambda query: len(query["sql"]))["sql"])
        print_profile(client, urls["worklist"])
        summary = summarise(database, counts, repetitions, len(queries))
        print_summary(summary)
        if arguments.summary_file:
            arguments.summary_file.write_text(json.dumps(summary))
        connection.close()  # before the temporary directory, which may hold the SQLite file, goes


def compare_databases(arguments: argparse.Namespace) -> None:
    """Run the benchmark on SQLite, then PostgreSQL (a process each), then print both side by side."""
    summaries = []
    with tempfile.TemporaryDirectory(prefix="kypho-bench-") as workdir:
        for database in ("sqlite", "postgresql"):
            summary_file = Path(workdir) / f"{database}.json"
            command = [sys.executable, __file__, "--database", database, "--repeat", str(arguments.repeat)]
            command += ["--postgres-database", arguments.postgres_database, "--summary-file", str(summary_file)]
            print(f"\n===== {database} =====", flush=True)
            subprocess.run(command, check=True)
            summaries.append(json.loads(summary_file.read_text()))
    print(f"\nSide by side ({arguments.repeat} repetitions of {ROUNDS} rounds each; medians in ms):")
    print("| database | worklist | worklist, no rows | trivial page | its SQL, bare | ratio per repetition | ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for summary in summaries:
        medians = summary["medians"]
        per_repetition = ", ".join(f"{ratio:.1f}" for ratio in summary["ratios"])
        print(
            f"| {summary['database']} | {medians['worklist']:.1f} | {medians['worklist, no rows']:.1f} "
            f"| {medians['trivial page']:.1f} | {medians[SQL]:.1f} | {per_repetition} | **{summary['ratio']:.1f}×** |"
        )


def fresh_database(database: str, sqlite_file: Path, postgres_database: str) -> str:
    """Create an empty database and return its URL."""
    if database == "sqlite":
        sqlite_file.unlink(missing_ok=True)
        return f"sqlite:///{sqlite_file.resolve()}"
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as server:
        server.execute(f"DROP DATABASE IF EXISTS {postgres_database} WITH (FORCE)")
        server.execute(f"CREATE DATABASE {postgres_database}")
    return f"{POSTGRES_SERVER}/{postgres_database}"


def existing_database(database: str, arguments: argparse.Namespace) -> str:
    if database == "sqlite":
        if not arguments.reuse_data:
            raise SystemExit("--reuse-data needs the SQLite file a run left with --keep-sqlite.")
        return f"sqlite:///{Path(arguments.reuse_data).resolve()}"
    return f"{POSTGRES_SERVER}/{arguments.postgres_database}"


def configure_django(*, database_url: str) -> None:
    """Production settings on the fresh database; static files straight from the finders."""
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="kypho_tracker.settings",
        DATABASE_URL=database_url,
        SECRET_KEY="benchmark-only-secret-key",
        DEBUG="false",
        ALLOWED_HOSTS="testserver,localhost",
        # The test client speaks plain HTTP; production's redirect to HTTPS would answer every request.
        SECURE_SSL_REDIRECT="false",
        # One JSON line per request on stderr would bury the figures.
        LOG_LEVEL="WARNING",
    )
    django.setup()
    # As in tests/settings.py: production's manifest storage would need a collectstatic step first,
    # and a static URL costs microseconds either way.
    override_settings(
        # The project's URLs plus a trivial logged-in page to compare with.
        ROOT_URLCONF="benchmarks.urls",
        STATIC_ROOT=None,
        WHITENOISE_USE_FINDERS=True,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()


def build_schema() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_protocols")


def refresh_planner_statistics() -> None:
    """On a live PostgreSQL, autovacuum analyses freshly loaded tables within a minute; do it now."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def time_requests(client: Client, urls: dict[str, str], statements: list) -> dict[str, list[float]]:
    """Seconds per request for each URL and for the worklist's SQL, over ROUNDS alternating rounds."""
    for _ in range(WARMUP_REQUESTS):
        for url in urls.values():
            timed_get(client, url)
        time_statements(statements)
    timings = {name: [] for name in (*urls, SQL)}
    for _ in range(ROUNDS):
        for name, url in urls.items():
            timings[name].append(timed_get(client, url))
        timings[SQL].append(time_statements(statements))
    return timings


def record_statements(client: Client, url: str) -> list[tuple[str, object]]:
    """The SQL and parameters of every query one request runs, as the database receives them."""
    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        timed_get(client, url)
    return statements


def time_statements(statements: list[tuple[str, object]]) -> float:
    """Seconds to run the page's queries bare, fetching every row: the floor under the page."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()
    return time.perf_counter() - started


def timed_get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}, not 200.")
    return elapsed


def capture_queries(client: Client, url: str) -> list[dict]:
    with CaptureQueriesContext(connection) as context:
        timed_get(client, url)
    return context.captured_queries


def print_queries(queries: list[dict]) -> None:
    print(f"\nSQL for one worklist request ({len(queries)} queries):")
    for number, query in enumerate(queries, start=1):
        print(f"{number}. [{float(query['time']) * 1000:.0f} ms] {query['sql']}")


def print_explain_analyze(sql: str) -> None:
    print("\nEXPLAIN ANALYZE of the worklist's main query (the longest):")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        for (line,) in cursor.fetchall():
            print(line)


def print_profile(client: Client, url: str) -> None:
    """Where a worklist request spends its time: the costliest calls below the middleware chain."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(PROFILED_REQUESTS):
        timed_get(client, url)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    per_request = 1000 / PROFILED_REQUESTS
    view = max(total for (_, _, function), (*_, total, _) in stats.items() if function == "episode_list")
    # Everything that wraps the view (middleware, handlers) costs as much as the view: skip it.
    below_view = [(key, stat) for key, stat in stats.items() if stat[3] < view * 0.99]
    print(f"\nProfile of {PROFILED_REQUESTS} worklist requests (cProfile, which inflates call-heavy code;")
    print(f"ms per request; the view itself: {view * per_request:.1f} ms), by total time including callees:")
    print_profile_entries(sorted(below_view, key=lambda item: item[1][3], reverse=True), per_request)
    print("\nThe same profile by own time (excluding callees): the small costs that add up:")
    print_profile_entries(sorted(below_view, key=lambda item: item[1][2], reverse=True), per_request)


def print_profile_entries(entries: list, per_request: float) -> None:
    print(f"  {'total':>7} {'own':>7} {'calls':>7}  function")
    for (filename, line, function), (_, calls, own, total, _) in entries[:PROFILE_ENTRIES]:
        where = filename.split("site-packages/")[-1].removeprefix(str(PROJECT_DIR) + "/")
        timing = f"{total * per_request:7.2f} {own * per_request:7.2f} {calls // PROFILED_REQUESTS:7d}"
        print(f"  {timing}  {function} ({where}:{line})")


def summarise(database: str, counts: dict[str, int], repetitions: list[dict[str, list[float]]], queries: int) -> dict:
    """Medians and p90s over every round; the ratio is the median of the repetitions' ratios."""
    pooled = {name: [seconds for timings in repetitions for seconds in timings[name]] for name in repetitions[0]}
    figures = {name: milliseconds(seconds) for name, seconds in pooled.items()}
    ratios = [statistics.median(timings["worklist"]) / statistics.median(timings[SQL]) for timings in repetitions]
    return {
        "database": database,
        "counts": counts,
        "medians": {name: ms["median"] for name, ms in figures.items()},
        "p90s": {name: ms["p90"] for name, ms in figures.items()},
        "queries": queries,
        "ratios": ratios,
        "ratio": statistics.median(ratios),
    }


def print_summary(summary: dict) -> None:
    medians, p90s, counts = summary["medians"], summary["p90s"], summary["counts"]
    rows = [
        ("database", summary["database"]),
        ("episodes", f"{counts['episodes']:,}"),
        ("tasks", f"{counts['tasks']:,}"),
        *((f"{name} median / p90", f"{medians[name]:.2f} / {p90s[name]:.2f} ms") for name in medians),
        ("queries per worklist", str(summary["queries"])),
        ("ratio per repetition", ", ".join(f"{ratio:.1f}×" for ratio in summary["ratios"])),
    ]
    repetitions = len(summary["ratios"])
    print(f"\nWorklist vs its own SQL, {repetitions} × {ROUNDS} rounds after {WARMUP_REQUESTS} warm-up requests each:")
    for label, value in rows:
        print(f"  {label:<32} {value}")
    verdict = "within target" if summary["ratio"] <= TARGET_RATIO else "OVER TARGET"
    print(f"  {'ratio to its SQL (median)':<32} {summary['ratio']:.1f}× (target ≤ {TARGET_RATIO:.0f}×: {verdict})")


def milliseconds(seconds: list[float]) -> dict[str, float]:
    deciles = statistics.quantiles(seconds, n=10, method="inclusive")
    return {"median": statistics.median(seconds) * 1000, "p90": deciles[-1] * 1000}


if __name__ == "__main__":
    main()
