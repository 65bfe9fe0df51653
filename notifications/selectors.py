"""What nurses see of the messages: an episode's delivery log, and the worklist's contact problems."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from checklists.models import Episode

from .models import Channel, Message


def episode_message_log(episode: Episode) -> list[Message]:
    """Every message of the episode and the patient's own (her portal invitation), soonest first (one query)."""
    mine = Q(episode=episode) | Q(episode__isnull=True, patient_id=episode.patient_id)
    return list(Message.objects.filter(mine).select_related("task").order_by("scheduled_for", "pk"))


def contact_problems(*, now: dt.datetime | None = None, days_ahead: int = 14) -> list[dict]:
    """Patients with a procedure ahead whom messages cannot reach: no email and no phone, or a failed message;
    the soonest procedure first.

    A failure counts while the contact it went to is still the one on file (a corrected number
    clears it). One query for the unreachable patients, one for the failures.
    """
    now = now or timezone.now()
    unreachable = (
        Episode.objects.filter(status=Episode.Status.SCHEDULED, scheduled_start__gte=now)
        .filter(scheduled_start__lte=now + dt.timedelta(days=days_ahead), patient__email="", patient__phone="")
        .select_related("patient")
        .order_by("scheduled_start")
    )
    problems = [
        {"patient": episode.patient, "episode": episode, "problem": "Cannot be reached: no email and no phone on file"}
        for episode in unreachable
    ]
    failed = (
        Message.objects.failed()
        .filter(
            episode__status=Episode.Status.SCHEDULED,
            episode__scheduled_start__gte=now,
            episode__scheduled_start__lte=now + dt.timedelta(days=days_ahead),
        )
        .select_related("episode__patient")
        .order_by("episode__scheduled_start", "-sent_at", "-pk")
    )
    seen = set()
    for message in failed:
        patient = message.episode.patient
        current = (
            patient.email if message.channel == Channel.EMAIL else (patient.phone.as_e164 if patient.phone else "")
        )
        if message.recipient != current or (message.episode_id, message.channel) in seen:
            continue
        seen.add((message.episode_id, message.channel))
        problems.append(
            {
                "patient": patient,
                "episode": message.episode,
                "problem": f"{message.get_channel_display()} failed: {message.last_error}",
            }
        )
    problems.sort(key=lambda problem: problem["episode"].scheduled_start)  # stable: unreachable first on a tie
    return problems
