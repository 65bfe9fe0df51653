"""Real headless Chromium on a 360 px phone: the demo patient reports a task, the nurse sees it."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from checklists.models import Episode
from tests.browser.conftest import DRIVER
from tests.browser.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DRIVER_ES = "Pida a un adulto que lo/la lleve a casa"


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser_context_args(viewport=PHONE)
def test_demo_patient_gives_the_driver_on_a_phone_and_the_nurse_sees_it(
    live_server, page: Page, browser: Browser, driver_still_to_arrange
):
    driver = driver_still_to_arrange

    log_in(page, f"{live_server.url}/", username="patient", password="kypho-patient")

    # Maria prefers Spanish: the portal is in Spanish without her asking.
    expect(page.get_by_role("heading", name="Mi lista de tareas", level=1)).to_be_visible()
    assert fits_the_screen(page)
    task = page.locator(f"#task-{driver.pk}")
    expect(task).to_contain_text(DRIVER_ES)
    expect(task).to_contain_text("Pida a un adulto de confianza")
    task.get_by_label("Nombre de la persona que lo/la llevará").fill("Ana Lopez")
    task.get_by_label("Teléfono de la persona que lo/la llevará").fill("(555) 010-0199")
    button = task.get_by_role("button", name=re.compile("^Enviar mis respuestas"))
    box = button.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24  # WCAG 2.2 target size (minimum)
    button.click()

    expect(page.get_by_role("status")).to_contain_text(f"Su enfermera ya puede ver sus respuestas a «{DRIVER_ES}».")
    expect(page.locator(f"#task-{driver.pk}")).to_contain_text("Nos dijo que ya está hecho")
    expect(page.locator(f"#task-{driver.pk}").get_by_role("button")).to_have_count(0)
    assert fits_the_screen(page)
    driver.refresh_from_db()
    assert driver.awaits_verification
    assert driver.patient_answers == {"Driver's name": "Ana Lopez", "Driver's phone": "(555) 010-0199"}

    nurse_page = browser.new_context(viewport=PHONE).new_page()
    episode = Episode.objects.get(patient__mrn="DEMO-015")
    log_in(nurse_page, f"{live_server.url}/episodes/{episode.pk}/", username="nurse", password="kypho-nurse")
    row = nurse_page.locator(f"#task-{driver.pk}")
    expect(row).to_contain_text("Patient reported done")
    expect(row).to_contain_text("Driver's name: Ana Lopez; Driver's phone: (555) 010-0199")
    expect(row.get_by_role("button", name="Verify and mark done")).to_be_visible()
    nurse_page.context.close()


@pytest.mark.browser_context_args(viewport=PHONE)
def test_patient_switches_to_english_and_back(live_server, page: Page, demo):
    log_in(page, f"{live_server.url}/", username="patient", password="kypho-patient")
    expect(page.get_by_role("heading", name="Mi lista de tareas", level=1)).to_be_visible()

    page.get_by_role("button", name="English").click()

    expect(page.get_by_role("heading", name="My checklist", level=1)).to_be_visible()
    expect(page.locator("body")).to_contain_text(DRIVER)
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", name="Mi lista de tareas", level=1)).to_be_visible()
