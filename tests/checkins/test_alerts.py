"""The nurses' alerts queue: who may see it, acknowledgement with outcome and note, escalation, missed check-ins."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from checkins.models import Alert, Checkin
from checkins.services import checkin_answer, checkins_sweep
from tests.factories import PatientFactory

from .conftest import ALL_NORMAL, DAY_1_OPEN, HOSPITAL, done_episode

QUEUE = reverse("checkins:alert-queue")


@pytest.fixture
def emergency(day_1, at_day_1) -> Alert:
    return checkin_answer(checkin=day_1, answers={**ALL_NORMAL, "leg_weakness": "yes"}, via="portal")[1]


def acknowledge(client, alert, **data):
    return client.post(reverse("checkins:alert-acknowledge", args=[alert.pk]), data)


@pytest.mark.parametrize(("user", "status"), [("nurse", 200), ("admin_user", 200), ("patient_user", 403)])
def test_only_nurses_and_admins_see_the_queue(client, request, user, status, emergency):
    client.force_login(request.getfixturevalue(user))
    assert client.get(QUEUE).status_code == status


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(QUEUE).status_code == 302


def test_the_queue_shows_patient_answers_when_and_how_long_it_waited(client, nurse, emergency, at_day_1):
    at_day_1.shift(dt.timedelta(minutes=20))
    client.force_login(nurse)
    page = client.get(QUEUE).content.decode()
    assert "Pat Patient" in page and "leg weakness" in page and "Tue 3 Mar, 11:30" in page
    assert "waiting 20\xa0minutes" in page


def test_the_queue_runs_the_same_queries_for_1_or_5_alerts(
    client, nurse, checkin_data, emergency, django_assert_num_queries
):
    client.force_login(nurse)
    # session, user, the alerts with patient and point, their check-ins' answers with the questions,
    # and the read log's row
    with django_assert_num_queries(5):
        client.get(QUEUE)
    for _ in range(4):
        episode = done_episode(nurse=nurse, patient=PatientFactory(), protocol_version=checkin_data)
        with time_machine.travel(DAY_1_OPEN, tick=False):
            checkin_answer(
                checkin=episode.checkins.get(point__key="day-1"), answers={**ALL_NORMAL, "fever": "yes"}, via="link"
            )
    with django_assert_num_queries(5):
        assert client.get(QUEUE).content.decode().count("Record and acknowledge") == 5


def test_the_menu_count_says_how_many_are_open_and_late(client, nurse, emergency, at_day_1):
    client.force_login(nurse)
    assert (
        client.get(reverse("checkins:alert-count")).content.decode().startswith('<span class="badge text-bg-light">1')
    )
    at_day_1.shift(dt.timedelta(minutes=31))
    client.force_login(nurse)  # idle sessions end
    assert "1 late" in client.get(reverse("checkins:alert-count")).content.decode()


def test_a_nurse_acknowledges_with_outcome_and_note_in_the_history(client, nurse, emergency, at_day_1):
    at_day_1.shift(dt.timedelta(minutes=12))
    client.force_login(nurse)
    response = acknowledge(
        client, emergency, outcome="advised_ed", note="Told her to call 911; husband driving? no, ambulance."
    )
    assert response.status_code == 302
    emergency.refresh_from_db()
    assert emergency.acknowledged_by == nurse and emergency.outcome == "advised_ed"
    assert emergency.acknowledged_at - emergency.raised_at == dt.timedelta(minutes=12)
    assert emergency.closed_at is not None
    latest = emergency.history.first()
    assert latest.history_user == nurse and latest.history_change_reason.startswith("Advised the emergency department")
    assert "Record and acknowledge" not in client.get(QUEUE).content.decode()


def test_no_answer_stops_the_escalation_but_keeps_the_alert_on_the_queue(client, nurse, emergency, at_day_1):
    client.force_login(nurse)
    acknowledge(client, emergency, outcome="no_answer", note="Voicemail")
    at_day_1.shift(dt.timedelta(hours=2))
    emergency.refresh_from_db()
    assert emergency.closed_at is None and not emergency.is_escalated
    client.force_login(nurse)  # idle sessions end
    assert "Record and acknowledge" in client.get(QUEUE).content.decode()


def test_acknowledging_needs_an_outcome_and_a_note(client, nurse, emergency):
    client.force_login(nurse)
    assert acknowledge(client, emergency, outcome="reached", note=" ").status_code == 400
    assert acknowledge(client, emergency, outcome="shrugged", note="x").status_code == 400
    emergency.refresh_from_db()
    assert emergency.acknowledged_at is None


def test_a_closed_alert_cannot_be_acknowledged_again(client, nurse, emergency):
    client.force_login(nurse)
    acknowledge(client, emergency, outcome="reached", note="Fine")
    assert acknowledge(client, emergency, outcome="advised_ed", note="again").status_code == 409
    emergency.refresh_from_db()
    assert emergency.outcome == "reached"


def test_only_nurses_acknowledge_and_only_by_post(client, nurse, admin_user, emergency):
    client.force_login(admin_user)
    assert acknowledge(client, emergency, outcome="reached", note="x").status_code == 403
    client.force_login(nurse)
    assert client.get(reverse("checkins:alert-acknowledge", args=[emergency.pk])).status_code == 405


def test_a_patient_cannot_acknowledge_an_alert(client, patient_user, other_patient_user, emergency):
    client.force_login(other_patient_user)
    assert acknowledge(client, emergency, outcome="reached", note="x").status_code == 404
    client.force_login(patient_user)
    assert acknowledge(client, emergency, outcome="reached", note="x").status_code == 403


def test_an_emergency_escalates_after_30_minutes_and_shows_on_the_worklist(client, nurse, emergency, at_day_1):
    at_day_1.shift(dt.timedelta(minutes=29))
    assert checkins_sweep()[1] == 0
    at_day_1.shift(dt.timedelta(minutes=1))
    assert checkins_sweep()[1] == 1
    emergency.refresh_from_db()
    assert emergency.escalated_at == DAY_1_OPEN + dt.timedelta(minutes=30)
    assert emergency.history.first().history_change_reason == "Escalated: not acknowledged in time"
    client.force_login(nurse)
    assert (
        "1 check-in alert not acknowledged in time" in client.get(reverse("checklists:episode-list")).content.decode()
    )


def test_a_call_today_alert_escalates_after_4_working_hours_over_the_weekend(checkin_data, nurse):
    # Friday 16:00: two working hours on Friday, two on Monday from 08:00.
    friday = dt.datetime(2026, 3, 6, 16, 0, tzinfo=HOSPITAL)
    episode = done_episode(
        nurse=nurse, patient=PatientFactory(), protocol_version=checkin_data, start=friday - dt.timedelta(days=1)
    )
    with time_machine.travel(friday, tick=False):
        alert = checkin_answer(
            checkin=episode.checkins.get(point__key="day-1"), answers={**ALL_NORMAL, "wound": "yes"}, via="link"
        )[1]
    assert alert.escalate_at == dt.datetime(2026, 3, 9, 10, 0, tzinfo=HOSPITAL)
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, 59, tzinfo=HOSPITAL), tick=False):
        assert not alert.is_escalated
    with time_machine.travel(dt.datetime(2026, 3, 9, 10, 0, tzinfo=HOSPITAL), tick=False):
        assert alert.is_escalated


def test_a_checkin_not_answered_within_a_day_becomes_a_follow_up_call(day_1):
    with time_machine.travel(day_1.closes_at - dt.timedelta(seconds=1), tick=False):
        checkins_sweep()
    day_1.refresh_from_db()
    assert day_1.status == Checkin.Status.SCHEDULED
    with time_machine.travel(day_1.closes_at, tick=False):
        assert checkins_sweep() == (1, 0)
    day_1.refresh_from_db()
    assert day_1.status == Checkin.Status.MISSED
    alert = Alert.objects.get(checkin=day_1)
    assert (alert.kind, alert.escalate_at) == (Alert.Kind.MISSED, None)


def test_a_missed_baseline_raises_no_call(checkin_data, nurse):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=HOSPITAL), tick=False):
        episode = done_episode(nurse=nurse, patient=PatientFactory(), protocol_version=checkin_data)
    with time_machine.travel(episode.scheduled_start, tick=False):
        checkins_sweep()
    assert episode.checkins.get(point__key="baseline").status == Checkin.Status.MISSED
    assert not Alert.objects.exists()
