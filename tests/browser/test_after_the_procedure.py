"""Real headless Chromium: the time-out in the room, then "record procedure done" with other levels than planned
(flagged in red and in the history), in place; and the after care is waiting for the nurse."""

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


def test_nurse_records_the_time_out_then_the_procedure_done_on_other_levels_and_finds_its_after_care(
    live_server, page: Page, nurse, started_this_hour
):
    episode_url = f"{live_server.url}{reverse('checklists:episode-detail', args=[started_this_hour.pk])}"
    log_in(page, episode_url, username=nurse.username)
    expect(page.get_by_role("heading", name="Dora Done")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    page.get_by_text("Record procedure done…").click()
    expect(page.get_by_text("Record the time-out first")).to_be_visible()

    page.get_by_text("Time-out…").click()
    for check in ("Patient identity confirmed", "Procedure confirmed", "Imaging displayed", "Consent matches"):
        page.get_by_label(check).check()
    page.get_by_label("Vertebral level(s) verified").fill("L1")
    page.get_by_label("Side").select_option(label="Midline")
    page.get_by_role("button", name="Record time-out").click()

    expect(page.get_by_role("status")).to_contain_text("Time-out recorded.")
    expect(page.locator(".time-out-record")).to_contain_text("level(s) L1 (midline), imaging displayed, consent")
    page.get_by_text("Record procedure done…").click()
    ended_at = timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Procedure ended at").fill(ended_at)
    page.get_by_label("Levels treated").fill("L1, L2")
    page.get_by_role("button", name="Record procedure done").click()

    expect(page.get_by_role("status")).to_contain_text("Procedure recorded as done.")
    expect(page.locator(".readiness-badge")).to_have_text("Procedure done")
    mismatch = page.locator(".levels-mismatch")
    expect(mismatch).to_have_text("Levels treated differ from the plan: treated L1, L2, planned L1.")
    assert mismatch.evaluate("el => getComputedStyle(el).color") == "rgb(88, 21, 28)"  # Bootstrap's danger text
    expect(page.locator("body")).to_contain_text("LEVELS TREATED DIFFER FROM THE PLANNED LEVELS (L1)")
    expect(page.get_by_text("Record procedure done…")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
    started_this_hour.refresh_from_db()
    assert started_this_hour.status == Episode.Status.COMPLETED
    assert (started_this_hour.levels_treated, started_this_hour.time_outs.count()) == ("L1, L2", 1)

    page.get_by_role("link", name="After care").click()
    row = page.locator("table.after-care tbody tr", has_text="Dora Done")
    expect(row).to_contain_text(re.compile(r"Lie flat"))
