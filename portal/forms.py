from django import forms


class TaskReportForm(forms.Form):
    """ "I've done this": only the version of the task the patient saw."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
