"""The printable checklist as a PDF, rendered by WeasyPrint from the same HTML as the print view."""

import functools
import hashlib

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from checklists.pdf import html_to_pdf as render_pdf

PRINT_STYLESHEET = "portal/print.css"
# Keys name the content, so an entry is never stale; the timeout only frees the cache's memory.
PDF_CACHE_SECONDS = 24 * 60 * 60


def checklist_pdf(html: str) -> bytes:
    """The PDF of this HTML, rendered once and then served from the shared cache.

    Rendering takes about half a second of CPU; the HTML, about a millisecond. The key is a digest
    of the HTML, the language and the stylesheet, so whatever changes what the PDF shows (a tick, a
    reschedule, the patient's name, the language, a new stylesheet) finds no entry and renders anew:
    a patient fetching the same PDF in a loop costs the ward's servers next to nothing.
    """
    digest = hashlib.sha256(f"{get_language()}\n{_stylesheet_digest()}\n{html}".encode()).hexdigest()
    key = f"portal:checklist-pdf:{digest}"
    pdf = cache.get(key)
    if pdf is None:
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
