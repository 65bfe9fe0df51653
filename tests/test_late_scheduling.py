"""Late scheduling (issue #14, point 2): a start closer than the protocol allows lists the tasks it cannot
meet; once the nurse confirms, each is due as soon as possible (EXPEDITED_WORKING_HOURS working hours from
now, never after the patient's arrival) and labelled expedited, never overdue from the start."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from checklists.hospital_time import add_working_hours
from checklists.late_scheduling import late_tasks_if_rescheduled, late_tasks_if_scheduled
from checklists.models import Admission, ChecklistTask, Episode, Readiness
from checklists.services.episodes import episode_reschedule, episode_update
from tests.factories import PatientFactory, schedule_episode

LOCAL = ZoneInfo(settings.TIME_ZONE)
# A Wednesday morning: the small protocol's driver is due 7 days before the start, at 09:00.
WEDNESDAY_10 = dt.datetime(2026, 3, 4, 10, 0, tzinfo=LOCAL)
FRIDAY_9 = dt.datetime(2026, 3, 6, 9, 0, tzinfo=LOCAL)


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LOCAL)


def form_time(moment: dt.datetime) -> str:
    return moment.astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def wednesday_10():
    with time_machine.travel(WEDNESDAY_10, tick=False):
        yield WEDNESDAY_10


def schedule(nurse, protocol_version, start, *, expedite_late=True) -> Episode:
    return schedule_episode(
        by=nurse, start=start, protocol_version=protocol_version, nurse=nurse, expedite_late=expedite_late
    )


def due_times(episode: Episode) -> dict[str, tuple[dt.datetime, bool]]:
    return {task.title: (task.due_at.astimezone(LOCAL), task.is_expedited) for task in episode.tasks.all()}


# Working hours: Monday to Friday, 08:00–18:00 hospital time.


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (local(2026, 3, 4, 10, 0), 4, local(2026, 3, 4, 14, 0)),  # within the day
        (local(2026, 3, 4, 16, 0), 4, local(2026, 3, 5, 10, 0)),  # across the evening
        (local(2026, 3, 4, 20, 0), 4, local(2026, 3, 5, 12, 0)),  # from the evening: the next morning
        (local(2026, 3, 6, 16, 0), 4, local(2026, 3, 9, 10, 0)),  # across a weekend (and a DST change)
        (local(2026, 3, 7, 11, 0), 4, local(2026, 3, 9, 12, 0)),  # from a Saturday
    ],
    ids=["day", "evening", "night", "weekend", "saturday"],
)
def test_working_hours_count_only_weekdays_from_0800_to_1800_hospital_time(start, hours, expected):
    assert add_working_hours(start, hours) == expected


# The service


def test_the_tasks_a_too_close_start_cannot_meet_are_listed_soonest_first(wednesday_10, protocol_version):
    late = late_tasks_if_scheduled(protocol_version=protocol_version, scheduled_start=FRIDAY_9)

    assert [(task.title, task.responsible_label, task.is_critical) for task in late] == [
        ("Arrange a driver", "Patient", True)
    ]
    assert late[0].protocol_due_at == local(2026, 2, 27, 9, 0)
    assert late[0].expedited_due_at == local(2026, 3, 4, 14, 0)
    # Far enough ahead, nothing is late.
    assert late_tasks_if_scheduled(protocol_version=protocol_version, scheduled_start=local(2026, 3, 13, 9)) == []


def test_a_start_later_today_lists_every_task_due_before_now(wednesday_10, protocol_version):
    late = late_tasks_if_scheduled(protocol_version=protocol_version, scheduled_start=local(2026, 3, 4, 15, 0))

    assert [task.title for task in late] == ["Arrange a driver", "Last solid food"]  # 09:00 a week ago, 07:00


def test_confirmed_late_tasks_are_due_4_working_hours_from_now_and_expedited_the_others_keep_their_times(
    wednesday_10, nurse, protocol_version
):
    episode = schedule(nurse, protocol_version, FRIDAY_9)

    assert due_times(episode) == {
        "Arrange a driver": (local(2026, 3, 4, 14, 0), True),
        "Last solid food": (local(2026, 3, 6, 1, 0), False),
        "Consent signed": (local(2026, 3, 6, 8, 0), False),
        "Lie flat": (local(2026, 3, 6, 10, 0), False),
    }
    driver = episode.tasks.get(title="Arrange a driver")
    (created,) = driver.history.all()
    assert created.history_user == nurse
    assert created.history_change_reason == (
        "Scheduled. Expedited: scheduled too late for the protocol's due time (Fri 27 Feb 09:00, already past); "
        "due as soon as possible, Wed 04 Mar 14:00 (4 working hours, never after the arrival)"
    )
    assert episode.tasks.get(title="Lie flat").history.get().history_change_reason == "Scheduled"


def test_scheduled_in_the_evening_the_late_task_is_due_the_next_working_morning(nurse, protocol_version):
    with time_machine.travel(local(2026, 3, 4, 20, 0), tick=False):
        episode = schedule(nurse, protocol_version, local(2026, 3, 7, 9, 0))

    assert due_times(episode)["Arrange a driver"] == (local(2026, 3, 5, 12, 0), True)


def test_scheduled_on_a_friday_afternoon_the_late_task_is_due_on_monday(nurse, protocol_version):
    with time_machine.travel(local(2026, 3, 6, 16, 0), tick=False):
        episode = schedule(nurse, protocol_version, local(2026, 3, 10, 9, 0))

    assert due_times(episode)["Arrange a driver"] == (local(2026, 3, 9, 10, 0), True)


def test_the_expedited_time_is_capped_at_the_arrival_and_once_that_has_passed_at_the_start(
    wednesday_10, nurse, protocol_version
):
    at_15 = schedule(nurse, protocol_version, local(2026, 3, 4, 15, 0))  # arrival 13:30, before 14:00
    at_11 = schedule(nurse, protocol_version, local(2026, 3, 4, 11, 0))  # arrival 09:30 has passed

    assert due_times(at_15)["Arrange a driver"] == (local(2026, 3, 4, 13, 30), True)
    assert due_times(at_15)["Last solid food"] == (local(2026, 3, 4, 13, 30), True)
    assert due_times(at_11)["Arrange a driver"] == (local(2026, 3, 4, 11, 0), True)


def test_the_expedited_time_is_rounded_down_to_the_quarter_hour(nurse, protocol_version):
    with time_machine.travel(local(2026, 3, 4, 10, 7, 41), tick=False):
        episode = schedule(nurse, protocol_version, FRIDAY_9)

    assert due_times(episode)["Arrange a driver"] == (local(2026, 3, 4, 14, 0), True)


def test_the_number_of_working_hours_is_a_setting(wednesday_10, nurse, protocol_version, settings):
    settings.EXPEDITED_WORKING_HOURS = 2

    episode = schedule(nurse, protocol_version, FRIDAY_9)

    assert due_times(episode)["Arrange a driver"] == (local(2026, 3, 4, 12, 0), True)


def test_without_the_confirmation_the_protocol_times_are_kept(wednesday_10, nurse, protocol_version):
    episode = schedule(nurse, protocol_version, FRIDAY_9, expedite_late=False)

    assert due_times(episode)["Arrange a driver"] == (local(2026, 2, 27, 9, 0), False)


def test_a_fresh_expedited_procedure_is_at_risk_not_blocked_until_its_new_due_time_passes(
    wednesday_10, nurse, protocol_version
):
    expedited = schedule(nurse, protocol_version, FRIDAY_9)
    not_expedited = schedule(nurse, protocol_version, FRIDAY_9, expedite_late=False)

    def readiness(episode, now):
        return Episode.objects.with_readiness(now=now).get(pk=episode.pk).readiness

    assert readiness(expedited, WEDNESDAY_10) == Readiness.AT_RISK
    assert readiness(not_expedited, WEDNESDAY_10) == Readiness.BLOCKED
    assert readiness(expedited, local(2026, 3, 4, 14, 0)) == Readiness.AT_RISK  # due exactly now: not yet
    assert readiness(expedited, local(2026, 3, 4, 14, 1)) == Readiness.BLOCKED
    assert not expedited.tasks.get(title="Arrange a driver").is_overdue(WEDNESDAY_10)


def test_rescheduling_closer_expedites_the_open_tasks_that_fall_in_the_past_and_says_why(
    wednesday_10, nurse, protocol_version
):
    episode = schedule_episode(by=nurse, start=local(2026, 3, 20, 9, 0), protocol_version=protocol_version)
    assert not episode.tasks.filter(is_expedited=True).exists()
    assert [task.title for task in late_tasks_if_rescheduled(episode=episode, scheduled_start=FRIDAY_9)] == [
        "Arrange a driver"
    ]

    episode_reschedule(episode=episode, scheduled_start=FRIDAY_9, by=nurse, reason="Theatre slot", expedite_late=True)

    assert due_times(episode)["Arrange a driver"] == (local(2026, 3, 4, 14, 0), True)
    assert due_times(episode)["Consent signed"] == (local(2026, 3, 6, 8, 0), False)
    reason = episode.tasks.get(title="Arrange a driver").history.first().history_change_reason
    assert reason.startswith("Procedure rescheduled: Theatre slot. Expedited: scheduled too late for the protocol's")

    # Moved back far enough, the task has its protocol time again and loses the label.
    episode_reschedule(
        episode=episode, scheduled_start=local(2026, 3, 27, 9), by=nurse, reason="Back", expedite_late=True
    )
    assert due_times(episode)["Arrange a driver"] == (local(2026, 3, 20, 9, 0), False)


def test_a_task_already_done_is_neither_listed_nor_expedited_by_a_reschedule(wednesday_10, nurse, protocol_version):
    episode = schedule_episode(by=nurse, start=local(2026, 3, 20, 9, 0), protocol_version=protocol_version)
    driver = episode.tasks.get(title="Arrange a driver")
    driver.mark_done(by=nurse)
    driver.save()

    assert late_tasks_if_rescheduled(episode=episode, scheduled_start=FRIDAY_9) == []
    episode_reschedule(episode=episode, scheduled_start=FRIDAY_9, by=nurse, reason="Slot", expedite_late=True)
    assert due_times(episode)["Arrange a driver"] == (local(2026, 2, 27, 9, 0), False)


# The views: warn, list, confirm (a plain form post, no JavaScript)


@pytest.fixture
def nurse_client(client, nurse):
    client.force_login(nurse)
    return client


def schedule_form(protocol_version, start, **changes) -> dict:
    return {
        "protocol_version": protocol_version.pk,
        "scheduled_start": form_time(start),
        "admission_type": Admission.SAME_DAY,
        "vertebral_levels": "L1",
        "clinician": "Dr. Patel",
        **changes,
    }


def test_the_schedule_form_warns_and_lists_the_late_tasks_before_creating_anything(
    wednesday_10, nurse_client, protocol_version
):
    patient = PatientFactory()
    url = reverse("checklists:episode-create", args=[patient.pk])

    response = nurse_client.post(url, schedule_form(protocol_version, FRIDAY_9))

    assert response.status_code == 200
    page = response.content.decode()
    assert "1 task cannot be done on time" in page
    assert "Arrange a driver" in page and "Fri 27 Feb 09:00" in page and "Wed 4 Mar 14:00" in page
    assert 'name="expedite_confirmed_for" value="2026-03-06T09:00"' in page
    assert "Schedule and expedite these tasks" in page
    assert not Episode.objects.exists()

    confirmed = nurse_client.post(
        url, schedule_form(protocol_version, FRIDAY_9, expedite_confirmed_for="2026-03-06T09:00")
    )

    episode = Episode.objects.get(patient=patient)
    assert confirmed.status_code == 302
    assert due_times(episode)["Arrange a driver"] == (local(2026, 3, 4, 14, 0), True)
    detail = nurse_client.get(confirmed["Location"]).content.decode()
    assert "Expedited: scheduled too late for the protocol, due as soon as possible" in detail


def test_a_confirmation_for_another_start_does_not_count(wednesday_10, nurse_client, protocol_version):
    url = reverse("checklists:episode-create", args=[PatientFactory().pk])
    changed = schedule_form(protocol_version, local(2026, 3, 5, 9, 0), expedite_confirmed_for="2026-03-06T09:00")

    response = nurse_client.post(url, changed)

    assert response.status_code == 200
    assert 'name="expedite_confirmed_for" value="2026-03-05T09:00"' in response.content.decode()
    assert not Episode.objects.exists()


def test_a_start_far_enough_ahead_schedules_at_once_with_the_admission_chosen(
    wednesday_10, nurse_client, protocol_version
):
    patient = PatientFactory()
    form = schedule_form(protocol_version, local(2026, 3, 20, 9, 0), admission_type=Admission.OVERNIGHT)

    response = nurse_client.post(reverse("checklists:episode-create", args=[patient.pk]), form)

    assert response.status_code == 302
    episode = Episode.objects.get(patient=patient)
    assert episode.admission_type == Admission.OVERNIGHT
    assert episode.history.get().history_change_reason == "Scheduled"


def test_the_schedule_form_offers_the_admission_type(wednesday_10, nurse_client):
    page = nurse_client.get(reverse("checklists:episode-create", args=[PatientFactory().pk])).content.decode()

    assert 'name="admission_type"' in page
    assert "Overnight stay" in page and "Same day (home the same day)" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"admission_type": "two_nights"}, "Select a valid choice."),
        ({"expedite_confirmed_for": "next friday"}, "The confirmation was not understood"),
    ],
    ids=["unknown-admission", "garbled-confirmation"],
)
def test_bad_input_on_the_schedule_form_is_a_400(wednesday_10, nurse_client, protocol_version, changes, message):
    url = reverse("checklists:episode-create", args=[PatientFactory().pk])

    response = nurse_client.post(url, schedule_form(protocol_version, FRIDAY_9, **changes))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Episode.objects.exists()


def test_rescheduling_closer_asks_to_confirm_the_list_then_expedites(
    wednesday_10, nurse, nurse_client, protocol_version
):
    episode = schedule_episode(by=nurse, start=local(2026, 3, 20, 9, 0), protocol_version=protocol_version)
    url = reverse("checklists:episode-reschedule", args=[episode.pk])
    move = {"scheduled_start": "2026-03-06T09:00", "reason": "Earlier slot"}

    response = nurse_client.post(url, move)

    assert response.status_code == 200
    page = response.content.decode()
    assert "1 task cannot be done on time" in page and "Arrange a driver" in page
    assert 'name="expedite_confirmed_for" value="2026-03-06T09:00"' in page
    assert "Reschedule and expedite these tasks" in page
    episode.refresh_from_db()
    assert episode.scheduled_start == local(2026, 3, 20, 9, 0)  # nothing moved yet

    confirmed = nurse_client.post(url, {**move, "expedite_confirmed_for": "2026-03-06T09:00"})

    assert confirmed.status_code == 302
    episode.refresh_from_db()
    assert episode.scheduled_start == FRIDAY_9
    assert due_times(episode)["Arrange a driver"] == (local(2026, 3, 4, 14, 0), True)


def test_a_garbled_reschedule_confirmation_is_a_400(wednesday_10, nurse, nurse_client, protocol_version):
    episode = schedule_episode(by=nurse, start=local(2026, 3, 20, 9, 0), protocol_version=protocol_version)
    move = {"scheduled_start": "2026-03-06T09:00", "reason": "Slot", "expedite_confirmed_for": "soon"}

    response = nurse_client.post(reverse("checklists:episode-reschedule", args=[episode.pk]), move)

    assert response.status_code == 400
    assert [str(message) for message in response.context["messages"]] == [
        "The confirmation was not understood: check the start and send the form again."
    ]
    assert not ChecklistTask.objects.filter(is_expedited=True).exists()


# The arrival moved after the tasks were expedited: "as soon as possible" is never after the patient's arrival.


@pytest.fixture
def expedited_at_15(wednesday_10, nurse, protocol_version) -> Episode:
    """A procedure at 15:00 today, booked at 10:00: arrival 13:30, so the late tasks are due at 13:30."""
    episode = schedule(nurse, protocol_version, local(2026, 3, 4, 15, 0))
    assert due_times(episode)["Arrange a driver"] == (local(2026, 3, 4, 13, 30), True)
    return episode


def test_moving_the_arrival_earlier_brings_the_open_expedited_tasks_forward_to_it_and_says_why(expedited_at_15, nurse):
    episode_update(episode=expedited_at_15, by=nurse, arrival_minutes_before=180)  # arrival 12:00

    assert due_times(expedited_at_15) == {
        "Arrange a driver": (local(2026, 3, 4, 12, 0), True),
        "Last solid food": (local(2026, 3, 4, 12, 0), True),
        "Consent signed": (local(2026, 3, 4, 14, 0), False),  # on the protocol's time, not expedited
        "Lie flat": (local(2026, 3, 4, 16, 0), False),
    }
    driver = expedited_at_15.tasks.get(title="Arrange a driver")
    assert driver.history.first().history_change_reason == "Arrival moved to 12:00: due by the arrival"
    assert driver.history.first().history_user == nurse


def test_moving_the_arrival_later_leaves_the_expedited_tasks_as_soon_as_possible(expedited_at_15, nurse):
    episode_update(episode=expedited_at_15, by=nurse, arrival_minutes_before=60)  # arrival 14:00

    assert due_times(expedited_at_15)["Arrange a driver"] == (local(2026, 3, 4, 13, 30), True)


def test_an_arrival_moved_into_the_past_never_makes_an_expedited_task_due_later(expedited_at_15, nurse):
    episode_update(episode=expedited_at_15, by=nurse, arrival_minutes_before=330)  # arrival 09:30, passed

    assert due_times(expedited_at_15)["Arrange a driver"] == (local(2026, 3, 4, 13, 30), True)


def test_a_done_expedited_task_is_not_moved_by_an_earlier_arrival(expedited_at_15, nurse):
    driver = expedited_at_15.tasks.get(title="Arrange a driver")
    driver.mark_done(by=nurse)
    driver.save()

    episode_update(episode=expedited_at_15, by=nurse, arrival_minutes_before=180)

    assert due_times(expedited_at_15)["Arrange a driver"] == (local(2026, 3, 4, 13, 30), True)
    assert due_times(expedited_at_15)["Last solid food"] == (local(2026, 3, 4, 12, 0), True)
