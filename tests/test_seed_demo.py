import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from checklists.models import Admission, ChecklistTask, ContactAttempt, Episode, Patient, Phase, Readiness, overdue
from checklists.timeline_demo import TIMELINE_EXAMPLES
from notifications.models import Message
from tests.factories import built_once_for_the_scope


@pytest.fixture(scope="class")
def seeded_once(django_db_setup, django_db_blocker):
    """The demo seeded once for the tests that read it (it takes seconds), as Django's setUpTestData does:
    in a transaction rolled back after the class's last test; each test's own changes roll back after it."""
    with built_once_for_the_scope(django_db_blocker):
        call_command("seed_demo")
        yield


@pytest.fixture
def seeded(seeded_once, db):
    pass


@pytest.mark.usefixtures("seeded")
class TestTheSeededDemo:
    """What the demo holds once seeded at the current time."""

    def test_seed_demo_creates_the_demo_logins_thirty_patients_and_the_two_timeline_examples(self):
        assert set(User.objects.values_list("username", "role")) >= {
            ("admin", Role.ADMIN),
            ("nurse", Role.NURSE),
            ("nurse2", Role.NURSE),
            ("patient", Role.PATIENT),
        }
        assert User.objects.get(username="nurse").check_password("kypho-nurse")
        assert Patient.objects.count() == 35 + len(TIMELINE_EXAMPLES)
        maria = Patient.objects.get(user__username="patient")
        assert maria.episodes.filter(scheduled_start__gt=timezone.now()).exists()

    def test_seed_demo_spreads_episodes_and_mixes_task_states(self):
        now = timezone.now()
        starts = Episode.objects.values_list("scheduled_start", flat=True)
        assert min(starts) < now - timezone.timedelta(days=9)
        assert max(starts) > now + timezone.timedelta(days=20)
        statuses = set(ChecklistTask.objects.values_list("status", flat=True))
        assert statuses == set(ChecklistTask.Status.values)
        # A few set aside as not needed, at random: never a hard stop (that is a clinical decision).
        assert not ChecklistTask.objects.filter(
            status=ChecklistTask.Status.NOT_APPLICABLE, is_critical=True, reason="Not needed for this patient"
        ).exists()
        assert ChecklistTask.objects.filter(status=ChecklistTask.Status.PENDING, due_at__lt=now).exists()  # overdue

    def test_seed_demo_run_twice_changes_nothing(self):
        counts = (User.objects.count(), Patient.objects.count(), Episode.objects.count(), ChecklistTask.objects.count())
        call_command("seed_demo")
        assert (
            User.objects.count(),
            Patient.objects.count(),
            Episode.objects.count(),
            ChecklistTask.objects.count(),
        ) == counts

    def test_the_demo_admin_sees_a_populated_report_with_charts_and_csv_files(self, client):
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

    def test_the_demo_has_an_0800_same_day_and_a_1400_overnight_patient_and_its_past_procedures_had_a_time_out(self):
        early = Episode.objects.get(patient__mrn="DEMO-T08")
        late = Episode.objects.get(patient__mrn="DEMO-T14")
        assert (timezone.localtime(early.scheduled_start).hour, early.admission_type) == (8, Admission.SAME_DAY)
        assert (timezone.localtime(late.scheduled_start).hour, late.admission_type) == (14, Admission.OVERNIGHT)
        assert late.tasks.filter(title="Move to a ward room for the night").exists()
        assert not late.tasks.filter(title="Go home only when your driver is here").exists()
        for done in Episode.objects.filter(status=Episode.Status.COMPLETED):
            assert done.time_outs.exists() and done.procedure_ended_at and done.levels_treated

    def test_seed_demo_sends_only_the_demo_patients_confirmation_not_one_per_patient(self):
        confirmations = Message.objects.filter(kind="confirmation")
        assert confirmations.count() > 20  # one per upcoming procedure and channel, all in the log
        going = confirmations.filter(status="scheduled")
        assert set(going.values_list("patient__user__username", flat=True)) == {"patient"}
        assert set(confirmations.exclude(status="scheduled").values_list("status", flat=True)) == {"cancelled"}
        # The rest of the plan is left alone: tomorrow's patients get their night-before summary.
        assert Message.objects.filter(kind="night_before", status="scheduled").exists()

    def test_the_demo_patient_is_told_her_open_checkin_with_its_link_and_no_one_else_at_once(self):
        now = timezone.now()
        checkin_messages = Message.objects.filter(kind="checkin_open")
        open_now = checkin_messages.filter(checkin__opens_at__lte=now, status="scheduled")
        # Her baseline check-in is open (the seed prints its link): it goes by email and SMS; the other
        # demo patients' open check-ins stay in the log, not sent.
        assert set(open_now.values_list("patient__user__username", "checkin__point__key", "channel")) == {
            ("patient", "baseline", "email"),
            ("patient", "baseline", "sms"),
        }
        assert checkin_messages.filter(status="cancelled").exclude(patient__user__username="patient").exists()
        # Check-ins opening later keep their message, planned.
        assert checkin_messages.filter(checkin__opens_at__gt=now, status="scheduled").exists()
        messages = Message.objects.count()
        call_command("seed_demo")
        assert Message.objects.count() == messages


@pytest.mark.parametrize("clock", [dt.time(0, 30), dt.time(8, 0), dt.time(23, 30)])
def test_seed_demo_shows_every_readiness_state_and_realistic_histories_at_any_hour(db, clock):
    now = dt.datetime.combine(dt.date(2026, 3, 4), clock, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(now, tick=False):
        call_command("seed_demo")
        upcoming = Episode.objects.filter(status=Episode.Status.SCHEDULED, scheduled_start__gt=now).with_readiness()
        states = set(upcoming.values_list("readiness", flat=True))
        named = dict(upcoming.filter(patient__mrn__startswith="STATE-").values_list("patient__last_name", "readiness"))

    assert states >= {Readiness.BLOCKED, Readiness.AT_RISK, Readiness.ON_TRACK, Readiness.READY}
    # The patients named after a state are in it, and those in a state have nothing else overdue.
    assert named == {
        "Blocked": Readiness.BLOCKED,
        "Atrisk": Readiness.AT_RISK,
        "Ontrack": Readiness.ON_TRACK,
        "Ready": Readiness.READY,
        "Expedited": Readiness.AT_RISK,
    }
    in_a_state = ChecklistTask.objects.filter(episode__patient__last_name__in=["Atrisk", "Ontrack", "Ready"])
    assert not in_a_state.filter(overdue(now)).exists()
    assert Episode.objects.filter(status=Episode.Status.COMPLETED).exists()
    assert Episode.objects.filter(status=Episode.Status.CANCELLED).exists()
    assert Patient.objects.filter(phone="", email="").exists()  # a patient with no contact details
    assert ContactAttempt.objects.filter(outcome=ContactAttempt.Outcome.NO_ANSWER).exists()
    # Nothing of the day itself (consent, time-out, after care) was done more than an hour before its procedure.
    day_tasks = ChecklistTask.objects.filter(phase__in=[Phase.DAY_OF, Phase.AFTER], completed_at__isnull=False)
    assert day_tasks.exists()
    for task in day_tasks.select_related("episode"):
        assert task.completed_at >= task.episode.scheduled_start - dt.timedelta(hours=3), task.title
    assert not ChecklistTask.objects.filter(completed_at__gt=now).exists()
    # An expedited case: scheduled two days ahead, its late tasks due as soon as possible, none overdue.
    expedited = Episode.objects.get(patient__last_name="Expedited")
    late = expedited.tasks.filter(is_expedited=True)
    assert late.exists()
    assert all(now < task.due_at < expedited.scheduled_start for task in late)
    assert not expedited.tasks.filter(due_at__lt=now).exists()
