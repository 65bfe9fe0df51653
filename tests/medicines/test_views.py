"""The Medicines page and "My medicines": who may see and change what, bad input as a 400, Spanish."""

import pytest
from django.urls import reverse

from medicines import services
from medicines.models import Decision, EpisodeMedicine


@pytest.fixture
def clopidogrel(plan_episode, nurse, catalogue):
    return services.medicine_add(episode=plan_episode, by=nurse, medicine=catalogue["clopidogrel"], dose="75 mg daily")


def decision_form(**fields):
    return {"decision": "stop_as_proposed", "prescriber_name": "Dr. Rivera", "channel": "phone", **fields}


def test_anonymous_is_sent_to_log_in(client, plan_episode):
    response = client.get(reverse("medicines:plan", args=[plan_episode.pk]))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_nurse_and_admin_see_the_plan_the_patient_does_not(client, plan_episode, nurse, admin_user, patient_user):
    url = reverse("medicines:plan", args=[plan_episode.pk])
    client.force_login(nurse)
    assert client.get(url).status_code == 200
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
    assert b"Record decision" not in response.content
    client.force_login(patient_user)
    assert client.get(url).status_code == 403


def test_plan_page_runs_the_same_queries_for_one_medicine_or_five(
    client, plan_episode, nurse, catalogue, django_assert_num_queries
):
    # Session, user, episode, medicines (with catalogue entry and tasks), review, day-of results, the lab
    # check's results and medicines, catalogue choices for the add form, lab tests for the lab form, and the
    # read-access log (episode, insert): twelve, whatever the list's length.
    client.force_login(nurse)
    url = reverse("medicines:plan", args=[plan_episode.pk])
    services.medicine_add(episode=plan_episode, by=nurse, medicine=catalogue["ibuprofen"], dose="400 mg")
    with django_assert_num_queries(12):
        client.get(url)
    for slug in ("warfarin", "apixaban", "naproxen", "metformin"):
        services.medicine_add(episode=plan_episode, by=nurse, medicine=catalogue[slug], dose="1 tablet")
    with django_assert_num_queries(12):
        client.get(url)


def test_nurse_adds_a_medicine_found_by_its_brand_name(client, plan_episode, nurse, catalogue):
    client.force_login(nurse)
    page = client.get(reverse("medicines:plan", args=[plan_episode.pk]), {"q": "plavix"})
    assert list(page.context["add_form"].fields["medicine"].queryset) == [catalogue["clopidogrel"]]
    response = client.post(
        reverse("medicines:medicine-add", args=[plan_episode.pk]),
        {"medicine": catalogue["clopidogrel"].pk, "dose": "75 mg daily", "indication": "stent 2019"},
    )
    assert response.status_code == 302
    medication = EpisodeMedicine.objects.get(episode=plan_episode)
    assert (medication.name, medication.dose, medication.added_by) == ("clopidogrel", "75 mg daily", nurse)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"medicine": "999999", "dose": "1 mg"}, "Select a valid choice"),
        ({"dose": "1 mg"}, "type its name"),
        ({"medicine": "", "other_name": "Fish oil"}, "Dose and how often: This field is required."),
    ],
)
def test_unknown_drug_or_missing_fields_are_a_400_with_a_message(client, plan_episode, nurse, form, message):
    client.force_login(nurse)
    response = client.post(reverse("medicines:medicine-add", args=[plan_episode.pk]), form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EpisodeMedicine.objects.exists()


def test_nurse_records_the_prescribers_decision(client, clopidogrel, nurse):
    client.force_login(nurse)
    response = client.post(reverse("medicines:medicine-decide", args=[clopidogrel.pk]), decision_form())
    assert response.status_code == 302
    clopidogrel.refresh_from_db()
    assert (clopidogrel.decision, clopidogrel.prescriber_name, clopidogrel.decided_by) == (
        Decision.STOP_AS_PROPOSED,
        "Dr. Rivera",
        nurse,
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"decision": "stop_other_date", "last_dose_on": "2026-12-15"}, "before the procedure starts"),
        ({"decision": "stop_other_date", "last_dose_on": "2026-12-11"}, "shorter than the catalogue"),
        ({"restart_on": "2026-12-13", "restart_time": "09:00"}, "restart must be after"),
        ({"decision": "pending"}, "Select a valid choice"),
        ({"last_dose_on": "not a date"}, "Enter a valid date"),
    ],
)
def test_impossible_decision_is_a_400_with_a_message(client, clopidogrel, nurse, fields, message):
    client.force_login(nurse)
    response = client.post(reverse("medicines:medicine-decide", args=[clopidogrel.pk]), decision_form(**fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    clopidogrel.refresh_from_db()
    assert clopidogrel.decision == Decision.PENDING


@pytest.mark.parametrize("name", ["medicine-decide", "medicine-remove"])
def test_patient_cannot_change_a_decision_and_other_patients_get_404(
    client, clopidogrel, patient_user, other_patient_user, name
):
    url = reverse(f"medicines:{name}", args=[clopidogrel.pk])
    client.force_login(patient_user)
    assert client.post(url, decision_form(reason="x")).status_code == 403
    client.force_login(other_patient_user)
    assert client.post(url, decision_form(reason="x")).status_code == 404
    clopidogrel.refresh_from_db()
    assert (clopidogrel.decision, clopidogrel.removed_at) == (Decision.PENDING, None)


@pytest.mark.parametrize(
    "name", ["medicines:medicine-add", "medicines:review-record", "medicines:lab-record", "medicines:medicine-decide"]
)
def test_changes_are_post_only(client, nurse, plan_episode, clopidogrel, name):
    client.force_login(nurse)
    pk = clopidogrel.pk if name.endswith("decide") else plan_episode.pk
    assert client.get(reverse(name, args=[pk])).status_code == 405


def test_patient_sees_only_decided_advice_in_my_medicines(client, clopidogrel, nurse, patient_user, catalogue):
    services.medicine_add(episode=clopidogrel.episode, by=nurse, medicine=catalogue["ibuprofen"], dose="400 mg")
    services.medicine_decide(
        medication=clopidogrel, by=nurse, decision=Decision.STOP_AS_PROPOSED, prescriber_name="Dr. R", channel="phone"
    )
    client.force_login(patient_user)
    page = client.get(reverse("medicines:my-medicines", args=[clopidogrel.episode_id])).content.decode()
    assert "by Sun 6 December at 11:59 p.m." in page
    assert "from Tue 15 December at 8 a.m." in page
    rows = client.get(reverse("medicines:my-medicines", args=[clopidogrel.episode_id])).context["medicines"]
    by_name = {row.name: row for row in rows}
    assert (by_name["ibuprofen"].last_dose, by_name["ibuprofen"].restart) == ("", "")
    assert "still asking your doctor" in by_name["ibuprofen"].plan
    assert "call the ward" in page.lower()


def test_patient_cannot_open_another_patients_medicines(client, clopidogrel, other_patient_user, nurse):
    client.force_login(other_patient_user)
    assert client.get(reverse("medicines:my-medicines", args=[clopidogrel.episode_id])).status_code == 404
    client.force_login(nurse)
    assert client.get(reverse("medicines:my-medicines", args=[clopidogrel.episode_id])).status_code == 403


def test_my_medicines_in_spanish(client, clopidogrel, nurse, patient_user):
    services.medicine_decide(
        medication=clopidogrel, by=nurse, decision=Decision.STOP_AS_PROPOSED, prescriber_name="Dr. R", channel="phone"
    )
    patient = clopidogrel.episode.patient
    patient.preferred_language = "es"
    patient.save()
    client.force_login(patient_user)
    response = client.get(reverse("medicines:my-medicines", args=[clopidogrel.episode_id]))
    page = response.content.decode()
    assert response.headers["Content-Language"] == "es"
    assert "Mis medicamentos" in page
    assert "Última dosis" in page
    assert "Deje de tomarlo en la fecha" in page


def test_no_regular_medicines_is_recorded_from_the_page(client, plan_episode, nurse):
    client.force_login(nurse)
    response = client.post(reverse("medicines:review-record", args=[plan_episode.pk]), {"answer": "none"})
    assert response.status_code == 302
    assert plan_episode.medicine_review.no_regular_medicines is True


def test_patients_print_view_and_calendar_carry_the_last_dose_and_restart(client, clopidogrel, nurse, patient_user):
    services.medicine_decide(
        medication=clopidogrel, by=nurse, decision=Decision.STOP_AS_PROPOSED, prescriber_name="Dr. R", channel="phone"
    )
    client.force_login(patient_user)
    episode_pk = clopidogrel.episode_id
    printed = client.get(reverse("portal:episode-print", args=[episode_pk])).content.decode()
    assert "Take your last dose of clopidogrel" in printed
    assert "Restart clopidogrel" in printed
    calendar = client.get(reverse("portal:episode-calendar", args=[episode_pk])).content.decode()
    assert "SUMMARY:Take your last dose of clopidogrel" in calendar
    assert "DTSTART:20261207T045900Z" in calendar  # Sunday 6 December, 11:59 p.m. in New York
