"""Real headless Chromium: the admin's report draws its charts with the vendored Chart.js under the strict CSP."""

import pytest
from django.urls import reverse
from django.utils.http import urlencode
from playwright.sync_api import Page, expect

from tests.browser.pages import log_in
from tests.reports.conftest import CONSENT, DRIVER, PERIOD, Ward, june

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_opens_the_report_and_sees_the_trend_and_phase_charts(
    live_server, page: Page, admin_user, nurse, protocol_version
):
    ward = Ward(protocol_version, scheduler=nurse)
    for start in (june(3, 10), june(11, 10)):
        episode = ward.book(start)
        ward.done(episode, DRIVER, by=nurse, at=june(1, 9))
        ward.done(episode, CONSENT, by=nurse, at=start.replace(hour=8))
        ward.complete(episode)
    problems = []  # script errors and anything the Content-Security-Policy refused
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    log_in(page, f"{live_server.url}{reverse('reports:completion')}?{urlencode(PERIOD)}", username=admin_user.username)

    expect(page.get_by_role("heading", name="Completion report")).to_be_visible()
    expect(page.get_by_text("100.0% of completed procedures were ready at start")).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart('trend-chart') && Chart.getChart('phase-chart')")
    assert page.evaluate("Chart.getChart('trend-chart').data.labels") == ["2025-06-02", "2025-06-09"]
    assert page.evaluate("Chart.getChart('trend-chart').data.datasets[0].data") == [100, 100]
    assert page.evaluate("Chart.getChart('phase-chart').data.labels.length") == 4
    assert problems == []
