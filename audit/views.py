"""Admins see who read a patient's data: "who looked at this record"."""

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import PatientRead

READS_PER_PAGE = 50


@login_required
def patient_reads(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_admin_role:
        raise PermissionDenied
    patient = get_object_or_404(apps.get_model("checklists", "Patient"), pk=pk)
    reads = PatientRead.objects.filter(patient=patient).select_related("user", "episode")
    page = Paginator(reads, READS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "audit/patient_reads.html", {"patient": patient, "page": page})
