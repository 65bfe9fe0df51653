"""The portal's one write, a service like the clinical ones: inviting a patient to the portal, with a login
for their email and a one-time link to set a password.

The link is Django's password-reset token: it expires after settings.PASSWORD_RESET_TIMEOUT and
stops working once used, because it is signed over the password hash and the last login. A new
invitation to a login that has no password yet also ends the earlier links: the unusable password
is drawn afresh, so the hash they were signed over is gone.
"""

import datetime as dt
import smtplib

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Role, User
from checklists.events import PatientInvited, announce
from checklists.models import Patient
from checklists.services.audit import save_with_history

from .timeline import format_moment


class InvitationError(ValidationError):
    """The patient cannot be invited as things are; the message says what to fix."""


def patient_invite(*, patient: Patient, by, site_url: str) -> User:
    """Create (or reuse) the patient's login, named after their email, and email them a set-password link."""
    email = patient.email.strip().lower()
    if not email:
        raise InvitationError(f"{patient.full_name} has no email address on file, so no invitation can be sent.")
    longest = User._meta.get_field("username").max_length
    if len(email) > longest:
        raise InvitationError(
            f"The email address {email} is longer than a login name can be ({longest} characters): "
            "record a shorter address for the patient."
        )
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        user = patient.user
        # Login names are unique whatever their case (accounts.User's constraint).
        others = User.objects.filter(username__iexact=email)
        if user is not None:
            others = others.exclude(pk=user.pk)
        if others.exists():
            raise InvitationError(f"The email address {email} already belongs to another login.")
        if user is None:
            user = User(role=Role.PATIENT, first_name=patient.first_name, last_name=patient.last_name)
        if user.pk is None or not user.has_usable_password():
            # No password until the patient sets one through the link; a fresh one ends older links.
            user.set_unusable_password()
        user.username = user.email = email
        user.save()
        patient.user = user
        save_with_history(patient, by=by, reason=f"Portal invitation sent to {email}")
        subject, body = invitation_email(patient, user, site_url=site_url, link=LINK_NOT_KEPT)
        announce(PatientInvited(patient, email_to=user.email, email_subject=subject, email_body=body))
        # Sent before the commit: the login, the history and the delivery log's row stand only if it left.
        subject, body = invitation_email(patient, user, site_url=site_url)
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        except (smtplib.SMTPException, OSError) as error:
            raise InvitationError(
                f"The invitation email could not be sent ({error}). Nothing was changed: try again in a few minutes."
            ) from error
    return user


def invitation_link(user: User, *, site_url: str) -> str:
    """The one-time set-password link of an invitation (Django's password-reset token)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    return site_url.rstrip("/") + path


# What the delivery log keeps instead of the one-time link (whoever reads the log must not be able to use it).
LINK_NOT_KEPT = "[one-time link, not kept in the log]"


def invitation_email(patient: Patient, user: User, *, site_url: str, link: str | None = None) -> tuple[str, str]:
    """(subject, body) of the invitation, in the patient's language, with the one-time link unless given another."""
    expires_at = timezone.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    with translation.override(patient.preferred_language):
        context = {
            "patient": patient,
            "username": user.username,
            "link": link or invitation_link(user, site_url=site_url),
            "expires": format_moment(expires_at),
            "ward_phone": settings.WARD_PHONE,
            "login_url": site_url.rstrip("/") + reverse("login"),
        }
        subject = render_to_string("portal/email/invitation_subject.txt", context).strip()
        body = render_to_string("portal/email/invitation_body.txt", context)
    return subject, body
