"""The read-access log (HIPAA 164.312(b)): who opened which patient's data, when, from where. Append-only.

Clinical models are named by string ("checklists.Patient"), never imported: this app sits below
every clinical app, so each of them can mark its views (see audit/README.md).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.append_only import AppendOnlyModel


class PatientRead(AppendOnlyModel):
    """One successful request that showed or downloaded a patient's data."""

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Empty for a read of many patients at once (a report, a CSV file).
    patient = models.ForeignKey("checklists.Patient", on_delete=models.PROTECT, null=True, related_name="+")
    episode = models.ForeignKey("checklists.Episode", on_delete=models.PROTECT, null=True, related_name="+")
    view_name = models.CharField(max_length=100, help_text="The URL's name, e.g. portal:episode-pdf.")
    path = models.CharField(max_length=500, help_text="The path and query string, e.g. the report's filters.")
    ip_address = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["patient", "-at"], name="patientread_patient_at")]

    def __str__(self) -> str:
        return f"{self.user} read {self.view_name} at {self.at:%Y-%m-%d %H:%M}"
