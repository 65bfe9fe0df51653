"""Correcting what was entered wrong: a patient's record and a scheduled procedure, through their services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .access import NURSES, get_episode_for, get_patient_for
from .forms import EpisodeEditForm, PatientEditForm
from .services.episodes import episode_update
from .services.patients import patient_update


@login_required
def patient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Nurses correct a patient's details; the date of birth and allergies need a reason."""
    patient = get_patient_for(request.user, pk, roles=NURSES)
    form = PatientEditForm(request.POST or None, instance=patient)
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                patient = patient_update(patient=patient, by=request.user, reason=data.pop("reason"), **data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{patient.full_name}'s details saved.")
                return redirect("checklists:patient-detail", pk=patient.pk)
        return render(request, "checklists/patient_form.html", {"form": form, "patient": patient}, status=400)
    return render(request, "checklists/patient_form.html", {"form": form, "patient": patient})


@login_required
def episode_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Nurses correct a scheduled procedure; the levels, side, clinician and admission need a reason."""
    episode = get_episode_for(request.user, pk, roles=NURSES)
    if not episode.is_scheduled:
        messages.error(request, "Only a scheduled procedure can be changed.")
        return redirect("checklists:episode-detail", pk=episode.pk)
    form = EpisodeEditForm(request.POST or None, instance=episode)
    context = {"form": form, "episode": episode}
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                episode_update(episode=episode, by=request.user, reason=data.pop("reason"), **data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Procedure details saved.")
                return redirect("checklists:episode-detail", pk=episode.pk)
        return render(request, "checklists/episode_edit.html", context, status=400)
    return render(request, "checklists/episode_edit.html", context)
