"""Real headless Chromium: the nurse keeps her place when ticking (no CSP error), and the worklist fits a phone.

One log-in for both: the CSP is enforced on the checklist; only the phone context, which injects axe,
bypasses it (it reuses the log-in's cookies).
"""

import pytest
from playwright.sync_api import Browser, Page, expect

from checklists.models import Episode
from tests.browser.pages import log_in
from tests.browser.test_portal import PHONE, fits_the_screen
from tests.browser.test_portal_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ticking_keeps_the_nurses_place_without_csp_errors_and_the_worklist_fits_a_phone(
    live_server, page: Page, browser: Browser, demo
):
    console, violations = [], []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.expose_function("reportViolation", lambda directive: violations.append(directive))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => window.reportViolation(e.violatedDirective))"
    )
    episode = Episode.objects.get(patient__mrn="DEMO-015")
    log_in(page, f"{live_server.url}/episodes/{episode.pk}/", username="nurse", password="kypho-nurse")
    expect(page.get_by_role("heading", name="What blocks this procedure")).to_be_visible()

    # Far down the long checklist: tick, mark not applicable, undo; the row stays where it was.
    row = page.locator(".task-row", has=page.get_by_role("button", name="Mark done")).nth(8)
    row_id = row.get_attribute("id")
    row.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 200)")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 800
    top = page.locator(f"#{row_id}").evaluate("row => row.getBoundingClientRect().top")

    page.locator(f"#{row_id}").get_by_role("button", name="Mark done").click()

    confirmation = page.locator(f"#{row_id} [role=status]")
    expect(confirmation).to_contain_text("marked done.")
    expect(confirmation).to_be_focused()
    # Once htmx has settled the swap, the row is where it was on screen (within a scroll step).
    page.wait_for_function(
        "([id, top]) => Math.abs(document.getElementById(id).getBoundingClientRect().top - top) <= 2", arg=[row_id, top]
    )
    page.locator(f"#{row_id}").get_by_text("Undo…").click()
    page.locator(f"#{row_id}").get_by_placeholder("Reason (required)").fill("Ticked the wrong row")
    page.locator(f"#{row_id}").get_by_role("button", name="Undo").click()
    expect(page.locator(f"#{row_id} [role=status]")).to_contain_text("reopened.")
    assert page.evaluate("window.scrollY") > 800
    assert violations == []
    assert not [line for line in console if "Content Security Policy" in line or "Content-Security-Policy" in line]

    phone = browser.new_context(viewport=PHONE, bypass_csp=True, storage_state=page.context.storage_state())
    worklist = phone.new_page()
    worklist.goto(f"{live_server.url}/episodes/")
    first_card = worklist.locator("table.worklist tbody tr").first
    # The readiness badge first; the filters folded behind a button; nothing scrolls sideways.
    assert first_card.locator("td").first.locator(".readiness-badge").count() == 1
    expect(worklist.get_by_label("Readiness", exact=True)).to_be_hidden()
    assert worklist.locator("table.worklist tbody tr").nth(1).bounding_box()["y"] < PHONE["height"] * 2
    assert fits_the_screen(worklist)
    assert serious_violations(worklist) == []
    worklist.get_by_text("Filters").click()
    expect(worklist.get_by_label("Readiness", exact=True)).to_be_visible()
    worklist.goto(f"{live_server.url}/episodes/{episode.pk}/")
    assert fits_the_screen(worklist)
    assert serious_violations(worklist) == []
    phone.close()
