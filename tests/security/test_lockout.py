"""The lock-out counts an account's failed log-ins whatever the case the username was typed in."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "secret-pass-123"
SPELLINGS = ["nina", "NINA", "Nina"]


@pytest.fixture
def staff_nurse(db):
    return UserFactory(username="nina", role="nurse", is_staff=True)


def fail_with_every_spelling(client, url: str) -> None:
    # 5 failures in all (the limit), none of the spellings reaching 5 on its own.
    for attempt in range(5):
        client.post(url, {"username": SPELLINGS[attempt % 3], "password": "wrong-password"})


@pytest.mark.parametrize("url", [reverse("login"), reverse("admin:login")], ids=["app", "django-admin"])
def test_five_failures_in_three_spellings_lock_the_account(client, staff_nurse, url):
    fail_with_every_spelling(client, url)

    response = client.post(url, {"username": "nina", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["nina"]


def test_the_right_password_in_another_case_is_locked_out_too(client, staff_nurse):
    fail_with_every_spelling(client, reverse("login"))

    response = client.post(reverse("login"), {"username": "Nina", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_four_failures_in_three_spellings_still_let_the_right_password_in(client, staff_nurse):
    for attempt in range(4):
        client.post(reverse("login"), {"username": SPELLINGS[attempt % 3], "password": "wrong-password"})

    response = client.post(reverse("login"), {"username": "NINA", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_nurse.pk)
