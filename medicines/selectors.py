"""Read-side questions about a medication plan: the nurse's page, "My medicines", the day-of lab checks,
and what the plan adds to the checklist's readiness and to the day-of huddle sheet."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from checklists.hospital_time import local_day, local_time
from checklists.models import ChecklistTask, Episode

from .models import (
    REVIEW_TASK_TITLE,
    Decision,
    DrugClass,
    EpisodeMedicine,
    LabResult,
    LabTest,
    MedicineReview,
    last_dose_rule,
)

# The classes the huddle sheet names as blood thinners.
BLOOD_THINNER_CLASSES = (DrugClass.VKA, DrugClass.DOAC, DrugClass.HEPARIN, DrugClass.ANTIPLATELET)
HUDDLE_LAB_TEST = "inr"
CENTS = Decimal("0.01")


def episode_medicines(episode: Episode) -> list[EpisodeMedicine]:
    """The episode's medicines still on the list, with their catalogue entry and tasks, in one query."""
    return list(
        episode.medicines.active().select_related(
            "medicine__lab_test", "decided_by", "decision_task", "last_dose_task", "restart_task", "liquid_diet_task"
        )
    )


def latest_day_of_results(episode: Episode) -> dict[int, LabResult]:
    """The latest result of each lab test taken on the procedure's local day, by lab test id."""
    day = local_day(episode.scheduled_start)
    results = {}
    for result in episode.lab_results.select_related("lab_test").order_by("taken_at", "pk"):
        if local_day(result.taken_at) == day:
            results[result.lab_test_id] = result
    return results


def lab_sign_off_problems(episode: Episode) -> list[str]:
    """Why the day-of labs stop a sign-off: a required value missing, or a value outside its range."""
    results = latest_day_of_results(episode)
    problems = []
    for medication in episode_medicines(episode):
        test = medication.lab_test
        if test is not None and test.pk not in results:
            problems.append(f"{test.name} for {medication.name} not recorded on the procedure day")
    for result in results.values():
        if not result.in_range:
            problems.append(f"{result} is outside {result.lab_test.describe_range()}")
    return sorted(set(problems))


@dataclass(frozen=True)
class PatientMedicine:
    name: str
    dose: str
    plan: str
    last_dose: str
    restart: str


def patient_medicines(episode: Episode, *, format_moment) -> list[PatientMedicine]:
    """ "My medicines" in the active language: nothing drug-specific without a recorded decision."""
    spanish = translation.get_language() == "es"
    rows = []
    for medication in episode_medicines(episode):
        last, restart = medication.last_dose_at, medication.restart_at
        rows.append(
            PatientMedicine(
                name=medication.name_es if spanish else medication.name,
                dose=medication.dose,
                plan=_patient_plan(medication),
                last_dose=format_moment(last) if last and medication.is_decided else "",
                restart=format_moment(restart) if restart and medication.is_decided else "",
            )
        )
    return rows


def _patient_plan(medication: EpisodeMedicine) -> str:
    if not medication.is_decided:
        return _(
            "Your care team is still asking your doctor about this medicine. Keep taking it as usual until we call you."
        )
    return {
        Decision.CONTINUE: _(
            "Keep taking it as usual, also on the day of your procedure unless we tell you otherwise."
        ),
        Decision.CONTINUE_LIQUID_DIET: _(
            "Keep taking it. Have only clear liquids from 24 hours before your procedure (see your checklist)."
        ),
        Decision.BRIDGING: _(
            "Stop it on the date below. Use the short-acting blood thinner exactly as your care team planned."
        ),
    }.get(medication.decision, _("Stop it on the date below, and restart it when shown."))


def medicines_at_risk(now: dt.datetime, horizon: dt.datetime) -> Q:
    """The plan's At-risk rule (registered in `checklists.readiness_rules`), an SQL condition on Episode.

    - A medicine on the list waits for the prescriber's decision: At risk from the moment it is listed
      (its decision task, due at the proposed last dose, makes it Blocked once overdue).
    - The medicine review has no answer ("list complete" or "no regular medicines") once the protocol's
      review task is due within the At-risk window: At risk, even if the task was ticked or marked not
      applicable on the checklist without an answer (while the task is open and overdue it blocks).
    """
    undecided = EpisodeMedicine.objects.active().filter(episode=OuterRef("pk"), decision=Decision.PENDING)
    review_due = ChecklistTask.objects.filter(
        episode=OuterRef("pk"), title__iexact=REVIEW_TASK_TITLE, due_at__lte=horizon
    )
    answered = MedicineReview.objects.filter(episode=OuterRef("pk"))
    return Q(Exists(undecided)) | (Q(Exists(review_due)) & ~Q(Exists(answered)))


def huddle_blood_thinners(episodes: list[Episode]) -> dict[int, list[str]]:
    """The huddle sheet's "Blood thinners · INR" lines of each episode, in one query.

    Each anticoagulant or antiplatelet on the list with its decision ("Clopidogrel: last dose Sun 6 Dec
    (decided)", "Apixaban: NO DECISION"), then the latest INR with its unit and limit; or what the
    plan says when there is none ("No regular medicines", "No blood thinners listed", "Medicines not
    reviewed").
    """
    starts = {episode.pk: episode.scheduled_start for episode in episodes}
    latest_inr = LabResult.objects.filter(episode=OuterRef("pk"), lab_test__slug=HUDDLE_LAB_TEST).order_by(
        "-taken_at", "-pk"
    )
    inr_fields = ("value", "unit", "lower_limit", "upper_limit", "in_range", "taken_at")
    rows = (
        Episode.objects.filter(pk__in=starts)
        .annotate(**{f"inr_{name}": Subquery(latest_inr.values(name)[:1]) for name in inr_fields})
        .values(
            "pk",
            "medicine_review__no_regular_medicines",
            *(f"inr_{name}" for name in inr_fields),
            *(f"medicines__{name}" for name in _HUDDLE_MEDICINE_FIELDS),
        )
        .order_by("pk", "medicines__added_at", "medicines__pk")
    )
    lines: dict[int, list[str]] = {pk: [] for pk in starts}
    reviewed: dict[int, bool | None] = {}
    inr: dict[int, str] = {}
    for row in rows:
        pk = row["pk"]
        reviewed[pk] = row["medicine_review__no_regular_medicines"]
        if row["inr_value"] is not None:
            inr[pk] = _inr_line({name: row[f"inr_{name}"] for name in inr_fields})
        medicine = {name: row[f"medicines__{name}"] for name in _HUDDLE_MEDICINE_FIELDS}
        if medicine["removed_at"] is None and medicine["medicine__drug_class"] in BLOOD_THINNER_CLASSES:
            lines[pk].append(_blood_thinner_line(medicine, starts[pk]))
    for pk, episode_lines in lines.items():
        if not episode_lines:
            episode_lines.append(
                {True: "No regular medicines", False: "No blood thinners listed"}.get(
                    reviewed.get(pk), "Medicines not reviewed"
                )
            )
        if pk in inr:
            episode_lines.append(inr[pk])
    return lines


_HUDDLE_MEDICINE_FIELDS = (
    "removed_at",
    "medicine__generic_name",
    "medicine__drug_class",
    "decision",
    "last_dose_day",
    "last_dose_minutes",
    "hold_too_short",
)


def _blood_thinner_line(medicine: dict, start: dt.datetime) -> str:
    name = capfirst(medicine["medicine__generic_name"])
    if medicine["decision"] == Decision.PENDING:
        return f"{name}: HOLD TOO SHORT, NO DECISION" if medicine["hold_too_short"] else f"{name}: NO DECISION"
    if medicine["decision"] in (Decision.CONTINUE, Decision.CONTINUE_LIQUID_DIET):
        return f"{name}: continue (decided)"
    rule = last_dose_rule(day=medicine["last_dose_day"], minutes=medicine["last_dose_minutes"])
    last_dose = local_time(rule.due_at_for(start))
    when = f"{last_dose:%a} {last_dose.day} {last_dose:%b}"
    if medicine["last_dose_minutes"] is not None:
        when += f" {last_dose:%H:%M}"
    bridging = ", bridging" if medicine["decision"] == Decision.BRIDGING else ""
    return f"{name}: last dose {when}{bridging} (decided)"


def _inr_line(result: dict) -> str:
    # A subquery's decimals come back as floats on SQLite: back to the column's two places.
    value, lower, upper = (
        None if number is None else Decimal(number).quantize(CENTS)
        for number in (result["value"], result["lower_limit"], result["upper_limit"])
    )
    limits = LabTest(unit=result["unit"], lower_limit=lower, upper_limit=upper)
    taken = local_time(result["taken_at"])
    verdict = "within" if result["in_range"] else "OUTSIDE"
    when = f"{taken:%a} {taken.day} {taken:%b %H:%M}"
    return f"INR {value} {result['unit']}, {verdict} {limits.describe_range()} ({when})"
