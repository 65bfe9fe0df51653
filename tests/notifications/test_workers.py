"""Real concurrency: two workers racing for the same rows (PostgreSQL), and a real Celery worker on Redis."""

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications import sms
from notifications.dispatch import due_message_ids, message_send
from notifications.models import Message
from tests.factories import PatientFactory, schedule_episode

ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)
WORKER_SECONDS = 90


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_over_the_same_due_rows_send_each_message_once(nurse, protocol_version):
    for index in range(6):
        schedule_episode(
            by=nurse,
            patient=PatientFactory(phone=f"+1202555014{index}"),
            protocol_version=protocol_version,
            start=timezone.now() + dt.timedelta(days=3),
        )
    _make_the_confirmations_due_now()
    due = [pk for pk, _ in due_message_ids()]
    assert len(due) == 12  # a confirmation by email and SMS for each
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            outcomes.extend(message_send(pk) for pk in due)  # both workers got the same list from the pick-up job
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes).count("sent") == 12 and sorted(outcomes).count("skipped") == 12
    assert len(sms.outbox) == 6
    assert set(Message.objects.filter(pk__in=due).values_list("status", "attempts")) == {("sent", 1)}


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_on_redis_sends_a_due_message(nurse, protocol_version, tmp_path):
    if not redis_reachable():
        if os.environ.get("CI"):
            pytest.fail("Redis must answer on 127.0.0.1:6379 in CI")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    episode = schedule_episode(
        by=nurse,
        patient=PatientFactory(first_name="Maria", phone="+12025550143"),
        protocol_version=protocol_version,
        start=timezone.now() + dt.timedelta(days=3),
    )
    _make_the_confirmations_due_now()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kypho_tracker.settings",
        "SECRET_KEY": "worker-test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "CELERY_QUEUE": f"kypho-test-{uuid.uuid4().hex[:8]}",  # nothing else's worker takes our tasks
        "NOTIFY_PICKUP_SECONDS": "1",
        "SMS_BACKEND": "notifications.sms.FileBackend",
        "SMS_FILE_PATH": str(tmp_path / "sms"),
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",  # environ drops one leading slash of the path
    }
    command = [sys.executable, "-m", "celery", "-A", "kypho_tracker", "worker", "--beat", "--pool=solo"]
    command += [f"--schedule={tmp_path / 'beat'}", "--loglevel=WARNING"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + WORKER_SECONDS
        confirmations = episode.messages.filter(kind="confirmation")
        while time.monotonic() < deadline and confirmations.exclude(status="sent").exists():
            assert worker.poll() is None, "the worker stopped"
            time.sleep(0.5)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=5)
    assert set(confirmations.values_list("channel", "status")) == {("email", "sent"), ("sms", "sent")}
    [text] = (tmp_path / "sms").iterdir()
    assert "Maria, your back procedure is booked for" in text.read_text()
    assert len(list((tmp_path / "mail").iterdir())) == 1


def _make_the_confirmations_due_now():
    """A confirmation planned inside the quiet hours (21:00-08:00 hospital time) waits for the morning:
    these tests are about the workers, not the plan, so they must not depend on the hour they run at."""
    Message.objects.filter(kind="confirmation", status="scheduled").update(
        scheduled_for=timezone.now() - dt.timedelta(minutes=1)
    )


def _database_url() -> str:
    """The test database, for the worker's process (SQLite's is a file: `tests/settings.py`)."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
