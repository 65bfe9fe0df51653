"""axe-core on every patient page, in English and Spanish, on a 360 px phone: no serious or critical violations.

Only these tests bypass the CSP (to inject axe); the other browser tests keep it and so still catch inline code.
"""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from accounts.models import Role
from portal.services import invitation_link
from tests.browser.pages import log_in
from tests.browser.test_portal import PHONE
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def serious_violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [node["target"] for node in v["nodes"]]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.browser_context_args(bypass_csp=True, viewport=PHONE)
@pytest.mark.parametrize("language", ["es", "en"])
def test_patient_pages_have_no_serious_accessibility_violations(
    live_server, page: Page, language, driver_still_to_arrange
):
    driver = driver_still_to_arrange
    episode_pk = driver.episode_id
    page.goto(f"{live_server.url}{reverse('login')}")
    found = {"login": serious_violations(page)}
    # The invitation's set-password page, reached from the emailed link.
    invited = UserFactory(username="new.patient@example.org", role=Role.PATIENT)
    page.goto(invitation_link(invited, site_url=live_server.url))
    found["set password"] = serious_violations(page)
    log_in(page, f"{live_server.url}/", username="patient", password="kypho-patient")
    page.get_by_role("button", name={"es": "Español", "en": "English"}[language]).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language

    pages = {
        "checklist": reverse("portal:checklist"),
        "episode": reverse("portal:episode", args=[episode_pk]),
        "about the procedure": reverse("portal:episode-about", args=[episode_pk]),
        "warning signs": reverse("portal:warning-signs"),
        "print": reverse("portal:episode-print", args=[episode_pk]),
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        found[name] = serious_violations(page)
    # After "I've done this": the confirmation message and the changed task.
    page.goto(f"{live_server.url}{reverse('portal:checklist')}")
    page.locator(f"#task-{driver.pk}").get_by_role("button").click()
    page.wait_for_load_state()
    found["after report"] = serious_violations(page)

    assert {name: violations for name, violations in found.items() if violations} == {}
