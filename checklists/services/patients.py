"""A patient's record: created and corrected through here, every change in its history with who and why."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from ..events import PatientDetailsChanged, announce
from ..models import Patient
from .audit import save_with_history

# Fields whose change matters clinically: a reason is required to change them.
CLINICAL_PATIENT_FIELDS = ("date_of_birth", "allergies")


def patient_create(*, by, mrn: str, first_name: str, last_name: str, date_of_birth: dt.date, **details) -> Patient:
    """Add a patient (contact details, language and allergies are optional)."""
    with transaction.atomic():
        patient = Patient(mrn=mrn, first_name=first_name, last_name=last_name, date_of_birth=date_of_birth)
        _assign(patient, details)
        patient.full_clean()
        save_with_history(patient, by=by, reason="Patient added")
    return patient


def patient_update(*, patient: Patient, by, reason: str = "", **changes) -> Patient:
    """Correct a patient's record; a clinical field (date of birth, allergies) changes only with a reason."""
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        changed = [name for name, value in changes.items() if getattr(patient, name) != value]
        if not changed:
            return patient
        reason = reason.strip()
        clinical = [name.replace("_", " ") for name in changed if name in CLINICAL_PATIENT_FIELDS]
        if clinical and not reason:
            raise ValidationError(
                {"reason": f"Give a reason for changing the {' and '.join(clinical)}: it is clinical data."}
            )
        previous = {name: getattr(patient, name) for name in changed}
        _assign(patient, changes)
        patient.full_clean()
        save_with_history(patient, by=by, reason=reason or "Details corrected")
        announce(PatientDetailsChanged(patient, previous))
    return patient


def _assign(patient: Patient, fields: dict) -> None:
    for name, value in fields.items():
        if name not in Patient.EDITABLE_FIELDS:
            raise TypeError(f"{name} is not a field a nurse edits")
        setattr(patient, name, value)
