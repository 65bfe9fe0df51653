"""Celery tasks: send one message (per channel, within its provider's rate shared by every worker) and the
pick-up job."""

from celery import shared_task
from django.conf import settings

from .dispatch import Outcome, due_message_ids, message_send, retry_delay
from .models import Channel, Message
from .rate_limit import send_slot_wait

# How many times a task waits for the provider's next window before leaving its row to the pick-up job.
RATE_WAITS = 30
RATE_LIMITED = "rate limited"


def _send(task, message_id: int, channel: str) -> str:
    # A row already sent (queued twice) costs no send from the allowance.
    if not Message.objects.to_send().filter(pk=message_id).exists():
        return Outcome.SKIPPED
    wait = send_slot_wait(channel)
    if wait:
        if task.request.retries >= RATE_WAITS:
            return RATE_LIMITED  # the row is still due: the next pick-up queues it again
        # Over the provider's rate across all workers: ask again when the next window opens (not an attempt).
        raise task.retry(countdown=wait, max_retries=RATE_WAITS)
    outcome = message_send(message_id)
    if outcome == Outcome.RETRY:
        attempts = Message.objects.filter(pk=message_id).values_list("attempts", flat=True).first() or 1
        # The row waits with its retry time too: if this worker dies, the pick-up job sends it.
        raise task.retry(countdown=retry_delay(attempts), max_retries=settings.NOTIFY_MAX_ATTEMPTS)
    return outcome


@shared_task(bind=True)
def send_email_message(self, message_id: int) -> str:
    return _send(self, message_id, Channel.EMAIL)


@shared_task(bind=True)
def send_sms_message(self, message_id: int) -> str:
    return _send(self, message_id, Channel.SMS)


SENDERS = {Channel.EMAIL: send_email_message, Channel.SMS: send_sms_message}


@shared_task
def dispatch_due_messages() -> int:
    """Celery beat runs this every NOTIFY_PICKUP_SECONDS: queue every due row (a row claimed twice is sent once)."""
    due = due_message_ids()
    for message_id, channel in due:
        SENDERS[channel].delay(message_id)
    return len(due)
