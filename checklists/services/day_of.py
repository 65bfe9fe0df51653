"""The day of the procedure: the time-out in the room, sign-off ("ready for procedure") and recording it done.

Each runs in one transaction, locks the episode's row first (`episodes.lock_scheduled_episode`; then its tasks,
if it touches them), records who and why in the history and announces the change before it commits.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..events import EpisodeCompleted, EpisodeSignedOff, announce
from ..hospital_time import day_start, local_time
from ..models import ChecklistTask, Episode, Phase, TimeOut
from ..sign_off import sign_off_problems
from ..vertebrae import normalise_levels
from .audit import save_with_history
from .episodes import lock_scheduled_episode


def episode_time_out_record(
    *,
    episode: Episode,
    by,
    identity_confirmed: bool,
    procedure_confirmed: bool,
    vertebral_levels: str,
    side: str,
    imaging_displayed: bool,
    consent_matches: bool,
    performed_at: dt.datetime | None = None,
) -> TimeOut:
    """The Universal Protocol time-out, recorded in the room: refused unless every check passed and the levels match."""
    checks = {
        "patient identity": identity_confirmed,
        "procedure": procedure_confirmed,
        "imaging displayed": imaging_displayed,
        "consent matches": consent_matches,
    }
    with transaction.atomic():
        episode = lock_scheduled_episode(episode, action="given a time-out")
        performed_at = performed_at or timezone.now()
        if not day_start(episode.scheduled_start) <= performed_at <= timezone.now():
            raise ValidationError("A time-out is recorded on the day of the procedure, when it happens.")
        failed = [check for check, passed in checks.items() if not passed]
        if failed:
            raise ValidationError(
                "Time-out not recorded: %(checks)s not confirmed. Stop: do not start until every check passes.",
                params={"checks": ", ".join(failed)},
            )
        levels = normalise_levels(vertebral_levels)
        if levels != episode.vertebral_levels:
            raise ValidationError(
                "Time-out not recorded: the levels verified (%(verified)s) are not the planned ones (%(planned)s). "
                "Stop and settle it with the clinician before starting.",
                params={"verified": levels, "planned": episode.vertebral_levels},
            )
        if side not in TimeOut.Side.values:
            raise ValidationError("Give the side: left, right, both sides or midline.")
        time_out = TimeOut(
            episode=episode,
            identity_confirmed=True,
            procedure_confirmed=True,
            vertebral_levels=levels,
            side=side,
            imaging_displayed=True,
            consent_matches=True,
            recorded_by=by,
            recorded_at=performed_at,
        )
        save_with_history(time_out, by=by, reason="Time-out in the room")
    return time_out


def episode_record_done(
    *, episode: Episode, by, ended_at: dt.datetime | None = None, levels_treated: str | None = None
) -> Episode:
    """Record that the procedure took place: after its time-out, with when it really ended and the levels treated.

    The after care runs from the real end: every open after-phase task's due time is re-based on it.
    Levels treated that differ from the planned ones are kept, flagged, and said in the history.
    """
    with transaction.atomic():
        episode = lock_scheduled_episode(episode, action="recorded as done")
        if not episode.can_be_recorded_done:
            raise ValidationError("A procedure can be recorded as done only once its start time has passed.")
        time_out = episode.time_outs.order_by("-recorded_at").first()
        if time_out is None:
            raise ValidationError("Record the time-out first: a procedure is recorded done only after its time-out.")
        ended_at = ended_at or timezone.now()
        # The nurse gives the end to the minute: an end in the minute of the time-out is after it.
        if not time_out.recorded_at.replace(second=0, microsecond=0) <= ended_at <= timezone.now():
            raise ValidationError("The procedure ends after its time-out and no later than now.")
        episode.status = Episode.Status.COMPLETED
        episode.procedure_ended_at = ended_at
        episode.levels_treated = normalise_levels(levels_treated) if levels_treated else episode.vertebral_levels
        end_text = local_time(ended_at).strftime("%H:%M")
        reason = f"Procedure completed; ended at {end_text}; levels treated: {episode.levels_treated}"
        if episode.levels_mismatch:
            reason += f" — LEVELS TREATED DIFFER FROM THE PLANNED LEVELS ({episode.vertebral_levels})"
        save_with_history(episode, by=by, reason=reason)
        # The episode's row is locked already: the tasks' rows come second, as in every service.
        after_care = episode.tasks.select_for_update().filter(phase=Phase.AFTER, status=ChecklistTask.Status.PENDING)
        for task in after_care.order_by("pk"):
            due_at = task.due_at_for(ended_at)
            if due_at != task.due_at:
                task.due_at = due_at
                task.version += 1
                save_with_history(task, by=by, reason=f"After care re-based on the procedure's real end ({end_text})")
        announce(EpisodeCompleted(episode))
    return episode


def episode_sign_off(*, episode: Episode, by, override_reason: str = "") -> Episode:
    """Record "ready for procedure" on the day; refused while a critical task is open, unless overridden."""
    with transaction.atomic():
        episode = lock_scheduled_episode(episode, action="signed off")
        if episode.signed_off_at is not None:
            raise ValidationError("This procedure has already been signed off.")
        if not episode.is_day_of_procedure:
            raise ValidationError("Sign-off is only possible on the day of the procedure.")
        open_critical = list(
            episode.tasks.filter(is_critical=True, status=ChecklistTask.Status.PENDING).values_list("title", flat=True)
        )
        # What other apps check (day-of labs), registered in checklists.sign_off.
        problems = sign_off_problems(episode)
        override_reason = override_reason.strip()
        if open_critical and not override_reason:
            raise ValidationError(
                "Not signed off: critical tasks are still open (%(titles)s). Finish them, or give an override reason.",
                params={"titles": "; ".join(open_critical + problems)},
            )
        if problems and not override_reason:
            raise ValidationError(
                "Not signed off: %(problems)s. Resolve it, or give an override reason.",
                params={"problems": "; ".join(problems)},
            )
        episode.signed_off_at = timezone.now()
        episode.signed_off_by = by
        episode.sign_off_override_reason = override_reason if open_critical or problems else ""
        reason = "Ready for procedure"
        if episode.sign_off_override_reason:
            reason += f" — OVERRIDE with open critical tasks ({'; '.join(open_critical + problems)}): {override_reason}"
        save_with_history(episode, by=by, reason=reason)
        announce(EpisodeSignedOff(episode))
    return episode
