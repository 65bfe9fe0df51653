"""The printable checklist as a PDF, rendered by WeasyPrint from the same HTML as the print view.

A PDF not yet in the shared cache is rendered by a Celery worker (portal/tasks.py), not in the web request:
a few patients fetching their first PDF at once then wait a few seconds on a self-refreshing page, instead of
holding every web worker the nurses' pages need.
"""

import functools
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from checklists.pdf import html_to_pdf as render_pdf

logger = logging.getLogger(__name__)

PRINT_STYLESHEET = "portal/print.css"
# Keys name the content, so an entry is never stale; the timeout only frees the cache's memory.
PDF_CACHE_SECONDS = 24 * 60 * 60
# While a worker renders a PDF its HTML waits in the cache under this "rendering" key, which also stops a
# second request queueing the same render. If the worker dies the key expires, and the next request queues anew.
RENDERING_SECONDS = 60


@dataclass(frozen=True)
class ChecklistPdf:
    """The PDF's bytes, or None while a worker is still rendering it."""

    content: bytes | None

    @property
    def is_ready(self) -> bool:
        return self.content is not None


def checklist_pdf(html: str) -> ChecklistPdf:
    """The PDF of this HTML from the shared cache; on a miss, a worker is asked to render it.

    Rendering takes about half a second of CPU (3 to 7 s on a busy server); the HTML, about a millisecond.
    The key is a digest of the HTML, the language and the stylesheet, so whatever changes what the PDF shows
    (a tick, a reschedule, the patient's name, the language, a new stylesheet) finds no entry and renders
    anew: a patient fetching the same PDF in a loop costs the ward's servers next to nothing, and only one
    render per key is ever queued at a time. Rendered here, in the request, when no worker can hand the PDF
    back (PORTAL_PDF_IN_WORKER off: no shared cache) or when the broker cannot be reached.
    """
    language = get_language()
    key = pdf_cache_key(html, language)
    pdf = cache.get(key)
    if pdf is not None:
        return ChecklistPdf(pdf)
    if not settings.PORTAL_PDF_IN_WORKER:
        return ChecklistPdf(_render_and_store(key, html))
    # The HTML goes to the worker through the cache, so no patient's details sit in the broker's messages.
    if cache.add(rendering_key(key), html, RENDERING_SECONDS):
        from .tasks import render_checklist_pdf  # portal.tasks imports this module

        try:
            render_checklist_pdf.delay(key, language)
        except (OperationalError, OSError):  # the broker is down or unreachable: the patient still gets her PDF
            logger.warning("Could not queue the checklist PDF; rendering it in the request", exc_info=True)
            cache.delete(rendering_key(key))
            return ChecklistPdf(_render_and_store(key, html))
    # With CELERY_TASK_ALWAYS_EAGER (tests) the task has already run, and the PDF is here.
    return ChecklistPdf(cache.get(key))


def render_queued_pdf(key: str) -> bool:
    """The worker's half: render the HTML waiting under `key`, store the PDF; False if there was nothing to do."""
    if cache.get(key) is not None:
        return False  # queued twice (the rendering key expired while the queue was long): already rendered
    html = cache.get(rendering_key(key))
    if html is None:
        return False  # waited longer than RENDERING_SECONDS: the patient's next refresh queues it again
    _render_and_store(key, html)
    cache.delete(rendering_key(key))
    return True


def pdf_cache_key(html: str, language: str) -> str:
    digest = hashlib.sha256(f"{language}\n{_stylesheet_digest()}\n{html}".encode()).hexdigest()
    return f"portal:checklist-pdf:{digest}"


def rendering_key(key: str) -> str:
    return f"{key}:rendering"


def _render_and_store(key: str, html: str) -> bytes:
    pdf = html_to_pdf(html)
    cache.set(key, pdf, PDF_CACHE_SECONDS)
    return pdf


@functools.cache
def _stylesheet_digest() -> str:
    with open(finders.find(PRINT_STYLESHEET), "rb") as stylesheet:
        return hashlib.sha256(stylesheet.read()).hexdigest()


def html_to_pdf(html: str) -> bytes:
    page_label = _("Page %(page)s of %(pages)s") % {"page": '" counter(page) "', "pages": '" counter(pages) "'}
    page_numbers = f'@page {{ @bottom-right {{ content: "{page_label}"; font-size: 9pt; }} }}'
    return render_pdf(html, stylesheet=PRINT_STYLESHEET, extra_css=page_numbers)
