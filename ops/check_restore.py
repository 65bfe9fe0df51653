"""Check a backup: dump a PostgreSQL database, restore it into a scratch database, and prove the copy works.

    .venv/bin/python ops/check_restore.py postgres://postgres@127.0.0.1:5432/kypho

1. `pg_dump --format=custom` of the source (the backup, as the nightly job takes it);
2. `pg_restore` into a fresh `kypho_restore_check` on the same server (dropped first);
3. `manage.py check --database default` and `manage.py migrate --check` on the copy: Django's
   checks pass and the schema is exactly what the code expects;
4. every table of the completion report over the whole span of the data, and the row count of
   every clinical and audit table, computed on the source and on the copy: they must be equal.
Exits non-zero when any step fails. The scratch database stays, for inspection.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
SCRATCH_DATABASE = "kypho_restore_check"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", help="DATABASE_URL of the database to back up")
    parser.add_argument("--figures", action="store_true", help="print the figures of DATABASE_URL as JSON")
    arguments = parser.parse_args()
    if arguments.figures:
        print(json.dumps(figures(), indent=1, default=str))
        return
    if not arguments.source:
        parser.error("give the source database's URL")
    source = arguments.source
    copy = urlsplit(source)._replace(path=f"/{SCRATCH_DATABASE}").geturl()
    with tempfile.TemporaryDirectory(prefix="kypho-backup-") as workdir:
        dump = Path(workdir) / "kypho.dump"
        run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source])
        print(f"pg_dump: {dump.stat().st_size / 1e6:.1f} MB")
        server = urlsplit(source)._replace(path="/postgres").geturl()
        run(["psql", server, "-qc", f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE} WITH (FORCE)"])
        run(["psql", server, "-qc", f"CREATE DATABASE {SCRATCH_DATABASE}"])
        run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={copy}", str(dump)])
    manage(copy, "check", "--database", "default")
    manage(copy, "migrate", "--check")
    before, after = figures_of(source), figures_of(copy)
    for name in before:
        print(f"  {name:<44} {'same' if before[name] == after.get(name) else 'DIFFERENT'}")
    if before != after:
        raise SystemExit("The restored database does not show the same figures.")
    print("Restored copy passes `manage.py check` and shows the same report figures and row counts.")


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, **kwargs)


def environment(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": os.environ.get("SECRET_KEY", "restore-check")}


def manage(database_url: str, *arguments: str) -> None:
    run([sys.executable, "manage.py", *arguments], cwd=PROJECT_DIR, env=environment(database_url))


def figures_of(database_url: str) -> dict:
    command = [sys.executable, __file__, "--figures"]
    output = run(command, cwd=PROJECT_DIR, env=environment(database_url), capture_output=True, text=True).stdout
    return json.loads(output)


def figures() -> dict:
    """Row counts and every report table over the whole span of the data, on DATABASE_URL."""
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kypho_tracker.settings")
    import django

    django.setup()
    from django.apps import apps
    from django.db.models import Max, Min

    from checklists.models import Episode
    from reports.selectors import ReportScope, local_day
    from reports.tables import TABLES, build_table

    counted_apps = ("accounts", "checklists", "reports", "axes")
    result = {
        f"rows in {model._meta.db_table}": model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in counted_apps
    }
    span = Episode.objects.aggregate(first=Min("scheduled_start"), last=Max("scheduled_start"))
    if span["first"] is not None:
        scope = ReportScope(date_from=local_day(span["first"]), date_to=local_day(span["last"]))
        for slug in TABLES:
            table = build_table(slug, scope)
            result[f"report table {slug}"] = [table.headers, *table.rows]
    return result


if __name__ == "__main__":
    main()
