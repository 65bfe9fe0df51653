"""CSV files that a spreadsheet opens as text, never as a formula (OWASP "CSV injection").

Every CSV the app writes goes through `csv_response`: a cell that starts with = + - @, a tab or a
carriage return gets a leading apostrophe, so `=HYPERLINK(...)` in a cancellation reason or a
nurse's name shows as typed instead of running. Only the file changes; pages show the value as is.
"""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, headers: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    """An attachment `filename` with the header row and the rows, every cell neutralised."""
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    writer = csv.writer(response)
    writer.writerow([safe_cell(cell) for cell in headers])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return response
