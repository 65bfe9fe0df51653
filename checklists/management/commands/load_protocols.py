from django.core.management.base import BaseCommand

from checklists.models import Protocol
from checklists.protocol_data import read_protocol, shipped_protocol_files
from checklists.protocol_selectors import protocol_content_differences
from checklists.services.protocols import protocol_import


class Command(BaseCommand):
    help = (
        "Install the protocols shipped in checklists/protocol_data/ that the database does not have yet. "
        "A protocol already installed keeps its current version (admins edit it in the protocol editor): "
        "the command only reports how the shipped file differs, unless --force-new-version."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force-new-version",
            action="store_true",
            help="Publish a shipped file that differs as a new version, on top of the current one.",
        )

    def handle(self, *args, force_new_version: bool = False, **options):
        for path in shipped_protocol_files():
            data = read_protocol(path)
            protocol = Protocol.objects.filter(slug=data["slug"]).first()
            current = protocol.current_version() if protocol else None
            differences = protocol_content_differences(current, data) if current else []
            version, created = protocol_import(data=data, force_new_version=force_new_version)
            if created:
                self.stdout.write(f"{version} from {path.name}: published")
            elif differences:
                self.stdout.write(
                    f"{version} left as it is; {path.name} differs (--force-new-version publishes the file):"
                )
                for line in differences:
                    self.stdout.write(f"  - {line}")
            else:
                self.stdout.write(f"{version} from {path.name}: already current")
