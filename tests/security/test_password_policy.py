"""Password rules: 12 characters for staff, never the current password, Django's rules kept, explained first."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

ELEVEN = "Tulip-Lake7"  # 11 characters, not common, not numeric


def errors(password, user) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


@pytest.mark.parametrize("who", ["nurse", "admin_user"])
def test_staff_need_at_least_12_characters(request, who):
    user = request.getfixturevalue(who)

    assert errors(ELEVEN, user) == ["password_too_short_for_staff"]
    assert errors(ELEVEN + "x", user) == []


def test_patients_keep_djangos_minimum_of_8(patient_user):
    assert errors(ELEVEN, patient_user) == []
    assert errors("Tulip-7", patient_user) == ["password_too_short"]


def test_djangos_common_numeric_and_similarity_rules_are_kept(patient_user):
    assert "password_too_common" in errors("password123", patient_user)
    assert "password_entirely_numeric" in errors("8491027365", patient_user)
    assert "password_too_similar" in errors("pat.patient", patient_user)


def test_the_current_password_cannot_be_chosen_again(nurse):
    nurse.set_password("Current-Tulip-Lake-7")

    assert errors("Current-Tulip-Lake-7", nurse) == ["password_unchanged"]
    assert errors("Another-Tulip-Lake-7", nurse) == []


def set_password_page(client, user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    response = client.get(reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)]))
    return response["Location"]


def test_the_set_password_page_explains_the_rules_before_the_form(client, patient_user):
    page = client.get(set_password_page(client, patient_user)).content.decode()

    rules = page.index("Your password must follow these rules:")
    assert rules < page.index('name="new_password1"')
    assert "can’t be the one you have now" in page[rules:]
    assert "Staff passwords" not in page


def test_setting_the_current_password_again_is_refused_on_the_page(client, patient_user):
    patient_user.set_password("Current-Tulip-Lake-7")
    patient_user.save()
    url = set_password_page(client, patient_user)

    response = client.post(url, {"new_password1": "Current-Tulip-Lake-7", "new_password2": "Current-Tulip-Lake-7"})

    assert response.status_code == 200
    assert "This is your current password. Choose a new one." in response.content.decode()


def test_the_rules_are_in_spanish_for_a_spanish_speaking_patient(client, patient_user):
    client.cookies["django_language"] = "es"

    page = client.get(set_password_page(client, patient_user)).content.decode()

    assert "Su contraseña debe cumplir estas reglas:" in page
    assert "no puede ser la que tiene ahora" in page
