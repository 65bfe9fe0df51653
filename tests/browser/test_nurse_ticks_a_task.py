"""Real headless Chromium: the demo nurse ticks a task and sees it done."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_nurse_logs_in_opens_a_patient_and_ticks_a_task(live_server, page: Page, demo):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill("kypho-nurse")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()
    page.get_by_role("link", name="Maria Lopez").click()

    first_pending = page.locator(".task-row", has=page.get_by_role("button", name="Mark done")).first
    title = first_pending.locator(".task-title").inner_text()
    first_pending.get_by_placeholder("Optional note").fill("Checked by phone")
    first_pending.get_by_role("button", name="Mark done").click()

    expect(page.get_by_role("status")).to_contain_text(f"“{title}” marked done.")
    row = page.locator(".task-row", has=page.locator(".task-title", has_text=re.compile(f"^{re.escape(title)}$")))
    expect(row.locator(".status-badge")).to_have_text("Done")
    expect(row).to_contain_text("Checked by phone")
    history = page.locator("section", has=page.get_by_role("heading", name="History"))
    expect(history.locator("tbody tr").first).to_contain_text(title)
    expect(history.locator("tbody tr").first).to_contain_text("Pending → Done")
