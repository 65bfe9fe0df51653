# Patients' phone numbers become E.164 (django-phonenumber-field). Numbers that parse as valid are
# rewritten (+12025550143); the others are left as typed, for a nurse to correct: the edit form
# refuses them, and no text message is sent to them.

import phonenumber_field.modelfields
import phonenumbers
from django.conf import settings
from django.db import migrations


def numbers_to_e164(apps, schema_editor):
    Patient = apps.get_model("checklists", "Patient")
    for patient in Patient.objects.exclude(phone="").only("pk", "phone"):
        try:
            number = phonenumbers.parse(str(patient.phone), settings.PHONENUMBER_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            Patient.objects.filter(pk=patient.pk).update(phone=e164)


class Migration(migrations.Migration):

    dependencies = [
        ('checklists', '0007_task_template_optional'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalpatient',
            name='phone',
            field=phonenumber_field.modelfields.PhoneNumberField(blank=True, help_text='Mobile number for text reminders, e.g. (202) 555-0143.', max_length=128, region=None),
        ),
        migrations.AlterField(
            model_name='patient',
            name='phone',
            field=phonenumber_field.modelfields.PhoneNumberField(blank=True, help_text='Mobile number for text reminders, e.g. (202) 555-0143.', max_length=128, region=None),
        ),
        migrations.RunPython(numbers_to_e164, migrations.RunPython.noop),
    ]
