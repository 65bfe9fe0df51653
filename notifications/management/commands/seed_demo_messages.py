import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction

from notifications.demo import cancel_seeded_messages_due_at_once


class Command(BaseCommand):
    help = (
        "No flood from the demo seed: cancel the confirmations and check-in messages it made due at once, "
        "but the demo patient's (run by seed_demo)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="ISO time the seed started (its rows only)")

    def handle(self, *args, since: str, **options):
        with transaction.atomic():
            count = cancel_seeded_messages_due_at_once(since=dt.datetime.fromisoformat(since))
        self.stdout.write(
            f"Demo messages: {count} seeded confirmations and check-in messages not sent (the demo patient's are)."
        )
