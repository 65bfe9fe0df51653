"""The patient portal: a patient's own checklist, warning signs, print/PDF/calendar, and "I've done this".

Plus the one care-team action that belongs to the portal: inviting a patient to it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
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
from checklists.services import episodes as episode_services
from checklists.services.tasks import TaskChangeConflict, task_answer_by_patient, task_report_by_patient
from kypho_tracker.rate_limits import rate_limited

from . import services
from .forms import ANSWER_FORMS, TaskReportForm
from .ics import checklist_calendar
from .language import patient_language
from .messages import translated
from .pdf import checklist_pdf
from .timeline import (
    current_episode,
    format_moment,
    patient_checklist,
    patient_pages_for,
    patient_task_title,
    warning_signs_for,
)

PATIENTS = (Role.PATIENT,)
# How often the "your PDF is being prepared" page asks again (a render takes 0.5 s idle, up to ~7 s busy).
PDF_REFRESH_SECONDS = 3

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
# Only downloads count: the "being prepared" page (202) refreshes itself every few seconds, queues no
# second render, and must not use up the patient's PDFs for the minute.
@rate_limited("pdf", key="user", methods=("GET",), uncounted_statuses=(202,))
def episode_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request.user, pk, roles=PATIENTS)
    html = render_to_string("portal/checklist_print.html", _print_context(episode, for_pdf=True), request=request)
    pdf = checklist_pdf(html)
    if not pdf.is_ready:
        context = {"episode": episode, "refresh_seconds": PDF_REFRESH_SECONDS}
        return render(request, "portal/pdf_preparing.html", context, status=202)
    response = HttpResponse(pdf.content, content_type="application/pdf")
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
    return _patient_task_change(
        request,
        task,
        TaskReportForm(request.POST),
        change=lambda data: task_report_by_patient(task=task, by=request.user, expected_version=data["version"]),
        thanks=_("Thank you. We told your nurse that “%(task)s” is done."),
    )


@require_POST
@login_required
@patient_language
def task_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A task's short form (the driver, past anesthesia problems): the answers go on the task for the nurse."""
    task = get_task_for(request.user, pk, roles=PATIENTS)
    form_class = ANSWER_FORMS.get(task.patient_form)
    if form_class is None:
        messages.warning(request, _("This step has no questions to answer."))
        return _render_checklist(request, get_episode_for(request.user, task.episode_id, roles=PATIENTS), status=409)
    form = form_class(request.POST)
    return _patient_task_change(
        request,
        task,
        form,
        change=lambda data: task_answer_by_patient(
            task=task, by=request.user, expected_version=data["version"], answers=form.answers()
        ),
        thanks=_("Thank you. Your nurse can now see your answers to “%(task)s”."),
    )


def _patient_task_change(request: HttpRequest, task, form, *, change, thanks: str) -> HttpResponse:
    """Run a patient's change to a task; a bad form is a 400, a stale or refused change a 409, with a message."""
    title = patient_task_title(task)
    status = None
    if not form.is_valid():
        problems = [str(error) for errors in form.errors.values() for error in errors]
        message = _("“%(task)s”: nothing was saved. Please try again.") % {"task": title}
        messages.error(request, " ".join([message, *problems]))
        status = 400
    else:
        try:
            change(form.cleaned_data)
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
    messages.success(request, thanks % {"task": title})
    return redirect(f"{reverse('portal:episode', args=[task.episode_id])}#task-{task.pk}")


@login_required
@patient_language
def episode_about(request: HttpRequest, pk: int) -> HttpResponse:
    """What happens, the risks and the right to say no, from the protocol: read before the consent."""
    episode = get_episode_for(request.user, pk, roles=PATIENTS)
    context = {"episode": episode, "pages": patient_pages_for(episode), "warning_signs": warning_signs_for(episode)}
    return render(request, "portal/about.html", context)


@require_POST
@login_required
@patient_language
def episode_information_read(request: HttpRequest, pk: int) -> HttpResponse:
    """ "I have read this": recorded in the episode's history for the doctor who takes the consent."""
    episode = get_episode_for(request.user, pk, roles=PATIENTS)
    try:
        episode_services.episode_information_read(episode=episode, by=request.user)
    except ValidationError:
        messages.warning(request, _("This procedure is no longer scheduled, so nothing was saved."))
        return redirect("portal:episode-about", pk=episode.pk)
    messages.success(request, _("Thank you. We noted that you have read about your procedure."))
    return redirect("portal:episode", pk=episode.pk)


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
