"""Nurses record how a patient wants to be reached (channels, own quiet hours), on the patient's page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.models import Role
from checklists.access import get_patient_for

from .models import preference_for
from .services import contact_preference_update


class ContactPreferenceForm(forms.Form):
    email_enabled = forms.BooleanField(required=False, label="Email")
    sms_enabled = forms.BooleanField(required=False, label="Text messages (SMS)")
    quiet_start = forms.TimeField(required=False, label="Quiet from", widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_end = forms.TimeField(required=False, label="Quiet until", widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self):
        data = super().clean()
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            raise ValidationError("Give both ends of the quiet hours, or neither (the hospital's then apply).")
        return data


def form_for(patient) -> ContactPreferenceForm:
    preference = preference_for(patient)
    fields = ("email_enabled", "sms_enabled", "quiet_start", "quiet_end")
    return ContactPreferenceForm(initial={field: getattr(preference, field) for field in fields})


@require_POST
@login_required
def contact_preference_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for(request.user, pk, roles=[Role.NURSE])
    form = ContactPreferenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or "Check the quiet hours.")
        return redirect("checklists:patient-detail", pk=patient.pk)
    contact_preference_update(patient=patient, by=request.user, **form.cleaned_data)
    messages.success(request, "Contact preferences saved; the scheduled messages follow them.")
    return redirect("checklists:patient-detail", pk=patient.pk)
