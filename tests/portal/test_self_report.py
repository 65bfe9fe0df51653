"""'I've done this': the patient reports their own task, the nurse verifies or rejects it, all in the audit."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from checklists.models import ChecklistTask, RejectedTaskChange, Responsible
from checklists.selectors import episode_history
from checklists.services.episodes import episode_cancel, episode_record_done
from checklists.services.tasks import task_mark_done

DRIVER = "Arrange a driver"  # the patient's own task in the small protocol
BUTTON_FOR_DRIVER = 'I\'ve done this<span class="visually-hidden">: Arrange a driver'
BUTTON_FOR_LIE_FLAT = 'I\'ve done this<span class="visually-hidden">: Lie flat'


def report(client, task: ChecklistTask, version: int | None = None):
    data = {} if version == 0 else {"version": task.version if version is None else version}
    return client.post(reverse("portal:task-report", args=[task.pk]), data)


@pytest.fixture
def driver(episode) -> ChecklistTask:
    return episode.tasks.get(title=DRIVER)


def test_patient_reports_their_own_task_and_it_waits_for_the_nurse(client, patient_user, driver):
    client.force_login(patient_user)

    response = report(client, driver)

    assert response.status_code == 302
    assert response.url == f"{reverse('portal:episode', args=[driver.episode_id])}#task-{driver.pk}"
    driver.refresh_from_db()
    assert driver.status == ChecklistTask.Status.PENDING
    assert driver.awaits_verification
    assert driver.version == 2
    page = client.get(response.url).content.decode()
    assert "We told your nurse that “Arrange a driver” is done." in page
    assert "You told us this is done. A nurse will check it." in page
    assert BUTTON_FOR_DRIVER not in page


def test_self_report_is_in_the_audit_trail_with_the_patient_as_author(client, patient_user, driver):
    client.force_login(patient_user)

    report(client, driver)

    record = driver.history.latest()
    assert record.history_user == patient_user
    assert record.history_change_reason == "Reported done by the patient"
    entry = episode_history(driver.episode)[0]
    assert entry.who == patient_user
    assert entry.task_title == DRIVER
    assert entry.changes[0][0] == "patient reported at"


def test_nurse_sees_the_report_on_the_checklist_and_the_worklist(client, patient_user, nurse, driver):
    client.force_login(patient_user)
    report(client, driver)
    client.force_login(nurse)

    checklist = client.get(reverse("checklists:episode-detail", args=[driver.episode_id])).content.decode()
    worklist = client.get(reverse("checklists:episode-list")).context["page"].object_list

    assert "Patient reported done" in checklist
    assert "Verify and mark done" in checklist
    assert [episode.tasks_to_verify for episode in worklist if episode.pk == driver.episode_id] == [1]


def test_nurse_verifies_the_report_and_the_patient_sees_it_done(client, patient_user, nurse, driver):
    client.force_login(patient_user)
    report(client, driver)
    driver.refresh_from_db()
    client.force_login(nurse)

    client.post(reverse("checklists:task-mark-done", args=[driver.pk]), {"version": driver.version, "note": ""})

    driver.refresh_from_db()
    assert driver.status == ChecklistTask.Status.DONE
    assert driver.completed_by == nurse
    assert [record.history_user for record in driver.history.order_by("history_date")][-2:] == [patient_user, nurse]
    client.force_login(patient_user)
    page = client.get(reverse("portal:checklist")).content.decode()
    assert "✓ </span>Arrange a driver" in page


def test_nurse_rejects_the_report_with_a_reason_and_the_patient_can_report_again(client, patient_user, nurse, driver):
    client.force_login(patient_user)
    report(client, driver)
    driver.refresh_from_db()
    client.force_login(nurse)

    response = client.post(
        reverse("checklists:task-reject-report", args=[driver.pk]),
        {"version": driver.version, "reason": "Driver cancelled on the phone"},
    )

    assert response.status_code == 302
    driver.refresh_from_db()
    assert driver.is_pending
    assert not driver.awaits_verification
    assert driver.history.latest().history_change_reason == "Driver cancelled on the phone"
    client.force_login(patient_user)
    assert report(client, driver).status_code == 302


def test_patient_cannot_report_a_task_that_is_not_theirs(client, patient_user, episode):
    consent = episode.tasks.get(title="Consent signed")  # the clinician's
    client.force_login(patient_user)

    response = report(client, consent)

    assert response.status_code == 409
    assert "Only your own tasks can be reported done." in response.content.decode()
    consent.refresh_from_db()
    assert not consent.awaits_verification
    assert consent.version == 1


def test_reporting_twice_is_refused(client, patient_user, driver):
    client.force_login(patient_user)
    report(client, driver)
    driver.refresh_from_db()

    response = report(client, driver)

    assert response.status_code == 409
    assert "You have already told us this is done." in response.content.decode()


def test_report_on_a_task_changed_meanwhile_is_refused_and_recorded(client, patient_user, nurse, driver):
    seen_version = driver.version
    task_mark_done(task=driver, by=nurse, expected_version=driver.version)
    client.force_login(patient_user)

    response = report(client, driver, version=seen_version)

    assert response.status_code == 409
    assert "was changed a moment ago, so nothing was saved" in response.content.decode()
    rejected = RejectedTaskChange.objects.get(task=driver)
    assert rejected.attempted_by == patient_user
    driver.refresh_from_db()
    assert driver.status == ChecklistTask.Status.DONE


def test_report_without_a_version_is_a_bad_request(client, patient_user, driver):
    client.force_login(patient_user)

    response = report(client, driver, version=0)

    assert response.status_code == 400
    driver.refresh_from_db()
    assert driver.version == 1


def test_report_on_a_cancelled_procedure_is_refused(client, patient_user, nurse, driver):
    episode_cancel(episode=driver.episode, by=nurse, reason="Patient has the flu")
    client.force_login(patient_user)

    response = report(client, driver)

    assert response.status_code == 409
    assert "The procedure is cancelled" in response.content.decode()


def test_patient_b_cannot_report_patient_as_task(client, other_patient_user, driver):
    client.force_login(other_patient_user)

    assert report(client, driver).status_code == 404
    driver.refresh_from_db()
    assert driver.version == 1


def test_only_the_patients_own_open_tasks_have_the_button(client, patient_user, episode):
    client.force_login(patient_user)

    page = client.get(reverse("portal:checklist")).content.decode()

    buttons = {task.title for task in episode.tasks.all() if reverse("portal:task-report", args=[task.pk]) in page}
    assert buttons == {"Arrange a driver", "Last solid food"}


def test_after_the_procedure_only_after_care_tasks_can_be_reported(client, patient_user, nurse, episode):
    episode.tasks.filter(title="Lie flat").update(responsible=Responsible.PATIENT)
    driver, lie_flat = episode.tasks.get(title=DRIVER), episode.tasks.get(title="Lie flat")
    with time_machine.travel(episode.scheduled_start + dt.timedelta(hours=2)):
        client.force_login(patient_user)
        episode_record_done(episode=episode, by=nurse)
        page = client.get(reverse("portal:checklist")).content.decode()

        assert BUTTON_FOR_DRIVER not in page
        assert BUTTON_FOR_LIE_FLAT in page
        assert page.index("Next for you") < page.index("Lie flat") < page.index("Step by step")

        refused = report(client, driver)
        accepted = report(client, lie_flat)

    assert refused.status_code == 409
    assert "This step was for before your procedure, which has now taken place." in refused.content.decode()
    driver.refresh_from_db()
    assert not driver.awaits_verification
    assert accepted.status_code == 302
    lie_flat.refresh_from_db()
    assert lie_flat.awaits_verification
