"""Real headless Chromium: a nurse adds a medicine found by its brand name and records the prescriber's decision."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from medicines.catalogue import catalogue_load, read_catalogue
from medicines.models import Decision, EpisodeMedicine
from tests.browser.pages import log_in
from tests.factories import PatientFactory, UserFactory, schedule_episode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nurse_adds_clopidogrel_and_records_the_prescribers_decision(live_server, page: Page):
    catalogue_load(data=read_catalogue())
    nurse = UserFactory(username="nina", first_name="Nina", last_name="Nurse", role="nurse")
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=12), dt.time(8, 0)))
    episode = schedule_episode(by=nurse, patient=PatientFactory(first_name="Maria", last_name="Lopez"), start=start)

    log_in(page, f"{live_server.url}/episodes/{episode.pk}/", username="nina")
    page.get_by_role("link", name="Medicines").click()
    page.get_by_label("Search the catalogue by generic or brand name").fill("plavix")
    page.get_by_role("button", name="Search").click()
    page.get_by_label("Medicine", exact=True).select_option(label="clopidogrel — Plavix")
    page.get_by_label("Dose and how often").fill("75 mg once a day")
    page.get_by_label("What it is for").fill("heart stent in 2019")
    page.get_by_role("button", name="Add medicine").click()

    expect(page.get_by_role("status")).to_contain_text("clopidogrel added. Proposed: clopidogrel: hold 7 days.")
    row = page.locator("tr", has_text="75 mg once a day")
    expect(row).to_contain_text("No decision yet")
    page.get_by_text("Record the prescriber's decision for clopidogrel…").click()
    page.get_by_label("The prescriber's decision").select_option(label="Stop as proposed")
    page.get_by_label("Prescriber's name").fill("Dr. Rivera")
    page.get_by_label("How the decision was given").select_option(label="Phone call")
    page.get_by_role("button", name="Record decision").click()

    expect(page.get_by_role("status")).to_contain_text("Decision for clopidogrel recorded: Stop as proposed.")
    last_dose = timezone.localdate(start) - dt.timedelta(days=8)
    expect(row).to_contain_text(f"Last dose by {last_dose:%a} {last_dose.day} {last_dose:%b} 23:59")
    medication = EpisodeMedicine.objects.get(episode=episode)
    assert (medication.decision, medication.prescriber_name, medication.decided_by) == (
        Decision.STOP_AS_PROPOSED,
        "Dr. Rivera",
        nurse,
    )
