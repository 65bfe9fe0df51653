"""Two-step log-in: required for admins and the Django admin when REQUIRE_ADMIN_MFA is on; nurses may opt in."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityEvent
from tests.factories import UserFactory

PASSWORD = "secret-pass-123"
REPORTS = reverse("reports:completion")


@pytest.fixture
def required(settings, db):
    settings.REQUIRE_ADMIN_MFA = True


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


def next_code_period(clock) -> None:
    """An app's code is good once: the next one comes 30 seconds later."""
    clock.shift(30)


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in(client, user) -> None:
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302


def enrol(client) -> tuple[TOTPDevice, list[str]]:
    """Set up two-step log-in through the pages, as a user would."""
    client.post(reverse("accounts:mfa-setup-start"))
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(reverse("accounts:mfa-confirm"), {"code": code(device)})
    assert response.status_code == 200
    return device, response.context["codes"]


def test_with_the_setting_on_an_admin_with_a_password_alone_only_reaches_the_set_up_page(client, admin_user, required):
    log_in(client, admin_user)

    response = client.get(REPORTS)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa"))
    assert "needs a second step" in client.get(response["Location"]).content.decode()


def test_with_the_setting_on_the_django_admin_needs_the_second_step(client, required):
    root = UserFactory(username="root", role="nurse", is_staff=True, is_superuser=True)
    client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa"))
    enrol(client)
    assert client.get(reverse("admin:index")).status_code == 200
    assert SecurityEvent.objects.get().user == root


def test_an_admin_who_set_it_up_is_asked_for_a_code_at_every_log_in(client, admin_user, required, clock):
    log_in(client, admin_user)
    device, _ = enrol(client)
    assert client.get(REPORTS).status_code == 200
    client.post(reverse("logout"))

    log_in(client, admin_user)
    response = client.get(REPORTS)
    assert response["Location"].startswith(reverse("accounts:mfa-verify"))
    assert client.post(reverse("accounts:mfa-verify"), {"code": "000000", "next": REPORTS}).status_code == 400
    assert client.get(REPORTS).status_code == 302

    device.refresh_from_db()
    device.throttle_reset()
    next_code_period(clock)
    response = client.post(reverse("accounts:mfa-verify"), {"code": code(device), "next": REPORTS})

    assert response["Location"] == REPORTS
    assert client.get(REPORTS).status_code == 200


def test_a_recovery_code_works_once_and_its_use_is_recorded(client, admin_user, required):
    log_in(client, admin_user)
    _, codes = enrol(client)
    assert len(codes) == 10
    client.post(reverse("logout"))

    log_in(client, admin_user)
    assert client.post(reverse("accounts:mfa-verify"), {"code": codes[0]}).status_code == 302
    assert client.get(REPORTS).status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    assert SecurityEvent.objects.filter(kind="recovery_code_used", user=admin_user).count() == 1


def test_without_the_setting_an_admin_logs_in_with_a_password(client, admin_user):
    log_in(client, admin_user)

    assert client.get(REPORTS).status_code == 200


def test_a_nurse_may_turn_it_on_and_off_and_both_are_in_the_audit_log(client, nurse, episode, clock):
    worklist = reverse("checklists:episode-list")
    log_in(client, nurse)
    device, _ = enrol(client)
    client.post(reverse("logout"))
    log_in(client, nurse)
    assert client.get(worklist).status_code == 302  # the second step first, though nurses need not use it
    next_code_period(clock)
    client.post(reverse("accounts:mfa-verify"), {"code": code(device)})
    assert client.get(worklist).status_code == 200

    next_code_period(clock)
    response = client.post(reverse("accounts:mfa-remove"), {"code": code(device)})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    events = SecurityEvent.objects.order_by("pk")
    assert [(e.kind, e.user, e.by) for e in events] == [("mfa_enrolled", nurse, nurse), ("mfa_removed", nurse, nurse)]
    assert events[0].ip_address == "127.0.0.1"


def test_removing_it_needs_a_current_code(client, nurse):
    log_in(client, nurse)
    enrol(client)

    client.post(reverse("accounts:mfa-remove"), {"code": "123456"})

    assert TOTPDevice.objects.filter(user=nurse, confirmed=True).exists()
    assert not SecurityEvent.objects.filter(kind="mfa_removed").exists()


def test_a_wrong_first_code_does_not_turn_it_on(client, nurse):
    log_in(client, nurse)
    client.post(reverse("accounts:mfa-setup-start"))

    response = client.post(reverse("accounts:mfa-confirm"), {"code": "000000"})

    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert not SecurityEvent.objects.exists()


def test_patients_have_no_two_step_pages(client, patient_user):
    client.force_login(patient_user)

    assert client.get(reverse("accounts:mfa")).status_code == 403


def test_the_set_up_page_shows_a_qr_code_and_the_key(client, nurse):
    log_in(client, nurse)
    client.post(reverse("accounts:mfa-setup-start"))

    page = client.get(reverse("accounts:mfa-setup")).content.decode()

    assert 'src="data:image/svg+xml;base64,' in page
    assert "Type this key instead" in page


@pytest.mark.parametrize("name", ["accounts:mfa-setup-start", "accounts:mfa-confirm", "accounts:mfa-remove"])
def test_changes_are_post_only(client, nurse, name):
    client.force_login(nurse)

    assert client.get(reverse(name)).status_code == 405


def test_an_admin_resets_a_lost_phone_from_the_django_admin_and_it_is_recorded(client, nurse):
    root = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=nurse, name="Phone", confirmed=True)
    client.force_login(root)

    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "remove_two_step_log_in", "_selected_action": [nurse.pk]},
    )

    assert not TOTPDevice.objects.filter(user=nurse).exists()
    assert SecurityEvent.objects.get().by == root
