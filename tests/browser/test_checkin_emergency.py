"""The emergency screen on a 360 px phone, reached through the check-in link, in English and Spanish: axe clean.

It bypasses the CSP only to inject axe (as the portal's accessibility test does).
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from checkins.links import checkin_link_path
from checkins.models import Alert
from checkins.protocol_data import read_checkin_protocol, shipped_checkin_files
from checkins.services import checkin_protocol_import
from checklists.services import episodes
from tests.browser.test_portal import PHONE
from tests.browser.test_portal_accessibility import serious_violations
from tests.checkins.conftest import ALL_NORMAL
from tests.factories import PatientFactory, UserFactory, schedule_episode, small_protocol_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = {
    "en": ("Call 911 now", "Do not drive yourself"),
    "es": ("Llame al 911 ahora", "No maneje usted"),
}


def open_day_1_link(*, language: str, version, nurse) -> str:
    """A procedure done a day and an hour ago: its day-1 check-in is open now."""
    patient = PatientFactory(preferred_language=language)
    episode = schedule_episode(
        by=nurse, patient=patient, start=timezone.now() - dt.timedelta(days=1, hours=1), protocol_version=version
    )
    episodes.episode_record_done(episode=episode, by=nurse)
    return checkin_link_path(episode.checkins.get(point__key="day-1"))


@pytest.mark.browser_context_args(bypass_csp=True, viewport=PHONE)
def test_leg_weakness_shows_the_911_screen_at_once_in_english_and_spanish(live_server, page: Page):
    version = small_protocol_version()
    checkin_protocol_import(data=read_checkin_protocol(shipped_checkin_files()[0]))
    nurse = UserFactory(username="nina")
    found = {}
    for language, (heading, no_driving) in SCREEN.items():
        page.goto(live_server.url + open_day_1_link(language=language, version=version, nurse=nurse))
        assert page.locator("html").get_attribute("lang") == language
        found[f"form {language}"] = serious_violations(page)
        for name, value in {**ALL_NORMAL, "leg_weakness": "yes"}.items():
            if name == "anything_else":
                page.locator(f"textarea[name={name}]").fill("")
            else:
                page.locator(f'input[name="{name}"][value="{value}"]').check()
        page.locator("form.checkin-form button[type=submit]").click()
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        expect(page.locator("a[href='tel:911']")).to_be_visible()
        expect(page.get_by_text(no_driving)).to_be_visible()
        # Full screen on the phone, nothing to scroll sideways; the alert was raised by that request.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert (
            Alert.objects.filter(
                kind=Alert.Kind.EMERGENCY, checkin__episode__patient__preferred_language=language
            ).count()
            == 1
        )
        found[f"911 {language}"] = serious_violations(page)
    assert {name: violations for name, violations in found.items() if violations} == {}
