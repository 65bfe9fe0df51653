"""The medication plan follows the changes that move its dates, its day-of labs join the sign-off, an
undecided medicine or an unanswered review makes the episode At risk, and the huddle sheet shows the
blood thinners and the INR (all registered in MedicinesConfig.ready)."""

from checklists.events import EpisodeRescheduled, receiver
from checklists.huddle import huddle_column
from checklists.readiness_rules import at_risk_condition
from checklists.sign_off import sign_off_check

from .selectors import huddle_blood_thinners, lab_sign_off_problems, medicines_at_risk
from .services import medicines_follow_reschedule


@receiver(EpisodeRescheduled)
def flag_holds_too_short(event: EpisodeRescheduled) -> None:
    # The reschedule's own history row names who moved the procedure: the flags are theirs.
    by = event.episode.history.latest().history_user
    medicines_follow_reschedule(episode=event.episode, previous_start=event.previous_start, by=by)


# A required day-of lab missing, or a value outside its range, stops the sign-off unless overridden.
sign_off_check(lab_sign_off_problems)
# A medicine waiting for the prescriber, or no answer to the medicine review once due: At risk.
at_risk_condition(medicines_at_risk)
# The huddle sheet's "Blood thinners · INR" column, for all the day's procedures in one query.
huddle_column("Blood thinners · INR")(huddle_blood_thinners)
