from django.core.management.base import BaseCommand

from checkins.demo import seed_checkins_demo


class Command(BaseCommand):
    help = "Demo check-ins: an emergency and a call-today alert on the nurses' queue (run by seed_demo; idempotent)."

    def handle(self, *args, **options):
        seed_checkins_demo(stdout=self.stdout)
