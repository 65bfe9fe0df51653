"""A nurse lists a medicine, the app proposes dates, a prescriber's decision is recorded, and the
checklist (readiness, the patient's tasks) follows; a reschedule moves the dates or flags the hold."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from checklists.models import ChecklistTask, Episode, Readiness, Responsible
from checklists.services.episodes import episode_reschedule
from medicines import plan_tasks, services
from medicines.models import Decision, EpisodeMedicine

from .conftest import NEW_YORK


def local(*args):
    return dt.datetime(*args, tzinfo=NEW_YORK)


def readiness(episode, now):
    return Episode.objects.with_readiness(now=now).get(pk=episode.pk).readiness


def add(episode, nurse, medicine, **fields):
    return services.medicine_add(
        episode=episode, by=nurse, medicine=medicine, dose=fields.pop("dose", "75 mg"), **fields
    )


def decide(medication, nurse, decision=Decision.STOP_AS_PROPOSED, **fields):
    return services.medicine_decide(
        medication=medication,
        by=nurse,
        decision=decision,
        prescriber_name=fields.pop("prescriber_name", "Dr. Rivera"),
        channel=fields.pop("channel", "phone"),
        **fields,
    )


def test_adding_clopidogrel_proposes_dates_and_asks_for_a_decision(plan_episode, nurse, catalogue):
    medication = add(plan_episode, nurse, catalogue["clopidogrel"], indication="heart stent 2019")

    assert medication.proposed_last_dose_at == local(2026, 12, 6, 23, 59)
    assert medication.proposed_restart_at == local(2026, 12, 15, 8, 0)
    task = medication.decision_task
    assert (task.title, task.title_es) == (
        "Prescriber's decision for clopidogrel",
        "Decisión del médico sobre clopidogrel",
    )
    assert (task.is_critical, task.responsible, task.due_at) == (True, Responsible.NURSE, local(2026, 12, 6, 23, 59))
    assert task.template is None
    assert medication.history.first().history_user == nurse


def test_decision_closes_the_block_and_gives_the_patient_last_dose_and_restart(plan_episode, nurse, catalogue):
    medication = decide(add(plan_episode, nurse, catalogue["clopidogrel"]), nurse, note="Cardiology agrees")

    medication.refresh_from_db()
    assert (medication.decision, medication.prescriber_name, medication.decided_by) == (
        Decision.STOP_AS_PROPOSED,
        "Dr. Rivera",
        nurse,
    )
    assert medication.decision_task.status == ChecklistTask.Status.DONE
    last, restart = medication.last_dose_task, medication.restart_task
    assert (last.title, last.responsible, last.due_at) == (
        "Take your last dose of clopidogrel",
        Responsible.PATIENT,
        local(2026, 12, 6, 23, 59),
    )
    assert last.title_es == "Tome su última dosis de clopidogrel"
    assert (restart.title, restart.due_at) == ("Restart clopidogrel", local(2026, 12, 15, 8, 0))
    assert "Dr. Rivera (Phone call)" in medication.history.first().history_change_reason


def test_stop_on_another_date_and_restart_time(plan_episode, nurse, catalogue):
    medication = decide(
        add(plan_episode, nurse, catalogue["warfarin"], dose="5 mg"),
        nurse,
        Decision.STOP_OTHER_DATE,
        last_dose_on=dt.date(2026, 12, 7),
        restart_at=local(2026, 12, 14, 20, 0),
    )
    assert (medication.last_dose_day, medication.last_dose_at) == (-7, local(2026, 12, 7, 23, 59))
    assert medication.restart_task.due_at == local(2026, 12, 14, 20, 0)


def test_continue_gives_the_patient_no_stop_task(plan_episode, nurse, catalogue):
    medication = decide(add(plan_episode, nurse, catalogue["celecoxib"]), nurse, Decision.CONTINUE)
    assert (medication.last_dose_task, medication.restart_task, medication.decision_task.status) == (None, None, "done")


def test_bridging_needs_a_plan_and_keeps_it_for_the_nurse(plan_episode, nurse, catalogue):
    medication = add(plan_episode, nurse, catalogue["warfarin"])
    with pytest.raises(ValidationError, match="bridging plan"):
        decide(medication, nurse, Decision.BRIDGING)
    medication = decide(medication, nurse, Decision.BRIDGING, bridging_plan="Enoxaparin 80 mg twice daily from 9 Dec")
    assert medication.last_dose_task.nurse_guidance == "Bridging plan: Enoxaparin 80 mg twice daily from 9 Dec"
    assert "short-acting blood thinner" in medication.last_dose_task.patient_instructions


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"last_dose_on": dt.date(2026, 12, 14)}, "before the procedure starts"),
        ({"last_dose_on": dt.date(2026, 12, 20)}, "before the procedure starts"),
        ({"last_dose_on": dt.date(2026, 12, 6), "restart_at": local(2026, 12, 14, 7, 0)}, "restart must be after"),
        ({"last_dose_on": dt.date(2026, 12, 10)}, "shorter than the catalogue's 7 days"),
        ({"last_dose_on": dt.date(2026, 12, 6), "prescriber_name": " "}, "name of the prescriber"),
    ],
)
def test_impossible_decisions_are_refused_with_a_message(plan_episode, nurse, catalogue, fields, message):
    medication = add(plan_episode, nurse, catalogue["clopidogrel"])
    with pytest.raises(ValidationError, match=message):
        decide(medication, nurse, Decision.STOP_OTHER_DATE, **fields)
    medication.refresh_from_db()
    assert medication.decision == Decision.PENDING


def test_shorter_hold_is_recorded_when_the_prescriber_decides_it(plan_episode, nurse, catalogue):
    medication = decide(
        add(plan_episode, nurse, catalogue["clopidogrel"]),
        nurse,
        Decision.STOP_OTHER_DATE,
        last_dose_on=dt.date(2026, 12, 10),
        shorter_hold_confirmed=True,
    )
    assert (medication.shorter_hold_confirmed, medication.last_dose_task.due_at) == (True, local(2026, 12, 10, 23, 59))


def test_a_stent_makes_any_clopidogrel_date_the_prescribers(plan_episode, nurse, catalogue):
    medication = add(plan_episode, nurse, catalogue["clopidogrel"], recent_coronary_stent=True)
    with pytest.raises(ValidationError, match="No last dose is proposed"):
        decide(medication, nurse)
    medication = decide(medication, nurse, Decision.STOP_OTHER_DATE, last_dose_on=dt.date(2026, 12, 11))
    assert medication.last_dose_at == local(2026, 12, 11, 23, 59)


def test_heparin_last_dose_is_a_time(plan_episode, nurse, catalogue):
    medication = decide(
        add(plan_episode, nurse, catalogue["enoxaparin-treatment"], dose="80 mg"),
        nurse,
        Decision.STOP_OTHER_DATE,
        last_dose_at=local(2026, 12, 13, 6, 0),
    )
    assert (medication.last_dose_minutes, medication.last_dose_task.due_at) == (-26 * 60, local(2026, 12, 13, 6, 0))


def test_other_medicine_needs_a_name_and_the_prescribers_date(plan_episode, nurse):
    with pytest.raises(ValidationError, match="type its name"):
        services.medicine_add(episode=plan_episode, by=nurse, dose="1 tablet")
    medication = services.medicine_add(episode=plan_episode, by=nurse, other_name="Ginkgo biloba", dose="1 tablet")
    assert medication.decision_task.due_at == local(2026, 12, 3, 23, 59)


def test_liquid_diet_replaces_the_food_tasks_for_a_glp1_continued(plan_episode, nurse, catalogue):
    medication = decide(
        add(plan_episode, nurse, catalogue["semaglutide"], dose="1 mg weekly"), nurse, Decision.CONTINUE_LIQUID_DIET
    )

    diet = medication.liquid_diet_task
    assert (diet.title, diet.due_at, diet.phase) == (
        "Start clear liquids only",
        local(2026, 12, 13, 8, 0),
        "night_before",
    )
    food = plan_episode.tasks.filter(title__in=plan_tasks.FOOD_TASK_TITLES)
    assert sorted(food.values_list("status", flat=True)) == ["not_applicable", "not_applicable"]
    assert medication.last_dose_task is None


def test_liquid_diet_is_only_for_glp1_medicines(plan_episode, nurse, catalogue):
    with pytest.raises(ValidationError, match="only for GLP-1"):
        decide(add(plan_episode, nurse, catalogue["clopidogrel"]), nurse, Decision.CONTINUE_LIQUID_DIET)


def test_changing_a_liquid_diet_decision_brings_the_food_times_back(plan_episode, nurse, catalogue):
    medication = decide(add(plan_episode, nurse, catalogue["semaglutide"]), nurse, Decision.CONTINUE_LIQUID_DIET)
    medication = decide(medication, nurse, Decision.STOP_AS_PROPOSED)
    food = plan_episode.tasks.filter(title__in=plan_tasks.FOOD_TASK_TITLES)
    assert sorted(food.values_list("status", flat=True)) == ["pending", "pending"]
    assert medication.liquid_diet_task is None
    assert medication.last_dose_task.due_at == local(2026, 12, 6, 23, 59)


def test_reschedule_later_moves_the_patients_dates(plan_episode, nurse, catalogue):
    medication = decide(add(plan_episode, nurse, catalogue["clopidogrel"]), nurse)
    episode_reschedule(episode=plan_episode, scheduled_start=local(2026, 12, 21, 14, 0), by=nurse, reason="Room")
    medication.refresh_from_db()
    assert (medication.hold_too_short, medication.decision) == (False, Decision.STOP_AS_PROPOSED)
    assert medication.last_dose_task.due_at == local(2026, 12, 13, 23, 59)
    assert medication.restart_task.due_at == local(2026, 12, 22, 14, 0)


def test_reschedule_too_early_flags_the_hold_and_blocks_until_a_new_decision(
    plan_episode, nurse, catalogue, frozen_now
):
    medication = decide(add(plan_episode, nurse, catalogue["clopidogrel"]), nurse)
    old_last_dose = medication.last_dose_task
    # On Wednesday 2 December the procedure moves to Tuesday 8 December: 7 clear days are no longer possible.
    episode_reschedule(episode=plan_episode, scheduled_start=local(2026, 12, 8, 8, 0), by=nurse, reason="Earlier slot")

    medication.refresh_from_db()
    assert (medication.hold_too_short, medication.decision) == (True, Decision.PENDING)
    assert medication.last_dose_task is None
    old_last_dose.refresh_from_db()
    assert old_last_dose.status == ChecklistTask.Status.NOT_APPLICABLE
    assert medication.decision_task.status == ChecklistTask.Status.PENDING
    assert readiness(plan_episode, local(2026, 12, 2, 10, 1)) == Readiness.BLOCKED
    assert medication.history.first().history_change_reason.startswith("Hold too short")
    assert medication.history.first().history_user == nurse

    medication = decide(
        medication, nurse, Decision.STOP_OTHER_DATE, last_dose_on=dt.date(2026, 12, 2), shorter_hold_confirmed=True
    )
    assert (medication.hold_too_short, medication.decision_task.status) == (False, "done")


def test_reschedule_flags_an_undecided_medicine_whose_proposal_is_now_past(plan_episode, nurse, catalogue):
    medication = add(plan_episode, nurse, catalogue["warfarin"])
    episode_reschedule(episode=plan_episode, scheduled_start=local(2026, 12, 5, 8, 0), by=nurse, reason="Earlier slot")
    medication.refresh_from_db()
    assert medication.hold_too_short is True
    assert readiness(plan_episode, local(2026, 12, 2, 10, 1)) == Readiness.BLOCKED


def test_no_regular_medicines_is_an_answer_that_closes_the_review(plan_episode, nurse, catalogue):
    review_task = plan_episode.tasks.get(title=services.REVIEW_TASK_TITLE)
    services.medicine_review_record(episode=plan_episode, by=nurse, no_regular_medicines=True)
    review_task.refresh_from_db()
    assert (review_task.status, review_task.note) == ("done", "No regular medicines")
    with pytest.raises(ValidationError, match="take them off the list first"):
        add(plan_episode, nurse, catalogue["ibuprofen"])
        services.medicine_review_record(episode=plan_episode, by=nurse, no_regular_medicines=True)


def test_an_empty_list_is_not_a_complete_review(plan_episode, nurse):
    with pytest.raises(ValidationError, match="no regular medicines"):
        services.medicine_review_record(episode=plan_episode, by=nurse, no_regular_medicines=False)


def test_removing_a_medicine_keeps_it_and_retires_its_tasks(plan_episode, nurse, catalogue):
    medication = add(plan_episode, nurse, catalogue["ibuprofen"])
    services.medicine_remove(medication=medication, by=nurse, reason="Entered by mistake")
    medication = EpisodeMedicine.objects.get(pk=medication.pk)
    assert medication.removed_reason == "Entered by mistake"
    assert medication.decision_task.status == ChecklistTask.Status.NOT_APPLICABLE


def test_the_protocol_tasks_the_plan_acts_on_are_in_the_shipped_protocol(shipped_version):
    titles = set(shipped_version.tasks.values_list("title", flat=True))
    assert {services.REVIEW_TASK_TITLE, *plan_tasks.FOOD_TASK_TITLES} <= titles


def test_review_is_due_two_weeks_before_for_the_longest_holds_and_the_generic_stop_task_is_gone(shipped_version):
    review = shipped_version.tasks.get(title=services.REVIEW_TASK_TITLE)
    assert (review.is_critical, review.due_day_offset) == (True, -14)
    assert not shipped_version.tasks.filter(title__startswith="Stop the medicines you were told to stop").exists()


def test_a_hold_made_too_short_by_a_confirmed_late_reschedule_stays_blocked_not_expedited(
    plan_episode, nurse, catalogue, frozen_now
):
    medication = add(plan_episode, nurse, catalogue["warfarin"])

    episode_reschedule(
        episode=plan_episode,
        scheduled_start=local(2026, 12, 5, 8, 0),
        by=nurse,
        reason="Earlier slot",
        expedite_late=True,
    )

    medication.refresh_from_db()
    assert medication.hold_too_short is True
    assert not medication.decision_task.is_expedited
    assert readiness(plan_episode, local(2026, 12, 2, 10, 1)) == Readiness.BLOCKED
