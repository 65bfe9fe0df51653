"""Django admin: check-in data is editable by admins on a draft version only; check-ins and alerts are read-only."""

import pytest
from django.urls import reverse

from checkins.models import Alert, CheckinPoint, CheckinQuestion, CheckinRule
from checkins.services import checkin_answer
from checklists.services.protocols import protocol_draft_create
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


def test_a_published_versions_checkin_questions_rules_and_schedule_are_read_only(client, superuser, checkin_data):
    fever = CheckinQuestion.objects.get(protocol_version=checkin_data, key="fever")
    day_1 = CheckinPoint.objects.get(protocol_version=checkin_data, key="day-1")
    client.force_login(superuser)
    question_url = reverse("admin:checkins_checkinquestion_change", args=[fever.pk])
    point_url = reverse("admin:checkins_checkinpoint_change", args=[day_1.pk])
    shown = client.get(question_url)
    assert shown.status_code == 200  # shown, read-only: no save button, no rule form
    assert b"View checkin question" in shown.content and b'name="_save"' not in shown.content

    refused = [
        client.post(
            question_url,
            {
                "protocol_version": checkin_data.pk,
                "key": "fever",
                "position": 1,
                "kind": "yes_no",
                "text": "Changed",
                "text_es": "Cambiado",
            },
        ),
        client.post(
            point_url,
            {
                "protocol_version": checkin_data.pk,
                "key": "day-1",
                "anchor": "after_end",
                "days": 9,
                "answer_within_hours": 1,
            },
        ),
    ]

    assert [response.status_code for response in refused] == [403, 403]
    fever.refresh_from_db()
    day_1.refresh_from_db()
    assert (fever.text, day_1.days) == ("Do you have a fever of 100.4 °F (38 °C) or higher?", 1)
    # A new question can only go on a draft: the published version is not offered.
    add_form = client.get(reverse("admin:checkins_checkinquestion_add")).context["adminform"].form
    assert checkin_data not in add_form.fields["protocol_version"].queryset


def test_a_drafts_checkin_questions_can_be_added_and_changed(client, superuser, checkin_data):
    draft = protocol_draft_create(protocol=checkin_data.protocol)
    client.force_login(superuser)
    form = {
        "protocol_version": draft.pk,
        "key": "sleep",
        "position": 1,
        "kind": "yes_no",
        "text": "Trouble sleeping?",
        "text_es": "¿Problemas para dormir?",
        "rules-TOTAL_FORMS": 1,
        "rules-INITIAL_FORMS": 0,
        "rules-0-answer": "yes",
        "rules-0-level": "call_today",
        "rules-0-reason": "Cannot sleep",
    }

    response = client.post(reverse("admin:checkins_checkinquestion_add"), form)

    assert response.status_code == 302
    question = CheckinQuestion.objects.get(protocol_version=draft, key="sleep")
    assert list(question.rules.values_list("protocol_version", "level")) == [(draft.pk, "call_today")]
    changed = {
        **form,
        "text": "Trouble sleeping at night?",
        "rules-INITIAL_FORMS": 1,
        "rules-0-id": question.rules.get().pk,
        "rules-0-question": question.pk,
    }
    assert client.post(reverse("admin:checkins_checkinquestion_change", args=[question.pk]), changed).status_code == 302
    question.refresh_from_db()
    assert question.text == "Trouble sleeping at night?"
