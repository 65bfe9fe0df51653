from django.core.management.base import BaseCommand

from accounts.models import User
from medicines.demo import seed_medicines


class Command(BaseCommand):
    help = "Demo medication plans for three demo patients (run by seed_demo; safe to run again)."

    def handle(self, *args, **options):
        seed_medicines(nurse=User.objects.get(username="nurse"), stdout=self.stdout)
