"""Patient data is never cached by a browser or a proxy; the CSP and Permissions-Policy close what no page uses."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("nurse", lambda episode: reverse("checklists:episode-list")),
        ("nurse", lambda episode: reverse("checklists:episode-detail", args=[episode.pk])),
        ("patient_user", lambda episode: reverse("portal:episode-calendar", args=[episode.pk])),
        ("admin_user", lambda episode: reverse("reports:table-csv", args=["phases"])),
    ],
    ids=["worklist", "episode", "calendar", "report-csv"],
)
def test_authenticated_pages_and_downloads_are_not_stored(client, request, episode, who, url):
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(episode))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_pdf_is_not_stored(client, patient_user, episode):
    client.force_login(patient_user)

    response = client.get(reverse("portal:episode-pdf", args=[episode.pk]))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_every_answer_has_a_permissions_policy_and_a_csp_without_base_uri(client):
    response = client.get(reverse("login"))

    assert "camera=()" in response["Permissions-Policy"]
    assert "base-uri 'none'" in response["Content-Security-Policy"]


def test_the_language_cookie_is_http_only(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})

    cookie = response.cookies["django_language"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
