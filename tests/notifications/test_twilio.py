"""The Twilio backend against a fake HTTP transport (no network), and its signature-checked webhooks."""

import json

import pytest
import requests
import time_machine
from django.urls import reverse
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from notifications.dispatch import message_send
from notifications.models import ContactPreference, Message
from notifications.sms import PermanentSendError, TransientSendError, TwilioBackend

from .conftest import BOOKED_AT

TOKEN = "test-auth-token"


class FakeTwilioHttp(HttpClient):
    """Answers the Messages API the way Twilio does, and records each request."""

    def __init__(self, status=201, body=None, error=None):
        super().__init__(logger=None, is_async=False)
        self.status, self.body, self.error = status, body, error
        self.requests = []

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None, **options):
        self.requests.append({"method": method, "uri": uri, "data": data, "auth": auth})
        if self.error:
            raise self.error
        body = self.body or {"sid": "SM" + "a" * 32, "status": "queued", "to": data["To"], "body": data["Body"]}
        return Response(self.status, json.dumps(body))


@pytest.fixture(autouse=True)
def twilio_settings(settings):
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_FROM_NUMBER = "+12025550100"
    settings.SITE_URL = "https://kypho.example.org"


def test_the_backend_posts_the_message_to_twilio_and_returns_its_sid():
    http = FakeTwilioHttp()
    sid = TwilioBackend(http_client=http).send(
        to="+12025550143", body="Hello", status_callback="https://kypho.example.org/notifications/twilio/status/"
    )
    assert sid == "SM" + "a" * 32
    [sent] = http.requests
    assert sent["method"] == "POST"
    assert sent["uri"].endswith("/Accounts/AC" + "0" * 32 + "/Messages.json")
    assert sent["data"] == {
        "To": "+12025550143",
        "From": "+12025550100",
        "Body": "Hello",
        "StatusCallback": "https://kypho.example.org/notifications/twilio/status/",
    }


def test_a_bad_number_is_a_permanent_error_with_twilios_reason():
    http = FakeTwilioHttp(status=400, body={"code": 21211, "message": "The 'To' number is not valid.", "status": 400})
    with pytest.raises(PermanentSendError) as refused:
        TwilioBackend(http_client=http).send(to="+12025550143", body="Hello")
    assert str(refused.value) == "Twilio 400 (code 21211): Unable to create record: The 'To' number is not valid."


@pytest.mark.parametrize(
    "http",
    [
        FakeTwilioHttp(status=503, body={"code": 20500, "message": "Service unavailable", "status": 503}),
        FakeTwilioHttp(status=429, body={"code": 20429, "message": "Too many requests", "status": 429}),
        FakeTwilioHttp(error=requests.ReadTimeout("read timed out")),
    ],
    ids=["5xx", "rate-limited", "timeout"],
)
def test_a_timeout_or_server_error_is_transient(http):
    with pytest.raises(TransientSendError):
        TwilioBackend(http_client=http).send(to="+12025550143", body="Hello")


def test_a_message_sent_through_twilio_records_its_sid(booked, settings, monkeypatch):
    http = FakeTwilioHttp()
    monkeypatch.setattr("notifications.dispatch.get_sms_backend", lambda: TwilioBackend(http_client=http))
    confirmation = booked.messages.get(kind="confirmation", channel="sms")
    with time_machine.travel(BOOKED_AT, tick=False):
        assert message_send(confirmation.pk) == "sent"
    confirmation.refresh_from_db()
    assert (confirmation.provider_id, confirmation.status) == ("SM" + "a" * 32, "sent")
    assert http.requests[0]["data"]["StatusCallback"] == "https://kypho.example.org/notifications/twilio/status/"


def signed_post(client, name, data, *, token=TOKEN):
    path = reverse(f"notifications:{name}")
    signature = RequestValidator(token).compute_signature("https://kypho.example.org" + path, data)
    return client.post(path, data, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.fixture
def sent_sms(booked):
    message = booked.messages.get(kind="confirmation", channel="sms")
    Message.objects.filter(pk=message.pk).update(status="sent", provider_id="SM123", recipient="+12025550143")
    return message


def test_a_delivery_report_marks_the_message_delivered(client, sent_sms):
    response = signed_post(client, "twilio-status", {"MessageSid": "SM123", "MessageStatus": "delivered"})
    assert response.status_code == 204
    sent_sms.refresh_from_db()
    assert sent_sms.status == "delivered" and sent_sms.delivered_at is not None


def test_an_undelivered_report_fails_the_message_with_the_carriers_code(client, sent_sms):
    signed_post(client, "twilio-status", {"MessageSid": "SM123", "MessageStatus": "undelivered", "ErrorCode": "30003"})
    sent_sms.refresh_from_db()
    assert (sent_sms.status, sent_sms.last_error) == (
        "failed",
        "The carrier could not deliver it (undelivered, error 30003)",
    )


def test_a_late_sent_report_does_not_undo_delivered(client, sent_sms):
    signed_post(client, "twilio-status", {"MessageSid": "SM123", "MessageStatus": "delivered"})
    signed_post(client, "twilio-status", {"MessageSid": "SM123", "MessageStatus": "sent"})
    sent_sms.refresh_from_db()
    assert sent_sms.status == "delivered"


@pytest.mark.parametrize("name", ["twilio-status", "twilio-inbound"])
def test_a_webhook_with_a_wrong_or_missing_signature_is_refused(client, sent_sms, name):
    data = {"MessageSid": "SM123", "MessageStatus": "delivered", "From": "+12025550143", "Body": "STOP"}
    assert signed_post(client, name, data, token="someone-elses-token").status_code == 403
    assert client.post(reverse(f"notifications:{name}"), data).status_code == 403
    sent_sms.refresh_from_db()
    assert sent_sms.status == "sent"
    assert not ContactPreference.objects.exists()


@pytest.mark.parametrize("name", ["twilio-status", "twilio-inbound"])
def test_a_webhook_answers_get_with_405(client, name):
    assert client.get(reverse(f"notifications:{name}")).status_code == 405


def test_stop_opts_the_patient_out_and_cancels_her_scheduled_texts_and_start_plans_them_again(client, booked):
    with time_machine.travel(BOOKED_AT, tick=False):
        response = signed_post(client, "twilio-inbound", {"From": "+12025550143", "Body": " stop "})
        assert response.status_code == 200 and b"<Response>" in response.content
        preference = ContactPreference.objects.get(patient=booked.patient)
        assert preference.sms_opted_out_at is not None
        sms = booked.messages.filter(channel="sms")
        assert not sms.filter(status="scheduled").exists()
        assert set(sms.values_list("status_reason", flat=True)) == {"The patient replied STOP"}
        assert booked.messages.filter(channel="email", status="scheduled").count() == 6

        signed_post(client, "twilio-inbound", {"From": "+12025550143", "Body": "START"})
    preference.refresh_from_db()
    assert preference.sms_opted_out_at is None
    assert booked.messages.filter(channel="sms", status="scheduled").count() == 5  # the plan; not the confirmation


def test_the_signed_url_is_the_site_url_not_what_the_client_claims(client, sent_sms):
    data = {"MessageSid": "SM123", "MessageStatus": "delivered"}
    path = reverse("notifications:twilio-status")
    forged = RequestValidator(TOKEN).compute_signature("http://evil.example" + path, data)
    assert client.post(path, data, HTTP_X_TWILIO_SIGNATURE=forged).status_code == 403
    sent_sms.refresh_from_db()
    assert sent_sms.status == "sent"
