"""Django admin: check-in data is editable by admins; check-ins and alerts are read-only there."""

import pytest
from django.urls import reverse

from checkins.models import Alert, CheckinRule
from checkins.services import checkin_answer
from tests.factories import UserFactory

from .conftest import ALL_NORMAL


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)


def test_an_admin_edits_a_rule_and_cannot_change_or_delete_an_alert(client, superuser, day_1, at_day_1):
    alert = checkin_answer(checkin=day_1, answers={**ALL_NORMAL, "fever": "yes"}, via="link")[1]
    client.force_login(superuser)
    for model in ("checkinquestion", "checkinpoint", "checkin", "checkinanswer", "alert"):
        assert client.get(reverse(f"admin:checkins_{model}_changelist")).status_code == 200
    rule = CheckinRule.objects.get(question__key="fever")
    assert client.get(reverse("admin:checkins_checkinquestion_change", args=[rule.question_id])).status_code == 200
    change = reverse("admin:checkins_alert_change", args=[alert.pk])
    assert client.post(change, {"outcome": "reached", "note": "x"}).status_code == 403
    assert client.post(reverse("admin:checkins_alert_delete", args=[alert.pk]), {"post": "yes"}).status_code == 403
    assert Alert.objects.get(pk=alert.pk).outcome == ""
