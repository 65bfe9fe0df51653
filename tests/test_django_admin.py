"""The Django admin shows clinical records and their history, and changes none of them."""

import datetime as dt

import pytest
from django.urls import reverse

from checklists.models import Episode
from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    # The demo's admin login is a superuser: every permission check that is not overridden passes.
    return UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)


def test_an_old_version_of_an_episode_can_be_viewed_but_not_saved_back(client, superuser, episode):
    client.force_login(superuser)
    version = episode.history.earliest()
    url = reverse("admin:checklists_episode_simple_history", args=[episode.pk, version.history_id])
    assert client.get(url).status_code == 200
    form = {
        "patient": episode.patient_id,
        "protocol_version": episode.protocol_version_id,
        "scheduled_start_0": (episode.scheduled_start - dt.timedelta(days=2)).strftime("%Y-%m-%d"),
        "scheduled_start_1": "09:00:00",
        "vertebral_levels": "L1",
        "clinician": "Dr. Patel",
        "status": "cancelled",
    }

    response = client.post(url, form)

    assert response.status_code == 403
    episode.refresh_from_db()
    assert episode.status == Episode.Status.SCHEDULED
    assert episode.history.count() == 1


def test_an_old_version_of_a_task_cannot_be_saved_back(client, superuser, episode):
    client.force_login(superuser)
    task = episode.tasks.first()
    url = reverse("admin:checklists_checklisttask_simple_history", args=[task.pk, task.history.earliest().history_id])

    assert client.post(url, {"status": "done"}).status_code == 403
    task.refresh_from_db()
    assert task.status == "pending"
