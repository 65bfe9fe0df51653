"""Celery task: render a patient's checklist PDF off the web request (see portal/pdf.py)."""

from celery import shared_task
from django.utils import translation

from .pdf import render_queued_pdf


@shared_task
def render_checklist_pdf(key: str, language: str) -> bool:
    """Render the HTML waiting in the shared cache under `key` (page numbers in `language`), store the PDF."""
    with translation.override(language):
        return render_queued_pdf(key)
