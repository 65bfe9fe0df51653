"""The report's filters: a period of local dates and, optionally, one protocol — all in the URL."""

import datetime as dt

from django import forms

from checklists.hospital_time import PLAUSIBLE_DATE_VALIDATORS, today
from checklists.models import Protocol

DEFAULT_WEEKS = 8
MAX_YEARS = 5


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}), validators=PLAUSIBLE_DATE_VALIDATORS
    )
    date_to = forms.DateField(
        label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}), validators=PLAUSIBLE_DATE_VALIDATORS
    )
    protocol = forms.ModelChoiceField(
        label="Protocol", queryset=Protocol.objects.order_by("name"), required=False, empty_label="All protocols"
    )

    @classmethod
    def from_query(cls, query) -> "ReportFilterForm":
        """Bind the URL's filters, with the default period for the dates it leaves out."""
        return cls({**cls.default_params(), **{key: value for key, value in query.items() if value}})

    @staticmethod
    def default_params() -> dict[str, str]:
        """The last DEFAULT_WEEKS full weeks (Monday to Sunday, hospital time) before today."""
        now = today()
        last_sunday = now - dt.timedelta(days=now.weekday() + 1)
        first_monday = last_sunday - dt.timedelta(weeks=DEFAULT_WEEKS) + dt.timedelta(days=1)
        return {"date_from": first_monday.isoformat(), "date_to": last_sunday.isoformat()}

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise forms.ValidationError("“From” must be on or before “To”.")
        if date_from and date_to and (date_to - date_from).days >= 366 * MAX_YEARS:
            raise forms.ValidationError(f"A report covers at most {MAX_YEARS} years; choose a shorter period.")
        return cleaned
