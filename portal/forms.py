from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from checklists.models import MAX_TASK_VERSION, PatientForm


class TaskReportForm(forms.Form):
    """ "I've done this": only the version of the task the patient saw."""

    version = forms.IntegerField(min_value=1, max_value=MAX_TASK_VERSION, widget=forms.HiddenInput)


class TaskAnswerForm(TaskReportForm):
    """A task's short form. `answers()` names each answer in English, as the nurse reads it on the task."""

    def answers(self) -> dict[str, str]:
        raise NotImplementedError


class DriverForm(TaskAnswerForm):
    driver_name = forms.CharField(label=_("Your driver's name"), max_length=100)
    driver_phone = forms.CharField(
        label=_("Your driver's phone number"),
        max_length=32,
        validators=[RegexValidator(r"^\+?[0-9 ().-]{7,31}$", _("Enter a phone number, for example (555) 010-0199."))],
    )

    def answers(self) -> dict[str, str]:
        return {"Driver's name": self.cleaned_data["driver_name"], "Driver's phone": self.cleaned_data["driver_phone"]}


class AnesthesiaHistoryForm(TaskAnswerForm):
    CHOICES = [("No", _("No")), ("Yes", _("Yes")), ("Not sure", _("I am not sure"))]

    had_problems = forms.ChoiceField(
        label=_("Have you or anyone in your family had a bad reaction to anesthesia, or trouble waking up after it?"),
        choices=CHOICES,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=_("If yes, what happened, and to whom?"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def answers(self) -> dict[str, str]:
        answers = {"Problems with anesthesia (patient or family)": self.cleaned_data["had_problems"]}
        if self.cleaned_data["details"].strip():
            answers["What happened"] = self.cleaned_data["details"].strip()
        return answers


ANSWER_FORMS: dict[str, type[TaskAnswerForm]] = {
    PatientForm.DRIVER: DriverForm,
    PatientForm.ANESTHESIA_HISTORY: AnesthesiaHistoryForm,
}
