"""The printable checklist as a PDF, rendered by WeasyPrint from the same HTML as the print view."""

import logging

from django.contrib.staticfiles import finders
from django.utils.translation import gettext as _

PRINT_STYLESHEET = "portal/print.css"

# WeasyPrint logs every rendering step at INFO; our root logger is at INFO.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def html_to_pdf(html: str) -> bytes:
    # Imported here: loading WeasyPrint (Pango, fonts) takes ~0.5 s, which only PDF requests should pay.
    from weasyprint import CSS, HTML

    # Stylesheets are given directly: WeasyPrint must not fetch anything over the network.
    stylesheet = CSS(filename=finders.find(PRINT_STYLESHEET))
    page_label = _("Page %(page)s of %(pages)s") % {"page": '" counter(page) "', "pages": '" counter(pages) "'}
    page_numbers = CSS(string=f'@page {{ @bottom-right {{ content: "{page_label}"; font-size: 9pt; }} }}')
    return HTML(string=html).write_pdf(stylesheets=[stylesheet, page_numbers])
