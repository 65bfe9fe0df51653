"""What the load balancer and the log pipeline rely on: health probes and one JSON line per request."""

import json
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from kypho_tracker.celery import app as celery_app
from kypho_tracker.request_log import JsonFormatter

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.mark.django_db
def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_readiness_checks_the_database_the_cache_and_the_broker(client):
    response = client.get(reverse("readyz"), {"format": "json"})
    assert response.status_code == 200
    assert response.json() == {"Database(alias='default')": "OK", "Cache(alias='default')": "OK", "Broker()": "OK"}


@pytest.mark.django_db
def test_readiness_fails_when_the_cache_is_unreachable(client, settings):
    redis_cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS}
    settings.CACHES = {"default": redis_cache}
    response = client.get(reverse("readyz"), {"format": "json"})
    assert response.status_code == 500
    assert response.json()["Cache(alias='default')"] != "OK"


@pytest.mark.django_db
def test_readiness_fails_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS
    response = client.get(reverse("readyz"), {"format": "json"})
    assert response.status_code == 500
    assert response.json()["Broker()"] == "Unavailable: The task broker cannot be reached."


def request_lines(caplog) -> list[dict]:
    """The request log as the pipeline receives it: each record through the production formatter."""
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "kypho_tracker.requests"]


def test_request_log_names_the_user_by_id_and_role_never_the_search(client, nurse, episode, caplog):
    client.force_login(nurse)
    with caplog.at_level(logging.INFO, logger="kypho_tracker.requests"):
        response = client.get(reverse("checklists:episode-list"), {"q": "Patient"})
    assert response.status_code == 200
    [line] = request_lines(caplog)
    assert line["path"] == "/episodes/"
    assert (line["user_id"], line["role"], line["method"], line["status"]) == (nurse.pk, "nurse", "GET", 200)
    assert line["request_id"] == response["X-Request-ID"]
    assert line["duration_ms"] >= 0
    assert "Patient" not in json.dumps(line), "the searched name (Pat Patient) must not reach the logs"


@pytest.mark.django_db
def test_request_id_from_the_proxy_is_kept_and_an_odd_one_replaced(client, caplog):
    with caplog.at_level(logging.INFO, logger="kypho_tracker.requests"):
        kept = client.get(reverse("healthz"), headers={"X-Request-ID": "lb-7f3a.1"})
        replaced = client.get(reverse("healthz"), headers={"X-Request-ID": "<script>"})
    assert kept["X-Request-ID"] == "lb-7f3a.1"
    assert replaced["X-Request-ID"] != "<script>"
    assert [line["request_id"] for line in request_lines(caplog)] == ["lb-7f3a.1", replaced["X-Request-ID"]]
    assert all(line["user_id"] is None for line in request_lines(caplog))


def procfile_commands(name: str) -> dict[str, str]:
    lines = (Path(settings.BASE_DIR) / name).read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def consumed_queues(command: str) -> set[str]:
    """The queues a `celery worker` command line consumes, with the Procfile's default queue name."""
    option = next((part for part in command.split() if part.startswith("--queues=")), None)
    if option is None:
        return {settings.CELERY_TASK_DEFAULT_QUEUE}
    return set(option.removeprefix("--queues=").replace("${CELERY_QUEUE:-kypho}", "kypho").split(","))


def queue_of(task_name: str) -> str:
    return celery_app.amqp.router.route({}, task_name)["queue"].name


def test_pdfs_have_their_own_queue_and_worker_so_they_never_hold_back_a_message():
    messages = {queue_of(name) for name in ("notifications.tasks.send_sms_message", "checkins.tasks.sweep_checkins")}
    assert messages == {"kypho"}
    assert queue_of("portal.tasks.render_checklist_pdf") == "kypho-documents"

    production = {name: consumed_queues(command) for name, command in procfile_commands("Procfile").items()}
    assert production["worker"] == {"kypho"}
    assert production["documents"] == {"kypho-documents"}
    # `make run`'s one worker does both.
    assert consumed_queues(procfile_commands("Procfile.dev")["worker"]) == {"kypho", "kypho-documents"}
