"""Correcting what was entered wrong: a patient's record and a procedure, through services, every change audited."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from checklists import events
from checklists.events import EpisodeDetailsChanged, receiver
from checklists.models import Admission, ChecklistTask, Episode, Patient, Protocol, Side
from checklists.services.episodes import episode_cancel, episode_reschedule, episode_update
from checklists.services.patients import patient_create, patient_update
from portal.timeline import format_moment
from tests.factories import PatientFactory, schedule_episode


def test_a_patient_is_created_through_the_service_with_its_first_history_line(nurse):
    patient = patient_create(
        by=nurse, mrn="MRN-1", first_name="Rosa", last_name="Diaz", date_of_birth=dt.date(1950, 1, 2), allergies="Latex"
    )

    record = patient.history.get()
    assert (record.history_user, record.history_change_reason, record.allergies) == (nurse, "Patient added", "Latex")


def test_correcting_an_email_needs_no_reason_and_is_in_the_history(nurse):
    patient = PatientFactory(email="rosa@exmaple.org")

    patient_update(patient=patient, by=nurse, email="rosa@example.org")

    patient.refresh_from_db()
    assert patient.email == "rosa@example.org"
    latest = patient.history.first()
    assert (latest.history_user, latest.history_change_reason) == (nurse, "Details corrected")
    assert latest.prev_record.email == "rosa@exmaple.org"


def test_changing_allergies_or_the_date_of_birth_needs_a_reason(nurse):
    patient = PatientFactory(allergies="")

    with pytest.raises(ValidationError, match="allergies"):
        patient_update(patient=patient, by=nurse, allergies="Iodine contrast")

    patient.refresh_from_db()
    assert patient.allergies == ""
    patient_update(patient=patient, by=nurse, allergies="Iodine contrast", reason="Told us on the phone")
    assert patient.history.first().history_change_reason == "Told us on the phone"


def test_saving_unchanged_details_writes_no_history(nurse):
    patient = PatientFactory()
    before = patient.history.count()

    patient_update(patient=patient, by=nurse, email=patient.email)

    assert patient.history.count() == before


def test_a_nurse_corrects_the_email_then_invites_the_patient(client, nurse):
    patient = PatientFactory(email="", user=None)
    client.force_login(nurse)
    page = client.get(reverse("checklists:patient-detail", args=[patient.pk])).content.decode()
    edit_url = reverse("checklists:patient-edit", args=[patient.pk])
    assert f'href="{edit_url}"' in page  # no dead end: the page says where to add it

    form = client.get(edit_url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name != "id"}
    data |= {"email": "rosa.diaz@example.org", "date_of_birth": patient.date_of_birth.isoformat()}
    data.pop("user", None)
    data.pop("created_at", None)
    data.pop("interpreter_needed", None)
    saved = client.post(edit_url, data)
    invited = client.post(reverse("portal:patient-invite", args=[patient.pk]))

    assert saved.status_code == 302
    assert invited.status_code == 302
    patient.refresh_from_db()
    assert patient.email == "rosa.diaz@example.org"
    assert patient.user is not None
    assert [message.to for message in mail.outbox] == [["rosa.diaz@example.org"]]
    history = client.get(reverse("checklists:patient-detail", args=[patient.pk])).content.decode()
    assert "email: " in history and "rosa.diaz@example.org" in history
    assert "Nina Nurse" in history


def test_the_patient_page_is_titled_with_the_name_and_shows_the_record_history_once(client, nurse):
    patient = PatientFactory(first_name="Rosa", last_name="Diaz")
    client.force_login(nurse)

    page = client.get(reverse("checklists:patient-detail", args=[patient.pk])).content.decode()

    assert "<title>Rosa Diaz · Kypho Tracker</title>" in page
    assert page.count('id="patient-history-heading"') == 1


def test_an_edit_refused_for_lack_of_a_reason_is_a_400_with_the_message(client, nurse):
    patient = PatientFactory(allergies="")
    client.force_login(nurse)
    data = {
        "mrn": patient.mrn,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "preferred_language": "en",
        "allergies": "Penicillin",
    }

    response = client.post(reverse("checklists:patient-edit", args=[patient.pk]), data)

    assert response.status_code == 400
    assert "Give a reason for changing the allergies" in response.content.decode()
    patient.refresh_from_db()
    assert patient.allergies == ""


def test_levels_and_clinician_change_only_with_a_reason_and_the_history_shows_old_and_new(client, nurse, episode):
    with pytest.raises(ValidationError, match="vertebral levels"):
        episode_update(episode=episode, by=nurse, vertebral_levels="l2")

    episode_update(
        episode=episode,
        by=nurse,
        vertebral_levels="l2",
        side=Side.LEFT,
        clinician="Dr. Nguyen",
        reason="Imaging showed L2, not L1",
    )

    episode.refresh_from_db()
    assert (episode.vertebral_levels, episode.side, episode.clinician) == ("L2", "left", "Dr. Nguyen")
    latest = episode.history.first()
    assert (latest.history_user, latest.history_change_reason) == (nurse, "Imaging showed L2, not L1")
    client.force_login(nurse)
    page = client.get(reverse("checklists:episode-detail", args=[episode.pk])).content.decode()
    history = page[page.index('id="history-heading"') :]
    assert "vertebral levels: L1 → L2" in history
    assert "side: Left" in history
    assert "clinician: Dr. Patel → Dr. Nguyen" in history


def test_assigning_a_nurse_needs_no_reason_and_the_history_names_her(client, nurse, other_nurse, episode):
    episode_update(episode=episode, by=nurse, nurse=other_nurse)

    episode.refresh_from_db()
    assert episode.nurse == other_nurse
    client.force_login(nurse)
    page = client.get(reverse("checklists:episode-detail", args=[episode.pk])).content.decode()
    assert "nurse: Nina Nurse → Olga Other" in page
    assert "Nurse: Olga Other" in page


def test_a_change_is_announced_with_the_old_values(nurse, other_nurse, episode):
    seen = []

    @receiver(EpisodeDetailsChanged)
    def remember(event):
        seen.append(event)

    try:
        episode_update(episode=episode, by=nurse, nurse=other_nurse, arrival_minutes_before=60)
    finally:
        events._receivers[EpisodeDetailsChanged].remove(remember)  # the registry is global
    assert [event.previous for event in seen] == [{"nurse": nurse, "arrival_minutes_before": 90}]


def test_the_edit_page_saves_through_the_service(client, nurse, episode):
    client.force_login(nurse)
    url = reverse("checklists:episode-edit", args=[episode.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "vertebral_levels": "T12, L1",
            "clinician": "Dr. Patel",
            "admission_type": "same_day",
            "arrival_minutes_before": 120,
            "reason": "",
        },
    )

    assert response.status_code == 400  # the levels changed, without a reason
    response = client.post(
        url,
        {
            "vertebral_levels": "L1",
            "clinician": "Dr. Patel",
            "admission_type": "same_day",
            "nurse": nurse.pk,
            "arrival_minutes_before": 120,
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.arrival_minutes_before == 120


def test_a_cancelled_procedure_is_not_edited(client, nurse, episode):
    episode_cancel(episode=episode, by=nurse, reason="Unwell")
    with pytest.raises(ValidationError):
        episode_update(episode=episode, by=nurse, nurse=None)
    client.force_login(nurse)
    assert client.get(reverse("checklists:episode-edit", args=[episode.pk])).status_code == 302


def test_arrival_defaults_from_the_protocol_and_moves_with_the_start(nurse, episode):
    assert episode.arrival_minutes_before == episode.protocol_version.protocol.arrival_minutes_before == 90
    assert episode.arrival_at == episode.scheduled_start - dt.timedelta(minutes=90)

    new_start = episode.scheduled_start + dt.timedelta(days=1, hours=2)
    episode_reschedule(episode=episode, scheduled_start=new_start, by=nurse, reason="Theatre moved")

    episode = Episode.objects.get(pk=episode.pk)
    assert episode.arrival_at == new_start - dt.timedelta(minutes=90)


def test_the_patient_sees_the_arrival_time_on_the_page_and_in_the_calendar(client, patient_user, nurse, episode):
    episode_update(episode=episode, by=nurse, arrival_minutes_before=60)
    client.force_login(patient_user)

    page = client.get(reverse("portal:episode", args=[episode.pk])).content.decode()
    printed = client.get(reverse("portal:episode-print", args=[episode.pk])).content.decode()
    calendar = client.get(reverse("portal:episode-calendar", args=[episode.pk])).content.decode()

    arrival = format_moment(Episode.objects.get(pk=episode.pk).arrival_at)
    assert f"Please arrive at the hospital: <strong>{arrival}</strong>" in page
    assert f"Please arrive at the hospital: <strong>{arrival}</strong>" in printed
    assert "Please arrive at the hospital:" in calendar.replace("\r\n ", "")


def test_a_patient_without_contact_details_shows_it_on_the_episode_page(client, nurse, protocol_version):
    episode = schedule_episode(
        by=nurse, protocol_version=protocol_version, patient=PatientFactory(phone="", email="", interpreter_needed=True)
    )
    client.force_login(nurse)

    page = client.get(reverse("checklists:episode-detail", args=[episode.pk])).content.decode()

    assert "No phone number on record" in page
    assert "Interpreter needed" in page
    assert Patient.objects.get(pk=episode.patient_id).phone == ""


def test_changing_the_admission_needs_a_reason_and_swaps_the_after_care_in_the_history(client, nurse):
    call_command("load_protocols", stdout=open("/dev/null", "w"))  # noqa: SIM115
    version = Protocol.objects.get(slug="kyphoplasty").current_version()
    episode = schedule_episode(
        by=nurse, protocol_version=version, start=dt.datetime.now(dt.UTC) + dt.timedelta(days=10)
    )
    driver_home = episode.tasks.get(title="Go home only when your driver is here")
    with pytest.raises(ValidationError, match="Give a reason for changing the admission type"):
        episode_update(episode=episode, by=nurse, admission_type=Admission.OVERNIGHT)

    episode_update(episode=episode, by=nurse, admission_type=Admission.OVERNIGHT, reason="Lives alone")

    episode.refresh_from_db()
    assert episode.admission_type == Admission.OVERNIGHT
    assert episode.history.first().history_change_reason == "Lives alone"
    driver_home.refresh_from_db()
    assert (driver_home.status, driver_home.reason) == (
        ChecklistTask.Status.NOT_APPLICABLE,
        "Admission changed to overnight stay: Lives alone",
    )
    ward_room = episode.tasks.get(title="Move to a ward room for the night")
    assert ward_room.is_pending
    assert ward_room.history.get().history_change_reason == "Admission changed to overnight stay: Lives alone"

    # Changed back, the same-day task is reopened and the overnight ones set aside: nothing is deleted.
    episode_update(episode=episode, by=nurse, admission_type=Admission.SAME_DAY, reason="Daughter stays with her")
    driver_home.refresh_from_db()
    ward_room.refresh_from_db()
    assert driver_home.is_pending and ward_room.status == ChecklistTask.Status.NOT_APPLICABLE
    assert episode.tasks.filter(title="Move to a ward room for the night").count() == 1


def test_the_edit_page_offers_the_admission_type(client, nurse, episode):
    client.force_login(nurse)

    page = client.get(reverse("checklists:episode-edit", args=[episode.pk])).content.decode()

    assert 'name="admission_type"' in page and "Overnight stay" in page
