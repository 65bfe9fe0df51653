from django.core.management.base import BaseCommand

from checkins.services import checkins_sweep


class Command(BaseCommand):
    help = "Mark unanswered check-ins missed (a follow-up call alert) and record escalations. Run every 5 minutes."

    def handle(self, *args, **options):
        missed, escalated = checkins_sweep()
        self.stdout.write(f"{missed} check-in(s) missed, {escalated} alert(s) escalated.")
