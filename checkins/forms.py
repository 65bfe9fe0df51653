"""The check-in's questions as a form (built from the protocol data), and the nurse's acknowledgement."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.timeline import localized

from .models import CHOICES, PAIN_MAX, PAIN_MIN, Alert, CheckinQuestion, QuestionKind
from .services import MAX_TEXT_ANSWER

PAIN_CHOICES = [(str(score), str(score)) for score in range(PAIN_MIN, PAIN_MAX + 1)]


def _field(question: CheckinQuestion) -> forms.Field:
    label = localized(question, "text")
    if question.kind == QuestionKind.TEXT:
        return forms.CharField(
            label=label, required=False, max_length=MAX_TEXT_ANSWER, widget=forms.Textarea({"rows": 3})
        )
    choices = PAIN_CHOICES if question.kind == QuestionKind.PAIN_SCORE else CHOICES[question.kind]
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please answer this question."),
            "invalid_choice": _("Please choose one of the answers shown."),
        },
    )


class CheckinForm(forms.Form):
    """One field per question of the check-in, in the protocol's order, named by the question's key."""

    def __init__(self, questions: list[CheckinQuestion], *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question.key] = _field(question)
            if question.kind == QuestionKind.PAIN_SCORE:
                self.fields[question.key].widget.attrs["class"] = "pain-scale"


class AlertAcknowledgeForm(forms.Form):
    outcome = forms.ChoiceField(choices=Alert.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(max_length=2000, widget=forms.Textarea({"rows": 2}))
