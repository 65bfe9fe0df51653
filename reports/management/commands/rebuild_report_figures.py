"""Recompute every day's report figures from the clinical tables."""

from django.core.management.base import BaseCommand

from reports.services import rebuild_figures


class Command(BaseCommand):
    help = (
        "Recompute the report figures of every day from the clinical tables. The app keeps them in step "
        "by itself; this is for data loaded around the app's services (bulk imports, the benchmark)."
    )

    def handle(self, *args, **options):
        days = rebuild_figures()
        self.stdout.write(f"Report figures rebuilt for {days} days.")
