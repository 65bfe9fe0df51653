"""Every change to a medication plan, each in one transaction, recorded in the history.

A medicine puts tasks on the episode's checklist (`plan_tasks`): a critical nurse task "Prescriber's
decision for X" due when its proposed last dose is due (the episode is At risk while any medicine
waits for a decision, see `selectors.medicines_at_risk`, and Blocked once that task is overdue),
and once a decision is recorded the patient's "Take your last dose of X" and "Restart X" tasks.
Their due rules are relative to the procedure, so the checklist's own reschedule moves them;
`medicines_follow_reschedule` then flags holds that became too short. The day-of lab results are
recorded here too (`lab_result_record`).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from checklists.events import TaskChanged, announce
from checklists.hospital_time import local_day
from checklists.models import ChecklistTask, Episode, Phase, Responsible
from checklists.services.audit import save_with_history
from checklists.services.episodes import lock_episode

from . import plan_tasks, texts
from .models import (
    LAST_DOSE_CLOCK,
    REVIEW_TASK_TITLE,
    Decision,
    EpisodeMedicine,
    LabResult,
    LabTest,
    Medicine,
    MedicineReview,
    last_dose_rule,
)
from .proposals import UNPROPOSED_DECISION_DAY, propose

GLP1_CLASSES = ("glp1_weekly", "glp1_daily")


def medicine_add(
    *,
    episode: Episode,
    by,
    dose: str,
    medicine: Medicine | None = None,
    other_name: str = "",
    indication: str = "",
    recent_coronary_stent: bool = False,
) -> EpisodeMedicine:
    """List a medicine on the episode with the catalogue's proposal, and ask for the prescriber's decision."""
    other_name = other_name.strip()
    if medicine is None and not other_name:
        raise ValidationError("Choose a medicine from the catalogue, or type its name under “other”.")
    if not dose.strip():
        raise ValidationError("Give the dose and how often (for example: 75 mg once a day).")
    with transaction.atomic():
        episode = _lock_scheduled(episode)
        proposal = propose(medicine, recent_coronary_stent=recent_coronary_stent)
        medication = EpisodeMedicine(
            episode=episode,
            medicine=medicine,
            other_name="" if medicine else other_name,
            dose=dose.strip(),
            indication=indication.strip(),
            recent_coronary_stent=recent_coronary_stent,
            added_by=by,
            proposed_decision=proposal.decision,
            proposed_last_dose_day=proposal.last_dose_day,
            proposed_last_dose_minutes=proposal.last_dose_minutes,
            proposed_restart_minutes=proposal.restart_minutes,
            proposal_basis=proposal.basis,
        )
        rule = last_dose_rule(day=proposal.last_dose_day, minutes=proposal.last_dose_minutes) or ChecklistTask(
            due_day_offset=-1 if proposal.decision == Decision.CONTINUE else UNPROPOSED_DECISION_DAY,
            due_clock_time=LAST_DOSE_CLOCK,
        )
        medication.decision_task = plan_tasks.add_task(
            episode,
            by=by,
            text=texts.decision_text(medication.names),
            rule=rule,
            responsible=Responsible.NURSE,
            critical=True,
            guidance=f"Proposed: {proposal.basis}. Ask the prescriber and record the decision on the Medicines page.",
        )
        save_with_history(medication, by=by, reason=f"Added; proposed: {proposal.basis}")
        review = MedicineReview.objects.filter(episode=episode, no_regular_medicines=True).first()
        if review is not None:
            review.no_regular_medicines = False
            save_with_history(review, by=by, reason=f"{medication.name} added after “no regular medicines”")
    return medication


def medicine_decide(
    *,
    medication: EpisodeMedicine,
    by,
    decision: Decision,
    prescriber_name: str,
    channel: str,
    note: str = "",
    last_dose_at: dt.datetime | None = None,
    last_dose_on: dt.date | None = None,
    restart_at: dt.datetime | None = None,
    bridging_plan: str = "",
    shorter_hold_confirmed: bool = False,
) -> EpisodeMedicine:
    """Record the prescriber's decision (taken by the nurse `by`) and give the patient their dates.

    `last_dose_on` is a calendar day (the dose by 11:59 p.m.); `last_dose_at` an exact time (heparins).
    Without either, a stop uses the proposal. A restart defaults to the proposal too.
    """
    prescriber_name = prescriber_name.strip()
    if not prescriber_name:
        raise ValidationError("Give the name of the prescriber who decided.")
    if not channel:
        raise ValidationError("Say how the decision was given (phone, note, in person, message).")
    if decision == Decision.PENDING:
        raise ValidationError("Choose the prescriber's decision.")
    with transaction.atomic():
        episode = _lock_scheduled(medication.episode)
        medication = EpisodeMedicine.objects.select_for_update().get(pk=medication.pk)
        medication.episode = episode
        if medication.removed_at is not None:
            raise ValidationError("This medicine was taken off the list.")
        _apply_decision_dates(
            medication,
            decision=decision,
            last_dose_at=last_dose_at,
            last_dose_on=last_dose_on,
            restart_at=restart_at,
            bridging_plan=bridging_plan.strip(),
            shorter_hold_confirmed=shorter_hold_confirmed,
        )
        plan_tasks.retire_patient_tasks(medication, by=by, reason="Replaced by a new decision")
        medication.decision = decision
        medication.prescriber_name = prescriber_name
        medication.decision_channel = channel
        medication.decision_note = note.strip()
        medication.decided_by = by
        medication.decided_at = timezone.now()
        medication.hold_too_short = False
        plan_tasks.add_patient_tasks(medication, by=by)
        channel_label = medication.get_decision_channel_display()
        summary = f"Decision: {medication.get_decision_display()} — {prescriber_name} ({channel_label})"
        plan_tasks.close_task(medication.decision_task, by=by, note=summary)
        save_with_history(medication, by=by, reason=summary)
    return medication


def _apply_decision_dates(
    medication, *, decision, last_dose_at, last_dose_on, restart_at, bridging_plan, shorter_hold_confirmed
) -> None:
    """Set the decided last-dose and restart rules, refusing dates that cannot be right."""
    start = medication.episode.scheduled_start
    medication.last_dose_day = medication.last_dose_minutes = medication.restart_minutes = None
    medication.bridging_plan = ""
    medication.shorter_hold_confirmed = False
    if decision == Decision.CONTINUE_LIQUID_DIET and (
        medication.medicine is None or medication.medicine.drug_class not in GLP1_CLASSES
    ):
        raise ValidationError("A 24-hour liquid diet instead of a hold is only for GLP-1 medicines.")
    if decision in (Decision.CONTINUE, Decision.CONTINUE_LIQUID_DIET):
        return
    if decision == Decision.BRIDGING and not bridging_plan:
        raise ValidationError("Describe the bridging plan (medicine, dose and dates) as the prescriber gave it.")
    medication.bridging_plan = bridging_plan
    if decision == Decision.STOP_AS_PROPOSED or (last_dose_at is None and last_dose_on is None):
        if decision == Decision.STOP_OTHER_DATE or medication.proposed_decision != Decision.STOP_AS_PROPOSED:
            raise ValidationError(
                f"No last dose is proposed for {medication.name}: give the date (and time) the prescriber chose."
            )
        medication.last_dose_day = medication.proposed_last_dose_day
        medication.last_dose_minutes = medication.proposed_last_dose_minutes
    elif last_dose_at is not None:
        medication.last_dose_minutes = round((last_dose_at - start).total_seconds() / 60)
    else:
        medication.last_dose_day = (last_dose_on - local_day(start)).days
    last_dose = medication.last_dose_at
    if last_dose >= start:
        raise ValidationError("The last dose must be before the procedure starts.")
    minimum_day, minimum_minutes = medication.catalogue_min_hold()
    minimum = last_dose_rule(day=minimum_day, minutes=minimum_minutes)
    if minimum is not None and last_dose > minimum.due_at_for(start):
        if not shorter_hold_confirmed:
            raise ValidationError(
                f"This hold is shorter than the catalogue's {medication.medicine.describe_hold()} for "
                f"{medication.name}: tick “the prescriber decides this shorter hold” to record it."
            )
        medication.shorter_hold_confirmed = True
    if restart_at is None and medication.proposed_restart_minutes is not None:
        medication.restart_minutes = medication.proposed_restart_minutes
    elif restart_at is not None:
        if restart_at <= start:
            raise ValidationError("The restart must be after the procedure starts.")
        medication.restart_minutes = round((restart_at - start).total_seconds() / 60)


def medicine_remove(*, medication: EpisodeMedicine, by, reason: str) -> EpisodeMedicine:
    """Take a medicine off the list (entered by mistake, no longer taken); its open tasks no longer apply."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Give a reason for taking the medicine off the list.")
    with transaction.atomic():
        _lock_scheduled(medication.episode)
        medication = EpisodeMedicine.objects.select_for_update().get(pk=medication.pk)
        if medication.removed_at is not None:
            raise ValidationError("This medicine is already off the list.")
        for task in (medication.decision_task, medication.last_dose_task, medication.restart_task):
            plan_tasks.retire_task(task, by=by, reason=f"Medicine taken off the list: {reason}")
        plan_tasks.retire_liquid_diet(medication, by=by, reason=f"Medicine taken off the list: {reason}")
        medication.removed_at = timezone.now()
        medication.removed_reason = reason
        save_with_history(medication, by=by, reason=f"Taken off the list: {reason}")
    return medication


def medicine_review_record(*, episode: Episode, by, no_regular_medicines: bool) -> MedicineReview:
    """Answer the medicine review: the list is complete, or the patient takes no regular medicines."""
    with transaction.atomic():
        episode = _lock_scheduled(episode)
        listed = episode.medicines.active().exists()
        if no_regular_medicines and listed:
            raise ValidationError("Medicines are listed: take them off the list first, or record the list as complete.")
        if not no_regular_medicines and not listed:
            raise ValidationError("No medicine is listed: add them, or answer “no regular medicines”.")
        review = MedicineReview.objects.filter(episode=episode).first() or MedicineReview(episode=episode)
        review.no_regular_medicines = no_regular_medicines
        review.reviewed_by = by
        review.reviewed_at = timezone.now()
        save_with_history(review, by=by, reason=str(review))
        task = _review_task(episode)
        if task is not None and task.is_pending:
            plan_tasks.close_task(task, by=by, note=str(review))
    return review


def medicines_follow_reschedule(*, episode: Episode, previous_start: dt.datetime, by) -> list[EpisodeMedicine]:
    """After a reschedule (the tasks have moved already): flag each medicine whose hold is now too short.

    The patient stopped at the old last-dose time if it has passed, else is still taking it: if the new
    start needs the last dose before that, the decision no longer holds. The medicine goes back to
    "waiting for the prescriber", its patient tasks no longer apply, and its decision task is due at the
    too-short last dose (in the past), so the episode is Blocked until someone decides again.
    """
    now = timezone.now()
    flagged = []
    for medication in episode.medicines.active().select_for_update():
        proposed = not medication.is_decided
        if proposed and medication.proposed_decision != Decision.STOP_AS_PROPOSED:
            continue
        if not proposed and not medication.stops:
            continue
        new = medication.last_dose_at_for(episode.scheduled_start, proposed=proposed)
        if new >= min(medication.last_dose_at_for(previous_start, proposed=proposed), now):
            continue
        reason = "Hold too short after the procedure moved: ask the prescriber"
        plan_tasks.retire_patient_tasks(medication, by=by, reason=reason)
        task = ChecklistTask.objects.select_for_update().get(pk=medication.decision_task_id)
        rule = last_dose_rule(
            day=medication.last_dose_day if not proposed else medication.proposed_last_dose_day,
            minutes=medication.last_dose_minutes if not proposed else medication.proposed_last_dose_minutes,
        )
        task.due_offset_minutes, task.due_day_offset, task.due_clock_time = (
            rule.due_offset_minutes,
            rule.due_day_offset,
            rule.due_clock_time,
        )
        task.due_at = new
        # Due at the too-short last dose on purpose (Blocked until decided), not as soon as possible.
        task.is_expedited = False
        if not task.is_pending:
            task.reopen(reason=reason)
        else:
            task.version += 1
        save_with_history(task, by=by, reason=reason)
        announce(TaskChanged(task))
        medication.decision_task = task
        medication.decision = Decision.PENDING
        medication.hold_too_short = True
        save_with_history(medication, by=by, reason=reason)
        flagged.append(medication)
    return flagged


def lab_result_record(*, episode: Episode, lab_test: LabTest, value, taken_at: dt.datetime, by) -> LabResult:
    """Record a day-of lab value, judged against the catalogue's range of the moment."""
    if value < 0:
        raise ValidationError("A lab value cannot be negative.")
    if taken_at > timezone.now():
        raise ValidationError("A lab result cannot be taken in the future.")
    with transaction.atomic():
        episode = _lock_scheduled(episode)
        result = LabResult(
            episode=episode,
            lab_test=lab_test,
            value=value,
            unit=lab_test.unit,
            lower_limit=lab_test.lower_limit,
            upper_limit=lab_test.upper_limit,
            in_range=lab_test.is_in_range(value),
            taken_at=taken_at,
            recorded_by=by,
        )
        save_with_history(result, by=by, reason="Recorded" if result.in_range else "Recorded — OUTSIDE the range")
    return result


def _lock_scheduled(episode: Episode) -> Episode:
    locked = lock_episode(episode.pk)
    if not locked.is_scheduled:
        raise ValidationError("The plan of a procedure that is done or cancelled can no longer change.")
    return locked


def _review_task(episode: Episode) -> ChecklistTask | None:
    return next(
        (
            task
            for task in episode.tasks.filter(phase=Phase.WEEK_BEFORE)
            if task.title_key == REVIEW_TASK_TITLE.casefold()
        ),
        None,
    )
