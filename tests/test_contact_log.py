"""The call log: a failed call has somewhere to go, shows in the history and as the worklist's last contact."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from checklists.models import ContactAttempt
from checklists.services.contacts import contact_attempt_record
from checklists.services.episodes import episode_cancel


def test_a_nurse_logs_a_failed_call_with_a_note(client, nurse, episode):
    client.force_login(nurse)

    response = client.post(
        reverse("checklists:episode-contact", args=[episode.pk]),
        {"outcome": "no_answer", "note": "No answer, left voicemail"},
    )

    assert response.status_code == 302
    call = ContactAttempt.objects.get()
    assert (call.episode, call.outcome, call.note, call.made_by) == (
        episode,
        ContactAttempt.Outcome.NO_ANSWER,
        "No answer, left voicemail",
        nurse,
    )
    page = client.get(reverse("checklists:episode-detail", args=[episode.pk])).content.decode()
    history = page[page.index('id="history-heading"') :]
    assert "Call to the patient" in history
    assert "No answer" in history and "No answer, left voicemail" in history and "Nina Nurse" in history


def test_every_outcome_can_be_logged_and_an_unknown_one_is_a_400(client, nurse, episode):
    for outcome in ContactAttempt.Outcome.values:
        contact_attempt_record(episode=episode, by=nurse, outcome=outcome)
    client.force_login(nurse)

    response = client.post(reverse("checklists:episode-contact", args=[episode.pk]), {"outcome": "shouted"})

    assert response.status_code == 400
    assert ContactAttempt.objects.count() == len(ContactAttempt.Outcome.values) == 5
    with pytest.raises(ValidationError):
        contact_attempt_record(episode=episode, by=nurse, outcome="shouted")


def test_no_call_is_logged_on_a_cancelled_procedure(nurse, episode):
    episode_cancel(episode=episode, by=nurse, reason="Unwell")

    with pytest.raises(ValidationError, match="cancelled"):
        contact_attempt_record(episode=episode, by=nurse, outcome=ContactAttempt.Outcome.REACHED)
    assert not ContactAttempt.objects.exists()


def test_the_worklist_shows_each_procedures_last_contact(client, nurse, episode, other_episode):
    earlier = timezone.now() - dt.timedelta(hours=3)
    with time_machine.travel(earlier, tick=False):
        contact_attempt_record(episode=episode, by=nurse, outcome=ContactAttempt.Outcome.NO_ANSWER)
    contact_attempt_record(episode=episode, by=nurse, outcome=ContactAttempt.Outcome.CALL_BACK, note="After 5 pm")
    client.force_login(nurse)

    response = client.get(reverse("checklists:episode-list"))

    rows = {row.pk: row for row in response.context["page"].object_list}
    assert rows[episode.pk].get_last_contact_outcome_display() == "Patient asked to call back"
    assert rows[other_episode.pk].last_contact_outcome is None
    html = response.content.decode()
    assert "Patient asked to call back" in html
    assert "None yet" in html


def test_the_episode_page_shows_the_phone_to_tap_and_the_language(client, nurse, episode):
    episode.patient.phone = "(202) 555-0143"
    episode.patient.preferred_language = "es"
    episode.patient.save()
    client.force_login(nurse)

    page = client.get(reverse("checklists:episode-detail", args=[episode.pk])).content.decode()

    assert 'href="tel:+12025550143"' in page
    assert "Call (202) 555-0143" in page
    assert "Language: Español" in page
