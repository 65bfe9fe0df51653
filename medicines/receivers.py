"""The medication plan follows the changes that move its dates, and its day-of labs join the sign-off
(both registered in MedicinesConfig.ready)."""

from checklists.events import EpisodeRescheduled, receiver
from checklists.sign_off import sign_off_check

from .selectors import lab_sign_off_problems
from .services import medicines_follow_reschedule


@receiver(EpisodeRescheduled)
def flag_holds_too_short(event: EpisodeRescheduled) -> None:
    # The reschedule's own history row names who moved the procedure: the flags are theirs.
    by = event.episode.history.latest().history_user
    medicines_follow_reschedule(episode=event.episode, previous_start=event.previous_start, by=by)


# A required day-of lab missing, or a value outside its range, stops the sign-off unless overridden.
sign_off_check(lab_sign_off_problems)
