"""Sending one outbox row: claim it, render it, hand it to the channel, record the outcome.

The same code runs in a Celery worker (`tasks.py`) and in the tests. At least once, never twice:
a worker claims a row with one conditional UPDATE (scheduled → sending); a second worker, or a
retry that arrives late, finds it claimed and does nothing. Only a worker that died between the
claim and the outcome leaves a row to be sent again (after Message.CLAIM_TIMEOUT_SECONDS).
"""

import datetime as dt
import logging
import smtplib
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from phonenumber_field.phonenumber import to_python

from checkins.models import Checkin

from .models import Channel, Message, preference_for
from .rendering import Rendered, render_message
from .services import phone_is_usable
from .sms import PermanentSendError, TransientSendError, get_sms_backend

logger = logging.getLogger(__name__)

# Retry after 1, 2, 4, 8 … minutes (at most an hour) while the provider has trouble.
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 60 * 60


class Outcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # claimed by someone else, or not due
    CANCELLED = "cancelled"
    RETRY = "retry"
    FAILED = "failed"


def retry_delay(attempts: int) -> int:
    return min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)


def message_claim(message_id: int, *, now: dt.datetime) -> bool:
    """Take the row for this worker: one conditional UPDATE, so two workers never both win."""
    return bool(
        Message.objects.to_send(now=now)
        .filter(pk=message_id)
        .update(status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def message_send(message_id: int, *, now: dt.datetime | None = None) -> Outcome:
    """Send one due row if this worker can claim it; the row says what happened."""
    now = now or timezone.now()
    if not message_claim(message_id, now=now):
        return Outcome.SKIPPED
    message = Message.objects.select_related("patient", "episode__protocol_version", "task", "checkin__point").get(
        pk=message_id
    )
    if message.expires_at is not None and message.expires_at <= now:
        return _settle(message, Message.Status.CANCELLED, reason="Too late to be useful: its time had passed")
    if message.checkin is not None and message.checkin.status != Checkin.Status.SCHEDULED:
        reason = f"The check-in is {message.checkin.get_status_display().lower()}: nothing to answer"
        return _settle(message, Message.Status.CANCELLED, reason=reason)
    recipient, why_not = _recipient(message)
    if not recipient:
        return _settle(message, Message.Status.CANCELLED, reason=why_not)
    rendered = render_message(message, now=now)
    logged = rendered.for_the_log()
    message.recipient = recipient
    message.language = message.language_to_send
    message.subject = logged.subject
    message.body = logged.body
    try:
        provider_id = _deliver(message, rendered)
    except TransientSendError as error:
        if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            return _settle(message, Message.Status.FAILED, error=f"Gave up after {message.attempts} attempts: {error}")
        message.retry_at = now + dt.timedelta(seconds=retry_delay(message.attempts))
        return _settle(message, Message.Status.SCHEDULED, error=str(error), outcome=Outcome.RETRY)
    except PermanentSendError as error:
        return _settle(message, Message.Status.FAILED, error=str(error))
    message.provider_id = provider_id or ""
    message.sent_at = timezone.now()
    return _settle(message, Message.Status.SENT, outcome=Outcome.SENT)


def due_message_ids(*, now: dt.datetime | None = None, limit: int = 500) -> list[tuple[int, str]]:
    """(id, channel) of the rows to send now, and of the ones a dead worker left claimed."""
    now = now or timezone.now()
    return list(Message.objects.to_send(now=now).order_by("scheduled_for", "pk").values_list("pk", "channel")[:limit])


def _recipient(message: Message) -> tuple[str, str]:
    if message.to_ward:
        return ward_escalation_contact(message.channel)
    patient = message.patient
    if message.channel not in preference_for(patient).channels():
        return "", "The patient turned this channel off or replied STOP"
    if message.channel == Channel.EMAIL:
        return patient.email, "No email address on file"
    if not phone_is_usable(patient.phone):
        return "", "No valid mobile number on file"
    return patient.phone.as_e164, ""


def ward_escalation_contact(channel: str) -> tuple[str, str]:
    """(recipient, why not) of the ward's escalation contact on a channel, from the settings."""
    if channel == Channel.EMAIL:
        return settings.WARD_ESCALATION_EMAIL, "No WARD_ESCALATION_EMAIL configured"
    phone = to_python(settings.WARD_ESCALATION_PHONE)
    if not phone_is_usable(phone):
        return "", "No valid WARD_ESCALATION_PHONE configured"
    return phone.as_e164, ""


def _deliver(message: Message, rendered: Rendered) -> str:
    """Hand the text as rendered (with any password-free link the log leaves out) to the channel."""
    if message.channel == Channel.EMAIL:
        try:
            EmailMessage(rendered.subject, rendered.body, settings.DEFAULT_FROM_EMAIL, [message.recipient]).send()
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentSendError(f"The mail server refused the address: {error}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise TransientSendError(f"Mail server trouble: {error}") from error
        return ""
    callback = settings.SITE_URL + reverse("notifications:twilio-status")
    return get_sms_backend().send(to=message.recipient, body=rendered.body, status_callback=callback)


def _settle(message: Message, status: str, *, reason: str = "", error: str = "", outcome: Outcome | None = None):
    message.status = status
    message.status_reason = reason[:300]
    message.last_error = error[:500]
    message.save()
    if status == Message.Status.FAILED:
        logger.warning("Message %s to patient %s failed: %s", message.pk, message.patient_id, error)
    return outcome or Outcome(status)
