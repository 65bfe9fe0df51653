"""HTML to PDF with WeasyPrint, for the printouts (the huddle sheet here; the patient's checklist in portal)."""

import logging

from django.contrib.staticfiles import finders

# WeasyPrint logs every rendering step at INFO; our root logger is at INFO.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def html_to_pdf(html: str, *, stylesheet: str, extra_css: str = "") -> bytes:
    """Render `html` with the static `stylesheet` (read from disk: WeasyPrint fetches nothing over the network)."""
    # Imported here: loading WeasyPrint (Pango, fonts) takes ~0.5 s, which only PDF requests should pay.
    from weasyprint import CSS, HTML

    stylesheets = [CSS(filename=finders.find(stylesheet))]
    if extra_css:
        stylesheets.append(CSS(string=extra_css))
    return HTML(string=html).write_pdf(stylesheets=stylesheets)
