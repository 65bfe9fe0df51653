"""The checklist tasks a medication plan puts on the episode, and takes back (each saved with its history).

A medicine puts `checklists.ChecklistTask` rows with no template on the checklist: the nurse's critical
"Prescriber's decision for X" (added by `services.medicine_add`), and once a decision is recorded the
patient's "Take your last dose of X", "Restart X" and, for a GLP-1 continued with a liquid diet,
"Start clear liquids only" (which retires the protocol's food tasks until another decision). The
restart and the clear liquids are steps "from" their time (`DueMeans.FROM`): the patient reads
"From 10:50 a.m. …", never "By", cannot report them before, and they are never overdue. The
callers hold the episode's lock (`services`).
"""

import datetime as dt

from django.db.models import Max

from checklists.events import TaskChanged, announce
from checklists.hospital_time import local_day
from checklists.models import ChecklistTask, DueMeans, Episode, Phase, Responsible
from checklists.services.audit import save_with_history
from checklists.services.tasks import task_mark_done, task_mark_not_applicable, task_reopen

from . import texts
from .models import Decision, EpisodeMedicine, last_dose_rule

# The protocol's food tasks that a "continue with a 24-hour liquid diet" decision replaces.
FOOD_TASK_TITLES = ("Last fatty or fried food or meat", "Last light meal")
LIQUID_DIET_MINUTES = -24 * 60


def add_patient_tasks(medication: EpisodeMedicine, *, by) -> None:
    episode = medication.episode
    if medication.decision == Decision.CONTINUE_LIQUID_DIET:
        medication.liquid_diet_task = add_task(
            episode,
            by=by,
            text=texts.liquid_diet_text(medication.names),
            # From its time, never "by" it: clear liquids start then.
            rule=ChecklistTask(due_offset_minutes=LIQUID_DIET_MINUTES, due_means=DueMeans.FROM),
            responsible=Responsible.PATIENT,
        )
        for task in episode.tasks.filter(status=ChecklistTask.Status.PENDING):
            if task.title_key in {title.casefold() for title in FOOD_TASK_TITLES}:
                retire_task(task, by=by, reason=f"Clear liquids from 24 h before ({medication.name} continued)")
    if not medication.stops:
        return
    medication.last_dose_task = add_task(
        episode,
        by=by,
        text=texts.last_dose_text(medication.names, bridging=medication.decision == Decision.BRIDGING),
        rule=last_dose_rule(day=medication.last_dose_day, minutes=medication.last_dose_minutes),
        responsible=Responsible.PATIENT,
        guidance=f"Bridging plan: {medication.bridging_plan}" if medication.bridging_plan else "",
    )
    if medication.restart_minutes is not None:
        medication.restart_task = add_task(
            episode,
            by=by,
            text=texts.restart_text(medication.names),
            # "From 10:50 a.m. …", never "By": restarting a blood thinner earlier is unsafe.
            rule=ChecklistTask(due_offset_minutes=medication.restart_minutes, due_means=DueMeans.FROM),
            responsible=Responsible.PATIENT,
        )


def retire_patient_tasks(medication: EpisodeMedicine, *, by, reason: str) -> None:
    for task in (medication.last_dose_task, medication.restart_task):
        retire_task(task, by=by, reason=reason)
    retire_liquid_diet(medication, by=by, reason=reason)
    medication.last_dose_task = medication.restart_task = None


def retire_liquid_diet(medication: EpisodeMedicine, *, by, reason: str) -> None:
    if medication.liquid_diet_task is None:
        return
    retire_task(medication.liquid_diet_task, by=by, reason=reason)
    medication.liquid_diet_task = None
    # The protocol's food times apply again.
    for task in medication.episode.tasks.filter(status=ChecklistTask.Status.NOT_APPLICABLE):
        if task.title_key in {title.casefold() for title in FOOD_TASK_TITLES}:
            task = task_reopen(task=task, by=by, expected_version=task.version, reason=reason)


def retire_task(task: ChecklistTask | None, *, by, reason: str) -> None:
    if task is None:
        return
    task.refresh_from_db()
    if task.is_pending:
        task_mark_not_applicable(task=task, by=by, expected_version=task.version, reason=reason)
        task.refresh_from_db()


def close_task(task: ChecklistTask, *, by, note: str) -> None:
    task.refresh_from_db()
    if task.is_pending:
        task_mark_done(task=task, by=by, expected_version=task.version, note=note)
        task.refresh_from_db()


def add_task(
    episode: Episode,
    *,
    by,
    text: texts.TaskText,
    rule: ChecklistTask,
    responsible: Responsible,
    critical: bool = False,
    guidance: str = "",
) -> ChecklistTask:
    due_at = rule.due_at_for(episode.scheduled_start)
    phase = phase_for(due_at, episode.scheduled_start)
    last = episode.tasks.filter(phase=phase).aggregate(last=Max("position"))["last"] or 0
    task = ChecklistTask(
        episode=episode,
        template=None,
        phase=phase,
        position=last + 1,
        title=text.title,
        title_es=text.title_es,
        patient_instructions=text.patient_instructions,
        patient_instructions_es=text.patient_instructions_es,
        nurse_guidance=guidance,
        responsible=responsible,
        is_critical=critical,
        due_offset_minutes=rule.due_offset_minutes,
        due_day_offset=rule.due_day_offset,
        due_clock_time=rule.due_clock_time,
        due_means=rule.due_means,
        due_at=due_at,
    )
    save_with_history(task, by=by, reason="Added by the medication plan")
    announce(TaskChanged(task))
    return task


def phase_for(due_at: dt.datetime, start: dt.datetime) -> Phase:
    """The timeline phase a moment belongs to, for a procedure starting at `start`."""
    if due_at > start:
        return Phase.AFTER
    days_before = (local_day(start) - local_day(due_at)).days
    return {0: Phase.DAY_OF, 1: Phase.NIGHT_BEFORE}.get(days_before, Phase.WEEK_BEFORE)
