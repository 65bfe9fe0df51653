"""Reports are for admins: anonymous users log in first, nurses and patients get 403."""

import pytest
from django.urls import reverse

from reports.tables import TABLES

REPORT_URLS = [reverse("reports:completion")] + [reverse("reports:table-csv", args=[slug]) for slug in TABLES]


@pytest.mark.parametrize("url", REPORT_URLS)
def test_anonymous_user_is_sent_to_log_in(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", REPORT_URLS)
@pytest.mark.parametrize("person", ["patient_user", "nurse"])
def test_nurses_and_patients_cannot_see_reports(client, request, url, person):
    client.force_login(request.getfixturevalue(person))

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", REPORT_URLS)
def test_an_admin_sees_every_report(client, admin_user, url):
    client.force_login(admin_user)

    assert client.get(url).status_code == 200
