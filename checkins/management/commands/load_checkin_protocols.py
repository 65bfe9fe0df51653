from django.core.management.base import BaseCommand

from checkins.protocol_data import read_checkin_protocol, shipped_checkin_files
from checkins.services import checkin_protocol_import


class Command(BaseCommand):
    help = "Load the check-in schedules shipped in checkins/protocol_data/ (idempotent; never overwrites edits)."

    def handle(self, *args, **options):
        for path in shipped_checkin_files():
            version, result = checkin_protocol_import(data=read_checkin_protocol(path))
            self.stdout.write(f"Check-ins from {path.name}: {result}" + (f" ({version})" if version else ""))
