"""The Medicines page of an episode (nurses change it, admins read it) and the patient's "My medicines"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role
from audit.reads import reads_patient_data
from checklists.access import NURSES, get_episode_for
from checklists.models import Episode
from portal.language import patient_language
from portal.timeline import format_moment, warning_signs_for

from . import services
from .forms import DecisionForm, LabResultForm, MedicineAddForm, ReasonForm, ReviewForm
from .models import EpisodeMedicine, MedicineReview
from .selectors import episode_medicines, lab_sign_off_problems, latest_day_of_results, patient_medicines

PATIENTS = (Role.PATIENT,)

# Views on one object take only @login_required: their access helper answers 404 to a user with
# no link to the object before it answers 403 to a wrong role, so nothing reveals that it exists.


def get_medication_for(user, pk: int, *, roles=NURSES) -> EpisodeMedicine:
    """Fetch a listed medicine of an episode the user may see, if their role may change it."""
    medication = get_object_or_404(EpisodeMedicine.objects.visible_to(user).select_related("episode"), pk=pk)
    if user.role not in roles:
        raise PermissionDenied
    return medication


@login_required
@reads_patient_data("episode")
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_plan(request, get_episode_for(request.user, pk))


def _render_plan(request, episode: Episode, *, status: int = 200, add_form=None) -> HttpResponse:
    search = request.GET.get("q", "")[:80]
    medicines = episode_medicines(episode)
    for medication in medicines:
        # One decision form per row: ids made unique, the posted names stay the same.
        medication.decision_form = DecisionForm(auto_id=f"decide-{medication.pk}-%s")
    context = {
        "episode": episode,
        "medicines": medicines,
        "review": MedicineReview.objects.filter(episode=episode).select_related("reviewed_by").first(),
        "lab_results": latest_day_of_results(episode).values(),
        "lab_problems": lab_sign_off_problems(episode),
        "search": search,
        "add_form": add_form or MedicineAddForm(search=search),
        "lab_form": LabResultForm(),
        "can_change": request.user.is_nurse and episode.is_scheduled,
    }
    return render(request, "medicines/plan.html", context, status=status)


def _refused(request, episode_pk: int, error: ValidationError, *, add_form=None) -> HttpResponse:
    messages.error(request, " ".join(error.messages))
    return _render_plan(request, get_episode_for(request.user, episode_pk), status=400, add_form=add_form)


def _form_refused(request, episode_pk: int, form, **kwargs) -> HttpResponse:
    errors = [
        " ".join(errors) if field == "__all__" else f"{form[field].label}: {' '.join(errors)}"
        for field, errors in form.errors.items()
    ]
    return _refused(request, episode_pk, ValidationError(errors), **kwargs)


@require_POST
@login_required
def medicine_add(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request.user, pk, roles=NURSES)
    form = MedicineAddForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, episode.pk, form, add_form=form)
    try:
        medication = services.medicine_add(episode=episode, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        return _refused(request, episode.pk, error, add_form=form)
    messages.success(request, f"{medication.name} added. Proposed: {medication.proposal_basis}.")
    return redirect("medicines:plan", pk=episode.pk)


@require_POST
@login_required
def medicine_decide(request: HttpRequest, pk: int) -> HttpResponse:
    medication = get_medication_for(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, medication.episode_id, form)
    try:
        medication = services.medicine_decide(medication=medication, by=request.user, **form.service_arguments())
    except ValidationError as error:
        return _refused(request, medication.episode_id, error)
    messages.success(request, f"Decision for {medication.name} recorded: {medication.get_decision_display()}.")
    return redirect("medicines:plan", pk=medication.episode_id)


@require_POST
@login_required
def medicine_remove(request: HttpRequest, pk: int) -> HttpResponse:
    medication = get_medication_for(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, medication.episode_id, form)
    try:
        services.medicine_remove(medication=medication, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        return _refused(request, medication.episode_id, error)
    messages.success(request, f"{medication.name} taken off the list.")
    return redirect("medicines:plan", pk=medication.episode_id)


@require_POST
@login_required
def review_record(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request.user, pk, roles=NURSES)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, episode.pk, form)
    try:
        review = services.medicine_review_record(
            episode=episode, by=request.user, no_regular_medicines=form.no_regular_medicines
        )
    except ValidationError as error:
        return _refused(request, episode.pk, error)
    messages.success(request, f"Medicine review recorded: {review}.")
    return redirect("medicines:plan", pk=episode.pk)


@require_POST
@login_required
def lab_record(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request.user, pk, roles=NURSES)
    form = LabResultForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, episode.pk, form)
    try:
        result = services.lab_result_record(episode=episode, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        return _refused(request, episode.pk, error)
    messages.success(request, f"{result} recorded{'' if result.in_range else ' — OUTSIDE the range'}.")
    return redirect("medicines:plan", pk=episode.pk)


@login_required
@reads_patient_data("episode")
@patient_language
def my_medicines(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's medicines: what to do with each, the last dose and the restart (decided ones only)."""
    episode = get_episode_for(request.user, pk, roles=PATIENTS)
    context = {
        "episode": episode,
        "medicines": patient_medicines(episode, format_moment=format_moment),
        "review": MedicineReview.objects.filter(episode=episode).first(),
        "warning_signs": warning_signs_for(episode),
    }
    return render(request, "medicines/my_medicines.html", context)
