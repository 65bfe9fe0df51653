"""What the check-ins announce to the apps above them, through the clinical receiver registry.

`checkins` must not import `notifications` (the outbox builds on the check-ins, not the reverse):
the sweep announces an escalation with `checklists.events.announce`, and the notifications app
registers a receiver for it (`notifications.receivers`), run inside the sweep's transaction, so the
message to the ward's escalation contact commits with the escalation's stamp or not at all.
"""

from dataclasses import dataclass

from .models import Alert


@dataclass(frozen=True)
class AlertEscalated:
    """An alert was not acknowledged in time: it is stamped escalated, the ward's escalation contact is told."""

    alert: Alert
