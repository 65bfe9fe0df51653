"""What the catalogue proposes for one patient's medicine, before any prescriber has decided."""

import datetime as dt
from dataclasses import dataclass

from .models import Decision, EpisodeMedicine, Medicine

# Without a proposed date the decision is due before the longest hold in the catalogue could start
# (prasugrel: 10 clear days, so a last dose 11 days before the procedure day).
UNPROPOSED_DECISION_DAY = -11


@dataclass(frozen=True)
class Proposal:
    decision: Decision
    basis: str
    last_dose_day: int | None = None
    last_dose_minutes: int | None = None
    restart_minutes: int | None = None


def propose(medicine: Medicine | None, *, recent_coronary_stent: bool = False) -> Proposal:
    """The catalogue's proposal: a last dose (calendar day, or hours for heparins) and a restart, or none.

    A hold of N days means N whole calendar days without a dose before the procedure day: the last
    dose is on day -(N + 1), by 11:59 p.m. A hold of N hours ends N hours before the start.
    """
    if medicine is None:
        return Proposal(Decision.PENDING, "not in the catalogue: the prescriber decides")
    restart = None if medicine.restart_hours is None else medicine.restart_hours * 60
    if medicine.prescriber_must_decide:
        return Proposal(Decision.PENDING, f"{medicine.generic_name}: the prescriber decides", restart_minutes=restart)
    if recent_coronary_stent and medicine.is_antiplatelet:
        return Proposal(
            Decision.PENDING,
            f"{medicine.generic_name} within 12 months of a coronary stent: the prescriber (cardiologist) decides",
            restart_minutes=restart,
        )
    if medicine.usually_continued:
        return Proposal(Decision.CONTINUE, f"{medicine.generic_name}: usually continued")
    basis = f"{medicine.generic_name}: hold {medicine.describe_hold()}"
    if medicine.hold_hours is not None:
        return Proposal(
            Decision.STOP_AS_PROPOSED, basis, last_dose_minutes=-medicine.hold_hours * 60, restart_minutes=restart
        )
    if medicine.hold_days is not None:
        return Proposal(
            Decision.STOP_AS_PROPOSED, basis, last_dose_day=-(medicine.hold_days + 1), restart_minutes=restart
        )
    return Proposal(Decision.PENDING, f"{medicine.generic_name}: no hold in the catalogue, the prescriber decides")


def proposed_times(medicine: Medicine, start: dt.datetime) -> tuple[Proposal, dt.datetime | None, dt.datetime | None]:
    """The proposal for `medicine` and its last dose and restart for a procedure starting at `start`."""
    proposal = propose(medicine)
    plan = EpisodeMedicine(
        proposed_last_dose_day=proposal.last_dose_day,
        proposed_last_dose_minutes=proposal.last_dose_minutes,
        proposed_restart_minutes=proposal.restart_minutes,
    )
    return proposal, plan.last_dose_at_for(start, proposed=True), plan.restart_at_for(start, proposed=True)
