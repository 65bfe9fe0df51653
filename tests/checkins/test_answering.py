"""The patient answers in the portal or through a signed link; an emergency shows 911 and alerts in the same request."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from checkins.links import checkin_link_path
from checkins.models import Alert, Checkin, CheckinAnswer
from tests.factories import PatientFactory

from .conftest import ALL_NORMAL, DAY_1_OPEN, done_episode


def answer_url(checkin):
    return reverse("checkins:answer", args=[checkin.pk])


def test_open_checkin_shows_as_a_card_at_the_top_of_my_checklist(client, patient_user, day_1, at_day_1):
    client.force_login(patient_user)
    page = client.get(reverse("portal:checklist")).content.decode()
    assert answer_url(day_1) in page
    assert "Please answer by Wed 4 March at 10:30 a.m." in page


def test_answering_leg_weakness_yes_shows_911_and_raises_an_alert_in_the_same_request(
    client, patient_user, day_1, at_day_1
):
    client.force_login(patient_user)
    response = client.post(answer_url(day_1), {**ALL_NORMAL, "leg_weakness": "yes"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Call 911 now" in page and 'href="tel:911"' in page and "Do not drive yourself" in page
    alert = Alert.objects.get(checkin=day_1)
    assert alert.kind == Alert.Kind.EMERGENCY and alert.raised_at == DAY_1_OPEN
    day_1.refresh_from_db()
    assert (day_1.status, day_1.answered_via) == (Checkin.Status.ANSWERED, "portal")
    assert day_1.history.first().history_user == patient_user


def test_the_emergency_screen_is_in_spanish_for_a_spanish_speaker(client, patient_user, day_1, at_day_1):
    day_1.episode.patient.preferred_language = "es"
    day_1.episode.patient.save()
    client.force_login(patient_user)
    page = client.post(answer_url(day_1), {**ALL_NORMAL, "chest_breathing": "yes"}).content.decode()
    assert "Llame al 911 ahora" in page and "No maneje usted" in page


def test_a_call_today_answer_says_when_we_will_call_and_the_ward_number(client, patient_user, day_1, at_day_1):
    client.force_login(patient_user)
    page = client.post(answer_url(day_1), {**ALL_NORMAL, "fever": "yes"}).content.decode()
    # Raised Tuesday 11:30: four working hours later is 15:30 the same day.
    assert "We will call you today" in page and "by Tue 3 March at 3:30 p.m." in page
    assert 'href="tel:5550100100"' in page
    assert Alert.objects.get().kind == Alert.Kind.CALL_TODAY


@pytest.mark.parametrize(
    "bad",
    [{"pain_now": "11"}, {"pain_now": "-1"}, {"pain_now": "seven"}, {"fever": "maybe"}, {"walking": ""}],
    ids=["pain-11", "pain-minus-1", "pain-text", "unknown-choice", "missing"],
)
def test_an_answer_out_of_range_is_a_400_and_stores_nothing(client, patient_user, day_1, at_day_1, bad):
    client.force_login(patient_user)
    response = client.post(answer_url(day_1), {**ALL_NORMAL, **bad})
    assert response.status_code == 400
    assert "Nothing was sent yet" in response.content.decode()
    day_1.refresh_from_db()
    assert day_1.status == Checkin.Status.SCHEDULED and not CheckinAnswer.objects.exists()


def test_a_second_submission_is_a_409_and_stores_nothing_twice(client, patient_user, day_1, at_day_1):
    client.force_login(patient_user)
    client.post(answer_url(day_1), {**ALL_NORMAL, "stroke_signs": "yes"})
    response = client.post(answer_url(day_1), {**ALL_NORMAL, "pain_now": "9"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "already sent" in page and "Call 911 now" in page  # an emergency sent once still says what to do
    assert CheckinAnswer.objects.filter(checkin=day_1, question__key="pain_now").get().value == "3"
    assert Alert.objects.count() == 1


def test_a_closed_checkin_is_a_410(client, patient_user, day_1, at_day_1):
    at_day_1.move_to(day_1.closes_at)
    client.force_login(patient_user)
    assert client.post(answer_url(day_1), ALL_NORMAL).status_code == 410
    assert not CheckinAnswer.objects.exists()


def test_a_checkin_not_open_yet_cannot_be_answered(client, patient_user, pats_episode, at_day_1):
    client.force_login(patient_user)
    later = pats_episode.checkins.get(point__key="day-7")
    assert client.get(answer_url(later)).status_code == 409


def test_another_patients_checkin_is_a_404(client, other_patient_user, day_1, at_day_1):
    client.force_login(other_patient_user)
    assert client.get(answer_url(day_1)).status_code == 404
    assert client.post(answer_url(day_1), ALL_NORMAL).status_code == 404
    assert not CheckinAnswer.objects.exists()


def test_a_nurse_cannot_answer_for_the_patient(client, nurse, day_1, at_day_1):
    client.force_login(nurse)
    assert client.post(answer_url(day_1), ALL_NORMAL).status_code == 403


def test_anonymous_is_sent_to_log_in(client, day_1):
    assert client.get(answer_url(day_1)).status_code == 302


# --- The signed link ------------------------------------------------------------------------------


def test_the_link_answers_without_logging_in_and_shows_nothing_else_of_the_record(client, day_1, at_day_1):
    patient = day_1.episode.patient
    page = client.get(checkin_link_path(day_1)).content.decode()
    assert "How are you doing?" in page
    for private in (patient.first_name, patient.last_name, patient.mrn, "My checklist", "L1"):
        assert private not in page
    response = client.post(checkin_link_path(day_1), {**ALL_NORMAL, "bladder_bowel": "yes"})
    assert "Call 911 now" in response.content.decode()
    day_1.refresh_from_db()
    assert (day_1.answered_via, day_1.level) == ("link", "emergency")


def test_a_used_link_is_refused_and_stores_nothing_twice(client, day_1, at_day_1):
    link = checkin_link_path(day_1)
    client.post(link, ALL_NORMAL)
    assert client.get(link).status_code == 409
    assert client.post(link, {**ALL_NORMAL, "fever": "yes"}).status_code == 409
    assert CheckinAnswer.objects.filter(checkin=day_1).count() == 12 and not Alert.objects.exists()


def test_an_expired_link_is_a_410(client, day_1, settings):
    with time_machine.travel(DAY_1_OPEN - dt.timedelta(days=1), tick=False):
        link = checkin_link_path(day_1)
    settings.CHECKIN_LINK_MAX_AGE_SECONDS = 60 * 60
    with time_machine.travel(DAY_1_OPEN, tick=False):
        response = client.get(link)
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_a_forged_link_is_a_404(client, day_1, at_day_1):
    forged = checkin_link_path(day_1).replace("link/", "link/x")
    assert client.get(forged).status_code == 404


def test_a_link_for_another_checkin_answers_only_that_one(client, checkin_data, nurse, day_1, at_day_1):
    other = done_episode(nurse=nurse, patient=PatientFactory(), protocol_version=checkin_data)
    other_day_1 = other.checkins.get(point__key="day-1")
    client.post(checkin_link_path(other_day_1), ALL_NORMAL)
    day_1.refresh_from_db()
    assert day_1.status == Checkin.Status.SCHEDULED


def test_the_link_page_is_in_the_patients_language(client, day_1, at_day_1):
    day_1.episode.patient.preferred_language = "es"
    day_1.episode.patient.save()
    response = client.get(checkin_link_path(day_1))
    assert response.headers["Content-Language"] == "es"
    assert "¿Siente debilidad" in response.content.decode()
