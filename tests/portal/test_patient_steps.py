"""What the portal asks of the patient: short forms, the pages before consenting, and only their own next step."""

import datetime as dt
import html
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from checklists.models import Episode, Phase
from checklists.services.episodes import episode_cancel, episode_schedule
from portal.timeline import patient_checklist

NEW_YORK = ZoneInfo("America/New_York")
DRIVER = "Arrange an adult to drive you home"
ANESTHESIA = "Ask about past problems with anesthesia"
READING = "Read about your procedure before the day"


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NEW_YORK)


@pytest.fixture
def english(maria):
    maria.preferred_language = "en"
    maria.save()
    return maria


def test_the_patient_gives_the_drivers_name_and_phone_and_the_nurse_reads_them(client, english, marias_episode, nurse):
    driver = marias_episode.tasks.get(title=DRIVER)
    client.force_login(english.user)

    response = client.post(
        reverse("portal:task-answer", args=[driver.pk]),
        {"version": driver.version, "driver_name": "Ana Lopez", "driver_phone": "(555) 010-0199"},
    )

    assert response.status_code == 302
    driver.refresh_from_db()
    assert driver.patient_answers == {"Driver's name": "Ana Lopez", "Driver's phone": "(555) 010-0199"}
    assert driver.awaits_verification  # the patient's own task: answering is also "I've done this"
    latest = driver.history.latest()
    assert latest.history_user == english.user
    assert (
        latest.history_change_reason
        == "Answered by the patient — Driver's name: Ana Lopez; Driver's phone: (555) 010-0199"
    )
    client.force_login(nurse)
    page = html.unescape(client.get(reverse("checklists:episode-detail", args=[marias_episode.pk])).content.decode())
    assert "Patient's answers:</strong> Driver's name: Ana Lopez; Driver's phone: (555) 010-0199" in page


def test_a_bad_phone_number_saves_nothing_and_says_why(client, english, marias_episode):
    driver = marias_episode.tasks.get(title=DRIVER)
    client.force_login(english.user)

    response = client.post(
        reverse("portal:task-answer", args=[driver.pk]),
        {"version": driver.version, "driver_name": "Ana", "driver_phone": "call her"},
    )

    assert response.status_code == 400
    assert "Enter a phone number" in response.content.decode()
    driver.refresh_from_db()
    assert driver.patient_answers == {}


def test_the_patient_answers_the_anesthesia_question_on_the_nurses_task(client, english, marias_episode):
    task = marias_episode.tasks.get(title=ANESTHESIA)
    client.force_login(english.user)

    client.post(
        reverse("portal:task-answer", args=[task.pk]),
        {"version": task.version, "had_problems": "Yes", "details": "My mother woke up slowly"},
    )

    task.refresh_from_db()
    assert task.patient_answers == {
        "Problems with anesthesia (patient or family)": "Yes",
        "What happened": "My mother woke up slowly",
    }
    assert task.is_pending and not task.awaits_verification  # still the nurse's to close


def test_a_task_without_questions_refuses_answers(client, english, marias_episode):
    task = marias_episode.tasks.get(title="Confirm your driver")
    client.force_login(english.user)

    response = client.post(reverse("portal:task-answer", args=[task.pk]), {"version": task.version})

    assert response.status_code == 409


def test_the_pages_before_consent_and_i_have_read_this_in_the_history(client, english, marias_episode):
    reading = marias_episode.tasks.get(title=READING)
    client.force_login(english.user)
    checklist = client.get(reverse("portal:episode", args=[marias_episode.pk])).content.decode()
    reading_item = checklist[checklist.index(READING) :]
    assert reverse("portal:episode-about", args=[marias_episode.pk]) in reading_item
    # Read before the day: listed before the consent, which the doctor goes over on the day.
    assert checklist.index(READING) < checklist.index("Your doctor will go over the consent form with you")

    about = client.get(reverse("portal:episode-about", args=[marias_episode.pk])).content.decode()
    for title in ("What happens during kyphoplasty", "The risks", "Your right to say no"):
        assert title in about
    response = client.post(reverse("portal:episode-information-read", args=[marias_episode.pk]))

    assert response.status_code == 302
    marias_episode.refresh_from_db()
    assert marias_episode.information_read_at is not None
    latest = marias_episode.history.latest()
    assert latest.history_user == english.user
    assert latest.history_change_reason.startswith("The patient read the pages about the procedure")
    # Reading is also "I've done this" on the reading task, for a nurse to verify, in its history.
    reading.refresh_from_db()
    assert reading.awaits_verification
    assert reading.history.latest().history_user == english.user


def test_the_reading_is_due_the_evening_before_in_both_languages(english, marias_episode):
    reading = marias_episode.tasks.get(title=READING)
    day_before = marias_episode.scheduled_start.astimezone(NEW_YORK).date() - dt.timedelta(days=1)
    assert reading.due_at == dt.datetime.combine(day_before, dt.time(20, 0), tzinfo=NEW_YORK)
    assert reading.phase == Phase.NIGHT_BEFORE
    now = marias_episode.scheduled_start - dt.timedelta(days=3)
    for language, expected in (("en", "By 8:00 p.m. "), ("es", "A más tardar el ")):
        with translation.override(language):
            item = next(item for item in patient_checklist(marias_episode, now=now).tasks if item.task == reading)
        assert item.due_text.startswith(expected)
        assert item.shown_phase == Phase.NIGHT_BEFORE
    with translation.override("es"):
        assert "a las 20:00" in item.due_text


def test_the_teams_tasks_read_as_the_teams_and_next_is_always_the_patients(english, marias_episode):
    with translation.override("en"):
        checklist = patient_checklist(marias_episode)
        titles = {item.task.title: item.title for item in checklist.tasks}

    assert (
        titles["Record allergies, including bone cement and contrast dye"] == "The team will ask about your allergies"
    )
    assert titles["Place the IV line"] == "The team will put a small tube in a vein (an IV)"
    assert checklist.next_task.asks_patient


def test_the_14_00_patients_fasting_cut_offs_are_listed_under_the_day_of(nurse, english, kyphoplasty):
    with time_machine.travel(at(2026, 12, 1, 9, 0).timestamp()):
        episode = episode_schedule(
            patient=english,
            protocol_version=kyphoplasty,
            scheduled_start=at(2026, 12, 14, 14, 0),
            vertebral_levels="L1",
            clinician="Dr. Patel",
            nurse=nurse,
            by=nurse,
        )
    with translation.override("en"):
        phases = {phase.phase: phase for phase in patient_checklist(episode, now=at(2026, 12, 1, 10, 0)).phases}

    day_of = {item.task.title: item.due_text for item in phases[Phase.DAY_OF].tasks}
    assert day_of["Last fatty or fried food or meat"] == "By 6:00 a.m. Monday 14 December"
    assert day_of["Last light meal"] == "By 8:00 a.m. Monday 14 December"
    night_before = [item.task.title for item in phases[Phase.NIGHT_BEFORE].tasks]
    assert "Last light meal" not in night_before
    assert "Confirm your driver" in night_before


def test_the_08_00_patients_midnight_cut_off_reads_11_59_pm_the_day_before_in_both_languages(
    client, nurse, english, kyphoplasty
):
    with time_machine.travel(at(2026, 12, 1, 9, 0).timestamp()):
        episode = episode_schedule(
            patient=english,
            protocol_version=kyphoplasty,
            scheduled_start=at(2026, 12, 14, 8, 0),
            vertebral_levels="L1",
            clinician="Dr. Patel",
            nurse=nurse,
            by=nurse,
        )
    with time_machine.travel(at(2026, 12, 1, 10, 0).timestamp()):
        client.force_login(english.user)
        english_page = client.get(reverse("portal:episode", args=[episode.pk])).content.decode()
        client.post(reverse("set_language"), {"language": "es"})
        spanish_page = client.get(reverse("portal:episode", args=[episode.pk])).content.decode()

    assert "By 11:59 p.m. Sunday 13 December" in english_page
    assert "A más tardar el domingo 13 de diciembre a las 23:59" in spanish_page
    for page in (english_page, spanish_page):
        assert "midnight" not in page.lower() and "medianoche" not in page.lower()


def test_a_late_step_asks_the_patient_to_call_never_shows_a_past_deadline(english, marias_episode, settings):
    confirm = marias_episode.tasks.get(title="Confirm your driver")
    with translation.override("en"):
        item = next(
            item
            for item in patient_checklist(marias_episode, now=confirm.due_at + dt.timedelta(hours=1)).tasks
            if item.task == confirm
        )

    assert item.due_text == f"Please call us about this step: {settings.WARD_PHONE}."


def test_an_episode_no_longer_scheduled_cannot_be_marked_read(client, english, marias_episode, nurse):
    episode_cancel(episode=marias_episode, by=nurse, reason="Patient unwell")
    client.force_login(english.user)

    client.post(reverse("portal:episode-information-read", args=[marias_episode.pk]))

    assert Episode.objects.get(pk=marias_episode.pk).information_read_at is None
