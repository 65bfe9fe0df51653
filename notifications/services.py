"""Writes to the outbox: planned messages kept in step with the episode, change alerts, opt-out/in.

Called by the receivers of clinical events, inside the clinical change's transaction: the rows
commit or roll back with it, so nothing is lost if a process dies, and a broker that is down never
stops a clinical write (the rows wait for a worker).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from checkins.selectors import checkins_to_announce
from checklists.hospital_time import local_time, morning_after_quiet
from checklists.models import Episode, Patient

from .models import PLANNED_KINDS, Channel, ContactPreference, Kind, Message, preference_for
from .planning import episode_plan

# Alerts that wait out the quiet hours (the others go at once: they change what to do tonight).
QUIET_ALERTS = (Kind.CONFIRMATION, Kind.INVITATION)


def reachable_channels(patient: Patient, preference: ContactPreference | None = None) -> list[str]:
    """The channels the patient accepts and has a usable contact for."""
    preference = preference or preference_for(patient)
    usable = {Channel.EMAIL: bool(patient.email), Channel.SMS: phone_is_usable(patient.phone)}
    return [channel for channel in preference.channels() if usable[channel]]


def phone_is_usable(phone) -> bool:
    return isinstance(phone, PhoneNumber) and phone.is_valid()


def messages_replan(
    *, episode: Episode, reason: str, replaced_status: str = Message.Status.SUPERSEDED, now: dt.datetime | None = None
) -> list[Message]:
    """Bring the episode's planned messages in line with its start and tasks as they are now.

    Rows still in the plan stay (same idempotency key); scheduled rows no longer in it become
    `replaced_status` with the reason (superseded by a reschedule, cancelled when a task is done);
    what is new in the plan is scheduled. Returns the new rows.
    """
    now = now or timezone.now()
    preference = preference_for(episode.patient)
    channels = reachable_channels(episode.patient, preference)
    quiet = preference.quiet_hours()
    plan = episode_plan(episode, list(episode.tasks.all()), quiet=quiet, checkins=checkins_to_announce(episode))
    wanted = {}
    for item in plan:
        if item.expires_at is not None and item.expires_at <= now:
            continue
        for channel in channels:
            key = Message.key_for(
                patient_id=episode.patient_id,
                episode_id=episode.pk,
                kind=item.kind,
                task_id=item.task.pk if item.task else None,
                at=item.nominal,
                channel=channel,
                checkin_id=item.checkin.pk if item.checkin else None,
            )
            wanted[key] = (item, channel)
    live = {
        message.idempotency_key: message
        for message in episode.messages.select_for_update().filter(
            kind__in=PLANNED_KINDS, status__in=Message.LIVE_STATUSES
        )
    }
    new_rows, retimed = [], []
    for key, (item, channel) in wanted.items():
        if key in live:
            row = live[key]
            if row.status != Message.Status.SCHEDULED:
                continue
            # The same message: other quiet hours may move it, and the rule of when it is too late may have changed.
            send_at = item.send_at if item.send_at > now else row.scheduled_for
            if (row.scheduled_for, row.expires_at) != (send_at, item.expires_at):
                row.scheduled_for, row.expires_at = send_at, item.expires_at
                retimed.append(row)
            continue
        send_at = item.send_at
        if send_at < now:
            if not item.late_ok:
                continue
            send_at = morning_after_quiet(now, quiet) if item.late_waits_quiet else now
        new_rows.append(
            Message(
                patient_id=episode.patient_id,
                episode=episode,
                task=item.task,
                checkin=item.checkin,
                kind=item.kind,
                channel=channel,
                idempotency_key=key,
                scheduled_for=send_at,
                expires_at=item.expires_at,
            )
        )
    # Rows leave the plan before the new ones arrive: a reschedule back to an earlier time reuses its keys.
    leaving = [row for key, row in live.items() if key not in wanted and row.status == Message.Status.SCHEDULED]
    for row in leaving:
        row.status = replaced_status
        row.status_reason = reason[:300]
    Message.objects.bulk_update(leaving, ["status", "status_reason"])
    Message.objects.bulk_update(retimed, ["scheduled_for", "expires_at"])
    # A concurrent re-plan of the same episode may have written the same keys: theirs stand.
    Message.objects.bulk_create(new_rows, ignore_conflicts=True)
    created = list(
        Message.objects.filter(
            idempotency_key__in=[row.idempotency_key for row in new_rows], status=Message.Status.SCHEDULED
        )
    )
    successors = {(row.kind, row.task_id, row.checkin_id, row.channel): row for row in created}
    for row in leaving:
        successor = successors.get((row.kind, row.task_id, row.checkin_id, row.channel))
        if successor is not None and replaced_status == Message.Status.SUPERSEDED:
            row.superseded_by = successor
            row.save(update_fields=["superseded_by"])
    return created


def message_alert(
    *,
    patient: Patient,
    kind: str,
    episode: Episode | None = None,
    previous_start: dt.datetime | None = None,
    channels: list[str] | None = None,
    now: dt.datetime | None = None,
) -> list[Message]:
    """A message for a change, on every reachable channel, at once (confirmations wait out quiet hours)."""
    now = now or timezone.now()
    preference = preference_for(patient)
    send_at = morning_after_quiet(now, preference.quiet_hours()) if kind in QUIET_ALERTS else now
    rows = [
        Message(
            patient=patient,
            episode=episode,
            kind=kind,
            channel=channel,
            idempotency_key=Message.key_for(
                patient_id=patient.pk,
                episode_id=episode.pk if episode else None,
                kind=kind,
                task_id=None,
                at=now,
                channel=channel,
            ),
            scheduled_for=send_at,
            previous_start=previous_start,
        )
        for channel in reachable_channels(patient, preference)
        if channels is None or channel in channels
    ]
    return Message.objects.bulk_create(rows)


def ward_channels() -> list[str]:
    """The channels the ward's escalation contact is configured on (WARD_ESCALATION_EMAIL, _PHONE)."""
    configured = {Channel.EMAIL: settings.WARD_ESCALATION_EMAIL, Channel.SMS: settings.WARD_ESCALATION_PHONE}
    return [channel for channel, contact in configured.items() if contact]


def message_escalation(*, alert, now: dt.datetime | None = None) -> list[Message]:
    """Tell the ward's escalation contact, at once, that a check-in alert waits unacknowledged.

    One row per configured channel, keyed on the alert (its episode, kind and the time it was raised):
    the same escalation announced twice is queued once.
    """
    now = now or timezone.now()
    episode = alert.checkin.episode
    rows = [
        Message(
            patient_id=episode.patient_id,
            episode=episode,
            alert=alert,
            kind=Kind.ESCALATION,
            channel=channel,
            idempotency_key=Message.key_for(
                patient_id=episode.patient_id,
                episode_id=episode.pk,
                kind=Kind.ESCALATION,
                task_id=None,
                at=alert.raised_at,
                channel=channel,
            ),
            scheduled_for=now,
        )
        for channel in ward_channels()
    ]
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    return list(Message.objects.filter(alert=alert, kind=Kind.ESCALATION, status__in=Message.LIVE_STATUSES))


def message_record_sent(
    *,
    patient: Patient,
    kind: str,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    now: dt.datetime | None = None,
) -> Message:
    """A message another app sends itself (the portal's invitation email, with its one-time link), kept in the log."""
    now = now or timezone.now()
    return Message.objects.create(
        patient=patient,
        kind=kind,
        channel=channel,
        idempotency_key=Message.key_for(
            patient_id=patient.pk, episode_id=None, kind=kind, task_id=None, at=now, channel=channel
        ),
        scheduled_for=now,
        status=Message.Status.SENT,
        language=patient.preferred_language,
        recipient=recipient,
        subject=subject[:200],
        body=body,
        attempts=1,
        sent_at=now,
    )


def messages_on_reschedule(*, episode: Episode, previous_start: dt.datetime, now: dt.datetime | None = None) -> None:
    """Supersede the plan for the old time, plan the new one, and alert the patient at once (old and new start)."""
    now = now or timezone.now()
    moved = (f"{local_time(moment):%Y-%m-%d %H:%M}" for moment in (previous_start, episode.scheduled_start))
    reason = "Procedure moved from {} to {}".format(*moved)
    messages_replan(episode=episode, reason=reason, now=now)
    _alert_replacing_unsent(episode=episode, kind=Kind.RESCHEDULED, previous_start=previous_start, now=now)


def messages_on_arrival_change(*, episode: Episode, now: dt.datetime | None = None) -> None:
    """Re-plan (no step reminder while she is in the hospital, from her arrival) and, if the procedure is
    still ahead, tell the patient her new arrival time at once."""
    now = now or timezone.now()
    reason = f"Arrival moved to {local_time(episode.arrival_at):%Y-%m-%d %H:%M}"
    messages_replan(episode=episode, reason=reason, now=now)
    if episode.scheduled_start > now:
        _alert_replacing_unsent(episode=episode, kind=Kind.ARRIVAL_CHANGED, now=now)


def _alert_replacing_unsent(
    *, episode: Episode, kind: str, now: dt.datetime, previous_start: dt.datetime | None = None
) -> None:
    """A change alert at once; an earlier one of its kind not yet sent is replaced: the new one tells the
    whole change (a move from the first start)."""
    unsent = list(episode.messages.select_for_update().filter(kind=kind, status=Message.Status.SCHEDULED))
    first_start = unsent[0].previous_start if unsent else previous_start
    for alert in unsent:
        alert.status = Message.Status.SUPERSEDED
        alert.status_reason = "Replaced by a later change alert"
    Message.objects.bulk_update(unsent, ["status", "status_reason"])
    alerts = message_alert(patient=episode.patient, kind=kind, episode=episode, previous_start=first_start, now=now)
    for alert in unsent:
        alert.superseded_by = next((new for new in alerts if new.channel == alert.channel), None)
    Message.objects.bulk_update(unsent, ["superseded_by"])


def messages_on_cancel(*, episode: Episode, now: dt.datetime | None = None) -> None:
    """Cancel everything still to send for the episode and, if it was still ahead, tell the patient at once."""
    now = now or timezone.now()
    messages_cancel(episode.messages.all(), reason="Procedure cancelled")
    if episode.scheduled_start > now:
        message_alert(patient=episode.patient, kind=Kind.CANCELLED, episode=episode, now=now)


def messages_cancel(messages, *, reason: str) -> int:
    rows = list(messages.select_for_update().filter(status=Message.Status.SCHEDULED))
    for row in rows:
        row.status = Message.Status.CANCELLED
        row.status_reason = reason[:300]
    return Message.objects.bulk_update(rows, ["status", "status_reason"])


def contact_sms_opt_out(*, phone: str, at: dt.datetime | None = None) -> int:
    """An inbound STOP: no more SMS to the patients with this number; their scheduled SMS are cancelled."""
    return _record_sms_consent(phone=phone, at=at or timezone.now(), opted_out=True)


def contact_sms_opt_in(*, phone: str, at: dt.datetime | None = None) -> int:
    """An inbound START: SMS again, and the upcoming reminders are planned again."""
    return _record_sms_consent(phone=phone, at=at or timezone.now(), opted_out=False)


def _record_sms_consent(*, phone: str, at: dt.datetime, opted_out: bool) -> int:
    patients = list(Patient.objects.filter(phone=phone))
    with transaction.atomic():
        for patient in patients:
            preference, _ = ContactPreference.objects.select_for_update().get_or_create(patient=patient)
            preference.sms_opted_out_at = at if opted_out else None
            preference.updated_at = at
            preference.save()
            if opted_out:
                sms = Message.objects.filter(patient=patient, channel=Channel.SMS)
                messages_cancel(sms, reason="The patient replied STOP")
                continue
            messages_replan_for_patient(
                patient=patient, reason="The patient replied START", replaced_status=Message.Status.SUPERSEDED, now=at
            )
    return len(patients)


# Twilio's message statuses that settle a row (the others — queued, sending, accepted — change nothing).
PROVIDER_STATUSES = {
    "sent": Message.Status.SENT,
    "delivered": Message.Status.DELIVERED,
    "read": Message.Status.DELIVERED,
    "undelivered": Message.Status.FAILED,
    "failed": Message.Status.FAILED,
}
# A later callback never undoes a later state (they can arrive out of order).
_STATUS_RANK = {Message.Status.SENT: 1, Message.Status.DELIVERED: 2, Message.Status.FAILED: 2}


def message_record_provider_status(*, provider_id: str, status: str, error_code: str = "") -> Message | None:
    """A delivery report from the provider: delivered, or failed with its error code."""
    new_status = PROVIDER_STATUSES.get(status)
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(provider_id=provider_id).first() if provider_id else None
        if message is None or new_status is None:
            return message
        if _STATUS_RANK[new_status] <= _STATUS_RANK.get(message.status, 0):
            return message
        message.status = new_status
        if new_status == Message.Status.DELIVERED:
            message.delivered_at = timezone.now()
        if new_status == Message.Status.FAILED:
            message.last_error = f"The carrier could not deliver it ({status}, error {error_code or 'unknown'})"
        message.save(update_fields=["status", "delivered_at", "last_error"])
    return message


def contact_preference_update(
    *,
    patient: Patient,
    by,
    email_enabled: bool,
    sms_enabled: bool,
    quiet_start: dt.time | None,
    quiet_end: dt.time | None,
) -> ContactPreference:
    """A nurse records how the patient wants to be reached; the scheduled messages follow at once."""
    if (quiet_start is None) != (quiet_end is None):
        raise ValidationError("Give both ends of the quiet hours, or neither.")
    with transaction.atomic():
        preference, _ = ContactPreference.objects.select_for_update().get_or_create(patient=patient)
        preference.email_enabled = email_enabled
        preference.sms_enabled = sms_enabled
        preference.quiet_start, preference.quiet_end = quiet_start, quiet_end
        preference.updated_at = timezone.now()
        preference._history_user = by
        preference.save()
        messages_replan_for_patient(patient=patient, reason="Contact preferences changed")
    return preference


def messages_replan_for_patient(
    *, patient: Patient, reason: str, replaced_status: str = Message.Status.CANCELLED, now: dt.datetime | None = None
) -> None:
    """Her contact details or preferences changed: every episode still ahead or in after care is planned again
    (a channel she can no longer be reached on: its rows `replaced_status`; a new one: its rows scheduled)."""
    for episode in patient.episodes.filter(status__in=[Episode.Status.SCHEDULED, Episode.Status.COMPLETED]):
        messages_replan(episode=episode, reason=reason, replaced_status=replaced_status, now=now)
