"""A PDF not yet rendered is rendered by a Celery worker, not in the web request: the patient gets a page
(202) that refreshes itself until the PDF is in the shared cache, then the download (200)."""

import logging
from unittest import mock

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from portal import tasks


@pytest.fixture
def queue():
    """Celery's queue stood in for: the tasks sent, held until the test runs them as a worker would."""
    with mock.patch.object(tasks.render_checklist_pdf, "delay") as delay:
        yield delay


def run_queued(queue):
    for call in queue.call_args_list:
        tasks.render_checklist_pdf(*call.args)


def test_a_pdf_not_yet_rendered_is_queued_once_and_the_patient_sees_a_refreshing_page(
    client, english, marias_episode, renders, queue
):
    client.force_login(english.user)
    url = reverse("portal:episode-pdf", args=[marias_episode.pk])

    first, second = client.get(url), client.get(url)

    assert (first.status_code, second.status_code) == (202, 202)
    assert queue.call_count == 1
    assert renders == []
    page = first.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Your checklist PDF is being prepared. This page will download it in a few seconds." in page
    assert f'href="{reverse("portal:episode-print", args=[marias_episode.pk])}"' in page
    assert "<script>" not in page
    assert "no-store" in first["Cache-Control"]


def test_once_the_worker_has_rendered_it_the_next_request_downloads_the_pdf(
    client, english, marias_episode, renders, queue
):
    client.force_login(english.user)
    url = reverse("portal:episode-pdf", args=[marias_episode.pk])
    client.get(url)

    run_queued(queue)
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="kyphoplasty-checklist.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.content == renders[0].encode()
    assert len(renders) == 1 and queue.call_count == 1


def test_the_worker_renders_the_page_numbers_in_the_patients_language(client, maria, marias_episode, queue):
    client.force_login(maria.user)
    client.get(reverse("portal:episode-pdf", args=[marias_episode.pk]))
    labels = []

    with mock.patch("portal.pdf.render_pdf", side_effect=lambda html, **kw: labels.append(kw["extra_css"]) or b"%"):
        run_queued(queue)

    assert queue.call_args.args[1] == "es"
    assert "Página" in labels[0]


def test_the_broker_message_carries_no_patient_details(client, english, marias_episode, queue):
    client.force_login(english.user)
    client.get(reverse("portal:episode-pdf", args=[marias_episode.pk]))

    key, language = queue.call_args.args
    assert key.startswith("portal:checklist-pdf:") and language == "en"
    assert queue.call_args.kwargs == {}


@pytest.mark.parametrize("error", [OperationalError("broker down"), ConnectionRefusedError(111, "refused")])
def test_with_the_broker_down_the_pdf_is_rendered_in_the_request(
    client, english, marias_episode, renders, queue, caplog, error
):
    queue.side_effect = error
    client.force_login(english.user)

    with caplog.at_level(logging.WARNING, logger="portal.pdf"):
        response = client.get(reverse("portal:episode-pdf", args=[marias_episode.pk]))

    assert response.status_code == 200
    assert response.content == renders[0].encode()
    assert "rendering it in the request" in caplog.text


def test_the_refreshing_page_in_spanish(client, maria, marias_episode, renders, queue):
    client.force_login(maria.user)

    response = client.get(reverse("portal:episode-pdf", args=[marias_episode.pk]))

    assert response.status_code == 202
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "Estamos preparando el PDF de su lista. Esta página lo descargará en unos segundos." in page


def test_refreshes_while_the_pdf_is_prepared_use_none_of_the_pdf_rate_limit(
    client, english, marias_episode, renders, queue, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "pdf": "2/m"}
    client.force_login(english.user)
    url = reverse("portal:episode-pdf", args=[marias_episode.pk])

    waiting = [client.get(url).status_code for _ in range(4)]
    run_queued(queue)
    downloads = [client.get(url).status_code for _ in range(3)]

    assert waiting == [202] * 4
    assert downloads == [200, 200, 429]


def test_a_patient_cannot_get_another_patients_pdf_even_while_it_is_prepared(
    client, english, marias_episode, patient_user, renders, queue
):
    url = reverse("portal:episode-pdf", args=[marias_episode.pk])
    client.force_login(english.user)
    client.get(url)

    client.force_login(patient_user)

    assert client.get(url).status_code == 404
    run_queued(queue)
    assert client.get(url).status_code == 404


def test_without_a_shared_cache_the_pdf_is_rendered_in_the_request(
    client, english, marias_episode, renders, queue, settings
):
    settings.PORTAL_PDF_IN_WORKER = False
    client.force_login(english.user)

    response = client.get(reverse("portal:episode-pdf", args=[marias_episode.pk]))

    assert response.status_code == 200
    assert queue.call_count == 0
    assert len(renders) == 1
