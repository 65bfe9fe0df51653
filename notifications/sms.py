"""SMS backends, chosen by settings.SMS_BACKEND like Django's email backends.

Each has `send(*, to, body, status_callback) -> provider id` and raises `TransientSendError` (retry
later: a timeout, a 5xx, a rate limit) or `PermanentSendError` (a bad number: failed, with the reason).
"""

import itertools
import sys
import threading
import uuid
from pathlib import Path

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from checklists.hospital_time import local_time

# The SMS the locmem backend "sent", for tests (like django.core.mail.outbox).
outbox: list[dict] = []
_counter = itertools.count(1)
_lock = threading.Lock()

TWILIO_TIMEOUT_SECONDS = 10


class SendError(Exception):
    """The provider did not take the message."""


class TransientSendError(SendError):
    """Worth trying again later."""


class PermanentSendError(SendError):
    """Trying again will not help (an invalid or unreachable number)."""


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()


class ConsoleBackend:
    """Prints each SMS to standard output (development)."""

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> str:
        provider_id = f"console-{uuid.uuid4().hex[:12]}"
        sys.stdout.write(f"--- SMS {provider_id} to {to} at {local_time():%Y-%m-%d %H:%M}\n{body}\n---\n")
        sys.stdout.flush()
        return provider_id


class FileBackend:
    """Writes each SMS to a file in settings.SMS_FILE_PATH (development, demos)."""

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        provider_id = f"file-{timezone.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
        (folder / f"{provider_id}.txt").write_text(f"To: {to}\n\n{body}\n", encoding="utf-8")
        return provider_id


class LocmemBackend:
    """Keeps each SMS in `outbox` (tests)."""

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> str:
        with _lock:
            provider_id = f"locmem-{next(_counter)}"
            outbox.append({"to": to, "body": body, "id": provider_id, "status_callback": status_callback})
        return provider_id


class TwilioBackend:
    """Sends through Twilio's Messages API (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER)."""

    def __init__(self, http_client=None):
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=http_client or TwilioHttpClient(timeout=TWILIO_TIMEOUT_SECONDS),
        )

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> str:
        options = {"status_callback": status_callback} if status_callback else {}
        try:
            message = self.client.messages.create(to=to, from_=settings.TWILIO_FROM_NUMBER, body=body, **options)
        except TwilioRestException as error:
            reason = f"Twilio {error.status} (code {error.code}): {error.msg}"
            if error.status >= 500 or error.status == 429:
                raise TransientSendError(reason) from error
            raise PermanentSendError(reason) from error
        except (requests.Timeout, requests.ConnectionError) as error:
            raise TransientSendError(f"Twilio unreachable: {error.__class__.__name__}") from error
        return message.sid
