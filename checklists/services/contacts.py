"""The call log: every attempt to reach a patient about a procedure, answered or not, kept as made."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import ContactAttempt, Episode
from .episodes import lock_episode


def contact_attempt_record(
    *, episode: Episode, by, outcome: str, note: str = "", made_at: dt.datetime | None = None
) -> ContactAttempt:
    """Log a call to the patient (reached, no answer, left a message, wrong number, asked to call back),
    now or at the earlier moment `made_at` it was made."""
    if outcome not in ContactAttempt.Outcome.values:
        raise ValidationError("Choose what happened on the call.")
    if made_at is not None and made_at > timezone.now():
        raise ValidationError("A call cannot be logged in the future.")
    with transaction.atomic():
        if lock_episode(episode.pk).status == Episode.Status.CANCELLED:
            raise ValidationError("The procedure is cancelled; calls about it are no longer logged here.")
        return ContactAttempt.objects.create(
            episode=episode, outcome=outcome, note=note.strip(), made_by=by, made_at=made_at or timezone.now()
        )
