"""What a nurse sees when a form is wrong: a 400 (or 409) with a clear message, and nothing saved."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects

from checklists.models import ChecklistTask, Episode, Patient, RejectedTaskChange
from checklists.services.tasks import task_mark_done, task_reopen
from tests.factories import PatientFactory

REQUIRED = "This field is required."


def patient_data(**changes) -> dict:
    data = {
        "mrn": "kp-2041",
        "first_name": "Rosa",
        "last_name": "Newcomer",
        "date_of_birth": "1948-03-02",
        "email": "rosa@example.org",
        "phone": "(202) 555-0143",
        "preferred_language": "es",
    }
    return {**data, **changes}


def local_start(**delta) -> dt.datetime:
    """A procedure start in the hospital's local time, to the minute, as the datetime-local input sends it."""
    return (timezone.localtime() + dt.timedelta(**delta)).replace(second=0, microsecond=0)


def episode_data(protocol_version, /, **changes) -> dict:
    data = {
        "protocol_version": protocol_version.pk,
        "scheduled_start": local_start(days=10).strftime("%Y-%m-%dT%H:%M"),
        "admission_type": "same_day",
        "vertebral_levels": "t12 l1",
        "clinician": "Dr. Patel",
    }
    return {**data, **changes}


def task_state(task: ChecklistTask) -> tuple:
    task.refresh_from_db()
    return (task.status, task.version, task.reason, task.note, task.completed_by_id, task.completed_at)


@pytest.fixture
def nurse_client(client, nurse):
    client.force_login(nurse)
    return client


# Patients


def test_nurse_adds_a_patient(nurse_client):
    response = nurse_client.post(reverse("checklists:patient-create"), patient_data())

    patient = Patient.objects.get()
    assertRedirects(response, reverse("checklists:patient-detail", args=[patient.pk]))
    assert patient.mrn == "KP-2041"
    assert (patient.first_name, patient.last_name, patient.date_of_birth) == ("Rosa", "Newcomer", dt.date(1948, 3, 2))
    assert patient.preferred_language == "es"


@pytest.mark.parametrize("mrn", ["KP-2041", " kp-2041 "])
def test_patient_with_an_mrn_already_in_use_is_not_saved(nurse_client, mrn):
    PatientFactory(mrn="KP-2041")

    response = nurse_client.post(reverse("checklists:patient-create"), patient_data(mrn=mrn))

    assertContains(response, "Patient with this MRN already exists.", status_code=400)
    assert response.context["form"].errors == {"mrn": ["Patient with this MRN already exists."]}
    assert Patient.objects.count() == 1


def test_patient_born_in_the_future_is_not_saved(nurse_client):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = nurse_client.post(reverse("checklists:patient-create"), patient_data(date_of_birth=tomorrow.isoformat()))

    assertContains(response, "The date of birth cannot be in the future.", status_code=400)
    assert response.context["form"].errors == {"date_of_birth": ["The date of birth cannot be in the future."]}
    assert Patient.objects.count() == 0


@pytest.mark.parametrize("field", ["mrn", "first_name", "last_name", "date_of_birth"])
def test_patient_missing_a_required_field_is_not_saved(nurse_client, field):
    response = nurse_client.post(reverse("checklists:patient-create"), patient_data(**{field: ""}))

    assertContains(response, REQUIRED, status_code=400)
    assert response.context["form"].errors == {field: [REQUIRED]}
    assert Patient.objects.count() == 0


# Episodes


def test_nurse_schedules_a_procedure_with_one_task_per_template(nurse_client, nurse, protocol_version):
    patient = PatientFactory()
    start = local_start(days=10)

    response = nurse_client.post(
        reverse("checklists:episode-create", args=[patient.pk]),
        episode_data(protocol_version, scheduled_start=start.strftime("%Y-%m-%dT%H:%M"), nurse=nurse.pk),
    )

    episode = Episode.objects.get()
    assertRedirects(response, reverse("checklists:episode-detail", args=[episode.pk]))
    assert (episode.patient, episode.protocol_version, episode.nurse) == (patient, protocol_version, nurse)
    assert episode.scheduled_start == start
    assert episode.vertebral_levels == "T12, L1"
    assert episode.clinician == "Dr. Patel"
    assert sorted(episode.tasks.values_list("template_id", flat=True)) == sorted(
        protocol_version.tasks.values_list("pk", flat=True)
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"scheduled_start": local_start(hours=-1).strftime("%Y-%m-%dT%H:%M")},
            "scheduled_start",
            "The procedure must be scheduled in the future.",
        ),
        (
            {"vertebral_levels": "X9"},
            "vertebral_levels",
            "Not a vertebral level: X9. Use C1–C7, T1–T12, L1–L5 or S1.",
        ),
        ({"protocol_version": ""}, "protocol_version", REQUIRED),
        ({"scheduled_start": ""}, "scheduled_start", REQUIRED),
        ({"vertebral_levels": ""}, "vertebral_levels", REQUIRED),
        ({"clinician": ""}, "clinician", REQUIRED),
    ],
    ids=["start-in-the-past", "unknown-level", "no-protocol", "no-start", "no-levels", "no-clinician"],
)
def test_invalid_procedure_is_not_scheduled(nurse_client, protocol_version, changes, field, message):
    patient = PatientFactory()

    response = nurse_client.post(
        reverse("checklists:episode-create", args=[patient.pk]), episode_data(protocol_version, **changes)
    )

    assertContains(response, message, status_code=400)
    assert response.context["form"].errors == {field: [message]}
    assert Episode.objects.count() == 0
    assert ChecklistTask.objects.count() == 0


# Task changes


@pytest.fixture
def pending_task(episode) -> ChecklistTask:
    return episode.tasks.get(title="Lie flat")


@pytest.fixture
def done_task(episode, nurse) -> ChecklistTask:
    task = episode.tasks.get(title="Arrange a driver")
    return task_mark_done(task=task, by=nurse, expected_version=task.version)


@pytest.mark.parametrize("reason", ["", "   "])
@pytest.mark.parametrize(
    ("url_name", "task_fixture"),
    [("checklists:task-not-applicable", "pending_task"), ("checklists:task-reopen", "done_task")],
)
def test_task_change_without_a_reason_is_refused(nurse_client, request, url_name, task_fixture, reason):
    task = request.getfixturevalue(task_fixture)
    before = task_state(task)

    response = nurse_client.post(reverse(url_name, args=[task.pk]), {"version": task.version, "reason": reason})

    assertContains(response, "A reason is required", status_code=400)
    assert task_state(task) == before
    assert RejectedTaskChange.objects.count() == 0


@pytest.mark.parametrize(
    ("url_name", "task_fixture", "attempted_status"),
    [
        ("checklists:task-mark-done", "pending_task", ChecklistTask.Status.DONE),
        ("checklists:task-not-applicable", "pending_task", ChecklistTask.Status.NOT_APPLICABLE),
        ("checklists:task-reopen", "done_task", ChecklistTask.Status.PENDING),
    ],
)
def test_task_change_from_a_stale_page_is_refused_and_recorded(
    nurse_client, request, nurse, other_nurse, url_name, task_fixture, attempted_status
):
    task = request.getfixturevalue(task_fixture)
    seen_version = task.version
    # Olga changes the task after Nina loaded the page.
    if task.is_pending:
        task_mark_done(task=task, by=other_nurse, expected_version=seen_version)
    else:
        task_reopen(task=task, by=other_nurse, expected_version=seen_version, reason="Ticked too early")
    before = task_state(task)

    response = nurse_client.post(
        reverse(url_name, args=[task.pk]), {"version": seen_version, "reason": "Patient has a driver"}
    )

    assertContains(response, "changed by someone else", status_code=409)
    assert task_state(task) == before
    rejected = RejectedTaskChange.objects.get()
    assert (rejected.task, rejected.attempted_by, rejected.attempted_status) == (task, nurse, attempted_status)
    assert (rejected.seen_version, rejected.current_version) == (seen_version, task.version)
