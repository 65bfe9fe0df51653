"""The patient portal: a patient's own checklist, warning signs, print/PDF/calendar, and "I've done this".

Plus the one care-team action that belongs to the portal: inviting a patient to it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from audit.reads import reads_patient_data
from checklists.access import CARE_TEAM, get_episode_for, get_patient_for, get_task_for, role_required
from checklists.models import Episode, TaskStateError
from checklists.services.tasks import TaskChangeConflict, task_report_by_patient
from kypho_tracker.rate_limits import rate_limited

from . import services
from .forms import TaskReportForm
from .ics import checklist_calendar
from .language import patient_language
from .messages import translated
from .pdf import checklist_pdf
from .timeline import current_episode, format_moment, localized, patient_checklist, warning_signs_for

PATIENTS = (Role.PATIENT,)

# Views on one object take only @login_required: their access helper answers 404 to a user with
# no link to the object before it answers 403 to a wrong role, so nothing reveals that it exists.


@role_required(*PATIENTS)
@patient_language
@reads_patient_data("own")
def checklist(request: HttpRequest) -> HttpResponse:
    """ "My checklist": the patient's next (or latest) procedure."""
    return _render_checklist(request, current_episode(request.user))


@login_required
@patient_language
@reads_patient_data("episode")
def episode_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_checklist(request, get_episode_for(request.user, pk, roles=PATIENTS))


def _render_checklist(request: HttpRequest, episode: Episode | None, *, status: int = 200) -> HttpResponse:
    checklist = patient_checklist(episode) if episode else None
    others = (
        Episode.objects.visible_to(request.user).exclude(pk=episode.pk).order_by("-scheduled_start") if episode else []
    )
    context = {
        "checklist": checklist,
        "warning_signs": warning_signs_for(episode),
        "other_episodes": [(other, format_moment(other.scheduled_start)) for other in others],
    }
    return render(request, "portal/checklist.html", context, status=status)


@role_required(*PATIENTS)
@patient_language
def warning_signs(request: HttpRequest) -> HttpResponse:
    """Always one tap away: when to call the ward, when to get emergency care."""
    signs = warning_signs_for(current_episode(request.user))
    return render(request, "portal/warning_signs.html", {"warning_signs": signs})


@login_required
@patient_language
@reads_patient_data("episode")
def episode_print(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request.user, pk, roles=PATIENTS)
    return render(request, "portal/checklist_print.html", _print_context(episode, for_pdf=False))


@login_required
@patient_language
@reads_patient_data("episode")
@rate_limited("pdf", key="user", methods=("GET",))
def episode_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request.user, pk, roles=PATIENTS)
    html = render_to_string("portal/checklist_print.html", _print_context(episode, for_pdf=True), request=request)
    response = HttpResponse(checklist_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="kyphoplasty-checklist.pdf"'
    return response


def _print_context(episode: Episode, *, for_pdf: bool) -> dict:
    return {
        "checklist": patient_checklist(episode),
        "warning_signs": warning_signs_for(episode),
        "patient": episode.patient,
        "for_pdf": for_pdf,
    }


@login_required
@patient_language
@reads_patient_data("episode")
def episode_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request.user, pk, roles=PATIENTS)
    ics = checklist_calendar(patient_checklist(episode), host=request.get_host())
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kyphoplasty-checklist.ics"'
    return response


@require_POST
@login_required
@patient_language
def task_report(request: HttpRequest, pk: int) -> HttpResponse:
    """ "I've done this": the task waits for a nurse to verify it; refusals re-render with a 4xx."""
    task = get_task_for(request.user, pk, roles=PATIENTS)
    title = localized(task, "title")
    form = TaskReportForm(request.POST)
    status = None
    if not form.is_valid():
        messages.error(request, _("“%(task)s”: nothing was saved. Please try again.") % {"task": title})
        status = 400
    else:
        try:
            task_report_by_patient(task=task, by=request.user, expected_version=form.cleaned_data["version"])
        except TaskChangeConflict:
            messages.warning(
                request,
                _("“%(task)s” was changed a moment ago, so nothing was saved. Here is your checklist as it is now.")
                % {"task": title},
            )
            status = 409
        except TaskStateError as refusal:
            messages.warning(request, f"“{title}”: {translated(refusal)}")
            status = 409
    if status:
        return _render_checklist(request, get_episode_for(request.user, task.episode_id, roles=PATIENTS), status=status)
    messages.success(request, _("Thank you. We told your nurse that “%(task)s” is done.") % {"task": title})
    return redirect(f"{reverse('portal:episode', args=[task.episode_id])}#task-{task.pk}")


@require_POST
@login_required
@rate_limited("invitation", key="user")
def patient_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """A nurse or admin sends the patient a one-time link to set a portal password (again, if need be)."""
    patient = get_patient_for(request.user, pk, roles=CARE_TEAM)
    had_login = patient.user_id is not None
    try:
        user = services.patient_invite(patient=patient, by=request.user, site_url=request.build_absolute_uri("/"))
    except services.InvitationError as refusal:
        context = {"patient": patient, "message": " ".join(refusal.messages)}
        return render(request, "portal/invitation_refused.html", context, status=400)
    sent = "A new invitation link was sent" if had_login else "Invitation sent"
    messages.success(request, f"{sent} to {user.email}. The link works once, until it expires.")
    return redirect("checklists:patient-detail", pk=patient.pk)
