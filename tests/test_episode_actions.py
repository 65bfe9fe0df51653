"""Rescheduling, cancelling and the day-of sign-off, through the views, as a nurse; and their htmx answers."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from checklists.models import ChecklistTask, Episode, RejectedTaskChange
from checklists.selectors import episode_history
from checklists.services.episodes import episode_cancel
from checklists.services.tasks import task_mark_done
from tests.factories import PatientFactory, schedule_episode

LOCAL = ZoneInfo(settings.TIME_ZONE)
# A Monday morning in June: no daylight-saving change in the weeks these tests move through.
NOW = dt.datetime(2025, 6, 2, 10, 0, tzinfo=LOCAL)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def now():
    # Ticking, so each change gets its own moment in the history.
    with time_machine.travel(NOW, tick=True):
        yield NOW


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """A local start time `days` after today."""
    return dt.datetime.combine(NOW.date() + dt.timedelta(days=days), dt.time(hour, minute), tzinfo=LOCAL)


def book(nurse, protocol_version, start: dt.datetime) -> Episode:
    patient = PatientFactory(first_name="Rosa", last_name="Whitlock")
    return schedule_episode(by=nurse, start=start, patient=patient, protocol_version=protocol_version, nurse=nurse)


@pytest.fixture
def next_week(nurse, protocol_version) -> Episode:
    return book(nurse, protocol_version, at(10, 9))


@pytest.fixture
def this_afternoon(nurse, protocol_version) -> Episode:
    """The procedure is today at 14:00: "Arrange a driver" is overdue and "Consent signed" is open."""
    return book(nurse, protocol_version, at(0, 14))


@pytest.fixture
def in_two_days(nurse, protocol_version) -> Episode:
    """Blocked only by "Arrange a driver" (due 7 days before); "Consent signed" falls due in 47 hours."""
    return book(nurse, protocol_version, at(2, 10))


@pytest.fixture
def logged_in(client, nurse):
    client.force_login(nurse)
    return client


def url(name: str, episode: Episode) -> str:
    return reverse(f"checklists:{name}", args=[episode.pk])


def tick(episode: Episode, title: str, *, by) -> None:
    task = episode.tasks.get(title=title)
    task_mark_done(task=task, by=by, expected_version=task.version)


def due_times(episode: Episode) -> dict[str, dt.datetime]:
    return dict(episode.tasks.values_list("title", "due_at"))


def page(client, episode: Episode) -> str:
    return client.get(url("episode-detail", episode)).content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def badge(readiness: str, label: str) -> str:
    return f'data-readiness="{readiness}">{label}</span>'


# Rescheduling


def test_rescheduling_moves_the_start_and_every_due_time_and_records_the_reason(logged_in, nurse, next_week):
    new_start = at(12, 8, 30)

    response = logged_in.post(
        url("episode-reschedule", next_week),
        {"scheduled_start": new_start.strftime("%Y-%m-%dT%H:%M"), "reason": "Theatre list moved"},
    )

    assert response.status_code == 302
    assert response.url == url("episode-detail", next_week)
    next_week.refresh_from_db()
    assert next_week.scheduled_start == new_start
    assert due_times(next_week) == {
        "Arrange a driver": dt.datetime(2025, 6, 7, 9, 0, tzinfo=LOCAL),  # 7 days before, 09:00 local
        "Last solid food": new_start - dt.timedelta(hours=8),
        "Consent signed": new_start - dt.timedelta(minutes=60),
        "Lie flat": new_start + dt.timedelta(minutes=60),
    }
    assert set(next_week.tasks.values_list("version", flat=True)) == {2}
    procedure = [entry for entry in episode_history(next_week) if entry.task_title == "Procedure"]
    assert procedure[0].reason == "Theatre list moved"
    assert procedure[0].who == nurse
    assert ("scheduled start", "Thu 12 Jun 2025, 09:00", "Sat 14 Jun 2025, 08:30") in procedure[0].changes
    assert "Theatre list moved" in page(logged_in, next_week)


def test_rescheduling_without_a_reason_is_refused_and_changes_nothing(logged_in, next_week):
    before = due_times(next_week)

    response = logged_in.post(
        url("episode-reschedule", next_week), {"scheduled_start": at(12, 8).strftime("%Y-%m-%dT%H:%M"), "reason": ""}
    )

    assert response.status_code == 400
    assert messages_of(response) == ["Reason: This field is required."]
    next_week.refresh_from_db()
    assert next_week.scheduled_start == at(10, 9)
    assert due_times(next_week) == before
    assert next_week.history.count() == 1


def test_rescheduling_into_the_past_is_refused(logged_in, next_week):
    response = logged_in.post(
        url("episode-reschedule", next_week),
        {"scheduled_start": at(-1, 9).strftime("%Y-%m-%dT%H:%M"), "reason": "Typo"},
    )

    assert response.status_code == 400
    assert messages_of(response) == ["New start: The procedure must be scheduled in the future."]
    next_week.refresh_from_db()
    assert next_week.scheduled_start == at(10, 9)


def test_rescheduling_a_signed_off_procedure_clears_the_sign_off(logged_in, nurse, this_afternoon):
    tick(this_afternoon, "Arrange a driver", by=nurse)
    tick(this_afternoon, "Consent signed", by=nurse)
    assert logged_in.post(url("episode-sign-off", this_afternoon), {"override_reason": ""}).status_code == 302

    logged_in.post(
        url("episode-reschedule", this_afternoon),
        {"scheduled_start": at(3, 9).strftime("%Y-%m-%dT%H:%M"), "reason": "Surgeon ill"},
    )

    this_afternoon.refresh_from_db()
    assert this_afternoon.scheduled_start == at(3, 9)
    assert this_afternoon.signed_off_at is None


# Cancelling


def test_cancelling_needs_a_reason(logged_in, next_week):
    response = logged_in.post(url("episode-cancel", next_week), {"reason": "  "})

    assert response.status_code == 400
    assert messages_of(response) == ["Reason: This field is required."]
    next_week.refresh_from_db()
    assert next_week.status == Episode.Status.SCHEDULED
    assert next_week.cancellation_reason == ""


def test_a_cancelled_procedure_leaves_the_worklist_and_its_tasks_can_no_longer_be_ticked(logged_in, next_week):
    response = logged_in.post(url("episode-cancel", next_week), {"reason": "Patient chose conservative care"})

    assert response.status_code == 302
    next_week.refresh_from_db()
    assert next_week.status == Episode.Status.CANCELLED
    assert next_week.cancellation_reason == "Patient chose conservative care"
    worklist = logged_in.get(reverse("checklists:episode-list"))
    assert next_week not in worklist.context["page"].object_list
    checklist = page(logged_in, next_week)
    assert badge("cancelled", "Cancelled") in checklist
    assert "Mark done" not in checklist
    assert "Reschedule…" not in checklist


def test_a_task_of_a_cancelled_procedure_cannot_be_ticked_by_a_direct_post(logged_in, nurse, next_week):
    consent = next_week.tasks.get(title="Consent signed")
    episode_cancel(episode=next_week, by=nurse, reason="Patient unwell")

    response = logged_in.post(reverse("checklists:task-mark-done", args=[consent.pk]), {"version": consent.version})

    consent.refresh_from_db()
    assert consent.status == ChecklistTask.Status.PENDING
    assert response.status_code == 409


# Day-of sign-off


def test_sign_off_with_a_critical_task_open_and_no_override_is_refused(logged_in, this_afternoon):
    response = logged_in.post(url("episode-sign-off", this_afternoon), {"override_reason": ""})

    assert response.status_code == 409
    [message] = messages_of(response)
    assert "Arrange a driver" in message
    assert "Consent signed" in message
    this_afternoon.refresh_from_db()
    assert this_afternoon.signed_off_at is None
    assert this_afternoon.signed_off_by is None
    assert this_afternoon.history.count() == 1


def test_sign_off_with_an_override_reason_is_recorded_and_shown_everywhere(logged_in, nurse, this_afternoon):
    response = logged_in.post(url("episode-sign-off", this_afternoon), {"override_reason": "Taxi booked by ward"})

    assert response.status_code == 302
    this_afternoon.refresh_from_db()
    assert this_afternoon.signed_off_at is not None
    assert this_afternoon.signed_off_at - NOW < dt.timedelta(minutes=1)
    assert this_afternoon.signed_off_by == nurse
    assert this_afternoon.sign_off_override_reason == "Taxi booked by ward"
    checklist = page(logged_in, this_afternoon)
    assert "Signed off with an override" in checklist
    assert "Taxi booked by ward" in checklist
    [override] = [entry for entry in episode_history(this_afternoon) if entry.override]
    assert override.who == nurse
    assert "Arrange a driver" in override.reason
    assert '<tr class="history-override">' in checklist
    assert "<strong>OVERRIDE</strong>" in checklist
    worklist = logged_in.get(reverse("checklists:episode-list")).content.decode()
    assert "Signed off with override" in worklist


def test_sign_off_with_every_critical_task_done_needs_no_override(logged_in, nurse, this_afternoon):
    tick(this_afternoon, "Arrange a driver", by=nurse)
    tick(this_afternoon, "Consent signed", by=nurse)

    response = logged_in.post(url("episode-sign-off", this_afternoon), {"override_reason": ""})

    assert response.status_code == 302
    this_afternoon.refresh_from_db()
    assert this_afternoon.signed_off_by == nurse
    assert this_afternoon.signed_off_at is not None
    assert this_afternoon.sign_off_override_reason == ""
    checklist = page(logged_in, this_afternoon)
    assert "Signed off ready for procedure by Nina Nurse" in checklist
    assert "OVERRIDE" not in checklist
    assert "Signed off ready" in logged_in.get(reverse("checklists:episode-list")).content.decode()


def test_sign_off_is_only_possible_on_the_day_of_the_procedure(logged_in, nurse, protocol_version):
    in_three_days = book(nurse, protocol_version, at(3, 9))

    response = logged_in.post(url("episode-sign-off", in_three_days), {"override_reason": "Surgeon accepts"})

    assert response.status_code == 409
    assert messages_of(response) == ["Sign-off is only possible on the day of the procedure."]
    in_three_days.refresh_from_db()
    assert in_three_days.signed_off_at is None
    assert in_three_days.sign_off_override_reason == ""


def test_a_procedure_is_signed_off_only_once(client, nurse, other_nurse, this_afternoon):
    client.force_login(nurse)
    client.post(url("episode-sign-off", this_afternoon), {"override_reason": "Taxi booked by ward"}, follow=True)
    this_afternoon.refresh_from_db()
    first = (this_afternoon.signed_off_at, this_afternoon.signed_off_by, this_afternoon.sign_off_override_reason)
    assert first[0] is not None
    client.force_login(other_nurse)

    response = client.post(url("episode-sign-off", this_afternoon), {"override_reason": "Another reason"})

    assert response.status_code == 409
    assert messages_of(response) == ["This procedure has already been signed off."]
    this_afternoon.refresh_from_db()
    signed_off = (this_afternoon.signed_off_at, this_afternoon.signed_off_by, this_afternoon.sign_off_override_reason)
    assert signed_off == first


# Recording the procedure as done


@pytest.fixture
def this_morning(nurse, protocol_version) -> Episode:
    """The procedure started at 08:00 today; it is now 10:00."""
    with time_machine.travel(NOW - dt.timedelta(days=14), tick=False):
        return book(nurse, protocol_version, at(0, 8))


def test_recording_the_procedure_done_after_its_start_completes_it_and_keeps_the_after_care_tasks_open(
    logged_in, nurse, this_morning
):
    response = logged_in.post(url("episode-record-done", this_morning))

    assert response.status_code == 302
    this_morning.refresh_from_db()
    assert this_morning.status == Episode.Status.COMPLETED
    latest = this_morning.history.first()
    assert (latest.history_user, latest.history_change_reason) == (nurse, "Procedure completed")
    checklist = page(logged_in, this_morning)
    assert badge("done", "Procedure done") in checklist
    assert "Record procedure done" not in checklist
    assert "Reschedule…" not in checklist
    lie_flat = this_morning.tasks.get(phase="after", title="Lie flat")
    assert f'action="{reverse("checklists:task-mark-done", args=[lie_flat.pk])}"' in checklist

    ticked = logged_in.post(reverse("checklists:task-mark-done", args=[lie_flat.pk]), {"version": lie_flat.version})

    assert ticked.status_code == 302
    lie_flat.refresh_from_db()
    assert lie_flat.status == ChecklistTask.Status.DONE


def test_recording_done_over_htmx_answers_with_the_refreshed_checklist(logged_in, this_morning):
    assert "Record procedure done…" in page(logged_in, this_morning)

    response = logged_in.post(url("episode-record-done", this_morning), **HTMX)

    assert response.status_code == 200
    html = assert_is_the_checklist_partial(response)
    assert "Procedure recorded as done." in html
    assert badge("done", "Procedure done") in html


@pytest.mark.parametrize("when", ["next_week", "this_afternoon"])
def test_a_procedure_cannot_be_recorded_done_before_its_start(request, logged_in, when):
    episode = request.getfixturevalue(when)
    assert "Record procedure done" not in page(logged_in, episode)

    response = logged_in.post(url("episode-record-done", episode))

    assert response.status_code == 409
    assert messages_of(response) == ["A procedure can be recorded as done only once its start time has passed."]
    episode.refresh_from_db()
    assert episode.status == Episode.Status.SCHEDULED
    assert episode.history.count() == 1


def test_a_cancelled_procedure_cannot_be_recorded_done(logged_in, nurse, this_morning):
    episode_cancel(episode=this_morning, by=nurse, reason="Patient unwell")

    response = logged_in.post(url("episode-record-done", this_morning))

    assert response.status_code == 409
    assert messages_of(response) == ["Only a scheduled procedure can be recorded as done."]
    this_morning.refresh_from_db()
    assert this_morning.status == Episode.Status.CANCELLED


# htmx: the checklist is swapped in place instead of a redirect


def assert_is_the_checklist_partial(response) -> str:
    assert response.templates[0].name == "checklists/_checklist.html"
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="checklist"' in html
    return html


@pytest.mark.parametrize(
    ("action", "data", "shown"),
    [
        (
            "episode-reschedule",
            {"scheduled_start": at(10, 9).strftime("%Y-%m-%dT%H:%M"), "reason": "Theatre list moved"},
            [badge("on_track", "On track"), "Procedure rescheduled; every due time moved with it."],
        ),
        ("episode-cancel", {"reason": "Patient unwell"}, [badge("cancelled", "Cancelled"), "Procedure cancelled."]),
        (
            "episode-sign-off",
            {"override_reason": "Taxi booked by ward"},
            [badge("blocked", "Blocked"), "Signed off with override", "Signed off: ready for procedure."],
        ),
    ],
)
def test_an_htmx_episode_action_answers_with_the_refreshed_checklist(logged_in, this_afternoon, action, data, shown):
    assert badge("blocked", "Blocked") in page(logged_in, this_afternoon)

    response = logged_in.post(url(action, this_afternoon), data, **HTMX)

    assert response.status_code == 200
    html = assert_is_the_checklist_partial(response)
    for text in shown:
        assert text in html


def test_an_htmx_task_change_from_a_stale_page_is_refused_with_the_partial(logged_in, other_nurse, next_week):
    consent = next_week.tasks.get(title="Consent signed")
    seen_version = consent.version
    tick(next_week, "Consent signed", by=other_nurse)

    response = logged_in.post(
        reverse("checklists:task-mark-done", args=[consent.pk]), {"version": seen_version, "note": "Signed"}, **HTMX
    )

    assert response.status_code == 409
    html = assert_is_the_checklist_partial(response)
    assert "changed by someone else" in html
    consent.refresh_from_db()
    assert consent.completed_by == other_nurse
    assert consent.note == ""
    assert RejectedTaskChange.objects.filter(task=consent, seen_version=seen_version).count() == 1


def test_ticking_the_overdue_critical_task_via_htmx_unblocks_the_episode(logged_in, nurse, in_two_days):
    driver = in_two_days.tasks.get(title="Arrange a driver")
    assert badge("blocked", "Blocked") in page(logged_in, in_two_days)

    response = logged_in.post(
        reverse("checklists:task-mark-done", args=[driver.pk]), {"version": driver.version}, **HTMX
    )

    assert response.status_code == 200
    html = assert_is_the_checklist_partial(response)
    assert "Blocked" not in html
    # Still at risk: "Consent signed" is due within 48 hours.
    assert badge("at_risk", "At risk") in html
    assert "“Arrange a driver” marked done." in html
    driver.refresh_from_db()
    assert driver.status == ChecklistTask.Status.DONE
    assert driver.completed_by == nurse
