import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from accounts.models import Role, User
from kypho_tracker.form_tokens import SubmissionTokenField

from .hospital_time import today
from .models import (
    MAX_TASK_VERSION,
    Admission,
    ContactAttempt,
    Episode,
    Patient,
    Protocol,
    ProtocolVersion,
    Side,
    TimeOut,
)
from .vertebrae import normalise_levels


class PersonChoiceField(forms.ModelChoiceField):
    """Logins listed by the person's name: nurses read "Nora Nightingale", never a username."""

    def label_from_instance(self, obj) -> str:
        return obj.display_name


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = Patient.EDITABLE_FIELDS
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}), "allergies": forms.Textarea({"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save patient"))

    def clean_mrn(self) -> str:
        return self.cleaned_data["mrn"].strip().upper()

    def clean_date_of_birth(self) -> dt.date:
        born = self.cleaned_data["date_of_birth"]
        if born > today():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if born.year < 1900:
            raise forms.ValidationError("Check the year of birth.")
        return born


class ChangeReasonMixin(forms.Form):
    """An edit page's reason: the service requires it when a clinical field changes."""

    reason = forms.CharField(
        label="Reason for the change",
        max_length=2000,
        required=False,
        help_text="Required when a clinical field changes ({}).",
    )
    clinical_fields = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = self.fields["reason"].help_text.format(self.clinical_fields)


class PatientEditForm(ChangeReasonMixin, PatientForm):
    clinical_fields = "date of birth, allergies"


def active_nurses():
    return User.objects.filter(role=Role.NURSE, is_active=True).order_by("first_name", "last_name")


class EpisodeEditForm(ChangeReasonMixin, forms.ModelForm):
    clinical_fields = "levels, side, clinician, admission"
    nurse = PersonChoiceField(queryset=active_nurses(), label="Assigned nurse", required=False)

    class Meta:
        model = Episode
        fields = ["vertebral_levels", "side", "clinician", "admission_type", "nurse", "arrival_minutes_before"]
        help_texts = {
            "admission_type": "A change sets aside the other admission's after-care tasks and adds this one's."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save changes"))

    def clean_vertebral_levels(self) -> str:
        return normalise_levels(self.cleaned_data["vertebral_levels"])


class ContactAttemptForm(forms.Form):
    outcome = forms.ChoiceField(label="What happened", choices=ContactAttempt.Outcome.choices)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


MAX_YEARS_AHEAD = 2


class FutureStartMixin:
    def clean_scheduled_start(self) -> dt.datetime:
        start = self.cleaned_data["scheduled_start"]
        if start <= timezone.now():
            raise forms.ValidationError("The procedure must be scheduled in the future.")
        if start > timezone.now() + dt.timedelta(days=366 * MAX_YEARS_AHEAD):
            raise forms.ValidationError(f"A procedure can be scheduled at most {MAX_YEARS_AHEAD} years ahead.")
        return start


START_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class LateTasksConfirmMixin(forms.Form):
    """The confirm step of a start too close for the protocol: the nurse has seen the list of tasks that
    cannot be met for this very start (a hidden field, so it works without JavaScript)."""

    expedite_confirmed_for = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if self.has_error("expedite_confirmed_for"):
            # A hidden field's error is not shown by it: say it where the nurse reads.
            self.add_error(None, "The confirmation was not understood: check the start and send the form again.")
        return cleaned

    @property
    def late_tasks_confirmed(self) -> bool:
        """Confirmed for the start being sent: a start changed after the warning needs its own."""
        confirmed = self.cleaned_data.get("expedite_confirmed_for")
        return confirmed is not None and confirmed == self.cleaned_data.get("scheduled_start")

    def with_confirmation(self, data) -> forms.Form:
        """The same form, bound to `data` and confirming the list just shown for its start."""
        data = data.copy()
        data["expedite_confirmed_for"] = data.get("scheduled_start", "")
        return type(self)(data)


class EpisodeScheduleForm(LateTasksConfirmMixin, FutureStartMixin, forms.Form):
    # Sent twice, the form schedules one procedure (kypho_tracker/form_tokens.py).
    submission_token = SubmissionTokenField()
    protocol_version = forms.ModelChoiceField(
        queryset=ProtocolVersion.objects.published().select_related("protocol"),
        label="Protocol",
        empty_label=None,
    )
    scheduled_start = forms.DateTimeField(
        label="Procedure start", widget=START_WIDGET, help_text="In the hospital's local time."
    )
    admission_type = forms.ChoiceField(
        label="Admission",
        choices=Admission.choices,
        initial=Admission.SAME_DAY,
        help_text="The after-care tasks differ: home the same day with a driver, or a night on the ward.",
    )
    vertebral_levels = forms.CharField(max_length=60, help_text="For example: T12, L1")
    side = forms.ChoiceField(choices=[("", "Not recorded yet"), *Side.choices], required=False)
    clinician = forms.CharField(label="Responsible clinician", max_length=120)
    nurse = PersonChoiceField(queryset=active_nurses(), label="Assigned nurse", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Schedule procedure"))
        kyphoplasty = Protocol.objects.filter(slug="kyphoplasty").first()
        if kyphoplasty is not None:
            self.fields["protocol_version"].initial = kyphoplasty.current_version()

    def clean_vertebral_levels(self) -> str:
        return normalise_levels(self.cleaned_data["vertebral_levels"])


class TaskChangeForm(forms.Form):
    """What every task change carries: the version the nurse saw, an optional note and a reason."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_TASK_VERSION)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(required=False, max_length=2000)

    reason_required = False

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if self.reason_required and not reason:
            raise forms.ValidationError("A reason is required.")
        return reason


class TaskReasonForm(TaskChangeForm):
    reason_required = True


class RescheduleForm(LateTasksConfirmMixin, FutureStartMixin, forms.Form):
    scheduled_start = forms.DateTimeField(label="New start", widget=START_WIDGET)
    reason = forms.CharField(max_length=2000)


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=2000)


class TimeOutForm(forms.Form):
    """The time-out in the room: every check ticked, the levels and the side verified."""

    NOT_CONFIRMED = {"required": "Not confirmed: stop, and do not start until it is."}

    identity_confirmed = forms.BooleanField(
        label="Patient identity confirmed (two identifiers)", error_messages=NOT_CONFIRMED
    )
    procedure_confirmed = forms.BooleanField(label="Procedure confirmed", error_messages=NOT_CONFIRMED)
    vertebral_levels = forms.CharField(label="Vertebral level(s) verified", max_length=60)
    side = forms.ChoiceField(label="Side", choices=TimeOut.Side.choices)
    imaging_displayed = forms.BooleanField(label="Imaging displayed", error_messages=NOT_CONFIRMED)
    consent_matches = forms.BooleanField(label="Consent matches", error_messages=NOT_CONFIRMED)


class RecordDoneForm(forms.Form):
    """When the procedure really ended (the after care runs from it) and the levels really treated."""

    ended_at = forms.DateTimeField(
        label="Procedure ended at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    levels_treated = forms.CharField(label="Levels treated", max_length=60)

    def clean_levels_treated(self) -> str:
        return normalise_levels(self.cleaned_data["levels_treated"])


class SignOffForm(forms.Form):
    override_reason = forms.CharField(max_length=2000, required=False)
