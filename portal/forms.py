from django import forms

from checklists.models import MAX_TASK_VERSION


class TaskReportForm(forms.Form):
    """ "I've done this": only the version of the task the patient saw."""

    version = forms.IntegerField(min_value=1, max_value=MAX_TASK_VERSION, widget=forms.HiddenInput)
