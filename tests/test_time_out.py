"""The time-out is recorded in the room, not ticked; "record procedure done" needs it, with the end and levels."""

import datetime as dt
import html
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from checklists.models import Episode, Phase, Protocol, TimeOut
from checklists.services.day_of import episode_record_done, episode_sign_off
from checklists.services.tasks import task_mark_done
from tests.factories import PatientFactory, record_time_out, schedule_episode

LOCAL = ZoneInfo(settings.TIME_ZONE)
NOW = dt.datetime(2025, 6, 2, 10, 0, tzinfo=LOCAL)
START = dt.datetime(2025, 6, 2, 8, 0, tzinfo=LOCAL)
CHECKS = {
    "identity_confirmed": "on",
    "procedure_confirmed": "on",
    "vertebral_levels": "L1",
    "side": "midline",
    "imaging_displayed": "on",
    "consent_matches": "on",
}


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=True):
        yield NOW


@pytest.fixture
def this_morning(nurse, protocol_version) -> Episode:
    """Planned at L1, 08:00 today; it is now 10:00."""
    with time_machine.travel(NOW - dt.timedelta(days=14), tick=False):
        return schedule_episode(by=nurse, start=START, protocol_version=protocol_version, patient=PatientFactory())


@pytest.fixture
def logged_in(client, nurse):
    client.force_login(nurse)
    return client


def post(client, name: str, episode: Episode, data: dict):
    return client.post(reverse(f"checklists:episode-{name}", args=[episode.pk]), data)


def test_the_shipped_protocol_has_no_time_out_task_so_pre_op_sign_off_needs_only_the_pre_op_tasks(nurse, db):
    call_command("load_protocols", stdout=open("/dev/null", "w"))  # noqa: SIM115
    version = Protocol.objects.get(slug="kyphoplasty").current_version()
    assert not version.tasks.filter(title__icontains="time-out").exists()
    with time_machine.travel(NOW - dt.timedelta(days=14), tick=False):
        episode = schedule_episode(by=nurse, start=NOW + dt.timedelta(hours=4), protocol_version=version)
    for task in episode.tasks.filter(is_critical=True):
        task_mark_done(task=task, by=nurse, expected_version=task.version)

    signed = episode_sign_off(episode=episode, by=nurse)

    assert signed.signed_off_at is not None and not signed.sign_off_override_reason
    assert not signed.time_outs.exists()


def test_record_done_is_refused_until_the_time_out_is_recorded(logged_in, this_morning):
    response = post(logged_in, "record-done", this_morning, {"ended_at": "2025-06-02T09:00", "levels_treated": "L1"})

    assert response.status_code == 409
    assert "Record the time-out first" in response.content.decode()
    this_morning.refresh_from_db()
    assert this_morning.status == Episode.Status.SCHEDULED


def test_the_time_out_is_a_structured_record_of_who_checked_what_and_when(logged_in, nurse, this_morning):
    response = post(logged_in, "time-out", this_morning, CHECKS)

    assert response.status_code == 302
    time_out = TimeOut.objects.get(episode=this_morning)
    assert (time_out.vertebral_levels, time_out.side, time_out.recorded_by) == ("L1", "midline", nurse)
    assert all((time_out.identity_confirmed, time_out.procedure_confirmed))
    assert all((time_out.imaging_displayed, time_out.consent_matches))
    assert abs(time_out.recorded_at - NOW) < dt.timedelta(minutes=1)
    assert time_out.history.get().history_user == nurse
    assert (
        "Time-out recorded by"
        in logged_in.get(reverse("checklists:episode-detail", args=[this_morning.pk])).content.decode()
    )


@pytest.mark.parametrize(
    "missing", ["identity_confirmed", "procedure_confirmed", "imaging_displayed", "consent_matches"]
)
def test_a_time_out_with_a_check_not_confirmed_is_not_recorded(logged_in, this_morning, missing):
    data = {key: value for key, value in CHECKS.items() if key != missing}

    response = post(logged_in, "time-out", this_morning, data)

    assert response.status_code == 400
    assert "Not confirmed: stop" in response.content.decode()
    assert not TimeOut.objects.exists()


def test_a_time_out_on_other_levels_than_planned_is_refused(logged_in, this_morning):
    response = post(logged_in, "time-out", this_morning, {**CHECKS, "vertebral_levels": "L2"})

    assert response.status_code == 409
    assert "are not the planned ones (L1)" in html.unescape(response.content.decode())
    assert not TimeOut.objects.exists()


def test_no_time_out_days_ahead(nurse, protocol_version):
    episode = schedule_episode(by=nurse, start=NOW + dt.timedelta(days=3), protocol_version=protocol_version)

    with pytest.raises(ValidationError, match="on the day of the procedure"):
        record_time_out(episode, by=nurse)
    assert not episode.time_out_window_open


def test_record_done_keeps_the_real_end_and_re_bases_the_after_care_on_it(nurse, this_morning):
    record_time_out(this_morning, by=nurse, performed_at=START - dt.timedelta(minutes=5))
    lie_flat = this_morning.tasks.get(phase=Phase.AFTER, title="Lie flat")
    assert lie_flat.due_at == START + dt.timedelta(hours=1)

    episode_record_done(episode=this_morning, by=nurse, ended_at=START + dt.timedelta(minutes=90), levels_treated="L1")

    this_morning.refresh_from_db()
    lie_flat.refresh_from_db()
    assert this_morning.procedure_ended_at == START + dt.timedelta(minutes=90)
    # "Lie flat" is due an hour after the end, not an hour after the planned start.
    assert lie_flat.due_at == START + dt.timedelta(minutes=150)
    assert lie_flat.history.latest().history_change_reason == "After care re-based on the procedure's real end (09:30)"


def test_the_end_cannot_be_before_the_time_out_or_in_the_future(nurse, this_morning):
    record_time_out(this_morning, by=nurse, performed_at=START - dt.timedelta(minutes=5))

    for ended_at in (START - dt.timedelta(minutes=10), NOW + dt.timedelta(hours=1)):
        with pytest.raises(ValidationError, match="ends after its time-out and no later than now"):
            episode_record_done(episode=this_morning, by=nurse, ended_at=ended_at, levels_treated="L1")


def test_levels_treated_that_differ_from_the_plan_are_flagged_red_and_in_the_history(logged_in, nurse, this_morning):
    record_time_out(this_morning, by=nurse, performed_at=START - dt.timedelta(minutes=5))

    response = post(logged_in, "record-done", this_morning, {"ended_at": "2025-06-02T09:40", "levels_treated": "l1 l2"})

    assert response.status_code == 302
    this_morning.refresh_from_db()
    assert (this_morning.levels_treated, this_morning.levels_mismatch) == ("L1, L2", True)
    reason = this_morning.history.latest().history_change_reason
    assert reason == (
        "Procedure completed; ended at 09:40; levels treated: L1, L2"
        " — LEVELS TREATED DIFFER FROM THE PLANNED LEVELS (L1)"
    )
    page = logged_in.get(reverse("checklists:episode-detail", args=[this_morning.pk])).content.decode()
    assert '<div class="alert alert-danger levels-mismatch" role="note">' in page
    assert "treated L1, L2, planned L1" in page


def test_the_time_out_is_nurse_only(client, admin_user, patient_user, this_morning):
    for user, status in ((admin_user, 403), (patient_user, 404)):
        client.force_login(user)
        assert post(client, "time-out", this_morning, CHECKS).status_code == status
    assert not TimeOut.objects.exists()
