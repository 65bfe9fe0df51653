"""The demo's messages: the seed books ~35 procedures in one go, which would send ~35 confirmations (by
email and SMS), and a "check-in open" message for every demo check-in open at seeding, the moment
`make run` starts a worker. Only the demo patient's (Maria's, login `patient`) go out; the others are
cancelled with a reason that says so, and stay in the log. Everything else planned (week-before and
night-before summaries, reminders, after care, check-ins opening later) is left as the plan has it:
the night-before summaries of tomorrow's patients are what the demo is for."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from .models import Kind, Message
from .services import messages_cancel

DEMO_PATIENT_LOGIN = "patient"
NOT_SENT_REASON = "Demo data: written by seed_demo and due at once, not sent (only the demo patient's are)"


def cancel_seeded_messages_due_at_once(*, since: dt.datetime) -> int:
    """Cancel the messages due at seeding written since `since` (the seed's start), but the demo patient's;
    how many. A check-in opening later keeps its message (the demo shows it planned)."""
    # A confirmation per booking, a message per check-in already open.
    due_at_once = Q(kind=Kind.CONFIRMATION) | Q(kind=Kind.CHECKIN_OPEN, checkin__opens_at__lte=timezone.now())
    seeded = Message.objects.filter(due_at_once, created_at__gte=since).exclude(
        patient__user__username=DEMO_PATIENT_LOGIN
    )
    # By id: the rows are locked without the (outer) join to the login, which PostgreSQL cannot lock.
    return messages_cancel(
        Message.objects.filter(pk__in=list(seeded.values_list("pk", flat=True))), reason=NOT_SENT_REASON
    )
