"""Sending the schedule form twice schedules one procedure: the second send leads to the first one."""

import re

from django.urls import reverse

from checklists.models import Episode
from tests.factories import PatientFactory
from tests.test_forms import episode_data


def drawn_token(client, url: str) -> str:
    return re.search(r'name="submission_token" value="([0-9a-f-]+)"', client.get(url).content.decode()).group(1)


def test_the_schedule_form_sent_twice_schedules_one_procedure(client, nurse, protocol_version):
    patient = PatientFactory()
    url = reverse("checklists:episode-create", args=[patient.pk])
    client.force_login(nurse)
    data = episode_data(protocol_version, submission_token=drawn_token(client, url))

    first = client.post(url, data)
    second = client.post(url, data)

    episode = Episode.objects.get(patient=patient)
    assert first["Location"] == second["Location"] == reverse("checklists:episode-detail", args=[episode.pk])
    assert "sent twice" in client.get(second["Location"]).content.decode()


def test_each_drawing_of_the_form_has_its_own_token_so_two_real_procedures_can_be_scheduled(
    client, nurse, protocol_version
):
    patient = PatientFactory()
    url = reverse("checklists:episode-create", args=[patient.pk])
    client.force_login(nurse)
    for levels in ("L1", "L2"):
        client.post(
            url, episode_data(protocol_version, submission_token=drawn_token(client, url), vertebral_levels=levels)
        )

    assert Episode.objects.filter(patient=patient).count() == 2
