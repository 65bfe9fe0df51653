"""Forms of the protocol editor. They only validate; the services in services/protocols.py make the changes."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.db.models import TextChoices
from django.urls import reverse

from .models import DueMeans, ProtocolVersion, TaskTemplate, WarningSign
from .services.protocols import MoveDirection


class DraftItemForm(forms.ModelForm):
    """A form for one item of a draft (a task, a warning sign); its button adds a new one or saves this one."""

    noun = ""
    intro = ""  # what the page says above the form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", f"{'Save' if self.instance.pk else 'Add'} {self.noun}"))

    def item_fields(self) -> dict:
        """The cleaned values of the model's fields, as the services take them."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ProtocolWarningSignForm(DraftItemForm):
    """One warning sign of a draft: what the patient notices, in English and Spanish, and what to do."""

    noun = "warning sign"
    intro = (
        "Patients see the warning signs on their checklist, first thing once the procedure is over, "
        "with the ward's phone number for “call the care team” and the emergency number for the others."
    )

    class Meta:
        model = WarningSign
        fields = ["severity", "text", "text_es"]
        labels = {"severity": "What the patient must do", "text": "Sign (English)", "text_es": "Sign (Spanish)"}
        help_texts = {"text": "In plain words, as the patient would notice it: “a fever over 38 °C”."}

    def clean_text(self) -> str:
        return " ".join(self.cleaned_data["text"].split())

    def clean_text_es(self) -> str:
        return " ".join(self.cleaned_data["text_es"].split())


class DueRule(TextChoices):
    OFFSET = "offset", "Minutes from the start (for example 8 hours before: −480)"
    DAY_AND_TIME = "day_and_time", "A day offset and a clock time (for example the day before at 18:00)"


class ProtocolTaskForm(DraftItemForm):
    """One task of a draft. The due rule is either minutes from the start or a day offset plus a time."""

    noun = "task"
    intro = (
        "Each task is due by one rule: minutes from the procedure start, or a day offset and a clock time. "
        "A task changed to another phase goes to the end of that phase."
    )

    due_rule = forms.ChoiceField(label="Due rule", choices=DueRule.choices, widget=forms.RadioSelect)

    class Meta:
        model = TaskTemplate
        fields = [*TaskTemplate.CONTENT_FIELDS, *TaskTemplate.DUE_RULE_FIELDS]
        labels = {
            "is_critical": "Critical (a hard stop: the patient is not ready without it)",
            "due_offset_minutes": "Minutes from the start",
            "due_day_offset": "Days from the procedure day",
            "due_clock_time": "Clock time (hospital time)",
        }
        help_texts = {
            "is_critical": "",
            "due_offset_minutes": "Negative before the start, positive after: −480 is 8 hours before.",
            "due_day_offset": "−1 is the day before, 0 the procedure day, 2 two days after.",
        }
        widgets = {
            "patient_instructions": forms.Textarea(attrs={"rows": 3}),
            "patient_instructions_es": forms.Textarea(attrs={"rows": 3}),
            "nurse_guidance": forms.Textarea(attrs={"rows": 2}),
            "due_clock_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_means"].required = False
        if self.instance.pk and self.instance.due_offset_minutes is None:
            self.fields["due_rule"].initial = DueRule.DAY_AND_TIME
        else:
            self.fields["due_rule"].initial = DueRule.OFFSET
        self.helper.layout = Layout(
            Fieldset("Task", "phase", "title", "title_es", "responsible", "is_critical", "admission"),
            Fieldset(
                "Instructions",
                "patient_title",
                "patient_title_es",
                "patient_instructions",
                "patient_instructions_es",
                "patient_form",
                "nurse_guidance",
            ),
            Fieldset(
                "When it is due", "due_means", "due_rule", "due_offset_minutes", "due_day_offset", "due_clock_time"
            ),
        )

    def clean_due_means(self) -> str:
        """Left out: a step to do by its time, as most tasks are."""
        return self.cleaned_data.get("due_means") or DueMeans.BY

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean(self) -> dict:
        """Exactly one due rule: the chosen one must be complete; the other one's fields are cleared."""
        data = super().clean()
        if data.get("due_means") == DueMeans.UNTIL and data.get("is_critical"):
            self.add_error(
                "is_critical", "A period (“until” its time) is kept, not done by a time: it cannot be critical."
            )
        if data.get("due_means") == DueMeans.FROM and data.get("is_critical"):
            self.add_error(
                "is_critical",
                "A step “from” its time is taken once that time has come, not done by it: it cannot be critical.",
            )
        rule = data.get("due_rule")
        if rule == DueRule.OFFSET:
            if data.get("due_offset_minutes") is None and "due_offset_minutes" not in self.errors:
                self.add_error("due_offset_minutes", "Give the minutes from the start (negative means before).")
            data["due_day_offset"] = data["due_clock_time"] = None
        elif rule == DueRule.DAY_AND_TIME:
            if data.get("due_day_offset") is None and "due_day_offset" not in self.errors:
                self.add_error("due_day_offset", "Give the day, counted from the procedure day (−1 is the day before).")
            if data.get("due_clock_time") is None and "due_clock_time" not in self.errors:
                self.add_error("due_clock_time", "Give the clock time the task is due.")
            data["due_offset_minutes"] = None
        return data


class ProtocolTaskMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=MoveDirection.choices)


class ProtocolDiffForm(forms.Form):
    """Which other version of the same protocol to compare a version with."""

    against = forms.ModelChoiceField(queryset=ProtocolVersion.objects.none(), label="Compare with", empty_label=None)

    def __init__(self, *args, version: ProtocolVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["against"].queryset = version.protocol.versions.exclude(pk=version.pk).order_by("-number")
        self.fields["against"].label_from_instance = _version_label
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_action = reverse("checklists:protocol-version-diff", args=[version.pk])
        self.helper.form_class = "d-flex flex-wrap gap-2 align-items-end"
        self.helper.add_input(Submit("compare", "Compare", css_class="btn-secondary"))


def _version_label(version: ProtocolVersion) -> str:
    return f"Version {version.number} ({version.get_status_display()})"
