"""A patient's pages for nurses: add a patient, the patient's page, and scheduling a procedure for them
(a start too close for the protocol first lists the tasks it cannot meet, to confirm)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from audit.reads import reads_patient_data
from kypho_tracker import form_tokens

from .access import NURSES, get_patient_for, role_required
from .forms import EpisodeScheduleForm, PatientForm
from .late_scheduling import late_tasks_if_scheduled
from .selectors import patient_history
from .services import patients
from .services.episodes import episode_schedule


@role_required(*NURSES)
def patient_create(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            patient = patients.patient_create(by=request.user, **form.cleaned_data)
            messages.success(request, f"{patient.full_name} added.")
            return redirect("checklists:patient-detail", pk=patient.pk)
        return render(request, "checklists/patient_form.html", {"form": form}, status=400)
    return render(request, "checklists/patient_form.html", {"form": form})


@login_required
@reads_patient_data("patient")
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for(request.user, pk)
    episodes = patient.episodes.select_related("protocol_version__protocol", "nurse").with_progress()
    return render(
        request,
        "checklists/patient_detail.html",
        {
            "patient": patient,
            "episodes": episodes,
            "can_schedule": request.user.is_nurse,
            "history": patient_history(patient),
        },
    )


@login_required
def episode_create(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """Schedule a procedure; a start too close for the protocol first lists the tasks it cannot meet, to confirm."""
    patient = get_patient_for(request.user, patient_pk, roles=NURSES)
    form = EpisodeScheduleForm(request.POST or None)
    context = {"form": form, "patient": patient}
    if request.method != "POST":
        return render(request, "checklists/episode_form.html", context)
    if not form.is_valid():
        return render(request, "checklists/episode_form.html", context, status=400)
    data = form.cleaned_data
    expedite = form.late_tasks_confirmed
    if not expedite:
        late = late_tasks_if_scheduled(
            protocol_version=data["protocol_version"],
            scheduled_start=data["scheduled_start"],
            admission_type=data["admission_type"],
        )
        if late:
            confirm = form.with_confirmation(request.POST)
            confirm.helper.inputs[0].value = "Schedule and expedite these tasks"
            return render(request, "checklists/episode_form.html", {**context, "form": confirm, "late_tasks": late})
    data.pop("expedite_confirmed_for")
    token = data.pop("submission_token")
    earlier = form_tokens.claim(token)
    if earlier == form_tokens.PENDING:
        form.add_error(None, "This form is already being sent. Look at the patient's page in a moment.")
        return render(request, "checklists/episode_form.html", context, status=409)
    if earlier is not None:
        messages.info(request, "This form was sent twice: the procedure was scheduled once.")
        return redirect("checklists:episode-detail", pk=earlier)
    try:
        episode = episode_schedule(patient=patient, by=request.user, expedite_late=expedite, **data)
    except ValidationError as error:
        form_tokens.release(token)
        form.add_error(None, error)
        return render(request, "checklists/episode_form.html", context, status=400)
    form_tokens.fulfil(token, episode.pk)
    messages.success(request, "Procedure scheduled and checklist created.")
    return redirect("checklists:episode-detail", pk=episode.pk)
