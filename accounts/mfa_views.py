"""Pages of the two-step log-in: its status, setting it up, the second step at log-in, removing it."""

import io
from base64 import b64encode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device

from . import mfa


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6 digits your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].replace(" ", "")


def _user_who_may_use_mfa(request: HttpRequest):
    if not mfa.may_use_mfa(request.user):
        raise PermissionDenied
    return request.user


@login_required
def mfa_status(request: HttpRequest) -> HttpResponse:
    user = _user_who_may_use_mfa(request)
    context = {
        "enrolled": user_has_device(user),
        "required": mfa.mfa_required(user),
        "form": CodeForm(),
        "next": _safe_next(request),
    }
    return render(request, "accounts/mfa_status.html", context)


@require_POST
@login_required
def mfa_setup_start(request: HttpRequest) -> HttpResponse:
    mfa.mfa_setup_start(user=_user_who_may_use_mfa(request))
    return redirect(_with_next("accounts:mfa-setup", request))


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """The secret as a QR code and as text, and the form for the first code from the app."""
    device = mfa.unconfirmed_device(_user_who_may_use_mfa(request))
    if device is None:
        return redirect("accounts:mfa")
    return _render_setup(request, device, CodeForm())


def _render_setup(request, device, form, *, status: int = 200) -> HttpResponse:
    qr = io.BytesIO()
    segno.make(device.config_url, error="m").save(qr, kind="svg", scale=5, border=2)
    key = device.config_url.split("secret=")[1].split("&")[0]
    context = {
        "form": form,
        "qr_data_uri": "data:image/svg+xml;base64," + b64encode(qr.getvalue()).decode(),
        "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "next": _safe_next(request),
    }
    return render(request, "accounts/mfa_setup.html", context, status=status)


@require_POST
@login_required
def mfa_confirm(request: HttpRequest) -> HttpResponse:
    device = mfa.unconfirmed_device(_user_who_may_use_mfa(request))
    if device is None:
        return redirect("accounts:mfa")
    form = CodeForm(request.POST)
    codes = form.is_valid() and mfa.mfa_setup_confirm(request=request, device=device, token=form.cleaned_data["code"])
    if not codes:
        form.add_error("code", "That code is not right. Check the time on your phone and type the newest code.")
        return _render_setup(request, device, form, status=400)
    otp_login(request, device)
    request.session.pop(mfa.SESSION_MFA_PENDING, None)
    return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes, "next": _safe_next(request)})


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step at log-in."""
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        device = form.is_valid() and mfa.mfa_verify(request=request, token=form.cleaned_data["code"])
        if device:
            otp_login(request, device)
            request.session.pop(mfa.SESSION_MFA_PENDING, None)
            return redirect(_safe_next(request))
        form.add_error("code", "That code is not right, or it was already used. Wait for a new code and try again.")
        return render(request, "accounts/mfa_verify.html", {"form": form, "next": _safe_next(request)}, status=400)
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _safe_next(request)})


@require_POST
@login_required
def mfa_remove(request: HttpRequest) -> HttpResponse:
    """Removing the second step takes a current code, so a session left open cannot remove it."""
    user = _user_who_may_use_mfa(request)
    form = CodeForm(request.POST)
    if not (form.is_valid() and mfa.mfa_verify(request=request, token=form.cleaned_data["code"])):
        messages.error(request, "Nothing was removed: that code is not right.")
        return redirect("accounts:mfa")
    mfa.mfa_remove(request=request, user=user)
    messages.success(request, "Two-step log-in is off for your login.")
    return redirect("accounts:mfa")


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _safe_next(request)})}"
