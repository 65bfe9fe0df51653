"""Automatic log-off: staff after STAFF_IDLE_TIMEOUT_MINUTES without a request, patients after
PATIENT_IDLE_TIMEOUT_MINUTES, everyone SESSION_MAX_AGE_HOURS after logging in; the log-in page
then says why. An htmx request sent after that is answered with HX-Redirect to the log-in page,
so the browser leaves the page instead of swapping a log-in form into a table row."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _

LOGGED_IN_AT = "logged_in_at"
LAST_SEEN_AT = "last_seen_at"
LOGGED_OUT_BECAUSE = "logged_out_because"
IDLE_LIMIT_MINUTES = "idle_limit_minutes"
# The last request's time is written at most this often, so a page does not save its session on
# every request; the idle limit is therefore kept to within this many seconds.
LAST_SEEN_GRANULARITY_SECONDS = 60

REASONS = {
    "idle": _("You were logged out because nothing happened for %(minutes)s minutes. Please log in again."),
    "max_age": _("You were logged out because you logged in %(hours)s hours ago. Please log in again."),
}


@receiver(user_logged_in, dispatch_uid="accounts.sessions.start_clock")
def start_clock(sender, request, user, **kwargs) -> None:
    now = time.time()
    request.session[LOGGED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def idle_limit_minutes(user) -> int:
    if user.is_care_team:
        return settings.STAFF_IDLE_TIMEOUT_MINUTES
    return settings.PATIENT_IDLE_TIMEOUT_MINUTES


def expiry_reason(session, user, *, now: float) -> str | None:
    """Why this session must end now ("idle" or "max_age"), or None while it may go on."""
    logged_in_at = session.get(LOGGED_IN_AT)
    last_seen_at = session.get(LAST_SEEN_AT)
    if logged_in_at is None or last_seen_at is None:
        return "max_age"  # a session from before these limits existed: start afresh
    if now - logged_in_at >= settings.SESSION_MAX_AGE_HOURS * 3600:
        return "max_age"
    if now - last_seen_at >= idle_limit_minutes(user) * 60:
        return "idle"
    return None


def logged_out_message(session) -> str | None:
    """The sentence for the log-in page, once, if the last session was ended for the user."""
    reason = session.pop(LOGGED_OUT_BECAUSE, None)
    if reason not in REASONS:
        return None
    minutes = session.pop(IDLE_LIMIT_MINUTES, settings.STAFF_IDLE_TIMEOUT_MINUTES)
    return REASONS[reason] % {"minutes": minutes, "hours": settings.SESSION_MAX_AGE_HOURS}


def session_timeout(get_response):
    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = time.time()
            reason = expiry_reason(request.session, user, now=now)
            if reason:
                minutes = idle_limit_minutes(user)
                logout(request)
                request.session[LOGGED_OUT_BECAUSE] = reason
                request.session[IDLE_LIMIT_MINUTES] = minutes
            elif now - request.session[LAST_SEEN_AT] >= LAST_SEEN_GRANULARITY_SECONDS:
                request.session[LAST_SEEN_AT] = now
        response = get_response(request)
        if getattr(request, "htmx", False) and _is_login_redirect(response):
            return _htmx_redirect_to_login(request)
        return response

    return middleware


def _is_login_redirect(response: HttpResponse) -> bool:
    return response.status_code == 302 and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))


def _htmx_redirect_to_login(request) -> HttpResponse:
    """The whole page goes to the log-in page, and back to the page the user was on afterwards."""
    next_path = request.htmx.current_url_abs_path or resolve_url(settings.LOGIN_REDIRECT_URL)
    response = HttpResponse(status=204)
    response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': next_path})}"
    return response
