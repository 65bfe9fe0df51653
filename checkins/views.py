"""Check-in pages: the patient answers (in the portal or through a signed link); nurses work the alerts queue."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from audit.reads import reads_patient_data
from checklists.access import CARE_TEAM, role_required
from checklists.hospital_time import local_day
from portal.language import patient_language
from portal.messages import translated
from portal.timeline import WarningSigns, format_moment

from . import selectors, services
from .forms import AlertAcknowledgeForm, CheckinForm
from .links import LinkRefused, checkin_from_token
from .models import Alert, Checkin, Level

RESULT_TEMPLATES = {Level.EMERGENCY: "checkins/emergency.html"}


def get_checkin_for(user, pk: int) -> Checkin:
    """A check-in of the patient's own episodes (404 for anyone else's); only patients answer (403)."""
    checkin = get_object_or_404(Checkin.objects.visible_to(user).select_related("point", "episode__patient"), pk=pk)
    if user.role != Role.PATIENT:
        raise PermissionDenied
    return checkin


@require_http_methods(["GET", "POST"])
@login_required
@reads_patient_data("own")
@patient_language
def checkin_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's check-in in the portal: the questions, then what to do now."""
    return _answer(request, get_checkin_for(request.user, pk), via=Checkin.Via.PORTAL, by=request.user)


@require_http_methods(["GET", "POST"])
def checkin_link(request: HttpRequest, token: str) -> HttpResponse:
    """The same check-in through a signed link, no password: it shows the questions and nothing else of the record."""
    try:
        checkin = checkin_from_token(token)
    except LinkRefused as refusal:
        return _render_refusal(request, None, translated(refusal), status=refusal.status)
    language = _link_language(request, checkin)
    with translation.override(language):
        request.LANGUAGE_CODE = language
        response = _answer(request, checkin, via=Checkin.Via.LINK, by=None)
    response.headers["Content-Language"] = language
    return response


def _link_language(request: HttpRequest, checkin: Checkin) -> str:
    """The language switcher's choice, else the patient's preferred language."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) in dict(settings.LANGUAGES):
        return translation.get_language()
    return checkin.episode.patient.preferred_language


def _answer(request: HttpRequest, checkin: Checkin, *, via: str, by) -> HttpResponse:
    refusal = services.checkin_refusal(checkin)
    if refusal is not None:
        return _render_refusal(request, checkin, translated(refusal), status=refusal.status)
    questions = list(checkin.point.questions.order_by("position"))
    form = CheckinForm(questions, request.POST if request.method == "POST" else None)
    if request.method == "GET" or not form.is_valid():
        context = {"form": form, "checkin": checkin, "closes": format_moment(checkin.closes_at)}
        return render(request, "checkins/checkin_form.html", context, status=200 if request.method == "GET" else 400)
    try:
        checkin, alert = services.checkin_answer(checkin=checkin, answers=form.cleaned_data, via=via, by=by)
    except services.CheckinRefused as refused:
        return _render_refusal(request, checkin, translated(refused), status=refused.status)
    context = {"checkin": checkin, "alert": alert, "ward": _ward()}
    if alert is not None and alert.escalate_at is not None:
        # The escalation deadline is the promise: a nurse calls before the alert escalates.
        context["call_by"] = format_moment(alert.escalate_at)
        context["call_today"] = local_day(alert.escalate_at) == local_day(alert.raised_at)
    return render(request, RESULT_TEMPLATES.get(checkin.level, "checkins/result.html"), context)


def _render_refusal(request: HttpRequest, checkin: Checkin | None, message: str, *, status: int) -> HttpResponse:
    """A refused answer; an emergency already sent still shows what to do at once."""
    context = {"message": message, "checkin": checkin, "ward": _ward()}
    return render(request, "checkins/refused.html", context, status=status)


def _ward() -> WarningSigns:
    return WarningSigns(call=[], emergency=[], ward_phone=settings.WARD_PHONE)


@role_required(*CARE_TEAM)
@reads_patient_data("many")
def alert_queue(request: HttpRequest) -> HttpResponse:
    """Open alerts for the care team; nurses acknowledge them."""
    return _render_queue(request)


def _render_queue(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    context = {
        "alerts": selectors.alert_queue(request.user),
        "outcomes": Alert.Outcome.choices,
        "now": timezone.now(),
        "emergency_minutes": settings.CHECKIN_EMERGENCY_ESCALATION_MINUTES,
        "call_today_hours": settings.CHECKIN_CALL_TODAY_ESCALATION_WORKING_HOURS,
    }
    return render(request, "checkins/alert_queue.html", context, status=status)


@role_required(*CARE_TEAM)
def alert_count(request: HttpRequest) -> HttpResponse:
    """The menu's badge (htmx, every minute), so no other page pays a query for it."""
    return render(request, "checkins/_alert_count.html", {"counts": selectors.alert_counts(request.user)})


@require_POST
@login_required
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert.objects.visible_to(request.user).select_related("checkin__episode__patient"), pk=pk)
    if request.user.role != Role.NURSE:
        raise PermissionDenied
    form = AlertAcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{alert.checkin.episode.patient.full_name}: choose what happened and write a note.")
        return _render_queue(request, status=400)
    try:
        services.alert_acknowledge(alert=alert, by=request.user, **form.cleaned_data)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return _render_queue(request, status=409)
    messages.success(request, f"{alert.checkin.episode.patient.full_name}: recorded ({form.cleaned_data['note']}).")
    return redirect("checkins:alert-queue")
