"""The outbox follows the clinical changes (registered in NotificationsConfig.ready), in their transaction."""

from django.utils import timezone

from checkins.events import AlertEscalated, CheckinsPlanned
from checklists.events import (
    EpisodeCancelled,
    EpisodeCompleted,
    EpisodeDetailsChanged,
    EpisodeRescheduled,
    EpisodeScheduled,
    PatientDetailsChanged,
    PatientInvited,
    TaskChanged,
    receiver,
)
from checklists.models import Responsible

from .models import Channel, Kind
from .services import (
    message_alert,
    message_escalation,
    message_record_sent,
    messages_on_arrival_change,
    messages_on_cancel,
    messages_on_reschedule,
    messages_replan,
    messages_replan_for_patient,
)

# The patient's fields that decide on which channels she can be reached (her language is read at sending).
CONTACT_FIELDS = {"email", "phone"}


@receiver(EpisodeScheduled)
def plan_messages_of_new_episode(event: EpisodeScheduled) -> None:
    episode = event.episode
    messages_replan(episode=episode, reason="Scheduled")
    if episode.scheduled_start > timezone.now():
        message_alert(patient=episode.patient, kind=Kind.CONFIRMATION, episode=episode)


@receiver(EpisodeRescheduled)
def replan_messages_of_moved_episode(event: EpisodeRescheduled) -> None:
    messages_on_reschedule(episode=event.episode, previous_start=event.previous_start)


@receiver(EpisodeDetailsChanged)
def tell_the_patient_her_new_arrival_time(event: EpisodeDetailsChanged) -> None:
    """Only the arrival time is the patient's business (levels, clinician or nurse corrected: no message)."""
    if "arrival_minutes_before" in event.previous:
        messages_on_arrival_change(episode=event.episode)


@receiver(EpisodeCompleted)
def replan_after_care_reminders_from_the_recorded_end(event: EpisodeCompleted) -> None:
    """The after-care steps were re-based on the procedure's real end: their reminders follow."""
    messages_replan(episode=event.episode, reason="After care re-based on the procedure's recorded end")


@receiver(EpisodeCancelled)
def cancel_messages_of_cancelled_episode(event: EpisodeCancelled) -> None:
    messages_on_cancel(episode=event.episode)


@receiver(TaskChanged)
def replan_reminder_of_changed_task(event: TaskChanged) -> None:
    """A patient's step done (or reported done) needs no reminder; reopened, it needs one again."""
    task = event.task
    if task.responsible == Responsible.PATIENT:
        messages_replan(episode=task.episode, reason=f"Step changed: {task.title}", replaced_status="cancelled")


@receiver(PatientInvited)
def log_invitation_and_announce_it_by_sms(event: PatientInvited) -> None:
    """The invitation itself is an email the portal sends (it carries the one-time link): it goes in the
    delivery log as sent, its link left out; a text says to look for it."""
    if event.email_to:
        message_record_sent(
            patient=event.patient,
            kind=Kind.INVITATION,
            channel=Channel.EMAIL,
            recipient=event.email_to,
            subject=event.email_subject,
            body=event.email_body,
        )
    message_alert(patient=event.patient, kind=Kind.INVITATION, channels=[Channel.SMS])


@receiver(PatientDetailsChanged)
def replan_messages_of_patient_with_new_contact(event: PatientDetailsChanged) -> None:
    """A new email or phone: her scheduled messages go to the channels she can now be reached on."""
    if CONTACT_FIELDS & set(event.previous):
        messages_replan_for_patient(patient=event.patient, reason="Contact details changed")


@receiver(AlertEscalated)
def tell_the_ward_of_an_escalated_alert(event: AlertEscalated) -> None:
    """A check-in alert not acknowledged in time: a message to the ward's escalation contact, at once."""
    message_escalation(alert=event.alert)


@receiver(CheckinsPlanned)
def plan_messages_that_open_the_checkins(event: CheckinsPlanned) -> None:
    """Check-ins scheduled (baseline, after the recorded end) or moved: each gets its message when it opens;
    a moved one's earlier message is superseded."""
    messages_replan(episode=event.episode, reason=event.reason)
