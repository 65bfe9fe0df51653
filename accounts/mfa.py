"""Two-step log-in (django-otp): an authenticator app (TOTP) plus single-use recovery codes.

Required for the admin role and for anyone who can open the Django admin while REQUIRE_ADMIN_MFA
is on; any nurse may turn it on for their own login, and then it is asked at every log-in. Setting
it up and removing it are SecurityEvent rows (who, for whom, when, from where).
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kypho_tracker.client_address import client_ip

from .models import Role, SecurityEvent, User

RECOVERY_CODES = 10
# Set at log-in for a login with a second step, cleared once the code is given.
SESSION_MFA_PENDING = "mfa_pending"
# Pages a user between the password and the second step may still open.
OPEN_BEFORE_SECOND_STEP = {
    "login",
    "logout",
    "set_language",
    "healthz",
    "readyz",
    "accounts:mfa",
    "accounts:mfa-setup-start",
    "accounts:mfa-setup",
    "accounts:mfa-confirm",
    "accounts:mfa-verify",
}


def mfa_required(user: User) -> bool:
    """Admins, and whoever can open the Django admin, must use a second step when the setting says so."""
    return settings.REQUIRE_ADMIN_MFA and (user.role == Role.ADMIN or user.is_staff or user.is_superuser)


def may_use_mfa(user: User) -> bool:
    return user.is_care_team or user.is_staff


@receiver(user_logged_in, dispatch_uid="accounts.mfa.ask_for_second_step")
def ask_for_second_step(sender, request, user, **kwargs) -> None:
    if may_use_mfa(user) and user_has_device(user):
        request.session[SESSION_MFA_PENDING] = True


class SecondStepMiddleware:
    """Until the second step is done, every page but OPEN_BEFORE_SECOND_STEP leads to it (or to setting it up)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.resolver_match.view_name in OPEN_BEFORE_SECOND_STEP:
            return None
        if user.is_verified() or not (request.session.get(SESSION_MFA_PENDING) or mfa_required(user)):
            return None
        target = "accounts:mfa-verify" if user_has_device(user) else "accounts:mfa"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def unconfirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def mfa_setup_start(*, user: User) -> TOTPDevice:
    """A new secret for the user's authenticator app, not in use until a code from it confirms it."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def mfa_setup_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the app with a code from it; return fresh recovery codes, or None if the code is wrong."""
    if not device.verify_token(token):
        return None
    user = device.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        StaticDevice.objects.filter(user=user).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        recovery = StaticDevice.objects.create(user=user, name="Recovery codes")
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
        _record(request, SecurityEvent.Kind.MFA_ENROLLED, user=user)
    return codes


def mfa_verify(*, request: HttpRequest, token: str):
    """The user's second step: a code from the app or an unused recovery code. Returns the device, or None."""
    user = request.user
    with transaction.atomic():  # devices locked: a code, or its throttling, counts once
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                if isinstance(device, StaticDevice):
                    _record(request, SecurityEvent.Kind.RECOVERY_CODE_USED, user=user)
                return device
    return None


def mfa_remove(*, request: HttpRequest, user: User) -> None:
    """Remove the user's second step (their own choice, or an admin's for a lost phone)."""
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        _record(request, SecurityEvent.Kind.MFA_REMOVED, user=user)


def _record(request: HttpRequest, kind: str, *, user: User) -> SecurityEvent:
    return SecurityEvent.objects.create(user=user, by=request.user, kind=kind, ip_address=client_ip(request))
