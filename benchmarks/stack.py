"""The production stack on this machine, for the scripts that need real servers: a fresh PostgreSQL
database, the shared Redis cache, and gunicorn app servers on loopback ports, stopped afterwards.

Two runs of one script at once would share its database, port and Redis databases: the second would
drop the first's database under its running servers (500s), and its own gunicorn, unable to bind the
port, would leave its requests to the first's server. So a run refuses to start while its database has
connections or its port is taken.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import django
import psycopg

PROJECT_DIR = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
# Redis databases of their own (the cache's is emptied at the start), so no other process's keys are touched.
REDIS_URL = "redis://127.0.0.1:6379/13"
BROKER_URL = "redis://127.0.0.1:6379/14"
BIN = Path(sys.executable).parent


def production_environment(database: str) -> dict[str, str]:
    """Production settings (DEBUG off) over plain HTTP on loopback, on a fresh PostgreSQL database."""
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as server:
        users = server.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [database]).fetchone()[0]
        if users:
            raise SystemExit(f"{database} has {users} open connection(s): is another benchmark run using it?")
        server.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        server.execute(f"CREATE DATABASE {database}")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kypho_tracker.settings",
        "DATABASE_URL": f"{POSTGRES_SERVER}/{database}",
        "CACHE_URL": REDIS_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "SECRET_KEY": "benchmark-only-secret-key",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: no redirect to HTTPS, cookies not limited to HTTPS.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        # The virtual admins' sessions are made in the database, without a second factor.
        "REQUIRE_ADMIN_MFA": "false",
    }


def set_up_django(environment: dict[str, str]) -> None:
    """Django in this process on the same settings as the servers; schema, protocol, static files."""
    os.environ.update(environment)
    sys.path.insert(0, str(PROJECT_DIR))
    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_protocols", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    cache.clear()


@contextmanager
def gunicorn(port: int, environment: dict[str, str], *, workers: int = 2, log=subprocess.DEVNULL):
    """An app server on 127.0.0.1:port, ready when this yields, stopped (by its own PID) afterwards."""
    ensure_port_free(port)
    command = [str(BIN / "gunicorn"), "kypho_tracker.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers)]
    server = subprocess.Popen(command, cwd=PROJECT_DIR, env=environment, stdout=log, stderr=log)
    try:
        wait_until_live(f"http://127.0.0.1:{port}/healthz/")
        if server.poll() is not None:
            raise SystemExit(f"gunicorn on port {port} exited with {server.returncode}: another server answered")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def celery_worker(environment: dict[str, str], *, log=subprocess.DEVNULL):
    """One Celery worker sending the patients' messages and rendering their PDFs; stopped by its own PID."""
    queue = environment.get("CELERY_QUEUE", "kypho")
    command = [str(BIN / "celery"), "-A", "kypho_tracker", "worker", "--concurrency=1", "--loglevel=WARNING"]
    command.append(f"--queues={queue},{queue}-documents")
    worker = subprocess.Popen(command, cwd=PROJECT_DIR, env=environment, stdout=log, stderr=log)
    try:
        yield
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def ensure_port_free(port: int) -> None:
    """Refuse a port another process listens on (another benchmark run's server would answer our requests)."""
    with socket.socket() as probe:
        # As gunicorn binds: connections left in TIME_WAIT by a server just stopped don't count, a listener does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise SystemExit(f"Port {port} is in use ({error.strerror}): is another benchmark run going?") from None


def wait_until_live(url: str, *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
