"""Every patient page in English and Spanish: the preferred language by default, the switcher's choice wins."""

from django.conf import settings
from django.urls import reverse

from checklists.models import Language

DRIVER_ES = "Pida a un adulto que lo/la lleve a casa"
DRIVER_INSTRUCTIONS_ES = "Pida a un adulto de confianza que lo/la lleve a casa"
EMERGENCY_ES = "No puede mover una o las dos piernas"
CONFIRM_DRIVER_ES = "Confirme que la persona que lo/la llevará a casa puede venir"


def test_spanish_speaking_patient_gets_the_checklist_in_spanish(client, maria, marias_episode):
    client.force_login(maria.user)

    response = client.get(reverse("portal:checklist"))

    page = response.content.decode()
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in page
    assert "Mi lista de tareas" in page
    assert "La semana anterior: desde el " in page
    assert DRIVER_ES in page
    assert DRIVER_INSTRUCTIONS_ES in page
    assert EMERGENCY_ES in page
    assert "Ya lo hice" in page
    assert "Arrange an adult to drive you home" not in page


def test_spanish_dates_read_naturally(client, maria, marias_episode):
    client.force_login(maria.user)

    checklist = client.get(reverse("portal:checklist")).context["checklist"]

    night_before = checklist.phases[1]
    assert night_before.label == "La noche anterior"
    # "domingo 8 de marzo": full weekday, "de" before the month.
    assert " de " in night_before.when
    assert checklist.procedure_when.count(" a las ") == 1


def test_english_speaking_patient_gets_english(client, maria, marias_episode):
    maria.preferred_language = Language.ENGLISH
    maria.save()
    client.force_login(maria.user)

    response = client.get(reverse("portal:checklist"))

    assert response["Content-Language"] == "en"
    assert "Arrange an adult to drive you home" in response.content.decode()


def test_the_language_switcher_overrides_the_preferred_language(client, maria, marias_episode):
    client.force_login(maria.user)

    switched = client.post(reverse("set_language"), {"language": "en", "next": reverse("portal:checklist")})
    response = client.get(switched.url)

    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert response["Content-Language"] == "en"
    assert "Arrange an adult to drive you home" in response.content.decode()


def test_switcher_is_offered_to_patients_and_on_the_login_page_not_to_nurses(client, maria, nurse):
    login_page = client.get(reverse("login")).content.decode()
    client.force_login(maria.user)
    patient_page = client.get(reverse("portal:warning-signs")).content.decode()
    client.force_login(nurse)
    nurse_page = client.get(reverse("checklists:episode-list")).content.decode()

    assert reverse("set_language") in login_page
    assert reverse("set_language") in patient_page
    assert reverse("set_language") not in nurse_page


def test_login_page_in_spanish_for_a_spanish_browser(client):
    page = client.get(reverse("login"), headers={"accept-language": "es"}).content.decode()

    assert "Iniciar sesión" in page


def test_confirmation_message_is_in_the_patients_language(client, maria, marias_episode):
    confirm = marias_episode.tasks.get(title="Confirm your driver")
    client.force_login(maria.user)

    response = client.post(reverse("portal:task-report", args=[confirm.pk]), {"version": confirm.version}, follow=True)

    assert f"Gracias. Le avisamos a su enfermera que «{CONFIRM_DRIVER_ES}» está hecho." in response.content.decode()
    assert "Nos dijo que ya está hecho. Una enfermera lo va a revisar." in response.content.decode()


def test_refusal_from_the_domain_is_translated(client, maria, marias_episode):
    consent = marias_episode.tasks.get(title="Sign the consent form")
    client.force_login(maria.user)

    response = client.post(reverse("portal:task-report", args=[consent.pk]), {"version": consent.version})

    assert response.status_code == 409
    assert "Solo puede marcar como hechas las tareas que le tocan a usted." in response.content.decode()


def test_a_task_without_a_spanish_text_falls_back_to_english(client, maria, marias_episode):
    marias_episode.tasks.filter(title="Confirm your driver").update(title_es="", patient_instructions_es="")
    client.force_login(maria.user)

    page = client.get(reverse("portal:checklist")).content.decode()

    assert "Confirm your driver" in page
    assert "Call your driver and make sure they can still come." in page


def test_warning_signs_page_in_spanish(client, maria, marias_episode):
    client.force_login(maria.user)

    page = client.get(reverse("portal:warning-signs")).content.decode()

    assert "Cuándo llamarnos" in page
    assert "Tiene fiebre." in page
    assert "Llame al 911 – no vaya manejando." in page
    assert f'Llame a la unidad al <a href="tel:{"".join(c for c in settings.WARD_PHONE if c.isdigit())}"' in page


def test_every_portal_string_has_a_spanish_translation():
    catalog = (settings.BASE_DIR / "locale/es/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = catalog.split("\n\n")[1:]  # the first entry is the header

    untranslated = [entry for entry in entries if entry.rstrip().endswith('msgstr ""') or "#, fuzzy" in entry]

    assert untranslated == []
