"""Each provider's rate holds across all workers: one counter per window in the shared cache."""

import socket
import uuid

import pytest
import time_machine
from django.core.cache.backends.redis import RedisCache

from notifications import sms, tasks
from notifications.models import Message
from notifications.rate_limit import parse_rate, send_slot_wait

from .conftest import BOOKED_AT

T = 1_800_000_000.25  # a moment a quarter of a second into its one-second window


def test_the_rate_setting_reads_per_second_minute_and_hour():
    assert [parse_rate(rate) for rate in ("1/s", "10/s", "30/m", "500/h")] == [(1, 1), (10, 1), (30, 60), (500, 3600)]


def test_one_sms_a_second_then_wait_for_the_next_window(settings):
    settings.NOTIFY_SMS_RATE_LIMIT = "1/s"
    assert send_slot_wait("sms", now=T) == 0
    assert send_slot_wait("sms", now=T + 0.5) == pytest.approx(0.25)  # the second one waits for the next second
    assert send_slot_wait("sms", now=T + 0.75) == 0
    assert send_slot_wait("email", now=T) == 0  # each provider its own allowance


def redis_or_skip():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")


def test_two_workers_with_their_own_connections_share_one_allowance(settings):
    """As N worker processes do in production (CACHE_URL=redis://…): the limit is N-fold under Celery's
    per-worker rate_limit, and holds once here."""
    redis_or_skip()
    settings.NOTIFY_SMS_RATE_LIMIT = "3/s"
    prefix = f"test-{uuid.uuid4().hex}"
    workers = [RedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": prefix}) for _ in range(2)]
    granted = [send_slot_wait("sms", now=T, cache=workers[index % 2]) == 0 for index in range(8)]
    assert granted == [True, True, True] + [False] * 5
    workers[0].clear()


def test_a_task_over_the_rate_waits_without_claiming_the_row_and_an_already_sent_row_costs_nothing(booked, settings):
    settings.NOTIFY_SMS_RATE_LIMIT = "1/s"
    confirmation = booked.messages.get(kind="confirmation", channel="sms")
    night = booked.messages.get(kind="night_before", channel="sms")
    Message.objects.filter(pk=night.pk).update(scheduled_for=confirmation.scheduled_for)
    with time_machine.travel(BOOKED_AT, tick=False):
        assert tasks.send_sms_message.delay(confirmation.pk).get() == "sent"
        assert tasks.send_sms_message.delay(confirmation.pk).get() == "skipped"  # queued twice: no send taken
        # Same second: the allowance is spent; eager Celery retries at once, frozen time never moves on.
        assert tasks.send_sms_message.delay(night.pk).get() == tasks.RATE_LIMITED
    night.refresh_from_db()
    assert (night.status, night.attempts) == ("scheduled", 0)
    assert len(sms.outbox) == 1
