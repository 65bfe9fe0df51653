"""Phone numbers are checked at entry and stored in E.164; an invalid one is a 400 with the reason."""

from django.urls import reverse
from pytest_django.asserts import assertContains

from checklists.models import Patient
from tests.test_forms import patient_data


def test_a_phone_typed_the_local_way_is_stored_in_e164(client, nurse):
    client.force_login(nurse)
    response = client.post(reverse("checklists:patient-create"), patient_data(phone="(202) 555-0143"))
    assert response.status_code == 302
    assert str(Patient.objects.get(mrn="KP-2041").phone) == "+12025550143"


def test_an_invalid_phone_number_is_a_400_and_nothing_is_saved(client, nurse):
    client.force_login(nurse)
    response = client.post(reverse("checklists:patient-create"), patient_data(phone="555-0100"))
    assertContains(response, "Enter a valid phone number", status_code=400)
    assert not Patient.objects.filter(mrn="KP-2041").exists()


def test_a_foreign_number_keeps_its_country_code(client, nurse):
    client.force_login(nurse)
    client.post(reverse("checklists:patient-create"), patient_data(phone="+34 612 345 678"))
    assert str(Patient.objects.get(mrn="KP-2041").phone) == "+34612345678"
