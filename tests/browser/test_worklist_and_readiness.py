"""Real headless Chromium: readiness follows a ticked task in place, and the worklist filters by it."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from checklists.models import ChecklistTask
from checklists.views import EPISODES_PER_PAGE
from tests.browser.pages import log_in
from tests.factories import PatientFactory, schedule_episode, small_protocol_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def blocked_episode(nurse):
    """Two days ahead: "Arrange a driver" (critical, due 7 days before) is overdue, so Blocked.

    The other critical task, "Consent signed", is a day-of task that cannot be done before the
    procedure's day, so ticking the driver leaves the episode Ready for the day.
    """
    patient = PatientFactory(first_name="Bea", last_name="Blocked")
    return schedule_episode(
        by=nurse,
        patient=patient,
        protocol_version=small_protocol_version(),
        nurse=nurse,
        start=timezone.now() + dt.timedelta(days=2),
    )


def task_row(page: Page, title: str):
    return page.locator(".task-row", has=page.locator(".task-title", has_text=re.compile(f"^{re.escape(title)}$")))


def test_nurse_ticks_a_critical_task_on_a_blocked_episode_and_the_badge_changes_without_a_reload(
    live_server, page: Page, nurse, blocked_episode
):
    episode_url = f"{live_server.url}{reverse('checklists:episode-detail', args=[blocked_episode.pk])}"
    log_in(page, episode_url, username=nurse.username)
    expect(page.get_by_role("heading", name="Bea Blocked")).to_be_visible()
    badge = page.locator(".readiness-badge")
    expect(badge).to_have_text("Blocked")
    week_before = page.get_by_role("heading", name=re.compile("^Week before")).locator(".phase-progress")
    expect(week_before).to_have_text("0 of 1 closed")

    # Survives only if htmx swaps the checklist in place; a full page load would wipe it.
    page.evaluate("window.__sameDocument = true")
    driver = task_row(page, "Arrange a driver")
    driver.get_by_role("button", name="Mark done").click()

    expect(page.get_by_role("status")).to_have_text("“Arrange a driver” marked done.")
    expect(page.get_by_role("status")).to_be_visible()
    expect(badge).to_have_text("Ready for the day")
    expect(driver.locator(".status-badge")).to_have_text("Done")
    expect(week_before).to_have_text("1 of 1 closed")
    assert page.evaluate("window.__sameDocument") is True
    # Focus moves to the message, not back to the top of the page.
    assert page.evaluate("document.activeElement.classList.contains('alert')") is True
    assert page.url == episode_url
    task = blocked_episode.tasks.get(title="Arrange a driver")
    assert task.status == ChecklistTask.Status.DONE
    assert task.completed_by == nurse


def test_worklist_filter_by_readiness_shows_only_matching_episodes(live_server, page: Page, demo):
    log_in(page, f"{live_server.url}/", username="nurse", password="kypho-nurse")
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()

    page.get_by_text("Filters", exact=True).click()  # folded behind a button
    page.get_by_label("Readiness", exact=True).select_option(label="Blocked")
    page.get_by_role("button", name="Filter").click()

    expect(page).to_have_url(re.compile(r"[?&]readiness=blocked(&|$)"))
    rows = page.locator("table.worklist tbody tr")
    expect(rows.first).to_be_visible()
    row_count = rows.count()
    expect(page.locator("table.worklist .readiness-badge")).to_have_text(["Blocked"] * row_count)
    blocked_count = page.get_by_label("Readiness counts").locator("li", has_text="blocked").locator("strong")
    if row_count < EPISODES_PER_PAGE:  # a full page may be one of several, and counts cover them all
        expect(blocked_count).to_have_text(str(row_count))


def test_without_javascript_the_plain_form_ticks_a_task_and_redirects_back(
    live_server, browser: Browser, nurse, blocked_episode
):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        episode_url = f"{live_server.url}{reverse('checklists:episode-detail', args=[blocked_episode.pk])}"
        log_in(page, episode_url, username=nurse.username)
        expect(page.locator(".readiness-badge")).to_have_text("Blocked")
        driver = task_row(page, "Arrange a driver")

        driver.get_by_role("button", name="Mark done").click()

        task = blocked_episode.tasks.get(title="Arrange a driver")
        # Back at the row, its confirmation beside it.
        expect(page).to_have_url(f"{episode_url}?changed={task.pk}#task-{task.pk}")
        expect(page.get_by_role("status")).to_have_text("“Arrange a driver” marked done.")
        expect(driver.locator(".status-badge")).to_have_text("Done")
        expect(page.locator(".readiness-badge")).to_have_text("Ready for the day")
        task.refresh_from_db()
        assert task.status == ChecklistTask.Status.DONE
    finally:
        context.close()
