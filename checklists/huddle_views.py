"""The day-of huddle sheet: a page to print (A4 or Letter, landscape) and the same sheet as a PDF."""

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from audit.reads import reads_patient_data

from .access import CARE_TEAM, role_required
from .hospital_time import PLAUSIBLE_DATE_VALIDATORS, local_time, today
from .huddle import huddle_column_headings, huddle_lines
from .pdf import html_to_pdf

HUDDLE_STYLESHEET = "checklists/huddle.css"


class HuddleDayForm(forms.Form):
    date = forms.DateField(required=False, validators=PLAUSIBLE_DATE_VALIDATORS)


@role_required(*CARE_TEAM)
@reads_patient_data("many")
def huddle_sheet(request: HttpRequest) -> HttpResponse:
    """Today's procedures (or `?date=`), in order, with what the team checks before the first one."""
    context, status = _huddle_context(request, for_pdf=False)
    return render(request, "checklists/huddle_sheet.html", context, status=status)


@role_required(*CARE_TEAM)
@reads_patient_data("many")
def huddle_sheet_pdf(request: HttpRequest) -> HttpResponse:
    context, status = _huddle_context(request, for_pdf=True)
    if status != 200:
        return render(request, "checklists/huddle_sheet.html", context, status=status)
    html = render_to_string("checklists/huddle_sheet.html", context, request=request)
    response = HttpResponse(html_to_pdf(html, stylesheet=HUDDLE_STYLESHEET), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="huddle-{context["day"]:%Y-%m-%d}.pdf"'
    return response


def _huddle_context(request: HttpRequest, *, for_pdf: bool) -> tuple[dict, int]:
    form = HuddleDayForm(request.GET)
    if not form.is_valid():
        return {"form": form, "day": today(), "lines": [], "column_headings": [], "for_pdf": for_pdf}, 400
    day = form.cleaned_data["date"] or today()
    context = {
        "form": form,
        "day": day,
        "lines": huddle_lines(day),
        "column_headings": huddle_column_headings(),
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "printed_at": local_time(),
        "for_pdf": for_pdf,
    }
    return context, 200
