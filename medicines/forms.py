"""The nurse's forms on the Medicines page: they validate input; the services decide what it means."""

import datetime as dt

from django import forms

from checklists.hospital_time import local_moment

from .models import Decision, DecisionChannel, LabTest, Medicine


class CatalogueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Medicine) -> str:
        return f"{obj.generic_name} — {obj.brand_names}" if obj.brand_names else obj.generic_name


class MedicineAddForm(forms.Form):
    medicine = CatalogueChoiceField(
        Medicine.objects.all(), required=False, empty_label="— other (type its name below) —"
    )
    other_name = forms.CharField(label="Other medicine (not in the catalogue)", max_length=80, required=False)
    dose = forms.CharField(label="Dose and how often", max_length=80)
    indication = forms.CharField(label="What it is for", max_length=120, required=False)
    recent_coronary_stent = forms.BooleanField(label="Coronary stent in the last 12 months", required=False)

    def __init__(self, *args, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if search:
            self.fields["medicine"].queryset = Medicine.objects.search(search)

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("medicine") and not data.get("other_name", "").strip():
            raise forms.ValidationError("Choose a medicine from the catalogue, or type its name under “other”.")
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="The prescriber's decision",
        choices=[choice for choice in Decision.choices if choice[0] != Decision.PENDING],
    )
    prescriber_name = forms.CharField(label="Prescriber's name", max_length=120)
    channel = forms.ChoiceField(label="How the decision was given", choices=DecisionChannel.choices)
    last_dose_on = forms.DateField(
        label="Last dose on (if not as proposed)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last_dose_time = forms.TimeField(
        label="at (heparins: exact time)", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    restart_on = forms.DateField(
        label="Restart on (if not as proposed)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    restart_time = forms.TimeField(label="at", required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    bridging_plan = forms.CharField(label="Bridging plan", max_length=500, required=False)
    shorter_hold_confirmed = forms.BooleanField(
        label="The prescriber decides this hold, shorter than the catalogue's", required=False
    )
    note = forms.CharField(label="Note", max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("last_dose_time") and not data.get("last_dose_on"):
            self.add_error("last_dose_on", "Give the day of the last dose too.")
        if data.get("restart_time") and not data.get("restart_on"):
            self.add_error("restart_on", "Give the day of the restart too.")
        if data.get("restart_on") and not data.get("restart_time"):
            self.add_error("restart_time", "Give the time of the restart too.")
        return data

    def service_arguments(self) -> dict:
        """The posted dates as the service takes them: a calendar day, or an exact time in hospital time."""
        data = self.cleaned_data
        last_day, last_time = data["last_dose_on"], data["last_dose_time"]
        restart_day, restart_time = data["restart_on"], data["restart_time"]
        return {
            "decision": data["decision"],
            "prescriber_name": data["prescriber_name"],
            "channel": data["channel"],
            "note": data["note"],
            "bridging_plan": data["bridging_plan"],
            "shorter_hold_confirmed": data["shorter_hold_confirmed"],
            "last_dose_on": last_day if last_day and not last_time else None,
            "last_dose_at": _aware(last_day, last_time) if last_day and last_time else None,
            "restart_at": _aware(restart_day, restart_time) if restart_day else None,
        }


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return local_moment(day, time)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500)


class ReviewForm(forms.Form):
    NONE = "none"
    answer = forms.ChoiceField(choices=[("complete", "The list is complete"), (NONE, "No regular medicines")])


class LabResultForm(forms.Form):
    lab_test = forms.ModelChoiceField(LabTest.objects.all(), label="Test")
    value = forms.DecimalField(max_digits=7, decimal_places=2, min_value=0)
    taken_at = forms.DateTimeField(
        label="Taken at (hospital time)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
