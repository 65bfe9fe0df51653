"""Celery tasks: send one message (per channel, each with its provider's rate limit) and the pick-up job."""

from celery import shared_task
from django.conf import settings

from .dispatch import Outcome, due_message_ids, message_send, retry_delay
from .models import Channel, Message


def _send(task, message_id: int) -> str:
    outcome = message_send(message_id)
    if outcome == Outcome.RETRY:
        attempts = Message.objects.filter(pk=message_id).values_list("attempts", flat=True).first() or 1
        # The row waits with its retry time too: if this worker dies, the pick-up job sends it.
        raise task.retry(countdown=retry_delay(attempts), max_retries=settings.NOTIFY_MAX_ATTEMPTS)
    return outcome


@shared_task(bind=True, rate_limit=settings.NOTIFY_EMAIL_RATE_LIMIT)
def send_email_message(self, message_id: int) -> str:
    return _send(self, message_id)


@shared_task(bind=True, rate_limit=settings.NOTIFY_SMS_RATE_LIMIT)
def send_sms_message(self, message_id: int) -> str:
    return _send(self, message_id)


SENDERS = {Channel.EMAIL: send_email_message, Channel.SMS: send_sms_message}


@shared_task
def dispatch_due_messages() -> int:
    """Celery beat runs this every NOTIFY_PICKUP_SECONDS: queue every due row (a row claimed twice is sent once)."""
    due = due_message_ids()
    for message_id, channel in due:
        SENDERS[channel].delay(message_id)
    return len(due)
