"""Demo medication plans, called from `seed_demo` (safe to run again: a demo that has plans is left alone).

- Maria Lopez (the `patient` login): clopidogrel 75 mg daily and ibuprofen, both decided.
- Apixaban with no decision yet (the list recorded complete), for a patient whose procedure is within
  3 days and who has nothing else overdue, so the worklist shows the episode Blocked by "Prescriber's
  decision for apixaban" alone.
- Warfarin, decided, with an INR in range, for the soonest other patient.
- Every other scheduled demo procedure whose medicine review `seed_demo` ticked on the checklist gets the
  answer behind the tick, "no regular medicines" (without an answer the episode would stay At risk).
"""

import datetime as dt
from decimal import Decimal

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from checklists.hospital_time import local_day
from checklists.models import ChecklistTask, Episode
from checklists.services import tasks as task_services

from . import services
from .models import REVIEW_TASK_TITLE, Decision, EpisodeMedicine, LabTest, Medicine

PORTAL_PATIENT_MRN = "DEMO-015"


def seed_medicines(*, nurse, stdout) -> None:
    call_command("load_medicines", stdout=stdout)
    upcoming = Episode.objects.filter(
        status=Episode.Status.SCHEDULED, patient__mrn__startswith="DEMO-", scheduled_start__gt=timezone.now()
    ).order_by("scheduled_start", "pk")
    if EpisodeMedicine.objects.filter(episode__patient__mrn__startswith="DEMO-").exists():
        stdout.write("Demo medicines already exist; left as they are.")
        return
    maria = upcoming.filter(patient__mrn=PORTAL_PATIENT_MRN).first()
    others = list(upcoming.exclude(patient__mrn=PORTAL_PATIENT_MRN)[:6])
    if maria is None or len(others) < 2:
        stdout.write("Demo medicines: no upcoming demo procedures to plan.")
        return
    apixaban_episode = _blocked_only_by_apixaban(others)
    warfarin_episode = next(episode for episode in others if episode != apixaban_episode)
    with transaction.atomic():
        _plan(
            maria,
            nurse,
            [
                ("clopidogrel", "75 mg once a day", "heart stent in 2019"),
                ("ibuprofen", "400 mg as needed", "back pain"),
            ],
        )
        _plan(warfarin_episode, nurse, [("warfarin", "5 mg once a day", "atrial fibrillation")])
        services.lab_result_record(
            episode=warfarin_episode,
            lab_test=LabTest.objects.get(slug="inr"),
            value=Decimal("1.2"),
            taken_at=timezone.now(),
            by=nurse,
        )
        services.medicine_add(
            episode=apixaban_episode,
            by=nurse,
            medicine=Medicine.objects.get(slug="apixaban"),
            dose="5 mg twice a day",
            indication="blood clot in the leg",
        )
        services.medicine_review_record(episode=apixaban_episode, by=nurse, no_regular_medicines=False)
        answered = _answer_ticked_reviews(nurse)
    stdout.write(
        f"Demo medicines: {maria.patient.full_name} (clopidogrel, ibuprofen), "
        f"{warfarin_episode.patient.full_name} (warfarin, INR 1.2), "
        f"{apixaban_episode.patient.full_name} (apixaban, no decision yet); "
        f"{answered} more answered “no regular medicines”."
    )


def _answer_ticked_reviews(nurse) -> int:
    """Record "no regular medicines" where the review task is done but nothing answers it."""
    episodes = Episode.objects.filter(
        status=Episode.Status.SCHEDULED,
        medicine_review__isnull=True,
        medicines__isnull=True,
        tasks__title=REVIEW_TASK_TITLE,
        tasks__status=ChecklistTask.Status.DONE,
    ).distinct()
    for episode in episodes:
        services.medicine_review_record(episode=episode, by=nurse, no_regular_medicines=True)
    return len(episodes)


def _blocked_only_by_apixaban(episodes: list[Episode]) -> Episode:
    """The soonest procedure within 3 days (apixaban's proposed last dose already past) with no other
    overdue critical task, so that the missing decision is what blocks it; else the soonest one."""
    now = timezone.now()
    for episode in episodes:
        if local_day(episode.scheduled_start) - local_day(now) > dt.timedelta(days=3):
            break
        overdue = episode.tasks.filter(is_critical=True, status=ChecklistTask.Status.PENDING, due_at__lt=now)
        if not overdue.exists():
            return episode
    return episodes[0]


def _plan(episode: Episode, nurse, medicines: list[tuple[str, str, str]]) -> None:
    """List the medicines, record "stop as proposed" from the prescriber, and tick the last doses already past."""
    for slug, dose, indication in medicines:
        medication = services.medicine_add(
            episode=episode, by=nurse, medicine=Medicine.objects.get(slug=slug), dose=dose, indication=indication
        )
        medication = services.medicine_decide(
            medication=medication,
            by=nurse,
            decision=Decision.STOP_AS_PROPOSED,
            prescriber_name=episode.clinician,
            channel="phone",
        )
        task = medication.last_dose_task
        if task.due_at < timezone.now():
            task_services.task_mark_done(
                task=task,
                by=nurse,
                expected_version=task.version,
                note="Patient confirmed by phone",
                done_at=task.due_at,
            )
    services.medicine_review_record(episode=episode, by=nurse, no_regular_medicines=False)
