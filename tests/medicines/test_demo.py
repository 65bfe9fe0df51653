"""seed_demo gives Maria her decided clopidogrel and ibuprofen, another patient warfarin with an INR, and a
third apixaban with no decision, Blocked on the worklist for it; running it again changes nothing."""

from django.core.management import call_command
from django.utils import timezone

from checklists.models import ChecklistTask, Episode, Readiness
from medicines.models import REVIEW_TASK_TITLE, Decision, EpisodeMedicine, LabResult


def test_seed_demo_plans_three_patients_once(db):
    call_command("seed_demo")
    medicines = EpisodeMedicine.objects.select_related("episode__patient")
    plans = {(medication.episode.patient.full_name, medication.name): medication for medication in medicines}
    assert plans[("Maria Lopez", "clopidogrel")].decision == Decision.STOP_AS_PROPOSED
    assert plans[("Maria Lopez", "ibuprofen")].decision == Decision.STOP_AS_PROPOSED
    (warfarin,) = [m for m in plans.values() if m.name == "warfarin"]
    assert warfarin.decision == Decision.STOP_AS_PROPOSED
    assert str(LabResult.objects.get(episode=warfarin.episode)) == "INR 1.20 ratio"
    (apixaban,) = [m for m in plans.values() if m.name == "apixaban"]
    assert apixaban.decision == Decision.PENDING
    assert apixaban.decision_task.due_at < timezone.now()
    assert Episode.objects.with_readiness().get(pk=apixaban.episode_id).readiness == Readiness.BLOCKED
    # Every review the seed ticked has its answer: no demo procedure is At risk for an unanswered review.
    ticked = Episode.objects.filter(
        status=Episode.Status.SCHEDULED, tasks__title=REVIEW_TASK_TITLE, tasks__status=ChecklistTask.Status.DONE
    )
    assert ticked.exists()
    assert not ticked.filter(medicine_review__isnull=True).exists()

    call_command("seed_demo")
    assert EpisodeMedicine.objects.count() == 4
