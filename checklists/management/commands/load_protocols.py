from django.core.management.base import BaseCommand

from checklists.protocol_data import read_protocol, shipped_protocol_files
from checklists.services.protocols import protocol_import


class Command(BaseCommand):
    help = "Publish the protocols shipped in checklists/protocol_data/ (idempotent)."

    def handle(self, *args, **options):
        for path in shipped_protocol_files():
            version, created = protocol_import(data=read_protocol(path))
            state = "published" if created else "already current"
            self.stdout.write(f"{version} from {path.name}: {state}")
