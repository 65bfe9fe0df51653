import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from checklists.models import Admission, ChecklistTask, Episode, Patient
from checklists.timeline_demo import TIMELINE_EXAMPLES


@pytest.fixture
def seeded(db):
    call_command("seed_demo")


def test_seed_demo_creates_the_demo_logins_thirty_patients_and_the_two_timeline_examples(seeded):
    assert set(User.objects.values_list("username", "role")) >= {
        ("admin", Role.ADMIN),
        ("nurse", Role.NURSE),
        ("nurse2", Role.NURSE),
        ("patient", Role.PATIENT),
    }
    assert User.objects.get(username="nurse").check_password("kypho-nurse")
    assert Patient.objects.count() == 30 + len(TIMELINE_EXAMPLES)
    assert Patient.objects.get(user__username="patient").episodes.filter(scheduled_start__gt=timezone.now()).exists()


def test_seed_demo_spreads_episodes_and_mixes_task_states(seeded):
    now = timezone.now()
    starts = Episode.objects.values_list("scheduled_start", flat=True)
    assert min(starts) < now - timezone.timedelta(days=9)
    assert max(starts) > now + timezone.timedelta(days=20)
    statuses = set(ChecklistTask.objects.values_list("status", flat=True))
    assert statuses == set(ChecklistTask.Status.values)
    assert ChecklistTask.objects.filter(status=ChecklistTask.Status.PENDING, due_at__lt=now).exists()  # overdue


def test_seed_demo_run_twice_changes_nothing(seeded):
    counts = (User.objects.count(), Patient.objects.count(), Episode.objects.count(), ChecklistTask.objects.count())
    call_command("seed_demo")
    assert (
        User.objects.count(),
        Patient.objects.count(),
        Episode.objects.count(),
        ChecklistTask.objects.count(),
    ) == counts


def test_the_demo_admin_sees_a_populated_report_with_charts_and_csv_files(seeded, client):
    client.force_login(User.objects.get(username="admin"))

    page = client.get(reverse("reports:completion"))

    assert page.status_code == 200
    headline = page.context["report"].headline
    assert headline.completed > 0
    assert headline.ready_rate is not None
    assert 'id="trend-chart-data"' in page.content.decode()
    csv_file = client.get(reverse("reports:table-csv", args=["phases"]))
    assert csv_file.status_code == 200
    assert len(csv_file.content.decode().splitlines()) == 1 + 4  # the header, then the four phases


def test_the_demo_has_an_0800_same_day_and_a_1400_overnight_patient_and_its_past_procedures_had_a_time_out(seeded):
    early = Episode.objects.get(patient__mrn="DEMO-T08")
    late = Episode.objects.get(patient__mrn="DEMO-T14")
    assert (timezone.localtime(early.scheduled_start).hour, early.admission_type) == (8, Admission.SAME_DAY)
    assert (timezone.localtime(late.scheduled_start).hour, late.admission_type) == (14, Admission.OVERNIGHT)
    assert late.tasks.filter(title="Move to a ward room for the night").exists()
    assert not late.tasks.filter(title="Go home only when your driver is here").exists()
    for done in Episode.objects.filter(status=Episode.Status.COMPLETED):
        assert done.time_outs.exists() and done.procedure_ended_at and done.levels_treated
