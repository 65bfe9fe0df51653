"""Read-side questions about a medication plan: the nurse's page, "My medicines", and the day-of lab checks."""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from checklists.hospital_time import local_day
from checklists.models import Episode

from .models import Decision, EpisodeMedicine, LabResult


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
