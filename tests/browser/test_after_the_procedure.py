"""Real headless Chromium: a nurse records a procedure done in place, and its after care is waiting for her."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from checklists.models import Episode
from tests.browser.pages import log_in
from tests.factories import PatientFactory, schedule_episode, small_protocol_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def started_this_hour(nurse):
    """Started ten minutes ago; its after-care task, "Lie flat", is due an hour after the start."""
    return schedule_episode(
        by=nurse,
        patient=PatientFactory(first_name="Dora", last_name="Done"),
        protocol_version=small_protocol_version(),
        nurse=nurse,
        start=timezone.now() - dt.timedelta(minutes=10),
    )


def test_nurse_records_the_procedure_done_in_place_and_finds_its_after_care(
    live_server, page: Page, nurse, started_this_hour
):
    episode_url = f"{live_server.url}{reverse('checklists:episode-detail', args=[started_this_hour.pk])}"
    log_in(page, episode_url, username=nurse.username)
    expect(page.get_by_role("heading", name="Dora Done")).to_be_visible()
    page.evaluate("window.__sameDocument = true")

    page.get_by_text("Record procedure done…").click()
    page.get_by_role("button", name="Record procedure done").click()

    expect(page.get_by_role("status")).to_contain_text("Procedure recorded as done.")
    expect(page.locator(".readiness-badge")).to_have_text("Procedure done")
    expect(page.get_by_text("Record procedure done…")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
    started_this_hour.refresh_from_db()
    assert started_this_hour.status == Episode.Status.COMPLETED

    page.get_by_role("link", name="After care").click()
    row = page.locator("table.after-care tbody tr", has_text="Dora Done")
    expect(row).to_contain_text(re.compile(r"Lie flat"))
