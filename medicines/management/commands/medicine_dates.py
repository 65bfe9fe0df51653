import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from checklists.hospital_time import local_moment, local_time, today
from medicines.models import Decision, Medicine
from medicines.proposals import proposed_times


class Command(BaseCommand):
    help = "Print the proposed last dose and restart of every catalogue medicine for one procedure start."

    def add_arguments(self, parser):
        parser.add_argument("--start", help="Local start, YYYY-MM-DD HH:MM (default: next Monday 08:00)")

    def handle(self, *args, start=None, **options):
        try:
            start = dt.datetime.strptime(start, "%Y-%m-%d %H:%M") if start else _next_monday_8()
        except ValueError as error:
            raise CommandError("--start must look like 2026-12-14 08:00") from error
        start = local_moment(start.date(), start.time())
        self.stdout.write(f"Procedure {start:%a %d %b %Y %H:%M %Z}")
        for medicine in Medicine.objects.all():
            proposal, last, restart = proposed_times(medicine, start)
            self.stdout.write(
                f"{medicine.generic_name:<40} {medicine.get_drug_class_display():<34} "
                f"{_when(last) if last else _no_date(proposal.decision):<28} "
                f"{_when(restart) if restart else '—'}"
            )


def _when(moment: dt.datetime) -> str:
    return f"{local_time(moment):%a %d %b %H:%M}"


def _no_date(decision: Decision) -> str:
    return "continue" if decision == Decision.CONTINUE else "prescriber decides"


def _next_monday_8() -> dt.datetime:
    day = today()
    monday = day + dt.timedelta(days=(7 - day.weekday()) % 7 or 7)
    return dt.datetime.combine(monday, dt.time(8, 0))
