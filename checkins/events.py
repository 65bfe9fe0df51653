"""What the check-ins announce to the apps above them, through the clinical receiver registry.

`checkins` must not import `notifications` (the outbox builds on the check-ins, not the reverse):
the sweep announces an escalation, and scheduling announces the check-ins it planned, with
`checklists.events.announce`; the notifications app registers receivers for them
(`notifications.receivers`), run inside the same transaction, so the message to the ward's escalation
contact, or the one that tells the patient a check-in is open, commits with the change or not at all.
"""

from dataclasses import dataclass

from checklists.models import Episode

from .models import Alert


@dataclass(frozen=True)
class AlertEscalated:
    """An alert was not acknowledged in time: it is stamped escalated, the ward's escalation contact is told."""

    alert: Alert


@dataclass(frozen=True)
class CheckinsPlanned:
    """An episode's check-ins were scheduled or moved (`reason` says why): the messages that open them follow."""

    episode: Episode
    reason: str
