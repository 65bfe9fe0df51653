"""The completion report for admins: one page with every table and chart, and each table as CSV."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from accounts.models import Role
from audit.reads import reads_patient_data
from checklists.access import role_required
from kypho_tracker.csv_export import csv_response

from .filters import ReportFilterForm
from .selectors import ReportScope
from .tables import TABLES, build_report, build_table


@role_required(Role.ADMIN)
@reads_patient_data("many")
def completion_report(request: HttpRequest) -> HttpResponse:
    """Readiness at start, rates by phase, task and nurse, the weekly trend and cancellations for a period."""
    form = ReportFilterForm.from_query(request.GET)
    if not form.is_valid():
        return render(request, "reports/completion_report.html", {"form": form}, status=400)
    scope = ReportScope(**form.cleaned_data)
    context = {
        "form": form,
        "scope": scope,
        "report": build_report(scope),
        "filter_query": _filter_query(form),
    }
    return render(request, "reports/completion_report.html", context)


@role_required(Role.ADMIN)
@reads_patient_data("many")
def table_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One of the page's tables as a CSV file, for the same filters."""
    if table not in TABLES:
        raise Http404("No such report table.")
    form = ReportFilterForm.from_query(request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    scope = ReportScope(**form.cleaned_data)
    result = build_table(table, scope)
    filename = f"kypho-{table}-{scope.date_from.isoformat()}-to-{scope.date_to.isoformat()}.csv"
    return csv_response(filename, result.headers, result.rows)


def _filter_query(form: ReportFilterForm) -> str:
    """The filters as a query string, so each CSV link downloads what the page shows."""
    query = {"date_from": form.cleaned_data["date_from"], "date_to": form.cleaned_data["date_to"]}
    if form.cleaned_data["protocol"] is not None:
        query["protocol"] = form.cleaned_data["protocol"].pk
    return urlencode(query)
