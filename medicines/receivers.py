"""The medication plan follows the clinical changes that move its dates (registered in MedicinesConfig.ready)."""

from checklists.events import EpisodeRescheduled, receiver

from .services import medicines_follow_reschedule


@receiver(EpisodeRescheduled)
def flag_holds_too_short(event: EpisodeRescheduled) -> None:
    # The reschedule's own history row names who moved the procedure: the flags are theirs.
    by = event.episode.history.latest().history_user
    medicines_follow_reschedule(episode=event.episode, previous_start=event.previous_start, by=by)
