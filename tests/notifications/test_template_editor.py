"""Admins word the messages per protocol version, drafts only; a wording that cannot be sent is refused."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from checklists.models import ProtocolVersion
from checklists.services import protocols
from notifications.models import MessageTemplate


@pytest.fixture
def draft(protocol_version):
    return protocols.protocol_draft_create(protocol=protocol_version.protocol)


def edit_url(version, kind="confirmation", channel="sms", language="en"):
    return reverse("notifications:message-template-edit", args=[version.pk, kind, channel, language])


GOOD_SMS = "Booked: {{ procedure_moment }}. Questions: {{ ward_phone }}"


def test_an_admin_words_a_drafts_sms_and_it_is_used_from_that_version_on(client, admin_user, draft, protocol_version):
    client.force_login(admin_user)
    response = client.post(edit_url(draft), {"body": GOOD_SMS})
    assert response.status_code == 302
    assert MessageTemplate.objects.get(protocol_version=draft).body == GOOD_SMS
    page = client.get(reverse("notifications:message-template-list", args=[draft.pk]))
    assertContains(page, f"worded for version {draft.number}")
    # The published version before it keeps the built-in wording.
    page = client.get(reverse("notifications:message-template-list", args=[protocol_version.pk]))
    assert "worded for version" not in page.content.decode()


def test_a_later_draft_inherits_the_wording_until_it_changes_it(client, admin_user, draft):
    client.force_login(admin_user)
    client.post(edit_url(draft), {"body": GOOD_SMS})
    protocols.protocol_version_publish(version=draft)
    next_draft = protocols.protocol_draft_create(protocol=draft.protocol)
    page = client.get(reverse("notifications:message-template-list", args=[next_draft.pk]))
    assertContains(page, f"from version {draft.number}")


def test_a_published_versions_messages_cannot_change(client, admin_user, protocol_version):
    client.force_login(admin_user)
    response = client.post(edit_url(protocol_version), {"body": GOOD_SMS})
    assert response.status_code == 409
    assert not MessageTemplate.objects.exists()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("Booked: {{ procedure_moment }}.", "Every message must give the ward phone"),
        ("Booked {% if %}. {{ ward_phone }}", "The template has an error"),
        (
            "{{ ward_phone }} {% for step in steps_before %}{{ step.title }} by {{ step.due }}. {% endfor %}"
            + "Bring your list. " * 20,
            "two segments",
        ),
    ],
    ids=["no-ward-phone", "syntax-error", "too-long-for-sms"],
)
def test_a_wording_that_cannot_be_sent_is_a_400_with_the_reason(client, admin_user, draft, body, error):
    client.force_login(admin_user)
    response = client.post(edit_url(draft), {"body": body})
    assertContains(response, error, status_code=400)
    assert not MessageTemplate.objects.exists()


def test_an_email_needs_a_subject(client, admin_user, draft):
    client.force_login(admin_user)
    response = client.post(edit_url(draft, channel="email"), {"subject": "", "body": GOOD_SMS})
    assertContains(response, "An email needs a subject.", status_code=400)


def test_use_the_earlier_wording_again_and_discarding_the_draft_takes_its_wording(client, admin_user, draft):
    client.force_login(admin_user)
    client.post(edit_url(draft), {"body": GOOD_SMS})
    url = reverse("notifications:message-template-use-previous", args=[draft.pk, "confirmation", "sms", "en"])
    assert client.get(url).status_code == 405
    client.post(url)
    assert not MessageTemplate.objects.exists()
    client.post(edit_url(draft), {"body": GOOD_SMS})
    protocols.protocol_draft_discard(version=draft)
    assert not MessageTemplate.objects.exists() and not ProtocolVersion.objects.filter(pk=draft.pk).exists()


def test_only_admins_word_messages(client, nurse, patient_user, draft):
    url = reverse("notifications:message-template-list", args=[draft.pk])
    assert client.get(url).status_code == 302  # anonymous: log in
    for user in (nurse, patient_user):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(edit_url(draft), {"body": GOOD_SMS}).status_code == 403


def test_an_unknown_message_is_a_404(client, admin_user, draft):
    client.force_login(admin_user)
    assert client.get(edit_url(draft, kind="horoscope")).status_code == 404
    assert client.get(edit_url(draft, kind="invitation", channel="email")).status_code == 404


def test_the_list_of_every_message_costs_a_fixed_number_of_queries(
    client, admin_user, draft, django_assert_num_queries
):
    client.force_login(admin_user)
    client.post(edit_url(draft), {"body": GOOD_SMS})
    # session, user, the version, the templates in force: whatever the number of messages.
    with django_assert_num_queries(4):
        client.get(reverse("notifications:message-template-list", args=[draft.pk]))
