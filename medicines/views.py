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


def _change(request, episode_pk: int, form, *, call, done, keep_form: bool = False) -> HttpResponse:
    """Validate the form, run `call(data)` (one service), then redirect to the plan with `done(result)`;
    a refusal re-renders the plan with the message and a 400 (the add form keeps what was typed)."""
    add_form = form if keep_form else None
    if not form.is_valid():
        errors = [
            " ".join(errors) if field == "__all__" else f"{form[field].label}: {' '.join(errors)}"
            for field, errors in form.errors.items()
        ]
        return _refused(request, episode_pk, ValidationError(errors), add_form=add_form)
    try:
        result = call(form.cleaned_data)
    except ValidationError as error:
        return _refused(request, episode_pk, error, add_form=add_form)
    messages.success(request, done(result))
    return redirect("medicines:plan", pk=episode_pk)


def _refused(request, episode_pk: int, error: ValidationError, *, add_form) -> HttpResponse:
    messages.error(request, " ".join(error.messages))
    return _render_plan(request, get_episode_for(request.user, episode_pk), status=400, add_form=add_form)


@require_POST
@login_required
def medicine_add(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request.user, pk, roles=NURSES)
    return _change(
        request,
        episode.pk,
        MedicineAddForm(request.POST),
        call=lambda data: services.medicine_add(episode=episode, by=request.user, **data),
        done=lambda medication: f"{medication.name} added. Proposed: {medication.proposal_basis}.",
        keep_form=True,
    )


@require_POST
@login_required
def medicine_decide(request: HttpRequest, pk: int) -> HttpResponse:
    medication = get_medication_for(request.user, pk)
    form = DecisionForm(request.POST)
    return _change(
        request,
        medication.episode_id,
        form,
        call=lambda data: services.medicine_decide(medication=medication, by=request.user, **form.service_arguments()),
        done=lambda decided: f"Decision for {decided.name} recorded: {decided.get_decision_display()}.",
    )


@require_POST
@login_required
def medicine_remove(request: HttpRequest, pk: int) -> HttpResponse:
    medication = get_medication_for(request.user, pk)
    return _change(
        request,
        medication.episode_id,
        ReasonForm(request.POST),
        call=lambda data: services.medicine_remove(medication=medication, by=request.user, reason=data["reason"]),
        done=lambda removed: f"{removed.name} taken off the list.",
    )


@require_POST
@login_required
def review_record(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request.user, pk, roles=NURSES)
    return _change(
        request,
        episode.pk,
        ReviewForm(request.POST),
        call=lambda data: services.medicine_review_record(
            episode=episode, by=request.user, no_regular_medicines=data["answer"] == ReviewForm.NONE
        ),
        done=lambda review: f"Medicine review recorded: {review}.",
    )


@require_POST
@login_required
def lab_record(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request.user, pk, roles=NURSES)
    return _change(
        request,
        episode.pk,
        LabResultForm(request.POST),
        call=lambda data: services.lab_result_record(episode=episode, by=request.user, **data),
        done=lambda result: f"{result} recorded{'' if result.in_range else ' — OUTSIDE the range'}.",
    )


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
