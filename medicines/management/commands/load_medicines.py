from django.core.management.base import BaseCommand

from medicines.catalogue import catalogue_load, read_catalogue


class Command(BaseCommand):
    help = "Load the shipped medicine catalogue (idempotent; never overwrites an admin's edit, reports it)."

    def handle(self, *args, **options):
        for line in catalogue_load(data=read_catalogue()).lines():
            self.stdout.write(line)
