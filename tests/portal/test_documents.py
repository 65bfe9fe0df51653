"""Print view, PDF (WeasyPrint) and .ics calendar of the patient's checklist."""

import datetime as dt
import re
import zlib

import pytest
from django.urls import reverse
from icalendar import Calendar
from weasyprint import HTML

from checklists.services.episodes import episode_reschedule
from checklists.services.tasks import task_mark_done, task_report_by_patient
from portal import pdf
from portal.timeline import patient_task_title

DRIVER = "Arrange an adult to drive you home"


def pdf_page_count(pdf: bytes) -> int:
    """Pages in the PDF's page tree (WeasyPrint compresses its objects, so inflate the streams first)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL)
    # A stream whose last byte is a CR loses it to the pattern above; decompressobj, unlike
    # zlib.decompress, inflates such a cut stream instead of failing (a flaky test otherwise).
    text = pdf + b"".join(zlib.decompressobj().decompress(stream) for stream in streams if stream[:1] == b"x")
    return max(int(count) for count in re.findall(rb"/Type\s*/Pages\b.*?/Count\s+(\d+)", text, re.DOTALL))


def laid_out_text(html: str) -> str:
    """Every piece of text WeasyPrint put on the pages, in order."""
    pieces = []

    def walk(box):
        if hasattr(box, "text"):
            pieces.append(box.text)
        for child in getattr(box, "children", []):
            walk(child)

    for page in HTML(string=html).render().pages:
        walk(page._page_box)
    return " ".join(pieces)


@pytest.fixture
def pdf_html(monkeypatch):
    """The HTML the PDF view hands to WeasyPrint, captured on its way through."""
    captured = []

    def capture(html):
        captured.append(html)
        return render_pdf(html)

    render_pdf = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", capture)
    return captured


def test_pdf_download_holds_every_task_with_its_instructions(client, english, marias_episode, pdf_html):
    client.force_login(english.user)

    response = client.get(reverse("portal:episode-pdf", args=[marias_episode.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="kyphoplasty-checklist.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert 2 <= pdf_page_count(response.content) <= 6
    text = laid_out_text(pdf_html[0])
    for task in marias_episode.tasks.all():
        assert patient_task_title(task) in text
    assert "Lie flat on your back for about 1 hour so the bone cement can set hard." in text
    assert "You cannot move one or both legs" in text
    assert "Call 911 – do not drive yourself." in text
    # A budget, not a benchmark: the whole request including WeasyPrint's layout.


def test_pdf_in_spanish(client, maria, marias_episode, pdf_html):
    client.force_login(maria.user)

    response = client.get(reverse("portal:episode-pdf", args=[marias_episode.pk]))

    assert response.content.startswith(b"%PDF-")
    text = laid_out_text(pdf_html[0])
    assert "Pida a un adulto que lo/la lleve a casa" in text
    assert "Señales de alarma" in text


def test_print_view_has_the_checklist_and_no_inline_code(client, english, marias_episode, nurse):
    driver = marias_episode.tasks.get(title=DRIVER)
    task_mark_done(task=driver, by=nurse, expected_version=driver.version)
    client.force_login(english.user)

    page = client.get(reverse("portal:episode-print", args=[marias_episode.pk])).content.decode()

    assert "Week before: from " in page
    assert f"✓</span>\n        <div>\n          <h3>{DRIVER}</h3>" in page
    assert "<script>" not in page
    assert "style=" not in page
    assert 'src="/static/js/print.js"' in page


def test_calendar_in_spanish_leaves_out_what_the_patient_already_reported(client, maria, marias_episode):
    confirm = marias_episode.tasks.get(title="Confirm your driver")
    task_report_by_patient(task=confirm, by=maria.user, expected_version=confirm.version)
    client.force_login(maria.user)

    calendar = Calendar.from_ical(client.get(reverse("portal:episode-calendar", args=[marias_episode.pk])).content)

    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert "Su procedimiento de cifoplastia" in summaries
    assert "Última comida ligera" in summaries
    assert "Confirme que la persona que lo/la llevará a casa puede venir" not in summaries


def test_pdf_is_rendered_once_then_served_from_the_cache(client, english, marias_episode, renders):
    client.force_login(english.user)
    url = reverse("portal:episode-pdf", args=[marias_episode.pk])

    first, second = client.get(url), client.get(url)

    assert len(renders) == 1
    assert second.status_code == 200
    assert second.content == first.content


def test_pdf_is_rendered_anew_after_a_tick_and_after_a_reschedule(client, english, marias_episode, nurse, renders):
    client.force_login(english.user)
    url = reverse("portal:episode-pdf", args=[marias_episode.pk])
    ticked = f"✓</span>\n        <div>\n          <h3>{DRIVER}</h3>"
    assert ticked not in client.get(url).content.decode()

    driver = marias_episode.tasks.get(title=DRIVER)
    task_mark_done(task=driver, by=nurse, expected_version=driver.version)
    assert ticked in client.get(url).content.decode()

    new_start = marias_episode.scheduled_start + dt.timedelta(days=2)
    episode_reschedule(episode=marias_episode, scheduled_start=new_start, by=nurse, reason="Room")
    rescheduled = client.get(url).content.decode()

    assert len(renders) == 3
    assert ticked in rescheduled
    assert rescheduled != renders[1]


def test_pdf_is_cached_per_language(client, english, marias_episode, renders):
    client.force_login(english.user)
    url = reverse("portal:episode-pdf", args=[marias_episode.pk])
    client.get(url)

    client.cookies["django_language"] = "es"
    spanish = client.get(url).content.decode()

    assert len(renders) == 2
    assert '<html lang="es">' in spanish
