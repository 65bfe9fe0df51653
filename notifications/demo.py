"""The demo's messages: the seed books ~35 procedures in one go, which would send ~35 confirmations (by
email and SMS) the moment `make run` starts a worker. Only the demo patient's (Maria's, login `patient`)
goes out; the others are cancelled with a reason that says so, and stay in the log. Everything else
planned (week-before and night-before summaries, reminders, after care) is left as the plan has it:
the night-before summaries of tomorrow's patients are what the demo is for."""

import datetime as dt

from .models import Kind, Message
from .services import messages_cancel

DEMO_PATIENT_LOGIN = "patient"
NOT_SENT_REASON = "Demo data: booked by seed_demo, its confirmation not sent (only the demo patient's is)"


def quiet_demo_confirmations(*, since: dt.datetime) -> int:
    """Cancel the confirmations written since `since` (the seed's start), but the demo patient's; how many."""
    seeded = Message.objects.filter(kind=Kind.CONFIRMATION, created_at__gte=since).exclude(
        patient__user__username=DEMO_PATIENT_LOGIN
    )
    # By id: the rows are locked without the (outer) join to the login, which PostgreSQL cannot lock.
    return messages_cancel(
        Message.objects.filter(pk__in=list(seeded.values_list("pk", flat=True))), reason=NOT_SENT_REASON
    )
