"""Day-of labs are values with units; one outside the catalogue's range (or a required one missing)
refuses the sign-off unless the nurse overrides it with a reason."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from checklists.services.day_of import episode_sign_off
from checklists.services.tasks import task_mark_done
from medicines import services
from medicines.models import LabTest

from .conftest import NEW_YORK

MORNING_OF = dt.datetime(2026, 12, 14, 6, 30, tzinfo=NEW_YORK)


@pytest.fixture
def warfarin_day(plan_episode, nurse, catalogue, frozen_now):
    """Pat takes warfarin (decided); it is 06:30 on the procedure day and every critical task is done."""
    medication = services.medicine_add(episode=plan_episode, by=nurse, medicine=catalogue["warfarin"], dose="5 mg")
    services.medicine_decide(
        medication=medication, by=nurse, decision="stop_as_proposed", prescriber_name="Dr. R", channel="phone"
    )
    services.medicine_review_record(episode=plan_episode, by=nurse, no_regular_medicines=False)
    frozen_now.move_to(MORNING_OF)
    for task in plan_episode.tasks.filter(is_critical=True, status="pending"):
        task_mark_done(task=task, by=nurse, expected_version=task.version)
    return plan_episode


def record_inr(episode, nurse, value):
    return services.lab_result_record(
        episode=episode, lab_test=LabTest.objects.get(slug="inr"), value=Decimal(value), taken_at=MORNING_OF, by=nurse
    )


def test_missing_inr_refuses_the_sign_off(warfarin_day, nurse):
    with pytest.raises(ValidationError, match="INR for warfarin not recorded on the procedure day"):
        episode_sign_off(episode=warfarin_day, by=nurse)
    warfarin_day.refresh_from_db()
    assert warfarin_day.signed_off_at is None


def test_inr_in_range_lets_the_sign_off_through(warfarin_day, nurse):
    result = record_inr(warfarin_day, nurse, "1.2")
    assert (result.in_range, result.unit, result.upper_limit) == (True, "ratio", Decimal("1.4"))
    episode = episode_sign_off(episode=warfarin_day, by=nurse)
    assert (episode.signed_off_by, episode.sign_off_override_reason) == (nurse, "")


def test_inr_above_the_limit_refuses_unless_overridden_with_a_reason(warfarin_day, nurse):
    result = record_inr(warfarin_day, nurse, "1.8")
    assert result.in_range is False
    with pytest.raises(ValidationError, match=r"INR 1.80 ratio is outside ≤ 1.40 ratio"):
        episode_sign_off(episode=warfarin_day, by=nurse)

    episode = episode_sign_off(episode=warfarin_day, by=nurse, override_reason="Anesthetist accepts 1.8, Dr. Lee")
    assert episode.sign_off_override_reason == "Anesthetist accepts 1.8, Dr. Lee"
    assert "INR 1.80 ratio is outside" in episode.history.first().history_change_reason


def test_admins_limit_is_the_one_applied(warfarin_day, nurse):
    LabTest.objects.filter(slug="inr").update(upper_limit=Decimal("1.5"))
    assert record_inr(warfarin_day, nurse, "1.5").in_range is True


def test_platelets_below_the_limit_refuse_the_sign_off(warfarin_day, nurse):
    record_inr(warfarin_day, nurse, "1.1")
    services.lab_result_record(
        episode=warfarin_day,
        lab_test=LabTest.objects.get(slug="platelets"),
        value=Decimal("80"),
        taken_at=MORNING_OF,
        by=nurse,
    )
    with pytest.raises(ValidationError, match=r"Platelet count 80.00 x10\^9/L is outside ≥ 100.00"):
        episode_sign_off(episode=warfarin_day, by=nurse)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"value": "-1", "taken_at": "2026-12-14T06:00"}, "greater than or equal to 0"),
        ({"value": "1.1", "taken_at": "2026-12-14T09:00"}, "cannot be taken in the future"),
        ({"value": "abc", "taken_at": "2026-12-14T06:00"}, "Enter a number"),
    ],
)
def test_bad_lab_input_is_a_400_with_a_message(client, warfarin_day, nurse, form, message):
    client.force_login(nurse)
    inr = LabTest.objects.get(slug="inr")
    response = client.post(reverse("medicines:lab-record", args=[warfarin_day.pk]), {"lab_test": inr.pk, **form})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not warfarin_day.lab_results.exists()
